/* ATA driver for the PCI IDE function (PIIX3/PIIX4). See ata.h. */
#include "ata.h"

#include "console.h"
#include "io.h"
#include "irq.h"
#include "lib.h"
#include "pci.h"

#define REG_DATA 0
#define REG_ERROR 1
#define REG_FEATURES 1
#define REG_NSECT 2
#define REG_LBAL 3
#define REG_LBAM 4
#define REG_LBAH 5
#define REG_DEVICE 6
#define REG_STATUS 7
#define REG_COMMAND 7

#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_OBS 0x08

/* Bounded waits: a TSC deadline (about a second on a GHz TSC) and an iteration cap as a backstop for
 * a TSC that does not move. */
#define WAIT_CYCLES 2000000000ull
#define WAIT_ITERS 20000000u
/* ATA: after clearing SRST the host waits at least 2 ms before it polls BSY (a device may take that
 * long to raise BSY; QEMU performs the reset asynchronously). 2 ms at up to 4 GHz. */
#define SRST_SETTLE_CYCLES 8000000ull

#define PRD_MAX 256
#define PRD_EOT 0x80000000u

static struct ata_controller g_ctrl;
static struct ata_drive g_drives[ATA_MAX_DRIVES];
static int g_ndrives;
/* 256 entries * 8 bytes = 2 KiB, aligned to 2 KiB: never crosses a 64 KiB boundary. */
static uint32_t g_prd[2][PRD_MAX * 2] __attribute__((aligned(2048)));

static inline uint8_t altstatus(const struct ata_channel* ch) { return inb(ch->ctl); }
static inline void delay400ns(const struct ata_channel* ch) {
  for (int i = 0; i < 4; ++i) (void)altstatus(ch);
}

static inline void insw_rep(uint16_t port, void* buf, uint32_t words) {
  __asm__ volatile("cld; rep insw" : "+D"(buf), "+c"(words) : "d"(port) : "memory");
}
static inline void outsw_rep(uint16_t port, const void* buf, uint32_t words) {
  __asm__ volatile("cld; rep outsw" : "+S"(buf), "+c"(words) : "d"(port) : "memory");
}

/* Waits until BSY clears (and, if mask != 0, until (status & mask) == want or ERR/DF shows).
 * Returns the alternate status, or -1 on timeout. */
static int wait_status(const struct ata_channel* ch, uint8_t mask, uint8_t want) {
  uint64_t deadline = rdtsc() + WAIT_CYCLES;
  for (uint32_t i = 0; i < WAIT_ITERS; ++i) {
    uint8_t s = altstatus(ch);
    if (!(s & ATA_SR_BSY)) {
      if (mask == 0 || (s & mask) == want || (s & (ATA_SR_ERR | ATA_SR_DF))) return s;
    }
    if (rdtsc() > deadline) break;
  }
  return -1;
}

/* Waits until the channel's interrupt handler has run after `snap` (irq_events before the triggering
 * action). Returns 1 if it did, 0 in polling mode or when the interrupt did not come in time. */
static int wait_irq_event(struct ata_channel* ch, uint32_t snap) {
  if (ch->polling) return 0;
  uint64_t deadline = rdtsc() + WAIT_CYCLES;
  for (uint32_t i = 0; i < WAIT_ITERS * 4; ++i) {
    if (ch->irq_events != snap) return 1;
    if (ch->irq_proven) {
      /* The line is known to work: idle like an OS would (cheap to simulate; no polling exits).
       * Checked with interrupts off, then sti; hlt, so the interrupt cannot slip in between. */
      cli();
      if (ch->irq_events == snap) sti_hlt();
      else sti();
      continue;
    }
    pause();
    if (rdtsc() > deadline) break;
  }
  ch->irq_timeouts++;
  return 0;
}

/* Waits for the channel's interrupt after `snap`; in polling mode, or when the IRQ does not come,
 * polls Alternate Status for BSY clear instead. Finally reads Status (acks INTRQ) and returns it,
 * or -1 on timeout. */
