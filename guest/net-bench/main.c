/* net-bench: functional check and measurement of the DEC 21140/21143 NIC (guest/drivers/tulip.c).
 *
 * Multiboot command line (space-separated key=value, all optional):
 *   mode=tx|rx|pingpong|all   default all
 *   size=N                    frame size for tx and pingpong; 0 (default) = tx at 60, 590 and 1514,
 *                             pingpong at 60
 *   count=N                   frames per tx size, rx frames to receive, pingpong round trips
 *                             (default 1000; pingpong at most 4096)
 *   irq=0|1                   0 = the driver polls (default 1: interrupt-driven, polling fallback)
 *   chain=0|1                 1 = chained descriptors (RCH/TCH) instead of rings (RER/TER)
 *   wait_ms=N                 how long rx and pingpong wait for the first frame from a peer, and
 *                             the rx idle gap that ends the stream (default 50; simulated time under
 *                             hvsim, where peers answer within microseconds)
 *   idle=spin|hlt             how interrupt-driven waits idle: spin (default) or HLT until the next
 *                             interrupt, with a 1 kHz PIT tick as the guaranteed wakeup (used only if
 *                             the tick is seen working and the NIC runs interrupt-driven)
 *
 * Frame size definition: `size` is the number of bytes handed to the NIC, destination MAC through
 * the last payload byte, WITHOUT the 4-byte FCS the NIC appends (60 = minimum Ethernet frame, 1514 =
 * maximum untagged one). Throughput counts these bytes: mbps = frames * size * 8 / time.
 *
 * Frame layout (shared with hvsim's generator and echo peers, and with tests/system/test_qemu_net.cpp):
 *   bytes 0-5   destination MAC: ff:ff:ff:ff:ff:ff (tx, pingpong)
 *   bytes 6-11  source MAC: the NIC's (from its SROM)
 *   bytes 12-13 EtherType 0x88B5 (big-endian)
 *   bytes 14-17 sequence number, 32-bit big-endian; each tx size starts at 0; pingpong uses
 *               0x80000000 + k, so reflections of tx frames can never pass for its replies
 *   byte 18 + i = (seq + i) & 0xFF for i = 0 .. size - 19
 * tx sends sizes 60, 590, 1514 in this order, `count` frames each, seq 0 .. count-1.
 * rx accepts frames of any size >= 18 with that EtherType; every byte after the sequence number must
 * follow the pattern (counted as bad otherwise); sequence numbers that never arrived (before the
 * first, between, and after the last frame received, up to count-1) are counted as lost (a NIC drops
 * frames that find no free descriptor: not a failure), so frames + lost = count when none was bad.
 * rx ends after `count` frames, at the frame with sequence number count-1 (the generator's last), or
 * after wait_ms without a frame; it passes if at least one frame came and none was bad. The number of frames is a platform measurement.
 * pingpong sends one frame, waits for a frame with the same EtherType and sequence number and an
 * intact payload (the echo peer may swap the MACs), and measures the RDTSC round trip.
 *
 * Without a peer (QEMU user networking) rx and pingpong print "skipped: no peer" after wait_ms and do
 * not count as failures. Lines `net-bench: ...` are the same on every correct platform; measurements
 * and device details are on `net-bench.platform: ...` lines. Exit status OK only if everything that
 * was attempted passed. The measurements lie between the hvsim ROI markers. */
#include "io.h"
#include "irq.h"
#include "measure.h"
#include "runtime.h"
#include "tulip.h"

#define ETHERTYPE_BENCH 0x88B5u
#define HDR_LEN 18u /* DA + SA + EtherType + sequence number */
#define MAX_PINGPONG 4096u
#define PINGPONG_REPLY_TIMEOUT_US 100000u /* once the peer has answered, each reply within 100 ms */
#define PINGPONG_SEQ_BASE 0x80000000u

enum { MODE_TX = 1, MODE_RX = 2, MODE_PINGPONG = 4, MODE_ALL = 7 };

static const uint32_t k_tx_sizes[3] = {60u, 590u, 1514u};

