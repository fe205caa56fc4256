// vCPU time model (models/cpu/virtual_cpu.h): exact retired-instruction counts, cycles = retired x CPI
// (floored) + device stall cycles, RDTSC = simulated cycles, quantum synchronisation without drift,
// and the simulated-time limit. Every guest is hand-encoded machine code (32-bit protected mode unless
// said otherwise) loaded at 1 MiB; every expected value is counted by hand in the comments.
#include <catch2/catch.hpp>

#include "tests/unit/test_kernel.h"

using namespace hvsim;
using namespace hvsim::testkit;
using sc_core::sc_time;

namespace {

constexpr uint64_t kPs = 1000000000000ull;  // ps per second

// floor(cycles x 1e12 / clock_hz) ps: the time a cycle count stands for, computed independently.
sc_time cycles_time(uint64_t cycles, uint64_t clock_hz) {
  return sc_time::from_value(static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * kPs / clock_hz));
}

// The counting loop used by the instruction-count tests:
//   0x100000  B9 n32              mov ecx, N
//   0x100005  FF 05 00 00 20 00   inc dword [0x200000]      <- loop
//   0x10000B  49                  dec ecx
//   0x10000C  75 F7               jnz loop
//   0x10000E  A1 00 00 20 00      mov eax, [0x200000]
//   0x100013  E7 E4               out 0xe4, eax             ; reports N
//   0x100015  FA                  cli
//   0x100016  F4                  hlt
// Retired: 1 + 3N + 4 = 3N + 5 (cli and hlt included). The OUT is instruction number 3N + 3.
Code counting_loop(uint32_t n) {
  Code c;
  c({0xB9}).d(n);                                  // mov ecx, N
  uint64_t loop = c.here();
  c({0xFF, 0x05}).d(0x200000);                     // inc dword [0x200000]
  c({0x49});                                       // dec ecx
  c({0x75}).rel8(loop);                            // jnz loop
  c({0xA1}).d(0x200000);                           // mov eax, [0x200000]
  c({0xE7, 0xE4});                                 // out 0xe4, eax
  c({0xFA, 0xF4});                                 // cli ; hlt
  REQUIRE(loop == 0x100005);
  REQUIRE(c.bytes().size() == 0x17);
  return c;
}

void check_counting_loop(const char* cpi, uint64_t cpi_ppm) {
  constexpr uint32_t kN = 100000;
  constexpr uint64_t kRetired = 3ull * kN + 5;
  const uint64_t cycles = kRetired * cpi_ppm / 1000000;  // floor
  TempKernel k(KernelSpec::elf32(counting_loop(kN)));
  CpuBench b(k.path(), {{"cpi", cpi}});
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  CHECK(b.cpu.outcome().exit_status == 0);
  CHECK(b.cpu.instructions() == kRetired);
  CHECK(b.cpu.cycles() == cycles);
  CHECK(counter("cpu.instructions") == kRetired);
  CHECK(counter("cpu.cycles") == cycles);
  CHECK(counter("cpu.stall_cycles") == 0);
  CHECK(b.ram_u32(0x200000) == kN);  // the stores went to the Memory model's storage (DMI)
  REQUIRE(b.ports.log.size() == 1);
  CHECK(b.ports.log[0].value == kN);
  CHECK(b.ports.log[0].instructions == 3ull * kN + 3);
  CHECK(b.ports.log[0].local_time == cycles_time((3ull * kN + 3) * cpi_ppm / 1000000, 3000000000ull));
  // The run ends exactly at the vCPU's own time.
  CHECK(sc_core::sc_time_stamp() == cycles_time(cycles, 3000000000ull));
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(b.cpu.cycles()));
}

}  // namespace

TEST_CASE("cpu: exact instruction count of a loop, CPI 1.0", "[cpu]") { check_counting_loop("1.0", 1000000); }

TEST_CASE("cpu: exact instruction count of a loop, CPI 1.5 (cycles floored)", "[cpu]") {
  // 300005 x 1.5 = 450007.5 -> 450007 cycles.
  check_counting_loop("1.5", 1500000);
}

