/* PCI through configuration mechanism #1 (0xCF8/0xCFC): config access, bus scan, BAR sizing and
 * assignment. Spec: devices.md section 1. */
#ifndef HVSIM_GUEST_PCI_H
#define HVSIM_GUEST_PCI_H

#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0A
#define PCI_CLASS 0x0B
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_PRIMARY_BUS 0x18   /* type 1 */
#define PCI_SECONDARY_BUS 0x19 /* type 1 */
#define PCI_SUBORDINATE_BUS 0x1A
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN 0x3D

#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004

/* Windows for BARs the firmware left unassigned (natural alignment, allocated upwards). */
#define PCI_IO_WINDOW_BASE 0xC000u
#define PCI_IO_WINDOW_LIMIT 0xFFFFu
#define PCI_MEM_WINDOW_BASE 0xE0000000u
#define PCI_MEM_WINDOW_LIMIT 0xFEBFFFFFu /* below the IOAPIC at 0xFEC00000 */

#define PCI_MAX_FUNCTIONS 64

enum pci_bar_kind { PCI_BAR_NONE = 0, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
  uint8_t kind;         /* enum pci_bar_kind; the upper half of a 64-bit BAR is PCI_BAR_NONE */
  uint8_t prefetchable;
  uint8_t assigned_by_guest; /* the address was 0 and pci_assign_bars() gave it one */
  uint8_t unassigned;   /* no address (0) and no room left in the window */
  uint64_t size;
  uint64_t addr;        /* bus address (I/O port or memory), type bits stripped */
};

struct pci_function {
  uint8_t bus, dev, fn;
  uint16_t vendor, device;
  uint8_t class_code, subclass, prog_if, revision;
  uint8_t header_type; /* bit 7 = multi-function, bits 6:0 = layout (0 device, 1 PCI-PCI bridge) */
  uint8_t irq_line, irq_pin;
  uint16_t command;    /* after pci_assign_bars() */
  uint8_t nbars;       /* 6 for type 0, 2 for type 1 */
  struct pci_bar bar[6];
};

uint32_t pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
uint16_t pci_cfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
uint8_t pci_cfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
void pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v);
void pci_cfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t v);
void pci_cfg_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint8_t v);

/* Mechanism #1 presence check (as Linux pci_check_type1): 0x80000000 written to 0xCF8 reads back. */
int pci_mechanism1_present(void);

/* Scans bus 0 and every secondary bus behind PCI-PCI bridges (bridges without a bus number get one),
 * sizes all BARs, and fills the function table. Returns the number of functions found. */
int pci_scan(void);

/* Gives every BAR with address 0 an address from the I/O window (0xC000..) or the memory window
 * (0xE0000000..): the lowest naturally aligned range that overlaps no BAR already placed (first fit,
 * in scan order). Then enables the Command register's I/O and/or memory decode bits of every
 * function that has such BARs. Bus mastering is left to drivers. Call after pci_scan().
 * Returns the number of BARs assigned. */
int pci_assign_bars(void);

int pci_function_count(void);
const struct pci_function* pci_function_at(int i);
const struct pci_function* pci_find_device(uint16_t vendor, uint16_t device);
const struct pci_function* pci_find_class(uint8_t class_code, uint8_t subclass);

const char* pci_bar_kind_name(uint8_t kind);

#endif
