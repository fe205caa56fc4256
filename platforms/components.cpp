// The component types a platform file can name, and how each is bound into a VM. Devices never see
// the platform: everything that depends on where a device sits (ports, windows, slots, IRQ lines,
// backends) is decided here.
#include <array>
#include <memory>

#include "models/bus/acpi_pm_timer.h"
#include "models/bus/address_router.h"
#include "models/bus/debug_exit.h"
#include "models/bus/measure_port.h"
#include "models/bus/memory.h"
#include "models/bus/pci_host_bridge.h"
#include "models/bus/pic8259.h"
#include "models/bus/piix4_isa_bridge.h"
#include "models/bus/pit8254.h"
#include "models/bus/test_device.h"
#include "models/hypervisor/hypervisor.h"
#include "models/bus/uart16550.h"
#include "models/core/log.h"
#include "models/cpu/virtual_cpu.h"
#include "platforms/component_helpers.h"
#include "platforms/platform.h"

namespace hvsim {

namespace {
using namespace placement;
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
  vm.cpus.push_back(cpu.get());
  return cpu;
}
std::unique_ptr<sc_core::sc_module> make_uart(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto uart = std::make_unique<Uart16550>(c.name.c_str());
  map_port(c, vm, uart->socket, 0x3F8, 8);  // COM1
  uart->irq.bind(vm.irq_line(isa_irq(c, 4)));
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
  // Instrumentation, not a device: by default invisible to the cost model (no exit).
  map_port(c, vm, dev->socket, 0x508, measure::kPortSize, ExitHandler::kNone);
  MeasurePort* m = dev.get();
  Platform::Vm* v = &vm;
  vm.on_ready.push_back([m, v] {  // the hypervisor may be declared after the port
    if (v->hv) m->set_exit_source([hv = v->hv] { return hv->exits_taken(); });
  });
  return dev;
}

std::unique_ptr<sc_core::sc_module> make_pci_host(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto host = std::make_unique<PciHostBridge>(c.name.c_str());
  map_port(c, vm, host->cfg_io, 0xCF8, 8);  // configuration mechanism #1
  vm.io->set_default_target(host->io_window, c.full_name() + " (PCI I/O decode)");
  vm.mem->set_default_target(host->mem_window, c.full_name() + " (PCI memory decode)");
  if (vm.pci) throw ConfigError(c.at(""), "a VM has one PCI host bridge");
  vm.pci = host.get();
  // BAR windows move when the guest programs them: keep the intercept map in step, each window on
  // its function's path ("ide.bar4" in the statistics).
  Platform::Vm* v = &vm;
  host->on_windows_changed([v](const std::vector<PciHostBridge::BarWindow>& windows) {
    if (!v->hv) return;
    std::vector<InterceptMap::Entry> io, mem;
    for (const auto& w : windows) {
      if (!w.enabled) continue;
      InterceptMap::Entry e;
      e.base = w.base;
      e.size = w.size;
      auto path = v->pci_paths.find(w.owner);
      e.handler = path == v->pci_paths.end() ? ExitHandler::kRoot : path->second;
      e.device = w.owner.substr(w.owner.rfind('.') + 1) + ".bar" + std::to_string(w.bar);
      (w.io ? io : mem).push_back(std::move(e));
    }
    v->hv->intercepts().set_dynamic(InterceptMap::Space::kPort, std::move(io));
    v->hv->intercepts().set_dynamic(InterceptMap::Space::kMemory, std::move(mem));
  });
  return host;
}
// PIIX4 function 0, the ISA bridge: makes device 1 multi-function (IDE is 1.1) and holds the PIRQ
// router, preset to the routing attach_pci() wires.
std::unique_ptr<sc_core::sc_module> make_piix4_isa(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto isa = std::make_unique<Piix4IsaBridge>(c.name.c_str());
  attach_pci(c, vm, *isa, 1, 0, 0);
  std::array<uint8_t, piix4::kPirqs> route{};
  for (unsigned n = 0; n < piix4::kPirqs; ++n) route[n] = static_cast<uint8_t>(kPirqIsaIrq[n]);
  isa->firmware_route(route);
  return isa;
}

// The 8259 pair; by default handled inside the hypervisor (KVM's in-kernel irqchip), so an EOI
// written to a command port is an EOI exit.
std::unique_ptr<sc_core::sc_module> make_pic(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  if (vm.intr) throw ConfigError(c.at(""), "a VM has one interrupt controller");
  auto pic = std::make_unique<Pic8259Pair>(c.name.c_str());
  ExitHandler path = ExitHandler::kHypervisor;
  auto place = [&](auto& socket, const char* key, uint64_t def, const char* suffix, bool eoi) {
    uint64_t port = c.u64_or(key, def);
    try {
      vm.io->map(port, 2, socket, c.full_name() + suffix);
    } catch (const ConfigError& e) {
      throw ConfigError(c.at(key), e.what());
    }
    record(c, vm, InterceptMap::Space::kPort, port, 2, path, suffix, eoi);
  };
  place(pic->socket, "master_port", 0x20, ".master", true);
  place(pic->slave_socket, "slave_port", 0xA0, ".slave", true);
  place(pic->elcr_socket, "elcr_port", 0x4D0, ".elcr", false);
  vm.lines.push_back(std::make_unique<sc_core::sc_signal<bool>>("intr"));
  vm.intr = vm.lines.back().get();
  pic->intr.bind(*vm.intr);
  vm.inta = &pic->inta;
  Pic8259Pair* p = pic.get();
  Platform::Vm* v = &vm;
  vm.on_ready.push_back([p, v] {  // every device has created its line by now
    for (unsigned n = 0; n < pic::kNumIrqs; ++n)
      if (n != 2 && v->isa_irq[n]) p->irq_in[n].bind(*v->isa_irq[n]);
    p->firmware_set_level(v->level_irqs);  // PCI INTx lines are level-triggered, as firmware sets ELCR
  });
  return pic;
}

std::unique_ptr<sc_core::sc_module> make_pit(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto pit = std::make_unique<Pit8254>(c.name.c_str());
  map_port(c, vm, pit->socket, 0x40, 4, ExitHandler::kHypervisor);
  map_port(c, vm, pit->port61, 0x61, 1, ExitHandler::kHypervisor, "port61");
  pit->irq0.bind(vm.irq_line(0));
  return pit;
}

std::unique_ptr<sc_core::sc_module> make_pm_timer(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto t = std::make_unique<AcpiPmTimer>(c.name.c_str());
  map_port(c, vm, t->socket, 0xB008, 4, ExitHandler::kHypervisor);  // PMBA 0xB000 + 8, as QEMU/KVM
  return t;
}

std::unique_ptr<sc_core::sc_module> make_test_device(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto dev = std::make_unique<TestDevice>(c.name.c_str());
  if (!c.has("port") && !c.has("mmio")) throw ConfigError(c.at(""), "a test device needs a port and/or an mmio window");
  if (c.has("port")) map_port(c, vm, dev->port, 0, testdev::kPortSize);
  if (c.has("mmio")) map_mmio(c, vm, dev->mmio, c.u64("mmio"), testdev::kMmioSize);
  dev->irq.bind(c.has("irq") ? vm.irq_line(isa_irq(c, 5)) : new_line(vm, c.name + "_irq"));
  return dev;
}

std::unique_ptr<sc_core::sc_module> make_hypervisor(const Platform::Component& c, Platform::Vm& vm, Platform& p) {
  if (vm.hv) throw ConfigError(c.at(""), "a VM has at most one hypervisor component");
  auto hv = std::make_unique<Hypervisor>(c.name.c_str(), p.costs(), p.root());
  vm.hv = hv.get();
  // Optional intercept lists for MSRs and CPUID leaves: "LO[-HI]:none|hypervisor|root, ...".
  for (auto [key, space] : {std::pair{"msr_intercepts", InterceptMap::Space::kMsr},
                            std::pair{"cpuid_intercepts", InterceptMap::Space::kCpuid}}) {
    if (!c.has(key)) continue;
    try {
      for (auto& e : parse_intercepts(c.str(key), key)) hv->intercepts().add(space, e);
    } catch (const ConfigError& e) {
      throw ConfigError(c.at(key), e.what());
    }
  }
  return hv;
}
}  // namespace

