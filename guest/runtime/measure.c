#include "measure.h"

#include "console.h"
#include "io.h"

#define PIT_HZ 1193182u
#define CALIBRATION_SPINS 50000000u /* bound on the PIT wait, in case channel 2 never expires */

uint64_t div64(uint64_t n, uint32_t d) {
  uint32_t rem;
  return d ? udivmod64_32(n, d, &rem) : 0;
}

uint32_t tsc_mhz(void) {
  uint32_t a, b, c, d;
  cpuid(0, 0, &a, &b, &c, &d);
  if (a >= 0x16) {
    cpuid(0x16, 0, &a, &b, &c, &d);
    if (a & 0xFFFF) return a & 0xFFFF;
  }
  uint8_t p61 = inb(0x61);
  outb(0x61, (uint8_t)((p61 & ~0x02) | 0x01)); /* gate on, speaker off */
  outb(0x43, 0xB0);                           /* channel 2, lo/hi, mode 0, binary */
  const uint32_t latch = PIT_HZ / 100u;       /* 10 ms */
  outb(0x42, (uint8_t)(latch & 0xFF));
  outb(0x42, (uint8_t)(latch >> 8));
  uint64_t t0 = rdtsc();
  uint32_t i;
  for (i = 0; i < CALIBRATION_SPINS; ++i)
    if (inb(0x61) & 0x20) break; /* OUT2 high: the count expired */
  uint64_t t1 = rdtsc();
  outb(0x61, p61);
  if (i == 0 || i >= CALIBRATION_SPINS) return 0;
  /* cycles per 10 ms / 10^4 = MHz, to the nearest: the poll above ends up to one inb late. */
  return (uint32_t)div64(t1 - t0 + 5000u, 10000u);
}

void sort_u64(uint64_t* a, uint32_t n) {
  for (uint32_t gap = n / 2; gap > 0; gap /= 2)
    for (uint32_t i = gap; i < n; ++i) {
      uint64_t v = a[i];
      uint32_t j = i;
      while (j >= gap && a[j - gap] > v) {
        a[j] = a[j - gap];
        j -= gap;
      }
      a[j] = v;
    }
}
