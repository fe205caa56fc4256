/* A minimal IDT (256 gates, only installed ones present) for CPU exceptions (vectors 0-31) and, through
 * irq.h, external interrupts. Under hvsim (Unicorn 2.0.1) exceptions never reach the guest IDT (the
 * simulator reports them as guest errors); under QEMU and real hardware they do. External interrupts
 * reach it on both. */
#ifndef HVSIM_GUEST_IDT_H
#define HVSIM_GUEST_IDT_H

#include <stdint.h>

struct trap_frame {
  uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax; /* pushal */
  uint32_t vector, error_code;
  uint32_t eip, cs, eflags; /* pushed by the CPU (same privilege level: no ESP/SS) */
};

typedef void (*trap_handler_fn)(const struct trap_frame* f);

/* Loads an IDT whose 32 exception gates (interrupt gates, DPL 0, selector 0x08) call `handler`.
 * If the handler returns, the faulting instruction is restarted. */
void idt_install_exceptions(trap_handler_fn handler);

const char* exception_name(uint32_t vector);

#define IDT_VECTORS 256

/* Lower-level access (used by irq.c): make `vector` a present 32-bit interrupt gate (DPL 0, selector
 * 0x08) to `entry`; load the IDT (limit covers all 256 gates; absent gates are not present). */
void idt_set_gate(unsigned vector, uint32_t entry);
void idt_load(void);
int idt_loaded(void);

#endif
