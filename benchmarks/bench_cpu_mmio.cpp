// (c) Host cost of one MMIO access through the whole stack: guest load/store -> Unicorn MMIO
// callback -> X86Core -> VirtualCpu -> tlm b_transport -> AddressRouter -> a trivial target
// (goal >= 2 M/s). Raw Unicorn with empty uc_mmio_map callbacks is the floor.
#include "benchmarks/bench_common.h"

using namespace hvsim;
using namespace hvsim::bench;

namespace {

constexpr uint32_t kIterations = 500000;

testkit::Code mmio_loop() {
  testkit::Code c;
  c({0xB9}).d(kIterations);                    // mov ecx, N
  c({0xBB}).d(static_cast<uint32_t>(testkit::kMmioBase));  // mov ebx, 0xf0000000
  uint64_t loop = c.here();
  c.repeat({0x89, 0x03}, 4);                   // mov [ebx], eax     x4   <- loop
  c.repeat({0x8B, 0x43, 0x04}, 4);             // mov eax, [ebx+4]   x4
  c({0x49});                                   // dec ecx
  c({0x75}).rel8(loop);                        // jnz loop
  c({0xFA, 0xF4});                             // cli ; hlt
  return c;
}
constexpr uint64_t kAccesses = 8ull * kIterations;
constexpr uint64_t kInstructions = 2 + 10ull * kIterations + 2;

void BM_RawUnicornMmio(benchmark::State& state) {
  for (auto _ : state) {
    RawHooks hooks;
    hooks.mmio = true;
    RunResult r = run_raw_unicorn(mmio_loop(), hooks);
    r.instructions = kInstructions;
    report(state, r);
  }
}

void BM_HvsimMmio(benchmark::State& state) {
  if (!claim_systemc(state)) return;
  for (auto _ : state) {
    RunResult r = run_hvsim(mmio_loop());
    if (r.accesses != kAccesses || r.instructions != kInstructions) {
      state.SkipWithError("unexpected access or instruction count");
      return;
    }
    report(state, r);
  }
}

}  // namespace

BENCHMARK(BM_RawUnicornMmio)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HvsimMmio)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
