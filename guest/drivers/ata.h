/* ATA (PATA) disk driver for the PCI IDE function of the PIIX3/PIIX4 (and any class 01.01 controller),
 * written from the public spec digest (devices.md sections 1-3 and 10).
 *
 * - Controller: found by PCI scan (class 01, subclass 01). Legacy channels (prog-if bit 0 / bit 2
 *   clear) use 0x1F0/0x3F6 IRQ 14 and 0x170/0x376 IRQ 15; native channels use BAR0-3 and the
 *   function's interrupt line. Bus-master registers from BAR4 (BMIBA). PCI Command gets I/O + bus
 *   master.
 * - Drives: SRST + signature check, IDENTIFY (model, LBA28/LBA48 capacity, MWDMA/UDMA modes),
 *   SET FEATURES transfer mode (PIO and DMA), SET MULTIPLE.
 * - I/O: PIO (READ/WRITE SECTORS [EXT], 16-bit rep insw/outsw, one sector per DRQ block) and
 *   bus-master DMA (READ/WRITE DMA [EXT]); EXT commands when the LBA needs more than 28 bits or the
 *   count exceeds 256. Larger requests are split into commands of at most 256 sectors (LBA28) or
 *   65536 sectors (LBA48).
 * - Completion: interrupt-driven (IRQ 14/15 through the runtime's irq API; the handler reads BMISX
 *   and the Status register, which acks INTRQ) with a polling fallback (an IRQ that does not come
 *   within the timeout is counted and the driver polls instead; ata_set_polling forces polling).
 * - Every wait is bounded (TSC deadline plus an iteration cap); failures return a negative ATA_E*
 *   code and leave the last Status / Error / BMISX values in the drive structure.
 *
 * Buffers are guest-physical = virtual (identity-mapped guest). DMA buffers must be 2-byte aligned
 * and below 4 GiB. */
#ifndef HVSIM_GUEST_ATA_H
#define HVSIM_GUEST_ATA_H

#include <stdint.h>

/* Status register bits */
#define ATA_SR_BSY 0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF 0x20
#define ATA_SR_DSC 0x10
#define ATA_SR_DRQ 0x08
#define ATA_SR_ERR 0x01
/* Error register bits */
#define ATA_ER_ICRC 0x80
#define ATA_ER_UNC 0x40
#define ATA_ER_IDNF 0x10
#define ATA_ER_ABRT 0x04
/* Commands */
#define ATA_CMD_READ_SECTORS 0x20
#define ATA_CMD_READ_SECTORS_EXT 0x24
#define ATA_CMD_WRITE_SECTORS 0x30
#define ATA_CMD_WRITE_SECTORS_EXT 0x34
#define ATA_CMD_READ_DMA 0xC8
#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_DMA 0xCA
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_CMD_SET_MULTIPLE 0xC6
#define ATA_CMD_FLUSH_CACHE 0xE7
#define ATA_CMD_FLUSH_CACHE_EXT 0xEA
#define ATA_CMD_IDENTIFY 0xEC
#define ATA_CMD_SET_FEATURES 0xEF
#define ATA_SETFEAT_XFER_MODE 0x03
/* Bus-master IDE registers (offsets from the channel's BM base) */
#define ATA_BM_CMD 0
#define ATA_BM_STATUS 2
#define ATA_BM_PRD 4
#define ATA_BM_CMD_START 0x01
#define ATA_BM_CMD_WRITE_MEM 0x08 /* RWCON: device -> memory (READ DMA) */
#define ATA_BM_ST_ACTIVE 0x01
#define ATA_BM_ST_ERROR 0x02
#define ATA_BM_ST_INT 0x04

/* Driver error codes (negative return values) */
#define ATA_OK 0
#define ATA_ETIMEOUT (-1)  /* BSY/DRQ/IRQ did not arrive in time */
#define ATA_EDEVICE (-2)   /* Status.ERR or Status.DF: see status / error */
#define ATA_EDMA (-3)      /* BMISX error bit, or the PRD table ran out before the device finished */
#define ATA_EINVAL (-4)    /* bad argument (range, alignment, no DMA) */
#define ATA_EPROTO (-5)    /* unexpected state (DRQ missing or left set) */

