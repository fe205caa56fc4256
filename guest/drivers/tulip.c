/* DEC 21140 "Tulip" driver: see tulip.h for the feature list. Spec: devices.md sections 1, 4, 10. */
#include "tulip.h"

#include "io.h"
#include "irq.h"
#include "runtime.h"

#define RESET_DELAY_US 100u       /* Linux waits 100 us after SWR before touching CSRs */
#define RESET_TIMEOUT_US 10000u
#define SETUP_TIMEOUT_US 100000u  /* setup frame processed by TX */
#define TX_TIMEOUT_US 200000u     /* a full ring must drain this fast even at 10 Mbit/s (32 x 1.2 ms) */
#define STOP_TIMEOUT_US 100000u
#define IRQ_SILENCE_US 20000u     /* no interrupt for this long while waiting: poll instead */
#define WAIT_ITERS 400000000u     /* iteration cap in case the TSC does not advance */
#define IRQ_GIVE_UP 3u            /* fallbacks without any interrupt before switching to polling */

/* CSR7: TX complete/stopped/unavailable, jabber, underflow, RX complete/unavailable/stopped,
 * RX watchdog, fatal bus error, and both summaries. TU wakes a flush once TX runs out of work. */
#define CSR7_ENABLE                                                                                      \
  (TULIP_CSR5_TI | TULIP_CSR5_TPS | TULIP_CSR5_TU | TULIP_CSR5_TJT | TULIP_CSR5_UNF | TULIP_CSR5_RI |   \
   TULIP_CSR5_RU | TULIP_CSR5_RPS | TULIP_CSR5_RWT | TULIP_CSR5_FBE | TULIP_CSR5_AIS | TULIP_CSR5_NIS)

/* MII management registers (IEEE 802.3 clause 22) */
#define MII_BMCR 0
#define MII_BMSR 1
#define MII_PHYID1 2
#define MII_PHYID2 3
#define MII_ANAR 4
#define MII_ANLPAR 5
#define BMCR_FULLDPLX 0x0100
#define BMCR_ANENABLE 0x1000
#define BMSR_LSTATUS 0x0004
#define BMSR_ANEGCOMPLETE 0x0020

static struct tulip_desc g_txd[TULIP_TX_RING] __attribute__((aligned(16)));
static struct tulip_desc g_rxd[TULIP_RX_RING] __attribute__((aligned(16)));
static uint8_t g_txbuf[TULIP_TX_RING][TULIP_BUF_SIZE] __attribute__((aligned(16)));
static uint8_t g_rxbuf[TULIP_RX_RING][TULIP_BUF_SIZE] __attribute__((aligned(16)));
static uint32_t g_setup[TULIP_SETUP_FRAME_LEN / 4] __attribute__((aligned(16)));
static uint8_t g_scratch[TULIP_BUF_SIZE];

static struct tulip_nic g_nic;
static struct tulip_stats g_stats;
static uint32_t g_tsc_mhz = 3000;
static uint32_t g_csr7;
static volatile uint32_t g_irq_events; /* written by the handler, polled by waits */
static volatile uint32_t g_irq_none;
static volatile uint32_t g_csr5_seen;
static volatile uint8_t g_rx_suspended; /* the handler saw RU: RX needs a poll demand */
static unsigned g_tx_head, g_tx_tail, g_tx_count, g_rx_cur;
static int g_halt_ok; /* waits may HLT: the caller guarantees a periodic wakeup interrupt */

/* ---- register access: 32-bit only, CSR n at base + n * 8 ---- */

static inline uint32_t csr_r(unsigned n) { return inl((uint16_t)(g_nic.iobase + TULIP_CSR(n))); }
static inline void csr_w(unsigned n, uint32_t v) { outl((uint16_t)(g_nic.iobase + TULIP_CSR(n)), v); }
static inline void barrier(void) { __asm__ volatile("" : : : "memory"); }
static inline uint32_t phys(const void* p) { return (uint32_t)(uintptr_t)p; }

static uint64_t us_to_cycles(uint32_t us) { return (uint64_t)us * g_tsc_mhz; }

static void udelay(uint32_t us) {
  uint64_t end = rdtsc() + us_to_cycles(us);
  for (uint32_t i = 0; i < WAIT_ITERS && rdtsc() < end; ++i) pause();
}

