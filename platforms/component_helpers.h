// Placement helpers shared by the component factories (platforms/*_components.cpp): mapping a device's
// sockets into a VM's address spaces, recording the windows for the intercept map, ISA IRQ lines.
#pragma once

#include <memory>
#include <string>

#include "models/bus/address_router.h"
#include "models/bus/pci_function.h"
#include "models/core/log.h"
#include "platforms/platform.h"

namespace hvsim::placement {

// Records a window for the intercept map with the path the component asked for.
inline void record(const Platform::Component& c, Platform::Vm& vm, InterceptMap::Space space, uint64_t base, uint64_t size,
            ExitHandler default_path, const std::string& suffix = "", bool eoi_register = false) {
  InterceptMap::Entry e;
  e.base = base;
  e.size = size;
  e.handler = c.path_or(default_path);
  e.device = c.name + suffix;
  e.eoi_register = eoi_register;
  vm.mappings.push_back({space, e});
}

// Maps a device's target socket at a fixed port range in the port-I/O space, named
// "<component><suffix>" on the bus and in the intercept map; errors point at `where`.
template <typename Socket>
void map_port_at(const Platform::Component& c, Platform::Vm& vm, Socket& socket, uint64_t port, uint64_t size,
                 ExitHandler default_path, const SourceLoc& where, const std::string& suffix = "") {
  if (port + size > 0x10000) throw ConfigError(where, "port range must lie below 0x10000");
  try {
    vm.io->map(port, size, socket, c.full_name() + suffix);
  } catch (const ConfigError& e) {
    throw ConfigError(where, e.what());
  }
  record(c, vm, InterceptMap::Space::kPort, port, size, default_path, suffix);
}

// Maps a device's target socket at `key` (placement key, default given) in the port-I/O space.
template <typename Socket>
void map_port(const Platform::Component& c, Platform::Vm& vm, Socket& socket, uint64_t default_port, uint64_t size,
              ExitHandler default_path = ExitHandler::kRoot, const std::string& key = "port") {
  map_port_at(c, vm, socket, c.u64_or(key, default_port), size, default_path, c.at(key));
}

template <typename Socket>
void map_mmio(const Platform::Component& c, Platform::Vm& vm, Socket& socket, uint64_t base, uint64_t size,
              ExitHandler default_path = ExitHandler::kRoot) {
  if (base % 4096 || size % 4096) throw ConfigError(c.at("mmio"), "MMIO windows must be 4 KiB aligned");
  try {
    vm.mem->map(base, size, socket, c.full_name());
  } catch (const ConfigError& e) {
    throw ConfigError(c.at("mmio"), e.what());
  }
  record(c, vm, InterceptMap::Space::kMemory, base, size, default_path);
}

inline unsigned isa_irq(const Platform::Component& c, unsigned fallback) {
  uint64_t n = c.u64_or("irq", fallback);
  if (n > 15 || n == 2) throw ConfigError(c.at("irq"), "ISA IRQ must be 0-15 and not 2 (the cascade)");
  return static_cast<unsigned>(n);
}

inline sc_core::sc_signal<bool>& new_line(Platform::Vm& vm, const std::string& name) {
  vm.lines.push_back(std::make_unique<sc_core::sc_signal<bool>>(name.c_str()));
  return *vm.lines.back();
}

// Places a PCI function on bus 0 and wires what its slot implies (attached when every component
// exists, so the host bridge and the hypervisor may come later in the file):
// - `pci: D` or `pci: D.F` (device 0-31, function 0-7), default `default_device`.`default_function`;
// - `path` (default emulated): the path of its BAR windows in the intercept map once the guest
//   programs them, and of its bus-master DMA (dma_path.h);
// - `irq`: the ISA IRQ its INTx pin (`pin` 1-4 = A-D, 0 = none) is routed to, default as SeaBIOS
//   programs the PIIX PIRQ router on a PC: PIRQ[(device + pin - 1) mod 4] -> IRQ 10, 10, 11, 11.
//   The line is level-triggered (ELCR) and the function's Interrupt Line register holds it, as
//   firmware leaves them. Two PCI functions on one IRQ are refused (sharing is not modelled).
// SeaBIOS pci_irqs[] for the PIIX PIRQ router (PIRQA..D); QEMU's pc machine boots with them.
constexpr unsigned kPirqIsaIrq[4] = {10, 10, 11, 11};

struct PciPlacement {
  unsigned device = 0, function = 0;
  ExitHandler path = ExitHandler::kRoot;
  int irq = -1;  // -1: no INTx
};
PciPlacement attach_pci(const Platform::Component& c, Platform::Vm& vm, PciFunction& fn, unsigned default_device,
                        unsigned default_function, uint8_t pin);

}  // namespace hvsim::placement
