// Ethernet in platform files: the eth_switch and eth_peer component types (platforms/net_components.cpp)
// and the lookup a NIC factory uses to attach its station to a switch.
//
// A station names its switch with a key (normally `switch`): a component name in the same VM
// (`switch: sw0`) or VM.NAME for a switch declared in another VM's section (`switch: vm1.sw0`). Every
// component of every VM exists only when the Vm::on_ready callbacks run, so switches are resolved
// there. A Platform::Component is valid only during its factory call, so the factory captures a
// SwitchRef and the on_ready callback resolves it:
//
//   auto ref = switch_ref(c);                     // in the factory: key `switch`, optional key `pcap`
//   vm.on_ready.push_back([ref, nic = nic.get()] { nic->attach(attach_to_switch(ref, *nic)); });
//
// (list "switch" and "pcap" among the NIC type's placement keys). `pcap: FILE` captures the station's
// wire, both directions, first-bit timestamps (models/net/pcap_writer.h).
#pragma once

#include <string>

#include "models/core/params.h"
#include "models/net/eth.h"
#include "platforms/platform.h"

namespace hvsim {

namespace net { class EthSwitch; }

struct SwitchRef {
  std::string vm;       // the station's VM
  std::string station;  // the station's full name ("vm0.nic0"), its port name on the switch
  std::string name;     // as written: "sw0" or "vm1.sw0"
  SourceLoc where;      // file, line and key of the switch key
  std::string pcap;     // optional capture file of the station's wire ("" = none)
  SourceLoc pcap_where;
};

// Reads key `key` (required: ConfigError naming the component if absent) and the optional `pcap` key.
SwitchRef switch_ref(const Platform::Component& c, const std::string& key = "switch");
// The switch `ref` names; ConfigError naming file, line and key if there is no such eth_switch.
net::EthSwitch& find_switch(const SwitchRef& ref);
// Same, from a live component (inside its factory): finds only switches already created.
net::EthSwitch& find_switch(const Platform::Component& c, Platform::Vm& vm, Platform& p,
                            const std::string& key = "switch");
// find_switch + EthSwitch::attach_station(station, ref.station, ref.pcap): the station's link.
net::EthLink& attach_to_switch(const SwitchRef& ref, net::EthEndpoint& station);

}  // namespace hvsim