static int wait_irq(struct ata_channel* ch, uint32_t snap) {
  if (wait_irq_event(ch, snap)) return inb(ch->cmd + REG_STATUS);
  delay400ns(ch);
  if (wait_status(ch, 0, 0) < 0) return -1;
  return inb(ch->cmd + REG_STATUS);
}

static void ata_irq_handler(unsigned irq, void* ctx) {
  (void)irq;
  struct ata_channel* ch = (struct ata_channel*)ctx;
  if (ch->bm) ch->irq_bmstatus = inb(ch->bm + ATA_BM_STATUS);
  ch->irq_status = inb(ch->cmd + REG_STATUS); /* acks INTRQ */
  ch->irq_events++;
  ch->irq_proven = 1;
}

static void select_dev(struct ata_channel* ch, uint8_t devno, uint8_t extra) {
  outb(ch->cmd + REG_DEVICE, (uint8_t)(0xA0 | (devno << 4) | extra));
  ch->selected = devno;
  delay400ns(ch);
}

const char* ata_strerror(int err) {
  switch (err) {
    case ATA_OK: return "ok";
    case ATA_ETIMEOUT: return "timeout";
    case ATA_EDEVICE: return "device error";
    case ATA_EDMA: return "dma error";
    case ATA_EINVAL: return "invalid argument";
    case ATA_EPROTO: return "protocol error";
    default: return "?";
  }
}

/* ---- reset, identify, configuration ---- */

/* Register echo test (0x55/0xAA to Sector Count / LBA Low) for one device. */
static int devchk(struct ata_channel* ch, uint8_t devno) {
  select_dev(ch, devno, 0);
  outb(ch->cmd + REG_NSECT, 0x55);
  outb(ch->cmd + REG_LBAL, 0xAA);
  outb(ch->cmd + REG_NSECT, 0xAA);
  outb(ch->cmd + REG_LBAL, 0x55);
  outb(ch->cmd + REG_NSECT, 0x55);
  outb(ch->cmd + REG_LBAL, 0xAA);
  return inb(ch->cmd + REG_NSECT) == 0x55 && inb(ch->cmd + REG_LBAL) == 0xAA;
}

static void channel_reset(struct ata_channel* ch) {
  uint8_t ctl_base = CTL_OBS | (ch->polling ? CTL_NIEN : 0);
  /* Device 0 selected, so the BSY polled below is device 0's. With device 1 selected but absent,
   * Status reads 0 while the reset is still running (QEMU completes SRST asynchronously and ignores
   * the Device register until it has), and the signature would be read too early. */
  select_dev(ch, 0, 0);
  outb(ch->ctl, ctl_base | CTL_SRST);
  for (int i = 0; i < 40; ++i) (void)altstatus(ch); /* >= 5 us */
  outb(ch->ctl, ctl_base);
  /* Alternate Status reads pace the wait (no side effects; each one is slow I/O, so a simulator
   * runs a few thousand of them rather than millions of spin iterations). */
  uint64_t settle = rdtsc() + SRST_SETTLE_CYCLES;
  for (uint32_t i = 0; i < WAIT_ITERS && rdtsc() < settle; ++i) (void)altstatus(ch);
  (void)wait_status(ch, 0, 0);
}

static int send_nodata(struct ata_drive* d, uint8_t cmd, uint8_t feat, uint8_t nsect) {
  struct ata_channel* ch = d->ch;
  select_dev(ch, d->devno, 0);
  if (wait_status(ch, 0, 0) < 0) return ATA_ETIMEOUT;
  outb(ch->cmd + REG_FEATURES, feat);
  outb(ch->cmd + REG_NSECT, nsect);
  uint32_t snap = ch->irq_events;
  outb(ch->cmd + REG_COMMAND, cmd);
  int s = wait_irq(ch, snap);
  if (s < 0) return ATA_ETIMEOUT;
  d->status = (uint8_t)s;
  if (s & (ATA_SR_ERR | ATA_SR_DF)) {
    d->error = inb(ch->cmd + REG_ERROR);
    return ATA_EDEVICE;
  }
  return ATA_OK;
}

