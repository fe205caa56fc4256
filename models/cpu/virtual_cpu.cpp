#include "models/core/clock.h"
#include "models/cpu/virtual_cpu.h"

#include <cmath>
#include <cstring>

#include "models/core/log.h"
#include "models/cpu/x86_msrs.h"

namespace hvsim {

namespace {
using ull = unsigned long long;
using u128 = unsigned __int128;
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr uint64_t kPage = 4096;

using x86::is_native_msr;
using x86::kMsrApicBase;
using x86::kMsrTsc;
}  // namespace

const char* RunOutcome::name(Kind k) {
  switch (k) {
    case Kind::kRunning: return "running";
    case Kind::kHalted: return "halted";
    case Kind::kGuestExit: return "guest exit";
    case Kind::kFault: return "guest fault";
    case Kind::kHang: return "guest hang";
    case Kind::kTimeLimit: return "time limit";
    case Kind::kError: return "error";
  }
  return "?";
}

VirtualCpu::VirtualCpu(const sc_core::sc_module_name& name)
    : sc_module(name),
      mem("mem"),
      io("io"),
      vmm("vmm"),
      intr("intr"),
      inta("inta"),
      sint("sint"),
      clock_hz(this, "clock_hz", 3000000000ull, "Hz",
               "core clock; cycles convert to time at this rate (calibration.md section 3 quotes cycles @ 3 GHz)"),
      cpi(this, "cpi", 1.0, "cycles/instruction",
          "cycles per retired guest instruction (assumption: 1.0, a simple in-order estimate; no calibration row)"),
      quantum_ps(this, "quantum_ps", 1000000ull, "ps",
                 "TLM global quantum: how far the vCPU may run ahead of SystemC time (1 us: interrupt latency "
                 "error stays below 1 us; reference-architectures.md 3.2)"),
      max_time_ps(this, "max_time_ps", 0, "ps", "end the run at this simulated time (0 = no limit)"),
      kernel(this, "kernel", "", "path", "Multiboot v1 ELF32 or x86-64 ELF64 kernel to boot"),
      cmdline(this, "cmdline", "", "", "kernel command line passed in the Multiboot info"),
      stop_simulation_at_end(this, "stop_simulation_at_end", true, "",
                             "call sc_stop() when this vCPU's run ends (tests may keep other processes running)"),
      instructions_(this, "instructions", "instructions", "guest instructions retired"),
      cycles_(this, "cycles", "cycles", "vCPU cycles: instructions x CPI + stalls + idle"),
      idle_cycles_(this, "idle_cycles", "cycles", "cycles spent halted (HLT) waiting for an interrupt"),
      stall_cycles_(this, "stall_cycles", "cycles", "cycles the vCPU waited for devices (annotated TLM delays)"),
      port_reads_(this, "port_reads", "accesses", "IN instructions (including each INS iteration)"),
      port_writes_(this, "port_writes", "accesses", "OUT instructions (including each OUTS iteration)"),
      mmio_reads_(this, "mmio_reads", "accesses", "reads of MMIO space"),
      mmio_writes_(this, "mmio_writes", "accesses", "writes of MMIO space"),
      rdtsc_reads_(this, "rdtsc", "instructions", "RDTSC executions (answered with simulated cycles)"),
      msr_accesses_(this, "msr_accesses", "instructions", "RDMSR and WRMSR executions"),
      blocks_translated_(this, "blocks_translated", "blocks", "distinct translation blocks decoded"),
      quantum_syncs_(this, "quantum_syncs", "syncs", "times the vCPU synchronized with SystemC time"),
      exit_cycles_(this, "exit_cycles", "cycles", "cycles spent in VM exits and injections (hypervisor costs)"),
      interrupts_(this, "interrupts", "interrupts", "external interrupts delivered through the guest IDT"),
      synthetic_interrupts_(this, "synthetic_interrupts", "interrupts", "SynIC interrupts delivered (SINTx vectors)") {
  SC_THREAD(run_thread);
  trans_.set_extension(&exit_ext_);
  vmm_trans_.set_extension(&vmm_rq_);
}

VirtualCpu::~VirtualCpu() {
  trans_.clear_extension(&exit_ext_);  // members, not heap objects: the payload must not free them
  vmm_trans_.clear_extension(&vmm_rq_);
}

void VirtualCpu::end_of_elaboration() {
  if (intr.size() == 0 && sint.size() == 0) return;
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  if (intr.size()) opts.set_sensitivity(&intr->value_changed_event());
  if (sint.size()) opts.set_sensitivity(&sint->value_changed_event());
  opts.dont_initialize();
  sc_core::sc_spawn([this] { irq_check_ = true; }, sc_core::sc_gen_unique_name("intr_watch"), &opts);
  irq_check_ = true;
}

void VirtualCpu::charge_exit(uint64_t cycles) {
  if (!cycles) return;
  exit_cycles_ += cycles;
  add_cycles(cycles);
}

bool VirtualCpu::vmm_call(VmmRequest::Kind kind, uint64_t a, uint64_t b, uint64_t c) {
  if (vmm.size() == 0) return false;
  publish_counters();
  catch_up_with_systemc();
  vmm_rq_.kind = kind;
  vmm_rq_.a = a;
  vmm_rq_.b = b;
  vmm_rq_.c = c;
  vmm_rq_.cycles = 0;
  vmm_rq_.result = VmmRequest::Result::kNative;
  vmm_rq_.long_mode = core_->mode() == CpuMode::kLong64;
  vmm_trans_.set_command(tlm::TLM_IGNORE_COMMAND);
  vmm_trans_.set_address(0);
  vmm_trans_.set_data_ptr(nullptr);
  vmm_trans_.set_data_length(0);
  vmm_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = local_now() - sc_core::sc_time_stamp();
  vmm->b_transport(vmm_trans_, delay);
  charge_exit(vmm_rq_.cycles);
  return vmm_trans_.is_response_ok();
}

bool VirtualCpu::line_high() const { return (intr.size() && intr->read()) || (sint.size() && sint->read()); }

bool VirtualCpu::deliver(uint8_t vector, uint64_t return_rip, bool from_halt) {
  bool kicked = !from_halt && !irq_window_;
  vmm_call(VmmRequest::Kind::kInject, vector, kicked ? 1 : 0, irq_window_ ? 1 : 0);
  irq_window_ = false;
  std::string why;
  if (!core_->deliver_interrupt(vector, return_rip, why)) {
    request_stop(RunOutcome::Kind::kFault, kExitGuestFault,
                 strfmt("guest fault: cannot deliver interrupt vector %u: %s (%s)", vector, why.c_str(), where().c_str()));
    return false;
  }
  return true;
}

bool VirtualCpu::try_inject(uint64_t return_rip, bool from_halt) {
  if (!line_high()) {
    irq_check_ = irq_window_ = false;
    return false;
  }
  if (!core_->interrupts_enabled()) {
    irq_window_ = true;  // keep checking at every block until the guest sets IF
    return false;
  }
  if (sint.size() && sint->read() && vmm_call(VmmRequest::Kind::kAckSint) &&
      vmm_rq_.result == VmmRequest::Result::kHandled) {
    uint8_t vector = static_cast<uint8_t>(vmm_rq_.a);
    if (!vmm_rq_.b)  // without AutoEOI the guest EOIs through a local APIC, which is not modeled
      HVSIM_WARN(name(), "SynIC vector %u without AutoEOI: its EOI is not modeled (%s)", vector, where().c_str());
    if (deliver(vector, return_rip, from_halt)) ++synthetic_interrupts_;
    sc_core::wait(sc_core::SC_ZERO_TIME);
    irq_check_ = line_high();
    return true;
  }
  if (intr.size() == 0 || !intr->read()) return false;
  if (inta.size() == 0) {
    HVSIM_WARN(name(), "interrupt line raised but no interrupt acknowledge is connected; ignored");
    irq_check_ = false;
    return false;
  }
  uint8_t vector = 0;
  if (!transport(*inta.operator->(), tlm::TLM_READ_COMMAND, 0, 1, &vector)) {
    HVSIM_WARN(name(), "interrupt acknowledge failed (%s)", where().c_str());
    return false;
  }
  if (deliver(vector, return_rip, from_halt)) ++interrupts_;
  // Let the controller's INTR output settle (it updates in a delta cycle) before looking again.
  sc_core::wait(sc_core::SC_ZERO_TIME);
  irq_check_ = line_high();
  return true;
}

void VirtualCpu::prepare(uint64_t ram_size) {
  if (clock_hz.get() == 0) throw ConfigError(clock_hz.source(), "vCPU clock_hz must be > 0");
  if (!(cpi.get() > 0) || cpi.get() > 1000) throw ConfigError(cpi.source(), "vCPU cpi must be in (0, 1000]");
  if (ram_size % 4096 || ram_size < (2ull << 20))
    throw ConfigError(SourceLoc{name(), 0, "ram"},
                      strfmt("RAM of %llu bytes: must be whole 4 KiB pages and at least 2 MiB", static_cast<ull>(ram_size)));
  if (quantum_ps.get() == 0) throw ConfigError(quantum_ps.source(), "vCPU quantum_ps must be > 0");
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::logic_error("hvsim needs the SystemC time resolution at 1 ps");
  cpi_ppm_ = static_cast<uint64_t>(std::llround(cpi.get() * 1e6));
  ram_size_ = ram_size;
  boot_ = load_multiboot_kernel(kernel.get(), ram_size, cmdline.get());
  prepared_ = true;
}

uint64_t VirtualCpu::guest_cycles(uint64_t retired) const {
  return static_cast<uint64_t>(static_cast<u128>(retired) * cpi_ppm_ / 1000000u);
}

uint64_t VirtualCpu::instructions() const { return core_ ? core_->retired() : 0; }

uint64_t VirtualCpu::cycles() const { return guest_cycles(instructions()) + extra_cycles_; }

sc_core::sc_time VirtualCpu::cycles_to_time(uint64_t c) const {
  return clock::time_floor(c, clock_hz.get());
}

uint64_t VirtualCpu::time_to_cycles_ceil(const sc_core::sc_time& t) const {
  return clock::ticks_ceil(t, clock_hz.get());
}

void VirtualCpu::add_cycles(uint64_t n) {
  extra_cycles_ += n;
  recompute_sync_threshold();
}

void VirtualCpu::recompute_sync_threshold() {
  // Smallest retired count whose cycles reach the next sync point.
  uint64_t target = time_to_cycles_ceil(qk_.next_sync_point());
  if (target <= extra_cycles_) {
    sync_at_retired_ = 0;
    return;
  }
  u128 need = static_cast<u128>(target - extra_cycles_) * 1000000u;
  sync_at_retired_ = static_cast<uint64_t>((need + cpi_ppm_ - 1) / cpi_ppm_);
}

void VirtualCpu::catch_up_with_systemc() {
  // A device that called wait() moved SystemC time past this vCPU: the vCPU was stalled meanwhile.
  sc_core::sc_time now = sc_core::sc_time_stamp();
  uint64_t c = cycles();
  if (cycles_to_time(c) < now) {
    uint64_t stall = time_to_cycles_ceil(now) - c;
    stall_cycles_ += stall;
    extra_cycles_ += stall;
  }
}

void VirtualCpu::maybe_sync() {
  catch_up_with_systemc();
  qk_.set(local_now() - sc_core::sc_time_stamp());
  if (qk_.need_sync()) {
    publish_counters();
    qk_.sync();
    ++quantum_syncs_;
  }
  recompute_sync_threshold();
}

void VirtualCpu::publish_counters() {
  instructions_.set(instructions());
  cycles_.set(cycles());
  if (core_) blocks_translated_.set(core_->blocks_translated());
}

std::string VirtualCpu::where() const {
  return strfmt("RIP 0x%llx, vCPU time %.6f us", static_cast<ull>(core_ ? core_->current_rip() : 0),
                local_now().to_seconds() * 1e6);
}

void VirtualCpu::start_core() {
  if (!prepared_) throw std::logic_error(std::string(name()) + ": prepare() was not called before simulation");
  core_ = std::make_unique<X86Core>(boot_.state.mode, static_cast<X86CoreHost&>(*this));

  tlm::tlm_dmi dmi;
  tlm::tlm_generic_payload probe;
  probe.set_address(0);
  probe.set_command(tlm::TLM_READ_COMMAND);
  if (!mem->get_direct_mem_ptr(probe, dmi) || dmi.get_start_address() != 0 || !dmi.is_read_write_allowed())
    throw std::logic_error(std::string(name()) + ": RAM at physical address 0 must grant read/write DMI");
  uint64_t dmi_size = dmi.get_end_address() + 1;
  if (dmi_size < ram_size_ || dmi_size % kPage)
    throw std::logic_error(std::string(name()) + ": DMI region does not cover RAM in whole pages");
  core_->map_ram(0, ram_size_, dmi.get_dmi_ptr());
  if (ram_size_ < kFourGiB) core_->map_mmio(ram_size_, kFourGiB - ram_size_);

  for (auto& c : boot_.chunks) std::memcpy(dmi.get_dmi_ptr() + c.address, c.bytes.data(), c.bytes.size());
  core_->set_boot_state(boot_.state);

  tlm::tlm_global_quantum::instance().set(sc_core::sc_time::from_value(quantum_ps.get()));
  qk_.reset();
  recompute_sync_threshold();
}

void VirtualCpu::run_thread() {
  start_core();
  while (outcome_.kind == RunOutcome::Kind::kRunning) {
    X86Core::Stop stop = core_->run();
    if (stop == X86Core::Stop::kStopRequested) break;  // outcome_ set by the requester
    if (stop == X86Core::Stop::kFault) {
      const auto& f = core_->fault();
      outcome_ = {RunOutcome::Kind::kFault, kExitGuestFault,
                  strfmt("guest fault: %s (vector %u) at RIP 0x%llx%s after %llu instructions", f.what.c_str(),
                         f.vector, static_cast<ull>(f.rip),
                         f.vector == 14 ? strfmt(", CR2 0x%llx", static_cast<ull>(f.cr2)).c_str() : "",
                         static_cast<ull>(instructions()))};
      break;
    }
    if (stop == X86Core::Stop::kError) {
      outcome_ = {RunOutcome::Kind::kError, kExitGuestFault, "CPU emulation error: " + core_->error()};
      break;
    }
    // HLT.
    vmm_call(VmmRequest::Kind::kHlt);
    if (!core_->interrupts_enabled()) {
      outcome_ = {RunOutcome::Kind::kHalted, kExitHalted, "guest halted with interrupts disabled"};
      break;
    }
    maybe_sync();
    if (intr.size() == 0 && sint.size() == 0) {
      outcome_ = {RunOutcome::Kind::kHang, kExitHang,
                  "guest hang: HLT with interrupts enabled, but no interrupt controller is connected"};
      break;
    }
    // Idle until an interrupt line rises; time passes as idle cycles.
    while (!line_high()) {
      if (!sc_core::sc_pending_activity()) {
        outcome_ = {RunOutcome::Kind::kHang, kExitHang,
                    "guest hang: HLT with interrupts enabled and no event left that could raise an interrupt"};
        break;
      }
      sc_core::sc_event_or_list wake;
      if (intr.size()) wake |= intr->value_changed_event();
      if (sint.size()) wake |= sint->value_changed_event();
      if (max_time_ps.get()) {
        sc_core::sc_time limit = sc_core::sc_time::from_value(max_time_ps.get());
        if (sc_core::sc_time_stamp() >= limit) break;
        sc_core::wait(limit - sc_core::sc_time_stamp(), wake);
      } else {
        sc_core::wait(wake);
      }
    }
    uint64_t woke = time_to_cycles_ceil(sc_core::sc_time_stamp()), now = cycles();
    if (woke > now) {
      idle_cycles_ += woke - now;
      extra_cycles_ += woke - now;
    }
    if (max_time_ps.get() && sc_core::sc_time_stamp() >= sc_core::sc_time::from_value(max_time_ps.get()))
      outcome_ = {RunOutcome::Kind::kTimeLimit, kExitTimeLimit, "simulated time limit reached while idle"};
    recompute_sync_threshold();
    if (outcome_.kind == RunOutcome::Kind::kRunning) try_inject(core_->rip(), true);
  }
  finish();
}

void VirtualCpu::finish() {
  publish_counters();
  // Let SystemC time reach the vCPU's own time so the run's end time is exact.
  sc_core::sc_time now = local_now();
  if (now > sc_core::sc_time_stamp()) sc_core::wait(now - sc_core::sc_time_stamp());
  if (stop_simulation_at_end.get()) sc_core::sc_stop();
}

void VirtualCpu::request_stop(RunOutcome::Kind kind, int exit_status, const std::string& why) {
  if (outcome_.kind != RunOutcome::Kind::kRunning) return;
  outcome_ = {kind, exit_status, why};
  if (core_) core_->request_stop();
}

bool VirtualCpu::on_block(uint64_t address, bool interrupt_shadow) {
  if (!irq_check_ && core_->retired() < sync_at_retired_) return true;
  if (core_->retired() >= sync_at_retired_) {
    maybe_sync();
    if (max_time_ps.get() && local_now() >= sc_core::sc_time::from_value(max_time_ps.get())) {
      request_stop(RunOutcome::Kind::kTimeLimit, kExitTimeLimit, "simulated time limit reached");
      return false;
    }
  }
  // In an interrupt shadow the check stays armed for the next block boundary.
  if (irq_check_ && !interrupt_shadow && try_inject(address, false)) return false;  // the handler runs first
  return true;
}

bool VirtualCpu::transport(tlm::tlm_fw_transport_if<>& target, tlm::tlm_command cmd, uint64_t addr,
                           unsigned size, uint8_t* data) {
  publish_counters();
  catch_up_with_systemc();
  trans_.set_command(cmd);
  trans_.set_address(addr);
  trans_.set_data_ptr(data);
  trans_.set_data_length(size);
  trans_.set_streaming_width(size);
  trans_.set_byte_enable_ptr(nullptr);
  trans_.set_dmi_allowed(false);
  trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  exit_ext_.reset();
  const sc_core::sc_time before = sc_core::sc_time_stamp();
  const sc_core::sc_time offset = local_now() - before;
  sc_core::sc_time delay = offset;
  target.b_transport(trans_, delay);
  // LT: the access started at before + offset (the vCPU's local time) and completes at
  // sc_time_stamp() + delay, whether the target annotated the delay, waited, or both.
  const sc_core::sc_time end = sc_core::sc_time_stamp() + delay, begin = before + offset;
  if (end > begin) {
    uint64_t stall = time_to_cycles_ceil(end - begin);
    stall_cycles_ += stall;
    add_cycles(stall);
  }
  charge_exit(exit_ext_.cycles);
  catch_up_with_systemc();
  // A device may have raised an interrupt line; let it propagate (delta cycles) so the next block sees it.
  if (intr.size() && sc_core::sc_pending_activity_at_current_time()) sc_core::wait(sc_core::SC_ZERO_TIME);
  return trans_.is_response_ok();
}

uint32_t VirtualCpu::port_in(uint16_t port, unsigned size) {
  ++port_reads_;
  uint32_t v = 0;
  if (!transport(*io.operator->(), tlm::TLM_READ_COMMAND, port, size, reinterpret_cast<uint8_t*>(&v))) {
    HVSIM_WARN(name(), "IN from port 0x%x (%u bytes) failed: %s; reads as all ones (%s)", port, size,
               trans_.get_response_string().c_str(), where().c_str());
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  }
  return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void VirtualCpu::port_out(uint16_t port, unsigned size, uint32_t value) {
  ++port_writes_;
  if (!transport(*io.operator->(), tlm::TLM_WRITE_COMMAND, port, size, reinterpret_cast<uint8_t*>(&value)))
    HVSIM_WARN(name(), "OUT 0x%x to port 0x%x (%u bytes) failed: %s; dropped (%s)", value, port, size,
               trans_.get_response_string().c_str(), where().c_str());
}

uint64_t VirtualCpu::mmio_read(uint64_t address, unsigned size) {
  ++mmio_reads_;
  uint64_t v = 0;
  if (!transport(*mem.operator->(), tlm::TLM_READ_COMMAND, address, size, reinterpret_cast<uint8_t*>(&v))) {
    HVSIM_WARN(name(), "MMIO read of 0x%llx (%u bytes) failed: %s; reads as all ones (%s)", static_cast<ull>(address),
               size, trans_.get_response_string().c_str(), where().c_str());
    return ~0ull;
  }
  return v;
}

void VirtualCpu::mmio_write(uint64_t address, unsigned size, uint64_t value) {
  ++mmio_writes_;
  if (!transport(*mem.operator->(), tlm::TLM_WRITE_COMMAND, address, size, reinterpret_cast<uint8_t*>(&value)))
    HVSIM_WARN(name(), "MMIO write of 0x%llx to 0x%llx (%u bytes) failed: %s; dropped (%s)",
               static_cast<ull>(value), static_cast<ull>(address), size, trans_.get_response_string().c_str(),
               where().c_str());
}

uint64_t VirtualCpu::rdtsc() {
  ++rdtsc_reads_;
  return cycles() + static_cast<uint64_t>(tsc_offset_);
}

bool VirtualCpu::rdmsr(uint32_t msr, uint64_t& value) {
  ++msr_accesses_;
  if (vmm_call(VmmRequest::Kind::kRdmsr, msr)) {
    if (vmm_rq_.result == VmmRequest::Result::kHandled) return value = vmm_rq_.value, true;
    if (vmm_rq_.result == VmmRequest::Result::kGp) return false;
  }
  if (msr == kMsrTsc) {
    value = cycles() + static_cast<uint64_t>(tsc_offset_);
    return true;
  }
  if (msr == kMsrApicBase) {  // BSP, no local APIC enabled (there is none yet)
    value = 0xFEE00000u | (1u << 8);
    return true;
  }
  if (is_native_msr(msr)) {
    value = core_->native_msr(msr);
    return true;
  }
  HVSIM_WARN(name(), "RDMSR of unimplemented MSR 0x%x: #GP (%s)", msr, where().c_str());
  return false;
}

bool VirtualCpu::wrmsr(uint32_t msr, uint64_t value) {
  ++msr_accesses_;
  vmm_rq_.value = value;  // the hypervisor reads the written value from the request
  if (vmm_call(VmmRequest::Kind::kWrmsr, msr)) {
    if (vmm_rq_.result == VmmRequest::Result::kHandled) return true;
    if (vmm_rq_.result == VmmRequest::Result::kGp) return false;
  }
  if (msr == kMsrTsc) {
    tsc_offset_ = static_cast<int64_t>(value - cycles());
    return true;
  }
  if (is_native_msr(msr)) {
    core_->set_native_msr(msr, value);
    return true;
  }
  HVSIM_WARN(name(), "WRMSR 0x%llx to unimplemented MSR 0x%x: #GP (%s)", static_cast<ull>(value), msr,
             where().c_str());
  return false;
}

bool VirtualCpu::cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
  if (vmm.size() == 0) return false;  // bare metal: the native instruction runs
  core_->native_cpuid(leaf, subleaf, vmm_rq_.regs);
  if (!vmm_call(VmmRequest::Kind::kCpuid, leaf, subleaf)) return false;
  for (int i = 0; i < 4; ++i) regs[i] = vmm_rq_.regs[i];
  return true;
}

bool VirtualCpu::invalid_opcode(uint64_t rip, const uint8_t* bytes, unsigned available) {
  // VMCALL (0F 01 C1) and VMMCALL (0F 01 D9) are hypercalls when a hypervisor offers them.
  bool vmcall = available >= 3 && bytes[0] == 0x0F && bytes[1] == 0x01 && (bytes[2] == 0xC1 || bytes[2] == 0xD9);
  if (!vmcall || vmm.size() == 0) return false;
  using G = X86Core::Gpr;
  bool wide = core_->mode() == CpuMode::kLong64;
  uint64_t control, input, output;
  if (wide) {
    control = core_->gpr(G::kRcx), input = core_->gpr(G::kRdx), output = core_->gpr(G::kR8);
  } else {  // TLFS 32-bit convention: EDX:EAX control, EBX:ECX input GPA, EDI:ESI output GPA
    control = core_->gpr(G::kRdx) << 32 | core_->gpr(G::kRax);
    input = core_->gpr(G::kRbx) << 32 | core_->gpr(G::kRcx);
    output = core_->gpr(G::kRdi) << 32 | core_->gpr(G::kRsi);
  }
  if (!vmm_call(VmmRequest::Kind::kHypercall, control, input, output) ||
      vmm_rq_.result != VmmRequest::Result::kHandled)
    return false;
  if (wide) {
    core_->set_gpr(G::kRax, vmm_rq_.value);
  } else {
    core_->set_gpr(G::kRax, vmm_rq_.value & 0xFFFFFFFFu);
    core_->set_gpr(G::kRdx, vmm_rq_.value >> 32);
  }
  core_->set_rip(rip + 3);
  return true;
}

bool VirtualCpu::software_interrupt(unsigned vector, uint64_t next_rip) {
  std::string why;
  if (core_->deliver_interrupt(static_cast<uint8_t>(vector), next_rip, why)) return true;
  HVSIM_WARN(name(), "INT %u: %s (%s)", vector, why.c_str(), where().c_str());
  return false;
}

}  // namespace hvsim
