// vCPU port I/O and MMIO (models/cpu): IN/OUT reach the `io` socket with the port as address, the
// access size and the value; IN results land in AL/AX/EAX; the retired count at an access is exact
// (it includes the IN/OUT). MMIO above RAM reaches the `mem` socket; Unicorn splits 8-byte accesses
// into two 4-byte ones. Also: long mode and the Multiboot entry state.
#include <catch2/catch.hpp>

#include "tests/unit/test_kernel.h"

using namespace hvsim;
using namespace hvsim::testkit;
using Access = RecordingTarget::Access;

namespace {

void check_access(const Access& a, bool write, uint64_t address, unsigned size, uint64_t value,
                  uint64_t instructions) {
  INFO((write ? "write" : "read") << " 0x" << std::hex << address << " size " << std::dec << size);
  CHECK(a.write == write);
  CHECK(a.address == address);
  CHECK(a.size == size);
  CHECK(a.value == value);
  CHECK(a.instructions == instructions);
}

}  // namespace

TEST_CASE("cpu: IN/OUT of 8, 16 and 32 bits, exact retired count at each access", "[cpu]") {
  Code c;                               // retired count including this instruction
  c({0xB0, 0x5A});                      //  1 mov al, 0x5a
  c({0xE6, 0xE0});                      //  2 out 0xe0, al         W e0 1 0x5a
  c({0x66, 0xB8}).w(0x1234);            //  3 mov ax, 0x1234
  c({0x66, 0xE7, 0xE2});                //  4 out 0xe2, ax         W e2 2 0x1234
  c({0xB8}).d(0xDEADBEEF);              //  5 mov eax, 0xdeadbeef
  c({0x66, 0xBA}).w(0xE4);              //  6 mov dx, 0xe4
  c({0xEF});                            //  7 out dx, eax          W e4 4 0xdeadbeef
  c({0xE4, 0xE8});                      //  8 in al, 0xe8          R e8 1 -> 0xa1
  c({0xEF});                            //  9 out dx, eax          W e4 4 0xdeadbea1 (upper bytes kept)
  c({0x66, 0xE5, 0xEA});                // 10 in ax, 0xea          R ea 2 -> 0xb2c3
  c({0xEF});                            // 11 out dx, eax          W e4 4 0xdeadb2c3
  c({0x66, 0xBA}).w(0xEC);              // 12 mov dx, 0xec
  c({0xED});                            // 13 in eax, dx           R ec 4 -> 0xcafef00d
  c({0xE7, 0xE4});                      // 14 out 0xe4, eax        W e4 4 0xcafef00d
  c.repeat({0x90}, 3);                  // 15-17 nop x3
  c({0xE6, 0xE0});                      // 18 out 0xe0, al         W e0 1 0x0d
  c({0x90});                            // 19 nop
  c({0xFA, 0xF4});                      // 20, 21 cli ; hlt   (all one translation block)
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"cpi", "1"}, {"clock_hz", "3000000000"}});
  b.ports.read_values[0xE8] = 0x123456A1;
  b.ports.read_values[0xEA] = 0x1122B2C3;
  b.ports.read_values[0xEC] = 0xCAFEF00D;
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  auto& log = b.ports.log;
  REQUIRE(log.size() == 10);
  check_access(log[0], true, 0xE0, 1, 0x5A, 2);
  check_access(log[1], true, 0xE2, 2, 0x1234, 4);
  check_access(log[2], true, 0xE4, 4, 0xDEADBEEF, 7);
  check_access(log[3], false, 0xE8, 1, 0xA1, 8);
  check_access(log[4], true, 0xE4, 4, 0xDEADBEA1, 9);
  check_access(log[5], false, 0xEA, 2, 0xB2C3, 10);
  check_access(log[6], true, 0xE4, 4, 0xDEADB2C3, 11);
  check_access(log[7], false, 0xEC, 4, 0xCAFEF00D, 13);
  check_access(log[8], true, 0xE4, 4, 0xCAFEF00D, 14);
  check_access(log[9], true, 0xE0, 1, 0x0D, 18);
  for (auto& a : log) CHECK(a.local_time == b.cpu.cycles_to_time(a.instructions));  // CPI 1, no stalls
  CHECK(b.cpu.instructions() == 21);
  CHECK(counter("cpu.port_reads") == 3);
  CHECK(counter("cpu.port_writes") == 7);
}