static uint8_t g_ramp[2048 + 256];  /* g_ramp[i] = i & 0xFF: payload for seq s starts at s & 0xFF */
static uint8_t g_frame[TULIP_BUF_SIZE];
static uint8_t g_rx[TULIP_BUF_SIZE];
static uint64_t g_lat[MAX_PINGPONG];
static uint32_t g_tsc_mhz; /* 0 = unknown */

/* ---- command line ---- */

struct options {
  int mode;
  uint32_t size, count, wait_ms;
  int irq, chain, idle_hlt;
};

static void parse_cmdline(const char* cmd, struct options* o) {
  const char* mode = cmdline_arg(cmd, "mode");
  o->mode = cmdline_word_is(mode, "tx")         ? MODE_TX
            : cmdline_word_is(mode, "rx")       ? MODE_RX
            : cmdline_word_is(mode, "pingpong") ? MODE_PINGPONG
                                                : MODE_ALL;
  o->size = cmdline_u32(cmd, "size", 0);
  o->count = cmdline_u32(cmd, "count", 1000);
  o->wait_ms = cmdline_u32(cmd, "wait_ms", 50);
  o->irq = cmdline_u32(cmd, "irq", 1) != 0;
  o->chain = cmdline_u32(cmd, "chain", 0) != 0;
  o->idle_hlt = cmdline_word_is(cmdline_arg(cmd, "idle"), "hlt");
}

/* ---- arithmetic and formatting ---- */

/* "x.yy" of num/den (den != 0, the quotient fits 32 bits after scaling by 100). */
static void fmt_ratio(char* buf, size_t n, uint64_t num, uint64_t den) {
  if (!den) {
    ksnprintf(buf, n, "-");
    return;
  }
  while (den > 0xFFFFFFFFu) {
    den >>= 1;
    num >>= 1;
  }
  uint64_t q100 = div64(num * 100u, (uint32_t)den);
  uint32_t rem;
  uint64_t q = udivmod64_32(q100, 100u, &rem);
  ksnprintf(buf, n, "%llu.%02u", (unsigned long long)q, rem);
}

static void fmt_exits(char* buf, size_t n, uint32_t e0, uint32_t e1, uint32_t packets) {
  if (e0 == 0xFFFFFFFFu || e1 == 0xFFFFFFFFu || !packets)
    ksnprintf(buf, n, "n/a");
  else
    fmt_ratio(buf, n, (uint32_t)(e1 - e0), packets);
}

/* pps and Mbit/s (frame bits without FCS) over `cycles`. */
static void fmt_rate(char* buf, size_t n, uint32_t frames, uint64_t bytes, uint64_t cycles) {
  if (!g_tsc_mhz || !cycles) {
    ksnprintf(buf, n, "pps=- mbps=-");
    return;
  }
  uint64_t ns = div64(cycles * 1000u, g_tsc_mhz);
  if (!ns) ns = 1;
  char pps[32], mbps[32];
  fmt_ratio(pps, sizeof(pps), (uint64_t)frames * 1000000000u, ns);
  fmt_ratio(mbps, sizeof(mbps), bytes * 8u * 1000u, ns); /* bits/us = Mbit/s */
  ksnprintf(buf, n, "pps=%s mbps=%s", pps, mbps);
}

/* ---- PIT tick: the wakeup that makes HLT in waits safe ---- */

#define PIT_HZ 1000u
static volatile uint32_t g_ticks;

static void pit_tick(unsigned irq, void* ctx) {
  (void)irq;
  (void)ctx;
  g_ticks++;
}

/* Channel 0, mode 2 (rate generator) at PIT_HZ on IRQ 0. Returns 1 if ticks arrive within 50 ms. */
static int pit_tick_start(void) {
  const uint32_t div = 1193182u / PIT_HZ;
  irq_register(0, pit_tick, 0);
  outb(0x43, 0x34);
  outb(0x40, (uint8_t)(div & 0xFF));
  outb(0x40, (uint8_t)(div >> 8));
  irq_enable(0);
  sti();
  uint64_t end = rdtsc() + 50000ull * (g_tsc_mhz ? g_tsc_mhz : 3000u);
  for (uint32_t i = 0; i < 200000000u && g_ticks < 3; ++i) {
    if (rdtsc() > end) break;
    pause();
  }
  if (g_ticks >= 3) return 1;
  irq_disable(0);
  irq_register(0, 0, 0);
  return 0;
}

