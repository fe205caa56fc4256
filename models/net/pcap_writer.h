// PcapWriter: captures Ethernet frames into a classic pcap file (the format tcpdump and Wireshark
// read), so traffic on a simulated wire or switch uplink can be inspected with standard tools.
// Format (https://www.tcpdump.org/manpages/pcap-savefile.5.html): little-endian, nanosecond-resolution
// magic 0xa1b23c4d, version 2.4, snaplen 65535, linktype 1 (LINKTYPE_ETHERNET). Each record holds the
// frame as the MAC hands it over (DA .. payload, no preamble, SFD or FCS) and the simulated time of
// the frame's FIRST bit on the wire (start of preamble), in nanoseconds (sub-ns parts are truncated).
// Records are buffered and written when the buffer fills and at close()/destruction; writes survive
// short writes and EINTR. Records must be added in time order (EthWire taps are).
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/params.h"
#include "models/net/eth.h"

namespace hvsim::net {

namespace pcap {
constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kSnapLen = 65535;
constexpr size_t kGlobalHeaderBytes = 24;
constexpr size_t kRecordHeaderBytes = 16;
}  // namespace pcap

class PcapWriter {
 public:
  // Creates (truncates) `path`; ConfigError naming the file (and `where`, if given) if it cannot.
  explicit PcapWriter(const std::string& path, const SourceLoc& where = {});
  ~PcapWriter();  // close(), warning on failure
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(const EthFrame& frame, const sc_core::sc_time& first_bit);
  bool flush();  // false (with a warning) if the file could not be written; later writes are dropped
  bool close();
  uint64_t records() const { return records_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool failed_ = false;
  std::vector<uint8_t> buffer_;
  uint64_t records_ = 0;
};

}  // namespace hvsim::net
