// 8254 PIT bench: the closed-form counting element against a literal per-CLK implementation of the
// datasheet's mode rules, then the chip through its ports: IRQ 0 edges at exact CLK times, counter
// latch and read-back, access modes, BCD, and counter 2 behind port 0x61 (GATE2, OUT2) as Linux's TSC
// calibration uses it.
//
// The rounding rule every expected time below follows: CLK tick n happens at ceil(n * 1e12 / 1193182)
// ps, so at time t, floor(t_ps * 1193182 / 1e12) ticks have happened; a count written at t is loaded by
// tick ticks(t) + 1 (L below), which does not count.
#include <catch2/catch.hpp>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "bench_harness.h"
#include "models/bus/pit8254.h"
#include "models/core/params.h"

using namespace hvsim;
using namespace hvsim::pit;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr uint64_t kHz = 1193182;
uint64_t ticks(const sc_time& t) { return static_cast<uint64_t>(static_cast<unsigned __int128>(t.value()) * kHz / 1000000000000ull); }
sc_time tick(uint64_t n) {
  return sc_time::from_value(static_cast<uint64_t>((static_cast<unsigned __int128>(n) * 1000000000000ull + kHz - 1) / kHz));
}

// ---- A literal per-CLK 8254 counter, written straight from the datasheet's mode descriptions ------
struct RefCounter {
  uint8_t mode;
  uint32_t modulus, n;  // n: the count (1..modulus)
  bool gate;
  uint32_t ce = 0;
  bool out = true, load_pending = true, loaded = false, armed = false;

  void clk() {
    if ((mode == 4 || mode == 5) && !out) out = true;  // the strobe lasts one CLK
    if (load_pending) {
      load_pending = false;
      loaded = true;
      switch (mode) {
        case 0: case 1: ce = n % modulus; out = false; break;
        case 2: ce = n; out = true; break;
        case 3: ce = n & ~1u; out = true; break;  // odd counts: "the initial count minus one"
        default: ce = n % modulus; out = true; armed = true; break;
      }
      return;
    }
    const bool counts = loaded && (mode == 1 || mode == 5 || gate);
    if (!counts) return;
    switch (mode) {
      case 0: case 1:
        ce = (ce + modulus - 1) % modulus;
        if (ce == 0) out = true;
        break;
      case 4: case 5:
        ce = (ce + modulus - 1) % modulus;
        if (ce == 0 && armed) { out = false; armed = false; }
        break;
      case 2:
        if (ce == 1) { ce = n; out = true; }
        else if (--ce == 1) out = false;
        break;
      default:  // 3
        if ((n & 1) && out && ce == 0) { out = false; ce = n - 1; break; }  // odd: one CLK after expiry
        ce -= 2;
        if (ce == 0) {
          if (!(n & 1)) { out = !out; ce = n; }
          else if (!out) { out = true; ce = n - 1; }
        }
        break;
    }
  }
};

}  // namespace

TEST_CASE("pit8254: closed-form counting equals the per-CLK datasheet rules in every mode", "[bus][pit]") {
  const uint32_t counts[] = {2, 3, 4, 5, 7, 10, 11};
  for (uint8_t mode = 0; mode <= 5; ++mode) {
    for (uint32_t n : counts) {
      for (bool gate : {true, false}) {
        CeConfig cfg;
        cfg.mode = mode;
        cfg.modulus = 16;  // a small modulus exercises the wrap-around of modes 0, 1, 4, 5
        cfg.count = n;
        cfg.gate = gate;
        CeState s0;
        s0.out = mode != 0;
        s0.load_pending = true;
        RefCounter ref{mode, 16, n, gate};
        ref.out = s0.out;
        std::vector<bool> outs{ref.out};
        std::vector<uint32_t> values{0};
        const unsigned horizon = 4 * 16 + 5;
        for (unsigned k = 1; k <= horizon; ++k) {
          ref.clk();
          outs.push_back(ref.out);
          values.push_back(ref.ce);
        }
        for (unsigned k = 0; k <= horizon; ++k) {
          INFO("mode " << int(mode) << " count " << n << " gate " << gate << " after " << k << " CLKs");
          const CeState s = advance(cfg, s0, k);
          REQUIRE(s.out == outs[k]);
          if (k > 0) REQUIRE(s.value % 16 == values[k] % 16);
          // From every intermediate state: the rest in one step, and the next OUT change.
          for (unsigned k2 = 0; k + k2 <= horizon; k2 += 3) REQUIRE(advance(cfg, s, k2).out == outs[k + k2]);
          const uint64_t next = ticks_to_out_change(cfg, s);
          unsigned expect = 0;
          for (unsigned j = k + 1; j <= horizon; ++j)
            if (outs[j] != outs[k]) {
              expect = j - k;
              break;
            }
          if (expect) REQUIRE(next == expect);
          else if (k + 2 * 16 + 2 < horizon) REQUIRE(next == 0);  // no change within two full wraps: never
        }
      }
    }
  }
}

