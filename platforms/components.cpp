// The component types a platform file can name, and how each is bound into a VM. Devices never see
// the platform: everything that depends on where a device sits (ports, windows, slots, IRQ lines,
// backends) is decided here.
#include <memory>

#include "models/bus/address_router.h"
#include "models/bus/debug_exit.h"
#include "models/bus/measure_port.h"
#include "models/bus/memory.h"
#include "models/bus/pci_host_bridge.h"
#include "models/bus/uart16550.h"
#include "models/core/log.h"
#include "models/cpu/virtual_cpu.h"
#include "platforms/platform.h"

namespace hvsim {

namespace {
constexpr uint64_t kDefaultRamSize = 256ull << 20;  // a small Hyper-V gen-1 VM; any size up to 3 GiB works
constexpr uint64_t kMaxRamSize = 3ull << 30;         // RAM stays below the PCI hole

std::unique_ptr<sc_core::sc_module> make_memory(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  if (vm.ram) throw ConfigError(c.at(""), "a VM has exactly one RAM component");
  auto ram = std::make_unique<Memory>(c.name.c_str(), kDefaultRamSize);
  uint64_t size = ram->size_bytes();
  if (size % 4096 || size < (2ull << 20) || size > kMaxRamSize)
    throw ConfigError(c.at("size"), "RAM size must be a multiple of 4 KiB between 2 MiB and 3 GiB");
  vm.mem->map(0, size, ram->socket, c.full_name());
  vm.ram = ram.get();
  return ram;
}

std::unique_ptr<sc_core::sc_module> make_vcpu(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto cpu = std::make_unique<VirtualCpu>(c.name.c_str());
  cpu->mem.bind(vm.mem->target_socket);
  cpu->io.bind(vm.io->target_socket);
  vm.cpus.push_back(cpu.get());
  return cpu;
}
// Maps a device's target socket at `port` (placement key, default given) in the port-I/O space.
template <typename Socket>
void map_port(const Platform::Component& c, Platform::Vm& vm, Socket& socket, uint64_t default_port, uint64_t size) {
  uint64_t port = c.u64_or("port", default_port);
  if (port + size > 0x10000) throw ConfigError(c.at("port"), "port range must lie below 0x10000");
  try {
    vm.io->map(port, size, socket, c.full_name());
  } catch (const ConfigError& e) {
    throw ConfigError(c.at("port"), e.what());
  }
}

sc_core::sc_signal<bool>& new_line(Platform::Vm& vm, const std::string& name) {
  vm.lines.push_back(std::make_unique<sc_core::sc_signal<bool>>(name.c_str()));
  return *vm.lines.back();
}

std::unique_ptr<sc_core::sc_module> make_uart(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto uart = std::make_unique<Uart16550>(c.name.c_str());
  map_port(c, vm, uart->socket, 0x3F8, 8);  // COM1
  // The interrupt controller arrives with the hypervisor issue; until then the line is observed only.
  uart->irq.bind(new_line(vm, c.name + "_irq"));
  return uart;
}

std::unique_ptr<sc_core::sc_module> make_debug_exit(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto dev = std::make_unique<DebugExit>(c.name.c_str());
  map_port(c, vm, dev->socket, 0x501, c.u64_or("iosize", 2));  // QEMU isa-debug-exit defaults
  Platform::Vm* v = &vm;
  DebugExit* d = dev.get();
  dev->on_exit([v, d](int status) {
    for (VirtualCpu* cpu : v->cpus)
      cpu->request_stop(RunOutcome::Kind::kGuestExit, status,
                        strfmt("guest wrote %u to debug-exit", static_cast<unsigned>(d->written_value())));
  });
  return dev;
}

std::unique_ptr<sc_core::sc_module> make_measure_port(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto dev = std::make_unique<MeasurePort>(c.name.c_str());
  map_port(c, vm, dev->socket, 0x508, measure::kPortSize);
  return dev;
}

std::unique_ptr<sc_core::sc_module> make_pci_host(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto host = std::make_unique<PciHostBridge>(c.name.c_str());
  map_port(c, vm, host->cfg_io, 0xCF8, 8);  // configuration mechanism #1
  vm.io->set_default_target(host->io_window, c.full_name() + " (PCI I/O decode)");
  vm.mem->set_default_target(host->mem_window, c.full_name() + " (PCI memory decode)");
  return host;
}
}  // namespace

void register_builtin_components() {
  auto& t = Platform::types();
  if (!t.empty()) return;
  t["memory"] = {"guest RAM at physical address 0 (parameter: size)", {}, make_memory};
  t["x86_vcpu"] = {"x86 vCPU on Unicorn (parameters: clock_hz, cpi, quantum_ps, kernel, ...)", {}, make_vcpu};
  t["uart16550"] = {"16550A UART (placement: port, default 0x3F8; parameter output: stdout|none|FILE)", {"port"},
                    make_uart};
  t["isa_debug_exit"] = {"QEMU-compatible debug exit: writing v ends the run with status (v<<1)|1 (placement: "
                         "port, default 0x501; iosize, default 2)",
                         {"port", "iosize"}, make_debug_exit};
  t["measure_port"] = {"guest region-of-interest markers: outl 1 = begin, 2 = end (placement: port, default 0x508)",
                       {"port"}, make_measure_port};
  t["pci_host_i440bx"] = {"Intel 440BX host bridge 8086:7192: PCI bus 0, configuration mechanism #1 at 0xCF8, "
                          "decodes BARs for everything the routers do not claim (placement: port)",
                          {"port"}, make_pci_host};
}

}  // namespace hvsim
