// Platform: instantiates and binds models from a YAML platform description. Model code never reads
// the file; the builder turns each component entry into a model, its placement keys (port, mmio,
// pci slot, irq, backends) into bindings, and every other key into a parameter override named
// "<vm>.<component>.<key>". Errors name file, line and key.
//
//   platform: {name: pc, description: "..."}   # metadata (optional)
//   vm0:                                        # every other top-level key is a VM
//     ram:  {type: memory, size: 256MiB}
//     cpu0: {type: x86_vcpu, clock_hz: 3G}
//     com1: {type: uart16550, port: 0x3f8, output: stdout}
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/params.h"
#include "models/cpu/virtual_cpu.h"

namespace YAML { class Node; }

namespace hvsim {

class AddressRouter;
class Memory;

class Platform {
 public:
  struct Options {
    std::string kernel;                 // --kernel: sets <vm>.<cpu>.kernel for every vCPU
    std::vector<std::pair<std::string, std::string>> overrides;  // -p name=value, applied last
  };

  // Reads and elaborates the description; throws ConfigError naming file, line and key.
  Platform(const std::string& path, const Options& options);
  ~Platform();

  // Loads kernels and checks that every override was used. Call before sc_start().
  void prepare();
  void dump(std::ostream& os) const;  // components, address maps (--dump-platform)

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  std::vector<VirtualCpu*> cpus() const;
  // The run's outcome: the first vCPU that did not simply halt decides.
  RunOutcome outcome() const;

  // ---- used by component factories (platforms/components.cpp) ----
  struct Vm {
    std::string name;
    std::unique_ptr<sc_core::sc_module> module;  // parent of every model of the VM ("vm0.cpu0")
    std::unique_ptr<AddressRouter> io, mem;      // port-I/O space, physical address space
    std::vector<std::unique_ptr<sc_core::sc_module>> components;  // destroyed before `module`
    Memory* ram = nullptr;
    std::vector<VirtualCpu*> cpus;
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> lines;  // interrupt lines
    std::vector<std::function<void()>> on_ready;  // wiring that needs every component (run in order)
  };
  struct Component {
    std::string vm, name, type;
    std::string file;
    const YAML::Node* node;
    std::string full_name() const { return vm + "." + name; }
    SourceLoc at(const std::string& key) const;  // file:line of that key (or of the component)
    bool has(const std::string& key) const;
    std::string str(const std::string& key) const;  // required scalar
    uint64_t u64(const std::string& key) const;     // required unsigned integer
    uint64_t u64_or(const std::string& key, uint64_t fallback) const;
  };
  // A factory creates the model, binds it into the VM and names the keys it consumed itself (the
  // rest become parameters of the model).
  using Factory = std::function<std::unique_ptr<sc_core::sc_module>(const Component&, Vm&, Platform&)>;
  struct Type {
    std::string doc;
    std::vector<std::string> placement_keys;
    Factory create;
  };
  static std::map<std::string, Type>& types();

 private:
  void build_vm(const std::string& vm_name, const YAML::Node& node);

  std::string file_, name_, description_;
  Options options_;
  std::vector<std::unique_ptr<Vm>> vms_;
  std::vector<std::string> component_lines_;  // for dump()
};

// Registers the built-in component types (called once by Platform).
void register_builtin_components();

}  // namespace hvsim
