// vCPU guest errors and special instructions (models/cpu): faults end the run with kFault and a
// report naming the vector, the RIP of the faulting instruction (and CR2 for #PF); the faulting
// instruction does not retire. RDMSR/WRMSR are intercepted (IA32_TSC, APIC_BASE, native MSRs such as
// EFER; anything else is #GP). HLT with IF=1 and no interrupt controller is a hang.
#include <catch2/catch.hpp>

#include <cstring>

#include "tests/unit/test_kernel.h"

using namespace hvsim;
using namespace hvsim::testkit;
using Catch::Matchers::Contains;

namespace {

void check_fault(CpuBench& b, unsigned vector, uint64_t rip, uint64_t retired) {
  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  REQUIRE(o.kind == RunOutcome::Kind::kFault);
  CHECK(o.exit_status == 3);
  char rip_text[64];
  std::snprintf(rip_text, sizeof rip_text, "RIP 0x%llx", static_cast<unsigned long long>(rip));
  CHECK_THAT(o.message, Contains("vector " + std::to_string(vector) + ")") && Contains(rip_text) &&
                            Contains("after " + std::to_string(retired) + " instructions"));
  CHECK(b.cpu.instructions() == retired);  // the faulting instruction did not retire
  CHECK(counter("cpu.instructions") == retired);
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(b.cpu.cycles()));
}

std::vector<uint64_t> port_values(const CpuBench& b, uint64_t port) {
  std::vector<uint64_t> v;
  for (auto& a : b.ports.log)
    if (a.address == port) v.push_back(a.value);
  return v;
}

}  // namespace

TEST_CASE("cpu: #GP (segment selector beyond the GDT limit) is a guest fault, vector 13", "[cpu]") {
  // The loader's GDT has 4 entries (limit 31); selector 0x28 is entry 5.
  Code c;
  c.repeat({0x90}, 3);              // 0x100000  nop x3
  c({0x66, 0xB8}).w(0x28);          // 0x100003  mov ax, 0x28
  c({0x8E, 0xD8});                  // 0x100007  mov ds, ax   -> #GP(0x28)
  c({0xE6, 0xE0});                  //           out 0xe0, al (must not run)
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 13, 0x100007, 4);
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: #PF with guest paging reports vector 14 and CR2", "[cpu]") {
  // Page tables (in a data segment at 2 MiB): PD[0] -> PT at 0x201000, which maps 0..4 MiB 1:1 with
  // 4 KiB pages, except the page at 0x300000, which is not present.
  std::vector<uint8_t> tables(0x2000, 0);
  auto put32 = [&](size_t off, uint32_t v) { std::memcpy(tables.data() + off, &v, 4); };
  put32(0, 0x201000 | 0x3);  // PDE 0: present, writable
  for (uint32_t i = 0; i < 1024; ++i) put32(0x1000 + 4 * i, i == 0x300 ? 0 : (i << 12) | 0x3);

  Code c;
  c({0xB8}).d(0x200000);              // 0x100000  mov eax, 0x200000
  c({0x0F, 0x22, 0xD8});              // 0x100005  mov cr3, eax
  c({0x0F, 0x20, 0xC0});              // 0x100008  mov eax, cr0
  c({0x0D}).d(0x80000000);            // 0x10000b  or eax, 0x80000000 (PG)
  c({0x0F, 0x22, 0xC0});              // 0x100010  mov cr0, eax
  c({0x8B, 0x1D}).d(0x2FF010);        // 0x100013  mov ebx, [0x2ff010]   present page: fine
  c({0xA1}).d(0x300010);              // 0x100019  mov eax, [0x300010]   not present -> #PF
  c({0xE6, 0xE0});
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c).with(0x200000, tables));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 14, 0x100019, 6);
  CHECK_THAT(b.cpu.outcome().message, Contains("CR2 0x300010"));
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: #PF on an instruction fetch from a not-present page", "[cpu]") {
  std::vector<uint8_t> tables(0x2000, 0);
  auto put32 = [&](size_t off, uint32_t v) { std::memcpy(tables.data() + off, &v, 4); };
  put32(0, 0x201000 | 0x3);
  for (uint32_t i = 0; i < 1024; ++i) put32(0x1000 + 4 * i, i == 0x300 ? 0 : (i << 12) | 0x3);

  Code c;
  c({0xB8}).d(0x200000);              // 1 mov eax, 0x200000
  c({0x0F, 0x22, 0xD8});              // 2 mov cr3, eax
  c({0x0F, 0x20, 0xC0});              // 3 mov eax, cr0
  c({0x0D}).d(0x80000000);            // 4 or eax, 0x80000000
  c({0x0F, 0x22, 0xC0});              // 5 mov cr0, eax
  c({0xB8}).d(0x300000);              // 6 mov eax, 0x300000
  c({0xFF, 0xE0});                    // 7 jmp eax   (retires; the fetch at the target faults)
  TempKernel k(KernelSpec::elf32(c).with(0x200000, tables));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 14, 0x300000, 7);
  CHECK_THAT(b.cpu.outcome().message, Contains("CR2 0x300000"));
}

