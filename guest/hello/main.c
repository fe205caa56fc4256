/* hello: boots, checks the runtime, prints the machine it finds, exits with debug_exit(0).
 *
 * Console-line convention (see guest/README.md):
 *   "hello: ..."           platform-independent: identical under every conforming PC platform
 *                          (QEMU pc, every hvsim PC platform); tests compare these lines exactly.
 *   "hello.platform: ..."  depends on the platform (memory sizes, PCI inventory, CPUID, TSC, loader). */
#include "runtime.h"

#define COMMON "hello: "
#define PLAT "hello.platform: "

static int g_failures;

/* ---- printf self-test (fixed values) ---- */
static int g_pf_total, g_pf_ok;

static void pf_check(const char* got, int got_len, const char* expected) {
  ++g_pf_total;
  if (strcmp(got, expected) == 0 && got_len == (int)strlen(expected)) {
    ++g_pf_ok;
  } else {
    ++g_failures;
    kprintf(COMMON "printf self-test FAILED: got \"%s\" (len %d), expected \"%s\"\n", got, got_len, expected);
  }
}

#define PF(expected, ...)                                  \
  do {                                                     \
    char buf_[64];                                         \
    int n_ = ksnprintf(buf_, sizeof buf_, __VA_ARGS__);    \
    pf_check(buf_, n_, expected);                          \
  } while (0)

