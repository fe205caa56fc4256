#include "benchmarks/bench_guest_run.h"

#include <ctime>
#include <systemc>

#include "models/core/stats.h"

namespace hvsim::bench {

namespace {
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

bool run_pc_guest(benchmark::State& state, const std::string& guest, Platform::Options opts, GuestRun& out) {
  static bool ran = false;
  if (ran) {
    state.SkipWithError("SystemC elaborates once per process");
    return false;
  }
  ran = true;
  opts.kernel = std::string(HVSIM_GUEST_DIR) + "/" + guest + ".elf";
  out.platform = std::make_unique<Platform>(std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml", opts);
  out.platform->prepare();
  const double t0 = cpu_seconds();
  sc_core::sc_start();
  out.host_seconds = cpu_seconds() - t0;
  out.exit_status = out.platform->outcome().exit_status;
  state.SetIterationTime(out.host_seconds);
  return true;
}

uint64_t stat(const std::string& name) {
  auto* c = dynamic_cast<const Counter*>(StatsRegistry::instance().find(name));
  return c ? c->value() : 0;
}

}  // namespace hvsim::bench
