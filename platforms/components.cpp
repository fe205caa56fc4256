// The component types a platform file can name, and how each is bound into a VM. Devices never see
// the platform: everything that depends on where a device sits (ports, windows, slots, IRQ lines,
// backends) is decided here.
#include <memory>

#include "models/bus/address_router.h"
#include "models/bus/memory.h"
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
}  // namespace

void register_builtin_components() {
  auto& t = Platform::types();
  if (!t.empty()) return;
  t["memory"] = {"guest RAM at physical address 0 (parameter: size)", {}, make_memory};
  t["x86_vcpu"] = {"x86 vCPU on Unicorn (parameters: clock_hz, cpi, quantum_ps, kernel, ...)", {}, make_vcpu};
}

}  // namespace hvsim
