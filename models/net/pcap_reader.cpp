#include "models/net/pcap_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "models/net/pcap_writer.h"

namespace hvsim::net {

namespace {
constexpr uint32_t kMaxRecordBytes = 262144;  // libpcap's largest snapshot length
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 31;  // replay files are read into memory

uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24; }
uint32_t bswap(uint32_t v) { return __builtin_bswap32(v); }
}  // namespace

PcapReader::PcapReader(const std::string& path, const SourceLoc& where) {
  auto fail = [&](const std::string& msg) {
    const std::string full = "pcap replay '" + path + "': " + msg;
    if (where.file.empty() && where.key.empty()) throw ConfigError(full);
    throw ConfigError(where, full);
  };
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    ::close(fd);
    fail("larger than 2 GiB");
  }
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);

  if (data.size() < pcap::kGlobalHeaderBytes)
    fail("truncated global header (" + std::to_string(data.size()) + " of 24 bytes)");
  const uint32_t magic = le32(data.data());
  if (magic == pcap::kMagicMicro || magic == pcap::kMagicNano) {
    nano_ = magic == pcap::kMagicNano;
  } else if (bswap(magic) == pcap::kMagicMicro || bswap(magic) == pcap::kMagicNano) {
    nano_ = bswap(magic) == pcap::kMagicNano;
    swapped_ = true;
  } else {
    fail("not a pcap file (magic 0x" + [&] {
      char b[9];
      std::snprintf(b, sizeof b, "%08x", magic);
      return std::string(b);
    }() + ")");
  }
  auto rd = [&](size_t off) { return swapped_ ? bswap(le32(data.data() + off)) : le32(data.data() + off); };
  linktype_ = rd(20) & 0x0FFFFFFF;  // upper bits: FCS-length flags
  if (linktype_ != pcap::kLinktypeEthernet)
    fail("link type " + std::to_string(linktype_) + " is not Ethernet (1)");
  const uint32_t frac_limit = nano_ ? 1'000'000'000u : 1'000'000u;
  size_t off = pcap::kGlobalHeaderBytes;
  for (uint64_t n = 1; off < data.size(); ++n) {
    const std::string rec = "record " + std::to_string(n) + " at offset " + std::to_string(off) + ": ";
    if (data.size() - off < pcap::kRecordHeaderBytes)
      fail(rec + "truncated record header (" + std::to_string(data.size() - off) + " of 16 bytes)");
    const uint32_t sec = rd(off), frac = rd(off + 4), incl = rd(off + 8), orig = rd(off + 12);
    if (frac >= frac_limit) fail(rec + "timestamp fraction " + std::to_string(frac) + " out of range (garbage?)");
    if (incl > kMaxRecordBytes) fail(rec + "captured length " + std::to_string(incl) + " is implausible (garbage?)");
    if (orig < incl) fail(rec + "original length smaller than captured length (garbage?)");
    off += pcap::kRecordHeaderBytes;
    if (data.size() - off < incl)
      fail(rec + "truncated data (" + std::to_string(data.size() - off) + " of " + std::to_string(incl) + " bytes)");
    Record r;
    r.time_ns = uint64_t{sec} * 1'000'000'000ull + (nano_ ? frac : uint64_t{frac} * 1000);
    r.orig_len = orig;
    r.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(off), data.begin() + static_cast<std::ptrdiff_t>(off + incl));
    records_.push_back(std::move(r));
    off += incl;
  }
}

}  // namespace hvsim::net
