/* DEC 21140 "Tulip" Ethernet driver (also drives the 21142/21143 register subset the 21140 shares),
 * written from the public spec digest (devices.md sections 1, 4 and 10).
 *
 * - Device: found by PCI scan, vendor 0x1011 device 0x0009 (21140) or 0x0019 (21142/21143), class 02.
 *   PCI Command gets I/O decode + bus master. CSR n is at BAR0 (I/O) + n * 8, 32-bit accesses only.
 * - Bring-up: CSR6 = 0 (stop), CSR0.SWR software reset, bounded wait for SWR to clear plus >= 100 us,
 *   CSR0 bus mode, SROM read by bit-banging CSR9 (93C46/93C66, address width auto-detected), SROM CRC
 *   check (reported, never fatal), MAC from the SROM, MII PHY scan by bit-banging MDIO through CSR9
 *   (BMSR link state; no PHY is reported, not fatal), RX/TX descriptor rings (ring mode with RER/TER,
 *   or chain mode with RCH/TCH), setup frame (perfect filter: own MAC + broadcast) processed by TX and
 *   waited for before RX starts, then CSR6 ST|SR.
 * - Interrupts: the function's Interrupt Line through the runtime's PIC/IRQ helpers. The handler
 *   acknowledges CSR5 (W1C, bits 16:0) and counts events; waits are woken by those events and fall
 *   back to polling the descriptors (counted in irq_timeouts) when no interrupt arrives in time;
 *   after 3 such fallbacks without a single interrupt ever, the driver polls for good (CSR7 = 0).
 *   Without a usable IRQ (or use_irq = 0) the driver polls, with CSR7 = 0.
 * - Every wait is bounded (TSC deadline plus an iteration cap) and ends with a TULIP_E* code.
 *
 * Buffers are guest-physical = virtual (identity-mapped guest) and lie below 4 GiB. Frames handed to
 * tulip_send are without FCS (the NIC appends it); received lengths exclude the 4 FCS bytes. */
#ifndef HVSIM_GUEST_TULIP_H
#define HVSIM_GUEST_TULIP_H

#include <stdint.h>

#define TULIP_VENDOR_DEC 0x1011
#define TULIP_DEVICE_21140 0x0009
#define TULIP_DEVICE_21143 0x0019

/* CSR offsets from the I/O base (CSR n at n * 8). */
#define TULIP_CSR(n) ((n) * 8u)

/* CSR0 bus mode */
#define TULIP_CSR0_SWR 0x00000001u
#define TULIP_CSR0_CAL_16 0x00008000u /* cache alignment 16 longwords */
/* CSR5 status / CSR7 interrupt enable (same bit positions) */
#define TULIP_CSR5_TI 0x00000001u
#define TULIP_CSR5_TPS 0x00000002u
#define TULIP_CSR5_TU 0x00000004u
#define TULIP_CSR5_TJT 0x00000008u
#define TULIP_CSR5_UNF 0x00000020u
#define TULIP_CSR5_RI 0x00000040u
#define TULIP_CSR5_RU 0x00000080u
#define TULIP_CSR5_RPS 0x00000100u
#define TULIP_CSR5_RWT 0x00000200u
#define TULIP_CSR5_FBE 0x00002000u
#define TULIP_CSR5_AIS 0x00008000u
#define TULIP_CSR5_NIS 0x00010000u
#define TULIP_CSR5_W1C_MASK 0x0001FFFFu
#define TULIP_CSR5_RS_SHIFT 17
#define TULIP_CSR5_TS_SHIFT 20
#define TULIP_CSR5_STATE_MASK 0x00FE0000u /* TS | RS: 0 when both processes are stopped */
/* CSR6 operating mode */
#define TULIP_CSR6_SR 0x00000002u
#define TULIP_CSR6_PR 0x00000040u
#define TULIP_CSR6_FD 0x00000200u
#define TULIP_CSR6_ST 0x00002000u
#define TULIP_CSR6_PS 0x00040000u
#define TULIP_CSR6_HBD 0x00080000u
#define TULIP_CSR6_SF 0x00200000u
#define TULIP_CSR6_MBO 0x02000000u
/* CSR9 SROM / MII */
#define TULIP_CSR9_SR_CS 0x00000001u
#define TULIP_CSR9_SR_SK 0x00000002u
#define TULIP_CSR9_SR_DI 0x00000004u
#define TULIP_CSR9_SR_DO 0x00000008u
#define TULIP_CSR9_SR 0x00000800u
#define TULIP_CSR9_RD 0x00004000u
#define TULIP_CSR9_MDC 0x00010000u
#define TULIP_CSR9_MDO 0x00020000u
#define TULIP_CSR9_MII_READ 0x00040000u
#define TULIP_CSR9_MDI 0x00080000u

