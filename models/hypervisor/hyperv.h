// HyperV: the guest-visible Hyper-V interface of one virtual processor (Microsoft Hypervisor TLFS):
// CPUID leaves 0x40000000-0x40000006, the synthetic MSRs (guest OS id, hypercall page, VP index,
// reference counter, SynIC), the hypercalls HvCallPostMessage / HvCallSignalEvent dispatched to
// root-side services, and the root -> guest direction (SynIC messages in the SIMP page, event flags in
// the SIEFP page, SINT interrupts). Plain C++: no SystemC process, no time of its own; the caller
// (the hypervisor model) charges exit costs, injects the interrupts and decides #GP / #UD.
//
// Register mapping for hypercall() (TLFS "Hypercall Inputs"/"Hypercall Outputs"):
//   x64 (EFER.LMA and CS.L): control = RCX, input = RDX (GPA, or fast param), output = R8; RAX = result
//   x86 (32-bit):            control = EDX:EAX, input = EBX:ECX, output = EDI:ESI;    EDX:EAX = result
// Result value: bits 15:0 HV_STATUS, 43:32 reps completed (always 0: no rep hypercalls here).
// The caller raises #UD for VMCALL when hypercalls_enabled() is false.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/hypervisor/hyperv_tlfs.h"

namespace hvsim {

// Guest-physical memory as the hypervisor sees it. Accesses that are not entirely inside guest RAM
// return false and have no effect.
class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  virtual bool read(uint64_t gpa, void* out, size_t n) = 0;
  virtual bool write(uint64_t gpa, const void* in, size_t n) = 0;
};

class HyperV {
 public:
  enum class MsrResult { kHandled, kNotHyperV, kGp };
  // One SINT interrupt to inject: the vector from SINTx, and whether the guest will EOI it (AutoEOI).
  struct SintInterrupt {
    unsigned sint;
    uint8_t vector;
    bool auto_eoi;
  };
  // Root-side services. They return the HV_STATUS the guest gets back (hv::kStatusSuccess, or e.g.
  // hv::kStatusInsufficientBuffers). `payload` is valid only during the call.
  using MessageHandler = std::function<uint16_t(uint32_t message_type, const uint8_t* payload, uint32_t size)>;
  using EventHandler = std::function<uint16_t(uint16_t flag)>;

  // `name_prefix` names the statistics and parameters ("vm0.hv.vp0"); it must be unique per instance.
  // `reference_time_100ns` is the partition reference time (TIME_REF_COUNT), in 100 ns units.
  HyperV(std::string name_prefix, GuestMemory& mem, std::function<uint64_t()> reference_time_100ns, unsigned vp_index);
  ~HyperV();
  HyperV(const HyperV&) = delete;
  HyperV& operator=(const HyperV&) = delete;

