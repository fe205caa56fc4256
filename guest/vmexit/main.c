/* vmexit: exit-cost microbenchmarks in the style of kvm-unit-tests' x86/vmexit.c.
 *
 * Each benchmark runs a loop of VMEXIT_N iterations whose body is exactly one operation plus the loop
 * instructions, and the same loop without the operation ("empty loop", same shape), both timed with
 * RDTSC (simulated cycles under hvsim). Printed, after the region of interest, one line per benchmark:
 *     vmexit: <name> <cycles_per_op> cycles/op (raw <raw_total> cycles, loop <loop_total>, n <N>)
 * with cycles_per_op = (raw_total - loop_total) / N (rounded down; 0 if the loop took longer), or
 *     vmexit: <name> unavailable (<why>)
 * when the platform lacks what the benchmark needs.
 *
 * Every timed loop is one asm block with fixed registers (BENCH below), identical around the body:
 *     pushl %ebp                       save EBP (the loop counter)
 *     rdtsc ; movl %eax,t0 ; movl %edx,t0+4
 *     movl $N, %ebp                    counter
 *     <setup>                          registers the body only reads (not clobbered by the operation)
 *  1: <body>                           the operation (+ per-iteration operand loads), or those loads only
 *     decl %ebp ; jnz 1b               the loop
 *  9: movl %eax,res ; movl %edx,res+4 ; movl %ebp,left
 *     rdtsc ; movl %eax,t1 ; movl %edx,t1+4
 *     popl %ebp
 * raw_total = t1 - t0 of the operation loop, loop_total = t1 - t0 of the empty loop, so everything but
 * the operation cancels. Bodies (AT&T syntax; "empty" = the empty loop's body):
 *   cpuid            movl $0x40000000,%eax ; cpuid                       empty: movl $0x40000000,%eax
 *   vmcall           xorl %eax,%eax ; xorl %edx,%edx ; xorl %ecx,%ecx ; call *hv_hypercall_pg
 *                    (setup: EBX = EDI = ESI = 0; the page holds VMCALL ; RET: control 0 = call code
 *                    0x0000, input/output GPA 0; the result EDX:EAX must be status 2)
 *                                                                         empty: the three xorl
 *   inl_hypervisor   inl %dx,%eax            (setup: EDX = 0xB008, ACPI PM timer)       empty: nothing
 *   inl_root         inl $0xE0,%eax          (testdev scratch register)                 empty: nothing
 *   mmio_root        movl 0xFEB00000,%eax    (testdev MMIO scratch register)            empty: nothing
 *   rdmsr_synthetic  rdmsr                   (setup: ECX = 0x40000002 VP_INDEX)          empty: nothing
 *   wrmsr_synthetic  wrmsr                   (setup: ECX = 0x40000000 GUEST_OS_ID, EDX:EAX = the value
 *                                             written at setup, so every write rewrites the same value)
 *                                                                                         empty: nothing
 *   irq_roundtrip    movl $0,vmexit_irq_flag ; movl $SPIN,%ecx ; movb $1,%al ; outb %al,$0xE4
 *                 2: cmpl $0,vmexit_irq_flag ; jne 3f ; decl %ecx ; jnz 2b ; jmp 9f
 *                 3: (loop)
 *                    the OUT asserts testdev's line (ISA IRQ 5); the interrupt (IF = 1) enters the IRQ 5
 *                    handler, which writes 0 to port 0xE4 (deassert) and sets the flag; the dispatcher
 *                    then sends a non-specific EOI (OUT 0x20 to port 0x20) and IRETs. The wait loop
 *                    normally runs `cmpl ; jne` once; a late interrupt adds spins (counted: it is
 *                    latency); SPIN exhausted = the interrupt never came (reported, no hang).
 *                    empty: the same with movl $1,vmexit_irq_flag and no OUT (the wait falls through)
 *   mmio_passthrough movl 0xFEB01000,%eax    (testdev_pt scratch register, no exit)     empty: nothing
 *
 * Setup (Hyper-V detection, GUEST_OS_ID, hypercall page, device probes, PIC and IRQ 5 warm-up) happens
 * before the ROI and prints `vmexit.platform:` lines. The ROI (outl 1 / outl 2 to port 0x508) covers
 * exactly the benchmark loops (empty and measured), nothing else: results are printed after it, so the
 * ROI's exits are the benchmarks' own. Exit 0; 1 if a check failed (vmcall status, IRQ timeout). */