/* Descriptor bits */
#define TULIP_DES0_OWN 0x80000000u
#define TULIP_RDES0_ES 0x00008000u
#define TULIP_RDES0_FS 0x00000200u
#define TULIP_RDES0_LS 0x00000100u
#define TULIP_RDES1_RCH 0x01000000u
#define TULIP_RDES1_RER 0x02000000u
#define TULIP_TDES0_ES 0x00008000u
#define TULIP_TDES1_FT0 0x00400000u
#define TULIP_TDES1_TCH 0x01000000u
#define TULIP_TDES1_TER 0x02000000u
#define TULIP_TDES1_SET 0x08000000u
#define TULIP_TDES1_FT1 0x10000000u
#define TULIP_TDES1_FS 0x20000000u
#define TULIP_TDES1_LS 0x40000000u
#define TULIP_TDES1_IC 0x80000000u

#define TULIP_TX_RING 32
#define TULIP_RX_RING 64
#define TULIP_BUF_SIZE 1536u  /* per-descriptor buffer: a 1514-byte frame + 4 FCS fits */
#define TULIP_MAX_FRAME 1514u /* without FCS */
#define TULIP_SETUP_FRAME_LEN 192u

/* Error codes (negative return values) */
#define TULIP_OK 0
#define TULIP_ENODEV (-1)    /* no 21140/21143 on the PCI bus, or no I/O BAR */
#define TULIP_ETIMEOUT (-2)  /* reset, setup frame, TX ring or RX did not complete in time */
#define TULIP_EINVAL (-3)    /* bad length */
#define TULIP_EBADFRAME (-4) /* received frame with ES set or not in one descriptor (FS|LS) */

struct tulip_desc {
  volatile uint32_t status;  /* RDES0 / TDES0 */
  volatile uint32_t control; /* RDES1 / TDES1 */
  volatile uint32_t buf1;
  volatile uint32_t buf2; /* buffer 2, or the next descriptor in chain mode */
};

struct tulip_stats {
  uint32_t tx_frames, tx_errors; /* completed transmit descriptors (TDES0.ES counted as error) */
  uint64_t tx_bytes;
  uint32_t rx_frames, rx_errors; /* good frames; frames with ES or split over descriptors */
  uint64_t rx_bytes;
  uint32_t rx_missed;    /* CSR8 missed-frame counter, accumulated by tulip_read_missed() */
  uint32_t irq_events;   /* interrupts that found a CSR5 bit to acknowledge */
  uint32_t irq_none;     /* interrupts with nothing pending (shared line) */
  uint32_t irq_timeouts; /* waits that fell back to polling because no interrupt came */
  uint32_t tx_full_waits; /* tulip_send found the ring full */
  uint32_t rx_poll_demands; /* CSR2 writes after RX ran out of buffers */
  uint32_t csr5_seen;    /* OR of every CSR5 value the handler acknowledged */
};

struct tulip_config {
  int use_irq;             /* 1: interrupt-driven with polling fallback; 0: polling only */
  int init_irq_subsystem;  /* call irq_init() first (1 unless the caller already did) */
  int chain_mode;          /* 1: RCH/TCH chained descriptors instead of RER/TER rings */
  uint32_t tsc_mhz;        /* for the wait deadlines; 0 = assume 3000 */
};