namespace {

class Bench : public testbench::BusInitiator {
 public:
  socket_type& io = socket(0);   // -> socket (0x40-0x43)
  socket_type& p61 = socket(1);  // -> port61
  sc_core::sc_signal<bool> irq0{"irq0"};
  std::vector<std::pair<sc_time, bool>> edges;  // every change of irq0

  SC_HAS_PROCESS(Bench);
  // sc_stop after the body: a periodic counter never runs out of events.
  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"io", "p61"}, kStopAfterBody) {
    read_fill = 0;
    SC_METHOD(watch);
    sensitive << irq0;
    dont_initialize();
  }

  // The access reaches the PIT at sc_time_stamp() + delay (LT); the bench then waits the delay out.
  uint8_t rd(unsigned off, sc_time delay = SC_ZERO_TIME) { return read8(io, off, delay); }
  void wr(unsigned off, uint8_t v, sc_time delay = SC_ZERO_TIME) { write8(io, off, v, delay); }
  uint8_t rd61() { return read8(p61, 0); }
  void wr61(uint8_t v) { write8(p61, 0, v); }
  uint16_t rd16(unsigned off) {  // LSB then MSB
    const uint8_t lo = rd(off);
    return static_cast<uint16_t>(rd(off) << 8 | lo);
  }
  void program(unsigned counter, uint8_t mode, uint16_t count, bool bcd = false) {
    wr(kControl, static_cast<uint8_t>(counter << kCwSelectShift | kCwRwWord << kCwRwShift | mode << kCwModeShift |
                                      (bcd ? kCwBcd : 0)));
    wr(counter, static_cast<uint8_t>(count));
    wr(counter, static_cast<uint8_t>(count >> 8));
  }
  std::vector<sc_time> rising() const {
    std::vector<sc_time> v;
    for (auto& [t, level] : edges)
      if (level) v.push_back(t);
    return v;
  }
  std::vector<sc_time> falling() const {
    std::vector<sc_time> v;
    for (auto& [t, level] : edges)
      if (!level) v.push_back(t);
    return v;
  }

 private:
  void watch() { edges.emplace_back(sc_core::sc_time_stamp(), irq0.read()); }
};

struct Rig {
  Bench bench{"bench"};
  Pit8254 pit{"pit"};
  Rig() {
    bench.io.bind(pit.socket);
    bench.p61.bind(pit.port61);
    pit.irq0.bind(bench.irq0);
  }
};

}  // namespace

