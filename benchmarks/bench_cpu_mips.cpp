// (a) Guest MIPS of a compute loop with one RAM store per iteration: full hvsim (VirtualCpu + Memory
// + routers, default parameters: 3 GHz, CPI 1, 1 us quantum) against the same bytes on raw Unicorn
// without hooks. BM_Ratio reports hvsim MIPS / raw MIPS (goal >= 0.7).
// Built a second time with HVSIM_BENCH_NO_STORE (bench_cpu_mips_alu): the store becomes an ALU
// instruction, so Unicorn 2.0.1's slow store path no longer hides hvsim's per-block overhead.
#include <cstdio>

#include "benchmarks/bench_common.h"

using namespace hvsim;
using namespace hvsim::bench;

namespace {

constexpr uint32_t kIterations = 5000000;

// 16 instructions per iteration, one of them a store (Unicorn 2.0.1 stores take its slow path).
testkit::Code compute_loop() {
  testkit::Code c;
  c({0xB9}).d(kIterations);             // mov ecx, N
  c({0xBE}).d(0x200000);                // mov esi, 0x200000
  c({0x31, 0xC0});                      // xor eax, eax
  c({0xBB}).d(1);                       // mov ebx, 1
  uint64_t loop = c.here();
  c({0x01, 0xD8});                      // add eax, ebx           <- loop
  c({0x31, 0xC3});                      // xor ebx, eax
  c({0x8D, 0x14, 0x58});                // lea edx, [eax+ebx*2]
  c({0xC1, 0xC2, 0x03});                // rol edx, 3
  c({0x29, 0xD0});                      // sub eax, edx
  c({0x6B, 0xDB, 0x03});                // imul ebx, ebx, 3
  c({0x01, 0xCB});                      // add ebx, ecx
  c({0x89, 0xCF});                      // mov edi, ecx
  c({0x81, 0xE7}).d(0xFF);              // and edi, 0xff
#ifndef HVSIM_BENCH_NO_STORE
  c({0x89, 0x04, 0xBE});                // mov [esi+edi*4], eax   (the store)
#else
  c({0x01, 0xF8});                      // add eax, edi           (instead of the store)
#endif
  c({0xD1, 0xEA});                      // shr edx, 1
  c({0x01, 0xD0});                      // add eax, edx
  c({0x43});                            // inc ebx
  c({0x31, 0xDA});                      // xor edx, ebx
  c({0x49});                            // dec ecx
  c({0x75}).rel8(loop);                 // jnz loop
  c({0xFA, 0xF4});                      // cli ; hlt
  return c;
}
constexpr uint64_t kInstructions = 4 + 16ull * kIterations + 2;

double g_raw_mips = 0, g_hvsim_mips = 0;

void BM_RawUnicorn(benchmark::State& state) {
  for (auto _ : state) {
    RunResult r = run_raw_unicorn(compute_loop());
    r.instructions = kInstructions;  // no hooks: counted by hand
    report(state, r);
    g_raw_mips = static_cast<double>(r.instructions) / r.seconds / 1e6;
  }
}

void BM_RawUnicornBlockHook(benchmark::State& state) {
  for (auto _ : state) {
    RawHooks hooks;
    hooks.block_hook = true;
    RunResult r = run_raw_unicorn(compute_loop(), hooks);
    r.instructions = kInstructions;
    report(state, r);
  }
}

void BM_Hvsim(benchmark::State& state) {
  if (!claim_systemc(state)) return;
  for (auto _ : state) {
    RunResult r = run_hvsim(compute_loop());
    if (r.instructions != kInstructions) {
      state.SkipWithError("hvsim retired an unexpected number of instructions");
      return;
    }
    report(state, r);
    g_hvsim_mips = static_cast<double>(r.instructions) / r.seconds / 1e6;
  }
}

void BM_Ratio(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(1e-9);
  if (g_raw_mips <= 0 || g_hvsim_mips <= 0) {
    state.SkipWithError("needs BM_RawUnicorn and BM_Hvsim in the same run");
    return;
  }
  double ratio = g_hvsim_mips / g_raw_mips;
  state.counters["hvsim_over_raw"] = ratio;
#ifndef HVSIM_BENCH_NO_STORE
  const char* goal = "goal >= 0.7";
#else
  const char* goal = "store-free loop: shows hvsim's per-block overhead, no goal";
#endif
  std::printf("guest MIPS: hvsim %.1f, raw Unicorn %.1f, ratio %.2f (%s)\n", g_hvsim_mips, g_raw_mips, ratio, goal);
}

}  // namespace

BENCHMARK(BM_RawUnicorn)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RawUnicornBlockHook)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hvsim)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Ratio)->Iterations(1)->UseManualTime();