TEST_CASE("cpu: IN/OUT in a loop: exact counts when a block is re-entered", "[cpu]") {
  Code c;
  c({0xB9}).d(4);                 // 1 mov ecx, 4
  uint64_t loop = c.here();
  c({0x89, 0xC8});                // mov eax, ecx          <- loop (block: 5 instructions)
  c({0xE7, 0xE4});                // out 0xe4, eax         at 1 + 5i + 2
  c({0x90});                      // nop
  c({0x49});                      // dec ecx
  c({0x75}).rel8(loop);           // jnz loop
  c({0xE6, 0xE0});                // out 0xe0, al          at 1 + 20 + 1 = 22, al = 1 (last ecx)
  c({0xFA, 0xF4});                // cli ; hlt             -> 24
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 5);
  for (unsigned i = 0; i < 4; ++i) check_access(b.ports.log[i], true, 0xE4, 4, 4 - i, 1 + 5 * i + 2);
  check_access(b.ports.log[4], true, 0xE0, 1, 1, 22);
  CHECK(b.cpu.instructions() == 24);
}

TEST_CASE("cpu: REP OUTSB: one access and one retired instruction per iteration", "[cpu]") {
  // Unicorn (QEMU) runs a REP string instruction one iteration per translation-block pass and,
  // after the last iteration, passes the instruction once more only to find (E)CX = 0 and leave.
  // The documented rule (models/cpu/README.md): each iteration is one retired instruction; a REP
  // instruction entered with (E)CX = 0 retires once.
  Code c;
  c({0xBE}).d(0x200000);          // 1 mov esi, 0x200000
  c({0xB9}).d(3);                 // 2 mov ecx, 3
  c({0x66, 0xBA}).w(0xE0);        // 3 mov dx, 0xe0
  c({0xFC});                      // 4 cld
  c({0xF3, 0x6E});                // 5, 6, 7 rep outsb (3 iterations)
  c({0x90});                      // 8 nop
  c({0xF3, 0x6E});                // 9 rep outsb with ecx = 0: no access, retires once
  c({0xE6, 0xE4});                // 10 out 0xe4, al  (al = 0x02: Multiboot magic 0x2badb002)
  c({0xFA, 0xF4});                // 11, 12 cli ; hlt
  TempKernel k(KernelSpec::elf32(c).with(0x200000, {0x11, 0x22, 0x33}));
  CpuBench b(k.path());
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 4);
  check_access(b.ports.log[0], true, 0xE0, 1, 0x11, 5);
  check_access(b.ports.log[1], true, 0xE0, 1, 0x22, 6);
  check_access(b.ports.log[2], true, 0xE0, 1, 0x33, 7);
  check_access(b.ports.log[3], true, 0xE4, 1, 0x02, 10);
  CHECK(b.cpu.instructions() == 12);
  CHECK(counter("cpu.port_writes") == 4);
}

TEST_CASE("cpu: MMIO reads and writes above RAM reach the mem router's target", "[cpu]") {
  Code c;
  c({0x90, 0x90});                                   // 1, 2 nop nop
  c({0xEB, 0x00});                                   // 3 jmp short +0: the next block starts at 3
  c({0xA1}).d(0xF0000000);                           // 4 mov eax, [0xf0000000]           R 0x00 4
  c({0xA3}).d(0xF0000010);                           // 5 mov [0xf0000010], eax           W 0x10 4
  c({0xC6, 0x05}).d(0xF0000020)({0x5A});             // 6 mov byte [0xf0000020], 0x5a     W 0x20 1
  c({0x66, 0xC7, 0x05}).d(0xF0000022).w(0x1234);     // 7 mov word [0xf0000022], 0x1234   W 0x22 2
  c({0x0F, 0xB6, 0x1D}).d(0xF0000001);               // 8 movzx ebx, byte [0xf0000001]    R 0x01 1
  c({0x0F, 0xB7, 0x0D}).d(0xF0000002);               // 9 movzx ecx, word [0xf0000002]    R 0x02 2
  c({0x89, 0x1D}).d(0xF0000030);                     // 10 mov [0xf0000030], ebx          W 0x30 4
  c({0x89, 0x0D}).d(0xF0000034);                     // 11 mov [0xf0000034], ecx          W 0x34 4
  c({0xFA, 0xF4});                                   // 12, 13 cli ; hlt
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.mmio.read_values[0x00] = 0x89ABCDEF;
  b.mmio.read_values[0x01] = 0x77;
  b.mmio.read_values[0x02] = 0x5566;
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  auto& log = b.mmio.log;
  REQUIRE(log.size() == 8);
  // Unicorn does not locate an MMIO access inside its block: the vCPU times it at the block start
  // (3 instructions retired before the block), as documented in models/cpu/README.md.
  check_access(log[0], false, 0x00, 4, 0x89ABCDEF, 3);
  check_access(log[1], true, 0x10, 4, 0x89ABCDEF, 3);
  check_access(log[2], true, 0x20, 1, 0x5A, 3);
  check_access(log[3], true, 0x22, 2, 0x1234, 3);
  check_access(log[4], false, 0x01, 1, 0x77, 3);
  check_access(log[5], false, 0x02, 2, 0x5566, 3);
  check_access(log[6], true, 0x30, 4, 0x77, 3);
  check_access(log[7], true, 0x34, 4, 0x5566, 3);
  CHECK(b.cpu.instructions() == 13);
  CHECK(counter("cpu.mmio_reads") == 3);
  CHECK(counter("cpu.mmio_writes") == 5);
  CHECK(b.ports.log.empty());
}

