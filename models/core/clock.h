// Conversions between SystemC time (1 ps resolution) and ticks of a clock, in exact integer
// arithmetic (128-bit intermediates), so no model accumulates rounding drift. The rounding is part
// of each name because models need different ones: a counter has completed floor(t * f) ticks at
// time t, tick n happens at ceil(n / f), a vCPU's cycle c is at floor(c / f), and a stall of
// duration d costs ceil(d * f) cycles.
#pragma once

#include <cstdint>
#include <systemc>

namespace hvsim::clock {

constexpr uint64_t kPsPerSecond = 1000000000000ull;
using u128 = unsigned __int128;

inline uint64_t ticks_floor(const sc_core::sc_time& t, uint64_t hz) {
  return static_cast<uint64_t>(static_cast<u128>(t.value()) * hz / kPsPerSecond);
}
inline uint64_t ticks_ceil(const sc_core::sc_time& t, uint64_t hz) {
  return static_cast<uint64_t>((static_cast<u128>(t.value()) * hz + kPsPerSecond - 1) / kPsPerSecond);
}
inline sc_core::sc_time time_floor(uint64_t ticks, uint64_t hz) {
  return sc_core::sc_time::from_value(static_cast<uint64_t>(static_cast<u128>(ticks) * kPsPerSecond / hz));
}
inline sc_core::sc_time time_ceil(uint64_t ticks, uint64_t hz) {
  return sc_core::sc_time::from_value(static_cast<uint64_t>((static_cast<u128>(ticks) * kPsPerSecond + hz - 1) / hz));
}

}  // namespace hvsim::clock
