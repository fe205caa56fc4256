/* compute: a hand-written loop with an exactly known instruction count inside the hvsim region of
 * interest (ROI), plus a checksum of its results.
 *
 * Instruction count (the contract with hvsim's ROI statistics): count the instructions executed
 * strictly between the ROI-begin `out` and the ROI-end `out`, both `out`s excluded:
 *     COMPUTE_ROI_INSTRUCTIONS = COMPUTE_INSNS_PER_ITER * COMPUTE_N + 1 = 10 * N + 1
 *   - the loop body (label 1 to `jnz 1b`) has 10 instructions and runs N times (ECX = N .. 1; the last
 *     `jnz` falls through), so 10 * N;
 *   - then `mov $2, %eax` (the ROI-end marker value) = 1.
 * Register setup (ECX, ESI, EBX, EDX, EAX) happens before the begin `out`, so it is not counted.
 * The region, both `out`s included, is one asm block with fixed registers: no compiler code inside.
 *
 * Per iteration, with i = ECX:
 *     S   += i * i                     (ESI; closed form: N(N+1)(2N+1)/6 mod 2^32)
 *     H    = rotl(H, 5) ^ (i * i)      (EBX; starts at 0x9E3779B9, i runs N down to 1)
 *     buf[i & 255] += i                (memory read-modify-write: a load and a store every iteration)
 * Printed: S, H, W = sum over k of (k + 1) * buf[k] (mod 2^32), checksum = S ^ H ^ W. */
#include "runtime.h"

#ifndef COMPUTE_N
#define COMPUTE_N 1000000u
#endif
#define COMPUTE_INSNS_PER_ITER 10u
#define COMPUTE_ROI_INSTRUCTIONS (COMPUTE_INSNS_PER_ITER * COMPUTE_N + 1u)
#define COMPUTE_HASH_SEED 0x9E3779B9u

_Static_assert(COMPUTE_N >= 1 && COMPUTE_N <= 400000000u, "COMPUTE_N must be in 1..4e8 (10*N+1 fits in 32 bits)");

static uint32_t g_buf[256];
static uint32_t g_ref_buf[256];

static uint32_t weighted_sum(const uint32_t* buf) {
  uint32_t w = 0;
  for (uint32_t k = 0; k < 256; ++k) w += (k + 1) * buf[k];
  return w;
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  (void)mbi;
  console_init();
  kprintf("compute: hvsim guest runtime: compute\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("compute: multiboot magic MISMATCH: 0x%08x\n", magic);
    return GUEST_EXIT_FAIL;
  }
  kprintf("compute: iterations=%u\n", COMPUTE_N);
  kprintf("compute: roi_instructions_expected=%u\n", COMPUTE_ROI_INSTRUCTIONS);
  kprintf("compute.platform: hvsim measure port: %s\n", hvsim_present() ? "present" : "absent");

  memset(g_buf, 0, sizeof g_buf);
  uint32_t sum_sq, hash;
  uint64_t t0 = rdtsc();
  __asm__ volatile(
      "movl   %[n], %%ecx\n\t"
      "xorl   %%esi, %%esi\n\t"
      "movl   %[seed], %%ebx\n\t"
      "movl   %[port], %%edx\n\t"
      "movl   %[begin], %%eax\n\t"
      "outl   %%eax, %%dx\n\t" /* ROI begin: not counted */
      "1:\n\t"
      "movl   %%ecx, %%eax\n\t"             /*  1 */
      "imull  %%ecx, %%eax\n\t"             /*  2 */
      "addl   %%eax, %%esi\n\t"             /*  3 */
      "roll   $5, %%ebx\n\t"                /*  4 */
      "xorl   %%eax, %%ebx\n\t"             /*  5 */
      "movl   %%ecx, %%eax\n\t"             /*  6 */
      "andl   $255, %%eax\n\t"              /*  7 */
      "addl   %%ecx, (%%edi,%%eax,4)\n\t"   /*  8: load + store */
      "decl   %%ecx\n\t"                    /*  9 */
      "jnz    1b\n\t"                       /* 10 */
      "movl   %[end], %%eax\n\t"            /* +1 */
      "outl   %%eax, %%dx\n\t" /* ROI end: not counted */
      : "=&S"(sum_sq), "=&b"(hash)
      : "D"(g_buf), [n] "i"(COMPUTE_N), [seed] "i"(COMPUTE_HASH_SEED), [port] "i"(HVSIM_MEASURE_PORT),
        [begin] "i"(HVSIM_MEASURE_ROI_BEGIN), [end] "i"(HVSIM_MEASURE_ROI_END)
      : "eax", "ecx", "edx", "memory", "cc");
  uint64_t t1 = rdtsc();

  uint32_t w = weighted_sum(g_buf);
  uint32_t checksum = sum_sq ^ hash ^ w;
  kprintf("compute: sum_sq=0x%08x\n", sum_sq);
  kprintf("compute: hash=0x%08x\n", hash);
  kprintf("compute: buf_weighted_sum=0x%08x\n", w);
  kprintf("compute: checksum=0x%08x\n", checksum);
  kprintf("compute.platform: roi_tsc_cycles=%llu\n", (unsigned long long)(t1 - t0));

  /* Self-check against the same recurrence in compiled C (outside the ROI). */
  uint32_t s = 0, h = COMPUTE_HASH_SEED;
  for (uint32_t i = COMPUTE_N; i != 0; --i) {
    uint32_t sq = i * i;
    s += sq;
    h = ((h << 5) | (h >> 27)) ^ sq;
    g_ref_buf[i & 255] += i;
  }
  int ok = s == sum_sq && h == hash && weighted_sum(g_ref_buf) == w && memcmp(g_ref_buf, g_buf, sizeof g_buf) == 0;
  kprintf("compute: self-check: %s\n", ok ? "ok" : "MISMATCH");
  kprintf("compute: done: %s\n", ok ? "ok" : "FAILED");
  return ok ? GUEST_EXIT_OK : GUEST_EXIT_FAIL;
}