static void pit_tick_stop(void) {
  irq_disable(0);
  irq_register(0, 0, 0);
}

/* ---- frames ---- */

static uint32_t build_frame(uint8_t* f, uint32_t seq, uint32_t size) {
  const uint8_t* mac = tulip_nic()->mac;
  memset(f, 0xFF, 6);
  memcpy(f + 6, mac, 6);
  f[12] = (uint8_t)(ETHERTYPE_BENCH >> 8);
  f[13] = (uint8_t)(ETHERTYPE_BENCH & 0xFF);
  f[14] = (uint8_t)(seq >> 24);
  f[15] = (uint8_t)(seq >> 16);
  f[16] = (uint8_t)(seq >> 8);
  f[17] = (uint8_t)seq;
  memcpy(f + HDR_LEN, g_ramp + (seq & 0xFF), size - HDR_LEN);
  return size;
}

static uint32_t frame_seq(const uint8_t* f) {
  return ((uint32_t)f[14] << 24) | ((uint32_t)f[15] << 16) | ((uint32_t)f[16] << 8) | f[17];
}

static int is_bench_frame(const uint8_t* f, uint32_t len) {
  return len >= HDR_LEN && f[12] == (uint8_t)(ETHERTYPE_BENCH >> 8) && f[13] == (uint8_t)(ETHERTYPE_BENCH & 0xFF);
}

static int payload_ok(const uint8_t* f, uint32_t len) {
  return memcmp(f + HDR_LEN, g_ramp + (frame_seq(f) & 0xFF), len - HDR_LEN) == 0;
}

/* ---- tx ---- */

static int bench_tx(uint32_t size, uint32_t count) {
  const struct tulip_stats* st = tulip_stats();
  uint32_t frames0 = st->tx_frames, err0 = st->tx_errors;
  uint32_t e0 = hvsim_exit_count();
  uint64_t t0 = rdtsc();
  for (uint32_t seq = 0; seq < count; ++seq) {
    build_frame(g_frame, seq, size);
    int r = tulip_send(g_frame, size);
    if (r != TULIP_OK) {
      kprintf("net-bench: tx %u: FAIL send seq=%u: %s\n", size, seq, tulip_strerror(r));
      return 0;
    }
  }
  int r = tulip_tx_flush();
  uint64_t t1 = rdtsc();
  uint32_t e1 = hvsim_exit_count();
  st = tulip_stats();
  uint32_t done = st->tx_frames - frames0, errs = st->tx_errors - err0;
  if (r != TULIP_OK) {
    kprintf("net-bench: tx %u: FAIL flush: %s (%u of %u completed)\n", size, tulip_strerror(r), done, count);
    return 0;
  }
  if (errs || done != count) {
    kprintf("net-bench: tx %u: FAIL completed=%u errors=%u\n", size, done, errs);
    return 0;
  }
  kprintf("net-bench: tx %u: ok frames=%u\n", size, count);
  char rate[80], ex[24];
  fmt_rate(rate, sizeof(rate), count, (uint64_t)count * size, t1 - t0);
  fmt_exits(ex, sizeof(ex), e0, e1, count);
  kprintf("net-bench.platform: tx %u frames=%u %s cycles_per_pkt=%llu exits_per_pkt=%s\n", size, count, rate,
          (unsigned long long)div64(t1 - t0, count), ex);
  return 1;
}

/* ---- rx from a generator peer ---- */

