#include "models/net/eth_uplink.h"

namespace hvsim::net {

EthUplink::EthUplink(const std::string& name, const std::string& capture_path, const SourceLoc& capture_where,
                     const std::string& replay_path, const SourceLoc& replay_where,
                     const sc_core::sc_time& replay_start)
    : rx_frames(name + ".rx_frames", "frames", "frames the switch sent out of the uplink"),
      replayed(name + ".replayed", "frames", "frames replayed from the pcap file into the switch"),
      replay_skipped(name + ".replay_skipped", "frames", "pcap records skipped: not 14..1514 bytes"),
      replay_start_(replay_start) {
  if (!replay_path.empty()) replay_ = std::make_unique<PcapReader>(replay_path, replay_where);
  if (!capture_path.empty()) capture_ = std::make_unique<PcapWriter>(capture_path, capture_where);
}

void EthUplink::attach(EthWire& wire, EthWire::SideId self) {
  if (capture_)
    wire.add_tap([this, self](const EthFramePtr& f, const sc_core::sc_time& start, EthWire::SideId from) {
      if (from != self) capture_->write(*f, start);
    });
  if (!replay_ || replay_->records().empty()) return;
  EthLink* link = &wire.side(self);
  const uint64_t first = replay_->records().front().time_ns;
  for (const auto& r : replay_->records()) {
    if (r.bytes.size() < 14 || r.bytes.size() > kMaxFrameNoFcs) {
      ++replay_skipped;
      continue;
    }
    // Records out of time order are offered at once (relative time 0 or their own, whichever is later).
    const uint64_t rel = r.time_ns >= first ? r.time_ns - first : 0;
    const sc_core::sc_time due = replay_start_ + sc_core::sc_time(static_cast<double>(rel), sc_core::SC_NS);
    const PcapReader::Record* rec = &r;
    queue_.at(due, [this, link, rec] {
      auto f = std::make_shared<EthFrame>();
      f->bytes = rec->bytes;
      ++replayed;
      link->transmit(std::move(f), sc_core::sc_time_stamp());
    });
  }
}

void EthUplink::eth_receive(EthFramePtr) { ++rx_frames; }

}  // namespace hvsim::net
