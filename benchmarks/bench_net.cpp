// Host cost of simulating one emulated-NIC packet end to end (guest driver, CSR exits to the root
// partition, 21140 descriptor engine and DMA, wire, switch, sink peer) on the default platform,
// driven by guest/net-bench (`mode=tx size=HVSIM_NET_SIZE count=2000`). One size per executable,
// since SystemC elaborates once per process. Reported: host CPU us per transmitted frame, host ns
// per exit, simulated cycles per frame (bring-up included in the host time; it is a few ms).
#include <string>

#include "benchmarks/bench_guest_run.h"

#ifndef HVSIM_NET_SIZE
#error "define HVSIM_NET_SIZE (frame bytes without FCS, e.g. \"60\" or \"1514\")"
#endif

namespace {

using hvsim::bench::stat;

void BM_NetPacket(benchmark::State& state) {
  for (auto _ : state) {
    hvsim::Platform::Options opts;
    opts.overrides = {{"vm0.cpu0.cmdline", "mode=tx count=2000 size=" HVSIM_NET_SIZE}};
    hvsim::bench::GuestRun run;
    if (!hvsim::bench::run_pc_guest(state, "net-bench", opts, run)) break;
    const uint64_t frames = stat("vm0.nic0.tx_frames");
    if (run.exit_status != 1 || frames == 0) {
      state.SkipWithError("net-bench did not complete");
      break;
    }
    state.counters["frames"] = static_cast<double>(frames);
    state.counters["host_us_per_frame"] = run.host_seconds * 1e6 / static_cast<double>(frames);
    state.counters["exits"] = static_cast<double>(stat("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = run.host_seconds * 1e9 / static_cast<double>(stat("vm0.hv.exits"));
    state.counters["sim_cycles_per_frame"] = static_cast<double>(stat("vm0.cpu0.cycles")) / static_cast<double>(frames);
  }
}
BENCHMARK(BM_NetPacket)->Name("net/tx_" HVSIM_NET_SIZE)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