TEST_CASE("cpu: 64-bit MMIO accesses are split into two 4-byte halves", "[cpu]") {
  Code c;                                      // 64-bit code (ELF64 kernel, long mode)
  c({0xBB}).d(0xF0000000);                     // 1 mov ebx, 0xf0000000 (zero-extends into rbx)
  c({0x48, 0x8B, 0x03});                       // 2 mov rax, [rbx]       R 0 4, R 4 4
  c({0x48, 0x89, 0x43, 0x08});                 // 3 mov [rbx+8], rax     W 8 4, W 0xc 4
  c({0xE7, 0xE4});                             // 4 out 0xe4, eax
  c({0x48, 0xC1, 0xE8, 0x20});                 // 5 shr rax, 32
  c({0xE7, 0xE4});                             // 6 out 0xe4, eax
  c({0xFA, 0xF4});                             // 7, 8 cli ; hlt
  TempKernel k(KernelSpec::elf64(c));
  CpuBench b(k.path());
  b.mmio.read_values[0x0] = 0x89ABCDEF;
  b.mmio.read_values[0x4] = 0x01234567;
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  auto& log = b.mmio.log;
  REQUIRE(log.size() == 4);
  check_access(log[0], false, 0x0, 4, 0x89ABCDEF, 0);
  check_access(log[1], false, 0x4, 4, 0x01234567, 0);
  check_access(log[2], true, 0x8, 4, 0x89ABCDEF, 0);
  check_access(log[3], true, 0xC, 4, 0x01234567, 0);
  REQUIRE(b.ports.log.size() == 2);
  CHECK(b.ports.log[0].value == 0x89ABCDEF);  // rax = the two halves joined
  CHECK(b.ports.log[1].value == 0x01234567);
  CHECK(b.cpu.instructions() == 8);
  CHECK(counter("cpu.mmio_reads") == 2);
  CHECK(counter("cpu.mmio_writes") == 2);
}

TEST_CASE("cpu: an ELF64 kernel runs in 64-bit long mode", "[cpu]") {
  Code c;
  c({0x48, 0xB8}).q(0x0123456789ABCDEFull);    // 1 mov rax, 0x0123456789abcdef
  c({0x48, 0xBB}).q(0x1111111111111111ull);    // 2 mov rbx, 0x1111111111111111
  c({0x48, 0x01, 0xD8});                       // 3 add rax, rbx       -> 0x123456789abcdf00
  c({0x49, 0x89, 0xC0});                       // 4 mov r8, rax
  c({0xE7, 0xE4});                             // 5 out 0xe4, eax      -> 0x9abcdf00
  c({0x49, 0xC1, 0xE8, 0x20});                 // 6 shr r8, 32
  c({0x44, 0x89, 0xC0});                       // 7 mov eax, r8d
  c({0xE7, 0xE4});                             // 8 out 0xe4, eax      -> 0x12345678
  c({0xFA, 0xF4});                             // 9, 10 cli ; hlt
  TempKernel k(KernelSpec::elf64(c));
  CpuBench b(k.path());
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 2);
  check_access(b.ports.log[0], true, 0xE4, 4, 0x9ABCDF00, 5);
  check_access(b.ports.log[1], true, 0xE4, 4, 0x12345678, 8);
  CHECK(b.cpu.instructions() == 10);
}

