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
#include <set>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/params.h"
#include "models/cpu/virtual_cpu.h"
#include "models/hypervisor/cost_profile.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/root_partition.h"
#include "models/ide/image_backend.h"

namespace YAML { class Node; }

namespace hvsim {

class AddressRouter;
class Memory;
class PciHostBridge;

class Platform {
 public:
  struct Options {
    std::string kernel;                 // --kernel: sets <vm>.<cpu>.kernel for every vCPU
    std::map<std::string, std::string> disks;  // --disk [COMPONENT=]PATH: image of that ata_disk ("disk0")
    std::map<std::string, std::string> pcaps;  // --pcap [COMPONENT=]FILE: capture of that NIC's wire ("nic0")
    bool snapshot = false;              // --snapshot: every disk writes to a discarded overlay
    std::string profile;                // --profile: profiles/NAME.yaml (or a path) of hypervisor costs
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
    std::vector<std::unique_ptr<BlockBackend>> disk_images;  // host images; outlive the disks using them
    std::vector<std::unique_ptr<sc_core::sc_module>> components;  // destroyed before `module`
    Memory* ram = nullptr;
    std::vector<VirtualCpu*> cpus;
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> lines;  // interrupt lines
    Hypervisor* hv = nullptr;                      // absent: the guest runs on bare hardware
    // Every device window with the path its component asked for; becomes the intercept map.
    struct Mapping {
      InterceptMap::Space space;
      InterceptMap::Entry entry;
    };
    std::vector<Mapping> mappings;
    sc_core::sc_signal<bool>* isa_irq[16] = {};
    sc_core::sc_signal<bool>* intr = nullptr;  // interrupt controller -> vCPU INTR
    tlm::tlm_base_target_socket_b<32, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>* inta = nullptr;
    sc_core::sc_signal<bool>& irq_line(unsigned n);  // ISA IRQ n, created on first use
    PciHostBridge* pci = nullptr;                   // PCI bus 0 (pci_host_i440bx), if the VM has one
    std::map<std::string, ExitHandler> pci_paths;   // PCI function (module name) -> path of its BARs and DMA
    std::map<unsigned, std::string> pci_irq_owner;  // ISA IRQ -> the PCI function whose INTx is routed there
    uint16_t level_irqs = 0;                        // ISA IRQs carrying PCI INTx: level-triggered (ELCR)
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
    // The `path` key: emulated (exits to the root partition), hypervisor (handled in the hypervisor)
    // or passthrough (no exit); `fallback` when absent.
    ExitHandler path_or(ExitHandler fallback) const;
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
  CostProfile& costs() { return *costs_; }
  const Options& options() const { return options_; }
  // The file a command-line option (`--disk`, `--pcap`: `files`) gives component `c`, by its name or
  // full name; marks the option used. Options no component takes are an error after the build.
  const std::string* cli_file(const std::map<std::string, std::string>& files, const Component& c,
                              std::string* option_key = nullptr);
  RootPartition& root() { return *root_; }

 private:
  void build_vm(const std::string& vm_name, const YAML::Node& node);
  void load_profile(const std::string& name);
  void apply_command_line();  // -p NAME=VALUE overrides
  void wire_vm(Vm& vm);

  std::string file_, name_, description_;
  std::unique_ptr<CostProfile> costs_;
  std::unique_ptr<RootPartition> root_;
  std::vector<std::pair<std::string, std::string>> profile_units_;  // (parameter, unit) to check
  std::vector<SourceLoc> profile_locs_;
  Options options_;
  std::vector<std::unique_ptr<Vm>> vms_;
  std::vector<std::string> component_lines_;  // for dump()
  std::set<const std::string*> used_cli_files_;
};

// Registers the built-in component types (called once by Platform).
void register_builtin_components();
void register_ide_components(std::map<std::string, Platform::Type>& types);  // platforms/ide_components.cpp
void register_net_components();  // eth_switch, eth_peer (platforms/net_components.cpp)
void register_nic_components(std::map<std::string, Platform::Type>& types);  // platforms/nic_components.cpp

}  // namespace hvsim
