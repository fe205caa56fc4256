// Architectural MSRs hvsim's x86 vCPU keeps in Unicorn's own CPU state (Intel SDM vol. 4). The vCPU
// reads and writes them natively; the hypervisor's MSR bitmap lets them through without an exit.
#pragma once

#include <cstdint>

namespace hvsim::x86 {

constexpr uint32_t kMsrTsc = 0x10;       // IA32_TIME_STAMP_COUNTER (emulated: simulated cycles)
constexpr uint32_t kMsrApicBase = 0x1B;  // IA32_APIC_BASE
constexpr uint32_t kNativeMsrs[] = {0x174, 0x175, 0x176,                  // SYSENTER_CS/ESP/EIP
                                    0x277,                                // PAT
                                    0xC0000080, 0xC0000081, 0xC0000082,   // EFER, STAR, LSTAR
                                    0xC0000083, 0xC0000084,               // CSTAR, FMASK
                                    0xC0000100, 0xC0000101, 0xC0000102};  // FS/GS/KERNEL_GS base

constexpr bool is_native_msr(uint32_t msr) {
  for (uint32_t m : kNativeMsrs)
    if (m == msr) return true;
  return false;
}

}  // namespace hvsim::x86
