/* Helpers for guests that measure themselves (disk-bench, net-bench): the TSC frequency, 64-bit
 * division without libgcc, and sorting samples for percentiles. */
#ifndef HVSIM_GUEST_MEASURE_H
#define HVSIM_GUEST_MEASURE_H

#include <stdint.h>

/* TSC frequency in MHz: CPUID 0x16 (base MHz) if reported, else 10 ms of PIT channel 2 (bounded);
 * 0 when neither works. Uses and restores port 0x61 (channel 2 gate). */
uint32_t tsc_mhz(void);

/* n / d, rounded down; 0 when d is 0. */
uint64_t div64(uint64_t n, uint32_t d);

/* Sorts a[0..n) ascending (shell sort: no allocation, no recursion). */
void sort_u64(uint64_t* a, uint32_t n);

#endif