TEST_CASE("cpu: Multiboot entry state (EAX magic, EBX info, ESP, command line, flags, selectors)", "[cpu]") {
  Code c;
  c({0xE7, 0xE4});              // out 0xe4, eax        -> 0x2badb002
  c({0x89, 0xD8})({0xE7, 0xE4});  // mov eax, ebx ; out -> multiboot_info at 0x7000
  c({0x89, 0xE0})({0xE7, 0xE4});  // mov eax, esp ; out -> 0x9f000
  c({0x8B, 0x43, 0x10});        // mov eax, [ebx+16]    (multiboot_info.cmdline)
  c({0x8B, 0x00});              // mov eax, [eax]       first 4 bytes of the command line
  c({0xE7, 0xE4});              // out                  -> "abcd"
  c({0x8B, 0x03})({0xE7, 0xE4});  // mov eax, [ebx] ; out -> info flags: mem, cmdline, mmap, loader name
  c({0x9C, 0x58})({0xE7, 0xE4});  // pushfd ; pop eax ; out -> EFLAGS 0x2 (IF=0)
  c({0x8C, 0xC8})({0xE7, 0xE4});  // mov eax, cs ; out -> 0x08
  c({0x8C, 0xD8})({0xE7, 0xE4});  // mov eax, ds ; out -> 0x10
  c({0x0F, 0x20, 0xC0})({0xE7, 0xE4});  // mov eax, cr0 ; out -> PE set, PG clear
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path(), {{"cmdline", "abcd efg"}});
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  std::vector<uint64_t> v;
  for (auto& a : b.ports.log) v.push_back(a.value);
  REQUIRE(v.size() == 9);
  CHECK(v[0] == 0x2BADB002);
  CHECK(v[1] == 0x7000);
  CHECK(v[2] == 0x9F000);
  CHECK(v[3] == 0x64636261);  // "abcd"
  CHECK(v[4] == ((1u << 0) | (1u << 2) | (1u << 6) | (1u << 9)));
  CHECK(v[5] == 0x2);
  CHECK(v[6] == 0x08);
  CHECK(v[7] == 0x10);
  CHECK((v[8] & 0x80000001u) == 0x1);
}

TEST_CASE("cpu: failed port accesses: IN reads all ones, the warning names port and exact RIP", "[cpu]") {
  Code c;
  c.repeat({0x90}, 3);          // 0x100000 nop x3
  c({0xE4, 0x77});              // 0x100003 in al, 0x77      error -> 0xff
  c({0x66, 0xE5, 0x77});        // 0x100005 in ax, 0x77      error -> 0xffff
  c({0xE7, 0xE4});              // 0x100008 out 0xe4, eax    -> 0x2badffff (upper half kept)
  c({0xE5, 0x77});              // 0x10000a in eax, 0x77     error -> 0xffffffff
  c({0xE7, 0xE4});              // 0x10000c out 0xe4, eax    -> 0xffffffff
  c({0xE6, 0x78});              // 0x10000e out 0x78, al     error: dropped with a warning
  c({0xFA, 0xF4});
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.ports.error_at = {0x77, 0x78};
  std::string err;
  {
    StderrCapture cap;
    b.run();
    err = cap.text();
  }
  INFO(err);
  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  std::vector<uint64_t> out;
  for (auto& a : b.ports.log)
    if (a.address == 0xE4) out.push_back(a.value);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == 0x2BADFFFF);
  CHECK(out[1] == 0xFFFFFFFF);
  CHECK_THAT(err, Catch::Matchers::Contains("IN from port 0x77 (1 bytes) failed") &&
                      Catch::Matchers::Contains("RIP 0x100003") && Catch::Matchers::Contains("RIP 0x100005") &&
                      Catch::Matchers::Contains("RIP 0x10000a") &&
                      Catch::Matchers::Contains("to port 0x78 (1 bytes) failed") &&
                      Catch::Matchers::Contains("RIP 0x10000e"));
}

TEST_CASE("cpu: CPUID runs natively and does not disturb the count", "[cpu]") {
  Code c;
  c({0x31, 0xC0});              // 1 xor eax, eax
  c({0x0F, 0xA2});              // 2 cpuid (leaf 0): ebx, edx, ecx = vendor string
  c({0x89, 0xD8})({0xE7, 0xE4});  // 3, 4 mov eax, ebx ; out
  c({0x89, 0xD0})({0xE7, 0xE4});  // 5, 6 mov eax, edx ; out
  c({0x89, 0xC8})({0xE7, 0xE4});  // 7, 8 mov eax, ecx ; out
  c({0xFA, 0xF4});              // 9, 10
  TempKernel k(KernelSpec::elf32(c));
  CpuBench b(k.path());
  b.run();

  REQUIRE(b.cpu.outcome().kind == RunOutcome::Kind::kHalted);
  REQUIRE(b.ports.log.size() == 3);
  std::string vendor;
  for (auto& a : b.ports.log)
    for (int i = 0; i < 4; ++i) vendor += static_cast<char>(a.value >> (8 * i));
  CHECK((vendor == "GenuineIntel" || vendor == "AuthenticAMD"));
  CHECK(b.ports.log[0].instructions == 4);
  CHECK(b.ports.log[2].instructions == 8);
  CHECK(b.cpu.instructions() == 10);
}
