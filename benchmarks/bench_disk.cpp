// Host cost of simulating one emulated disk request end to end (guest driver, VM exits to the root
// partition, PIIX4 IDE, ATA disk, image file) on the default platform, driven by guest/disk-bench
// (`verify=0 mode=HVSIM_DISK_MODE size=4096`: 4 KiB sequential/random reads and writes). One mode per
// executable, since SystemC elaborates once per process. Reported: host CPU us per disk command and per
// exit, and the simulated cycles per command.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "benchmarks/bench_guest_run.h"

#ifndef HVSIM_DISK_MODE
#error "define HVSIM_DISK_MODE (pio or dma)"
#endif

namespace {

using hvsim::bench::stat;

void BM_DiskRequest(benchmark::State& state) {
  char image[] = "/tmp/hvsim-bench-disk-XXXXXX";
  const int fd = mkstemp(image);
  if (fd < 0 || ftruncate(fd, 16 << 20) != 0) {
    state.SkipWithError("cannot create a scratch image in /tmp");
    return;
  }
  close(fd);
  for (auto _ : state) {
    hvsim::Platform::Options opts;
    opts.disks = {{"disk0", image}};
    opts.overrides = {{"vm0.cpu0.cmdline", "verify=0 size=4096 mode=" HVSIM_DISK_MODE}};
    hvsim::bench::GuestRun run;
    if (!hvsim::bench::run_pc_guest(state, "disk-bench", opts, run)) break;
    const uint64_t commands = stat("vm0.disk0.commands");
    if (run.exit_status != 1 || commands == 0) {
      state.SkipWithError("disk-bench did not complete");
      break;
    }
    state.counters["commands"] = static_cast<double>(commands);
    state.counters["host_us_per_command"] = run.host_seconds * 1e6 / static_cast<double>(commands);
    state.counters["exits"] = static_cast<double>(stat("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = run.host_seconds * 1e9 / static_cast<double>(stat("vm0.hv.exits"));
    state.counters["sim_cycles_per_command"] =
        static_cast<double>(stat("vm0.cpu0.cycles")) / static_cast<double>(commands);
  }
  std::remove(image);
}
BENCHMARK(BM_DiskRequest)->Name("disk/4KiB_" HVSIM_DISK_MODE)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
