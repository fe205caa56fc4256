#include "models/cpu/virtual_cpu.h"

#include <cmath>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

namespace {
using ull = unsigned long long;
using u128 = unsigned __int128;
constexpr uint64_t kPsPerSecond = 1000000000000ull;
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr uint64_t kPage = 4096;

// MSRs (Intel SDM vol. 4).
constexpr uint32_t kMsrTsc = 0x10;
constexpr uint32_t kMsrApicBase = 0x1B;
constexpr uint32_t kNativeMsrs[] = {0x174, 0x175, 0x176,                       // SYSENTER_CS/ESP/EIP
                                    0x277,                                     // PAT
                                    0xC0000080, 0xC0000081, 0xC0000082,        // EFER, STAR, LSTAR
                                    0xC0000083, 0xC0000084,                    // CSTAR, FMASK
                                    0xC0000100, 0xC0000101, 0xC0000102};       // FS/GS/KERNEL_GS base
bool is_native_msr(uint32_t msr) {
  for (uint32_t m : kNativeMsrs)
    if (m == msr) return true;
  return false;
}
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
      intr("intr"),
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
      quantum_syncs_(this, "quantum_syncs", "syncs", "times the vCPU synchronized with SystemC time") {
  SC_THREAD(run_thread);
}

VirtualCpu::~VirtualCpu() = default;

void VirtualCpu::prepare(uint64_t ram_size) {
  if (clock_hz.get() == 0) throw ConfigError(clock_hz.source(), "vCPU clock_hz must be > 0");
  if (!(cpi.get() > 0) || cpi.get() > 1000) throw ConfigError(cpi.source(), "vCPU cpi must be in (0, 1000]");
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
  return sc_core::sc_time::from_value(static_cast<uint64_t>(static_cast<u128>(c) * kPsPerSecond / clock_hz.get()));
}

uint64_t VirtualCpu::time_to_cycles_ceil(const sc_core::sc_time& t) const {
  u128 num = static_cast<u128>(t.value()) * clock_hz.get();
  return static_cast<uint64_t>((num + kPsPerSecond - 1) / kPsPerSecond);
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
    if (!core_->interrupts_enabled()) {
      outcome_ = {RunOutcome::Kind::kHalted, kExitHalted, "guest halted with interrupts disabled"};
      break;
    }
    maybe_sync();
    if (intr.size() == 0) {
      outcome_ = {RunOutcome::Kind::kHang, kExitHang,
                  "guest hang: HLT with interrupts enabled, but no interrupt controller is connected"};
      break;
    }
    // Idle until the interrupt line rises; time passes as idle cycles.
    while (!intr->read()) {
      if (!sc_core::sc_pending_activity()) {
        outcome_ = {RunOutcome::Kind::kHang, kExitHang,
                    "guest hang: HLT with interrupts enabled and no event left that could raise an interrupt"};
        break;
      }
      if (max_time_ps.get()) {
        sc_core::sc_time limit = sc_core::sc_time::from_value(max_time_ps.get());
        if (sc_core::sc_time_stamp() >= limit) break;
        sc_core::wait(limit - sc_core::sc_time_stamp(), intr->value_changed_event());
      } else {
        sc_core::wait(intr->value_changed_event());
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

bool VirtualCpu::on_block(uint64_t) {
  if (core_->retired() < sync_at_retired_) return true;
  maybe_sync();
  if (max_time_ps.get() && local_now() >= sc_core::sc_time::from_value(max_time_ps.get())) {
    request_stop(RunOutcome::Kind::kTimeLimit, kExitTimeLimit, "simulated time limit reached");
    return false;
  }
  return true;
}

bool VirtualCpu::transport(tlm_utils::simple_initiator_socket<VirtualCpu>& s, tlm::tlm_command cmd, uint64_t addr,
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
  sc_core::sc_time offset = local_now() - sc_core::sc_time_stamp();
  sc_core::sc_time delay = offset;
  s->b_transport(trans_, delay);
  if (delay > offset) {
    uint64_t stall = time_to_cycles_ceil(delay - offset);
    stall_cycles_ += stall;
    add_cycles(stall);
  }
  catch_up_with_systemc();
  return trans_.is_response_ok();
}

uint32_t VirtualCpu::port_in(uint16_t port, unsigned size) {
  ++port_reads_;
  uint32_t v = 0;
  if (!transport(io, tlm::TLM_READ_COMMAND, port, size, reinterpret_cast<uint8_t*>(&v))) {
    HVSIM_WARN(name(), "IN from port 0x%x (%u bytes) failed: %s; reads as all ones (%s)", port, size,
               trans_.get_response_string().c_str(), where().c_str());
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  }
  return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void VirtualCpu::port_out(uint16_t port, unsigned size, uint32_t value) {
  ++port_writes_;
  if (!transport(io, tlm::TLM_WRITE_COMMAND, port, size, reinterpret_cast<uint8_t*>(&value)))
    HVSIM_WARN(name(), "OUT 0x%x to port 0x%x (%u bytes) failed: %s; dropped (%s)", value, port, size,
               trans_.get_response_string().c_str(), where().c_str());
}

uint64_t VirtualCpu::mmio_read(uint64_t address, unsigned size) {
  ++mmio_reads_;
  uint64_t v = 0;
  if (!transport(mem, tlm::TLM_READ_COMMAND, address, size, reinterpret_cast<uint8_t*>(&v))) {
    HVSIM_WARN(name(), "MMIO read of 0x%llx (%u bytes) failed: %s; reads as all ones (%s)", static_cast<ull>(address),
               size, trans_.get_response_string().c_str(), where().c_str());
    return ~0ull;
  }
  return v;
}

void VirtualCpu::mmio_write(uint64_t address, unsigned size, uint64_t value) {
  ++mmio_writes_;
  if (!transport(mem, tlm::TLM_WRITE_COMMAND, address, size, reinterpret_cast<uint8_t*>(&value)))
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

bool VirtualCpu::cpuid(uint32_t, uint32_t, uint32_t*) { return false; }

bool VirtualCpu::invalid_opcode(uint64_t, const uint8_t*, unsigned) { return false; }

bool VirtualCpu::software_interrupt(unsigned, uint64_t) { return false; }

}  // namespace hvsim