static int bench_rx(uint32_t count, uint32_t wait_ms) {
  uint32_t good = 0, bad = 0, other = 0, lost = 0, next_seq = 0;
  uint64_t bytes = 0, t_first = 0, t_last = 0;
  uint32_t e0 = 0, e1 = 0;
  unsigned backlog = 0; /* frames already waiting behind the first one taken */
  while (good + bad < count) {
    int r = tulip_wait_rx(g_rx, wait_ms * 1000u);
    if (r == TULIP_ETIMEOUT) break;
    uint64_t t = rdtsc();
    if (good + bad == 0 && r != 0) {
      t_first = t;
      e0 = hvsim_exit_count();
      backlog = tulip_rx_backlog();
    }
    if (r == TULIP_EBADFRAME) {
      ++bad;
      continue;
    }
    if (r <= 0) continue;
    uint32_t len = (uint32_t)r;
    if (!is_bench_frame(g_rx, len)) {
      ++other; /* somebody else's traffic (ARP, ...): not part of the stream */
      if (good + bad == 0) t_first = 0;
      continue;
    }
    if (!payload_ok(g_rx, len)) {
      ++bad;
    } else {
      uint32_t seq = frame_seq(g_rx);
      if (seq > next_seq) lost += seq - next_seq;
      next_seq = seq + 1;
      ++good;
      bytes += len;
      if (seq == count - 1) {
        t_last = t;
        e1 = hvsim_exit_count();
        break; /* the generator's last frame: the stream is over */
      }
    }
    t_last = t;
    e1 = hvsim_exit_count();
  }
  if (good + bad == 0) {
    kprintf("net-bench: rx: skipped: no peer (no frame within %u ms)\n", wait_ms);
    return 1;
  }
  if (next_seq < count) lost += count - next_seq; /* the stream's tail never came */
  tulip_read_missed();
  const struct tulip_stats* st = tulip_stats();
  int ok = bad == 0;
  if (ok)
    kprintf("net-bench: rx: ok\n");
  else
    kprintf("net-bench: rx: FAIL bad=%u\n", bad);
  char rate[80], ex[24];
  /* Rate over the intervals between the first and the last frame. */
  fmt_rate(rate, sizeof(rate), good > 1 ? good - 1 : 0, good > 1 ? bytes - bytes / good : 0, t_last - t_first);
  fmt_exits(ex, sizeof(ex), e0, e1, good > 1 ? good - 1 : 0);
  kprintf("net-bench.platform: rx frames=%u bad=%u lost=%u other=%u missed=%u %s exits_per_pkt=%s\n", good, bad, lost,
          other, st->rx_missed, rate, ex);
  /* The rate is timed from the guest's first take: frames that had queued up before it (the stream
   * started before the guest was waiting, or interrupt handling alone kept the CPU busy, as in
   * receive livelock) make the rate look higher than what the guest sustains. Say so. */
  if (backlog > 1)
    kprintf("net-bench.platform: note: rx found %u frames already waiting at its first take: the rate above "
            "overstates what the guest sustains\n",
            backlog + 1);
  return ok;
}

/* ---- ping-pong with an echo peer ---- */

/* Waits for the reflection of `seq`; other frames are skipped. 1 = got it intact, 0 = timeout,
 * -1 = the reflection was corrupted. */
static int wait_reply(uint32_t seq, uint32_t size, uint32_t timeout_us, uint32_t* skipped) {
  uint64_t end = rdtsc() + (uint64_t)timeout_us * (g_tsc_mhz ? g_tsc_mhz : 3000u);
  for (;;) {
    uint64_t now = rdtsc();
    if (now >= end) return 0;
    uint32_t left = (uint32_t)div64(end - now, g_tsc_mhz ? g_tsc_mhz : 3000u);
    int r = tulip_wait_rx(g_rx, left ? left : 1);
    if (r == TULIP_ETIMEOUT) return 0;
    if (r <= 0 || !is_bench_frame(g_rx, (uint32_t)r) || frame_seq(g_rx) != seq) {
      ++*skipped;
      continue;
    }
    return ((uint32_t)r == size && payload_ok(g_rx, size)) ? 1 : -1;
  }
}

static void discard_frame(const uint8_t* frame, uint32_t len, void* ctx) {
  (void)frame;
  (void)len;
  (void)ctx;
}

