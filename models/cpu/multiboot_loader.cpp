#include "models/cpu/multiboot_loader.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim {

namespace {
using namespace boot_layout;
using ull = unsigned long long;

// Multiboot header flags (bits 15:0 are requirements the loader must honour or refuse).
constexpr uint32_t kMbPageAlignModules = 1u << 0;  // no modules are loaded, trivially honoured
constexpr uint32_t kMbMemoryInfo = 1u << 1;
constexpr uint32_t kMbAddressFields = 1u << 16;
constexpr uint32_t kMbSupportedRequirements = kMbPageAlignModules | kMbMemoryInfo;

// multiboot_info flags this loader fills in.
constexpr uint32_t kInfoMem = 1u << 0, kInfoCmdline = 1u << 2, kInfoMmap = 1u << 6, kInfoLoaderName = 1u << 9;

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  throw ConfigError(SourceLoc{path, 0, ""}, "kernel: " + msg);
}

template <typename T>
T get(const std::vector<uint8_t>& f, uint64_t off, const std::string& path) {
  if (off + sizeof(T) > f.size() || off + sizeof(T) < off) fail(path, "truncated file");
  T v;
  std::memcpy(&v, f.data() + off, sizeof(T));
  return v;
}

void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
void put64(std::vector<uint8_t>& b, size_t off, uint64_t v) { std::memcpy(b.data() + off, &v, 8); }

struct MultibootHeader {
  bool present = false;
  uint32_t offset = 0, flags = 0;
  uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

MultibootHeader find_header(const std::vector<uint8_t>& f, const std::string& path) {
  MultibootHeader h;
  size_t limit = std::min<size_t>(f.size(), 8192);
  for (size_t off = 0; off + 12 <= limit; off += 4) {
    uint32_t magic = get<uint32_t>(f, off, path);
    if (magic != kMultibootHeaderMagic) continue;
    uint32_t flags = get<uint32_t>(f, off + 4, path), sum = get<uint32_t>(f, off + 8, path);
    if (static_cast<uint32_t>(magic + flags + sum) != 0) fail(path, "Multiboot header checksum is wrong");
    h.present = true;
    h.offset = static_cast<uint32_t>(off);
    h.flags = flags;
    if (flags & kMbAddressFields) {
      h.header_addr = get<uint32_t>(f, off + 12, path);
      h.load_addr = get<uint32_t>(f, off + 16, path);
      h.load_end_addr = get<uint32_t>(f, off + 20, path);
      h.bss_end_addr = get<uint32_t>(f, off + 24, path);
      h.entry_addr = get<uint32_t>(f, off + 28, path);
    }
    break;
  }
  return h;
}

void check_range(const std::string& path, uint64_t addr, uint64_t size, uint64_t ram_size) {
  if (size == 0) return;
  if (addr < kReservedEnd)
    fail(path, strfmt("segment at 0x%llx overlaps the boot loader's area below 0x%llx", (ull)addr, (ull)kReservedEnd));
  if (addr + size > ram_size || addr + size < addr)
    fail(path, strfmt("segment 0x%llx..0x%llx does not fit in RAM of 0x%llx bytes", (ull)addr, (ull)(addr + size),
                      (ull)ram_size));
}

// Loads PT_LOAD segments of an ELF32 or ELF64 executable at their physical addresses.
template <typename Ehdr, typename Phdr>
void load_elf_segments(const std::vector<uint8_t>& f, const std::string& path, uint64_t ram_size, BootImage& img) {
  Ehdr eh = get<Ehdr>(f, 0, path);
  if (eh.e_type != ET_EXEC) fail(path, "not an executable ELF (e_type must be ET_EXEC)");
  if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum == 0) fail(path, "ELF has no usable program headers");
  img.kernel_low = UINT64_MAX;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Phdr ph = get<Phdr>(f, eh.e_phoff + static_cast<uint64_t>(i) * sizeof(Phdr), path);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) fail(path, strfmt("segment %u has p_filesz > p_memsz", i));
    if (ph.p_offset + ph.p_filesz > f.size()) fail(path, strfmt("segment %u extends past the end of the file", i));
    check_range(path, ph.p_paddr, ph.p_memsz, ram_size);
    BootImage::Chunk c{ph.p_paddr, std::vector<uint8_t>(ph.p_memsz, 0)};
    std::memcpy(c.bytes.data(), f.data() + ph.p_offset, ph.p_filesz);
    img.kernel_low = std::min<uint64_t>(img.kernel_low, ph.p_paddr);
    img.kernel_high = std::max<uint64_t>(img.kernel_high, ph.p_paddr + ph.p_memsz);
    img.chunks.push_back(std::move(c));
  }
  if (img.kernel_low == UINT64_MAX) fail(path, "ELF has no loadable segment");
  img.state.entry = eh.e_entry;
}

