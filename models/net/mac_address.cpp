#include "models/net/mac_address.h"

#include <cstdio>

namespace hvsim::net {

bool parse_mac(const std::string& text, uint64_t& out) {
  if (text.size() != 17) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 17; ++i) {
    const char ch = text[i];
    if (i % 3 == 2) {
      if (ch != ':' && ch != '-') return false;
      continue;
    }
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

std::string format_mac(uint64_t mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", unsigned(mac >> 40) & 0xFF,
                unsigned(mac >> 32) & 0xFF, unsigned(mac >> 24) & 0xFF, unsigned(mac >> 16) & 0xFF,
                unsigned(mac >> 8) & 0xFF, unsigned(mac) & 0xFF);
  return buf;
}

uint64_t mac_from_name(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ull;
  // First byte 0x02: locally administered (bit 1), unicast (bit 0 clear).
  return (0x02ull << 40) | (h & 0xFFFFFFFFFFull);
}

uint64_t get_mac(const std::vector<uint8_t>& frame, size_t offset) {
  uint64_t v = 0;
  for (size_t i = 0; i < 6; ++i) v = (v << 8) | frame[offset + i];
  return v;
}

void put_mac(std::vector<uint8_t>& frame, size_t offset, uint64_t mac) {
  for (size_t i = 0; i < 6; ++i) frame[offset + i] = static_cast<uint8_t>(mac >> (40 - 8 * i));
}

}  // namespace hvsim::net