static int bench_pingpong(uint32_t size, uint32_t count, uint32_t wait_ms) {
  if (count > MAX_PINGPONG) count = MAX_PINGPONG;
  /* Frames still queued from earlier phases (an echo peer reflects the tx phase) are not replies. */
  uint32_t skipped = (uint32_t)tulip_rx_dispatch(discard_frame, 0, TULIP_RX_RING);
  uint32_t e0 = hvsim_exit_count();
  uint64_t sum = 0;
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t seq = PINGPONG_SEQ_BASE + k;
    build_frame(g_frame, seq, size);
    uint64_t t0 = rdtsc();
    int r = tulip_send(g_frame, size);
    if (r != TULIP_OK) {
      kprintf("net-bench: pingpong %u: FAIL send seq=%u: %s\n", size, seq, tulip_strerror(r));
      return 0;
    }
    int got = wait_reply(seq, size, k == 0 ? wait_ms * 1000u : PINGPONG_REPLY_TIMEOUT_US, &skipped);
    uint64_t t1 = rdtsc();
    tulip_tx_reclaim();
    if (got == 0 && k == 0) {
      kprintf("net-bench: pingpong %u: skipped: no peer (no reply within %u ms)\n", size, wait_ms);
      return 1;
    }
    if (got <= 0) {
      kprintf("net-bench: pingpong %u: FAIL seq=%u %s\n", size, seq, got ? "corrupted reply" : "no reply");
      return 0;
    }
    g_lat[k] = t1 - t0;
    sum += t1 - t0;
  }
  uint32_t e1 = hvsim_exit_count();
  kprintf("net-bench: pingpong %u: ok round_trips=%u\n", size, count);
  sort_u64(g_lat, count);
  uint64_t p50 = g_lat[(count - 1) / 2];
  uint64_t p99 = g_lat[div64((uint64_t)(count - 1) * 99u, 100u)];
  char ex[24];
  fmt_exits(ex, sizeof(ex), e0, e1, count * 2u); /* two packets per round trip */
  kprintf("net-bench.platform: pingpong %u round_trips=%u rtt_mean=%llu p50=%llu p99=%llu cycles", size, count,
          (unsigned long long)div64(sum, count), (unsigned long long)p50, (unsigned long long)p99);
  if (g_tsc_mhz) {
    char a[24], b[24];
    fmt_ratio(a, sizeof(a), p50, g_tsc_mhz);
    fmt_ratio(b, sizeof(b), p99, g_tsc_mhz);
    kprintf(" p50_us=%s p99_us=%s", a, b);
  }
  kprintf(" skipped=%u exits_per_pkt=%s\n", skipped, ex);
  return 1;
}

/* ---- main ---- */

