// Host cost of simulating VM exits, hypercalls and interrupt deliveries on the full default platform
// (platforms/pc.yaml with its hypervisor), driven by guest/exit-bench. One kind per executable
// (HVSIM_EXIT_KIND), since SystemC elaborates once per process. Reported per event: host
// nanoseconds (CPU time of sc_start) and the simulated cycles each event cost the guest.
#include <string>

#include "benchmarks/bench_guest_run.h"

#ifndef HVSIM_EXIT_KIND
#error "define HVSIM_EXIT_KIND (pio, hypercall or irq)"
#endif

namespace {

using hvsim::bench::stat;

void BM_SimulatedEvent(benchmark::State& state) {
  for (auto _ : state) {
    hvsim::Platform::Options opts;
    opts.overrides = {{"vm0.cpu0.cmdline", HVSIM_EXIT_KIND}};
    hvsim::bench::GuestRun run;
    if (!hvsim::bench::run_pc_guest(state, "exit-bench", opts, run)) break;
    std::string kind = HVSIM_EXIT_KIND;
    uint64_t events = kind == "pio"         ? stat("vm0.hv.exits_by.IO_INSTRUCTION.root.testdev")
                      : kind == "hypercall" ? stat("vm0.hv.exits_by.VMCALL.hypervisor.hypercall")
                                            : stat("vm0.cpu0.interrupts");
    if (run.exit_status != 1 || events == 0) {
      state.SkipWithError("exit-bench did not complete");
      break;
    }
    state.counters["events"] = static_cast<double>(events);
    state.counters["host_ns_per_event"] = run.host_seconds * 1e9 / static_cast<double>(events);
    state.counters["sim_cycles_per_event"] = static_cast<double>(stat("vm0.cpu0.cycles")) / static_cast<double>(events);
    state.counters["exits"] = static_cast<double>(stat("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = run.host_seconds * 1e9 / static_cast<double>(stat("vm0.hv.exits"));
  }
}
BENCHMARK(BM_SimulatedEvent)->Name("exits/" HVSIM_EXIT_KIND)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
