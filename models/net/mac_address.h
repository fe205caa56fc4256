// Ethernet MAC addresses as 48-bit integers (first byte on the wire = most significant), with the
// parsing and formatting the platform keys and logs use ("02:00:00:00:00:01").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hvsim::net {

constexpr uint64_t kBroadcastMac = 0xFFFFFFFFFFFFull;

// "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff" (hex digits, either case); false if malformed.
bool parse_mac(const std::string& text, uint64_t& out);
std::string format_mac(uint64_t mac);
// Group (multicast or broadcast) addresses have the I/G bit, bit 0 of the first byte, set.
inline bool is_group_mac(uint64_t mac) { return (mac >> 40) & 1; }
// A locally administered unicast address derived from a name (FNV-1a), so default addresses are
// distinct per station and the same in every run.
uint64_t mac_from_name(const std::string& name);

// Reads/writes the 6 address bytes at `offset` (0 = destination, 6 = source); the frame must be long enough.
uint64_t get_mac(const std::vector<uint8_t>& frame, size_t offset);
void put_mac(std::vector<uint8_t>& frame, size_t offset, uint64_t mac);

}  // namespace hvsim::net