static void report_nic(void) {
  const struct tulip_nic* n = tulip_nic();
  kprintf("net-bench.platform: nic %02x:%02x.%x %04x:%04x rev 0x%02x io 0x%x irq %u %s %s\n", n->bus, n->dev, n->fn,
          n->vendor, n->device, n->revision, n->iobase, n->irq, n->use_irq ? "interrupts" : "polling",
          n->chain_mode ? "chain" : "ring");
  kprintf("net-bench.platform: after reset csr0=0x%08x csr5=0x%08x csr6=0x%08x\n", n->csr0_reset, n->csr5_reset,
          n->csr6_reset);
  const char* crc = n->srom_crc == 1 ? "ok" : (n->srom_crc == 0 ? "mismatch" : "absent");
  kprintf("net-bench.platform: srom words=%d addr_bits=%d crc=%s stored=0x%04x calc=0x%04x mac_offset=%d\n",
          n->srom_words, n->srom_addr_bits, crc, n->srom_crc_stored, n->srom_crc_calc, n->srom_mac_offset);
  kprintf("net-bench.platform: mac %02x:%02x:%02x:%02x:%02x:%02x%s\n", n->mac[0], n->mac[1], n->mac[2], n->mac[3],
          n->mac[4], n->mac[5], n->mac_valid ? "" : " (SROM address unusable: fallback)");
  if (n->phy_addr >= 0)
    kprintf("net-bench.platform: mii phy %d id 0x%04x:0x%04x bmcr 0x%04x bmsr 0x%04x link %s %s-duplex\n",
            n->phy_addr, n->phy_id1, n->phy_id2, n->phy_bmcr, n->phy_bmsr, n->link_up ? "up" : "down",
            n->full_duplex ? "full" : "half");
  else
    kprintf("net-bench.platform: mii: no PHY answered at addresses 0-31: link state unknown, full-duplex assumed\n");
  kprintf("net-bench.platform: csr6 0x%08x setup tdes0=0x%08x\n", n->csr6, n->setup_status);
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  console_init();
  const char* cmd = (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
                        ? (const char*)(uintptr_t)mbi->cmdline
                        : "";
  struct options o;
  parse_cmdline(cmd, &o);
  kprintf("net-bench: start\n");
  if ((o.size && (o.size < 60 || o.size > TULIP_MAX_FRAME)) || o.count == 0) {
    kprintf("net-bench: bad parameters size=%u count=%u (size 60..1514 or 0, count >= 1): FAIL\n", o.size, o.count);
    return GUEST_EXIT_FAIL;
  }
  for (uint32_t i = 0; i < sizeof(g_ramp); ++i) g_ramp[i] = (uint8_t)i;
  g_tsc_mhz = tsc_mhz();
  kprintf("net-bench.platform: tsc %u MHz%s\n", g_tsc_mhz, g_tsc_mhz ? "" : " (unknown)");

  irq_init(); /* the driver's IRQ and the optional PIT tick share it */
  struct tulip_config cfg = {o.irq, 0, o.chain, g_tsc_mhz};
  int r = tulip_init(&cfg);
  if (r == TULIP_ENODEV) {
    kprintf("net-bench: nic: not found (PCI 1011:0009 / 1011:0019 with an I/O BAR): FAIL\n");
    return GUEST_EXIT_FAIL;
  }
  report_nic();
  if (r != TULIP_OK) {
    const struct tulip_nic* n = tulip_nic();
    if (n->fail_what) kprintf("net-bench.platform: init failed at %s: 0x%08x\n", n->fail_what, n->fail_csr);
    kprintf("net-bench: nic: init FAIL: %s\n", tulip_strerror(r));
    return GUEST_EXIT_FAIL;
  }
  kprintf("net-bench: nic: found\n");
  kprintf("net-bench: setup frame: ok\n");
  int halting = 0;
  if (o.idle_hlt) {
    if (!tulip_nic()->use_irq) {
      kprintf("net-bench.platform: idle=hlt ignored: the driver is polling\n");
    } else if (!pit_tick_start()) {
      kprintf("net-bench.platform: idle=hlt ignored: no PIT tick on IRQ 0\n");
    } else {
      tulip_set_idle_halt(1);
      halting = 1;
      kprintf("net-bench.platform: idle=hlt with a %u Hz PIT tick\n", PIT_HZ);
    }
  }

  int ok = 1;
  hvsim_roi_begin();
  if (o.mode & MODE_TX) {
    if (o.size)
      ok &= bench_tx(o.size, o.count);
    else
      for (int k = 0; k < 3; ++k) ok &= bench_tx(k_tx_sizes[k], o.count);
  }
  if (o.mode & MODE_RX) ok &= bench_rx(o.count, o.wait_ms);
  if (o.mode & MODE_PINGPONG) ok &= bench_pingpong(o.size ? o.size : 60u, o.count, o.wait_ms);
  hvsim_roi_end();
  if (halting) {
    tulip_set_idle_halt(0);
    pit_tick_stop();
  }

  r = tulip_tx_flush();
  if (r != TULIP_OK) {
    kprintf("net-bench: final tx flush: FAIL %s\n", tulip_strerror(r));
    ok = 0;
  }
  r = tulip_stop();
  if (r != TULIP_OK) {
    kprintf("net-bench: stop: FAIL %s (CSR5 TS/RS did not return to stopped)\n", tulip_strerror(r));
    ok = 0;
  } else {
    kprintf("net-bench: stop: ok\n");
  }
  tulip_read_missed();
  if (tulip_nic()->irq_gave_up)
    kprintf("net-bench.platform: irq %u: no interrupt arrived, the driver switched to polling\n", tulip_nic()->irq);
  const struct tulip_stats* st = tulip_stats();
  kprintf("net-bench.platform: stats tx=%u tx_err=%u rx=%u rx_err=%u missed=%u irq %u events=%u none=%u "
          "irq_timeouts=%u tx_full_waits=%u rx_poll_demands=%u csr5_seen=0x%08x\n",
          st->tx_frames, st->tx_errors, st->rx_frames, st->rx_errors, st->rx_missed, tulip_nic()->irq,
          st->irq_events, st->irq_none, st->irq_timeouts, st->tx_full_waits, st->rx_poll_demands, st->csr5_seen);
  kprintf("net-bench: done: %s\n", ok ? "ok" : "FAIL");
  return ok ? GUEST_EXIT_OK : GUEST_EXIT_FAIL;
}
