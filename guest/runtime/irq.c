#include "irq.h"

#include "io.h"
#include "pic.h"

extern const uint32_t irq_stub_table[IRQ_LINES];

static irq_handler_fn g_handlers[IRQ_LINES];
static void* g_ctx[IRQ_LINES];
static volatile uint32_t g_counts[IRQ_LINES];
static volatile uint32_t g_unhandled;
static volatile uint32_t g_spurious;

void irq_init(void) {
  pic_init(IRQ_VECTOR_BASE, IRQ_VECTOR_BASE + 8);
  for (unsigned i = 0; i < IRQ_LINES; ++i) idt_set_gate(IRQ_VECTOR_BASE + i, irq_stub_table[i]);
  idt_load();
}

void irq_register(unsigned irq, irq_handler_fn fn, void* ctx) {
  if (irq >= IRQ_LINES) return;
  g_ctx[irq] = ctx;
  g_handlers[irq] = fn;
}

void irq_enable(unsigned irq) { pic_unmask(irq); }
void irq_disable(unsigned irq) { pic_mask(irq); }

uint32_t irq_count(unsigned irq) { return irq < IRQ_LINES ? g_counts[irq] : 0; }
uint32_t irq_unhandled_count(void) { return g_unhandled; }
uint32_t irq_spurious_count(void) { return g_spurious; }

/* ISR of one chip (OCW3 read-ISR, read, back to read-IRR). */
static uint8_t chip_isr(uint16_t cmd) {
  outb(cmd, PIC_OCW3_READ_ISR);
  uint8_t v = inb(cmd);
  outb(cmd, PIC_OCW3_READ_IRR);
  return v;
}

void irq_dispatch(struct trap_frame* f) {
  unsigned irq = f->vector - IRQ_VECTOR_BASE;
  if (irq >= IRQ_LINES) return;
  /* Spurious IRQ 7 / 15: the PIC answered INTA with its IR7 vector but nothing is in service. */
  if (irq == 7 && !(chip_isr(PIC_MASTER_CMD) & 0x80)) {
    ++g_spurious;
    return;
  }
  if (irq == 15 && !(chip_isr(PIC_SLAVE_CMD) & 0x80)) {
    ++g_spurious;
    outb(PIC_MASTER_CMD, PIC_OCW2_EOI); /* the master did see the cascade request */
    return;
  }
  irq_handler_fn fn = g_handlers[irq];
  if (fn) {
    ++g_counts[irq];
    fn(irq, g_ctx[irq]);
  } else {
    ++g_unhandled;
  }
  pic_eoi(irq);
}
