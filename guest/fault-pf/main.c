/* fault-pf: enables 32-bit paging (4 KiB pages, identity map of 0-16 MiB) with one page of its own
 * .bss marked not present, then writes into that page. Expected: #PF, CR2 = the printed address,
 * error code 0x2 (not present, write, supervisor). Under hvsim the simulator reports the fault
 * (vector 14, RIP, CR2). Under QEMU the guest's own IDT handler prints it and ends with debug_exit(2)
 * (status 5). If the write does not fault: debug_exit(3). */
#include "runtime.h"

#define MAPPED_BYTES (16u << 20)
#define NPT (MAPPED_BYTES >> 22) /* page tables, 4 MiB each */
#define PTE_P 0x1u
#define PTE_W 0x2u
#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u
#define TOUCH_OFFSET 0x123u

static uint32_t g_pd[1024] __attribute__((aligned(4096)));
static uint32_t g_pt[NPT][1024] __attribute__((aligned(4096)));
static uint8_t g_victim[4096] __attribute__((aligned(4096)));
static volatile uint32_t g_probe;

extern char fault_pf_insn[];

static void on_trap(const struct trap_frame* f) {
  kprintf("fault-pf: caught exception vector=%u (%s) error=0x%x eip=0x%08x cr2=0x%08x\n", f->vector,
          exception_name(f->vector), f->error_code, f->eip, read_cr2());
  debug_exit(GUEST_EXIT_FAULT_CAUGHT);
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  (void)mbi;
  console_init();
  kprintf("fault-pf: hvsim guest runtime: fault-pf\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("fault-pf: multiboot magic MISMATCH: 0x%08x\n", magic);
    return GUEST_EXIT_FAIL;
  }
  if ((uintptr_t)__image_end > MAPPED_BYTES) {
    kprintf("fault-pf: image ends above the identity map (0x%08x)\n", (uint32_t)(uintptr_t)__image_end);
    return GUEST_EXIT_FAIL;
  }
  idt_install_exceptions(on_trap);

  for (uint32_t t = 0; t < NPT; ++t) {
    g_pd[t] = (uint32_t)(uintptr_t)g_pt[t] | PTE_P | PTE_W;
    for (uint32_t i = 0; i < 1024; ++i) g_pt[t][i] = ((t * 1024u + i) << 12) | PTE_P | PTE_W;
  }
  uint32_t victim = (uint32_t)(uintptr_t)g_victim;
  uint32_t vpn = victim >> 12;
  g_pt[vpn >> 10][vpn & 1023] = 0; /* not present */

  write_cr3((uint32_t)(uintptr_t)g_pd);
  write_cr0(read_cr0() | CR0_PG | CR0_WP);

  g_probe = 0x5a5a1234u; /* a present page still works through the page tables */
  int probe_ok = g_probe == 0x5a5a1234u;
  kprintf("fault-pf: paging on (cr0=0x%08x cr3=0x%08x), identity map 0-0x%x, 4 KiB pages, present-page probe %s\n",
          read_cr0(), read_cr3(), MAPPED_BYTES, probe_ok ? "ok" : "FAILED");
  if (!probe_ok) return GUEST_EXIT_FAIL;
  kprintf("fault-pf: page 0x%08x is not present\n", victim);
  kprintf("fault-pf: faulting instruction at 0x%08x\n", (uint32_t)(uintptr_t)fault_pf_insn);
  uint32_t target = victim + TOUCH_OFFSET;
  kprintf("fault-pf: about to touch 0x%08x (write)\n", target);
  __asm__ volatile(
      ".globl fault_pf_insn\n"
      "fault_pf_insn:\n\t"
      "movl   $0xdeadbeef, (%0)\n\t"
      :
      : "r"(target)
      : "memory");
  kprintf("fault-pf: fault NOT taken\n");
  debug_exit(GUEST_EXIT_NO_FAULT);
}
