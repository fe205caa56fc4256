/* External interrupts from the 8259 pair: vectors 0x20-0x2F (ISA IRQ 0-15) call C handlers.
 *
 * irq_init() programs the PICs (vector bases 0x20 / 0x28, everything masked but the cascade), installs
 * 16 interrupt gates and loads the IDT (the exception gates stay as idt_install_exceptions left them;
 * install those first if wanted). A handler is registered per IRQ and the IRQ unmasked separately.
 *
 * Entry path (irq.S): the CPU pushes EFLAGS/CS/EIP (interrupt gate: IF = 0), the stub pushes a dummy
 * error code and the vector, `pushal`, and calls irq_dispatch(struct trap_frame*), which
 *   - filters spurious interrupts (IRQ 7 / 15 whose ISR bit is clear: counted, no EOI to that chip),
 *   - calls the registered handler (or counts the IRQ as unhandled),
 *   - ends with a non-specific EOI: OUT 0x20 to port 0xA0 for IRQ 8-15, then OUT 0x20 to port 0x20.
 * Then `popal`, drop vector and error code, `iret`. Handlers therefore must not send their own EOI.
 * Handlers run with IF = 0 and must not enable interrupts. */
#ifndef HVSIM_GUEST_IRQ_H
#define HVSIM_GUEST_IRQ_H

#include <stdint.h>

#include "idt.h"

#define IRQ_VECTOR_BASE 0x20 /* IRQ n -> vector 0x20 + n */
#define IRQ_LINES 16

typedef void (*irq_handler_fn)(unsigned irq, void* ctx);

void irq_init(void);
/* Sets (or with NULL clears) the handler of ISA IRQ `irq`. Does not change the mask. */
void irq_register(unsigned irq, irq_handler_fn fn, void* ctx);
void irq_enable(unsigned irq);  /* unmask at the PIC */
void irq_disable(unsigned irq); /* mask at the PIC */

uint32_t irq_count(unsigned irq);      /* handled interrupts of that IRQ */
uint32_t irq_unhandled_count(void);    /* delivered with no handler registered */
uint32_t irq_spurious_count(void);     /* IRQ 7 / 15 with the ISR bit clear */

/* Called from irq.S. */
void irq_dispatch(struct trap_frame* f);

#endif
