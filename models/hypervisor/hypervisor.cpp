#include "models/core/clock.h"
#include "models/hypervisor/hypervisor.h"

#include <nlohmann/json.hpp>

#include "models/core/log.h"
#include "models/core/trace.h"
#include "models/cpu/x86_msrs.h"
#include "models/hypervisor/hyperv.h"

namespace hvsim {

namespace {

// 8259 OCW2: bits 4:3 = 00 select OCW2, bit 5 = EOI (non-specific 0x20, specific 0x60|n).
bool is_pic_eoi(const tlm::tlm_generic_payload& t) {
  if (!t.is_write() || t.get_data_length() != 1) return false;
  uint8_t v = t.get_data_ptr()[0];
  return (v & 0x18) == 0 && (v & 0x20);
}
}  // namespace

class Hypervisor::GuestRam : public GuestMemory {
 public:
  explicit GuestRam(Hypervisor& owner) : owner_(owner) {}
  bool read(uint64_t gpa, void* out, size_t n) override { return owner_.debug_access(false, gpa, out, n); }
  bool write(uint64_t gpa, const void* in, size_t n) override {
    return owner_.debug_access(true, gpa, const_cast<void*>(in), n);
  }

 private:
  Hypervisor& owner_;
};

Hypervisor::Hypervisor(const sc_core::sc_module_name& name, CostProfile& costs, RootPartition& root)
    : sc_module(name),
      guest_io("guest_io"),
      guest_mem("guest_mem"),
      vmm("vmm"),
      io_out("io_out"),
      mem_out("mem_out"),
      sint_irq("sint_irq"),
      dma("dma", costs, root),
      hyperv_enabled(this, "hyperv", true, "",
                     "expose the Hyper-V interface (CPUID 0x40000000.., synthetic MSRs, hypercalls, SynIC)"),
      test_connection(this, "test_connection", 0, "",
                      "connection id of a root-side echo service for SynIC tests (0 = none): a posted message is "
                      "posted back, a signaled event is signaled back (like QEMU's hyperv-testdev)"),
      test_sint(this, "test_sint", 2, "", "SINT the echo service answers on"),
      costs_(costs),
      root_(root),
      sint_driver_(sint_irq),
      exits_total_(this, "exits", "exits", "all VM exits of this partition"),
      exit_cycles_total_(this, "exit_cycles", "cycles", "vCPU cycles spent in exits (device time excluded)"),
      interrupts_injected_(this, "interrupts_injected", "interrupts", "events injected into the guest") {
  guest_io.register_b_transport(this, &Hypervisor::io_b_transport);
  guest_io.register_transport_dbg(this, &Hypervisor::transport_dbg_io);
  guest_mem.register_b_transport(this, &Hypervisor::mem_b_transport);
  guest_mem.register_get_direct_mem_ptr(this, &Hypervisor::get_direct_mem_ptr);
  guest_mem.register_transport_dbg(this, &Hypervisor::transport_dbg_mem);
  vmm.register_b_transport(this, &Hypervisor::vmm_b_transport);
  mem_out.register_invalidate_direct_mem_ptr(this, &Hypervisor::invalidate_direct_mem_ptr);
  guest_ram_ = std::make_unique<GuestRam>(*this);
  hyperv_ = std::make_unique<HyperV>(std::string(this->name()) + ".hyperv", *guest_ram_,
                                     [this] { return now_.value() / 100000; },  // TLFS reference time: 100 ns
                                     0);
  hyperv_->on_interrupt([this] {
    for (auto& i : hyperv_->take_interrupts()) sints_.emplace_back(i.vector, i.auto_eoi);
    if (!sints_.empty()) sint_driver_.set(true);
  });
  if (test_connection.get()) {
    uint32_t conn = test_connection.get();
    unsigned sint = test_sint.get() & 0xF;
    hyperv_->on_post_message(conn, [this, sint](uint32_t type, const uint8_t* payload, uint32_t size) -> uint16_t {
      return hyperv_->post_message(sint, type, payload, size) ? 0 : 0x13;  // HV_STATUS_INSUFFICIENT_BUFFERS
    });
    hyperv_->on_signal_event(conn, [this, sint](uint16_t flag) -> uint16_t {
      return hyperv_->signal_event(sint, flag) ? 0 : 0x13;
    });
  }
  map_.set_default(InterceptMap::Space::kCpuid, ExitHandler::kHypervisor, "cpuid");  // VMX: CPUID always exits
  map_.set_default(InterceptMap::Space::kMsr, ExitHandler::kHypervisor, "msr");
  map_.set_default(InterceptMap::Space::kPort, ExitHandler::kRoot, "isa/pci (root)");
  map_.set_default(InterceptMap::Space::kMemory, ExitHandler::kRoot, "pci (root)");
}

Hypervisor::~Hypervisor() = default;

void Hypervisor::add_default_intercepts() {
  std::vector<uint32_t> pass(std::begin(x86::kNativeMsrs), std::end(x86::kNativeMsrs));
  pass.push_back(x86::kMsrTsc);  // TSC offsetting: reads need no exit
  for (uint32_t msr : pass) {
    if (&map_.lookup(InterceptMap::Space::kMsr, msr) != &map_.default_entry(InterceptMap::Space::kMsr)) continue;
    InterceptMap::Entry e;
    e.base = msr;
    e.size = 1;
    e.handler = ExitHandler::kNone;
    e.device = "msr bitmap";
    map_.add(InterceptMap::Space::kMsr, e);
  }
}

bool Hypervisor::debug_access(bool write, uint64_t gpa, void* data, size_t n) {
  // Hypercall input/output pages and SynIC pages are guest RAM reached through the memory space.
  tlm::tlm_generic_payload t;
  t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  t.set_address(gpa);
  t.set_data_ptr(static_cast<uint8_t*>(data));
  t.set_data_length(static_cast<unsigned>(n));
  t.set_streaming_width(static_cast<unsigned>(n));
  return mem_out->transport_dbg(t) == n;
}

void Hypervisor::set_vcpu(uint64_t clock_hz, const std::string& track_process, const std::string& track_thread) {
  clock_hz_ = clock_hz;
  dma.set_clock(clock_hz);
  track_process_ = track_process;
  track_thread_ = track_thread;
}

sc_core::sc_time Hypervisor::to_time(uint64_t cycles) const {
  return clock::time_floor(cycles, clock_hz_);
}

uint64_t Hypervisor::to_cycles(const sc_core::sc_time& t) const {
  return clock::ticks_ceil(t, clock_hz_);
}

Counter& Hypervisor::exit_counter(ExitReason r, ExitHandler h, const std::string& device) {
  std::string key = std::string(exit_reason_name(r)) + "." + exit_handler_name(h) + "." + device;
  auto& c = exit_counters_[key];
  if (!c) c = std::make_unique<Counter>(this, "exits_by." + key, "exits", "exits by reason.handler.device");
  return *c;
}

Counter& Hypervisor::reason_cycles(ExitReason r, ExitHandler h) {
  std::string key = std::string(exit_reason_name(r)) + "." + exit_handler_name(h);
  auto& c = reason_cycle_counters_[key];
  if (!c) c = std::make_unique<Counter>(this, "exit_cycles_by." + key, "cycles", "exit cycles by reason.handler");
  return *c;
}

Counter& Hypervisor::component_counter(const char* component) {
  auto& c = component_counters_[component];
  if (!c) c = std::make_unique<Counter>(this, std::string("cycles_by.") + component, "cycles",
                                        "exit cycles spent in this cost component");
  return *c;
}

template <typename Device>
uint64_t Hypervisor::take_exit(ExitReason reason, const InterceptMap::Entry& e, const sc_core::sc_time& start,
                               std::vector<Part> parts, Device&& device) {
  // Path: hardware round trip + dispatch, [decode], then either hypervisor work or the root partition
  // (queue for a root vCPU, forward, device-model work, the device itself, return).
  std::vector<Part> path = {{"exit.hw_roundtrip", costs_.exit_hw_roundtrip}, {"exit.dispatch", costs_.exit_dispatch}};
  if (reason == ExitReason::kEptViolation) path.push_back({"mmio.decode", costs_.mmio_decode});
  uint64_t before_device = 0;
  for (auto& p : path) before_device += p.cycles;
  sc_core::sc_time device_time;
  sc_core::sc_time root_start, root_dur;
  unsigned root_vcpu = 0;
  if (e.handler == ExitHandler::kRoot) {
    sc_core::sc_time ready = start + to_time(before_device);
    uint64_t pre = costs_.root_forward + costs_.root_device_emulation;
    device_time = device(ready + to_time(pre));
    root_dur = to_time(pre) + device_time + to_time(costs_.root_return);
    RootPartition::Slot slot = root_.run(ready, root_dur);
    root_start = slot.start;
    root_vcpu = slot.vcpu;
    uint64_t queued = to_cycles(slot.start - ready);
    if (queued) path.push_back({"root.queue", queued});
    path.push_back({"root.forward", costs_.root_forward});
    path.push_back({"root.device_emulation", costs_.root_device_emulation});
    path.push_back({"device", 0});  // time only: the vCPU accounts it from the annotated delay
    path.push_back({"root.return", costs_.root_return});
  } else {
    for (auto& p : parts) path.push_back(p);
    device_time = device(start + to_time(before_device));
    if (device_time != sc_core::SC_ZERO_TIME) path.push_back({"device", 0});
  }
  uint64_t total = 0;
  for (auto& p : path) {
    total += p.cycles;
    if (p.cycles) component_counter(p.name) += p.cycles;
  }
  ++exits_total_;
  exit_cycles_total_ += total;
  ++exit_counter(reason, e.handler, e.device);
  reason_cycles(reason, e.handler) += total;

  TraceSink& tr = TraceSink::instance();
  if (tr.enabled()) {
    if (vcpu_track_ < 0) vcpu_track_ = tr.track(track_process_, track_thread_);
    nlohmann::json args = {{"handler", exit_handler_name(e.handler)}, {"device", e.device}, {"cycles", total}};
    tr.complete(vcpu_track_, std::string(exit_reason_name(reason)) + " " + e.device, "exit", start,
                to_time(total) + device_time, &args);
    sc_core::sc_time t = start;
    for (auto& p : path) {
      sc_core::sc_time d = std::string(p.name) == "device" ? device_time : to_time(p.cycles);
      if (d != sc_core::SC_ZERO_TIME) tr.complete(vcpu_track_, p.name, "exit.component", t, d);
      t += d;
    }
    if (e.handler == ExitHandler::kRoot)
      tr.complete(root_.track(root_vcpu), "emulate " + e.device, "root", root_start, root_dur);
  }
  return total;
}

uint64_t Hypervisor::take_exit(ExitReason reason, const std::string& device, const sc_core::sc_time& start,
                               std::vector<Part> parts) {
  InterceptMap::Entry e;
  e.handler = ExitHandler::kHypervisor;
  e.device = device;
  return take_exit(reason, e, start, std::move(parts), [](const sc_core::sc_time&) { return sc_core::SC_ZERO_TIME; });
}

void Hypervisor::access(InterceptMap::Space space, tlm_utils::simple_initiator_socket<Hypervisor>& out,
                        tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const InterceptMap::Entry& e = map_.lookup(space, trans.get_address());
  ExitCostExtension* cost = nullptr;
  trans.get_extension(cost);
  if (e.handler == ExitHandler::kNone) {
    out->b_transport(trans, delay);
    return;
  }
  bool memory = space == InterceptMap::Space::kMemory;
  ExitReason reason = memory ? ExitReason::kEptViolation : ExitReason::kIoInstruction;
  std::vector<Part> hv_work = {{memory ? "hv.emulate.mmio" : "hv.emulate.pio",
                                memory ? costs_.emulate_mmio : costs_.emulate_pio}};
  if (e.eoi_register && is_pic_eoi(trans)) {
    if (costs_.eoi_virtualized) {  // no exit: the EOI is absorbed by virtual interrupt hardware
      out->b_transport(trans, delay);
      component_counter("eoi.virtual_cost") += costs_.eoi_virtual_cost;
      if (cost) cost->cycles = costs_.eoi_virtual_cost;
      return;
    }
    reason = ExitReason::kEoi;
    hv_work = {{"eoi.emulate", costs_.eoi_emulate}};
  }
  sc_core::sc_time start = sc_core::sc_time_stamp() + delay;
  sc_core::sc_time device_time;
  auto device = [&](const sc_core::sc_time& at) {  // the device sees the access when the emulator makes it
    sc_core::sc_time d = at - sc_core::sc_time_stamp();
    sc_core::sc_time before = d;
    out->b_transport(trans, d);
    device_time = d - before;
    return device_time;
  };
  uint64_t cycles = take_exit(reason, e, start, std::move(hv_work), device);
  // The device's own time goes back as annotated delay; the exit's cost as cycles.
  if (cost) {
    cost->cycles = cycles;
    cost->exited = true;
    cost->reason = reason;
  }
  delay += device_time;
}

void Hypervisor::io_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  access(InterceptMap::Space::kPort, io_out, trans, delay);
}