const char* tulip_strerror(int err) {
  switch (err) {
    case TULIP_OK: return "ok";
    case TULIP_ENODEV: return "no device";
    case TULIP_ETIMEOUT: return "timeout";
    case TULIP_EINVAL: return "invalid argument";
    case TULIP_EBADFRAME: return "bad frame";
    default: return "?";
  }
}

/* ---- SROM (93C46 / 93C66 Microwire) through CSR9, the sequence of the datasheet and Linux:
 * CS high, command bits MSB first (DI set up, then SK high), DO sampled after each rising edge; the
 * chip drives a dummy 0 after the last address bit, then 16 data bits. Every CSR9 write is followed
 * by a CSR9 read, which gives the part its setup/hold time on real hardware. ---- */

#define SROM_ENB (TULIP_CSR9_RD | TULIP_CSR9_SR | TULIP_CSR9_SR_CS)

static void srom_w(uint32_t v) {
  csr_w(9, v);
  (void)csr_r(9);
}

/* Returns every DO bit sampled (command phase included), the data word in bits 15:0. */
static uint32_t srom_read_raw(unsigned loc, int addr_bits) {
  uint32_t cmd = (6u << addr_bits) | loc; /* start bit 1, opcode 10 (read), address */
  uint32_t v = 0;
  srom_w(SROM_ENB & ~TULIP_CSR9_SR_CS);
  srom_w(SROM_ENB);
  /* Two leading zeros (ignored before the start bit), start, opcode, address. */
  for (int i = addr_bits + 4; i >= 0; --i) {
    uint32_t di = ((cmd >> i) & 1u) ? TULIP_CSR9_SR_DI : 0;
    srom_w(SROM_ENB | di);
    srom_w(SROM_ENB | di | TULIP_CSR9_SR_SK);
    v = (v << 1) | ((csr_r(9) & TULIP_CSR9_SR_DO) ? 1u : 0u);
  }
  srom_w(SROM_ENB);
  for (int i = 0; i < 16; ++i) {
    srom_w(SROM_ENB | TULIP_CSR9_SR_SK);
    v = (v << 1) | ((csr_r(9) & TULIP_CSR9_SR_DO) ? 1u : 0u);
    srom_w(SROM_ENB);
  }
  srom_w(SROM_ENB & ~TULIP_CSR9_SR_CS); /* CS low ends the access */
  return v;
}

static void srom_load(void) {
  /* Address width: read location 0xFF with 8 address bits. A 93C46 (6 bits) drives its dummy 0 two
   * clocks early, so the sample after the 6th address bit (bit 18 of the raw value) is 0. */
  g_nic.srom_addr_bits = (srom_read_raw(0xFF, 8) & 0x40000u) ? 8 : 6;
  g_nic.srom_words = 1 << g_nic.srom_addr_bits;
  for (int i = 0; i < g_nic.srom_words; ++i)
    g_nic.srom[i] = (uint16_t)(srom_read_raw((unsigned)i, g_nic.srom_addr_bits) & 0xFFFFu);
  csr_w(9, 0);

  /* Byte view: word i = bytes 2i (low) and 2i + 1. */
  uint8_t b[128];
  for (int i = 0; i < 64; ++i) {
    b[2 * i] = (uint8_t)(g_nic.srom[i] & 0xFF);
    b[2 * i + 1] = (uint8_t)(g_nic.srom[i] >> 8);
  }
  /* DEC SROM format CRC: CRC-32 (IEEE) over bytes 0..125, low 16 bits stored in word 63. */
  g_nic.srom_crc_stored = g_nic.srom[63];
  g_nic.srom_crc_calc = (uint16_t)(crc32_update(0, b, 126) & 0xFFFFu);
  if (g_nic.srom_crc_stored == 0x0000 || g_nic.srom_crc_stored == 0xFFFF)
    g_nic.srom_crc = -1;
  else
    g_nic.srom_crc = g_nic.srom_crc_stored == g_nic.srom_crc_calc;

  /* MAC location as Linux tulip_init_one: the new SROM format (bytes 0-7 differ from 16-23) keeps it
   * at byte 20; the legacy layout at 0; a board with FF FF 00 at the start at 2. */
  int off = memcmp(b, b + 16, 8) != 0 ? 20 : 0;
  if (b[0] == 0xFF && b[1] == 0xFF && b[2] == 0x00) off = 2;
  g_nic.srom_mac_offset = off;
  unsigned sum = 0;
  for (int i = 0; i < 6; ++i) {
    g_nic.mac[i] = b[off + i];
    sum += b[off + i];
  }
  g_nic.mac_valid = sum != 0 && sum != 6u * 0xFFu && !(g_nic.mac[0] & 1);
  if (!g_nic.mac_valid) {
    /* Unusable SROM address: a fixed locally administered unicast one keeps the NIC usable. */
    static const uint8_t fallback[6] = {0x02, 0x00, 0x00, 0x21, 0x14, 0x00};
    memcpy(g_nic.mac, fallback, 6);
  }
}

