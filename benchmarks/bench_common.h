// Shared pieces of the simulator-speed benchmarks: a minimal hvsim platform (VirtualCpu + Memory +
// an MMIO and a port-I/O AddressRouter with trivial targets) and the same guest run directly on raw
// Unicorn, so every number comes with its baseline.
//
// SystemC elaborates once per process: each benchmark executable runs at most one hvsim
// simulation (guarded by claim_systemc()), with Iterations(1) and manual timing of sc_start() only.
// The manual time is the thread's CPU time (the host is shared); wall time is the wall_s counter.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/address_router.h"
#include "models/bus/memory.h"
#include "models/cpu/virtual_cpu.h"
#include "tests/unit/test_kernel.h"

namespace hvsim::bench {

// A target that does the least a device can do: answer OK (reads return 0) and count.
class NullTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<NullTarget> socket;
  uint64_t accesses = 0;
  explicit NullTarget(const sc_core::sc_module_name& name);

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
};

struct RunResult {
  double seconds = 0;          // host CPU time of the run (sc_start / uc_emu_start only)
  double wall_seconds = 0;     // host wall time of the same
  uint64_t instructions = 0;   // guest instructions retired
  uint64_t accesses = 0;       // device accesses served by the target(s)
  std::string outcome;
};

// Runs the 32-bit guest `code` (loaded at 1 MiB, ending in cli; hlt) on the full hvsim stack.
// The environment variable HVSIM_BENCH_PARAMS="quantum_ps=10000000,cpi=2" adds vCPU overrides.
// The null MMIO target sits at testkit::kMmioBase, the null port target serves every port.
RunResult run_hvsim(const testkit::Code& code, const std::map<std::string, std::string>& cpu_params = {});

// Runs the same bytes on raw Unicorn (UC_MODE_32, RAM via uc_mem_map, no hooks unless given).
struct RawHooks {
  bool out_hook = false;   // count OUTs (UC_HOOK_INSN), as cheaply as Unicorn allows
  bool mmio = false;       // uc_mmio_map a counting window at testkit::kMmioBase
  bool block_hook = false; // an empty UC_HOOK_BLOCK: the floor of any per-block accounting
};
RunResult run_raw_unicorn(const testkit::Code& code, const RawHooks& hooks = {});

// True the first time only: the process may elaborate one SystemC simulation.
bool claim_systemc(benchmark::State& state);

// Fills the usual counters: MIPS, guest instructions, wall seconds (and accesses/s, ns/access).
void report(benchmark::State& state, const RunResult& r);

}  // namespace hvsim::bench