static void printf_selftest(void) {
  PF("-42", "%d", -42);
  PF("2147483647", "%i", 2147483647);
  PF("-2147483648", "%d", (int)0x80000000u);
  PF("0", "%u", 0u);
  PF("4294967295", "%u", 4294967295u);
  PF("deadbeef", "%x", 0xdeadbeefu);
  PF("CAFE", "%X", 0xcafeu);
  PF("0000abcd", "%08x", 0xabcdu);
  PF("-0042", "%05d", -42);
  PF("17    |", "%-6d|", 17);
  PF("   ab|ab  |", "%5s|%-4s|", "ab", "ab");
  PF("  x|ok", "%3c|%c%c", 'x', 'o', 'k');
  PF("100%", "%d%%", 100);
  PF("-9000000000", "%lld", -9000000000ll);
  PF("18446744073709551615", "%llu", 18446744073709551615ull);
  PF("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
  PF("0x00100000", "%p", (void*)0x100000);
  PF("12345678", "%lu", 12345678ul);
  /* truncation: returns the full length, keeps a NUL-terminated prefix */
  {
    char small[4];
    int n = ksnprintf(small, sizeof small, "%d", 12345);
    pf_check(small, n == 5 ? 3 : -1, "123");
  }
  kprintf(COMMON "printf self-test: %d/%d ok\n", g_pf_ok, g_pf_total);
  kprintf(COMMON "printf sample: [%d] [%u] [%x] [%X] [%08x] [%-6d] [%5s] [%c] [%%] [%lld] [%llu] [%llx] [%p]\n", -42,
          4294967295u, 0xdeadbeefu, 0xcafeu, 0xabcdu, 17, "ab", 'Z', -9000000000ll, 18446744073709551615ull,
          0x123456789abcdef0ull, (void*)0x100000);
}

/* ---- deterministic checksum ---- */
#define PATTERN_BYTES 65536
static uint8_t g_pattern[PATTERN_BYTES];

/* xorshift32 from seed 0x12345678; each step's low byte fills one pattern byte. */
static uint32_t pattern_checksum(void) {
  uint32_t x = 0x12345678u;
  for (uint32_t i = 0; i < PATTERN_BYTES; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_pattern[i] = (uint8_t)x;
  }
  return crc32_update(0, g_pattern, PATTERN_BYTES);
}

/* ---- platform information ---- */
static void print_cpu(void) {
  uint32_t a, b, c, d;
  cpuid(0, 0, &a, &b, &c, &d);
  char vendor[13];
  memcpy(vendor + 0, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  vendor[12] = 0;
  uint32_t max_leaf = a;
  cpuid(1, 0, &a, &b, &c, &d);
  kprintf(PLAT "cpuid vendor=\"%s\" max_leaf=0x%x signature=0x%08x hypervisor_bit=%u\n", vendor, max_leaf, a,
          (c >> 31) & 1);
  if (c & (1u << 31)) {
    cpuid(0x40000000u, 0, &a, &b, &c, &d);
    char hv[13];
    memcpy(hv + 0, &b, 4);
    memcpy(hv + 4, &c, 4);
    memcpy(hv + 8, &d, 4);
    hv[12] = 0;
    for (int i = 0; i < 12; ++i)
      if (hv[i] && (hv[i] < 0x20 || hv[i] > 0x7e)) hv[i] = '?';
    kprintf(PLAT "cpuid hypervisor vendor=\"%s\" max_leaf=0x%x\n", hv, a);
  }
}

static const char* mmap_type_name(uint32_t t) {
  switch (t) {
    case MULTIBOOT_MEMORY_AVAILABLE: return "available";
    case MULTIBOOT_MEMORY_RESERVED: return "reserved";
    case MULTIBOOT_MEMORY_ACPI_RECLAIMABLE: return "acpi";
    case MULTIBOOT_MEMORY_NVS: return "nvs";
    case MULTIBOOT_MEMORY_BADRAM: return "bad";
    default: return "unknown";
  }
}

static void print_multiboot(const struct multiboot_info* mbi) {
  kprintf(PLAT "multiboot info at %p flags=0x%08x\n", (const void*)mbi, mbi->flags);
  if (mbi->flags & MULTIBOOT_INFO_MEMORY)
    kprintf(PLAT "mem_lower=%u KiB mem_upper=%u KiB\n", mbi->mem_lower, mbi->mem_upper);
  if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
    kprintf(PLAT "cmdline=\"%s\"\n", (const char*)(uintptr_t)mbi->cmdline);
  if (mbi->flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
    kprintf(PLAT "boot_loader_name=\"%s\"\n", (const char*)(uintptr_t)mbi->boot_loader_name);
  if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
    kprintf(PLAT "mmap at %p length=%u\n", (const void*)(uintptr_t)mbi->mmap_addr, mbi->mmap_length);
    int i = 0;
    uint64_t avail = 0;
    multiboot_mmap_foreach(mbi, e) {
      kprintf(PLAT "mmap[%d] base=0x%016llx length=0x%016llx type=%u (%s)\n", i++, (unsigned long long)e->addr,
              (unsigned long long)e->len, e->type, mmap_type_name(e->type));
      if (e->type == MULTIBOOT_MEMORY_AVAILABLE) avail += e->len;
    }
    kprintf(PLAT "mmap available total=%llu KiB\n", (unsigned long long)(avail >> 10));
  } else {
    kprintf(PLAT "no memory map\n");
  }
}

static void print_pci(void) {
  int n = pci_scan();
  int assigned = pci_assign_bars();
  kprintf(PLAT "pci functions=%d bars_assigned_by_guest=%d\n", n, assigned);
  for (int i = 0; i < n; ++i) {
    const struct pci_function* f = pci_function_at(i);
    kprintf(PLAT "pci %02x:%02x.%x %04x:%04x class %02x.%02x.%02x rev %02x header 0x%02x%s irq line %u pin %u cmd 0x%04x\n",
            f->bus, f->dev, f->fn, f->vendor, f->device, f->class_code, f->subclass, f->prog_if, f->revision,
            f->header_type, (f->header_type & 0x80) ? " (multi-function)" : "", f->irq_line, f->irq_pin,
            f->command);
    for (int j = 0; j < f->nbars; ++j) {
      const struct pci_bar* b = &f->bar[j];
      if (b->kind == PCI_BAR_NONE) continue;
      kprintf(PLAT "pci %02x:%02x.%x   bar%d %s%s size 0x%llx addr 0x%llx %s\n", f->bus, f->dev, f->fn, j,
              pci_bar_kind_name(b->kind), b->prefetchable ? " prefetchable" : "", (unsigned long long)b->size,
              (unsigned long long)b->addr,
              b->unassigned ? "(unassigned: window full)" : b->assigned_by_guest ? "(assigned by guest)"
                                                                                  : "(assigned by firmware)");
    }
  }
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  console_init();
  kprintf(COMMON "hvsim guest runtime: hello\n");

  int magic_ok = magic == MULTIBOOT_BOOTLOADER_MAGIC;
  if (magic_ok) {
    kprintf(COMMON "multiboot magic 0x%08x: ok\n", magic);
  } else {
    kprintf(COMMON "multiboot magic MISMATCH: got 0x%08x, expected 0x%08x\n", magic, MULTIBOOT_BOOTLOADER_MAGIC);
    ++g_failures;
  }
  /* The header asks for memory info (flag bit 1), so every conforming loader provides flags bit 0. */
  int meminfo = magic_ok && (mbi->flags & MULTIBOOT_INFO_MEMORY);
  kprintf(COMMON "multiboot memory info: %s\n", meminfo ? "present" : "MISSING");
  if (!meminfo) ++g_failures;

  printf_selftest();

  uint32_t crc = crc32_update(0, "123456789", 9);
  kprintf(COMMON "crc32(\"123456789\")=0x%08x: %s\n", crc, crc == 0xCBF43926u ? "ok" : "WRONG");
  if (crc != 0xCBF43926u) ++g_failures;

  uint64_t t0 = rdtsc();
  uint32_t sum = pattern_checksum();
  uint64_t t1 = rdtsc();
  kprintf(COMMON "checksum crc32(xorshift32 pattern, %d bytes)=0x%08x\n", PATTERN_BYTES, sum);

  int pci_ok = pci_mechanism1_present();
  kprintf(COMMON "pci configuration mechanism #1: %s\n", pci_ok ? "present" : "absent");

  /* ---- platform-dependent part ---- */
  kprintf(PLAT "hvsim measure port 0x%x: %s\n", HVSIM_MEASURE_PORT, hvsim_present() ? "present" : "absent");
  print_cpu();
  kprintf(PLAT "tsc cycles for the checksum=%llu\n", (unsigned long long)(t1 - t0));
  kprintf(PLAT "image 0x%08x-0x%08x\n", (uint32_t)(uintptr_t)__image_start, (uint32_t)(uintptr_t)__image_end);
  if (magic_ok) print_multiboot(mbi);
  if (pci_ok) print_pci();

  kprintf(COMMON "done: %s\n", g_failures ? "FAILED" : "ok");
  return g_failures ? GUEST_EXIT_FAIL : GUEST_EXIT_OK;
}
