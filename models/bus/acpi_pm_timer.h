// ACPI power-management timer (ACPI spec 4.8.2.1 / 4.8.3.3, PIIX4 PMTMR at PMBA + 0x08): a free-running
// counter at 3.579545 MHz, 24 bits wide (32 with FADT TMR_VAL_EXT). Guests use it as a clock source
// and for calibration; kvm-unit-tests' vmexit "inl_from_pmtimer" reads it. The value is computed from
// SystemC time at each read (the access reaches the timer at sc_time_stamp() + the annotated delay):
// at time t it is floor(t_ps * clock_hz / 1e12) mod 2^width_bits. Nothing is scheduled.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

namespace pmtimer {
// ---- Register (offset within `socket`; the platform maps it at PMBA + 0x08) ----------------------
//                          width  access  reset
constexpr uint8_t kPmTmr = 0;  // 32     RO      counts from SystemC time 0; TMR_VAL in bits 23:0 (or 31:0),
                               //                bits 31:24 read 0 in 24-bit mode. Byte and word reads return
                               //                the covered bytes (little-endian).
constexpr unsigned kSize = 4;
constexpr uint64_t kDefaultClockHz = 3579545;  // ACPI: 3.579545 MHz (the NTSC colour burst, 315/88 MHz)
}  // namespace pmtimer

class AcpiPmTimer : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<AcpiPmTimer> socket;  // offset 0..3: PM_TMR; reads of 1, 2 or 4 bytes

  Param<uint64_t> clock_hz;
  Param<uint32_t> width_bits;
  Param<uint64_t> access_latency;

  Counter reads;

  explicit AcpiPmTimer(sc_core::sc_module_name name);

  uint32_t value_at(const sc_core::sc_time& t) const;  // the register at time t (no side effects)
  sc_core::sc_time tick_time(uint64_t n) const;        // when the n-th increment happens: ceil(n * 1e12 / clock_hz) ps

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  uint64_t mask_;
  WarnLimiter warn_;
};

}  // namespace hvsim
