// Multiboot loader (models/cpu/multiboot_loader.h) and VirtualCpu::prepare(): what a good kernel
// turns into (chunks, boot state) and the ConfigError every bad kernel gives, naming the file.
#include <catch2/catch.hpp>

#include <cstring>

#include "models/core/params.h"
#include "models/cpu/multiboot_loader.h"
#include "tests/unit/test_kernel.h"

using namespace hvsim;
using namespace hvsim::testkit;
using Catch::Matchers::Contains;

namespace {

Code tiny() {
  Code c;
  c({0x90, 0xFA, 0xF4});  // nop ; cli ; hlt
  return c;
}

const BootImage::Chunk* chunk_at(const BootImage& img, uint64_t address) {
  for (auto& c : img.chunks)
    if (c.address == address) return &c;
  return nullptr;
}

// prepare() must throw ConfigError whose message names the file and says why.
void check_prepare_fails(VirtualCpu& cpu, const std::string& path, const std::string& why, uint64_t ram) {
  ParamRegistry::instance().set_override("cpu.kernel", path, SourceLoc{"test", 0, ""});
  REQUIRE(cpu.kernel.get() == path);
  try {
    cpu.prepare(ram);
    FAIL("prepare() accepted " << path);
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Contains(path) && Contains(why));
  }
}

}  // namespace

TEST_CASE("cpu loader: ELF32 Multiboot kernel, boot state and low-memory structures", "[cpu]") {
  TempKernel k(KernelSpec::elf32(tiny()).with(0x200000, {1, 2, 3}, 0x1000));
  BootImage img = load_multiboot_kernel(k.path(), 16ull << 20, "console=com1");

  const X86BootState& s = img.state;
  CHECK(s.mode == CpuMode::kProtected32);
  CHECK(s.entry == 0x100000);
  CHECK(s.rax == 0x2BADB002);
  CHECK(s.rbx == boot_layout::kInfo);
  CHECK(s.rsp == boot_layout::kInitialStack);
  CHECK(s.code_selector == 0x08);
  CHECK(s.data_selector == 0x10);
  CHECK(s.gdt_base == boot_layout::kGdt);
  CHECK(s.gdt_limit == 31);  // 4 descriptors
  CHECK(img.kernel_low == 0x100000);
  CHECK(img.kernel_high == 0x201000);

  const BootImage::Chunk* code = chunk_at(img, 0x100000);
  REQUIRE(code);
  CHECK(code->bytes == std::vector<uint8_t>{0x90, 0xFA, 0xF4});
  const BootImage::Chunk* data = chunk_at(img, 0x200000);
  REQUIRE(data);
  REQUIRE(data->bytes.size() == 0x1000);  // p_memsz, zero-filled past p_filesz
  CHECK(data->bytes[0] == 1);
  CHECK(data->bytes[2] == 3);
  CHECK(data->bytes[3] == 0);
  CHECK(data->bytes[0xFFF] == 0);
  const BootImage::Chunk* cmd = chunk_at(img, boot_layout::kCmdline);
  REQUIRE(cmd);
  CHECK(std::string(reinterpret_cast<const char*>(cmd->bytes.data())) == "console=com1");
  const BootImage::Chunk* info = chunk_at(img, boot_layout::kInfo);
  REQUIRE(info);
  uint32_t mem_upper;
  std::memcpy(&mem_upper, info->bytes.data() + 8, 4);
  CHECK(mem_upper == (16u << 10) - 1024);  // KiB above 1 MiB
  CHECK(chunk_at(img, boot_layout::kPageTables) == nullptr);  // no page tables in 32-bit mode
}

TEST_CASE("cpu loader: ELF64 kernel enters long mode with identity page tables", "[cpu]") {
  KernelSpec spec = KernelSpec::elf64(tiny());
  spec.multiboot_header = false;  // not required for ELF64
  TempKernel k(spec);
  BootImage img = load_multiboot_kernel(k.path(), 16ull << 20, "");
  CHECK(img.state.mode == CpuMode::kLong64);
  CHECK(img.state.code_selector == 0x18);
  CHECK(img.state.cr3 == boot_layout::kPageTables);
  CHECK(img.state.entry == 0x100000);
  const BootImage::Chunk* pt = chunk_at(img, boot_layout::kPageTables);
  REQUIRE(pt);
  uint64_t pml4_0, pde_1;
  std::memcpy(&pml4_0, pt->bytes.data(), 8);
  std::memcpy(&pde_1, pt->bytes.data() + 0x2000 + 8, 8);
  CHECK(pml4_0 == (boot_layout::kPageTables + 0x1000 + 3));
  CHECK(pde_1 == ((1ull << 21) | 0x83));  // 2 MiB page at 2 MiB, present, writable
}

TEST_CASE("cpu loader: bad kernels are ConfigErrors naming the file", "[cpu]") {
  TempKernel ok(KernelSpec::elf32(tiny()));
  CpuBench b(ok.path());
  const uint64_t ram = 16ull << 20;

  {
    TempKernel missing;  // a path in an existing directory, no file
    check_prepare_fails(b.cpu, missing.path(), "cannot open", ram);
  }
  {
    std::string text = "this is not an ELF file\n";
    TempKernel notelf(std::vector<uint8_t>(text.begin(), text.end()));
    check_prepare_fails(b.cpu, notelf.path(), "not an ELF file", ram);
  }
  {
    KernelSpec spec = KernelSpec::elf32(tiny());
    spec.multiboot_header = false;
    TempKernel nomb(spec);
    check_prepare_fails(b.cpu, nomb.path(), "no Multiboot header", ram);
  }
  {
    // A 4 KiB bss segment that starts 2 KiB below the end of RAM.
    TempKernel big(KernelSpec::elf32(tiny()).with(ram - 0x800, {}, 0x1000));
    check_prepare_fails(b.cpu, big.path(), "does not fit in RAM", ram);
  }
  {
    TempKernel fits(KernelSpec::elf32(tiny()).with(ram - 0x1000, {}, 0x1000));
    ParamRegistry::instance().set_override("cpu.kernel", fits.path(), SourceLoc{"test", 0, ""});
    CHECK_NOTHROW(b.cpu.prepare(ram));  // the last page of RAM is still RAM
  }
  {
    KernelSpec spec = KernelSpec::elf32(tiny());
    spec.multiboot_flags = 1u << 2;  // video mode: not provided
    TempKernel video(spec);
    check_prepare_fails(b.cpu, video.path(), "video mode", ram);
  }
  {
    KernelSpec spec = KernelSpec::elf32(tiny());
    spec.entry = 0x180000;  // outside the loaded image
    TempKernel entry(spec);
    check_prepare_fails(b.cpu, entry.path(), "entry point", ram);
  }
}