static void ata_string(const uint16_t* id, int first, int words, char* out) {
  int n = 0;
  for (int i = 0; i < words; ++i) {
    out[n++] = (char)(id[first + i] >> 8);
    out[n++] = (char)(id[first + i] & 0xFF);
  }
  out[n] = 0;
  while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == 0)) out[--n] = 0;
}

static int identify(struct ata_drive* d) {
  struct ata_channel* ch = d->ch;
  /* IDENTIFY ignores features and sector count: the non-data command path serves it too. */
  int r = send_nodata(d, ATA_CMD_IDENTIFY, 0, 0);
  if (r != ATA_OK) return r;
  if (!(d->status & ATA_SR_DRQ)) return ATA_EPROTO;
  insw_rep(ch->cmd + REG_DATA, d->identify, 256);
  const uint16_t* id = d->identify;
  ata_string(id, 27, 20, d->model);
  ata_string(id, 10, 10, d->serial);
  d->sectors = 0;
  d->lba48 = 0;
  if (id[49] & (1u << 9)) {
    uint64_t lba48 = (uint64_t)id[100] | ((uint64_t)id[101] << 16) | ((uint64_t)id[102] << 32) |
                     ((uint64_t)id[103] << 48);
    if ((id[83] & 0xC000) == 0x4000 && (id[83] & (1u << 10)) && lba48 != 0) {
      d->lba48 = 1;
      d->sectors = lba48;
    } else {
      uint32_t lba28 = (uint32_t)id[60] | ((uint32_t)id[61] << 16);
      d->sectors = lba28 > 0x0FFFFFFFu ? 0x0FFFFFFFu : lba28;
    }
  }
  d->mwdma_mask = (uint8_t)(id[63] & 0x07);
  d->udma_mask = (id[53] & 0x04) ? (uint8_t)(id[88] & 0x7F) : 0;
  return ATA_OK;
}

static int highest_bit(uint32_t m) {
  int h = -1;
  for (int i = 0; i < 32; ++i)
    if (m & (1u << i)) h = i;
  return h;
}

static void configure(struct ata_drive* d) {
  const uint16_t* id = d->identify;
  /* PIO: mode 4 / 3 if word 64 says so (word 53 bit 1), else the default. */
  d->pio_mode = 0;
  if (id[53] & 0x02) d->pio_mode = (id[64] & 0x02) ? 4 : (id[64] & 0x01) ? 3 : 0;
  uint8_t pio_arg = d->pio_mode >= 3 ? (uint8_t)(0x08 | d->pio_mode) : 0x00;
  if (send_nodata(d, ATA_CMD_SET_FEATURES, ATA_SETFEAT_XFER_MODE, pio_arg) != ATA_OK && pio_arg)
    d->pio_mode = 0;
  /* DMA: UDMA if both the drive and the controller support it, else MWDMA. */
  d->udma_mode = -1;
  d->mwdma_mode = -1;
  d->dma = 0;
  if (d->ch->bm && (id[49] & (1u << 8))) {
    int u = highest_bit(d->udma_mask & g_ctrl.udma_capable_mask);
    int m = highest_bit(d->mwdma_mask);
    if (u >= 0 && send_nodata(d, ATA_CMD_SET_FEATURES, ATA_SETFEAT_XFER_MODE, (uint8_t)(0x40 | u)) == ATA_OK) {
      d->udma_mode = (int8_t)u;
      d->dma = 1;
      /* PIIX UDMACTL (0x48): enable UDMA for this drive (bit 2 * channel + devno). */
      uint8_t bit = (uint8_t)(1u << (2 * d->ch->index + d->devno));
      uint8_t v = pci_cfg_read8(g_ctrl.bus, g_ctrl.dev, g_ctrl.fn, 0x48);
      pci_cfg_write8(g_ctrl.bus, g_ctrl.dev, g_ctrl.fn, 0x48, v | bit);
    } else if (m >= 0 &&
               send_nodata(d, ATA_CMD_SET_FEATURES, ATA_SETFEAT_XFER_MODE, (uint8_t)(0x20 | m)) == ATA_OK) {
      d->mwdma_mode = (int8_t)m;
      d->dma = 1;
    }
    if (d->dma) {
      /* BMISX drive DMA-capable bit (5 + devno), as a BIOS would set it. Keep W1C bits zero. */
      uint8_t st = inb(d->ch->bm + ATA_BM_STATUS);
      outb(d->ch->bm + ATA_BM_STATUS, (uint8_t)((st & 0x60) | (0x20u << d->devno)));
    }
  }
  /* SET MULTIPLE (only if word 47 reports a maximum). */
  d->multiple = 0;
  uint8_t maxmul = (uint8_t)(id[47] & 0xFF);
  if (maxmul) {
    uint8_t n = maxmul > 16 ? 16 : maxmul;
    if (send_nodata(d, ATA_CMD_SET_MULTIPLE, 0, n) == ATA_OK) d->multiple = n;
  }
}