TEST_CASE("pit8254: mode 2 rate generator raises IRQ 0 every N CLKs at exact times", "[bus][pit]") {
  Rig r;
  const uint16_t n = 1000;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(r.pit.ticks_at(tick(12345)) == 12345);
    CHECK(r.pit.ticks_at(tick(12345) - sc_time(1, sc_core::SC_PS)) == 12344);
    b.wait_until(sc_time(1300, SC_NS));
    b.program(kCounter0, 2, n);  // 0x34: what Linux's PIT clockevent writes for periodic mode
    const uint64_t load = ticks(sc_time(1300, SC_NS)) + 1;
    CHECK(load == 2);
    b.wait_until(tick(load + 5 * n) + sc_time(1, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  const auto rise = r.bench.rising();
  const auto fall = r.bench.falling();
  // The control word sets OUT high at once (a rising edge), then OUT is low during count 1 of every
  // period: low at tick L + mN - 1, high again at tick L + mN.
  REQUIRE(rise.size() == 6);
  REQUIRE(fall.size() == 5);
  CHECK(rise[0] == sc_time(1300, SC_NS));
  for (unsigned m = 1; m <= 5; ++m) {
    CHECK(rise[m] == tick(2 + m * n));
    CHECK(fall[m - 1] == tick(2 + m * n - 1));
  }
  // The rounding rule in numbers: tick 1002 at ceil(1002e12 / 1193182) ps.
  CHECK(rise[1] == sc_time::from_value(839771301ull));
  CHECK(fall[0] == sc_time::from_value(838933206ull));
  CHECK(rise[2] == sc_time::from_value(1677866411ull));
  CHECK(r.pit.irq0_edges.value() == 6);
}

TEST_CASE("pit8254: counter latch reads a decreasing count consistent with time", "[bus][pit]") {
  Rig r;
  const uint16_t n = 1000;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 2, n);
    const uint64_t load = 1;  // written at time 0
    uint16_t last = 0xFFFF;
    for (sc_time t : {sc_time(1, SC_US), sc_time(5, SC_US), sc_time(100, SC_US), sc_time(700, SC_US)}) {
      b.wait_until(t);
      b.wr(kControl, 0x00);  // counter 0 latch command
      const uint16_t v = b.rd16(kCounter0);
      INFO("at " << t.to_string());
      CHECK(v == n - (ticks(t) - load) % n);
      CHECK(v < last);
      last = v;
    }
    // The latch holds its value however long the guest takes to read it; a second latch command is
    // ignored until the first latch was read out.
    b.wait_until(sc_time(800, SC_US));
    b.wr(kControl, 0x00);
    const uint16_t at800 = static_cast<uint16_t>(n - (ticks(sc_time(800, SC_US)) - load) % n);
    b.wait_until(sc_time(810, SC_US));
    b.wr(kControl, 0x00);
    CHECK(b.rd16(kCounter0) == at800);
    // Without a latch the two bytes come from the live counter at two different times.
    b.wait_until(sc_time(900, SC_US));
    const uint8_t lo = b.rd(kCounter0);
    const uint8_t hi = b.rd(kCounter0, sc_time(20, SC_US));
    CHECK(lo == static_cast<uint8_t>(n - (ticks(sc_time(900, SC_US)) - load) % n));
    CHECK(hi == static_cast<uint8_t>((n - (ticks(sc_time(920, SC_US)) - load) % n) >> 8));
    // The annotated delay is when the access happens: a latch at now + 3 us.
    b.wr(kControl, 0x00, sc_time(3, SC_US));
    const sc_time latched_at = sc_core::sc_time_stamp();
    CHECK(b.rd16(kCounter0) == n - (ticks(latched_at) - load) % n);
    CHECK(r.pit.count_at(kCounter0, latched_at) == n - (ticks(latched_at) - load) % n);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pit8254: mode 0 one-shot raises OUT once after N + 1 CLKs and the count wraps", "[bus][pit]") {
  Rig r;
  const uint16_t n = 100;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wait_until(sc_time(10, SC_US));
    b.program(kCounter0, 0, n);  // 0x30
    const uint64_t load = ticks(sc_time(10, SC_US)) + 1;
    b.wait_until(tick(load + n) - sc_time(1, sc_core::SC_PS));
    CHECK_FALSE(r.pit.out_at(kCounter0, sc_core::sc_time_stamp()));
    b.wait_until(sc_time(1, sc_core::SC_MS));
    b.wr(kControl, 0x00);
    // Past terminal count the counter keeps going: 0, 0xFFFF, 0xFFFE, ...
    const uint64_t elapsed = ticks(sc_time(1, sc_core::SC_MS)) - load;
    CHECK(b.rd16(kCounter0) == static_cast<uint16_t>(n - elapsed));
    // A new count restarts the one-shot: OUT drops at once and rises N + 1 CLKs later.
    b.wr(kCounter0, 50);
    b.wr(kCounter0, 0);
    b.wait_until(sc_time(2, sc_core::SC_MS));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  const uint64_t load = ticks(sc_time(10, SC_US)) + 1;
  const uint64_t reload = ticks(sc_time(1, sc_core::SC_MS)) + 1;
  REQUIRE(r.bench.edges.size() == 3);
  CHECK(r.bench.edges[0] == std::make_pair(tick(load + n), true));
  CHECK(r.bench.edges[1] == std::make_pair(sc_time(1, sc_core::SC_MS), false));  // the LSB write
  CHECK(r.bench.edges[2] == std::make_pair(tick(reload + 50), true));
}

TEST_CASE("pit8254: mode 0 stops counting while the first byte of a two-byte count is written", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 0, 1000);
    b.wait_until(sc_time(100, SC_US));
    b.wr(kCounter0, 0x34);  // LSB only: counting stops here
    const uint16_t frozen = static_cast<uint16_t>(1000 - (ticks(sc_time(100, SC_US)) - 1));
    b.wait_until(sc_time(200, SC_US));
    b.wr(kControl, 0x00);
    CHECK(b.rd16(kCounter0) == frozen);
    b.wr(kCounter0, 0x12);  // MSB: 0x1234 loads on the next CLK
    b.wait_until(sc_time(300, SC_US));
    b.wr(kControl, 0x00);
    CHECK(b.rd16(kCounter0) == 0x1234 - (ticks(sc_time(300, SC_US)) - (ticks(sc_time(200, SC_US)) + 1)));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pit8254: mode 3 square wave with an odd count is high (N+1)/2 and low (N-1)/2 CLKs", "[bus][pit]") {
  Rig r;
  const uint16_t n = 1001;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 3, n);  // 0x36: the PC BIOS's 18.2 Hz timer mode
    b.wait_until(tick(1 + 3 * n) + sc_time(1, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  const auto rise = r.bench.rising();
  const auto fall = r.bench.falling();
  REQUIRE(rise.size() == 4);  // the control word, then one per period
  REQUIRE(fall.size() == 3);
  CHECK(rise[0] == SC_ZERO_TIME);
  for (unsigned m = 0; m < 3; ++m) {
    CHECK(fall[m] == tick(1 + m * n + (n + 1) / 2));
    CHECK(rise[m + 1] == tick(1 + (m + 1) * n));
  }
}

TEST_CASE("pit8254: read-back command latches status and count and null count clears at the load", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wait_until(sc_time(10, SC_US));
    b.program(kCounter0, 2, 500);
    // Same instant as the count write: the count is not in CE yet.
    b.wr(kControl, 0xE2);  // read-back, status only, counter 0
    CHECK(b.rd(kCounter0) == (kStOut | kStNullCount | 0x34));
    b.wait_until(sc_time(20, SC_US));
    b.wr(kControl, 0xC2);  // read-back, status and count, counter 0
    CHECK(b.rd(kCounter0) == (kStOut | 0x34));  // status first
    CHECK(b.rd16(kCounter0) == 500 - (ticks(sc_time(20, SC_US)) - (ticks(sc_time(10, SC_US)) + 1)));
    // Counter 1 in mode 0, LSB only: status shows OUT low and the programmed bits.
    b.wr(kControl, 0x50);  // counter 1, LSB, mode 0, binary
    b.wr(kCounter1, 7);
    b.wait_until(sc_time(30, SC_US));
    b.wr(kControl, 0xE4);  // status of counter 1
    CHECK(b.rd(kCounter1) == (kStOut | 0x10));  // 7 + 1 CLKs (6.7 us) are long over: OUT high
    b.wr(kControl, 0xD4);  // count of counter 1: LSB only
    CHECK(b.rd(kCounter1) == static_cast<uint8_t>(7 - (ticks(sc_time(30, SC_US)) - (ticks(sc_time(20, SC_US)) + 1))));
    CHECK(b.rd(kControl) == 0xFF);  // the control register cannot be read
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pit.latches.value() == 4);
}