void Hypervisor::mem_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  access(InterceptMap::Space::kMemory, mem_out, trans, delay);
}

bool Hypervisor::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  // RAM is mapped in the EPT: the guest reaches it with no exit at all.
  return mem_out->get_direct_mem_ptr(trans, dmi);
}

unsigned int Hypervisor::transport_dbg_mem(tlm::tlm_generic_payload& trans) { return mem_out->transport_dbg(trans); }
unsigned int Hypervisor::transport_dbg_io(tlm::tlm_generic_payload& trans) { return io_out->transport_dbg(trans); }

void Hypervisor::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  guest_mem->invalidate_direct_mem_ptr(start, end);
}

void Hypervisor::vmm_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  VmmRequest* rq = nullptr;
  trans.get_extension(rq);
  if (!rq) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  sc_core::sc_time start = sc_core::sc_time_stamp() + delay;
  now_ = start;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  HyperV* hv = hyperv_enabled.get() ? hyperv_.get() : nullptr;
  switch (rq->kind) {
    case VmmRequest::Kind::kCpuid: {
      rq->result = VmmRequest::Result::kHandled;
      if (!(hv && hv->cpuid(static_cast<uint32_t>(rq->a), static_cast<uint32_t>(rq->b), rq->regs)) && hv &&
          rq->a == 1)
        rq->regs[2] |= 1u << 31;  // CPUID.1:ECX.hypervisor: a guest can tell it is virtualized
      const InterceptMap::Entry& e = map_.lookup(InterceptMap::Space::kCpuid, rq->a);
      rq->cycles = e.handler == ExitHandler::kNone
                       ? 0
                       : take_exit(ExitReason::kCpuid, e, start, {{"hv.emulate.cpuid", costs_.emulate_cpuid}},
                                   [](const sc_core::sc_time&) { return sc_core::SC_ZERO_TIME; });
      break;
    }
    case VmmRequest::Kind::kRdmsr:
    case VmmRequest::Kind::kWrmsr: {
      bool read = rq->kind == VmmRequest::Kind::kRdmsr;
      uint32_t msr = static_cast<uint32_t>(rq->a);
      const InterceptMap::Entry& e = map_.lookup(InterceptMap::Space::kMsr, msr);
      rq->cycles = 0;
      rq->result = VmmRequest::Result::kNative;  // the vCPU's own MSR state, or #GP for unknown ones
      if (e.handler == ExitHandler::kNone) break;  // the MSR bitmap lets it through: no exit
      HyperV::MsrResult r = HyperV::MsrResult::kNotHyperV;
      if (hv) r = read ? hv->rdmsr(msr, rq->value) : hv->wrmsr(msr, rq->value);
      if (r != HyperV::MsrResult::kNotHyperV)
        rq->result = r == HyperV::MsrResult::kHandled ? VmmRequest::Result::kHandled : VmmRequest::Result::kGp;
      InterceptMap::Entry named = e;
      if (r != HyperV::MsrResult::kNotHyperV) named.device = "synthetic msr";
      rq->cycles = take_exit(read ? ExitReason::kMsrRead : ExitReason::kMsrWrite, named, start,
                             {{"hv.emulate.msr", costs_.emulate_msr}},
                             [](const sc_core::sc_time&) { return sc_core::SC_ZERO_TIME; });
      break;
    }
    case VmmRequest::Kind::kHlt:
      rq->result = VmmRequest::Result::kHandled;
      rq->cycles = take_exit(ExitReason::kHlt, "hlt", start, {});
      break;
    case VmmRequest::Kind::kHypercall: {
      if (!hv || !hv->hypercalls_enabled()) {
        rq->result = VmmRequest::Result::kUd;  // no hypercall interface: VMCALL raises #UD
        rq->cycles = take_exit(ExitReason::kVmcall, "hypercall", start, {});
        break;
      }
      rq->value = hv->hypercall(rq->a, rq->b, rq->c);
      rq->result = VmmRequest::Result::kHandled;
      rq->cycles = take_exit(ExitReason::kVmcall, "hypercall", start, {{"hv.hypercall.handler", costs_.hypercall_handler}});
      break;
    }
    case VmmRequest::Kind::kInject: {
      uint64_t cycles = 0;
      if (rq->b) cycles += take_exit(ExitReason::kExternalInterrupt, "interrupt", start, {});
      if (rq->c) cycles += take_exit(ExitReason::kInterruptWindow, "interrupt", start + to_time(cycles), {});
      cycles += costs_.irq_inject;
      component_counter("irq.inject") += costs_.irq_inject;
      ++interrupts_injected_;
      TraceSink& tr = TraceSink::instance();
      if (tr.enabled()) {
        if (vcpu_track_ < 0) vcpu_track_ = tr.track(track_process_, track_thread_);
        nlohmann::json args = {{"vector", rq->a}};
        tr.instant(vcpu_track_, "inject", "interrupt", start + to_time(cycles), &args);
      }
      rq->cycles = cycles;
      rq->result = VmmRequest::Result::kHandled;
      break;
    }
    case VmmRequest::Kind::kAckSint: {
      if (sints_.empty()) {
        rq->result = VmmRequest::Result::kNative;
        break;
      }
      rq->a = sints_.front().first;
      rq->b = sints_.front().second ? 1 : 0;
      sints_.pop_front();
      if (sints_.empty()) sint_driver_.set(false);
      rq->result = VmmRequest::Result::kHandled;
      break;
    }
    case VmmRequest::Kind::kEoiVirtual:
      rq->cycles = costs_.eoi_virtual_cost;
      rq->result = VmmRequest::Result::kHandled;
      break;
  }
}

}  // namespace hvsim
