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

static struct idt_gate g_idt[32] __attribute__((aligned(8)));
static trap_handler_fn g_handler;

void idt_dispatch(struct trap_frame* f);
void idt_dispatch(struct trap_frame* f) {
  if (g_handler) g_handler(f);
}

void idt_install_exceptions(trap_handler_fn handler) {
  g_handler = handler;
  for (int i = 0; i < 32; ++i) {
    uint32_t off = isr_stub_table[i];
    g_idt[i].offset_lo = (uint16_t)off;
    g_idt[i].selector = 0x08;
    g_idt[i].zero = 0;
    g_idt[i].type_attr = 0x8E; /* present, DPL 0, 32-bit interrupt gate */
    g_idt[i].offset_hi = (uint16_t)(off >> 16);
  }
  struct idt_ptr p = {sizeof(g_idt) - 1, (uint32_t)(uintptr_t)g_idt};
  __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

const char* exception_name(uint32_t vector) {
  static const char* const names[32] = {
      "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
      "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22",  "23",  "24",  "25",  "26",  "27",  "28",  "#VC", "#SX", "31"};
  return vector < 32 ? names[vector] : "?";
}
