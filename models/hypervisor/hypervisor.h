// Hypervisor: the model of what happens between a guest and its devices. It sits between a vCPU's
// sockets and the VM's address spaces as a TLM interconnect: every port or MMIO access is looked up
// in the intercept map and either passes through (no exit) or becomes an exit handled in the
// hypervisor or forwarded to the root partition, costed from the CostProfile. CPUID, MSR, HLT,
// hypercalls and interrupt injection arrive on the `vmm` socket as VmmRequest transactions.
// Exit costs go back to the vCPU in cycles (ExitCostExtension / VmmRequest::cycles); every exit is
// counted per reason x handler x device and traced with its components as nested slices.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <utility>
#include <vector>

#include "models/bus/irq_driver.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/hypervisor/cost_profile.h"
#include "models/hypervisor/dma_path.h"
#include "models/hypervisor/exit.h"
#include "models/hypervisor/intercept_map.h"
#include "models/hypervisor/root_partition.h"

namespace hvsim {

class HyperV;

class Hypervisor : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Hypervisor> guest_io;   // from the vCPU's `io`
  tlm_utils::simple_target_socket<Hypervisor> guest_mem;  // from the vCPU's `mem` (RAM DMI passes through)
  tlm_utils::simple_target_socket<Hypervisor> vmm;        // from the vCPU's `vmm`
  tlm_utils::simple_initiator_socket<Hypervisor> io_out;  // to the VM's port-I/O router
  tlm_utils::simple_initiator_socket<Hypervisor> mem_out; // to the VM's physical-address router

  // SynIC interrupt request to the vCPU (acknowledged with a VmmRequest::kAckSint).
  sc_core::sc_out<bool> sint_irq;

  // Bus-master DMA of the VM's devices, costed by each device's path (dma_path.h). The platform binds
  // dma.mem_out to the VM's physical address space and each device's DMA socket to dma.device_in.
  DmaPath dma;

  Param<bool> hyperv_enabled;
  Param<uint32_t> test_connection;
  Param<uint32_t> test_sint;

  Hypervisor(const sc_core::sc_module_name& name, CostProfile& costs, RootPartition& root);
  // The vCPU this partition runs: its clock converts device time to cycles and cycles to root time.
  void set_vcpu(uint64_t clock_hz, const std::string& track_process, const std::string& track_thread);
  ~Hypervisor() override;

  InterceptMap& intercepts() { return map_; }
  // Adds the architectural MSRs the MSR bitmap passes through (EFER, FS/GS base, SYSCALL/SYSENTER,
  // PAT, TSC) unless the platform already said something about them. Call after platform entries.
  void add_default_intercepts();
  const CostProfile& costs() const { return costs_; }
  HyperV* hyperv() { return hyperv_.get(); }
  uint64_t exits_taken() const { return exits_total_.value(); }  // every exit of this partition so far

 private:
  struct Part {
    const char* name;
    uint64_t cycles;
  };
  // Charges one exit: records stats and trace, runs `device` (the forwarded access, may be empty)
  // at the right point of the path, and returns the exit's cycles (device time excluded).
  template <typename Device>
  uint64_t take_exit(ExitReason reason, const InterceptMap::Entry& e, const sc_core::sc_time& start,
                     std::vector<Part> hv_parts, Device&& device);
  uint64_t take_exit(ExitReason reason, const std::string& device, const sc_core::sc_time& start,
                     std::vector<Part> parts);

  void io_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void mem_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void access(InterceptMap::Space space, tlm_utils::simple_initiator_socket<Hypervisor>& out,
              tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void vmm_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg_mem(tlm::tlm_generic_payload& trans);
  unsigned int transport_dbg_io(tlm::tlm_generic_payload& trans);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  bool debug_access(bool write, uint64_t gpa, void* data, size_t n);

  sc_core::sc_time to_time(uint64_t cycles) const;
  uint64_t to_cycles(const sc_core::sc_time& t) const;  // rounded up
  Counter& exit_counter(ExitReason r, ExitHandler h, const std::string& device);
  Counter& component_counter(const char* component);
  Counter& reason_cycles(ExitReason r, ExitHandler h);

  CostProfile& costs_;
  RootPartition& root_;
  uint64_t clock_hz_ = 1000000000;
  InterceptMap map_;
  class GuestRam;  // guest RAM as HyperV's GuestMemory, reached through the memory space
  std::unique_ptr<GuestRam> guest_ram_;
  std::unique_ptr<HyperV> hyperv_;
  sc_core::sc_time now_;  // simulated time of the request being handled
  IrqDriver sint_driver_;
  std::deque<std::pair<uint8_t, bool>> sints_;  // (vector, AutoEOI) waiting for the vCPU
  int vcpu_track_ = -1;
  std::string track_process_, track_thread_;
  std::map<std::string, std::unique_ptr<Counter>> exit_counters_, component_counters_, reason_cycle_counters_;
  Counter exits_total_, exit_cycles_total_, interrupts_injected_;
};

}  // namespace hvsim
