#include "models/net/eth_wire.h"

#include <algorithm>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim::net {

namespace {
constexpr uint64_t kPsPerSecond = 1'000'000'000'000ull;
}

class EthWire::Side : public EthLink {
 public:
  Side(EthWire& wire, SideId id) : wire_(wire), id_(id) {}
  sc_core::sc_time transmit(EthFramePtr frame, const sc_core::sc_time& ready) override {
    return wire_.transmit(id_, std::move(frame), ready);
  }
  bool link_up() const override { return wire_.up_; }
  uint64_t bits_per_second() const override { return wire_.config_.bits_per_second; }
  bool full_duplex() const override { return wire_.config_.full_duplex; }

 private:
  EthWire& wire_;
  SideId id_;
};

EthWire::SideStats::SideStats(const std::string& prefix)
    : frames(prefix + ".frames", "frames", "frames transmitted from this side"),
      bytes(prefix + ".bytes", "bytes", "bytes of those frames, without padding, FCS or preamble"),
      busy_ps(prefix + ".busy_ps", "ps", "wire time of those frames (padding, FCS, preamble/SFD; no IFG)"),
      drops_link_down(prefix + ".drops_link_down", "frames", "frames lost because the link was down") {}

EthWire::EthWire(const std::string& name, const EthWireConfig& config) : name_(name), config_(config) {
  const uint64_t bps = config.bits_per_second;
  if (bps == 0 || kPsPerSecond % bps != 0)
    throw ConfigError(name + ": link rate " + std::to_string(bps) +
                      " b/s does not give a whole-picosecond bit time (use e.g. 10M, 100M or 1G)");
  bit_time_ = sc_core::sc_time(static_cast<double>(kPsPerSecond / bps), sc_core::SC_PS);
  for (unsigned s = 0; s < 2; ++s) {
    sides_[s] = std::make_unique<Side>(*this, static_cast<SideId>(s));
    stats_[s] = std::make_unique<SideStats>(name + (s == kA ? ".a" : ".b"));
  }
}

EthWire::~EthWire() = default;

EthLink& EthWire::side(SideId s) { return *sides_[s]; }

void EthWire::connect(SideId s, EthEndpoint* endpoint) { endpoint_[s] = endpoint; }

sc_core::sc_time EthWire::frame_time(size_t len) const {
  const uint64_t bytes = std::max<uint64_t>(len, kMinFrameNoFcs) + kFcsBytes + kPreambleSfdBytes;
  return bit_time_ * static_cast<double>(8 * bytes);
}

void EthWire::set_link(bool up) {
  if (up == up_) return;
  up_ = up;
  ++epoch_;
  for (EthEndpoint* e : endpoint_)
    if (e) e->eth_link_changed(up);
}

sc_core::sc_time EthWire::transmit(SideId from, EthFramePtr frame, const sc_core::sc_time& ready) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time earliest = std::max(ready, now);
  SideStats& st = *stats_[from];
  if (!frame) return earliest;
  if (!up_) {
    ++st.drops_link_down;
    if (warn_down_.allow())
      HVSIM_WARN(name_, "frame of %zu bytes transmitted from side %c while the link is down: dropped",
                 frame->bytes.size(), from == kA ? 'A' : 'B');
    return earliest;
  }
  const sc_core::sc_time start = std::max(earliest, next_free_[from]);
  const sc_core::sc_time busy = frame_time(frame->bytes.size());
  const sc_core::sc_time end = start + busy;
  next_free_[from] = end + ifg_time();
  if (!config_.full_duplex) next_free_[1 - from] = std::max(next_free_[1 - from], next_free_[from]);
  ++st.frames;
  st.bytes += frame->bytes.size();
  st.busy_ps += busy.value() / sc_core::sc_time(1, sc_core::SC_PS).value();

  if (!taps_.empty())
    queue_.at(start, [this, frame, start, from] {
      for (auto& tap : taps_) tap(frame, start, from);
    });
  const SideId to = from == kA ? kB : kA;
  queue_.at(end + config_.propagation, [this, frame = std::move(frame), to, from, epoch = epoch_] {
    if (epoch != epoch_ || !up_) {
      ++stats_[from]->drops_link_down;
      return;
    }
    if (endpoint_[to]) endpoint_[to]->eth_receive(frame);
  });
  return end;
}

}  // namespace hvsim::net