static void probe_channel(struct ata_channel* ch) {
  uint8_t present[2];
  /* Floating bus (no devices at all): status 0xFF. */
  if (altstatus(ch) == 0xFF) return;
  /* A device ignores task-file writes while BSY (firmware may have left a reset or command
   * running): let it finish before the register test. */
  (void)wait_status(ch, 0, 0);
  present[0] = (uint8_t)devchk(ch, 0);
  present[1] = (uint8_t)devchk(ch, 1);
  if (!present[0] && !present[1]) return; /* no register echoes: an empty channel, no reset needed */
  channel_reset(ch);
  for (uint8_t dev = 0; dev < 2; ++dev) {
    if (!present[dev] || g_ndrives >= ATA_MAX_DRIVES) continue;
    select_dev(ch, dev, 0);
    uint8_t nsect = inb(ch->cmd + REG_NSECT), lbal = inb(ch->cmd + REG_LBAL);
    uint8_t lbam = inb(ch->cmd + REG_LBAM), lbah = inb(ch->cmd + REG_LBAH);
    uint8_t st = inb(ch->cmd + REG_STATUS);
    if (nsect != 0x01 || lbal != 0x01) continue;     /* no signature */
    if (lbam != 0x00 || lbah != 0x00) continue;      /* ATAPI (0x14/0xEB) or SATA: not handled */
    if (st == 0x00 || st == 0xFF) continue;          /* no ATA device */
    struct ata_drive* d = &g_drives[g_ndrives];
    memset(d, 0, sizeof(*d));
    d->ch = ch;
    d->devno = dev;
    if (identify(d) != ATA_OK) continue;
    configure(d);
    g_ndrives++;
  }
}

