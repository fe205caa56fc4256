// vCPU corner cases (models/cpu): TLM-2.0 LT targets that call wait() inside b_transport, a stop
// requested by a device in the middle of a block, code rewritten at an address that already ran,
// instructions that could leak host time (RDTSCP), instruction fetch from MMIO, and RAM sizes the
// vCPU cannot map.
#include <catch2/catch.hpp>

#include "tests/unit/test_kernel.h"

using namespace hvsim;
using namespace hvsim::testkit;
using sc_core::sc_time;
using Catch::Matchers::Contains;

namespace {
// 10 nops, out 0xd0 (11), nop (12), out 0xd0 (13), cli, hlt: 15 instructions.
Code two_delayed_outs() {
  Code c;
  c.repeat({0x90}, 10);
  c({0xE6, 0xD0});
  c({0x90});
  c({0xE6, 0xD0});
  c({0xFA, 0xF4});
  return c;
}
}  // namespace

// TLM-2.0 LT (IEEE 1666-2011 11.1.3): on return from b_transport the transaction is complete at
// sc_time_stamp() + delay, whether the target annotated the delay or waited for it. The vCPU must
// stall exactly that long after its own local time of the access.
TEST_CASE("cpu: a target that syncs (wait(delay) then delay = 0) and annotates 100 ns stalls 300 cycles", "[cpu]") {
  TempKernel k(KernelSpec::elf32(two_delayed_outs()));
  CpuBench b(k.path(), {{"clock_hz", "3000000000"}});
  b.ports.sync_first = true;
  b.ports.delay = sc_time(100, sc_core::SC_NS);
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].cycles == 11);
  CHECK(b.ports.log[1].cycles == 13 + 300);
  CHECK(counter("cpu.stall_cycles") == 600);
  CHECK(b.cpu.cycles() == 15 + 600);
}

TEST_CASE("cpu: a target that only syncs (wait(delay) then delay = 0) does not stall the vCPU", "[cpu]") {
  // The target waits exactly the vCPU's own run-ahead: the access completes at the vCPU's local
  // time, so no cycle is added (the vCPU's time must not be counted twice).
  TempKernel k(KernelSpec::elf32(two_delayed_outs()));
  CpuBench b(k.path(), {{"clock_hz", "3000000000"}});
  b.ports.sync_first = true;
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].cycles == 11);
  CHECK(b.ports.log[1].cycles == 13);
  CHECK(counter("cpu.stall_cycles") == 0);
  CHECK(b.cpu.cycles() == 15);
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(15));
}

TEST_CASE("cpu: a target that waits 100 ns inside b_transport stalls 300 cycles", "[cpu]") {
  TempKernel k(KernelSpec::elf32(two_delayed_outs()));
  CpuBench b(k.path(), {{"clock_hz", "3000000000"}});
  b.ports.wait_inside = sc_time(100, sc_core::SC_NS);
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].cycles == 11);
  CHECK(b.ports.log[1].cycles == 13 + 300);
  CHECK(counter("cpu.stall_cycles") == 600);
  CHECK(b.cpu.cycles() == 15 + 600);
}

TEST_CASE("cpu: request_stop from a port write ends the run at that OUT", "[cpu]") {
  Code c;
  c.repeat({0x90}, 3);            // 1-3 nop x3
  c({0x66, 0xBA}).w(0x501);       // 4 mov dx, 0x501
  c({0xB0, 0x05});                // 5 mov al, 5
  c({0xEE});                      // 6 out dx, al      -> the device ends the run here
  c.repeat({0x90}, 5);            // (7-11 nop x5: must not count)
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.ports.on_access = [&](const RecordingTarget::Access& a) {
    if (a.address == 0x501) b.cpu.request_stop(RunOutcome::Kind::kGuestExit, static_cast<int>(a.value), "exit");
  };
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kGuestExit);
  CHECK(b.cpu.outcome().exit_status == 5);
  REQUIRE(b.ports.log.size() == 1);
  CHECK(b.ports.log[0].instructions == 6);
  CHECK(b.cpu.instructions() == 6);
  CHECK(counter("cpu.instructions") == 6);
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(6));
}