struct tulip_nic {
  int found;
  uint8_t bus, dev, fn;
  uint16_t vendor, device;
  uint8_t revision;
  uint16_t iobase;
  uint8_t irq;       /* Interrupt Line */
  uint8_t use_irq;   /* handler installed and CSR7 enabled */
  uint8_t chain_mode;
  uint8_t mac[6];
  uint32_t csr0_reset, csr5_reset, csr6_reset; /* values read right after the software reset */
  /* SROM */
  uint16_t srom[256];
  int srom_addr_bits;   /* 6 (93C46) or 8 (93C66) */
  int srom_words;       /* 64 or 256 */
  int srom_crc;         /* 1 ok, 0 mismatch, -1 absent (word 63 is 0x0000 or 0xFFFF) */
  uint16_t srom_crc_stored, srom_crc_calc;
  int srom_mac_offset;  /* byte offset the MAC came from (20 new format, 0 legacy, 2 Matrox) */
  int mac_valid;        /* 0: the SROM MAC was all 0 / all FF / multicast */
  /* MII */
  int phy_addr;         /* -1: no PHY answered */
  uint16_t phy_bmcr, phy_bmsr, phy_id1, phy_id2;
  int link_up;          /* -1 unknown (no PHY), 0 down, 1 up */
  int full_duplex;
  uint32_t csr6;        /* operating mode written at start (without ST/SR) */
  uint32_t setup_status; /* TDES0 of the setup frame after the NIC released it */
  uint8_t irq_gave_up;   /* no interrupt ever arrived: switched to polling during the run */
  const char* fail_what; /* tulip_init failure: which step (0 if none) */
  uint32_t fail_csr;     /* and the register value that shows it */
};

/* Finds, resets and starts the NIC. Returns TULIP_OK or a negative TULIP_E* code; never hangs. */
int tulip_init(const struct tulip_config* cfg);
const struct tulip_nic* tulip_nic(void);
const struct tulip_stats* tulip_stats(void);

/* Queues one frame (len 14..1514, without FCS) and issues a TX poll demand. If the ring is full it
 * first waits (bounded) for completed descriptors. Returns TULIP_OK or a negative code. */
int tulip_send(const void* frame, uint32_t len);
/* Frees the descriptors the NIC has released; returns how many. */
int tulip_tx_reclaim(void);
/* Waits until every queued frame has been released by the NIC. */
int tulip_tx_flush(void);

/* One received frame, if any: copies it (without FCS) into buf (>= 1514 bytes) and returns its
 * length; 0 when nothing is pending; TULIP_EBADFRAME for a bad frame (consumed and counted). */
int tulip_poll_rx(void* buf);
/* Waits up to timeout_us for a frame (interrupt-woken, polling fallback), then as tulip_poll_rx;
 * TULIP_ETIMEOUT when none came. */
int tulip_wait_rx(void* buf, uint32_t timeout_us);
/* Received frames waiting in the RX ring (host-owned descriptors from the current one on), without
 * consuming them: 0 when nothing is pending, TULIP_RX_RING when the ring is full. */
unsigned tulip_rx_backlog(void);
/* Callback style: hands up to `max` pending frames to fn; returns the number of good frames. */
typedef void (*tulip_rx_fn)(const uint8_t* frame, uint32_t len, void* ctx);
int tulip_rx_dispatch(tulip_rx_fn fn, void* ctx, int max);

/* on = 1: interrupt-driven waits HLT instead of spinning (cheap idle under a simulator). Only if the
 * caller guarantees a periodic wakeup interrupt (e.g. the PIT), since the wait deadlines are checked
 * after each wakeup; without interrupts (polling mode) waits always spin. */
void tulip_set_idle_halt(int on);
/* Reads CSR8 (clears it) and adds its count to stats.rx_missed. */
uint32_t tulip_read_missed(void);
/* Stops TX and RX (CSR6 ST/SR clear) and waits for CSR5 TS/RS to read stopped. */
int tulip_stop(void);

const char* tulip_strerror(int err);

#endif
