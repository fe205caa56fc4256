// Platform component types for Ethernet: eth_switch (a Hyper-V-style virtual switch) and eth_peer (a
// traffic station on a switch: sink, echo or generator). See models/net/README.md for the models.
#include "platforms/net_components.h"

#include <memory>

#include "models/net/eth_peers.h"
#include "models/net/eth_switch.h"
#include "models/net/mac_address.h"

namespace hvsim {

namespace {

sc_core::sc_time ps(uint64_t v) { return sc_core::sc_time(static_cast<double>(v), sc_core::SC_PS); }

// The eth_peer component: its parameters and one peer model of the chosen mode.
class EthPeerComponent : public sc_core::sc_module {
 public:
  Param<std::string> mode;
  Param<std::string> mac;
  Param<bool> check_sequence;
  Param<uint64_t> turnaround_ps;
  Param<std::string> dst;
  Param<uint64_t> size;
  Param<uint64_t> count;
  Param<double> rate;
  Param<uint64_t> start_ps;

  std::unique_ptr<net::EthSink> sink;
  std::unique_ptr<net::EthEcho> echo;
  std::unique_ptr<net::EthGenerator> generator;

  explicit EthPeerComponent(sc_core::sc_module_name n)
      : sc_module(n),
        mode(this, "mode", "sink", "", "sink (count frames), echo (reflect them) or generator (send test frames)"),
        mac(this, "mac", "", "", "station MAC address (default: locally administered, derived from the name)"),
        check_sequence(this, "check_sequence", false, "", "sink: check the generator's sequence numbers and pattern"),
        turnaround_ps(this, "turnaround_ps", 1'000'000, "ps",
                      "echo: time from a frame's arrival to offering the reply; [A] 1 us, a hardware loopback "
                      "reflector"),
        dst(this, "dst", "ff:ff:ff:ff:ff:ff", "", "generator: destination MAC (default broadcast)"),
        size(this, "size", 60, "bytes", "generator: frame length without FCS, 60..1514 (60 = 64-byte frame)"),
        count(this, "count", 0, "frames", "generator: frames to send"),
        rate(this, "rate", 0.0, "frames/s", "generator: frame rate; 0 = back to back at line rate"),
        start_ps(this, "start_ps", 0, "ps", "generator: time of the first frame") {}

  uint64_t own_mac() const {
    uint64_t m = net::mac_from_name(name());
    if (!mac.get().empty() && !net::parse_mac(mac.get(), m))
      throw ConfigError(mac.source(), "'" + mac.get() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    return m;
  }
  net::EthEndpoint& endpoint() {
    if (sink) return *sink;
    if (echo) return *echo;
    return *generator;
  }
  void attach(net::EthLink& link) {
    if (sink) sink->attach(link);
    if (echo) echo->attach(link);
    if (generator) generator->attach(link);
  }
};

std::unique_ptr<sc_core::sc_module> make_eth_switch(const Platform::Component& c, Platform::Vm&, Platform&) {
  return std::make_unique<net::EthSwitch>(c.name.c_str());
}

std::unique_ptr<sc_core::sc_module> make_eth_peer(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  SwitchRef ref = switch_ref(c);
  auto peer = std::make_unique<EthPeerComponent>(c.name.c_str());
  const std::string m = peer->mode.get();
  const std::string who = peer->name();
  if (m == "sink") {
    peer->sink = std::make_unique<net::EthSink>(who, peer->check_sequence);
  } else if (m == "echo") {
    peer->echo = std::make_unique<net::EthEcho>(who, peer->own_mac(), ps(peer->turnaround_ps));
  } else if (m == "generator") {
    net::EthGenerator::Config cfg;
    if (!net::parse_mac(peer->dst.get(), cfg.dst))
      throw ConfigError(peer->dst.source(), "'" + peer->dst.get() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    cfg.src = peer->own_mac();
    cfg.size = peer->size;
    cfg.count = peer->count;
    cfg.frames_per_second = peer->rate;
    cfg.start = ps(peer->start_ps);
    try {
      peer->generator = std::make_unique<net::EthGenerator>(who, cfg);
    } catch (const ConfigError& e) {
      const ParamBase& p = cfg.size < net::kMinFrameNoFcs || cfg.size > net::kMaxFrameNoFcs
                               ? static_cast<const ParamBase&>(peer->size)
                               : static_cast<const ParamBase&>(peer->rate);
      if (p.source().file == "default") throw;
      throw ConfigError(p.source(), e.what());
    }
  } else {
    throw ConfigError(peer->mode.source(), "mode must be sink, echo or generator (got '" + m + "')");
  }
  EthPeerComponent* p = peer.get();
  vm.on_ready.push_back([ref, p] { p->attach(attach_to_switch(ref, p->endpoint())); });
  return peer;
}

}  // namespace

SwitchRef switch_ref(const Platform::Component& c, const std::string& key) {
  SwitchRef r;
  r.vm = c.vm;
  r.station = c.full_name();
  r.name = c.str(key);
  r.where = c.at(key);
  if (c.has("pcap")) {
    r.pcap = c.str("pcap");
    r.pcap_where = c.at("pcap");
  }
  return r;
}

net::EthSwitch& find_switch(const SwitchRef& ref) {
  const std::string full = ref.name.find('.') == std::string::npos ? ref.vm + "." + ref.name : ref.name;
  sc_core::sc_object* obj = ref.name.empty() ? nullptr : sc_core::sc_find_object(full.c_str());
  auto* sw = dynamic_cast<net::EthSwitch*>(obj);
  if (!sw)
    throw ConfigError(ref.where, "no eth_switch named '" + ref.name + "' (looked for '" + full +
                                     "'; name a switch of this VM, or VM.NAME for one in another VM)");
  return *sw;
}

net::EthSwitch& find_switch(const Platform::Component& c, Platform::Vm&, Platform&, const std::string& key) {
  return find_switch(switch_ref(c, key));
}

net::EthLink& attach_to_switch(const SwitchRef& ref, net::EthEndpoint& station) {
  net::EthSwitch& sw = find_switch(ref);
  try {
    return sw.attach_station(station, ref.station, ref.pcap, ref.pcap_where);
  } catch (const ConfigError& e) {
    std::string what = e.what();
    if (what.rfind(ref.where.file, 0) == 0) throw;
    throw ConfigError(ref.where, what);
  }
}

void register_net_components() {
  auto& t = Platform::types();
  t["eth_switch"] = {"Hyper-V-style virtual Ethernet switch, a store-and-forward learning bridge (parameters: kind "
                     "private|internal|external, rate, duplex full|half, propagation_ps, latency_ps, queue_frames, "
                     "host sink|echo, host_mac, host_turnaround_ps, pcap, replay, replay_start_ps)",
                     {}, make_eth_switch};
  t["eth_peer"] = {"traffic station on an eth_switch (placement: switch NAME or VM.NAME, pcap FILE; parameters: mode "
                   "sink|echo|generator, mac, check_sequence, turnaround_ps, dst, size, count, rate, start_ps)",
                   {"switch", "pcap"}, make_eth_peer};
}

}  // namespace hvsim