int ata_init(int use_irq, int init_irq_subsystem) {
  memset(&g_ctrl, 0, sizeof(g_ctrl));
  g_ndrives = 0;
  if (pci_function_count() == 0) {
    pci_scan();
    pci_assign_bars();
  }
  const struct pci_function* f = pci_find_class(0x01, 0x01);
  if (!f) return 0;
  g_ctrl.found = 1;
  g_ctrl.bus = f->bus;
  g_ctrl.dev = f->dev;
  g_ctrl.fn = f->fn;
  g_ctrl.vendor = f->vendor;
  g_ctrl.device = f->device;
  g_ctrl.prog_if = f->prog_if;
  g_ctrl.udma_capable_mask = (f->vendor == 0x8086 && f->device == 0x7010) ? 0x00 : 0x07;
  if (f->bar[4].kind == PCI_BAR_IO && f->bar[4].addr != 0 && (f->prog_if & 0x80))
    g_ctrl.bmiba = (uint16_t)f->bar[4].addr;
  /* I/O decode + bus master. */
  uint16_t cmd = pci_cfg_read16(f->bus, f->dev, f->fn, PCI_COMMAND);
  cmd |= PCI_COMMAND_IO | (g_ctrl.bmiba ? PCI_COMMAND_MASTER : 0);
  pci_cfg_write16(f->bus, f->dev, f->fn, PCI_COMMAND, cmd);
  int piix = f->vendor == 0x8086 && (f->device == 0x7010 || f->device == 0x7111);
  for (int c = 0; c < 2; ++c) {
    struct ata_channel* ch = &g_ctrl.channel[c];
    ch->index = (uint8_t)c;
    ch->selected = 0xFF;
    ch->native = (uint8_t)((f->prog_if >> (2 * c)) & 1);
    if (ch->native) {
      const struct pci_bar* b0 = &f->bar[2 * c];
      const struct pci_bar* b1 = &f->bar[2 * c + 1];
      if (b0->kind != PCI_BAR_IO || b1->kind != PCI_BAR_IO || !b0->addr || !b1->addr) continue;
      ch->cmd = (uint16_t)b0->addr;
      ch->ctl = (uint16_t)(b1->addr + 2);
      ch->irq = f->irq_line;
    } else {
      ch->cmd = c ? 0x170 : 0x1F0;
      ch->ctl = c ? 0x376 : 0x3F6;
      ch->irq = (uint8_t)(c ? 15 : 14);
    }
    ch->bm = g_ctrl.bmiba ? (uint16_t)(g_ctrl.bmiba + 8 * c) : 0;
    if (piix) {
      /* IDETIM decode enable (0x41 / 0x43 bit 7): a channel that firmware left disabled is enabled. */
      uint8_t off = (uint8_t)(0x41 + 2 * c);
      uint8_t v = pci_cfg_read8(f->bus, f->dev, f->fn, off);
      if (!(v & 0x80)) pci_cfg_write8(f->bus, f->dev, f->fn, off, v | 0x80);
    }
    ch->polling = (uint8_t)!use_irq;
    if (ch->irq >= 16) ch->polling = 1;
    if (ch->bm) {
      outb(ch->bm + ATA_BM_CMD, 0);
      uint8_t st = inb(ch->bm + ATA_BM_STATUS);
      outb(ch->bm + ATA_BM_STATUS, (uint8_t)((st & 0x60) | ATA_BM_ST_INT | ATA_BM_ST_ERROR));
    }
  }
  if (use_irq) {
    if (init_irq_subsystem) irq_init();
    for (int c = 0; c < 2; ++c) {
      struct ata_channel* ch = &g_ctrl.channel[c];
      if (!ch->cmd || ch->polling) continue;
      irq_register(ch->irq, ata_irq_handler, ch);
      irq_enable(ch->irq);
      ch->registered = 1;
    }
    sti();
  }
  for (int c = 0; c < 2; ++c)
    if (g_ctrl.channel[c].cmd) probe_channel(&g_ctrl.channel[c]);
  return g_ndrives;
}

const struct ata_controller* ata_controller(void) { return &g_ctrl; }
int ata_drive_count(void) { return g_ndrives; }
struct ata_drive* ata_drive_at(int i) { return (i >= 0 && i < g_ndrives) ? &g_drives[i] : 0; }

void ata_set_polling(struct ata_drive* d, int polling) {
  struct ata_channel* ch = d->ch;
  if (!polling && (ch->irq >= 16 || !ch->registered)) return;
  ch->polling = (uint8_t)(polling != 0);
  /* Keep nIEN = 0 in both modes: BMISX.Int follows the device INTRQ, which nIEN would gate. Polling
   * masks the line at the PIC instead (a latched edge fires harmlessly on unmask, before any
   * command's snapshot of irq_events). */
  outb(ch->ctl, CTL_OBS);
  if (ch->irq < 16 && ch->registered) {
    if (ch->polling)
      irq_disable(ch->irq);
    else
      irq_enable(ch->irq);
  }
}

