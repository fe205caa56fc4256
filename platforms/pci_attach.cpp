// attach_pci(): where a PCI function sits and what its slot wires (component_helpers.h).
#include <string>

#include "models/bus/pci_host_bridge.h"
#include "models/core/log.h"
#include "models/hypervisor/hypervisor.h"
#include "platforms/component_helpers.h"

namespace hvsim::placement {

namespace {
void parse_slot(const Platform::Component& c, unsigned& device, unsigned& function) {
  if (!c.has("pci")) return;
  const std::string text = c.str("pci");
  const size_t dot = text.find('.');
  uint64_t d = 0, f = 0;
  if (!parse_u64(text.substr(0, dot), d) || (dot != std::string::npos && !parse_u64(text.substr(dot + 1), f)) ||
      d > 31 || f > 7)
    throw ConfigError(c.at("pci"), "'" + text + "' is not a PCI slot D or D.F (device 0-31, function 0-7)");
  device = static_cast<unsigned>(d);
  function = static_cast<unsigned>(f);
}
}  // namespace

PciPlacement attach_pci(const Platform::Component& c, Platform::Vm& vm, PciFunction& fn, unsigned default_device,
                        unsigned default_function, uint8_t pin) {
  PciPlacement pl;
  pl.device = default_device;
  pl.function = default_function;
  parse_slot(c, pl.device, pl.function);
  pl.path = c.path_or(ExitHandler::kRoot);
  vm.pci_paths[fn.name()] = pl.path;

  if (pin >= 1 && pin <= 4) {
    unsigned irq = kPirqIsaIrq[(pl.device + pin - 1) % 4];
    if (c.has("irq")) irq = isa_irq(c, irq);
    auto [it, fresh] = vm.pci_irq_owner.emplace(irq, c.name);
    if (!fresh)
      throw ConfigError(c.at(c.has("irq") ? "irq" : "pci"),
                        strfmt("IRQ %u already carries %s's INTx; interrupt sharing is not modelled: give one of "
                               "them another `irq`", irq, it->second.c_str()));
    pl.irq = static_cast<int>(irq);
    vm.level_irqs = static_cast<uint16_t>(vm.level_irqs | (1u << irq));
    fn.intx.bind(vm.irq_line(irq));
  } else {
    fn.intx.bind(new_line(vm, c.name + "_intx"));  // no pin: the output exists but goes nowhere
  }

  Platform::Vm* v = &vm;
  PciFunction* f = &fn;
  const SourceLoc where = c.at(c.has("pci") ? "pci" : "");
  vm.on_ready.push_back([v, f, pl, where, name = c.name] {
    if (!v->pci) throw ConfigError(where, "a PCI device needs a PCI host bridge (type pci_host_i440bx) in its VM");
    try {
      v->pci->attach(pl.device, pl.function, *f);
    } catch (const ConfigError& e) {
      throw ConfigError(where, e.what());
    }
    if (pl.irq >= 0) v->pci->config_write(pl.device, pl.function, pci::kInterruptLine, pl.irq, 1);
    if (v->hv) {  // DMA costed by path; add_source and bind in the same order
      v->hv->dma.add_source(name, pl.path);
      f->dma.bind(v->hv->dma.device_in);
    } else {
      f->dma.bind(v->mem->target_socket);
    }
  });
  return pl;
}

}  // namespace hvsim::placement
