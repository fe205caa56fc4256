/* Simulator / QEMU control ports: debug exit and hvsim measurement markers. */
#ifndef HVSIM_GUEST_HVSIM_H
#define HVSIM_GUEST_HVSIM_H

#include <stdint.h>

/* QEMU isa-debug-exit (iobase=0x501): a write of v ends the emulator with process status (v << 1) | 1.
 * hvsim implements the same port with the same status. */
#define DEBUG_EXIT_PORT 0x501

/* hvsim measurement port (32-bit): outl 1 = region-of-interest begin, outl 2 = ROI end, other values are
 * markers recorded in the trace/statistics. inl returns HVSIM_MEASURE_SIGNATURE under hvsim; QEMU
 * returns all ones for an unassigned port. */
#define HVSIM_MEASURE_PORT 0x508
#define HVSIM_MEASURE_ROI_BEGIN 1u
#define HVSIM_MEASURE_ROI_END 2u
#define HVSIM_MEASURE_SIGNATURE 0x48565349u /* 'HVSI' */
/* inl(HVSIM_MEASURE_PORT + 4): the VM's VM exits so far (low 32 bits); 0xFFFFFFFF without a hypervisor. */
#define HVSIM_MEASURE_EXITS_OFFSET 4

/* Guest exit codes (debug_exit argument) used by the guests in this tree. */
#define GUEST_EXIT_OK 0          /* status 1 */
#define GUEST_EXIT_FAIL 1        /* status 3: a self-check failed */
#define GUEST_EXIT_FAULT_CAUGHT 2 /* status 5: an exception reached the guest's own IDT handler */
#define GUEST_EXIT_NO_FAULT 3    /* status 7: a deliberate fault was not taken */

/* Ends the run. If no debug-exit device exists, halts forever with interrupts off. */
__attribute__((noreturn)) void debug_exit(uint32_t v);

/* True when running under hvsim (the measure port answers with the signature). */
int hvsim_present(void);

/* VM exits this VM has taken so far (low 32 bits) under hvsim with a hypervisor; 0xFFFFFFFF otherwise
 * (QEMU, bare hardware). Reading it takes no exit. */
uint32_t hvsim_exit_count(void);

/* Writes a value to the measure port (1 = ROI begin, 2 = ROI end, others = markers). */
void hvsim_mark(uint32_t v);
static inline void hvsim_roi_begin(void) { hvsim_mark(HVSIM_MEASURE_ROI_BEGIN); }
static inline void hvsim_roi_end(void) { hvsim_mark(HVSIM_MEASURE_ROI_END); }

#endif