/* ---- MII management through CSR9 (MDC bit 16, MDO bit 17, read mode bit 18, MDI bit 19) ----
 * Frame: 32 preamble ones, ST 01, OP 10, PHY address, register (MSB first), then the PHY drives the
 * turnaround and 16 data bits. As in Linux, MDI is sampled while MDC is low before each rising edge:
 * 19 samples = 1 turnaround (Z) + 0 + 16 data + 1 idle; data = (samples >> 1) & 0xFFFF. */

static void mdio_w(uint32_t v) {
  csr_w(9, v);
  (void)csr_r(9);
}

static uint16_t mdio_read(int phy, int reg) {
  /* 16 command bits: two more preamble ones, 01, 10, 5 PHY bits, 5 register bits. */
  uint32_t cmd = (0xF6u << 10) | ((uint32_t)phy << 5) | (uint32_t)reg;
  for (int i = 0; i < 32; ++i) {
    mdio_w(TULIP_CSR9_MDO);
    mdio_w(TULIP_CSR9_MDO | TULIP_CSR9_MDC);
  }
  for (int i = 15; i >= 0; --i) {
    uint32_t d = ((cmd >> i) & 1u) ? TULIP_CSR9_MDO : 0;
    mdio_w(d);
    mdio_w(d | TULIP_CSR9_MDC);
  }
  uint32_t v = 0;
  for (int i = 0; i < 19; ++i) {
    mdio_w(TULIP_CSR9_MII_READ);
    v = (v << 1) | ((csr_r(9) & TULIP_CSR9_MDI) ? 1u : 0u);
    mdio_w(TULIP_CSR9_MII_READ | TULIP_CSR9_MDC);
  }
  return (uint16_t)((v >> 1) & 0xFFFFu);
}

static void mii_probe(void) {
  g_nic.phy_addr = -1;
  g_nic.link_up = -1;
  /* Addresses 1..31 first, then 0 (address 0 may be a broadcast alias on some PHYs). */
  for (int n = 1; n <= 32; ++n) {
    int phy = n & 31;
    uint16_t bmsr = mdio_read(phy, MII_BMSR);
    if (bmsr == 0xFFFF || bmsr == 0x0000) continue; /* nobody drove the bus */
    g_nic.phy_addr = phy;
    g_nic.phy_bmcr = mdio_read(phy, MII_BMCR);
    g_nic.phy_id1 = mdio_read(phy, MII_PHYID1);
    g_nic.phy_id2 = mdio_read(phy, MII_PHYID2);
    /* Link status is latched low: the second read gives the current state. */
    g_nic.phy_bmsr = mdio_read(phy, MII_BMSR);
    g_nic.link_up = (g_nic.phy_bmsr & BMSR_LSTATUS) ? 1 : 0;
    if ((g_nic.phy_bmcr & BMCR_ANENABLE) && (g_nic.phy_bmsr & BMSR_ANEGCOMPLETE)) {
      uint16_t common = (uint16_t)(mdio_read(phy, MII_ANAR) & mdio_read(phy, MII_ANLPAR));
      /* 100BASE-TX FD (bit 8) wins; else 10BASE-T FD (bit 6) if no half-duplex 100 (bit 7). */
      g_nic.full_duplex = (common & 0x0100) || ((common & 0x01C0) == 0x0040);
    } else {
      g_nic.full_duplex = (g_nic.phy_bmcr & BMCR_FULLDPLX) != 0;
    }
    break;
  }
  csr_w(9, 0);
  /* Without a PHY the port is whatever the board wires; virtual links are full duplex. */
  if (g_nic.phy_addr < 0) g_nic.full_duplex = 1;
}

/* ---- interrupts ---- */

