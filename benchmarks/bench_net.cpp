// Host cost of simulating one emulated-NIC packet end to end (guest driver, CSR exits to the root
// partition, 21140 descriptor engine and DMA, wire, switch, sink peer) on the default platform,
// driven by guest/net-bench (`mode=tx size=HVSIM_NET_SIZE count=2000`). One size per executable,
// since SystemC elaborates once per process. Reported: host CPU us per transmitted frame, host ns
// per exit, simulated cycles per frame (bring-up included in the host time; it is a few ms).
#include <benchmark/benchmark.h>

#include <ctime>
#include <string>
#include <systemc>

#include "models/core/stats.h"
#include "platforms/platform.h"

#ifndef HVSIM_NET_SIZE
#error "define HVSIM_NET_SIZE (frame bytes without FCS, e.g. \"60\" or \"1514\")"
#endif

namespace {

uint64_t counter(const std::string& name) {
  auto* c = dynamic_cast<const hvsim::Counter*>(hvsim::StatsRegistry::instance().find(name));
  return c ? c->value() : 0;
}

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_NetPacket(benchmark::State& state) {
  static bool ran = false;
  for (auto _ : state) {
    if (ran) {
      state.SkipWithError("SystemC elaborates once per process");
      break;
    }
    ran = true;
    hvsim::Platform::Options opts;
    opts.kernel = std::string(HVSIM_GUEST_DIR) + "/net-bench.elf";
    opts.overrides = {{"vm0.cpu0.cmdline", "mode=tx count=2000 size=" HVSIM_NET_SIZE}};
    hvsim::Platform platform(std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml", opts);
    platform.prepare();
    const double t0 = cpu_seconds();
    sc_core::sc_start();
    const double host = cpu_seconds() - t0;
    state.SetIterationTime(host);
    const uint64_t frames = counter("vm0.nic0.tx_frames");
    if (platform.outcome().exit_status != 1 || frames == 0) {
      state.SkipWithError("net-bench did not complete");
      break;
    }
    state.counters["frames"] = static_cast<double>(frames);
    state.counters["host_us_per_frame"] = host * 1e6 / static_cast<double>(frames);
    state.counters["exits"] = static_cast<double>(counter("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = host * 1e9 / static_cast<double>(counter("vm0.hv.exits"));
    state.counters["sim_cycles_per_frame"] =
        static_cast<double>(counter("vm0.cpu0.cycles")) / static_cast<double>(frames);
  }
}
BENCHMARK(BM_NetPacket)->Name("net/tx_" HVSIM_NET_SIZE)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
