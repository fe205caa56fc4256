#include "idt.h"

struct idt_gate {
  uint16_t offset_lo;
  uint16_t selector;
  uint8_t zero;
  uint8_t type_attr;
  uint16_t offset_hi;
} __attribute__((packed));

struct idt_ptr {
  uint16_t limit;
  uint32_t base;
} __attribute__((packed));

extern const uint32_t isr_stub_table[32];

/* 256 gates; only the ones a guest installs are present (exceptions 0-31 from
 * idt_install_exceptions, external interrupts from irq_init via idt_set_gate). */
static struct idt_gate g_idt[IDT_VECTORS] __attribute__((aligned(8)));
static trap_handler_fn g_handler;
static int g_idt_loaded;

void idt_dispatch(struct trap_frame* f);
void idt_dispatch(struct trap_frame* f) {
  if (g_handler) g_handler(f);
}

void idt_set_gate(unsigned vector, uint32_t entry) {
  if (vector >= IDT_VECTORS) return;
  g_idt[vector].offset_lo = (uint16_t)entry;
  g_idt[vector].selector = 0x08;
  g_idt[vector].zero = 0;
  g_idt[vector].type_attr = 0x8E; /* present, DPL 0, 32-bit interrupt gate */
  g_idt[vector].offset_hi = (uint16_t)(entry >> 16);
}

void idt_load(void) {
  struct idt_ptr p = {sizeof(g_idt) - 1, (uint32_t)(uintptr_t)g_idt};
  __asm__ volatile("lidt %0" : : "m"(p) : "memory");
  g_idt_loaded = 1;
}

int idt_loaded(void) { return g_idt_loaded; }

void idt_install_exceptions(trap_handler_fn handler) {
  g_handler = handler;
  for (unsigned i = 0; i < 32; ++i) idt_set_gate(i, isr_stub_table[i]);
  idt_load();
}

const char* exception_name(uint32_t vector) {
  static const char* const names[32] = {
      "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
      "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22",  "23",  "24",  "25",  "26",  "27",  "28",  "#VC", "#SX", "31"};
  return vector < 32 ? names[vector] : "?";
}
