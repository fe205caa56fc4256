#include "pic.h"

#include "io.h"

static uint8_t g_master_base = PIC_DEFAULT_MASTER_BASE;
static uint8_t g_slave_base = PIC_DEFAULT_SLAVE_BASE;

/* No delay writes (port 0x80) between the ICWs: emulated PICs do not need them, and an unassigned
 * port would only add warnings. */
void pic_init(uint8_t master_base, uint8_t slave_base) {
  g_master_base = (uint8_t)(master_base & 0xF8);
  g_slave_base = (uint8_t)(slave_base & 0xF8);
  outb(PIC_MASTER_CMD, PIC_ICW1_INIT | PIC_ICW1_IC4); /* ICW1: edge (ELCR decides on a PC), cascade, ICW4 */
  outb(PIC_SLAVE_CMD, PIC_ICW1_INIT | PIC_ICW1_IC4);
  outb(PIC_MASTER_DATA, g_master_base); /* ICW2: vector base */
  outb(PIC_SLAVE_DATA, g_slave_base);
  outb(PIC_MASTER_DATA, 1u << PIC_CASCADE_IRQ); /* ICW3 master: slave on IR2 */
  outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ); /* ICW3 slave: cascade identity 2 */
  outb(PIC_MASTER_DATA, PIC_ICW4_8086); /* ICW4: 8086 mode, normal EOI, not buffered */
  outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
  pic_set_mask((uint16_t)~(1u << PIC_CASCADE_IRQ));
  outb(PIC_MASTER_CMD, PIC_OCW3_READ_IRR);
  outb(PIC_SLAVE_CMD, PIC_OCW3_READ_IRR);
}

uint8_t pic_master_base(void) { return g_master_base; }
uint8_t pic_slave_base(void) { return g_slave_base; }

uint16_t pic_get_mask(void) { return (uint16_t)(inb(PIC_MASTER_DATA) | (inb(PIC_SLAVE_DATA) << 8)); }

void pic_set_mask(uint16_t mask) {
  outb(PIC_MASTER_DATA, (uint8_t)mask);
  outb(PIC_SLAVE_DATA, (uint8_t)(mask >> 8));
}

void pic_mask(unsigned irq) {
  if (irq < 8)
    outb(PIC_MASTER_DATA, (uint8_t)(inb(PIC_MASTER_DATA) | (1u << irq)));
  else if (irq < 16)
    outb(PIC_SLAVE_DATA, (uint8_t)(inb(PIC_SLAVE_DATA) | (1u << (irq - 8))));
}

void pic_unmask(unsigned irq) {
  if (irq < 8) {
    outb(PIC_MASTER_DATA, (uint8_t)(inb(PIC_MASTER_DATA) & ~(1u << irq)));
  } else if (irq < 16) {
    outb(PIC_SLAVE_DATA, (uint8_t)(inb(PIC_SLAVE_DATA) & ~(1u << (irq - 8))));
    outb(PIC_MASTER_DATA, (uint8_t)(inb(PIC_MASTER_DATA) & ~(1u << PIC_CASCADE_IRQ)));
  }
}

void pic_eoi(unsigned irq) {
  if (irq >= 8) outb(PIC_SLAVE_CMD, PIC_OCW2_EOI);
  outb(PIC_MASTER_CMD, PIC_OCW2_EOI);
}

static uint16_t read_pair(uint8_t ocw3) {
  outb(PIC_MASTER_CMD, ocw3);
  outb(PIC_SLAVE_CMD, ocw3);
  uint16_t v = (uint16_t)(inb(PIC_MASTER_CMD) | (inb(PIC_SLAVE_CMD) << 8));
  if (ocw3 != PIC_OCW3_READ_IRR) {
    outb(PIC_MASTER_CMD, PIC_OCW3_READ_IRR);
    outb(PIC_SLAVE_CMD, PIC_OCW3_READ_IRR);
  }
  return v;
}

uint16_t pic_read_irr(void) { return read_pair(PIC_OCW3_READ_IRR); }
uint16_t pic_read_isr(void) { return read_pair(PIC_OCW3_READ_ISR); }

uint16_t pic_elcr_read(void) { return (uint16_t)(inb(PIC_ELCR_MASTER) | (inb(PIC_ELCR_SLAVE) << 8)); }

void pic_elcr_write(uint16_t elcr) {
  /* IRQ 0, 1, 2, 8 and 13 are always edge on a PC (the PIIX hardwires those ELCR bits to 0). */
  elcr &= (uint16_t)~((1u << 0) | (1u << 1) | (1u << 2) | (1u << 8) | (1u << 13));
  outb(PIC_ELCR_MASTER, (uint8_t)elcr);
  outb(PIC_ELCR_SLAVE, (uint8_t)(elcr >> 8));
}

int pic_present(void) {
  uint8_t saved = inb(PIC_MASTER_DATA);
  outb(PIC_MASTER_DATA, 0xA5);
  int ok = inb(PIC_MASTER_DATA) == 0xA5;
  outb(PIC_MASTER_DATA, 0x5A);
  ok = ok && inb(PIC_MASTER_DATA) == 0x5A;
  outb(PIC_MASTER_DATA, saved);
  return ok;
}
