// EthWire: a point-to-point Ethernet segment (a cable, or the virtual link between a vNIC and its
// switch port) with two sides, A and B. Each side is the EthLink of the station attached to it and
// delivers to the other side's EthEndpoint.
//
// Timing (IEEE 802.3 clause 4 MAC, calibration rows P5-P7): a frame of L bytes (no FCS) occupies
// max(L, 60) + 4 (FCS) + 8 (preamble/SFD) bytes of wire time, then 12 bytes of inter-frame gap before
// the same side may start its next frame: a 64-byte frame costs 84 byte times (6.72 us at 100 Mb/s).
// Full duplex: each direction is its own medium. Half duplex: both directions share one medium and a
// side defers until it has been idle for the inter-frame gap (carrier sense is instantaneous: the
// propagation delay is not part of deferral). Collisions, backoff and jabber are not modelled: two
// sides that want the medium at once are serialised in call order, so half duplex gives the
// throughput of a collision-free shared segment, an upper bound.
// The frame reaches the other endpoint (eth_receive) at end of its last bit + propagation delay.
// A side never exceeds line rate, however often or early its station calls transmit().
//
// Link state: set_link(false) takes the carrier away; both endpoints hear eth_link_changed at that
// moment, frames transmitted while down are dropped (counted, warned), and frames still in flight
// when the link goes down are lost. Taps see every frame put on the wire, at its first bit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/bus/warn_limiter.h"
#include "models/core/stats.h"
#include "models/net/eth.h"
#include "models/net/timed_queue.h"

namespace hvsim::net {

struct EthWireConfig {
  // Any rate whose bit time is a whole number of picoseconds (10M, 100M, 1G, 10G); default 100BASE-TX.
  uint64_t bits_per_second = 100'000'000;
  bool full_duplex = true;
  // [A] 100 m of Category 5 cable (the longest 100BASE-TX segment, IEEE 802.3 25.1) at a nominal
  // velocity of propagation of ~0.67 c, 5 ns/m: 500 ns.
  sc_core::sc_time propagation = sc_core::sc_time(500, sc_core::SC_NS);
};

class EthWire {
 public:
  enum SideId : unsigned { kA = 0, kB = 1 };
  // Observer of every frame put on the wire: the frame, the time of its first bit, the side that sent it.
  using Tap = std::function<void(const EthFramePtr&, const sc_core::sc_time& start, SideId from)>;

  // `name` prefixes the statistics ("<name>.a.frames"). Throws ConfigError on a bad configuration.
  EthWire(const std::string& name, const EthWireConfig& config);
  ~EthWire();
  EthWire(const EthWire&) = delete;
  EthWire& operator=(const EthWire&) = delete;

  // The link of the station on `side`; frames it transmits go to the endpoint connected on the other side.
  EthLink& side(SideId s);
  void connect(SideId s, EthEndpoint* endpoint);  // the station receiving on side s (may be null: frames vanish)
  void set_link(bool up);                         // both endpoints are told, now
  bool link_up() const { return up_; }
  void add_tap(Tap tap) { taps_.push_back(std::move(tap)); }

  const std::string& name() const { return name_; }
  const EthWireConfig& config() const { return config_; }
  sc_core::sc_time bit_time() const { return bit_time_; }
  // Wire time of one frame of `len` bytes (no FCS): padding, FCS and preamble/SFD included, IFG not.
  sc_core::sc_time frame_time(size_t len) const;
  sc_core::sc_time ifg_time() const { return bit_time_ * (8 * kInterFrameGapBytes); }

  struct SideStats {
    SideStats(const std::string& prefix);
    Counter frames;        // frames transmitted from this side
    Counter bytes;         // their bytes as handed over (no padding, FCS or preamble)
    Counter busy_ps;       // wire time they occupied (frame_time), IFG excluded
    Counter drops_link_down;  // frames offered while the link was down or lost in flight
  };
  const SideStats& stats(SideId s) const { return *stats_[s]; }

 private:
  class Side;
  sc_core::sc_time transmit(SideId from, EthFramePtr frame, const sc_core::sc_time& ready);

  std::string name_;
  EthWireConfig config_;
  sc_core::sc_time bit_time_;
  bool up_ = true;
  uint64_t epoch_ = 0;  // incremented on every link change: frames of an older epoch are lost
  sc_core::sc_time next_free_[2];  // earliest start of the next frame per side (shared medium: both equal)
  std::unique_ptr<Side> sides_[2];
  EthEndpoint* endpoint_[2] = {nullptr, nullptr};
  std::unique_ptr<SideStats> stats_[2];
  std::vector<Tap> taps_;
  WarnLimiter warn_down_;
  TimedQueue queue_;
};

}  // namespace hvsim::net