// Multiboot "a.out kludge": the header's address fields say where the file goes.
void load_by_address_fields(const std::vector<uint8_t>& f, const MultibootHeader& h, const std::string& path,
                            uint64_t ram_size, BootImage& img) {
  if (h.header_addr < h.load_addr || h.header_addr - h.load_addr > h.offset)
    fail(path, "Multiboot address fields are inconsistent (header_addr/load_addr)");
  uint64_t file_start = h.offset - (h.header_addr - h.load_addr);
  uint64_t load_end = h.load_end_addr ? h.load_end_addr : h.load_addr + (f.size() - file_start);
  if (load_end < h.load_addr || file_start + (load_end - h.load_addr) > f.size())
    fail(path, "Multiboot load_end_addr lies beyond the file");
  uint64_t end = std::max<uint64_t>(load_end, h.bss_end_addr);
  check_range(path, h.load_addr, end - h.load_addr, ram_size);
  BootImage::Chunk c{h.load_addr, std::vector<uint8_t>(end - h.load_addr, 0)};
  std::memcpy(c.bytes.data(), f.data() + file_start, load_end - h.load_addr);
  img.chunks.push_back(std::move(c));
  img.kernel_low = h.load_addr;
  img.kernel_high = end;
  img.state.entry = h.entry_addr;
}

std::vector<uint8_t> make_gdt() {
  // Flat 4 GiB segments: 32-bit code (0x08), data (0x10), 64-bit code (0x18).
  const uint64_t entries[] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00AF9A000000FFFFull};
  std::vector<uint8_t> b(sizeof(entries));
  std::memcpy(b.data(), entries, sizeof(entries));
  return b;
}

std::vector<uint8_t> make_identity_page_tables() {
  // PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages: VA == PA for the low 4 GiB.
  constexpr uint64_t kPresentWrite = 0x3, kLargePage = 0x80;
  std::vector<uint8_t> b(6 * 4096, 0);
  put64(b, 0, (kPageTables + 0x1000) | kPresentWrite);
  for (unsigned i = 0; i < 4; ++i) put64(b, 0x1000 + i * 8, (kPageTables + 0x2000 + i * 0x1000) | kPresentWrite);
  for (uint64_t i = 0; i < 4 * 512; ++i) put64(b, 0x2000 + i * 8, (i << 21) | kPresentWrite | kLargePage);
  return b;
}

void add_multiboot_info(uint64_t ram_size, const std::string& cmdline, BootImage& img) {
  // Memory map as a PC BIOS reports it: low RAM, EBDA, BIOS ROM, then RAM from 1 MiB.
  struct Region {
    uint64_t base, length;
    uint32_t type;
  };
  const Region regions[] = {{0, kEbda, 1},
                            {kEbda, 0xA0000 - kEbda, 2},
                            {kBiosRom, kHighMemory - kBiosRom, 2},
                            {kHighMemory, ram_size - kHighMemory, 1}};
  std::vector<uint8_t> mmap(sizeof(regions) / sizeof(regions[0]) * 24, 0);
  for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); ++i) {
    put32(mmap, i * 24, 20);  // size of the rest of the entry
    put64(mmap, i * 24 + 4, regions[i].base);
    put64(mmap, i * 24 + 12, regions[i].length);
    put32(mmap, i * 24 + 20, regions[i].type);
  }
  std::vector<uint8_t> info(120, 0);
  put32(info, 0, kInfoMem | kInfoCmdline | kInfoMmap | kInfoLoaderName);
  put32(info, 4, static_cast<uint32_t>(kEbda / 1024));                        // mem_lower (KiB)
  put32(info, 8, static_cast<uint32_t>((ram_size - kHighMemory) / 1024));     // mem_upper (KiB)
  put32(info, 16, static_cast<uint32_t>(kCmdline));
  put32(info, 44, static_cast<uint32_t>(mmap.size()));
  put32(info, 48, static_cast<uint32_t>(kMmap));
  put32(info, 64, static_cast<uint32_t>(kLoaderName));
  std::vector<uint8_t> cmd(cmdline.begin(), cmdline.end());
  cmd.push_back(0);
  static const char kName[] = "hvsim";
  img.chunks.push_back({kInfo, std::move(info)});
  img.chunks.push_back({kMmap, std::move(mmap)});
  img.chunks.push_back({kCmdline, std::move(cmd)});
  img.chunks.push_back({kLoaderName, std::vector<uint8_t>(kName, kName + sizeof(kName))});
}
}  // namespace