#define ATA_SECTOR_SIZE 512u
#define ATA_MAX_DRIVES 4

struct ata_channel {
  uint16_t cmd;  /* command block base (0x1F0 / 0x170 or BAR0/BAR2) */
  uint16_t ctl;  /* Alternate Status / Device Control port (0x3F6 / 0x376 or BAR1/BAR3 + 2) */
  uint16_t bm;   /* bus-master register base (BMIBA or BMIBA + 8); 0 = no bus mastering */
  uint8_t irq;   /* ISA IRQ */
  uint8_t index; /* 0 primary, 1 secondary */
  uint8_t native;
  uint8_t polling; /* 1: never wait for the IRQ */
  uint8_t selected; /* device last selected (0xFF = unknown) */
  uint8_t registered; /* IRQ handler installed */
  volatile uint32_t irq_events;  /* incremented by the IRQ handler */
  volatile uint32_t irq_proven;  /* the handler has run once: waits may halt instead of spinning */
  volatile uint8_t irq_status;   /* Status read by the handler (acks INTRQ) */
  volatile uint8_t irq_bmstatus; /* BMISX read by the handler */
  uint32_t irq_timeouts;         /* waits that fell back to polling */
};

struct ata_drive {
  struct ata_channel* ch;
  uint8_t devno;          /* 0 master, 1 slave */
  uint8_t lba48;          /* LBA48 supported and enabled */
  uint8_t multiple;       /* SET MULTIPLE count (0 = not set) */
  uint8_t pio_mode;       /* selected PIO mode */
  int8_t udma_mode;       /* selected UDMA mode, -1 none */
  int8_t mwdma_mode;      /* selected MWDMA mode, -1 none */
  uint8_t dma;            /* DMA usable (bus master present and a DMA mode was set) */
  uint8_t udma_mask, mwdma_mask; /* supported by the drive (IDENTIFY words 88 / 63) */
  char model[41];         /* trimmed */
  char serial[21];
  uint64_t sectors;       /* user-addressable sectors */
  uint16_t identify[256];
  /* last command's outcome */
  uint8_t status, error, bmstatus;
  uint32_t fail_lba;
};

struct ata_controller {
  uint8_t found;
  uint8_t bus, dev, fn;
  uint16_t vendor, device;
  uint8_t prog_if;
  uint16_t bmiba;
  uint8_t udma_capable_mask; /* UDMA modes the controller supports (PIIX4: 0-2; PIIX3: none) */
  struct ata_channel channel[2];
};

/* Finds the controller, resets both channels, identifies and configures every drive. use_irq: 1 = install
 * the IRQ 14/15 handlers (calls irq_init() if init_irq_subsystem is set, and enables interrupts with sti),
 * 0 = polling only. Returns the number of ATA drives found (0 also when no controller), never hangs. */
int ata_init(int use_irq, int init_irq_subsystem);
const struct ata_controller* ata_controller(void);
int ata_drive_count(void);
struct ata_drive* ata_drive_at(int i);
/* 1: complete commands by polling (the channel's IRQ is masked at the PIC); 0: back to interrupts
 * (only if ata_init installed the handler). */
void ata_set_polling(struct ata_drive* d, int polling);

/* Sector I/O. count >= 1 sectors; buf holds count * 512 bytes. Return ATA_OK or a negative ATA_E* code. */
int ata_pio_read(struct ata_drive* d, uint64_t lba, uint32_t count, void* buf);
int ata_pio_write(struct ata_drive* d, uint64_t lba, uint32_t count, const void* buf);
int ata_dma_read(struct ata_drive* d, uint64_t lba, uint32_t count, void* buf);
int ata_dma_write(struct ata_drive* d, uint64_t lba, uint32_t count, const void* buf);
int ata_flush(struct ata_drive* d);

const char* ata_strerror(int err);

#endif
