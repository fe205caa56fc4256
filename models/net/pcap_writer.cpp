#include "models/net/pcap_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "models/core/log.h"

namespace hvsim::net {

namespace {
constexpr size_t kFlushThreshold = size_t{1} << 20;

void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
}  // namespace

PcapWriter::PcapWriter(const std::string& path, const SourceLoc& where) : path_(path) {
  auto fail = [&](const std::string& msg) {
    if (where.file.empty() && where.key.empty()) throw ConfigError(msg);
    throw ConfigError(where, msg);
  };
  if (path.empty()) fail("pcap capture: no file name given");
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) fail("pcap capture '" + path + "': cannot create: " + std::strerror(errno));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  fd_ = fd;
  put32(buffer_, pcap::kMagicNano);
  put16(buffer_, 2);  // version 2.4
  put16(buffer_, 4);
  put32(buffer_, 0);  // thiszone: timestamps are simulated time since the start of the run
  put32(buffer_, 0);  // sigfigs
  put32(buffer_, pcap::kSnapLen);
  put32(buffer_, pcap::kLinktypeEthernet);
}

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::write(const EthFrame& frame, const sc_core::sc_time& first_bit) {
  if (fd_ < 0 || failed_) return;
  const uint64_t ns = first_bit.value() / sc_core::sc_time(1, sc_core::SC_NS).value();
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(frame.bytes.size(), pcap::kSnapLen));
  put32(buffer_, static_cast<uint32_t>(ns / 1'000'000'000ull));
  put32(buffer_, static_cast<uint32_t>(ns % 1'000'000'000ull));
  put32(buffer_, len);
  put32(buffer_, static_cast<uint32_t>(frame.bytes.size()));
  buffer_.insert(buffer_.end(), frame.bytes.begin(), frame.bytes.begin() + len);
  ++records_;
  if (buffer_.size() >= kFlushThreshold) flush();
}

bool PcapWriter::flush() {
  if (fd_ < 0 || failed_) return !failed_;
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      HVSIM_WARN("pcap", "'%s': write failed after %zu of %zu bytes: %s; capture stops here", path_.c_str(), done,
                 buffer_.size(), n < 0 ? std::strerror(errno) : "no progress");
      failed_ = true;
      buffer_.clear();
      return false;
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return true;
}

bool PcapWriter::close() {
  if (fd_ < 0) return !failed_;
  bool ok = flush();
  if (::close(fd_) != 0 && errno != EINTR) {
    HVSIM_WARN("pcap", "'%s': close failed: %s", path_.c_str(), std::strerror(errno));
    ok = false;
  }
  fd_ = -1;
  return ok;
}

}  // namespace hvsim::net
