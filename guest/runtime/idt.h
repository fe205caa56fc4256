/* A minimal IDT for CPU exceptions (vectors 0-31). Under hvsim (Unicorn 2.0.1) exceptions never reach
 * the guest IDT (the simulator reports them as guest errors); under QEMU and real hardware they do. */
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

#endif
