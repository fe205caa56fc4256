#include "models/core/clock.h"
#include "models/bus/acpi_pm_timer.h"

#include "models/core/log.h"

namespace hvsim {

using namespace pmtimer;

AcpiPmTimer::AcpiPmTimer(sc_core::sc_module_name name)
    : sc_module(name),
      socket("socket"),
      clock_hz(this, "clock_hz", kDefaultClockHz, "Hz", "timer input clock; ACPI fixes it at 3.579545 MHz"),
      width_bits(this, "width_bits", 24, "bits",
                 "counter width: 24 (PIIX4, FADT TMR_VAL_EXT = 0) or 32 (TMR_VAL_EXT = 1); the FADT must agree"),
      access_latency(this, "access_latency", 0, "ps",
                     "added to every read; 0 because the hypervisor model charges the exit and the device emulation"),
      reads(this, "reads", "accesses", "guest reads of PM_TMR") {
  if (width_bits.get() != 24 && width_bits.get() != 32)
    throw ConfigError(width_bits.source(), "parameter " + width_bits.name() + " must be 24 or 32");
  if (clock_hz.get() == 0) throw ConfigError(clock_hz.source(), "parameter " + clock_hz.name() + " must not be 0");
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::logic_error("AcpiPmTimer needs the SystemC time resolution of 1 ps");
  mask_ = (1ull << width_bits.get()) - 1;
  socket.register_b_transport(this, &AcpiPmTimer::b_transport);
}

uint32_t AcpiPmTimer::value_at(const sc_core::sc_time& t) const {
  return static_cast<uint32_t>(clock::ticks_floor(t, clock_hz.get()) & mask_);
}

sc_core::sc_time AcpiPmTimer::tick_time(uint64_t n) const {
  return clock::time_ceil(n, clock_hz.get());
}

void AcpiPmTimer::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const sc_core::sc_time t = sc_core::sc_time_stamp() + delay;  // when the read reaches the timer
  delay += sc_core::sc_time::from_value(access_latency.get());
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  const uint64_t off = trans.get_address();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (trans.is_write()) {
    if (warn_.allow())
      HVSIM_WARN(name(), "%u-byte write to read-only PM_TMR (offset %llu) ignored", len,
                 static_cast<unsigned long long>(off));
    return;
  }
  if (!trans.is_read()) return;
  ++reads;
  const uint32_t v = value_at(t);
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t o = off + i;
    data[i] = o < kSize ? static_cast<uint8_t>(v >> (8 * o)) : 0xFF;  // past the register: the bus floats
  }
}

}  // namespace hvsim
