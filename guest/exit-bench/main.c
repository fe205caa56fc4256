/* exit-bench: repeats one kind of VM exit many times, so the host cost of simulating it can be
 * measured (benchmarks/bench_exits.cpp). The kind comes from the kernel command line:
 *   pio        inl from the root-forwarded test device (port 0xE0)
 *   hypercall  a null hypercall through the Hyper-V hypercall page
 *   irq        an interrupt round trip: the test device raises IRQ 5, the handler lowers it, EOI
 * The loop runs EXIT_BENCH_N times and prints `exit-bench: <kind> n=<N> done`. */
#include "hyperv.h"
#include "irq.h"
#include "pic.h"
#include "runtime.h"

#define EXIT_BENCH_N 20000u
#define TESTDEV_SCRATCH 0xE0
#define TESTDEV_IRQCTL 0xE4
#define TESTDEV_IRQ 5
#define IRQ_SPINS 1000000u

static volatile uint32_t g_irq_seen;

static void testdev_irq(unsigned irq, void* ctx) {
  (void)irq;
  (void)ctx;
  outb(TESTDEV_IRQCTL, 0);  /* lower the line before the dispatcher's EOI */
  g_irq_seen = 1;
}

static int starts_with(const char* s, const char* p) {
  while (*p)
    if (*s++ != *p++) return 0;
  return 1;
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  console_init();
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) return GUEST_EXIT_FAIL;
  const char* cmd = (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char*)(uintptr_t)mbi->cmdline : "";
  uint32_t n = EXIT_BENCH_N;
  if (starts_with(cmd, "pio")) {
    for (uint32_t i = 0; i < n; ++i) (void)inl(TESTDEV_SCRATCH);
    kprintf("exit-bench: pio n=%u done\n", n);
  } else if (starts_with(cmd, "hypercall")) {
    wrmsr64(HV_X64_MSR_GUEST_OS_ID, hv_linux_guest_id(6, 6, 0));  /* required before the page */
    if (!hv_enable_hypercall_page()) {
      kprintf("exit-bench: hypercall unavailable\n");
      return GUEST_EXIT_FAIL;
    }
    for (uint32_t i = 0; i < n; ++i) (void)hv_do_hypercall(0, 0, 0);
    kprintf("exit-bench: hypercall n=%u done\n", n);
  } else if (starts_with(cmd, "irq")) {
    irq_init();
    irq_register(TESTDEV_IRQ, testdev_irq, 0);
    irq_enable(TESTDEV_IRQ);
    __asm__ volatile("sti");
    for (uint32_t i = 0; i < n; ++i) {
      g_irq_seen = 0;
      outb(TESTDEV_IRQCTL, 1);
      uint32_t spins = 0;
      while (!g_irq_seen && ++spins < IRQ_SPINS) {
      }
      if (!g_irq_seen) {
        kprintf("exit-bench: irq %u never arrived\n", i);
        return GUEST_EXIT_FAIL;
      }
    }
    __asm__ volatile("cli");
    kprintf("exit-bench: irq n=%u done\n", n);
  } else {
    kprintf("exit-bench: unknown kind '%s' (pio, hypercall, irq)\n", cmd);
    return GUEST_EXIT_FAIL;
  }
  return GUEST_EXIT_OK;
}