TEST_CASE("cpu: long mode: an access above the 4 GiB map is a fault that counts no unexecuted instruction",
          "[cpu]") {
  // Unicorn 2.0.1 checks whether an address is mapped before it walks the guest page tables
  // (unicorn#1718), so this is the unmapped-memory path, not a #PF from the walk; its hook sees RIP
  // at the start of the block. The vCPU cannot name the exact instruction, but it must not count the
  // load nor anything after it (nop, cli, hlt never ran): exact (3) or the block-start convention
  // of MMIO (0).
  Code c;                                    // 64-bit code
  c({0x90, 0x90});                           // 0x100000 nop ; nop
  c({0x48, 0xB8}).q(0x100000010ull);         // 0x100002 mov rax, 0x100000010
  c({0x48, 0x8B, 0x00});                     // 0x10000c mov rax, [rax]  -> fault
  c({0x90, 0xFA, 0xF4});                     //          nop ; cli ; hlt
  TempKernel k(KernelSpec::elf64(c));
  CpuBench b(k.path());
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  REQUIRE(o.kind == RunOutcome::Kind::kFault);
  CHECK_THAT(o.message, Contains("vector 14)") && Contains("CR2 0x100000010"));
  CHECK_THAT(o.message, Contains("RIP 0x10000c") || Contains("RIP 0x100000"));
  const uint64_t n = b.cpu.instructions();
  CHECK((n == 3 || n == 0));
  CHECK(counter("cpu.instructions") == n);
  CHECK(sc_core::sc_time_stamp() == b.cpu.cycles_to_time(b.cpu.cycles()));
}

TEST_CASE("cpu: an unmapped access after an OUT in the same block keeps the OUT retired", "[cpu]") {
  // The OUT reported 4 retired instructions; the count must not go back below that, and the fault
  // must not be reported at the OUT (exact RIP, or the block start as for MMIO).
  Code c;                                    // 64-bit code
  c({0x90, 0x90});                           // 0x100000 nop ; nop                  1, 2
  c({0x48, 0xB8}).q(0x100000010ull);         // 0x100002 mov rax, 0x100000010       3
  c({0xE6, 0xE0});                           // 0x10000c out 0xe0, al               4
  c({0x48, 0x8B, 0x00});                     // 0x10000e mov rax, [rax]  -> fault
  c({0x90, 0xFA, 0xF4});
  TempKernel k(KernelSpec::elf64(c));
  CpuBench b(k.path());
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  REQUIRE(o.kind == RunOutcome::Kind::kFault);
  REQUIRE(b.ports.log.size() == 1);
  CHECK(b.ports.log[0].instructions == 4);
  CHECK(b.cpu.instructions() == 4);
  CHECK_THAT(o.message, Contains("RIP 0x10000e") || Contains("RIP 0x100000,"));
  CHECK_THAT(o.message, Contains("CR2 0x100000010"));
}

TEST_CASE("cpu: #UD (ud2) is a guest fault, vector 6", "[cpu]") {
  Code c;
  c({0x90, 0x90});  // 0x100000 nop nop
  c({0x0F, 0x0B});  // 0x100002 ud2
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 6, 0x100002, 2);
}

