// Host cost of simulating one emulated disk request end to end (guest driver, VM exits to the root
// partition, PIIX4 IDE, ATA disk, image file) on the default platform, driven by guest/disk-bench
// (`verify=0 mode=HVSIM_DISK_MODE size=4096`: 4 KiB sequential/random reads and writes). One mode per
// executable, since SystemC elaborates once per process. Reported: host CPU ns per disk command and per
// exit, and the simulated cycles per command.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <systemc>

#include "models/core/stats.h"
#include "platforms/platform.h"

#ifndef HVSIM_DISK_MODE
#error "define HVSIM_DISK_MODE (pio or dma)"
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

void BM_DiskRequest(benchmark::State& state) {
  static bool ran = false;
  char image[] = "/tmp/hvsim-bench-disk-XXXXXX";
  const int fd = mkstemp(image);
  if (fd < 0 || ftruncate(fd, 16 << 20) != 0) {
    state.SkipWithError("cannot create a scratch image in /tmp");
    return;
  }
  close(fd);
  for (auto _ : state) {
    if (ran) {
      state.SkipWithError("SystemC elaborates once per process");
      break;
    }
    ran = true;
    hvsim::Platform::Options opts;
    opts.kernel = std::string(HVSIM_GUEST_DIR) + "/disk-bench.elf";
    opts.disks = {{"disk0", image}};
    opts.overrides = {{"vm0.cpu0.cmdline", "verify=0 size=4096 mode=" HVSIM_DISK_MODE}};
    hvsim::Platform platform(std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml", opts);
    platform.prepare();
    const double t0 = cpu_seconds();
    sc_core::sc_start();
    const double host = cpu_seconds() - t0;
    state.SetIterationTime(host);
    const uint64_t commands = counter("vm0.disk0.commands");
    if (platform.outcome().exit_status != 1 || commands == 0) {
      state.SkipWithError("disk-bench did not complete");
      break;
    }
    state.counters["commands"] = static_cast<double>(commands);
    state.counters["host_us_per_command"] = host * 1e6 / static_cast<double>(commands);
    state.counters["exits"] = static_cast<double>(counter("vm0.hv.exits"));
    state.counters["host_ns_per_exit"] = host * 1e9 / static_cast<double>(counter("vm0.hv.exits"));
    state.counters["sim_cycles_per_command"] =
        static_cast<double>(counter("vm0.cpu0.cycles")) / static_cast<double>(commands);
  }
  std::remove(image);
}
BENCHMARK(BM_DiskRequest)->Name("disk/4KiB_" HVSIM_DISK_MODE)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