static void tulip_irq_handler(unsigned irq, void* ctx) {
  (void)irq;
  (void)ctx;
  /* Acknowledge until no enabled source is left: a source that rises between the read and the
   * write-back keeps the line asserted, which an edge-triggered PIC input would never see again. */
  for (int k = 0; k < 8; ++k) {
    uint32_t s = csr_r(5);
    if (!(s & g_csr7 & TULIP_CSR5_W1C_MASK)) {
      if (k == 0) g_irq_none++;
      break;
    }
    csr_w(5, s & TULIP_CSR5_W1C_MASK);
    if (s & TULIP_CSR5_RU) g_rx_suspended = 1;
    g_csr5_seen |= s;
    g_irq_events++;
  }
}

/* A completion was found by the polling fallback although it should have raised an interrupt. If no
 * interrupt has ever arrived, the line is evidently not delivered: stop waiting for it. */
static void irq_missed(void) {
  g_stats.irq_timeouts++;
  if (g_irq_events == 0 && g_irq_none == 0 && g_stats.irq_timeouts >= IRQ_GIVE_UP) {
    g_nic.irq_gave_up = 1;
    csr_w(7, 0);
    g_csr7 = 0;
    irq_disable(g_nic.irq);
    g_nic.use_irq = 0;
  }
}

/* Waits until done() holds. With interrupts, done() is re-evaluated after each interrupt; after
 * IRQ_SILENCE_US without one, every iteration (the polling fallback; counted if it found the
 * completion the interrupt should have announced). */
static int wait_for(int (*done)(void), uint32_t timeout_us) {
  uint32_t snap = g_irq_events;
  if (done()) return TULIP_OK;
  uint64_t now = rdtsc();
  uint64_t end = now + us_to_cycles(timeout_us);
  uint64_t quiet_end = now + us_to_cycles(IRQ_SILENCE_US);
  int polling = !g_nic.use_irq;
  for (uint32_t i = 0; i < WAIT_ITERS; ++i) {
    if (polling || g_irq_events != snap) {
      snap = g_irq_events;
      if (done()) {
        if (polling && g_nic.use_irq) irq_missed();
        return TULIP_OK;
      }
    }
    uint64_t t = rdtsc();
    if (t > end) break;
    if (!polling && t > quiet_end) polling = 1;
    if (g_halt_ok && !polling) {
      /* Sleep until the next interrupt. The event check runs with interrupts off and STI's one-
       * instruction shadow covers HLT, so an interrupt after the check still ends this HLT. */
      cli();
      if (g_irq_events == snap) {
        __asm__ volatile("sti; hlt" : : : "memory");
      } else {
        sti();
      }
    } else {
      pause();
    }
  }
  return done() ? TULIP_OK : TULIP_ETIMEOUT;
}

/* ---- rings ---- */

static uint32_t tx_ctl_base(unsigned i) {
  if (g_nic.chain_mode) return TULIP_TDES1_TCH;
  return i == TULIP_TX_RING - 1 ? TULIP_TDES1_TER : 0;
}

static uint32_t rx_ctl(unsigned i) {
  uint32_t c = TULIP_BUF_SIZE; /* RBS1; RBS2 = 0 */
  if (g_nic.chain_mode) return c | TULIP_RDES1_RCH;
  return i == TULIP_RX_RING - 1 ? c | TULIP_RDES1_RER : c;
}

static void rings_init(void) {
  for (unsigned i = 0; i < TULIP_TX_RING; ++i) {
    g_txd[i].status = 0;
    g_txd[i].control = tx_ctl_base(i);
    g_txd[i].buf1 = phys(g_txbuf[i]);
    g_txd[i].buf2 = g_nic.chain_mode ? phys(&g_txd[(i + 1) % TULIP_TX_RING]) : 0;
  }
  for (unsigned i = 0; i < TULIP_RX_RING; ++i) {
    g_rxd[i].control = rx_ctl(i);
    g_rxd[i].buf1 = phys(g_rxbuf[i]);
    g_rxd[i].buf2 = g_nic.chain_mode ? phys(&g_rxd[(i + 1) % TULIP_RX_RING]) : 0;
    barrier();
    g_rxd[i].status = TULIP_DES0_OWN; /* after the buffer fields: the NIC may look at once */
  }
  g_tx_head = g_tx_tail = g_tx_count = 0;
  g_rx_cur = 0;
}

int tulip_tx_reclaim(void) {
  int n = 0;
  while (g_tx_count) {
    uint32_t s = g_txd[g_tx_tail].status;
    if (s & TULIP_DES0_OWN) break;
    if (s & TULIP_TDES0_ES)
      g_stats.tx_errors++;
    else
      g_stats.tx_frames++;
    g_tx_tail = (g_tx_tail + 1) % TULIP_TX_RING;
    g_tx_count--;
    ++n;
  }
  return n;
}

