/* Intel 8259A programmable interrupt controller pair (PC/AT wiring): master at 0x20/0x21, slave at
 * 0xA0/0xA1 cascaded on master IR2, plus the PIIX/EISA edge/level control registers (ELCR) at
 * 0x4D0/0x4D1. ISA IRQ n (0-7) = master IRn, IRQ 8-15 = slave IR(n-8). */
#ifndef HVSIM_GUEST_PIC_H
#define HVSIM_GUEST_PIC_H

#include <stdint.h>

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD 0xA0
#define PIC_SLAVE_DATA 0xA1
#define PIC_ELCR_MASTER 0x4D0
#define PIC_ELCR_SLAVE 0x4D1

#define PIC_ICW1_INIT 0x10 /* bit 4: ICW1 */
#define PIC_ICW1_IC4 0x01  /* ICW4 follows */
#define PIC_ICW4_8086 0x01
#define PIC_OCW2_EOI 0x20      /* non-specific EOI */
#define PIC_OCW2_SEOI 0x60     /* specific EOI: | IR level */
#define PIC_OCW3_READ_IRR 0x0A /* next command-port read returns IRR */
#define PIC_OCW3_READ_ISR 0x0B /* next command-port read returns ISR */

#define PIC_CASCADE_IRQ 2
#define PIC_DEFAULT_MASTER_BASE 0x20 /* vectors 0x20-0x27 (Linux uses the same) */
#define PIC_DEFAULT_SLAVE_BASE 0x28  /* vectors 0x28-0x2F */

/* Full initialization of both chips (ICW1 0x11, ICW2 = vector bases, ICW3 0x04 / 0x02, ICW4 0x01: edge
 * by ICW1, 8086 mode, normal EOI), leaving every IRQ masked except the cascade (IRQ 2). The ELCR is
 * not touched (the firmware / platform owns it; see pic_elcr_*). */
void pic_init(uint8_t master_base, uint8_t slave_base);

uint8_t pic_master_base(void);
uint8_t pic_slave_base(void);

/* IMR: bit n = 1 masks ISA IRQ n (bits 15:8 = slave). */
uint16_t pic_get_mask(void);
void pic_set_mask(uint16_t mask);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq); /* unmasking an IRQ >= 8 also unmasks the cascade (IRQ 2) */

/* Non-specific EOI: OUT 0x20 to port 0x20; for IRQ >= 8 first to the slave (0xA0), then the master. */
void pic_eoi(unsigned irq);

/* IRR / ISR of both chips (bits 15:8 = slave), through OCW3. Leaves OCW3 selecting IRR. */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);

/* ELCR (bit n = 1: IRQ n is level-triggered). */
uint16_t pic_elcr_read(void);
void pic_elcr_write(uint16_t elcr);

/* True if an 8259 answers at 0x21: the IMR reads back what was written (checked with two patterns,
 * the original mask restored). */
int pic_present(void);

#endif