BootImage load_multiboot_kernel(const std::string& path, uint64_t ram_size, const std::string& cmdline) {
  if (path.empty()) throw ConfigError(SourceLoc{"command line", 0, "--kernel"}, "no kernel given");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (f.size() < EI_NIDENT || std::memcmp(f.data(), ELFMAG, SELFMAG) != 0) fail(path, "not an ELF file");
  if (ram_size < 2 * kHighMemory) fail(path, "RAM must be at least 2 MiB to boot a Multiboot kernel");
  if (cmdline.size() >= kLoaderName - kCmdline) fail(path, "kernel command line longer than 255 bytes");

  BootImage img;
  MultibootHeader mb = find_header(f, path);
  bool elf64 = f[EI_CLASS] == ELFCLASS64;
  if (f[EI_CLASS] != ELFCLASS32 && !elf64) fail(path, "unknown ELF class");
  if (f[EI_DATA] != ELFDATA2LSB) fail(path, "ELF is not little-endian");

  if (!elf64) {
    if (get<Elf32_Half>(f, offsetof(Elf32_Ehdr, e_machine), path) != EM_386)
      fail(path, "ELF32 kernel is not for i386 (e_machine must be EM_386)");
    if (!mb.present) fail(path, "no Multiboot header in the first 8 KiB (magic 0x1BADB002)");
    uint32_t unsupported = mb.flags & 0xFFFFu & ~kMbSupportedRequirements;
    if (unsupported)
      fail(path, strfmt("Multiboot header requests features hvsim does not provide (flags 0x%x; video mode is "
                        "not supported)",
                        unsupported));
    if (mb.flags & kMbAddressFields)
      load_by_address_fields(f, mb, path, ram_size, img);
    else
      load_elf_segments<Elf32_Ehdr, Elf32_Phdr>(f, path, ram_size, img);
    img.state.mode = CpuMode::kProtected32;
    img.state.code_selector = kCode32;
  } else {
    if (get<Elf64_Half>(f, offsetof(Elf64_Ehdr, e_machine), path) != EM_X86_64)
      fail(path, "ELF64 kernel is not for x86-64 (e_machine must be EM_X86_64)");
    load_elf_segments<Elf64_Ehdr, Elf64_Phdr>(f, path, ram_size, img);
    img.state.mode = CpuMode::kLong64;
    img.state.code_selector = kCode64;
    img.state.cr3 = kPageTables;
    img.chunks.push_back({kPageTables, make_identity_page_tables()});
  }
  if (img.state.entry < img.kernel_low || img.state.entry >= img.kernel_high)
    fail(path, strfmt("entry point 0x%llx is outside the loaded image", (ull)img.state.entry));

  std::vector<uint8_t> gdt = make_gdt();
  img.state.gdt_base = kGdt;
  img.state.gdt_limit = static_cast<uint16_t>(gdt.size() - 1);
  img.chunks.push_back({kGdt, std::move(gdt)});
  add_multiboot_info(ram_size, cmdline, img);
  img.state.data_selector = kData;
  img.state.rax = kMultibootBootMagic;
  img.state.rbx = kInfo;
  img.state.rsp = kInitialStack;
  return img;
}

}  // namespace hvsim
