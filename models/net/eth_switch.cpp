#include "models/net/eth_switch.h"

#include <algorithm>

#include "models/core/log.h"
#include "models/net/eth_peers.h"
#include "models/net/eth_uplink.h"
#include "models/net/mac_address.h"

namespace hvsim::net {

namespace {
constexpr uint64_t kPsPerSecond = 1'000'000'000'000ull;
sc_core::sc_time ps(uint64_t v) { return sc_core::sc_time(static_cast<double>(v), sc_core::SC_PS); }

std::string stat_name(const std::string& port_name) {
  std::string s = port_name;
  std::replace(s.begin(), s.end(), '.', '_');  // a station "vm1.nic0" is one level below the switch
  return s;
}
}  // namespace

class EthSwitch::PortEndpoint : public EthEndpoint {
 public:
  PortEndpoint(EthSwitch& sw, size_t index) : sw_(sw), index_(index) {}
  void eth_receive(EthFramePtr frame) override { sw_.receive(index_, frame); }

 private:
  EthSwitch& sw_;
  size_t index_;
};

struct EthSwitch::Port {
  Port(const std::string& port_name, const std::string& prefix, const EthWireConfig& cfg, EthSwitch& sw, size_t index)
      : name(port_name), wire(std::make_unique<EthWire>(prefix + ".wire", cfg)), endpoint(sw, index), stats(prefix) {}
  std::string name;
  std::unique_ptr<EthWire> wire;
  PortEndpoint endpoint;
  std::deque<sc_core::sc_time> in_queue;  // end times of frames handed to the wire and not yet sent
  PortStats stats;
  std::unique_ptr<PcapWriter> capture;
};

EthSwitch::PortStats::PortStats(const std::string& p)
    : rx_frames(p + ".rx_frames", "frames", "frames received from the station"),
      rx_bytes(p + ".rx_bytes", "bytes", "bytes of those frames (no FCS)"),
      tx_frames(p + ".tx_frames", "frames", "frames sent to the station"),
      tx_bytes(p + ".tx_bytes", "bytes", "bytes of those frames (no FCS)"),
      drops(p + ".drops", "frames", "frames for this port dropped: output queue full"),
      floods(p + ".floods", "frames", "frames received here and flooded (unknown unicast, broadcast, multicast)"),
      filtered(p + ".filtered", "frames", "unicast frames received here for a station learned on this same port"),
      rx_errors(p + ".rx_errors", "frames", "frames received here shorter than an Ethernet header (14 bytes)") {}

EthSwitch::EthSwitch(sc_core::sc_module_name name)
    : sc_module(name),
      kind(this, "kind", "private", "", "Hyper-V switch type: private (VMs only), internal (VMs + root partition "
           "host station), external (VMs + uplink to an outside backend)"),
      rate(this, "rate", 100'000'000, "bit/s", "line rate of every port's link; 100BASE-TX (calibration P5)"),
      duplex(this, "duplex", "full", "", "full or half duplex on every port's link"),
      propagation_ps(this, "propagation_ps", 500'000, "ps",
                     "propagation delay of every port's link; [A] 100 m of Cat 5 cable at 5 ns/m (IEEE 802.3 25.1 "
                     "maximum segment); set 0 for links that are purely virtual"),
      latency_ps(this, "latency_ps", 2'000'000, "ps",
                 "store-and-forward latency from a frame's last bit in to its forwarding decision; [A] 2 us, typical "
                 "of 100 Mb/s store-and-forward switches (vendor datasheets quote 1-5 us beyond frame time)"),
      queue_frames(this, "queue_frames", 64, "frames",
                   "output queue depth per port; [A] 64 frames (small unmanaged switches buffer 32-128 frames/port)"),
      host(this, "host", "sink", "", "internal switch: the root partition's station, sink or echo"),
      host_mac(this, "host_mac", "", "", "internal switch: MAC of the host station (default: derived from the name)"),
      host_turnaround_ps(this, "host_turnaround_ps", 10'000'000, "ps",
                         "internal switch, host echo: turnaround; [A] 10 us of root-partition network stack"),
      pcap(this, "pcap", "", "", "external switch: capture what leaves through the uplink to this pcap file"),
      replay(this, "replay", "", "", "external switch: replay this pcap file into the switch through the uplink"),
      replay_start_ps(this, "replay_start_ps", 0, "ps", "external switch: simulated time of the first replayed frame") {
  const std::string k = kind.get();
  if (k == "private") kind_ = Kind::kPrivate;
  else if (k == "internal") kind_ = Kind::kInternal;
  else if (k == "external") kind_ = Kind::kExternal;
  else bad(kind, "switch kind must be private, internal or external (got '" + k + "')");
  if (duplex.get() == "full") full_duplex_ = true;
  else if (duplex.get() == "half") full_duplex_ = false;
  else bad(duplex, "duplex must be full or half (got '" + duplex.get() + "')");
  if (rate.get() == 0 || kPsPerSecond % rate.get() != 0)
    bad(rate, "rate " + std::to_string(rate.get()) + " b/s: the bit time must be a whole number of ps (e.g. 10M, 100M, 1G)");
  if (queue_frames.get() == 0) bad(queue_frames, "queue_frames must be at least 1");
  if (kind_ != Kind::kExternal) {
    if (!pcap.get().empty()) bad(pcap, "pcap capture of the uplink needs kind: external");
    if (!replay.get().empty()) bad(replay, "pcap replay through the uplink needs kind: external");
  }
  if (kind_ == Kind::kInternal) {
    uint64_t mac = mac_from_name(std::string(this->name()) + ".host");
    if (!host_mac.get().empty() && !parse_mac(host_mac.get(), mac))
      bad(host_mac, "'" + host_mac.get() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    const std::string prefix = std::string(this->name()) + ".host";
    if (host.get() == "sink") {
      host_sink_ = std::make_unique<EthSink>(prefix, false);
      host_sink_->attach(attach_station(*host_sink_, "host"));
    } else if (host.get() == "echo") {
      host_echo_ = std::make_unique<EthEcho>(prefix, mac, ps(host_turnaround_ps));
      host_echo_->attach(attach_station(*host_echo_, "host"));
    } else {
      bad(host, "host must be sink or echo (got '" + host.get() + "')");
    }
  }
  if (kind_ == Kind::kExternal) {
    uplink_ = std::make_unique<EthUplink>(std::string(this->name()) + ".uplink_backend", pcap.get(), pcap.source(),
                                          replay.get(), replay.source(), ps(replay_start_ps));
    attach_station(*uplink_, "uplink");
    uplink_->attach(*ports_.back()->wire, EthWire::kA);
  }
}

EthSwitch::~EthSwitch() = default;

void EthSwitch::bad(const ParamBase& p, const std::string& msg) const {
  const SourceLoc& s = p.source();
  if (s.file == "default") throw ConfigError(p.name() + ": " + msg);
  throw ConfigError(s, msg);
}

EthWireConfig EthSwitch::wire_config() const {
  EthWireConfig c;
  c.bits_per_second = rate.get();
  c.full_duplex = full_duplex_;
  c.propagation = ps(propagation_ps);
  return c;
}

EthLink& EthSwitch::attach_station(EthEndpoint& station, const std::string& port_name, const std::string& pcap_path,
                                   const SourceLoc& pcap_where) {
  for (auto& p : ports_)
    if (p->name == port_name) throw ConfigError(std::string(name()) + ": a second station named '" + port_name + "'");
  const size_t index = ports_.size();
  const std::string prefix = std::string(name()) + ".port." + stat_name(port_name);
  ports_.push_back(std::make_unique<Port>(port_name, prefix, wire_config(), *this, index));
  Port& p = *ports_.back();
  p.wire->connect(EthWire::kA, &station);
  p.wire->connect(EthWire::kB, &p.endpoint);
  if (!pcap_path.empty()) {
    p.capture = std::make_unique<PcapWriter>(pcap_path, pcap_where);
    PcapWriter* w = p.capture.get();
    p.wire->add_tap([w](const EthFramePtr& f, const sc_core::sc_time& start, EthWire::SideId) { w->write(*f, start); });
  }
  return p.wire->side(EthWire::kA);
}

size_t EthSwitch::port_index(const std::string& port_name) const {
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i]->name == port_name) return i;
  throw ConfigError(std::string(name()) + ": no port named '" + port_name + "'");
}

