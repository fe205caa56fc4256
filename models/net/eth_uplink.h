// The outside backend of an external Hyper-V switch's uplink port (the physical NIC the switch is
// bound to). Nothing real is attached: what the switch sends out of the uplink can be captured to a
// pcap file (timestamps: first bit on the uplink wire), and a pcap file can be replayed into the switch,
// each frame offered at `replay_start` + (its timestamp - the first record's timestamp). The uplink wire
// keeps replayed frames to line rate, so frames closer together than the wire allows are delayed.
// Records shorter than 14 bytes or longer than 1514 bytes cannot be Ethernet frames on this link and
// are skipped (counted).
#pragma once

#include <memory>
#include <string>
#include <systemc>

#include "models/core/stats.h"
#include "models/net/eth.h"
#include "models/net/eth_wire.h"
#include "models/net/pcap_reader.h"
#include "models/net/pcap_writer.h"
#include "models/net/timed_queue.h"

namespace hvsim::net {

class EthUplink : public EthEndpoint {
 public:
  // Empty paths: no capture / no replay. ConfigError (naming the file and `where`) if a file is bad.
  EthUplink(const std::string& name, const std::string& capture_path, const SourceLoc& capture_where,
            const std::string& replay_path, const SourceLoc& replay_where, const sc_core::sc_time& replay_start);
  // `wire` is the uplink port's wire, this backend on side `self`.
  void attach(EthWire& wire, EthWire::SideId self);
  void eth_receive(EthFramePtr frame) override;

  Counter rx_frames, replayed, replay_skipped;
  const PcapWriter* capture() const { return capture_.get(); }

 private:
  std::unique_ptr<PcapWriter> capture_;
  std::unique_ptr<PcapReader> replay_;
  sc_core::sc_time replay_start_;
  TimedQueue queue_;
};

}  // namespace hvsim::net