/* ---- task file ---- */

static int use_ext(const struct ata_drive* d, uint64_t lba, uint32_t count) {
  return d->lba48 && (lba + count > (1ull << 28) || count > 256);
}

/* Selects the drive, waits for !BSY && !DRQ, and writes the LBA / count registers. */
static int setup_taskfile(struct ata_drive* d, uint64_t lba, uint32_t count, int ext) {
  struct ata_channel* ch = d->ch;
  if (ch->selected != d->devno) select_dev(ch, d->devno, 0x40);
  int s = wait_status(ch, ATA_SR_DRQ, 0);
  if (s < 0) return ATA_ETIMEOUT;
  if (ext) {
    outb(ch->cmd + REG_DEVICE, (uint8_t)(0xE0 | (d->devno << 4)));
    outb(ch->cmd + REG_NSECT, (uint8_t)(count >> 8));
    outb(ch->cmd + REG_LBAL, (uint8_t)(lba >> 24));
    outb(ch->cmd + REG_LBAM, (uint8_t)(lba >> 32));
    outb(ch->cmd + REG_LBAH, (uint8_t)(lba >> 40));
    outb(ch->cmd + REG_NSECT, (uint8_t)count);
    outb(ch->cmd + REG_LBAL, (uint8_t)lba);
    outb(ch->cmd + REG_LBAM, (uint8_t)(lba >> 8));
    outb(ch->cmd + REG_LBAH, (uint8_t)(lba >> 16));
  } else {
    outb(ch->cmd + REG_DEVICE, (uint8_t)(0xE0 | (d->devno << 4) | ((lba >> 24) & 0x0F)));
    outb(ch->cmd + REG_NSECT, (uint8_t)count); /* 256 -> 0 */
    outb(ch->cmd + REG_LBAL, (uint8_t)lba);
    outb(ch->cmd + REG_LBAM, (uint8_t)(lba >> 8));
    outb(ch->cmd + REG_LBAH, (uint8_t)(lba >> 16));
  }
  return ATA_OK;
}

static int check_range(const struct ata_drive* d, uint64_t lba, uint32_t count) {
  if (!d || count == 0) return ATA_EINVAL;
  if (lba + count > d->sectors) return ATA_EINVAL;
  if (!d->lba48 && lba + count > (1ull << 28)) return ATA_EINVAL;
  return ATA_OK;
}

static uint32_t max_per_cmd(const struct ata_drive* d) { return d->lba48 ? 65536u : 256u; }

static int fail(struct ata_drive* d, int err, uint8_t status, uint64_t lba) {
  d->status = status;
  d->error = inb(d->ch->cmd + REG_ERROR);
  d->fail_lba = (uint32_t)lba;
  return err;
}

