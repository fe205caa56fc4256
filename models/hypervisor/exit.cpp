#include "models/hypervisor/exit.h"

namespace hvsim {

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kIoInstruction: return "IO_INSTRUCTION";
    case ExitReason::kEptViolation: return "EPT_VIOLATION";
    case ExitReason::kCpuid: return "CPUID";
    case ExitReason::kMsrRead: return "MSR_READ";
    case ExitReason::kMsrWrite: return "MSR_WRITE";
    case ExitReason::kHlt: return "HLT";
    case ExitReason::kVmcall: return "VMCALL";
    case ExitReason::kExternalInterrupt: return "EXTERNAL_INTERRUPT";
    case ExitReason::kInterruptWindow: return "INTERRUPT_WINDOW";
    case ExitReason::kEoi: return "EOI";
    case ExitReason::kCount: break;
  }
  return "?";
}

const char* exit_handler_name(ExitHandler h) {
  switch (h) {
    case ExitHandler::kNone: return "none";
    case ExitHandler::kHypervisor: return "hypervisor";
    case ExitHandler::kRoot: return "root";
  }
  return "?";
}

}  // namespace hvsim
