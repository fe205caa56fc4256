// VirtualCpu: one x86 vCPU as a SystemC module. Guest code runs in Unicorn (X86Core); this module
// turns what leaves the translated code into TLM transactions and keeps simulated time.
//
// Time model (shared/DESIGN.md "Time and the vCPU"): cycles = retired instructions x CPI + cycles
// added by device delays, exits and idle time. SystemC time is derived from cycles at the clock
// frequency, never the other way. The vCPU runs ahead of SystemC time by at most the global quantum
// (tlm_quantumkeeper), syncing at block boundaries, on HLT and when a device has advanced time itself.
#pragma once

#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/cpu/multiboot_loader.h"
#include "models/cpu/x86_core.h"
#include "models/hypervisor/exit.h"

namespace hvsim {

// How a run ended. The process exit status follows QEMU where QEMU has a convention.
struct RunOutcome {
  enum class Kind { kRunning, kHalted, kGuestExit, kFault, kHang, kTimeLimit, kError };
  Kind kind = Kind::kRunning;
  int exit_status = 0;
  std::string message;
  static const char* name(Kind k);
};

// Process exit statuses for ends that are not the guest's own choice.
constexpr int kExitHalted = 0;      // HLT with interrupts disabled: a clean stop
constexpr int kExitGuestFault = 3;  // guest exception / error: a clear report was printed
constexpr int kExitHang = 4;        // HLT with interrupts enabled and nothing that could wake it
constexpr int kExitTimeLimit = 124; // --max-time reached (as timeout(1))

class VirtualCpu : public sc_core::sc_module, private X86CoreHost {
 public:
  tlm_utils::simple_initiator_socket<VirtualCpu> mem;  // physical address space: RAM (DMI) and MMIO
  tlm_utils::simple_initiator_socket<VirtualCpu> io;   // port I/O space (IN/OUT)
  // Exits that are not bus accesses (CPUID, MSR, HLT, hypercalls, injection) go to the hypervisor
  // here. Unbound = bare metal: native behaviour, no exit costs.
  tlm_utils::simple_initiator_socket_optional<VirtualCpu> vmm;
  // Interrupt request line from an interrupt controller; optional. Without it, HLT with IF=1 is a hang.
  sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND> intr;
  // Interrupt acknowledge (the 8259 INTA cycle): a 1-byte read returns the vector to deliver.
  tlm_utils::simple_initiator_socket_optional<VirtualCpu> inta;
  // Synthetic interrupts (Hyper-V SynIC) from the hypervisor, acknowledged over `vmm`; optional.
  sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND> sint;

  Param<uint64_t> clock_hz;
  Param<double> cpi;
  Param<uint64_t> quantum_ps;
  Param<uint64_t> max_time_ps;
  Param<std::string> kernel;
  Param<std::string> cmdline;
  Param<bool> stop_simulation_at_end;

  SC_HAS_PROCESS(VirtualCpu);
  explicit VirtualCpu(const sc_core::sc_module_name& name);
  ~VirtualCpu() override;

  // Loads and checks the kernel before simulation (ConfigError on any problem).
  void prepare(uint64_t ram_size);
  // Ends the run at the current instruction with this outcome (e.g. the debug-exit device).
  void request_stop(RunOutcome::Kind kind, int exit_status, const std::string& why);

  const RunOutcome& outcome() const { return outcome_; }
  uint64_t instructions() const;
  uint64_t cycles() const;
  uint64_t idle_cycles() const { return idle_cycles_.value(); }
  sc_core::sc_time cycles_to_time(uint64_t cycles) const;
  uint64_t time_to_cycles_ceil(const sc_core::sc_time& t) const;
  // Simulated time of this vCPU (ahead of sc_time_stamp() by at most a quantum).
  sc_core::sc_time local_now() const { return cycles_to_time(cycles()); }

 private:
  class QuantumKeeper : public tlm_utils::tlm_quantumkeeper {
   public:
    sc_core::sc_time next_sync_point() const { return m_next_sync_point; }
  };

  void run_thread();
  void end_of_elaboration() override;
  // Sends one request to the hypervisor and charges its cycles; false when there is no hypervisor.
  bool vmm_call(VmmRequest::Kind kind, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0);
  void charge_exit(uint64_t cycles);
  // Acknowledges and delivers a pending external interrupt; true if the guest's RIP was redirected.
  bool try_inject(uint64_t return_rip, bool from_halt);
  bool line_high() const;  // INTR or the SINT line is asserted
  // Delivers `vector` through the IDT after charging injection costs; false if delivery failed.
  bool deliver(uint8_t vector, uint64_t return_rip, bool from_halt);
  void start_core();
  void maybe_sync();
  void add_cycles(uint64_t n);  // exits, device delays, stalls: moves the next sync threshold
  void recompute_sync_threshold();
  void catch_up_with_systemc();
  void publish_counters();
  void finish();
  uint64_t guest_cycles(uint64_t retired) const;
  bool transport(tlm::tlm_fw_transport_if<>& target, tlm::tlm_command cmd, uint64_t addr,
                 unsigned size, uint8_t* data);
  std::string where() const;  // "RIP 0x..., 1.234 us" for warnings

  // X86CoreHost
  bool on_block(uint64_t address, bool interrupt_shadow) override;
  uint32_t port_in(uint16_t port, unsigned size) override;
  void port_out(uint16_t port, unsigned size, uint32_t value) override;
  uint64_t mmio_read(uint64_t address, unsigned size) override;
  void mmio_write(uint64_t address, unsigned size, uint64_t value) override;
  uint64_t rdtsc() override;
  bool rdmsr(uint32_t msr, uint64_t& value) override;
  bool wrmsr(uint32_t msr, uint64_t value) override;
  bool cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) override;
  bool invalid_opcode(uint64_t rip, const uint8_t* bytes, unsigned available) override;
  bool software_interrupt(unsigned vector, uint64_t next_rip) override;

  std::unique_ptr<X86Core> core_;
  BootImage boot_;
  bool prepared_ = false;
  uint64_t ram_size_ = 0;
  QuantumKeeper qk_;
  uint64_t cpi_ppm_ = 1000000;   // CPI in millionths: exact integer cycle arithmetic
  uint64_t extra_cycles_ = 0;    // everything that is not retired x CPI
  uint64_t sync_at_retired_ = 0; // block-hook fast path: sync once retired() reaches this
  int64_t tsc_offset_ = 0;       // IA32_TIME_STAMP_COUNTER writes
  RunOutcome outcome_;
  tlm::tlm_generic_payload trans_;
  ExitCostExtension exit_ext_;       // attached to trans_: the hypervisor reports exit cycles here
  tlm::tlm_generic_payload vmm_trans_;
  VmmRequest vmm_rq_;
  bool irq_check_ = false;           // the interrupt line changed or is being waited on
  bool irq_window_ = false;          // an interrupt waits for the guest to set IF

  Counter instructions_, cycles_, idle_cycles_, stall_cycles_, port_reads_, port_writes_, mmio_reads_,
      mmio_writes_, rdtsc_reads_, msr_accesses_, blocks_translated_, quantum_syncs_, exit_cycles_, interrupts_,
      synthetic_interrupts_;
};

}  // namespace hvsim