TEST_CASE("cpu: RDTSC returns simulated cycles, including device stalls", "[cpu]") {
  // CPI 2, 3 GHz; port 0xD0 annotates 100 ns = 300 cycles.
  Code c;
  c.repeat({0x90}, 5);             // 0-4   nop x5
  c({0x0F, 0x31});                 // 5     rdtsc           -> 5 x 2 = 10
  c({0x89, 0xC6});                 // 6     mov esi, eax
  c({0x89, 0xD7});                 // 7     mov edi, edx
  c.repeat({0x90}, 3);             // 8-10  nop x3
  c({0xE6, 0xD0});                 // 11    out 0xd0, al    ; +300 stall cycles
  c({0x90});                       // 12    nop
  c({0x0F, 0x31});                 // 13    rdtsc           -> 13 x 2 + 300 = 326
  c({0x89, 0xC3});                 // 14    mov ebx, eax
  c({0x89, 0xD1});                 // 15    mov ecx, edx
  c({0x89, 0xF0})({0xE7, 0xE4});   // 16,17 mov eax, esi ; out 0xe4, eax
  c({0x89, 0xF8})({0xE7, 0xE4});   // 18,19 mov eax, edi ; out 0xe4, eax
  c({0x89, 0xD8})({0xE7, 0xE4});   // 20,21 mov eax, ebx ; out 0xe4, eax
  c({0x89, 0xC8})({0xE7, 0xE4});   // 22,23 mov eax, ecx ; out 0xe4, eax
  c({0xB9}).d(3);                  // 24    mov ecx, 3
  uint64_t loop = c.here();        //       loop: (a block entered three times, the RDTSC hook stays)
  c({0x0F, 0x31});                 // 25/29/33 rdtsc    -> 350, 358, 366
  c({0xE7, 0xE4});                 // 26/30/34 out 0xe4, eax
  c({0x49});                       // 27/31/35 dec ecx
  c({0x75}).rel8(loop);            // 28/32/36 jnz loop
  c({0xFA, 0xF4});                 // 37,38 cli ; hlt  -> 39 instructions, 39 x 2 + 300 = 378 cycles
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"cpi", "2"}, {"clock_hz", "3000000000"}});
  b.ports.delay_at[0xD0] = sc_time(100, sc_core::SC_NS);
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  std::vector<uint64_t> tsc;
  for (auto& a : b.ports.log)
    if (a.address == 0xE4) tsc.push_back(a.value);
  REQUIRE(tsc.size() == 7);
  CHECK(tsc[0] == 10);   // first RDTSC: 5 instructions before it x CPI 2
  CHECK(tsc[1] == 0);
  CHECK(tsc[2] == 326);  // 8 instructions later x 2 + 300 stall cycles
  CHECK(tsc[2] - tsc[0] == 8 * 2 + 300);
  CHECK(tsc[3] == 0);
  CHECK(tsc[4] == 350);
  CHECK(tsc[5] == 358);
  CHECK(tsc[6] == 366);
  CHECK(b.cpu.instructions() == 39);
  CHECK(b.cpu.cycles() == 378);
  CHECK(counter("cpu.rdtsc") == 5);
  CHECK(counter("cpu.stall_cycles") == 300);
}

TEST_CASE("cpu: device delay adds ceil(delay x f) stall cycles per access", "[cpu]") {
  // 3 GHz: 100 ns -> 300 cycles exactly; 10.001 ns -> 30.003 -> 31 cycles (rounded up).
  Code c;
  c({0xE6, 0xD0});   // 0 out 0xd0, al   +300
  c({0xE6, 0xD0});   // 1 out 0xd0, al   +300
  c({0xE6, 0xD1});   // 2 out 0xd1, al   +31
  c({0x90});         // 3 nop
  c({0xE4, 0xD0});   // 4 in al, 0xd0    +300
  c({0xE6, 0xD1});   // 5 out 0xd1, al   +31
  c({0xE6, 0xD2});   // 6 out 0xd2, al   no delay
  c({0xFA, 0xF4});   // 7,8 cli ; hlt    -> 9 instructions + 962 stall cycles
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"clock_hz", "3000000000"}});
  b.ports.delay_at[0xD0] = sc_time(100, sc_core::SC_NS);
  b.ports.delay_at[0xD1] = sc_time::from_value(10001);
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 6);
  // Each access happens at the end of its instruction, after the stalls of the earlier accesses.
  const uint64_t at[6] = {1, 2 + 300, 3 + 600, 5 + 631, 6 + 931, 7 + 962};
  for (size_t i = 0; i < 6; ++i) {
    INFO("access " << i);
    CHECK(b.ports.log[i].cycles == at[i]);
    CHECK(b.ports.log[i].local_time == cycles_time(at[i], 3000000000ull));
  }
  CHECK(b.cpu.instructions() == 9);
  CHECK(b.cpu.cycles() == 9 + 962);
  CHECK(counter("cpu.stall_cycles") == 962);
  CHECK(counter("cpu.port_reads") == 1);
  CHECK(counter("cpu.port_writes") == 5);
  CHECK(sc_core::sc_time_stamp() == cycles_time(971, 3000000000ull));
}