static int tx_has_space(void) {
  tulip_tx_reclaim();
  return g_tx_count < TULIP_TX_RING;
}

static int tx_empty(void) {
  tulip_tx_reclaim();
  return g_tx_count == 0;
}

int tulip_tx_flush(void) { return wait_for(tx_empty, TX_TIMEOUT_US); }

int tulip_send(const void* frame, uint32_t len) {
  if (!g_nic.found) return TULIP_ENODEV;
  if (len < 14 || len > TULIP_MAX_FRAME) return TULIP_EINVAL;
  if (!tx_has_space()) {
    g_stats.tx_full_waits++;
    int r = wait_for(tx_has_space, TX_TIMEOUT_US);
    if (r != TULIP_OK) return r;
  }
  unsigned i = g_tx_head;
  memcpy(g_txbuf[i], frame, len);
  uint32_t ctl = tx_ctl_base(i) | TULIP_TDES1_FS | TULIP_TDES1_LS | len;
  /* Interrupt on completion at half ring and when nearly full (as Linux); an idle TX raises TU. */
  unsigned outstanding = g_tx_count + 1;
  if (outstanding == TULIP_TX_RING / 2 || outstanding >= TULIP_TX_RING - 2) ctl |= TULIP_TDES1_IC;
  g_txd[i].control = ctl;
  g_txd[i].buf1 = phys(g_txbuf[i]);
  barrier();
  g_txd[i].status = TULIP_DES0_OWN; /* last: hands the descriptor over */
  barrier();
  g_tx_head = (i + 1) % TULIP_TX_RING;
  g_tx_count++;
  g_stats.tx_bytes += len;
  csr_w(1, 0); /* TX poll demand: resumes a suspended TX */
  return TULIP_OK;
}

static int rx_pending(void) { return !(g_rxd[g_rx_cur].status & TULIP_DES0_OWN); }

/* Consumes the current RX descriptor (which must be host-owned): copies the frame to buf or hands it
 * to fn, returns it to the NIC, and issues an RX poll demand if RX may have run out of buffers. */
static int rx_take(void* buf, tulip_rx_fn fn, void* ctx) {
  unsigned i = g_rx_cur;
  unsigned prev = (i + TULIP_RX_RING - 1) % TULIP_RX_RING;
  uint32_t s = g_rxd[i].status;
  /* If the descriptor before this one is also host-owned, the NIC filled the whole ring and found
   * this one still ours: it is (or will be) suspended and needs a poll demand. */
  int was_full = !(g_rxd[prev].status & TULIP_DES0_OWN);
  int ret;
  uint32_t flen = (s >> 16) & 0x3FFFu; /* includes the 4 FCS bytes */
  if ((s & (TULIP_RDES0_FS | TULIP_RDES0_LS)) != (TULIP_RDES0_FS | TULIP_RDES0_LS) || (s & TULIP_RDES0_ES) ||
      flen < 14 + 4 || flen > TULIP_BUF_SIZE) {
    g_stats.rx_errors++;
    ret = TULIP_EBADFRAME;
  } else {
    uint32_t len = flen - 4;
    if (fn)
      fn(g_rxbuf[i], len, ctx);
    else
      memcpy(buf, g_rxbuf[i], len);
    g_stats.rx_frames++;
    g_stats.rx_bytes += len;
    ret = (int)len;
  }
  g_rxd[i].control = rx_ctl(i);
  barrier();
  g_rxd[i].status = TULIP_DES0_OWN;
  barrier();
  g_rx_cur = (i + 1) % TULIP_RX_RING;
  if (was_full || g_rx_suspended) {
    g_rx_suspended = 0;
    g_stats.rx_poll_demands++;
    csr_w(2, 0);
  }
  return ret;
}

unsigned tulip_rx_backlog(void) {
  unsigned n = 0;
  if (!g_nic.found) return 0;
  while (n < TULIP_RX_RING && !(g_rxd[(g_rx_cur + n) % TULIP_RX_RING].status & TULIP_DES0_OWN)) ++n;
  return n;
}

int tulip_poll_rx(void* buf) {
  if (!g_nic.found || !rx_pending()) return 0;
  return rx_take(buf, 0, 0);
}

