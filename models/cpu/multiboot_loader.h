// Loads a kernel the way a Multiboot v1 boot loader (GRUB legacy, QEMU -kernel) would, and lays out
// the low-memory structures the boot state refers to. ELF32 (EM_386) enters 32-bit protected mode
// per the Multiboot spec; ELF64 (EM_X86_64) enters long mode with an identity map of the low 4 GiB.
// The result is a list of byte chunks to place in guest RAM plus the boot register state; nothing
// here touches a model, so a bad kernel is a ConfigError before simulation starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/cpu/x86_core.h"

namespace hvsim {

// Low-memory layout written by the loader (all below the conventional 1 MiB kernel load address).
namespace boot_layout {
constexpr uint64_t kGdt = 0x0500;           // null, code32 0x08, data 0x10, code64 0x18
constexpr uint64_t kPageTables = 0x1000;    // long mode: PML4, PDPT, 4 PDs (2 MiB pages) = 0x1000..0x6FFF
constexpr uint64_t kInfo = 0x7000;          // multiboot_info
constexpr uint64_t kMmap = 0x7100;          // memory map entries
constexpr uint64_t kCmdline = 0x7200;       // NUL-terminated command line (up to 256 bytes)
constexpr uint64_t kLoaderName = 0x7300;    // "hvsim"
constexpr uint64_t kReservedEnd = 0x8000;   // kernels may not load below this
constexpr uint64_t kInitialStack = 0x9F000; // the spec leaves ESP undefined; give a usable one
constexpr uint64_t kEbda = 0x9FC00;         // reported as reserved, as a PC BIOS would
constexpr uint64_t kBiosRom = 0xF0000;
constexpr uint64_t kHighMemory = 0x100000;
constexpr uint16_t kCode32 = 0x08, kData = 0x10, kCode64 = 0x18;
}  // namespace boot_layout

constexpr uint32_t kMultibootHeaderMagic = 0x1BADB002;
constexpr uint32_t kMultibootBootMagic = 0x2BADB002;

struct BootImage {
  struct Chunk {
    uint64_t address;
    std::vector<uint8_t> bytes;
  };
  std::vector<Chunk> chunks;  // everything to write into RAM, in order
  X86BootState state;
  uint64_t kernel_low = 0, kernel_high = 0;  // physical range the kernel occupies
};

// Throws ConfigError (naming the file) for a missing/unreadable file, a malformed ELF, a kernel that
// does not fit in RAM, or a Multiboot header asking for something hvsim does not provide.
BootImage load_multiboot_kernel(const std::string& path, uint64_t ram_size, const std::string& cmdline);

}  // namespace hvsim
