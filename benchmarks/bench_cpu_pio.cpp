// (b) Host cost of one port write through the whole stack: guest OUT -> Unicorn IN/OUT hook ->
// X86Core -> VirtualCpu -> tlm b_transport -> AddressRouter -> a trivial target (goal >= 5 M/s).
// Raw Unicorn with an empty OUT hook is the floor.
#include "benchmarks/bench_common.h"

using namespace hvsim;
using namespace hvsim::bench;

namespace {

constexpr uint32_t kIterations = 1000000;
constexpr unsigned kOutsPerIteration = 8;

testkit::Code out_loop() {
  testkit::Code c;
  c({0xB9}).d(kIterations);                    // mov ecx, N
  uint64_t loop = c.here();
  c.repeat({0xE6, 0x80}, kOutsPerIteration);   // out 0x80, al  x8     <- loop
  c({0x49});                                   // dec ecx
  c({0x75}).rel8(loop);                        // jnz loop
  c({0xFA, 0xF4});                             // cli ; hlt
  return c;
}
constexpr uint64_t kInstructions = 1 + (kOutsPerIteration + 2ull) * kIterations + 2;

void BM_RawUnicornOutHook(benchmark::State& state) {
  for (auto _ : state) {
    RawHooks hooks;
    hooks.out_hook = true;
    RunResult r = run_raw_unicorn(out_loop(), hooks);
    r.instructions = kInstructions;
    report(state, r);
  }
}

void BM_HvsimPortWrite(benchmark::State& state) {
  if (!claim_systemc(state)) return;
  for (auto _ : state) {
    RunResult r = run_hvsim(out_loop());
    if (r.accesses != uint64_t{kOutsPerIteration} * kIterations || r.instructions != kInstructions) {
      state.SkipWithError("unexpected access or instruction count");
      return;
    }
    report(state, r);
  }
}

}  // namespace

BENCHMARK(BM_RawUnicornOutHook)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HvsimPortWrite)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