int tulip_wait_rx(void* buf, uint32_t timeout_us) {
  if (!g_nic.found) return TULIP_ENODEV;
  if (wait_for(rx_pending, timeout_us) != TULIP_OK) return TULIP_ETIMEOUT;
  return rx_take(buf, 0, 0);
}

int tulip_rx_dispatch(tulip_rx_fn fn, void* ctx, int max) {
  int good = 0;
  for (int k = 0; k < max && g_nic.found && rx_pending(); ++k)
    if (rx_take(g_scratch, fn, ctx) > 0) ++good;
  return good;
}

uint32_t tulip_read_missed(void) {
  if (!g_nic.found) return 0;
  uint32_t v = csr_r(8); /* cleared by the read */
  uint32_t n = (v & 0x10000u) ? 0xFFFFu : (v & 0xFFFFu);
  g_stats.rx_missed += n;
  return n;
}

static int rxtx_stopped(void) { return (csr_r(5) & TULIP_CSR5_STATE_MASK) == 0; }

int tulip_stop(void) {
  if (!g_nic.found) return TULIP_ENODEV;
  csr_w(6, g_nic.csr6);
  /* Polls CSR5 directly: stopping raises no interrupt we wait for. */
  uint64_t end = rdtsc() + us_to_cycles(STOP_TIMEOUT_US);
  for (uint32_t i = 0; i < WAIT_ITERS; ++i) {
    if (rxtx_stopped()) break;
    if (rdtsc() > end) return TULIP_ETIMEOUT;
    pause();
  }
  csr_w(7, 0);
  g_csr7 = 0;
  return TULIP_OK;
}

/* ---- bring-up ---- */

static const struct pci_function* find_nic(void) {
  for (int i = 0; i < pci_function_count(); ++i) {
    const struct pci_function* f = pci_function_at(i);
    if (f->vendor == TULIP_VENDOR_DEC && (f->device == TULIP_DEVICE_21140 || f->device == TULIP_DEVICE_21143) &&
        f->class_code == 0x02)
      return f;
  }
  return 0;
}

static int setup_done(void) { return !(g_txd[0].status & TULIP_DES0_OWN); }

/* Perfect-filter setup frame: 16 entries of three longwords whose low 16 bits carry two address bytes
 * each (the high half repeats them, as Linux writes). Entry 0 = our MAC, the rest broadcast. */
static void build_setup_frame(void) {
  static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  for (int e = 0; e < 16; ++e) {
    const uint8_t* a = e == 0 ? g_nic.mac : bcast;
    for (int w = 0; w < 3; ++w) {
      uint32_t half = (uint32_t)a[2 * w] | ((uint32_t)a[2 * w + 1] << 8);
      g_setup[e * 3 + w] = half | (half << 16);
    }
  }
}