TEST_CASE("pit8254: BCD counting divides by the decimal count and reads back BCD digits", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 2, 0x0100, true);  // 100 decimal
    b.wait_until(sc_time(30, SC_US));        // 35 ticks: the counter reads 100 - 35 = 65
    CHECK(ticks(sc_time(30, SC_US)) == 35);
    b.wr(kControl, 0x00);
    CHECK(b.rd16(kCounter0) == 0x0066);  // tick 1 loaded 100; 34 decrements
    b.wait_until(tick(1 + 3 * 100) + sc_time(1, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  const auto rise = r.bench.rising();
  REQUIRE(rise.size() == 4);
  CHECK(rise[1] == tick(101));
  CHECK(rise[3] == tick(301));
}

TEST_CASE("pit8254: counter 2 at port 0x61 runs the Linux TSC calibration loop", "[bus][pit]") {
  Rig r;
  const uint16_t latch = 11932;  // Linux pit_calibrate_tsc: 10 ms worth of CLKs
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.rd61() == 0x00);
    b.wait_until(sc_time(5, SC_US));
    b.wr61(static_cast<uint8_t>((b.rd61() & ~kP61SpeakerData) | kP61Gate2));  // gate high, speaker off
    b.wr(kControl, 0xB0);  // counter 2, LSB/MSB, mode 0, binary
    b.wr(kCounter2, latch & 0xFF);
    b.wr(kCounter2, latch >> 8);
    const uint64_t load = ticks(sc_time(5, SC_US)) + 1;
    unsigned polls = 0;
    while (!(b.rd61() & kP61Out2)) {
      ++polls;
      wait(sc_time(10, SC_US));
    }
    const sc_time seen = sc_core::sc_time_stamp();
    CHECK(seen >= tick(load + latch));
    CHECK(seen < tick(load + latch) + sc_time(10, SC_US));
    CHECK(polls == 1001);  // polls at 5 us + 10 us * i, i = 0..1000, all before tick 11938 (10.00518 ms)
    CHECK_FALSE(r.pit.out_at(kCounter2, tick(load + latch) - sc_time(1, sc_core::SC_PS)));
    CHECK(r.pit.out_at(kCounter2, tick(load + latch)));
    // IRQ 0 is not involved.
    CHECK(r.bench.edges.empty());
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pit8254: GATE2 low pauses mode 0 and restarts mode 1/5 one-shots", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    // Mode 0 with the gate low from the start: loaded, but not counting.
    b.program(kCounter2, 0, 100);
    b.wait_until(sc_time(100, SC_US));
    b.wr(kControl, 0x80);  // latch counter 2
    CHECK(b.rd16(kCounter2) == 100);
    b.wr61(kP61Gate2);  // counting starts at the next CLK
    const uint64_t start = ticks(sc_time(100, SC_US));
    b.wait_until(sc_time(150, SC_US));
    b.wr61(0);  // pause after ticks(150 us) - start CLKs
    const uint64_t ran = ticks(sc_time(150, SC_US)) - start;
    b.wait_until(sc_time(300, SC_US));
    CHECK_FALSE(b.rd61() & kP61Out2);
    b.wr61(kP61Gate2);
    const uint64_t resume = ticks(sc_time(300, SC_US));
    CHECK_FALSE(r.pit.out_at(kCounter2, tick(resume + (100 - ran)) - sc_time(1, sc_core::SC_PS)));
    CHECK(r.pit.out_at(kCounter2, tick(resume + (100 - ran))));

    // Mode 1: OUT goes low on the CLK after a GATE rising edge and high N CLKs later.
    b.wr61(0);
    b.program(kCounter2, 1, 20);
    b.wait_until(sc_time(500, SC_US));
    CHECK(b.rd61() & kP61Out2);  // high until triggered
    b.wr61(kP61Gate2);
    const uint64_t trig = ticks(sc_time(500, SC_US)) + 1;
    CHECK(r.pit.out_at(kCounter2, tick(trig) - sc_time(1, sc_core::SC_PS)));
    CHECK_FALSE(r.pit.out_at(kCounter2, tick(trig)));
    CHECK_FALSE(r.pit.out_at(kCounter2, tick(trig + 20) - sc_time(1, sc_core::SC_PS)));
    CHECK(r.pit.out_at(kCounter2, tick(trig + 20)));

    // Mode 5: a one-CLK strobe N CLKs after the CLK that follows the trigger.
    b.wr61(0);
    b.program(kCounter2, 5, 20);
    b.wait_until(sc_time(700, SC_US));
    b.wr61(kP61Gate2);
    const uint64_t trig5 = ticks(sc_time(700, SC_US)) + 1;
    CHECK(r.pit.out_at(kCounter2, tick(trig5 + 20) - sc_time(1, sc_core::SC_PS)));
    CHECK_FALSE(r.pit.out_at(kCounter2, tick(trig5 + 20)));
    CHECK(r.pit.out_at(kCounter2, tick(trig5 + 21)));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pit8254: mode 4 strobes OUT0 low for one CLK", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 4, 30);  // OUT high from the control word on
    b.wait_until(sc_time(100, SC_US));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  REQUIRE(r.bench.edges.size() == 3);
  CHECK(r.bench.edges[0] == std::make_pair(SC_ZERO_TIME, true));
  CHECK(r.bench.edges[1] == std::make_pair(tick(1 + 30), false));
  CHECK(r.bench.edges[2] == std::make_pair(tick(1 + 31), true));
}

