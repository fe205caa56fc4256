// Host cost of simulating VM exits, hypercalls and interrupt deliveries on the full default platform
// (platforms/pc.yaml with its hypervisor), driven by guest/exit-bench. One kind per executable
// (HVSIM_EXIT_KIND), since SystemC elaborates once per process. Reported per event: host
// nanoseconds (CPU time of sc_start) and the simulated cycles each event cost the guest.
#include <benchmark/benchmark.h>

#include <ctime>
#include <string>
#include <systemc>

#include "models/core/stats.h"
#include "platforms/platform.h"

#ifndef HVSIM_EXIT_KIND
#error "define HVSIM_EXIT_KIND (pio, hypercall or irq)"
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

void BM_SimulatedEvent(benchmark::State& state) {
  static bool ran = false;
  for (auto _ : state) {
    if (ran) {
      state.SkipWithError("SystemC elaborates once per process");
      break;
    }
    ran = true;
    hvsim::Platform::Options opts;
    opts.kernel = std::string(HVSIM_GUEST_DIR) + "/exit-bench.elf";
    opts.overrides = {{"vm0.cpu0.cmdline", HVSIM_EXIT_KIND}};
    hvsim::Platform platform(std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml", opts);
    platform.prepare();
    double t0 = cpu_seconds();
    sc_core::sc_start();
    double host = cpu_seconds() - t0;
    state.SetIterationTime(host);
    std::string kind = HVSIM_EXIT_KIND;
    uint64_t events = kind == "pio"         ? counter("vm0.hv.exits_by.IO_INSTRUCTION.root.testdev")
                      : kind == "hypercall" ? counter("vm0.hv.exits_by.VMCALL.hypervisor.hypercall")
                                            : counter("vm0.cpu0.interrupts");
    if (platform.outcome().exit_status != 1 || events == 0) {
      state.SkipWithError("exit-bench did not complete");
      break;
    }
    state.counters["events"] = static_cast<double>(events);
    state.counters["host_ns_per_event"] = host * 1e9 / static_cast<double>(events);
    state.counters["sim_cycles_per_event"] =
        static_cast<double>(counter("vm0.cpu0.cycles")) / static_cast<double>(events);
    state.counters["exits"] = static_cast<double>(counter("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = host * 1e9 / static_cast<double>(counter("vm0.hv.exits"));
  }
}
BENCHMARK(BM_SimulatedEvent)->Name("exits/" HVSIM_EXIT_KIND)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
