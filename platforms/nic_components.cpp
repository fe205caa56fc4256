// Component types of the emulated network path: the DEC 21140 on PCI, attached to an eth_switch.
// Where it sits (PCI slot, INTx routing, the path of its BARs and DMA) and which switch port its wire
// goes to are decided here; the model never sees the platform.
#include <memory>
#include <string>

#include "models/tulip/tulip21140.h"
#include "platforms/component_helpers.h"
#include "platforms/net_components.h"

namespace hvsim {

namespace {
using namespace placement;

// Default slot 00:03.0, where QEMU's pc machine puts its first NIC: INTA -> PIRQD -> IRQ 11.
constexpr unsigned kDefaultDevice = 3;

std::unique_ptr<sc_core::sc_module> make_tulip(const Platform::Component& c, Platform::Vm& vm, Platform& p) {
  auto nic = std::make_unique<Tulip21140>(c.name.c_str());
  attach_pci(c, vm, *nic, kDefaultDevice, 0, /*pin INTA*/ 1);
  SwitchRef ref = switch_ref(c);
  std::string option_key;
  if (const std::string* file = p.cli_file(p.options().pcaps, c, &option_key)) {
    ref.pcap = *file;
    ref.pcap_where = SourceLoc{"command line", 0, "--pcap " + option_key};
  }
  Tulip21140* n = nic.get();
  vm.on_ready.push_back([ref, n] { n->attach(attach_to_switch(ref, *n)); });
  return nic;
}
}  // namespace

void register_nic_components(std::map<std::string, Platform::Type>& t) {
  t["tulip21140"] = {"DEC 21140 Fast Ethernet 1011:0009 (placement: pci D.F, default 3.0; irq; path, default "
                     "emulated; switch NAME or VM.NAME of an eth_switch; pcap FILE captures its wire, as does "
                     "--pcap NAME=FILE). Parameters: mac, phy_address, ...",
                     {"pci", "irq", "switch", "pcap"}, make_tulip};
}

}  // namespace hvsim