void register_builtin_components() {
  auto& t = Platform::types();
  if (!t.empty()) return;
  t["memory"] = {"guest RAM at physical address 0 (parameter: size)", {}, make_memory};
  t["x86_vcpu"] = {"x86 vCPU on Unicorn (parameters: clock_hz, cpi, quantum_ps, kernel, ...)", {}, make_vcpu};
  t["uart16550"] = {"16550A UART (placement: port, default 0x3F8; irq, default 4; parameter output: stdout, none or file:PATH)",
                    {"port", "irq"}, make_uart};
  t["hypervisor"] = {"the partition's hypervisor: intercept map, exit costs (hv.* profile), Hyper-V interface; "
                     "without it the guest runs on bare hardware (placement: msr_intercepts, cpuid_intercepts: "
                     "\"LO[-HI]:none|hypervisor|root, ...\")",
                     {"msr_intercepts", "cpuid_intercepts"}, make_hypervisor};
  t["pic8259"] = {"8259A pair (placement: master_port 0x20, slave_port 0xA0, elcr_port 0x4D0, path; default path "
                  "hypervisor)",
                  {"master_port", "slave_port", "elcr_port"}, make_pic};
  t["pit8254"] = {"8254 PIT, OUT0 on IRQ 0 (placement: port 0x40, port61 0x61, path; default path hypervisor)",
                  {"port", "port61"}, make_pit};
  t["acpi_pm_timer"] = {"ACPI PM timer, 3.579545 MHz (placement: port 0xB008, path; default path hypervisor)",
                        {"port"}, make_pm_timer};
  t["test_device"] = {"access-path test device (placement: port, mmio, irq, path): scratch register, IRQ control",
                      {"port", "mmio", "irq"}, make_test_device};
  t["isa_debug_exit"] = {"QEMU-compatible debug exit: writing v ends the run with status (v<<1)|1 (placement: "
                         "port, default 0x501; iosize, default 2)",
                         {"port", "iosize"}, make_debug_exit};
  t["measure_port"] = {"guest region-of-interest markers: outl 1 = begin, 2 = end (placement: port, default 0x508)",
                       {"port"}, make_measure_port};
  register_ide_components(t);
  register_nic_components(t);
  t["piix4_isa_bridge"] = {"Intel PIIX4 function 0, PCI-to-ISA bridge 8086:7110, multi-function header, PIRQ router "
                           "preset as SeaBIOS (PIRQA-D -> IRQ 10, 10, 11, 11) (placement: pci D.F, default 1.0)",
                           {"pci"}, make_piix4_isa};
  t["pci_host_i440bx"] = {"Intel 440BX host bridge 8086:7192: PCI bus 0, configuration mechanism #1 at 0xCF8, "
                          "decodes BARs for everything the routers do not claim (placement: port)",
                          {"port"}, make_pci_host};
  register_net_components();  // eth_switch, eth_peer
}

}  // namespace hvsim