TEST_CASE("cpu: #DE (divide by zero) is a guest fault, vector 0", "[cpu]") {
  Code c;
  c({0x31, 0xD2});        // 0x100000 xor edx, edx
  c({0x31, 0xC9});        // 0x100002 xor ecx, ecx
  c({0xB8}).d(7);         // 0x100004 mov eax, 7
  c({0xF7, 0xF1});        // 0x100009 div ecx  -> #DE
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 0, 0x100009, 3);
}

TEST_CASE("cpu: a fault in a later block: count excludes only the faulting instruction", "[cpu]") {
  Code c;
  c({0xB9}).d(5);               // 0x100000 mov ecx, 5
  uint64_t loop = c.here();
  c({0x49});                    // 0x100005 dec ecx     <- loop
  c({0x75}).rel8(loop);         // 0x100006 jnz loop
  c({0x90});                    // 0x100008 nop
  c({0x0F, 0x0B});              // 0x100009 ud2          retired before: 1 + 10 + 1 = 12
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 6, 0x100009, 12);
}

TEST_CASE("cpu: WRMSR IA32_TSC moves RDTSC, RDMSR reads IA32_TSC and APIC_BASE", "[cpu]") {
  const uint64_t v = 0x0123456789ABCDEFull;
  Code c;                                   // CPI 1: retired before each instruction on the left
  c({0xB9}).d(0x10);                        // 0  mov ecx, 0x10 (IA32_TIME_STAMP_COUNTER)
  c({0xB8}).d(static_cast<uint32_t>(v));    // 1  mov eax, 0x89abcdef
  c({0xBA}).d(static_cast<uint32_t>(v >> 32));  // 2  mov edx, 0x01234567
  c({0x0F, 0x30});                          // 3  wrmsr    TSC := v (at 3 cycles)
  c({0x0F, 0x31});                          // 4  rdtsc    -> v + 1
  c({0xE7, 0xE4});                          // 5  out 0xe4, eax
  c({0x89, 0xD0})({0xE7, 0xE4});            // 6,7 mov eax, edx ; out
  c({0x0F, 0x32});                          // 8  rdmsr (ecx = 0x10)  -> v + 5
  c({0xE7, 0xE4});                          // 9  out
  c({0x89, 0xD0})({0xE7, 0xE4});            // 10,11 mov eax, edx ; out
  c({0xB9}).d(0x1B);                        // 12 mov ecx, 0x1b (IA32_APIC_BASE)
  c({0x0F, 0x32});                          // 13 rdmsr    -> 0xfee00100 (BSP)
  c({0xE7, 0xE4});                          // 14 out
  c({0xFA, 0xF4});                          // 15,16
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"cpi", "1"}});
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  auto out = port_values(b, 0xE4);
  REQUIRE(out.size() == 5);
  CHECK(out[0] == ((v + 1) & 0xFFFFFFFF));
  CHECK(out[1] == ((v + 1) >> 32));
  CHECK(out[2] == ((v + 5) & 0xFFFFFFFF));
  CHECK(out[3] == ((v + 5) >> 32));
  CHECK(out[4] == 0xFEE00100);
  CHECK(b.cpu.instructions() == 17);
  CHECK(counter("cpu.msr_accesses") == 3);
  CHECK(counter("cpu.rdtsc") == 1);
}

TEST_CASE("cpu: RDMSR EFER reads the native value (long mode: LME|LMA)", "[cpu]") {
  Code c;                                 // 64-bit code
  c({0xB9}).d(0xC0000080);                // mov ecx, 0xc0000080 (EFER)
  c({0x0F, 0x32});                        // rdmsr
  c({0xE7, 0xE4});                        // out 0xe4, eax
  c({0x89, 0xD0})({0xE7, 0xE4});          // mov eax, edx ; out
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf64(c));
  CpuBench b(k.path());
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  auto out = port_values(b, 0xE4);
  REQUIRE(out.size() == 2);
  CHECK((out[0] & 0x500) == 0x500);  // LME (bit 8) and LMA (bit 10)
  CHECK(out[0] == 0x500);
  CHECK(out[1] == 0);
}

