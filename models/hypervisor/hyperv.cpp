#include "models/hypervisor/hyperv.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/core/log.h"

namespace hvsim {

namespace {

uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

uint64_t get64(const uint8_t* p) { return static_cast<uint64_t>(get32(p)) | static_cast<uint64_t>(get32(p + 4)) << 32; }

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

HyperV::HyperV(std::string name_prefix, GuestMemory& mem, std::function<uint64_t()> reference_time_100ns,
               unsigned vp_index)
    : name_(std::move(name_prefix)),
      mem_(mem),
      ref_time_(std::move(reference_time_100ns)),
      vp_index_(vp_index),
      queue_depth_(name_ + ".message_queue_depth", 16, "messages",
                   "SynIC messages queued per SINT while its SIMP slot is busy (waiting for EOM); "
                   "root posts beyond it are refused"),
      max_vps_(name_ + ".max_vps", 1, "processors",
               "CPUID 0x40000005 EAX/EBX: maximum virtual and logical processors reported to the guest"),
      calls_post_message_(name_ + ".hypercalls.post_message", "calls", "HvCallPostMessage (0x005C) hypercalls"),
      calls_signal_event_(name_ + ".hypercalls.signal_event", "calls", "HvCallSignalEvent (0x005D) hypercalls"),
      calls_unknown_(name_ + ".hypercalls.unknown", "calls", "hypercalls with a call code hvsim does not implement"),
      msgs_guest_to_root_(name_ + ".messages.guest_to_root", "messages",
                          "HvCallPostMessage inputs handed to a root-side service"),
      msgs_root_to_guest_(name_ + ".messages.root_to_guest", "messages", "SynIC messages accepted for the guest"),
      msgs_delayed_(name_ + ".messages.delayed", "messages",
                    "root->guest messages that waited for a busy SIMP slot (MessagePending / EOM)"),
      msgs_refused_(name_ + ".messages.refused", "messages",
                    "root->guest messages refused (SynIC/SIMP disabled, queue full, bad arguments)"),
      events_guest_to_root_(name_ + ".events.guest_to_root", "events",
                            "HvCallSignalEvent calls handed to a root-side service"),
      events_root_to_guest_(name_ + ".events.root_to_guest", "events", "event flags signaled to the guest"),
      events_refused_(name_ + ".events.refused", "events",
                      "root->guest events refused (SynIC/SIEFP disabled, bad arguments)"),
      irqs_raised_(name_ + ".interrupts.raised", "interrupts", "SINT interrupts recorded for injection"),
      irqs_suppressed_(name_ + ".interrupts.suppressed", "interrupts",
                       "SINT interrupts not raised: SINT masked or polling, or SynIC disabled"),
      msr_gp_(name_ + ".msr_gp", "accesses", "synthetic MSR accesses answered with #GP") {
  sint_.fill(hv::kSintResetValue);
  for (int i = 0; i < kStCount; ++i) {
    auto idx = static_cast<StatusIndex>(i);
    status_counters_[i] = std::make_unique<Counter>(name_ + ".hypercall_status." + status_name(idx), "calls",
                                                    std::string("hypercalls that returned ") + status_name(idx));
  }
}

HyperV::~HyperV() = default;

const char* HyperV::status_name(StatusIndex i) {
  switch (i) {
    case kStSuccess: return "success";
    case kStCode: return "invalid_hypercall_code";
    case kStInput: return "invalid_hypercall_input";
    case kStAlign: return "invalid_alignment";
    case kStParam: return "invalid_parameter";
    case kStDenied: return "access_denied";
    case kStConn: return "invalid_connection_id";
    case kStBuffers: return "insufficient_buffers";
    default: return "other";
  }
}

void HyperV::warn(const char* kind, const std::string& msg) {
  if (warn_limits_.try_emplace(kind, 8).first->second.allow()) HVSIM_WARN(name_, "%s", msg.c_str());
}

// ---- CPUID -----------------------------------------------------------------------------------------

bool HyperV::cpuid(uint32_t leaf, uint32_t /*subleaf*/, uint32_t regs[4]) const {
  if (leaf < hv::kCpuidVendorAndMax || leaf > hv::kCpuidRangeEnd) return false;
  uint32_t a = 0, b = 0, c = 0, d = 0;
  switch (leaf) {
    case hv::kCpuidVendorAndMax:
      a = hv::kCpuidMaxLeaf, b = hv::kSignatureEbx, c = hv::kSignatureEcx, d = hv::kSignatureEdx;
      break;
    case hv::kCpuidInterface: a = hv::kInterfaceHv1; break;
    case hv::kCpuidVersion: a = hv::kVersionBuild, b = hv::kVersionMajorMinor; break;
    case hv::kCpuidFeatures: a = hv::kFeaturesEax, b = hv::kFeaturesEbx; break;
    case hv::kCpuidEnlightenments: b = hv::kSpinlockNeverNotify; break;
    case hv::kCpuidLimits: a = max_vps_.get(), b = max_vps_.get(); break;
    default: break;  // 0x40000006 (no hardware features in use) and unused leaves: all zero
  }
  regs[0] = a, regs[1] = b, regs[2] = c, regs[3] = d;
  return true;
}

void HyperV::set_hypervisor_present(uint32_t leaf, uint32_t regs[4]) {
  if (leaf == 1) regs[2] |= hv::kHypervisorPresentBit;
}

// ---- MSRs ------------------------------------------------------------------------------------------

bool HyperV::synic_enabled() const { return (scontrol_ & hv::kScontrolEnable) != 0; }
bool HyperV::simp_enabled() const { return (simp_ & hv::kSimpEnable) != 0; }
bool HyperV::siefp_enabled() const { return (siefp_ & hv::kSiefpEnable) != 0; }
bool HyperV::hypercalls_enabled() const { return guest_os_id_ != 0 && (hypercall_msr_ & hv::kHypercallEnable) != 0; }

HyperV::MsrResult HyperV::rdmsr(uint32_t msr, uint64_t& value) {
  if (msr < hv::kMsrRangeFirst || msr > hv::kMsrRangeLast) return MsrResult::kNotHyperV;
  if (msr >= hv::kMsrSint0 && msr <= hv::kMsrSint15) {
    value = sint_[msr - hv::kMsrSint0];
    return MsrResult::kHandled;
  }
  switch (msr) {
    case hv::kMsrGuestOsId: value = guest_os_id_; break;
    case hv::kMsrHypercall: value = hypercall_msr_; break;
    case hv::kMsrVpIndex: value = vp_index_; break;
    case hv::kMsrTimeRefCount: value = ref_time_ ? ref_time_() : 0; break;
    case hv::kMsrScontrol: value = scontrol_; break;
    case hv::kMsrSversion: value = hv::kSynicVersion; break;
    case hv::kMsrSiefp: value = siefp_; break;
    case hv::kMsrSimp: value = simp_; break;
    case hv::kMsrEom: value = 0; break;  // write-only trigger: reads return zero [TLFS]
    default:
      ++msr_gp_;
      warn("msr.unimplemented",
           strfmt("rdmsr 0x%08x: synthetic MSR not implemented (feature not advertised) -> #GP", msr));
      return MsrResult::kGp;
  }
  return MsrResult::kHandled;
}

uint64_t HyperV::masked_reserved(uint32_t msr, uint64_t value, uint64_t writable) {
  if (value & ~writable)
    warn("msr.reserved", strfmt("wrmsr 0x%08x: reserved bits 0x%016llx set (RsvdP), ignored", msr,
                                static_cast<unsigned long long>(value & ~writable)));
  return value & writable;
}

HyperV::MsrResult HyperV::wrmsr(uint32_t msr, uint64_t value) {
  if (msr < hv::kMsrRangeFirst || msr > hv::kMsrRangeLast) return MsrResult::kNotHyperV;
  if (msr >= hv::kMsrSint0 && msr <= hv::kMsrSint15) return write_sint(msr - hv::kMsrSint0, value);
  switch (msr) {
    case hv::kMsrGuestOsId:
      guest_os_id_ = value;
      if (value == 0) hypercall_msr_ &= ~hv::kHypercallEnable;  // zeroing the OS id disables the page [TLFS]
      return MsrResult::kHandled;
    case hv::kMsrHypercall: {
      if (hypercall_msr_ & hv::kHypercallLocked) {
        warn("msr.hypercall_locked",
             strfmt("wrmsr HYPERCALL 0x%016llx ignored: the MSR is locked", static_cast<unsigned long long>(value)));
        return MsrResult::kHandled;
      }
      uint64_t v = masked_reserved(msr, value, hv::kHypercallWritableMask);
      if (v & hv::kHypercallEnable) {
        // The page can only be enabled after a nonzero GUEST_OS_ID [TLFS]; like KVM, the write is ignored.
        if (guest_os_id_ == 0) {
          warn("msr.hypercall_no_osid", "wrmsr HYPERCALL: enable refused, GUEST_OS_ID is still 0 (write ignored)");
          return MsrResult::kHandled;
        }
        if (!mem_.write(v & hv::kHypercallGpaMask, hv::kHypercallCodeIntel, sizeof(hv::kHypercallCodeIntel))) {
          ++msr_gp_;  // a hypercall page outside the GPA space: #GP on the write [TLFS]
          warn("msr.page_outside_ram", strfmt("wrmsr HYPERCALL: page 0x%llx outside guest RAM -> #GP",
                                              static_cast<unsigned long long>(v & hv::kHypercallGpaMask)));
          return MsrResult::kGp;
        }
      }
      hypercall_msr_ = v;
      return MsrResult::kHandled;
    }
    case hv::kMsrVpIndex:
    case hv::kMsrTimeRefCount:
    case hv::kMsrSversion:
      ++msr_gp_;
      warn("msr.read_only", strfmt("wrmsr 0x%08x = 0x%016llx: read-only synthetic MSR -> #GP", msr,
                                   static_cast<unsigned long long>(value)));
      return MsrResult::kGp;
    case hv::kMsrScontrol: {
      bool was = synic_enabled();
      scontrol_ = masked_reserved(msr, value, hv::kScontrolEnable);
      if (!was && synic_enabled())
        for (unsigned s = 0; s < hv::kSintCount; ++s) deliver_pending(s);
      return MsrResult::kHandled;
    }
    case hv::kMsrSiefp: return write_page_msr(msr, value, siefp_, "SIEFP");
    case hv::kMsrSimp: {
      MsrResult r = write_page_msr(msr, value, simp_, "SIMP");
      if (r == MsrResult::kHandled)
        for (unsigned s = 0; s < hv::kSintCount; ++s) deliver_pending(s);
      return r;
    }
    case hv::kMsrEom:
      if (value != 0)
        warn("msr.eom_rsvdz",
             strfmt("wrmsr EOM: value 0x%016llx, bits are RsvdZ", static_cast<unsigned long long>(value)));
      // End of message: retry delivery of every SINT's queued messages [TLFS "EOM Register"].
      for (unsigned s = 0; s < hv::kSintCount; ++s) deliver_pending(s);
      return MsrResult::kHandled;
    default:
      ++msr_gp_;
      warn("msr.unimplemented",
           strfmt("wrmsr 0x%08x: synthetic MSR not implemented (feature not advertised) -> #GP", msr));
      return MsrResult::kGp;
  }
}

HyperV::MsrResult HyperV::write_page_msr(uint32_t msr, uint64_t value, uint64_t& reg, const char* name) {
  uint64_t v = masked_reserved(msr, value, hv::kPageGpaMask | 1);
  bool enable = (v & 1) != 0;
  bool moved = !(reg & 1) || (reg & hv::kPageGpaMask) != (v & hv::kPageGpaMask);
  if (enable && moved) {
    // The SIM/SIEF pages start out zeroed (TLFS: cleared at VP creation/reset; KVM clears on enable).
    static const uint8_t zeros[hv::kPageSize] = {};
    if (!mem_.write(v & hv::kPageGpaMask, zeros, sizeof(zeros))) {
      ++msr_gp_;
      warn("msr.page_outside_ram", strfmt("wrmsr %s: page 0x%llx outside guest RAM -> #GP", name,
                                          static_cast<unsigned long long>(v & hv::kPageGpaMask)));
      return MsrResult::kGp;
    }
  }
  reg = v;
  return MsrResult::kHandled;
}

HyperV::MsrResult HyperV::write_sint(unsigned sint, uint64_t value) {
  uint64_t v = masked_reserved(hv::kMsrSint0 + sint, value, hv::kSintWritableMask);
  unsigned vector = static_cast<unsigned>(v & hv::kSintVectorMask);
  if (!(v & hv::kSintMasked) && vector < hv::kSintFirstValidVector) {
    // Valid vectors are 16..255 [TLFS]; like KVM, a masked SINT may hold 0 (its reset value).
    ++msr_gp_;
    warn("msr.sint_vector", strfmt("wrmsr SINT%u = 0x%016llx: vector %u is invalid (16..255) -> #GP", sint,
                                   static_cast<unsigned long long>(value), vector));
    return MsrResult::kGp;
  }
  sint_[sint] = v;
  return MsrResult::kHandled;
}

// ---- Hypercalls ------------------------------------------------------------------------------------

void HyperV::on_post_message(uint32_t connection_id, MessageHandler handler) {
  if (connection_id & ~hv::kConnectionIdMask)
    throw std::invalid_argument(name_ + ": connection id " + std::to_string(connection_id) + " exceeds 24 bits");
  if (handler)
    msg_handlers_[connection_id] = std::move(handler);
  else
    msg_handlers_.erase(connection_id);
}

void HyperV::on_signal_event(uint32_t connection_id, EventHandler handler) {
  if (connection_id & ~hv::kConnectionIdMask)
    throw std::invalid_argument(name_ + ": connection id " + std::to_string(connection_id) + " exceeds 24 bits");
  if (handler)
    event_handlers_[connection_id] = std::move(handler);
  else
    event_handlers_.erase(connection_id);
}

uint64_t HyperV::hypercall(uint64_t control, uint64_t input_gpa_or_fast, uint64_t output_gpa_or_fast) {
  uint16_t status = do_hypercall(control, input_gpa_or_fast, output_gpa_or_fast);
  StatusIndex idx = kStOther;
  switch (status) {
    case hv::kStatusSuccess: idx = kStSuccess; break;
    case hv::kStatusInvalidHypercallCode: idx = kStCode; break;
    case hv::kStatusInvalidHypercallInput: idx = kStInput; break;
    case hv::kStatusInvalidAlignment: idx = kStAlign; break;
    case hv::kStatusInvalidParameter: idx = kStParam; break;
    case hv::kStatusAccessDenied: idx = kStDenied; break;
    case hv::kStatusInvalidConnectionId: idx = kStConn; break;
    case hv::kStatusInsufficientBuffers: idx = kStBuffers; break;
    default: break;
  }
  ++*status_counters_[idx];
  return status;  // reps completed (43:32) is 0: only simple hypercalls are implemented
}

uint16_t HyperV::do_hypercall(uint64_t control, uint64_t input, uint64_t /*output*/) {
  uint16_t code = static_cast<uint16_t>(control & hv::kCtlCodeMask);
  if (code == hv::kCallPostMessage)
    ++calls_post_message_;
  else if (code == hv::kCallSignalEvent)
    ++calls_signal_event_;
  else
    ++calls_unknown_;
  if (!hypercalls_enabled()) {
    warn("hc.disabled",
         strfmt("hypercall 0x%04x with the hypercall page disabled (the caller should have raised #UD)", code));
    return hv::kStatusAccessDenied;
  }
  // Reserved bits first: KVM (and its selftests) answer INVALID_HYPERCALL_INPUT before looking at the code.
  if (control & hv::kCtlRsvdMask) {
    warn("hc.reserved", strfmt("hypercall control 0x%016llx: reserved bits set -> HV_STATUS_INVALID_HYPERCALL_INPUT",
                               static_cast<unsigned long long>(control)));
    return hv::kStatusInvalidHypercallInput;
  }
  if (code != hv::kCallPostMessage && code != hv::kCallSignalEvent) {
    warn("hc.code", strfmt("hypercall 0x%04x not implemented -> HV_STATUS_INVALID_HYPERCALL_CODE", code));
    return hv::kStatusInvalidHypercallCode;
  }
  // Both are simple hypercalls: rep count, rep start and variable header size must be zero [TLFS].
  if (control & (hv::kCtlRepCountMask | hv::kCtlRepStartMask | hv::kCtlVarHeadMask)) {
    warn("hc.rep", strfmt("hypercall 0x%04x is a simple call but control 0x%016llx has rep/varhead fields -> "
                          "HV_STATUS_INVALID_HYPERCALL_INPUT",
                          code, static_cast<unsigned long long>(control)));
    return hv::kStatusInvalidHypercallInput;
  }
  return code == hv::kCallPostMessage ? post_message_call(control, input) : signal_event_call(control, input);
}

uint16_t HyperV::read_input(uint64_t gpa, void* out, size_t n) {
  // 8-byte aligned, not spanning pages, inside the GPA space; otherwise INVALID_ALIGNMENT [TLFS common codes].
  if (gpa % hv::kCallAlignment != 0 || (gpa % hv::kPageSize) + n > hv::kPageSize) {
    warn("hc.alignment",
         strfmt("hypercall input GPA 0x%llx (%zu bytes) unaligned or spans pages -> HV_STATUS_INVALID_ALIGNMENT",
                static_cast<unsigned long long>(gpa), n));
    return hv::kStatusInvalidAlignment;
  }
  if (!mem_.read(gpa, out, n)) {
    warn("hc.outside_ram", strfmt("hypercall input GPA 0x%llx outside guest RAM -> HV_STATUS_INVALID_ALIGNMENT",
                                  static_cast<unsigned long long>(gpa)));
    return hv::kStatusInvalidAlignment;
  }
  return hv::kStatusSuccess;
}

uint16_t HyperV::post_message_call(uint64_t control, uint64_t input_gpa) {
  if (control & hv::kCtlFast) {
    // The 256-byte input cannot travel in two registers (and XMM input is not advertised).
    warn("hc.fast", "HvCallPostMessage with the fast bit -> HV_STATUS_INVALID_HYPERCALL_INPUT");
    return hv::kStatusInvalidHypercallInput;
  }
  uint8_t in[hv::kPostMsgInputSize];
  uint16_t st = read_input(input_gpa, in, sizeof(in));
  if (st != hv::kStatusSuccess) return st;
  uint32_t conn = get32(in + hv::kPostMsgOffConnectionId);
  uint32_t rsvd = get32(in + hv::kPostMsgOffReserved);
  uint32_t type = get32(in + hv::kPostMsgOffType);
  uint32_t size = get32(in + hv::kPostMsgOffPayloadSize);
  if ((conn & ~hv::kConnectionIdMask) || rsvd) {
    warn("hc.post_reserved", strfmt("HvCallPostMessage: reserved bits set (connection id 0x%08x, RsvdZ 0x%08x) -> "
                                    "HV_STATUS_INVALID_HYPERCALL_INPUT",
                                    conn, rsvd));
    return hv::kStatusInvalidHypercallInput;
  }
  if (type == hv::kMessageTypeNone || (type & hv::kMessageTypeHypervisorBit)) {
    warn("hc.post_type",
         strfmt("HvCallPostMessage: message type 0x%08x (zero or MSB set) -> HV_STATUS_INVALID_PARAMETER", type));
    return hv::kStatusInvalidParameter;
  }
  if (size > hv::kMessagePayloadMax) {
    warn("hc.post_size", strfmt("HvCallPostMessage: payload size %u > 240 -> HV_STATUS_INVALID_PARAMETER", size));
    return hv::kStatusInvalidParameter;
  }
  auto it = msg_handlers_.find(conn);
  if (it == msg_handlers_.end()) {
    // Not a warning: Linux probes connection id 4 and expects this answer from older hosts.
    HVSIM_DEBUG(name_, "HvCallPostMessage to unknown connection id %u", conn);
    return hv::kStatusInvalidConnectionId;
  }
  MessageHandler handler = it->second;  // a copy: the handler may re-register itself
  ++msgs_guest_to_root_;
  return handler(type, in + hv::kPostMsgOffPayload, size);
}

uint16_t HyperV::signal_event_call(uint64_t control, uint64_t input) {
  uint64_t param = input;
  if (!(control & hv::kCtlFast)) {
    uint8_t in[hv::kSignalEventInputSize];
    uint16_t st = read_input(input, in, sizeof(in));
    if (st != hv::kStatusSuccess) return st;
    param = get64(in);
  }
  uint32_t conn = static_cast<uint32_t>(param);
  uint16_t flag = static_cast<uint16_t>(param >> 32);
  uint16_t rsvd = static_cast<uint16_t>(param >> 48);
  if ((conn & ~hv::kConnectionIdMask) || rsvd) {
    warn("hc.signal_reserved",
         strfmt("HvCallSignalEvent: reserved bits set (input 0x%016llx) -> HV_STATUS_INVALID_HYPERCALL_INPUT",
                static_cast<unsigned long long>(param)));
    return hv::kStatusInvalidHypercallInput;
  }
  auto it = event_handlers_.find(conn);
  if (it == event_handlers_.end()) {
    warn("hc.signal_conn",
         strfmt("HvCallSignalEvent to unknown connection id %u -> HV_STATUS_INVALID_CONNECTION_ID", conn));
    return hv::kStatusInvalidConnectionId;
  }
  EventHandler handler = it->second;
  ++events_guest_to_root_;
  return handler(flag);
}

// ---- SynIC: root -> guest --------------------------------------------------------------------------

bool HyperV::post_message(unsigned sint, uint32_t message_type, const uint8_t* payload, uint32_t size) {
  if (sint >= hv::kSintCount || size > hv::kMessagePayloadMax || (size && !payload) ||
      message_type == hv::kMessageTypeNone) {
    ++msgs_refused_;
    warn("root.post_args",
         strfmt("post_message: bad arguments (SINT %u, type 0x%08x, size %u) refused", sint, message_type, size));
    return false;
  }
  if (!synic_enabled() || !simp_enabled()) {  // no target VP: the TLFS fails the send
    ++msgs_refused_;
    HVSIM_DEBUG(name_, "post_message to SINT%u refused: SynIC or SIMP disabled", sint);
    return false;
  }
  auto& q = queues_[sint];
  if (q.size() >= std::max<uint32_t>(1, queue_depth_.get())) {
    ++msgs_refused_;
    warn("root.queue_full", strfmt("post_message: SINT%u queue full (%zu messages), refused", sint, q.size()));
    return false;
  }
  Message m{message_type, size, {}};
  if (size) std::memcpy(m.payload.data(), payload, size);
  q.push_back(m);
  ++msgs_root_to_guest_;
  deliver_pending(sint);
  if (!q.empty()) ++msgs_delayed_;  // FIFO: if anything is still queued, this message is among it
  return true;
}

void HyperV::deliver_pending(unsigned sint) {
  auto& q = queues_[sint];
  if (q.empty() || !synic_enabled() || !simp_enabled()) return;
  uint64_t slot = (simp_ & hv::kPageGpaMask) + uint64_t{sint} * hv::kMessageSize;
  uint8_t hdr[8];
  if (!mem_.read(slot, hdr, sizeof(hdr))) {
    warn("root.simp_outside", strfmt("SIMP slot %u at 0x%llx not in guest RAM, message kept queued", sint,
                                     static_cast<unsigned long long>(slot)));
    return;
  }
  if (get32(hdr + hv::kMsgOffType) != hv::kMessageTypeNone) {
    // Slot busy: tell the guest to write EOM once it has emptied the slot [TLFS "HV_MESSAGE"].
    uint8_t flags = hdr[hv::kMsgOffFlags];
    if (!(flags & hv::kMsgFlagPending)) {
      flags |= hv::kMsgFlagPending;
      mem_.write(slot + hv::kMsgOffFlags, &flags, 1);
    }
    return;
  }
  const Message& m = q.front();
  uint8_t buf[hv::kMessageSize] = {};
  put32(buf + hv::kMsgOffType, m.type);
  buf[hv::kMsgOffPayloadSize] = static_cast<uint8_t>(m.size);
  buf[hv::kMsgOffFlags] = q.size() > 1 ? hv::kMsgFlagPending : 0;
  std::memcpy(buf + hv::kMsgOffPayload, m.payload.data(), m.size);
  // Everything but the type first, then the type: the slot turns non-empty only once it is complete.
  mem_.write(slot + 4, buf + 4, sizeof(buf) - 4);
  mem_.write(slot, buf, 4);
  q.pop_front();
  raise(sint);
}

bool HyperV::signal_event(unsigned sint, unsigned flag) {
  if (sint >= hv::kSintCount || flag >= hv::kEventFlagsCount) {
    ++events_refused_;
    warn("root.signal_args", strfmt("signal_event: bad arguments (SINT %u, flag %u) refused", sint, flag));
    return false;
  }
  if (!synic_enabled() || !siefp_enabled()) {
    ++events_refused_;
    HVSIM_DEBUG(name_, "signal_event to SINT%u refused: SynIC or SIEFP disabled", sint);
    return false;
  }
  uint64_t addr = (siefp_ & hv::kPageGpaMask) + uint64_t{sint} * hv::kEventFlagsSize + flag / 8;
  uint8_t byte = 0;
  if (!mem_.read(addr, &byte, 1)) {
    ++events_refused_;
    warn("root.siefp_outside", strfmt("SIEFP slot %u at 0x%llx not in guest RAM, event refused", sint,
                                      static_cast<unsigned long long>(addr)));
    return false;
  }
  ++events_root_to_guest_;
  uint8_t bit = static_cast<uint8_t>(1u << (flag % 8));
  if (byte & bit) return true;  // already set: the guest has not consumed it yet, no new edge [TLFS]
  byte |= bit;
  mem_.write(addr, &byte, 1);
  raise(sint);
  return true;
}

void HyperV::raise(unsigned sint) {
  uint64_t r = sint_[sint];
  if (!synic_enabled() || (r & hv::kSintMasked) || (r & hv::kSintPolling)) {
    ++irqs_suppressed_;
    return;
  }
  for (const SintInterrupt& p : pending_irqs_)
    if (p.sint == sint) return;  // edge already latched, not yet injected
  pending_irqs_.push_back({sint, static_cast<uint8_t>(r & hv::kSintVectorMask), (r & hv::kSintAutoEoi) != 0});
  ++irqs_raised_;
  if (notify_) notify_();
}

std::vector<HyperV::SintInterrupt> HyperV::take_interrupts() {
  std::vector<SintInterrupt> out;
  out.swap(pending_irqs_);
  return out;
}

}  // namespace hvsim
