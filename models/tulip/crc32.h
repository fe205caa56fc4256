// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) in the two forms the 21140 world uses: the
// Ethernet FCS / SROM CRC (initial ones, final complement) and Linux's ether_crc_le (no complement),
// whose low 9 bits index the setup-frame hash table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hvsim::tulip {

inline uint32_t crc32_le_raw(const uint8_t* data, size_t len, uint32_t crc = 0xFFFFFFFFu) {
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320u : 0);
  }
  return crc;
}

// The FCS value; it goes on the wire (and into RX buffers) least significant byte first.
inline uint32_t crc32_ieee(const uint8_t* data, size_t len) { return ~crc32_le_raw(data, len); }

}  // namespace hvsim::tulip
