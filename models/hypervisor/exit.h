// VM exits as the hypervisor model sees them, and the TLM extensions that carry them between the
// vCPU and the hypervisor. Exit costs travel in cycles (not time) so the vCPU accounts them exactly.
#pragma once

#include <cstdint>
#include <tlm>

namespace hvsim {

enum class ExitReason : uint8_t {
  kIoInstruction,      // IN/OUT/INS/OUTS to an intercepted port
  kEptViolation,       // MMIO: guest-physical access to an intercepted, unmapped-in-EPT range
  kCpuid,
  kMsrRead,
  kMsrWrite,
  kHlt,
  kVmcall,             // hypercall
  kExternalInterrupt,  // the guest was kicked out to inject an interrupt
  kInterruptWindow,    // the guest opened its interrupt window (IF=1) for a pending injection
  kEoi,                // end-of-interrupt write that is not virtualized
  kCount
};
const char* exit_reason_name(ExitReason r);

// Who handles an intercepted access.
enum class ExitHandler : uint8_t {
  kNone,        // no exit: pass-through (or RAM mapped in EPT)
  kHypervisor,  // handled inside the hypervisor (KVM in-kernel devices)
  kRoot,        // forwarded to the root partition's device emulator / service (QEMU, Hyper-V VMWP)
};
const char* exit_handler_name(ExitHandler h);

// Attached by the vCPU to its I/O and MMIO transactions; the hypervisor fills in what the access
// cost beyond the device's own annotated delay.
struct ExitCostExtension : tlm::tlm_extension<ExitCostExtension> {
  uint64_t cycles = 0;        // exit cost in vCPU cycles (0 when the access did not exit)
  bool exited = false;
  ExitReason reason = ExitReason::kIoInstruction;

  void reset() { cycles = 0, exited = false; }
  tlm::tlm_extension_base* clone() const override { return new ExitCostExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const ExitCostExtension&>(other);
  }
};

// A guest event that is not a bus access (CPUID, MSR, HLT, hypercall, interrupt injection), sent by
// the vCPU to the hypervisor on its `vmm` socket as an otherwise empty transaction.
struct VmmRequest : tlm::tlm_extension<VmmRequest> {
  enum class Kind : uint8_t { kCpuid, kRdmsr, kWrmsr, kHlt, kHypercall, kInject, kEoiVirtual, kAckSint };
  enum class Result : uint8_t { kHandled, kNative, kGp, kUd };
  Kind kind = Kind::kCpuid;
  Result result = Result::kNative;
  // Inputs / outputs by kind:
  //   kCpuid:     a = leaf, b = subleaf; regs[0..3] = eax, ebx, ecx, edx (in: native values, out: result)
  //   kRdmsr:     a = msr; value = result      kWrmsr: a = msr, value = written value
  //   kHypercall: a = control, b = input GPA (or fast input), c = output GPA (or fast input); value = RAX
  //   kInject:    a = vector, b = 1 if the guest had to be kicked out (external-interrupt exit),
  //               c = 1 if it waited for an interrupt window
  //   kAckSint:   out: result kHandled with a = vector, b = 1 if AutoEOI; kNative if none is pending
  uint64_t a = 0, b = 0, c = 0, value = 0;
  uint32_t regs[4] = {0, 0, 0, 0};
  bool long_mode = false;
  uint64_t cycles = 0;  // cost charged to the vCPU

  tlm::tlm_extension_base* clone() const override { return new VmmRequest(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const VmmRequest&>(other); }
};

}  // namespace hvsim