TEST_CASE("pit8254: port 0x61 refresh toggle flips every 18 CLKs and bits 3:0 read back", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr61(0xFE);  // bits 7:4 are read-only; GATE2 stays low
    CHECK((b.rd61() & 0x0F) == 0x0E);
    b.wait_until(tick(18) - sc_time(1, sc_core::SC_PS));
    CHECK_FALSE(b.rd61() & kP61Refresh);
    b.wait_until(tick(18));
    CHECK(b.rd61() & kP61Refresh);
    b.wait_until(tick(36));
    CHECK_FALSE(b.rd61() & kP61Refresh);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pit8254: bios_setup starts counter 0 at 18.2 Hz in mode 2", "[bus][pit]") {
  ParamRegistry::instance().set_override("pit.bios_setup", "true", SourceLoc{"test", 0, ""});
  Rig r;
  r.bench.body = [&] { r.bench.wait_until(tick(1 + 2 * 65536) + sc_time(1, SC_NS)); };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  const auto rise = r.bench.rising();
  REQUIRE(rise.size() == 3);
  CHECK(rise[0] == SC_ZERO_TIME);
  CHECK(rise[1] == tick(1 + 65536));
  CHECK(rise[2] == tick(1 + 2 * 65536));
}

TEST_CASE("pit8254: an access annotated ahead of SystemC time keeps the earlier OUT0 edges", "[bus][pit]") {
  Rig r;
  const uint16_t n = 100;
  const sc_time ahead(250, SC_US);  // a vCPU running a quantum ahead (LT)
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.program(kCounter0, 2, n);
    // At global time 0, a control word that takes effect at 250 us: mode 0 drops OUT0 then. The edges
    // the old programming makes before 250 us must still happen, at their own times.
    b.wr(kControl, 0x30, ahead);
    CHECK(sc_core::sc_time_stamp() == ahead);
    b.wr(kCounter0, 10);
    b.wr(kCounter0, 0);
    b.wait_until(sc_time(400, SC_US));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  std::vector<std::pair<sc_time, bool>> expect{{SC_ZERO_TIME, true}};
  for (uint64_t m = 1; tick(1 + m * n) < ahead; ++m) {
    expect.emplace_back(tick(1 + m * n - 1), false);
    expect.emplace_back(tick(1 + m * n), true);
  }
  REQUIRE(expect.size() == 5);  // periods end at ticks 101 and 201; 250 us is tick 298
  expect.emplace_back(ahead, false);
  expect.emplace_back(tick(ticks(ahead) + 1 + 10), true);
  CHECK(r.bench.edges == expect);
}

TEST_CASE("pit8254: LSB-only and MSB-only access modes", "[bus][pit]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kControl, 0x24);  // counter 0, MSB only, mode 2: count 0x0200
    b.wr(kCounter0, 0x02);
    b.wr(kControl, 0x54);  // counter 1, LSB only, mode 2: count 0x00C8
    b.wr(kCounter1, 0xC8);
    b.wait_until(sc_time(100, SC_US));  // tick 119: 118 CLKs after the load
    CHECK(ticks(sc_time(100, SC_US)) == 119);
    CHECK(b.rd(kCounter0) == ((512 - 118) >> 8));  // one byte per read, no toggling
    CHECK(b.rd(kCounter0) == ((512 - 118) >> 8));
    CHECK(b.rd(kCounter1) == 200 - 118);
    b.wr(kControl, 0x40);  // latch counter 1
    b.wait_until(sc_time(110, SC_US));
    CHECK(b.rd(kCounter1) == 200 - 118);  // one read empties an LSB-only latch...
    CHECK(b.rd(kCounter1) == 200 - (ticks(sc_time(110, SC_US)) - 1));  // ...then the live count
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}