namespace {
// Loop for the quantum tests:
//   0x100000  B9 n32   mov ecx, N
//   0x100005  49       dec ecx          <- loop
//   0x100006  75 FD    jnz loop
//   0x100008  FA       cli
//   0x100009  F4       hlt
// Translation blocks start at retired counts 0 (mov, dec, jnz), then 3, 5, ..., 2N-1 (dec, jnz; one per
// further iteration), and 2N+1 (cli, hlt). Retired in total: 2N + 3.
Code quantum_loop(uint32_t n) {
  Code c;
  c({0xB9}).d(n);
  uint64_t loop = c.here();
  c({0x49});
  c({0x75}).rel8(loop);
  c({0xFA, 0xF4});
  REQUIRE(c.bytes() == std::vector<uint8_t>{0xB9, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                                            static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 24), 0x49,
                                            0x75, 0xFD, 0xFA, 0xF4});
  return c;
}

// tlm_quantumkeeper rule (SystemC 2.3.4): the vCPU syncs at a block start whose local time t reaches
// the next sync point P; after the sync, P = the next multiple of the quantum strictly after t
// (tlm_global_quantum::compute_local_quantum). When consecutive block starts are less than one quantum
// apart, no quantum boundary can be skipped, so the number of syncs is exactly
// floor(t_last_block_start / quantum): one per boundary reached by a block start.
void check_quantum(uint64_t clock_hz, const char* cpi, uint64_t cpi_ppm, uint64_t quantum_ps) {
  constexpr uint32_t kN = 300000;
  TempKernel k(KernelSpec::elf32(quantum_loop(kN)));
  CpuBench b(k.path(), {{"clock_hz", std::to_string(clock_hz)},
                        {"cpi", cpi},
                        {"quantum_ps", std::to_string(quantum_ps)}});
  b.run();

  const uint64_t retired = 2ull * kN + 3;
  auto cyc = [&](uint64_t r) { return r * cpi_ppm / 1000000; };
  // Block starts are 2 instructions apart (3 at the first, the widest step): two block starts are
  // at most one quantum apart, so no boundary lies unseen between them.
  REQUIRE(cycles_time(cyc(3), clock_hz).value() + 1 <= quantum_ps);
  const uint64_t last_block_start = 2ull * kN + 1;
  const uint64_t syncs = cycles_time(cyc(last_block_start), clock_hz).value() / quantum_ps;

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  CHECK(b.cpu.instructions() == retired);
  CHECK(b.cpu.cycles() == cyc(retired));
  // No drift: SystemC time is derived from the cycle count, whatever the quantum.
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(b.cpu.cycles()));
  CHECK(sc_core::sc_time_stamp() == cycles_time(cyc(retired), clock_hz));
  CHECK(counter("cpu.quantum_syncs") == syncs);
}
}  // namespace

TEST_CASE("cpu: quantum of 1001 ps at 3 GHz: no drift, one sync per quantum boundary", "[cpu]") {
  // One cycle is 333.33 ps; the quantum is 3.003 cycles. End: 600003 cycles = 200001000 ps.
  check_quantum(3000000000ull, "1", 1000000, 1001);
}

TEST_CASE("cpu: quantum of 7 ns at 2.7 GHz and CPI 1.5: no drift, one sync per quantum boundary", "[cpu]") {
  // One cycle is 370.37 ps; the quantum is 18.9 cycles.
  check_quantum(2700000000ull, "1.5", 1500000, 7000);
}

TEST_CASE("cpu: max_time_ps stops an endless loop with kTimeLimit", "[cpu]") {
  Code c;
  c({0xEB, 0xFE});  // jmp $   (a one-instruction block forever)
  TempKernel k(KernelSpec::elf32(c));
  const uint64_t limit_ps = 50000123;  // 50 us + 123 ps, not on a quantum boundary
  const uint64_t quantum_ps = 1000000;
  CpuBench b(k.path(), {{"max_time_ps", std::to_string(limit_ps)}, {"quantum_ps", std::to_string(quantum_ps)}});
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kTimeLimit);
  CHECK(b.cpu.outcome().exit_status == 124);
  const uint64_t now = sc_core::sc_time_stamp().value();
  const uint64_t one_block = cycles_time(1, 3000000000ull).value() + 1;
  CHECK(now >= limit_ps);
  CHECK(now <= limit_ps + quantum_ps + one_block);
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(b.cpu.cycles()));
  CHECK(b.cpu.cycles() == b.cpu.instructions());  // CPI 1, no stalls
}
