// Debug-exit and measurement port benches: exit status encoding, ROI control of the statistics.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm>

#include "bench_harness.h"
#include "models/bus/debug_exit.h"
#include "models/bus/measure_port.h"
#include "models/core/stats.h"

using namespace hvsim;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

class Bench : public testbench::BusInitiator {
 public:
  socket_type& out = socket(0);

  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}) {}

  uint32_t read(uint64_t off, unsigned len) { return BusInitiator::read(out, off, len); }
  void write(uint64_t off, uint32_t v, unsigned len) { BusInitiator::write(out, off, v, len); }
};

}  // namespace

TEST_CASE("DebugExit: a write of v reports exit status (v << 1) | 1 to the platform", "[bus][debug_exit]") {
  Bench bench("bench");
  DebugExit dbg("debug_exit");
  bench.out.bind(dbg.socket);
  int status = -1, calls = 0;
  dbg.on_exit([&](int s) {
    status = s;
    ++calls;
  });
  bench.body = [&] {
    CHECK(bench.read(0, 1) == 0);  // QEMU's debug_exit_read returns 0
    CHECK(bench.read(0, 2) == 0);
    bench.write(0, 0x10, 1);
    CHECK(dbg.exit_requested());
    bench.write(1, 0x7F, 1);  // a second request after the first is ignored
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  CHECK(calls == 1);
  CHECK(status == 0x21);
  CHECK(dbg.exit_status() == 0x21);
  CHECK(dbg.written_value() == 0x10);
}

TEST_CASE("DebugExit: without a callback the write stops the simulation", "[bus][debug_exit]") {
  Bench bench("bench");
  DebugExit dbg("debug_exit");
  bench.out.bind(dbg.socket);
  bool after = false;
  bench.body = [&] {
    wait(sc_time(5, SC_US));
    bench.write(0, 0x0102, 2);
    wait(sc_time(1, SC_US));  // never returns: sc_stop ends the run first
    after = true;
  };
  sc_core::sc_start();
  CHECK_FALSE(after);
  CHECK(sc_core::sc_time_stamp() == sc_time(5, SC_US));
  CHECK(dbg.exit_status() == ((0x0102 << 1) | 1));
}

TEST_CASE("MeasurePort: ROI begin/end drive the statistics region of interest", "[bus][measure]") {
  Bench bench("bench");
  MeasurePort port("measure");
  bench.out.bind(port.socket);
  Counter work("test.work", "ops", "work done by the guest");
  bench.body = [&] {
    CHECK(bench.read(0, 4) == 0x48565349);  // "HVSI"
    CHECK(bench.read(3, 1) == 0x48);
    ++work;  // before the ROI
    bench.write(0, 1, 4);
    CHECK(StatsRegistry::instance().roi_active());
    work += 5;
    bench.write(0, 1, 4);  // begin while active: ignored, warned
    bench.write(0, 0xC0FFEE, 4);  // a marker inside the ROI
    bench.write(0, 2, 4);
    CHECK_FALSE(StatsRegistry::instance().roi_active());
    work += 100;  // after the ROI
    bench.write(0, 2, 4);  // end while idle: ignored, warned
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  CHECK(work.value() == 106);
  CHECK(work.roi_value() == 5);
  CHECK(StatsRegistry::instance().roi_count() == 1);
  CHECK(port.misordered.value() == 2);
  CHECK(port.markers.value() == 1);
  CHECK(port.markers.roi_value() == 1);
  CHECK(port.last_marker() == 0xC0FFEE);
  CHECK(port.roi_begins.value() == 1);
  CHECK(port.roi_ends.value() == 1);
}
