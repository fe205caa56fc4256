// Shared by the network system tests: net-bench's frame pattern (guest/net-bench, models/net/README.md
// "Test frame layout"), a classic pcap reader, temporary files.
#pragma once

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace hvsim::test::net {

constexpr uint16_t kEtherType = 0x88B5;
constexpr uint32_t kHeader = 18;  // DA, SA, EtherType, 32-bit sequence number
constexpr uint32_t kTxSizes[3] = {60, 590, 1514};

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// The guest's frame: broadcast DA (or `da`), SA, 0x88B5, seq (big-endian), byte 18+i = (seq+i) & 0xFF.
inline Bytes bench_frame(const Mac& da, const Mac& sa, uint32_t seq, uint32_t size) {
  Bytes f(size);
  std::copy(da.begin(), da.end(), f.begin());
  std::copy(sa.begin(), sa.end(), f.begin() + 6);
  f[12] = kEtherType >> 8;
  f[13] = kEtherType & 0xFF;
  for (int b = 0; b < 4; ++b) f[14 + b] = static_cast<uint8_t>(seq >> (24 - 8 * b));
  for (uint32_t i = 0; i + kHeader < size; ++i) f[kHeader + i] = static_cast<uint8_t>(seq + i);
  return f;
}

constexpr Mac kBroadcast = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
constexpr Mac kGuestMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // given to QEMU with mac=
constexpr Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x88, 0xB5};
constexpr Mac kForeignMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

inline std::string mac_string(const Mac& m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

// Classic libpcap file: global header (magic a1b2c3d4 = microseconds or a1b23c4d = nanoseconds, in
// either byte order), then records of 16-byte header (ts_sec, ts_frac, incl_len, orig_len) + data.
struct Pcap {
  bool ok = false;
  std::string error;
  uint32_t linktype = 0;
  std::vector<Bytes> frames;
  std::vector<uint64_t> time_ns;  // per frame (microsecond files scaled to ns)
};

inline Pcap read_pcap(const std::string& path) {
  Pcap p;
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) {
    p.error = "cannot open " + path;
    return p;
  }
  Bytes d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (d.size() < 24) {
    p.error = "pcap shorter than its global header";
    return p;
  }
  auto le32 = [&](size_t o) {
    return static_cast<uint32_t>(d[o]) | static_cast<uint32_t>(d[o + 1]) << 8 | static_cast<uint32_t>(d[o + 2]) << 16 |
           static_cast<uint32_t>(d[o + 3]) << 24;
  };
  const uint32_t magic = le32(0);
  bool swap;
  if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du) {
    swap = false;
  } else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u) {
    swap = true;
  } else {
    p.error = "not a pcap file (magic " + std::to_string(magic) + ")";
    return p;
  }
  auto u32 = [&](size_t o) { return swap ? __builtin_bswap32(le32(o)) : le32(o); };
  p.linktype = u32(20);
  const bool nanoseconds = magic == 0xA1B23C4Du || magic == 0x4D3CB2A1u;
  size_t off = 24;
  while (off < d.size()) {
    if (off + 16 > d.size()) {
      p.error = "truncated record header";
      return p;
    }
    const uint32_t incl = u32(off + 8), orig = u32(off + 12);
    p.time_ns.push_back(static_cast<uint64_t>(u32(off)) * 1000000000ull +
                        static_cast<uint64_t>(u32(off + 4)) * (nanoseconds ? 1 : 1000));
    off += 16;
    if (off + incl > d.size() || incl != orig) {
      p.error = "truncated or snapped record";
      return p;
    }
    p.frames.emplace_back(d.begin() + static_cast<std::ptrdiff_t>(off), d.begin() + static_cast<std::ptrdiff_t>(off + incl));
    off += incl;
  }
  p.ok = true;
  return p;
}

struct TempFile {
  std::string path;
  explicit TempFile(const char* stem) {
    std::string tmpl = std::string("/tmp/") + stem + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const int fd = mkstemp(buf.data());
    if (fd >= 0) {
      close(fd);
      path = buf.data();
    }
  }
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

inline bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  for (const auto& l : lines)
    if (l == want) return true;
  return false;
}

}  // namespace hvsim::test::net
