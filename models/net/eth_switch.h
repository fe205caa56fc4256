// EthSwitch: a Hyper-V-style virtual switch, modelled as a store-and-forward learning bridge
// (IEEE 802.1D without spanning tree or address aging). Every station (a vNIC model, a traffic peer,
// the root partition's host endpoint, the external uplink) is attached by its own EthWire to a port.
//
//   - Source-MAC learning on every received frame (the table has no aging; a station that moves is
//     relearned by its next frame). Known unicast goes to the learned port only; unknown unicast,
//     broadcast and multicast are flooded to every other port; a frame never leaves by its ingress port
//     (a unicast frame whose destination was learned on the ingress port is filtered).
//   - Store and forward: forwarding starts `latency_ps` after the frame's last bit arrived.
//   - An output queue per port holds at most `queue_frames` frames (a frame occupies it from its
//     forwarding decision until its last bit has left); a frame for a full queue is dropped.
//   - Kinds (Hyper-V switch types): private (VMs only), internal (VMs plus the root partition: a host
//     station "host" on the switch, an EthSink or EthEcho per the `host` parameter), external (plus an
//     uplink port "uplink" to an outside backend: pcap capture and/or replay, see eth_uplink.h).
// Parameters (all "<switch>.<key>"): kind, rate, duplex, propagation_ps, latency_ps, queue_frames,
// host, host_mac, host_turnaround_ps, pcap, replay, replay_start_ps. Statistics per port under
// "<switch>.port.<station>" (see README.md).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/net/eth.h"
#include "models/net/eth_wire.h"
#include "models/net/pcap_writer.h"
#include "models/net/timed_queue.h"

namespace hvsim::net {

class EthSink;
class EthEcho;
class EthUplink;

class EthSwitch : public sc_core::sc_module {
 public:
  enum class Kind { kPrivate, kInternal, kExternal };

  Param<std::string> kind;
  Param<uint64_t> rate;
  Param<std::string> duplex;
  Param<uint64_t> propagation_ps;
  Param<uint64_t> latency_ps;
  Param<uint64_t> queue_frames;
  Param<std::string> host;
  Param<std::string> host_mac;
  Param<uint64_t> host_turnaround_ps;
  Param<std::string> pcap;
  Param<std::string> replay;
  Param<uint64_t> replay_start_ps;

  // Throws ConfigError naming the parameter's source (file, line, key) for a bad value.
  explicit EthSwitch(sc_core::sc_module_name name);
  ~EthSwitch() override;

  // Creates a port named `port_name` and the station's wire to it (station on side A, the port on side B)
  // and returns the station's side. `pcap`: optional capture of this wire, both directions (ConfigError
  // naming the file and `pcap_where` if it cannot be created). Port names must be unique.
  EthLink& attach_station(EthEndpoint& station, const std::string& port_name, const std::string& pcap = "",
                          const SourceLoc& pcap_where = {});

  Kind switch_kind() const { return kind_; }
  EthWireConfig wire_config() const;
  size_t ports() const { return ports_.size(); }
  // Index of the port named `port_name`; ConfigError if there is none.
  size_t port_index(const std::string& port_name) const;
  EthWire& wire(size_t port);
  // The port a MAC address was learned on; -1 if unknown.
  int learned_port(uint64_t mac) const;
  size_t table_size() const { return table_.size(); }

  struct PortStats {
    explicit PortStats(const std::string& prefix);
    Counter rx_frames, rx_bytes, tx_frames, tx_bytes, drops, floods, filtered, rx_errors;
  };
  const PortStats& port_stats(size_t port) const;

  EthSink* host_sink() { return host_sink_.get(); }
  EthEcho* host_echo() { return host_echo_.get(); }
  EthUplink* uplink() { return uplink_.get(); }

 private:
  struct Port;
  class PortEndpoint;
  void receive(size_t in, const EthFramePtr& frame);
  void enqueue(size_t out, const EthFramePtr& frame);
  [[noreturn]] void bad(const ParamBase& p, const std::string& msg) const;

  Kind kind_ = Kind::kPrivate;
  bool full_duplex_ = true;
  std::vector<std::unique_ptr<Port>> ports_;
  std::map<uint64_t, size_t> table_;  // MAC -> port
  std::unique_ptr<EthSink> host_sink_;
  std::unique_ptr<EthEcho> host_echo_;
  std::unique_ptr<EthUplink> uplink_;
  TimedQueue queue_;
};

}  // namespace hvsim::net