  // ---- CPUID ----
  // Leaves 0x40000000..0x400000FF: fills regs (EAX, EBX, ECX, EDX; leaves past the maximum read as 0)
  // and returns true. Any other leaf: returns false and leaves regs (the native result) untouched.
  bool cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) const;
  // Sets CPUID.1:ECX[31] ("hypervisor present") in a native leaf-1 result; other leaves unchanged.
  static void set_hypervisor_present(uint32_t leaf, uint32_t regs[4]);

  // ---- MSRs ----
  // kNotHyperV: not a synthetic MSR (outside 0x40000000..0x4000FFFF), the caller handles it natively.
  // kGp: the guest gets #GP (read-only MSR written, unimplemented synthetic MSR, invalid SINT vector,
  // page outside guest RAM); the MSR is unchanged.
  MsrResult rdmsr(uint32_t msr, uint64_t& value);
  MsrResult wrmsr(uint32_t msr, uint64_t value);

  // ---- Hypercalls (guest -> root) ----
  bool hypercalls_enabled() const;
  uint64_t hypercall_page_gpa() const { return hypercall_msr_ & ~0xFFFull; }
  uint64_t hypercall(uint64_t control, uint64_t input_gpa_or_fast, uint64_t output_gpa_or_fast);
  // Register (or replace, or with an empty function remove) the service behind a connection id
  // (23:0; larger ids throw std::invalid_argument).
  void on_post_message(uint32_t connection_id, MessageHandler handler);
  void on_signal_event(uint32_t connection_id, EventHandler handler);

  // ---- SynIC (root -> guest) ----
  // Queues a message for SINTx and delivers it into the SIMP slot if that slot is free (otherwise
  // sets MessagePending in the busy slot; delivery is retried on EOM and on the next post). Returns
  // false if refused: bad arguments, SynIC or SIMP disabled (no target, per TLFS), or the SINT's
  // queue is full (message_queue_depth). Sender/port in the header is 0.
  bool post_message(unsigned sint, uint32_t message_type, const uint8_t* payload, uint32_t size);
  // Sets event flag `flag` (0..2047) in SINTx's SIEFP slot; an interrupt only on a 0->1 transition.
  // Returns false if refused: bad arguments, SynIC or SIEFP disabled.
  bool signal_event(unsigned sint, unsigned flag);
  // Interrupts to inject, oldest first (one per SINT until taken); cleared by the call. Nothing is
  // recorded for a masked or polling SINT or with the SynIC disabled (counted as suppressed).
  std::vector<SintInterrupt> take_interrupts();
  bool interrupts_pending() const { return !pending_irqs_.empty(); }
  // Called whenever a new interrupt is recorded (e.g. to notify the vCPU's event). May be empty.
  void on_interrupt(std::function<void()> notify) { notify_ = std::move(notify); }

  // Introspection for the platform dump and tests.
  unsigned vp_index() const { return vp_index_; }
  bool synic_enabled() const;
  size_t queued_messages(unsigned sint) const { return sint < queues_.size() ? queues_[sint].size() : 0; }

 private:
  struct Message {
    uint32_t type;
    uint32_t size;
    std::array<uint8_t, hv::kMessagePayloadMax> payload;
  };
  enum StatusIndex {
    kStSuccess,
    kStCode,
    kStInput,
    kStAlign,
    kStParam,
    kStDenied,
    kStConn,
    kStBuffers,
    kStOther,
    kStCount
  };

  uint16_t do_hypercall(uint64_t control, uint64_t input, uint64_t output);
  uint16_t post_message_call(uint64_t control, uint64_t input_gpa);
  uint16_t signal_event_call(uint64_t control, uint64_t input);
  uint16_t read_input(uint64_t gpa, void* out, size_t n);
  MsrResult write_page_msr(uint32_t msr, uint64_t value, uint64_t& reg, const char* name);
  MsrResult write_sint(unsigned sint, uint64_t value);
  void deliver_pending(unsigned sint);
  void raise(unsigned sint);
  bool simp_enabled() const;
  bool siefp_enabled() const;
  uint64_t masked_reserved(uint32_t msr, uint64_t value, uint64_t writable);
  static const char* status_name(StatusIndex i);
  // Guest-misbehaviour warning, rate-limited per kind so one looping guest does not hide the others.
  void warn(const char* kind, const std::string& msg);

  std::string name_;
  GuestMemory& mem_;
  std::function<uint64_t()> ref_time_;
  unsigned vp_index_;

  Param<uint32_t> queue_depth_;
  Param<uint32_t> max_vps_;

  // Partition-wide MSRs (held per instance: hvsim runs one VP per partition).
  uint64_t guest_os_id_ = 0;
  uint64_t hypercall_msr_ = 0;
  // SynIC
  uint64_t scontrol_ = 0;
  uint64_t siefp_ = 0;
  uint64_t simp_ = 0;
  std::array<uint64_t, hv::kSintCount> sint_;
  std::array<std::deque<Message>, hv::kSintCount> queues_;
  std::vector<SintInterrupt> pending_irqs_;
  std::function<void()> notify_;

  std::map<uint32_t, MessageHandler> msg_handlers_;
  std::map<uint32_t, EventHandler> event_handlers_;

  Counter calls_post_message_, calls_signal_event_, calls_unknown_;
  std::array<std::unique_ptr<Counter>, kStCount> status_counters_;
  Counter msgs_guest_to_root_, msgs_root_to_guest_, msgs_delayed_, msgs_refused_;
  Counter events_guest_to_root_, events_root_to_guest_, events_refused_;
  Counter irqs_raised_, irqs_suppressed_, msr_gp_;
  std::map<std::string, WarnLimiter> warn_limits_;
};

}  // namespace hvsim