static int pio_cmd(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write) {
  struct ata_channel* ch = d->ch;
  int ext = use_ext(d, lba, count);
  int r = setup_taskfile(d, lba, count, ext);
  if (r != ATA_OK) return fail(d, r, altstatus(ch), lba);
  uint8_t cmd = write ? (ext ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_WRITE_SECTORS)
                      : (ext ? ATA_CMD_READ_SECTORS_EXT : ATA_CMD_READ_SECTORS);
  uint32_t snap = ch->irq_events;
  outb(ch->cmd + REG_COMMAND, cmd);
  for (uint32_t i = 0; i < count; ++i) {
    int s;
    if (write) {
      if (i == 0) {
        /* First block: DRQ without an interrupt. */
        delay400ns(ch);
        s = wait_status(ch, ATA_SR_DRQ, ATA_SR_DRQ);
        if (s < 0) return fail(d, ATA_ETIMEOUT, altstatus(ch), lba + i);
      } else {
        s = wait_irq(ch, snap);
        if (s < 0) return fail(d, ATA_ETIMEOUT, altstatus(ch), lba + i);
      }
    } else {
      s = wait_irq(ch, snap);
      if (s < 0) return fail(d, ATA_ETIMEOUT, altstatus(ch), lba + i);
    }
    if (s & (ATA_SR_ERR | ATA_SR_DF)) return fail(d, ATA_EDEVICE, (uint8_t)s, lba + i);
    if (!(s & ATA_SR_DRQ)) return fail(d, ATA_EPROTO, (uint8_t)s, lba + i);
    snap = ch->irq_events;
    if (write)
      outsw_rep(ch->cmd + REG_DATA, buf + (size_t)i * ATA_SECTOR_SIZE, 256);
    else
      insw_rep(ch->cmd + REG_DATA, buf + (size_t)i * ATA_SECTOR_SIZE, 256);
  }
  int s;
  if (write) {
    s = wait_irq(ch, snap); /* completion interrupt after the last block */
  } else {
    delay400ns(ch);
    s = wait_status(ch, 0, 0); /* no trailing interrupt after the last PIO-in block */
  }
  if (s < 0) return fail(d, ATA_ETIMEOUT, altstatus(ch), lba + count);
  if (s & (ATA_SR_ERR | ATA_SR_DF)) return fail(d, ATA_EDEVICE, (uint8_t)s, lba);
  if (s & ATA_SR_DRQ) return fail(d, ATA_EPROTO, (uint8_t)s, lba);
  d->status = (uint8_t)s;
  return ATA_OK;
}

/* Splits a request into commands of at most `maxc` sectors, issued one after the other by `cmd`. */
typedef int (*ata_cmd_fn)(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write);
static int split_rw(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write, uint32_t maxc,
                    ata_cmd_fn cmd) {
  while (count) {
    uint32_t n = count > maxc ? maxc : count;
    int r = cmd(d, lba, n, buf, write);
    if (r != ATA_OK) return r;
    lba += n;
    count -= n;
    buf += (size_t)n * ATA_SECTOR_SIZE;
  }
  return ATA_OK;
}

static int pio_rw(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write) {
  int r = check_range(d, lba, count);
  if (r != ATA_OK) return r;
  return split_rw(d, lba, count, buf, write, max_per_cmd(d), pio_cmd);
}

int ata_pio_read(struct ata_drive* d, uint64_t lba, uint32_t count, void* buf) {
  return pio_rw(d, lba, count, (uint8_t*)buf, 0);
}
int ata_pio_write(struct ata_drive* d, uint64_t lba, uint32_t count, const void* buf) {
  return pio_rw(d, lba, count, (uint8_t*)(uintptr_t)buf, 1);
}

/* Builds the PRD table: entries never cross a 64 KiB boundary and hold at most 64 KiB (count 0). */
static int build_prd(uint32_t* prd, uint32_t addr, uint32_t bytes) {
  int n = 0;
  while (bytes) {
    uint32_t room = 0x10000u - (addr & 0xFFFFu);
    uint32_t len = bytes < room ? bytes : room;
    if (n >= PRD_MAX) return -1;
    prd[2 * n] = addr;
    prd[2 * n + 1] = len & 0xFFFFu; /* 0x10000 -> 0 */
    addr += len;
    bytes -= len;
    ++n;
  }
  if (n == 0) return -1;
  prd[2 * (n - 1) + 1] |= PRD_EOT;
  return n;
}