EthWire& EthSwitch::wire(size_t port) { return *ports_.at(port)->wire; }
const EthSwitch::PortStats& EthSwitch::port_stats(size_t port) const { return ports_.at(port)->stats; }

int EthSwitch::learned_port(uint64_t mac) const {
  auto it = table_.find(mac);
  return it == table_.end() ? -1 : static_cast<int>(it->second);
}

void EthSwitch::receive(size_t in, const EthFramePtr& frame) {
  PortStats& st = ports_[in]->stats;
  ++st.rx_frames;
  st.rx_bytes += frame->bytes.size();
  if (frame->bytes.size() < 14) {
    ++st.rx_errors;
    return;
  }
  const uint64_t da = get_mac(frame->bytes, 0), sa = get_mac(frame->bytes, 6);
  if (!is_group_mac(sa)) table_[sa] = in;
  std::vector<size_t> out;
  auto it = is_group_mac(da) ? table_.end() : table_.find(da);
  if (it != table_.end()) {
    if (it->second == in) {
      ++st.filtered;
      return;
    }
    out.push_back(it->second);
  } else {
    ++st.floods;
    for (size_t i = 0; i < ports_.size(); ++i)
      if (i != in) out.push_back(i);
  }
  if (out.empty()) return;
  queue_.at(sc_core::sc_time_stamp() + ps(latency_ps), [this, frame, out = std::move(out)] {
    for (size_t o : out) enqueue(o, frame);
  });
}

void EthSwitch::enqueue(size_t out, const EthFramePtr& frame) {
  Port& p = *ports_[out];
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!p.in_queue.empty() && p.in_queue.front() <= now) p.in_queue.pop_front();
  if (p.in_queue.size() >= queue_frames.get()) {
    ++p.stats.drops;
    return;
  }
  if (!p.wire->link_up()) {  // the wire counts and reports it
    p.wire->side(EthWire::kB).transmit(frame, now);
    return;
  }
  ++p.stats.tx_frames;
  p.stats.tx_bytes += frame->bytes.size();
  p.in_queue.push_back(p.wire->side(EthWire::kB).transmit(frame, now));
}

}  // namespace hvsim::net