int tulip_init(const struct tulip_config* cfg) {
  memset(&g_nic, 0, sizeof(g_nic));
  memset(&g_stats, 0, sizeof(g_stats));
  g_irq_events = 0;
  g_irq_none = 0;
  g_csr5_seen = 0;
  g_rx_suspended = 0;
  g_tsc_mhz = cfg->tsc_mhz ? cfg->tsc_mhz : 3000;
  if (pci_function_count() == 0) {
    pci_scan();
    pci_assign_bars();
  }
  const struct pci_function* f = find_nic();
  if (!f) return TULIP_ENODEV;
  const struct pci_bar* bar = &f->bar[0];
  if (bar->kind != PCI_BAR_IO || bar->addr == 0 || bar->addr > 0xFFFF) return TULIP_ENODEV;
  g_nic.bus = f->bus;
  g_nic.dev = f->dev;
  g_nic.fn = f->fn;
  g_nic.vendor = f->vendor;
  g_nic.device = f->device;
  g_nic.revision = f->revision;
  g_nic.iobase = (uint16_t)bar->addr;
  g_nic.irq = f->irq_line;
  g_nic.chain_mode = (uint8_t)(cfg->chain_mode != 0);

  uint16_t cmd = pci_cfg_read16(f->bus, f->dev, f->fn, PCI_COMMAND);
  pci_cfg_write16(f->bus, f->dev, f->fn, PCI_COMMAND, (uint16_t)(cmd | PCI_COMMAND_IO | PCI_COMMAND_MASTER));
  /* 21143: CFDD (config 0x40) sleep/snooze bits 31/30 must be clear for the chip to work. */
  if (f->device == TULIP_DEVICE_21143) pci_cfg_write32(f->bus, f->dev, f->fn, 0x40, 0);
  g_nic.found = 1;

  /* Quiesce, then software reset: SWR self-clears; CSRs are usable after ~50 PCI clocks. */
  csr_w(7, 0);
  csr_w(6, 0);
  csr_w(0, TULIP_CSR0_SWR);
  udelay(RESET_DELAY_US);
  uint64_t end = rdtsc() + us_to_cycles(RESET_TIMEOUT_US);
  for (uint32_t i = 0;; ++i) {
    if (!(csr_r(0) & TULIP_CSR0_SWR)) break;
    if (rdtsc() > end || i >= WAIT_ITERS) {
      g_nic.fail_what = "software reset (CSR0.SWR stays set)";
      g_nic.fail_csr = csr_r(0);
      g_nic.found = 0;
      return TULIP_ETIMEOUT;
    }
    pause();
  }
  g_nic.csr0_reset = csr_r(0);
  g_nic.csr5_reset = csr_r(5);
  g_nic.csr6_reset = csr_r(6);
  /* Bus mode: little-endian descriptors and buffers, DSL 0, unlimited burst, 16-longword alignment. */
  csr_w(0, TULIP_CSR0_CAL_16);

  srom_load();
  mii_probe();

  rings_init();
  csr_w(3, phys(g_rxd));
  csr_w(4, phys(g_txd));

  g_nic.use_irq = (uint8_t)(cfg->use_irq && g_nic.irq > 0 && g_nic.irq < 16 && g_nic.irq != 2);
  if (g_nic.use_irq) {
    if (cfg->init_irq_subsystem) irq_init();
    irq_register(g_nic.irq, tulip_irq_handler, 0);
    irq_enable(g_nic.irq);
    g_csr7 = CSR7_ENABLE;
  } else {
    g_csr7 = 0;
  }
  csr_w(5, TULIP_CSR5_W1C_MASK); /* drop anything left from reset */
  csr_w(7, g_csr7);
  if (g_nic.use_irq) sti();

  /* Operating mode: store and forward, heartbeat off, MII port when a PHY answered, duplex from it. */
  g_nic.csr6 = TULIP_CSR6_MBO | TULIP_CSR6_SF | TULIP_CSR6_HBD;
  if (g_nic.phy_addr >= 0) g_nic.csr6 |= TULIP_CSR6_PS;
  if (g_nic.full_duplex) g_nic.csr6 |= TULIP_CSR6_FD;

  /* Setup frame first in the TX ring; TX starts, consumes it (it never goes on the wire), and only
   * then RX starts, so no frame is filtered with an empty table. */
  build_setup_frame();
  g_txd[0].control = tx_ctl_base(0) | TULIP_TDES1_SET | TULIP_TDES1_IC | TULIP_SETUP_FRAME_LEN;
  g_txd[0].buf1 = phys(g_setup);
  barrier();
  g_txd[0].status = TULIP_DES0_OWN;
  barrier();
  csr_w(6, g_nic.csr6); /* port/duplex bits while both processes are stopped, then start TX */
  csr_w(6, g_nic.csr6 | TULIP_CSR6_ST);
  csr_w(1, 0);
  if (wait_for(setup_done, SETUP_TIMEOUT_US) != TULIP_OK) {
    g_nic.fail_what = "setup frame (TDES0.OWN stays set; value = CSR5)";
    g_nic.fail_csr = csr_r(5);
    g_nic.setup_status = g_txd[0].status;
    tulip_stop();
    g_nic.found = 0;
    return TULIP_ETIMEOUT;
  }
  g_nic.setup_status = g_txd[0].status;
  g_txd[0].buf1 = phys(g_txbuf[0]);
  g_tx_head = g_tx_tail = 1;
  g_tx_count = 0;

  csr_w(6, g_nic.csr6 | TULIP_CSR6_ST | TULIP_CSR6_SR);
  csr_w(2, 0);
  (void)csr_r(8); /* clear the missed-frame counter */
  return TULIP_OK;
}

void tulip_set_idle_halt(int on) { g_halt_ok = on != 0; }

const struct tulip_nic* tulip_nic(void) { return &g_nic; }

const struct tulip_stats* tulip_stats(void) {
  g_stats.irq_events = g_irq_events;
  g_stats.irq_none = g_irq_none;
  g_stats.csr5_seen = g_csr5_seen;
  return &g_stats;
}
