// Shared by the full-platform benchmarks (bench_exits, bench_disk, bench_net): run one guest kernel
// on platforms/pc.yaml and read its statistics. SystemC elaborates once per process, so each such
// executable runs exactly one simulation (Iterations(1), manual time = host CPU time of sc_start).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "platforms/platform.h"

namespace hvsim::bench {

struct GuestRun {
  double host_seconds = 0;  // thread CPU time of sc_start()
  int exit_status = -1;     // the run's outcome (1 = the guest's debug-exit 0)
  std::unique_ptr<Platform> platform;  // kept alive: its models own the statistics stat() reads
};

// Builds platforms/pc.yaml with `opts` (kernel = HVSIM_GUEST_DIR/`guest`.elf), runs it, and sets the
// iteration time. False (and the benchmark skipped with an error) on a second call in the process.
bool run_pc_guest(benchmark::State& state, const std::string& guest, Platform::Options opts, GuestRun& out);

// Value of a statistics counter by full name ("vm0.hv.exits"); 0 if there is none.
uint64_t stat(const std::string& name);

}  // namespace hvsim::bench
