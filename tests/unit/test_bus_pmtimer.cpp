// ACPI PM timer bench: the value is floor(t_ps * 3579545 / 1e12) mod 2^24 at the time the read reaches
// the timer (sc_time_stamp() + annotated delay); byte/word reads, the 24-bit wrap, the 32-bit option
// and ignored writes.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm>

#include "bench_harness.h"
#include "models/bus/acpi_pm_timer.h"
#include "models/core/params.h"

using namespace hvsim;
using namespace hvsim::pmtimer;
using sc_core::sc_time;
using sc_core::SC_MS;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr uint64_t kHz = 3579545;
uint64_t ticks(const sc_time& t) { return static_cast<uint64_t>(static_cast<unsigned __int128>(t.value()) * kHz / 1000000000000ull); }
sc_time tick(uint64_t n) {
  return sc_time::from_value(static_cast<uint64_t>((static_cast<unsigned __int128>(n) * 1000000000000ull + kHz - 1) / kHz));
}

class Bench : public testbench::BusInitiator {
 public:
  socket_type& out = socket(0);

  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}) {}

  // inl / inw / inb at PMBA + 8 + off; the access reaches the timer at now + delay.
  uint32_t in(unsigned off, unsigned len, sc_time delay = SC_ZERO_TIME) { return read(out, off, len, delay); }
  void out32(uint32_t v) { write32(out, 0, v); }
};

struct Rig {
  Bench bench{"bench"};
  AcpiPmTimer timer{"pmtmr"};
  Rig() { bench.out.bind(timer.socket); }
};

}  // namespace

TEST_CASE("pmtimer: counts 3.579545 MHz from time 0 and reads 1 ms apart differ by 3580 (or 3579)", "[bus][pmtimer]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.in(0, 4) == 0);
    b.wait_until(sc_time(1, SC_MS));
    CHECK(b.in(0, 4) == 3579);  // 3579.545 ticks: floor
    b.wait_until(sc_time(2, SC_MS));
    CHECK(b.in(0, 4) == 7159);  // 7159.09
    // 1 ms = 3579.545 ticks, so two reads 1 ms apart differ by 3580 or 3579 depending on the phase.
    b.wait_until(sc_time(2500, SC_US));
    const uint32_t a = b.in(0, 4);
    b.wait_until(sc_time(3500, SC_US));
    const uint32_t c = b.in(0, 4);
    CHECK(a == 8948);   // 8948.8625
    CHECK(c == 12528);  // 12528.4075
    CHECK(c - a == 3580);
    CHECK(a == ticks(sc_time(2500, SC_US)));
    // Increments happen exactly at ceil(n * 1e12 / 3579545) ps.
    b.wait_until(tick(20000) - sc_time(1, sc_core::SC_PS));
    CHECK(b.in(0, 4) == 19999);
    CHECK(b.in(0, 4, sc_time(1, sc_core::SC_PS)) == 20000);  // the annotated delay is when the read happens
    CHECK(sc_core::sc_time_stamp() == tick(20000));
    CHECK(r.timer.tick_time(20000) == tick(20000));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.timer.reads.value() == 7);
}

TEST_CASE("pmtimer: byte and word reads return the covered bytes and writes are ignored", "[bus][pmtimer]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wait_until(sc_time(3, sc_core::SC_SEC));  // 10738635 ticks = 0xA3DBCB
    const uint32_t v = static_cast<uint32_t>(ticks(sc_time(3, sc_core::SC_SEC)));
    CHECK(v == 10738635);
    CHECK(b.in(0, 4) == v);
    CHECK(b.in(0, 1) == (v & 0xFF));
    CHECK(b.in(1, 1) == ((v >> 8) & 0xFF));
    CHECK(b.in(2, 2) == (v >> 16));
    CHECK(b.in(3, 1) == 0);       // bits 31:24 read 0 in 24-bit mode
    CHECK(b.in(3, 2) == 0xFF00);  // past the register the bus floats
    b.out32(0);
    CHECK(b.in(0, 4) == v);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pmtimer: the 24-bit counter wraps at 2^24 ticks (4.687 s)", "[bus][pmtimer]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    const sc_time wrap = tick(1ull << 24);
    CHECK(wrap == sc_time::from_value(4686968874536ull));
    b.wait_until(wrap - sc_time(1, sc_core::SC_PS));
    CHECK(b.in(0, 4) == 0xFFFFFF);
    b.wait_until(wrap);
    CHECK(b.in(0, 4) == 0);
    b.wait_until(wrap + sc_time(1, SC_MS));
    CHECK(b.in(0, 4) == ticks(wrap + sc_time(1, SC_MS)) - (1u << 24));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pmtimer: width_bits = 32 (TMR_VAL_EXT) does not wrap at 2^24", "[bus][pmtimer]") {
  ParamRegistry::instance().set_override("pmtmr.width_bits", "32", SourceLoc{"test", 0, ""});
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wait_until(tick(1ull << 24));
    CHECK(b.in(0, 4) == (1u << 24));
    CHECK(b.in(3, 1) == 1);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pmtimer: a width other than 24 or 32 is a configuration error", "[bus][pmtimer]") {
  ParamRegistry::instance().set_override("bad.width_bits", "16", SourceLoc{"test", 0, ""});
  CHECK_THROWS_AS(AcpiPmTimer("bad"), ConfigError);
}