static int dma_cmd(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write) {
  struct ata_channel* ch = d->ch;
  uint32_t* prd = g_prd[ch->index];
  if (build_prd(prd, (uint32_t)(uintptr_t)buf, count * ATA_SECTOR_SIZE) < 0) return ATA_EINVAL;
  int ext = use_ext(d, lba, count);
  uint16_t bm = ch->bm;
  uint8_t dir = write ? 0 : ATA_BM_CMD_WRITE_MEM;
  /* libata order: stop, PRD pointer, direction, clear W1C status, command, start. */
  outb(bm + ATA_BM_CMD, 0);
  outl(bm + ATA_BM_PRD, (uint32_t)(uintptr_t)prd);
  outb(bm + ATA_BM_CMD, dir);
  uint8_t st = inb(bm + ATA_BM_STATUS);
  outb(bm + ATA_BM_STATUS, (uint8_t)((st & 0x60) | ATA_BM_ST_INT | ATA_BM_ST_ERROR));
  int r = setup_taskfile(d, lba, count, ext);
  if (r != ATA_OK) return fail(d, r, altstatus(ch), lba);
  uint8_t cmd = write ? (ext ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA)
                      : (ext ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA);
  uint32_t snap = ch->irq_events;
  outb(ch->cmd + REG_COMMAND, cmd);
  outb(bm + ATA_BM_CMD, (uint8_t)(dir | ATA_BM_CMD_START));
  /* Completion: the IRQ (handler latched BMISX and acked INTRQ) or, polling, BMISX.Int. */
  int s = -1;
  uint8_t bms = 0;
  if (!wait_irq_event(ch, snap)) {
    uint64_t deadline = rdtsc() + WAIT_CYCLES;
    for (uint32_t i = 0; i < WAIT_ITERS; ++i) {
      bms = inb(bm + ATA_BM_STATUS);
      if (bms & (ATA_BM_ST_INT | ATA_BM_ST_ERROR)) break;
      if (!(bms & ATA_BM_ST_ACTIVE) && !(altstatus(ch) & ATA_SR_BSY)) break;
      if (rdtsc() > deadline) break;
    }
  }
  bms = inb(bm + ATA_BM_STATUS);
  s = wait_status(ch, 0, 0);
  uint8_t status = inb(ch->cmd + REG_STATUS); /* clears INTRQ */
  outb(bm + ATA_BM_CMD, dir);                  /* stop the engine */
  outb(bm + ATA_BM_STATUS, (uint8_t)((bms & 0x60) | ATA_BM_ST_INT | ATA_BM_ST_ERROR));
  d->bmstatus = bms;
  if (s < 0) return fail(d, ATA_ETIMEOUT, status, lba);
  if (status & (ATA_SR_ERR | ATA_SR_DF)) return fail(d, ATA_EDEVICE, status, lba);
  if (bms & ATA_BM_ST_ERROR) return fail(d, ATA_EDMA, status, lba);
  if (!(bms & ATA_BM_ST_INT)) return fail(d, ATA_EDMA, status, lba);
  if (status & ATA_SR_DRQ) return fail(d, ATA_EPROTO, status, lba);
  d->status = status;
  return ATA_OK;
}

static int dma_rw(struct ata_drive* d, uint64_t lba, uint32_t count, uint8_t* buf, int write) {
  int r = check_range(d, lba, count);
  if (r != ATA_OK) return r;
  if (!d->dma || !d->ch->bm || ((uintptr_t)buf & 1)) return ATA_EINVAL;
  /* PRD_MAX entries of at least 64 KiB minus the first partial one: keep commands <= 8 MiB. */
  uint32_t maxc = max_per_cmd(d);
  if (maxc > 16384) maxc = 16384;
  return split_rw(d, lba, count, buf, write, maxc, dma_cmd);
}

int ata_dma_read(struct ata_drive* d, uint64_t lba, uint32_t count, void* buf) {
  return dma_rw(d, lba, count, (uint8_t*)buf, 0);
}
int ata_dma_write(struct ata_drive* d, uint64_t lba, uint32_t count, const void* buf) {
  return dma_rw(d, lba, count, (uint8_t*)(uintptr_t)buf, 1);
}

int ata_flush(struct ata_drive* d) {
  if (!d) return ATA_EINVAL;
  return send_nodata(d, d->lba48 ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE, 0, 0);
}