#include "hyperv.h"
#include "irq.h"
#include "pic.h"
#include "runtime.h"

#ifndef VMEXIT_N
#define VMEXIT_N 1000
#endif
_Static_assert(VMEXIT_N >= 1 && VMEXIT_N <= 100000000, "VMEXIT_N must be in 1..1e8");

#define VMEXIT_STR2(x) #x
#define VMEXIT_STR(x) VMEXIT_STR2(x)

/* Fixed places of the platform contract (like QEMU's pc-testdev). */
#define PMTIMER_PORT 0xB008
#define TESTDEV_PORT 0xE0 /* dword scratch */
#define TESTDEV_IRQCTL_PORT 0xE4
#define TESTDEV_IRQ 5
#define TESTDEV_MMIO 0xFEB00000u
#define TESTDEV_PT_MMIO 0xFEB01000u
#define IRQ_SPIN_LIMIT 1000000 /* wait-loop iterations before an interrupt counts as lost */
#define IRQ_WARMUP 4

/* The asm blocks reference these by name (absolute addresses: no register or stack operands). */
uint32_t vmexit_t0[2], vmexit_t1[2], vmexit_res[2], vmexit_left;
uint32_t vmexit_wrmsr_value[2];
volatile uint32_t vmexit_irq_flag;

#define BENCH(fn, setup, body)                                                                 \
  static void fn(void) {                                                                       \
    __asm__ volatile("pushl %%ebp\n\t"                                                         \
                     "rdtsc\n\t"                                                               \
                     "movl %%eax, vmexit_t0\n\t"                                               \
                     "movl %%edx, vmexit_t0+4\n\t"                                             \
                     "movl $" VMEXIT_STR(VMEXIT_N) ", %%ebp\n\t" setup "\n"                    \
                     "1:\n\t" body "\n\t"                                                      \
                     "decl %%ebp\n\t"                                                          \
                     "jnz 1b\n"                                                                \
                     "9:\n\t"                                                                  \
                     "movl %%eax, vmexit_res\n\t"                                              \
                     "movl %%edx, vmexit_res+4\n\t"                                            \
                     "movl %%ebp, vmexit_left\n\t"                                             \
                     "rdtsc\n\t"                                                               \
                     "movl %%eax, vmexit_t1\n\t"                                               \
                     "movl %%edx, vmexit_t1+4\n\t"                                             \
                     "popl %%ebp"                                                              \
                     :                                                                         \
                     :                                                                         \
                     : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");              \
  }

/* cpuid */
BENCH(bench_cpuid, "", "movl $0x40000000, %%eax\n\tcpuid")
BENCH(empty_cpuid, "", "movl $0x40000000, %%eax")
/* vmcall: null hypercall (call code 0) through the hypercall page */
#define VMCALL_SETUP "xorl %%ebx, %%ebx\n\txorl %%edi, %%edi\n\txorl %%esi, %%esi"
#define VMCALL_ARGS "xorl %%eax, %%eax\n\txorl %%edx, %%edx\n\txorl %%ecx, %%ecx"
BENCH(bench_vmcall, VMCALL_SETUP, VMCALL_ARGS "\n\tcall *hv_hypercall_pg")
BENCH(empty_vmcall, VMCALL_SETUP, VMCALL_ARGS)
/* inl_hypervisor: ACPI PM timer */
BENCH(bench_inl_hypervisor, "movl $" VMEXIT_STR(PMTIMER_PORT) ", %%edx", "inl %%dx, %%eax")
BENCH(empty_inl_hypervisor, "movl $" VMEXIT_STR(PMTIMER_PORT) ", %%edx", "")
/* inl_root: testdev scratch */
BENCH(bench_inl_root, "", "inl $" VMEXIT_STR(TESTDEV_PORT) ", %%eax")
BENCH(empty_inl_root, "", "")
/* mmio_root: testdev MMIO scratch */
BENCH(bench_mmio_root, "", "movl " VMEXIT_STR(TESTDEV_MMIO) ", %%eax")
BENCH(empty_mmio_root, "", "")
/* rdmsr_synthetic: VP_INDEX */
BENCH(bench_rdmsr, "movl $0x40000002, %%ecx", "rdmsr")
BENCH(empty_rdmsr, "movl $0x40000002, %%ecx", "")
/* wrmsr_synthetic: GUEST_OS_ID, same value */
#define WRMSR_SETUP "movl $0x40000000, %%ecx\n\tmovl vmexit_wrmsr_value, %%eax\n\tmovl vmexit_wrmsr_value+4, %%edx"
BENCH(bench_wrmsr, WRMSR_SETUP, "wrmsr")
BENCH(empty_wrmsr, WRMSR_SETUP, "")
/* irq_roundtrip: testdev IRQ 5 */
BENCH(bench_irq, "",
      "movl $0, vmexit_irq_flag\n\t"
      "movl $" VMEXIT_STR(IRQ_SPIN_LIMIT) ", %%ecx\n\t"
      "movb $1, %%al\n\t"
      "outb %%al, $" VMEXIT_STR(TESTDEV_IRQCTL_PORT) "\n"
      "2:\n\t"
      "cmpl $0, vmexit_irq_flag\n\t"
      "jne 3f\n\t"
      "decl %%ecx\n\t"
      "jnz 2b\n\t"
      "jmp 9f\n"
      "3:")
BENCH(empty_irq, "",
      "movl $1, vmexit_irq_flag\n\t"
      "movl $" VMEXIT_STR(IRQ_SPIN_LIMIT) ", %%ecx\n\t"
      "movb $1, %%al\n"
      "2:\n\t"
      "cmpl $0, vmexit_irq_flag\n\t"
      "jne 3f\n\t"
      "decl %%ecx\n\t"
      "jnz 2b\n\t"
      "jmp 9f\n"
      "3:")
/* mmio_passthrough: testdev_pt MMIO scratch */
BENCH(bench_mmio_pt, "", "movl " VMEXIT_STR(TESTDEV_PT_MMIO) ", %%eax")
BENCH(empty_mmio_pt, "", "")

struct bench {
  const char* name;
  void (*run)(void);
  void (*empty)(void);
  const char* unavailable; /* set during setup: why it cannot run */
  int ran;
  uint64_t raw, loop;
  uint32_t res_lo, res_hi, left, empty_left;
};

enum { B_CPUID, B_VMCALL, B_INL_HV, B_INL_ROOT, B_MMIO_ROOT, B_RDMSR, B_WRMSR, B_IRQ, B_MMIO_PT, B_COUNT };

static struct bench g_bench[B_COUNT] = {
    [B_CPUID] = {"cpuid", bench_cpuid, empty_cpuid, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_VMCALL] = {"vmcall", bench_vmcall, empty_vmcall, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_INL_HV] = {"inl_hypervisor", bench_inl_hypervisor, empty_inl_hypervisor, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_INL_ROOT] = {"inl_root", bench_inl_root, empty_inl_root, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_MMIO_ROOT] = {"mmio_root", bench_mmio_root, empty_mmio_root, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_RDMSR] = {"rdmsr_synthetic", bench_rdmsr, empty_rdmsr, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_WRMSR] = {"wrmsr_synthetic", bench_wrmsr, empty_wrmsr, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_IRQ] = {"irq_roundtrip", bench_irq, empty_irq, 0, 0, 0, 0, 0, 0, 0, 0},
    [B_MMIO_PT] = {"mmio_passthrough", bench_mmio_pt, empty_mmio_pt, 0, 0, 0, 0, 0, 0, 0, 0},
};

static uint64_t elapsed(void) {
  uint64_t t0 = ((uint64_t)vmexit_t0[1] << 32) | vmexit_t0[0];
  uint64_t t1 = ((uint64_t)vmexit_t1[1] << 32) | vmexit_t1[0];
  return t1 - t0;
}

static void run_bench(struct bench* b) {
  b->empty();
  b->loop = elapsed();
  b->empty_left = vmexit_left;
  b->run();
  b->raw = elapsed();
  b->res_lo = vmexit_res[0];
  b->res_hi = vmexit_res[1];
  b->left = vmexit_left;
  b->ran = 1;
}

static inline uint32_t mmio_read32(uint32_t addr) { return *(volatile uint32_t*)(uintptr_t)addr; }
static inline void mmio_write32(uint32_t addr, uint32_t v) { *(volatile uint32_t*)(uintptr_t)addr = v; }

static void on_trap(const struct trap_frame* f) {
  kprintf("vmexit: caught exception vector=%u (%s) error=0x%x eip=0x%08x\n", f->vector, exception_name(f->vector),
          f->error_code, f->eip);
  debug_exit(GUEST_EXIT_FAULT_CAUGHT);
}

static void testdev_irq_handler(unsigned irq, void* ctx) {
  (void)irq;
  (void)ctx;
  outb(TESTDEV_IRQCTL_PORT, 0); /* deassert; the dispatcher sends the EOI after this returns */
  vmexit_irq_flag = 1;
}

#define PLAT "vmexit.platform: "

/* Hyper-V: detection, GUEST_OS_ID, hypercall page. Sets the unavailable reasons of the Hyper-V benches. */
static void setup_hyperv(void) {
  struct hv_info hv;
  int ok = hv_detect(&hv);
  if (!hv.hypervisor_bit) {
    kprintf(PLAT "hyper-v: not detected (cpuid.1:ecx[31] = 0)\n");
  } else if (!hv.signature_ok) {
    kprintf(PLAT "hyper-v: not detected (cpuid 0x40000000: max leaf 0x%08x, vendor \"%s\")\n", hv.max_leaf, hv.vendor);
  } else {
    kprintf(PLAT "hyper-v: %s: vendor \"%s\", max leaf 0x%08x, interface 0x%08x, features eax=0x%08x ebx=0x%08x "
                 "ecx=0x%08x edx=0x%08x, hints 0x%08x\n",
            ok ? "present" : "incomplete", hv.vendor, hv.max_leaf, hv.interface, hv.features[0], hv.features[1],
            hv.features[2], hv.features[3], hv.hints);
  }
  if (!ok) {
    const char* why = !hv.hypervisor_bit   ? "no hypervisor bit in cpuid.1:ecx"
                      : !hv.signature_ok   ? "no Microsoft Hv signature"
                                           : "Hyper-V interface incomplete (Hv#1, hypercall/VP_INDEX features)";
    g_bench[B_VMCALL].unavailable = why;
    g_bench[B_RDMSR].unavailable = why;
    g_bench[B_WRMSR].unavailable = why;
    return;
  }
  /* Linux's GUEST_OS_ID (hyperv_init), then the hypercall page. */
  uint64_t id = hv_linux_guest_id(6, 6, 0);
  wrmsr64(HV_X64_MSR_GUEST_OS_ID, id);
  uint64_t back = rdmsr64(HV_X64_MSR_GUEST_OS_ID);
  kprintf(PLAT "guest os id: wrote 0x%016llx, read back 0x%016llx\n", (unsigned long long)id, (unsigned long long)back);
  vmexit_wrmsr_value[0] = (uint32_t)id;
  vmexit_wrmsr_value[1] = (uint32_t)(id >> 32);
  if (back != id) g_bench[B_WRMSR].unavailable = "GUEST_OS_ID does not read back";
  if (!hv_enable_hypercall_page()) {
    uint64_t msr = rdmsr64(HV_X64_MSR_HYPERCALL);
    const uint8_t* p = hv_hypercall_page;
    kprintf(PLAT "hypercall page at 0x%08x: NOT enabled (msr 0x%016llx, code %02x %02x %02x %02x)\n",
            (uint32_t)(uintptr_t)hv_hypercall_page, (unsigned long long)msr, p[0], p[1], p[2], p[3]);
    g_bench[B_VMCALL].unavailable = "hypercall page not enabled";
    return;
  }
  const uint8_t* p = hv_hypercall_page;
  uint64_t r = hv_do_hypercall(0x0000, 0, 0);
  kprintf(PLAT "hypercall page at 0x%08x (msr 0x%016llx), code %02x %02x %02x %02x; null hypercall status 0x%x "
               "(%s)\n",
          (uint32_t)(uintptr_t)hv_hypercall_page, (unsigned long long)rdmsr64(HV_X64_MSR_HYPERCALL), p[0], p[1], p[2],
          p[3], HV_HYPERCALL_STATUS(r), hv_status_name(HV_HYPERCALL_STATUS(r)));
}

static void setup_pmtimer(void) {
  uint32_t v0 = inl(PMTIMER_PORT);
  if (v0 == 0xFFFFFFFFu) {
    kprintf(PLAT "pm timer 0x%x: absent (reads 0x%08x)\n", PMTIMER_PORT, v0);
    g_bench[B_INL_HV].unavailable = "no PM timer answer at port 0xB008";
    return;
  }
  uint32_t v = v0, reads = 0;
  while (v == v0 && reads < 1000000) {
    v = inl(PMTIMER_PORT);
    ++reads;
  }
  if (v == v0) {
    kprintf(PLAT "pm timer 0x%x: stuck at 0x%08x\n", PMTIMER_PORT, v0);
    g_bench[B_INL_HV].unavailable = "PM timer at port 0xB008 does not count";
    return;
  }
  kprintf(PLAT "pm timer 0x%x: present (0x%08x -> 0x%08x after %u reads)\n", PMTIMER_PORT, v0, v, reads);
}

static int setup_testdev(void) {
  const uint32_t pattern = 0xA5C3E10Fu;
  outl(TESTDEV_PORT, pattern);
  uint32_t v = inl(TESTDEV_PORT);
  outl(TESTDEV_PORT, 0);
  uint32_t v2 = inl(TESTDEV_PORT);
  int port_ok = v == pattern && v2 == 0;
  kprintf(PLAT "testdev port 0x%x: %s (scratch 0x%08x / 0x%08x)\n", TESTDEV_PORT, port_ok ? "present" : "absent", v, v2);
  if (!port_ok) {
    g_bench[B_INL_ROOT].unavailable = "no testdev at port 0xE0";
    g_bench[B_IRQ].unavailable = "no testdev at port 0xE0";
  }
  uint32_t m4 = mmio_read32(TESTDEV_MMIO + 4), mfc = mmio_read32(TESTDEV_MMIO + 0xFFC);
  int mmio_ok = m4 == 4 && mfc == 0xFFC;
  kprintf(PLAT "testdev mmio 0x%08x: %s (+0x4 reads 0x%08x, +0xffc reads 0x%08x)\n", TESTDEV_MMIO,
          mmio_ok ? "present" : "absent", m4, mfc);
  if (!mmio_ok) g_bench[B_MMIO_ROOT].unavailable = "no testdev MMIO at 0xFEB00000";
  uint32_t p4 = mmio_read32(TESTDEV_PT_MMIO + 4), pfc = mmio_read32(TESTDEV_PT_MMIO + 0xFFC);
  int pt_ok = p4 == 4 && pfc == 0xFFC;
  kprintf(PLAT "testdev_pt mmio 0x%08x: %s (+0x4 reads 0x%08x, +0xffc reads 0x%08x)\n", TESTDEV_PT_MMIO,
          pt_ok ? "present" : "absent", p4, pfc);
  if (!pt_ok) g_bench[B_MMIO_PT].unavailable = "no testdev_pt MMIO at 0xFEB01000";
  if (mmio_ok) mmio_write32(TESTDEV_MMIO, 0);
  if (pt_ok) mmio_write32(TESTDEV_PT_MMIO, 0);
  return port_ok;
}

/* PIC + IRQ 5: checks the line reaches the PIC, then a few untimed round trips (also drains an IRQ the
 * probe may have latched). Leaves IRQ 5 unmasked and IF = 0. */
static void setup_irq(void) {
  if (!pic_present()) {
    kprintf(PLAT "pic: absent\n");
    g_bench[B_IRQ].unavailable = "no 8259 PIC at 0x20/0x21";
    return;
  }
  irq_init();
  irq_register(TESTDEV_IRQ, testdev_irq_handler, 0);
  uint16_t elcr = pic_elcr_read();
  outb(TESTDEV_IRQCTL_PORT, 1);
  uint8_t line = inb(TESTDEV_IRQCTL_PORT);
  uint16_t irr = pic_read_irr();
  outb(TESTDEV_IRQCTL_PORT, 0);
  uint8_t line_after = inb(TESTDEV_IRQCTL_PORT);
  kprintf(PLAT "pic: present, vectors 0x%02x/0x%02x, elcr 0x%04x; testdev irq %u: line %u -> irr bit %u, line after "
               "deassert %u\n",
          pic_master_base(), pic_slave_base(), elcr, TESTDEV_IRQ, line, (irr >> TESTDEV_IRQ) & 1, line_after);
  irq_enable(TESTDEV_IRQ);
  sti();
  unsigned done = 0;
  for (unsigned i = 0; i < IRQ_WARMUP; ++i) {
    vmexit_irq_flag = 0;
    outb(TESTDEV_IRQCTL_PORT, 1);
    for (uint32_t spin = 0; spin < IRQ_SPIN_LIMIT && !vmexit_irq_flag; ++spin) pause();
    if (!vmexit_irq_flag) break;
    ++done;
  }
  cli();
  outb(TESTDEV_IRQCTL_PORT, 0);
  kprintf(PLAT "irq warm-up: %u/%u round trips, irq %u handled %u, spurious %u, unhandled %u\n", done, IRQ_WARMUP,
          TESTDEV_IRQ, irq_count(TESTDEV_IRQ), irq_spurious_count(), irq_unhandled_count());
  if (done != IRQ_WARMUP) {
    irq_disable(TESTDEV_IRQ);
    g_bench[B_IRQ].unavailable = "testdev IRQ 5 not delivered";
  }
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  (void)mbi;
  console_init();
  kprintf("vmexit: hvsim guest runtime: vmexit\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("vmexit: multiboot magic MISMATCH: 0x%08x\n", magic);
    return GUEST_EXIT_FAIL;
  }
  idt_install_exceptions(on_trap);
  kprintf(PLAT "hvsim measure port: %s\n", hvsim_present() ? "present" : "absent");
  kprintf(PLAT "iterations per loop: %u\n", (unsigned)VMEXIT_N);

  setup_hyperv();
  setup_pmtimer();
  int testdev_port = setup_testdev();
  if (testdev_port) setup_irq();

  /* ROI: the benchmark loops only. IF = 1 only around irq_roundtrip. */
  hvsim_roi_begin();
  for (int i = 0; i < B_COUNT; ++i) {
    struct bench* b = &g_bench[i];
    if (b->unavailable) continue;
    if (i == B_IRQ) sti();
    run_bench(b);
    if (i == B_IRQ) cli();
  }
  hvsim_roi_end();

  int ok = 1;
  for (int i = 0; i < B_COUNT; ++i) {
    struct bench* b = &g_bench[i];
    if (!b->ran) {
      kprintf("vmexit: %s unavailable (%s)\n", b->name, b->unavailable);
      continue;
    }
    if (i == B_IRQ && (b->left != 0 || b->empty_left != 0)) {
      kprintf("vmexit: %s unavailable (IRQ %u not delivered within %u spins, iteration %u of %u)\n", b->name,
              TESTDEV_IRQ, IRQ_SPIN_LIMIT, (unsigned)VMEXIT_N - b->left + 1, (unsigned)VMEXIT_N);
      ok = 0;
      continue;
    }
    uint64_t per_op = b->raw > b->loop ? (b->raw - b->loop) / VMEXIT_N : 0;
    kprintf("vmexit: %s %llu cycles/op (raw %llu cycles, loop %llu, n %u)\n", b->name, (unsigned long long)per_op,
            (unsigned long long)b->raw, (unsigned long long)b->loop, (unsigned)VMEXIT_N);
    if (i == B_VMCALL && HV_HYPERCALL_STATUS(b->res_lo) != HV_STATUS_INVALID_HYPERCALL_CODE) {
      kprintf("vmexit: vmcall check: FAIL (status 0x%x, expected 0x2 HV_STATUS_INVALID_HYPERCALL_CODE)\n",
              HV_HYPERCALL_STATUS(b->res_lo));
      ok = 0;
    }
  }
  if (!g_bench[B_IRQ].unavailable)
    kprintf(PLAT "irq %u handled %u, spurious %u, unhandled %u\n", TESTDEV_IRQ, irq_count(TESTDEV_IRQ),
            irq_spurious_count(), irq_unhandled_count());
  kprintf("vmexit: done: %s\n", ok ? "ok" : "FAILED");
  return ok ? GUEST_EXIT_OK : GUEST_EXIT_FAIL;
}