TEST_CASE("cpu: RDMSR of an unknown MSR is #GP (vector 13)", "[cpu]") {
  Code c;
  c({0xB9}).d(0x12345678);    // 0x100000 mov ecx, 0x12345678
  c({0x90});                  // 0x100005 nop
  c({0x0F, 0x32});            // 0x100006 rdmsr  -> #GP
  c({0xE7, 0xE4});
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 13, 0x100006, 2);
  CHECK_THAT(b.cpu.outcome().message, Contains("0x12345678"));
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: WRMSR of an unknown MSR is #GP (vector 13)", "[cpu]") {
  Code c;
  c({0xB9}).d(0x4000ABCD);    // 0x100000 mov ecx, 0x4000abcd
  c({0x31, 0xC0});            // 0x100005 xor eax, eax
  c({0x31, 0xD2});            // 0x100007 xor edx, edx
  c({0x0F, 0x30});            // 0x100009 wrmsr  -> #GP
  c({0xE7, 0xE4});
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();
  check_fault(b, 13, 0x100009, 3);
  CHECK_THAT(b.cpu.outcome().message, Contains("0x4000abcd"));
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: HLT with IF=1 and no interrupt controller is a hang", "[cpu]") {
  Code c;
  c({0x90});        // nop
  c({0xFB});        // sti
  c({0xF4});        // hlt
  c({0xE6, 0xE0});  // out (never reached)
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  REQUIRE(o.kind == RunOutcome::Kind::kHang);
  CHECK(o.exit_status == 4);
  CHECK_THAT(o.message, Contains("HLT with interrupts enabled") && Contains("no interrupt controller"));
  CHECK(b.cpu.instructions() == 3);
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: INT n without a handler is a guest fault naming the vector and the INT", "[cpu]") {
  Code c;
  c({0x90});          // 0x100000 nop
  c({0xCD, 0x80});    // 0x100001 int 0x80
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();

  const RunOutcome& o = b.cpu.outcome();
  INFO(o.message);
  REQUIRE(o.kind == RunOutcome::Kind::kFault);
  CHECK_THAT(o.message, Contains("vector 128)") && Contains("RIP 0x100001"));
}

TEST_CASE("cpu: INT n through a 32-bit guest IDT: handler runs, IRET returns, counts stay exact", "[cpu]") {
  // IDT at 0x200000 with one interrupt gate (vector 0x30 -> handler at 0x100100, CS 0x08);
  // the IDTR image (limit, base) at 0x200800.
  const uint32_t handler = 0x100100;
  std::vector<uint8_t> idt(0x808, 0);
  uint8_t gate[8] = {static_cast<uint8_t>(handler), static_cast<uint8_t>(handler >> 8), 0x08, 0x00, 0x00, 0x8E,
                     static_cast<uint8_t>(handler >> 16), static_cast<uint8_t>(handler >> 24)};
  std::memcpy(idt.data() + 0x30 * 8, gate, 8);
  uint16_t limit = 0x31 * 8 - 1;
  uint32_t base = 0x200000;
  std::memcpy(idt.data() + 0x800, &limit, 2);
  std::memcpy(idt.data() + 0x802, &base, 4);

  Code c;                                // retired count including the instruction
  c({0x0F, 0x01, 0x1D}).d(0x200800);     // 1 lidt [0x200800]
  c({0xB0, 0x11});                       // 2 mov al, 0x11
  c({0xCD, 0x30});                       // 3 int 0x30          (retires, then the handler runs)
  c({0xE6, 0xE0});                       // 6 out 0xe0, al      (after IRET)
  c({0xFA, 0xF4});                       // 7, 8 cli ; hlt
  Code h(handler);
  h({0xE6, 0xE4});                       // 4 out 0xe4, al
  h({0xCF});                             // 5 iret
  KernelSpec spec = KernelSpec::elf32(c);
  spec.with(handler, h.bytes());
  spec.with(0x200000, idt);
  TempKernel k(spec);
  CpuBench b(k.path());
  b.run();

  INFO(b.cpu.outcome().message);
  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].address == 0xE4);
  CHECK(b.ports.log[0].value == 0x11);
  CHECK(b.ports.log[0].instructions == 4);
  CHECK(b.ports.log[1].address == 0xE0);
  CHECK(b.ports.log[1].instructions == 6);
  CHECK(b.cpu.instructions() == 8);
}
