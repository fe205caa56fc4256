// PcapReader: reads a whole classic pcap file of Ethernet frames for replay into a switch. Accepts the
// microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics in either byte order; timestamps become
// nanoseconds. A missing, truncated or malformed file is one ConfigError naming the file and, for a
// bad record, its 1-based number. The file is read into memory at construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/params.h"

namespace hvsim::net {

class PcapReader {
 public:
  struct Record {
    uint64_t time_ns;  // timestamp as stored in the file, in ns
    uint32_t orig_len;
    std::vector<uint8_t> bytes;  // incl_len bytes
  };
  explicit PcapReader(const std::string& path, const SourceLoc& where = {});

  const std::vector<Record>& records() const { return records_; }
  bool nanosecond() const { return nano_; }
  bool swapped() const { return swapped_; }  // file byte order differs from little-endian
  uint32_t linktype() const { return linktype_; }

 private:
  std::vector<Record> records_;
  bool nano_ = false, swapped_ = false;
  uint32_t linktype_ = 0;
};

}  // namespace hvsim::net