TEST_CASE("cpu: code rewritten at an address that already ran is decoded again", "[cpu]") {
  // A function at 0x101000 (its own page) first holds `nop; nop; ret`; the guest then writes `rdtsc`
  // over the two nops (same block address, same size) and calls it again.
  Code f(0x101000);
  f({0x90, 0x90});  // nop ; nop   (later: 0f 31 rdtsc)
  f({0xC3});        // ret
  Code c;                                                // CPI 1: retired count including the insn
  c({0xE8}).rel32(0x101000);                             // 1 call f        (2, 3, 4: nop nop ret)
  c({0x66, 0xC7, 0x05}).d(0x101000).w(0x310F);           // 5 mov word [0x101000], 0x310f
  c({0x31, 0xC0});                                       // 6 xor eax, eax
  c({0x31, 0xD2});                                       // 7 xor edx, edx
  c({0xE8}).rel32(0x101000);                             // 8 call f        (9 rdtsc -> 8, 10 ret)
  c({0xE7, 0xE4});                                       // 11 out 0xe4, eax  -> 8
  c({0x89, 0xD0})({0xE7, 0xE4});                         // 12, 13 mov eax, edx ; out -> 0
  c({0xFA, 0xF4});                                       // 14, 15
  KernelSpec spec = KernelSpec::elf32(c);
  spec.with(f.base(), f.bytes());
  TempKernel k(spec);
  CpuBench b(k.path(), {{"cpi", "1"}});
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].value == 8);  // the simulated cycle count, not the host's TSC
  CHECK(b.ports.log[1].value == 0);
  CHECK(b.ports.log[0].instructions == 11);
  CHECK(counter("cpu.rdtsc") == 1);
  CHECK(b.cpu.instructions() == 15);
}

TEST_CASE("cpu: RDTSCP never returns host time", "[cpu]") {
  Code c;
  c.repeat({0x90}, 4);          // 0x100000 nop x4
  c({0x0F, 0x01, 0xF9});        // 0x100004 rdtscp
  c({0xE7, 0xE4});              // out 0xe4, eax
  c({0x89, 0xD0})({0xE7, 0xE4});  // mov eax, edx ; out
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"cpi", "1"}});
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  if (o.kind == RunOutcome::Kind::kFault) {
    // A CPU model without RDTSCP: #UD at the instruction.
    CHECK_THAT(o.message, Contains("vector 6)") && Contains("RIP 0x100004"));
    CHECK(b.cpu.instructions() == 4);
  } else {
    REQUIRE(o.kind == RunOutcome::Kind::kHalted);
    REQUIRE(b.ports.log.size() == 2);
    CHECK(b.ports.log[0].value == 4);
    CHECK(b.ports.log[1].value == 0);
  }
}

TEST_CASE("cpu: jumping into MMIO space ends the run cleanly", "[cpu]") {
  Code c;
  c({0xB8}).d(0xF0000000);  // mov eax, 0xf0000000
  c({0xFF, 0xE0});          // jmp eax
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  CHECK((o.kind == RunOutcome::Kind::kFault || o.kind == RunOutcome::Kind::kError));
  CHECK(o.exit_status == 3);
  CHECK_THAT(o.message, Contains("0xf0000000"));
  CHECK(b.cpu.instructions() == 2);
}

TEST_CASE("cpu: a RAM size that is not a whole number of pages is a ConfigError from prepare()", "[cpu]") {
  Code c;
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  const uint64_t ram = (16ull << 20) + 2048;
  CpuBench b(k.path(), {}, ram);
  CHECK_THROWS_AS(b.cpu.prepare(ram), ConfigError);
}
