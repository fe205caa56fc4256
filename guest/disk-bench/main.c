/* disk-bench: functional check and measurement of the first ATA disk (guest/drivers/ata.c).
 *
 * 1. Verify: for PIO and for DMA, and request sizes 512 B, 4 KiB, 64 KiB, 128 KiB, 256 KiB, write a known
 *    pattern, read it back with the same mode, compare. Lines `disk-bench: verify <mode> <size>: ok`
 *    with mode pio, dma (interrupt-driven), then pio-poll, dma-poll (the driver's polling path, same
 *    LBAs and data).
 * 2. Measure (between the hvsim ROI markers; skipped with the command line `measure=0`): sequential and random write and read at the same sizes,
 *    PIO and DMA, each request timed with RDTSC. Lines `disk-bench.platform: ...`.
 *
 * Disk layout (the host test tests/system/test_qemu_disk.cpp recomputes it; keep both in sync):
 *   sector data: 128 little-endian u32 words, x = lba * 0x9E3779B1 ^ seed * 0x85EBCA77 ^ 0x6A09E667
 *   (1 if that is 0), then per word x = xorshift32(13, 17, 5)(x), word = x.
 *   PIO verify: LBA 2048 + {0, 8, 16, 144, 400} for the sizes 512/4K/64K/128K/256K, seed 0x50494F00
 *   DMA verify: LBA 3072 + {0, 8, 16, 144, 400}, seed 0x444D4100
 *   (256 KiB = one READ/WRITE [DMA] EXT command of 512 sectors; only if the disk has LBA48)
 *   benchmark writes: LBA 8192 .. 8192 + 4096 (2 MiB), seed 0x42454E43, every sector written
 *   (each sequential write pass covers [8192, 8192 + total/512), the 128 KiB pass all 4096 sectors).
 *   Everything else stays untouched (zero on a fresh image). Needs a disk of at least 12288 sectors. */
#include "ata.h"
#include "io.h"
#include "irq.h"
#include "measure.h"
#include "runtime.h"

#define SEED_PIO 0x50494F00u
#define SEED_DMA 0x444D4100u
#define SEED_BENCH 0x42454E43u
#define VERIFY_BASE_PIO 2048u
#define VERIFY_BASE_DMA 3072u
#define BENCH_BASE 8192u
#define BENCH_SECTORS 4096u
#define MIN_SECTORS 12288u
#define MAX_REQS 1024u

/* Request sizes of the measurements; verify adds 256 KiB (512 sectors: an LBA48 EXT command). */
static const uint32_t k_sizes[5] = {512u, 4096u, 65536u, 131072u, 262144u};
static const uint32_t k_verify_off[5] = {0u, 8u, 16u, 144u, 400u};

static uint8_t g_wbuf[262144] __attribute__((aligned(4096)));
static uint8_t g_rbuf[262144] __attribute__((aligned(4096)));
static uint64_t g_lat[MAX_REQS];
static uint32_t g_tsc_mhz; /* 0 = unknown */

static void fill_sector(uint32_t* w, uint32_t lba, uint32_t seed) {
  uint32_t x = lba * 0x9E3779B1u ^ seed * 0x85EBCA77u ^ 0x6A09E667u;
  if (!x) x = 1;
  for (int i = 0; i < 128; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    w[i] = x;
  }
}

static void fill(uint8_t* buf, uint32_t lba, uint32_t sectors, uint32_t seed) {
  for (uint32_t i = 0; i < sectors; ++i) fill_sector((uint32_t*)(buf + i * 512u), lba + i, seed);
}

static uint32_t xorshift(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static int do_io(struct ata_drive* d, int dma, int write, uint32_t lba, uint32_t n, uint8_t* buf) {
  if (dma) return write ? ata_dma_write(d, lba, n, buf) : ata_dma_read(d, lba, n, buf);
  return write ? ata_pio_write(d, lba, n, buf) : ata_pio_read(d, lba, n, buf);
}

static void report_err(const char* what, struct ata_drive* d, int r) {
  kprintf("disk-bench.platform: %s: %s status=0x%02x error=0x%02x bmstatus=0x%02x lba=%u\n", what,
          ata_strerror(r), d->status, d->error, d->bmstatus, d->fail_lba);
}

static int verify(struct ata_drive* d, int dma, int polling) {
  const char* mode = dma ? (polling ? "dma-poll" : "dma") : (polling ? "pio-poll" : "pio");
  int ok = 1;
  for (int k = 0; k < 5; ++k) {
    if (k == 4 && !d->lba48) continue; /* more than 256 sectors in one command needs LBA48 */
    uint32_t n = k_sizes[k] / 512u;
    uint32_t lba = (dma ? VERIFY_BASE_DMA : VERIFY_BASE_PIO) + k_verify_off[k];
    fill(g_wbuf, lba, n, dma ? SEED_DMA : SEED_PIO);
    memset(g_rbuf, 0, k_sizes[k]);
    int r = do_io(d, dma, 1, lba, n, g_wbuf);
    if (r != ATA_OK) {
      kprintf("disk-bench: verify %s %u: FAIL lba=%u write %s\n", mode, k_sizes[k], lba, ata_strerror(r));
      report_err("write", d, r);
      ok = 0;
      continue;
    }
    r = do_io(d, dma, 0, lba, n, g_rbuf);
    if (r != ATA_OK) {
      kprintf("disk-bench: verify %s %u: FAIL lba=%u read %s\n", mode, k_sizes[k], lba, ata_strerror(r));
      report_err("read", d, r);
      ok = 0;
      continue;
    }
    uint32_t bad = n;
    for (uint32_t i = 0; i < n; ++i)
      if (memcmp(g_wbuf + i * 512u, g_rbuf + i * 512u, 512) != 0) {
        bad = i;
        break;
      }
    if (bad == n) {
      kprintf("disk-bench: verify %s %u: ok\n", mode, k_sizes[k]);
    } else {
      kprintf("disk-bench: verify %s %u: FAIL lba=%u mismatch\n", mode, k_sizes[k], lba + bad);
      ok = 0;
    }
  }
  return ok;
}

/* One measurement point. Returns 1 on success. */
static int measure(struct ata_drive* d, int dma, int random, int write, uint32_t size) {
  uint32_t n = size / 512u;
  uint32_t total = size * 16u > 524288u ? size * 16u : 524288u;
  uint32_t reqs = total / size;
  uint32_t slots = reqs; /* request-sized slots in [BENCH_BASE, BENCH_BASE + total / 512) */
  uint32_t rng = 0x2545F491u ^ size ^ ((uint32_t)random << 8) ^ ((uint32_t)write << 9) ^ ((uint32_t)dma << 10);
  uint64_t sum = 0;
  uint32_t exits0 = hvsim_exit_count(); /* filling buffers takes no exit: the delta is the I/O's */
  for (uint32_t i = 0; i < reqs; ++i) {
    uint32_t slot = random ? xorshift(&rng) % slots : i;
    uint32_t lba = BENCH_BASE + slot * n;
    if (write) fill(g_wbuf, lba, n, SEED_BENCH);
    uint64_t t0 = rdtsc();
    int r = do_io(d, dma, write, lba, n, write ? g_wbuf : g_rbuf);
    uint64_t t1 = rdtsc();
    if (r != ATA_OK) {
      kprintf("disk-bench: measure %s %s %s %u: FAIL lba=%u %s\n", dma ? "dma" : "pio", random ? "rand" : "seq",
              write ? "write" : "read", size, lba, ata_strerror(r));
      report_err("measure", d, r);
      return 0;
    }
    g_lat[i] = t1 - t0;
    sum += t1 - t0;
  }
  uint32_t exits1 = hvsim_exit_count();
  sort_u64(g_lat, reqs);
  uint64_t mean = div64(sum, reqs);
  uint64_t p50 = g_lat[(reqs - 1) / 2];
  uint64_t p99 = g_lat[div64((uint64_t)(reqs - 1) * 99u, 100u)];
  char rate[96];
  if (g_tsc_mhz) {
    uint64_t us = div64(sum, g_tsc_mhz);
    if (!us) us = 1;
    uint64_t iops = div64((uint64_t)reqs * 1000000u, (uint32_t)us);
    uint64_t mbps100 = div64((uint64_t)total * 100u, (uint32_t)us); /* bytes/us = MB/s */
    uint32_t rem;
    uint64_t mbps_int = udivmod64_32(mbps100, 100u, &rem);
    ksnprintf(rate, sizeof(rate), "iops=%llu mbps=%llu.%02u", (unsigned long long)iops,
              (unsigned long long)mbps_int, rem);
  } else {
    ksnprintf(rate, sizeof(rate), "iops=- mbps=-");
  }
  kprintf("disk-bench.platform: %s %s %s %u %s lat_mean=%llu p50=%llu p99=%llu cycles_per_req=%llu reqs=%u",
          dma ? "dma" : "pio", random ? "rand" : "seq", write ? "write" : "read", size, rate,
          (unsigned long long)mean, (unsigned long long)p50, (unsigned long long)p99, (unsigned long long)mean,
          reqs);
  if (g_tsc_mhz)
    kprintf(" lat_mean_us=%llu p50_us=%llu p99_us=%llu", (unsigned long long)div64(mean, g_tsc_mhz),
            (unsigned long long)div64(p50, g_tsc_mhz), (unsigned long long)div64(p99, g_tsc_mhz));
  if (exits0 != 0xFFFFFFFFu) {
    uint32_t rem, per100 = (uint32_t)div64((uint64_t)(exits1 - exits0) * 100u, reqs);
    uint32_t whole = (uint32_t)udivmod64_32(per100, 100u, &rem);
    kprintf(" exits_per_req=%u.%02u", whole, rem);
  } else {
    kprintf(" exits_per_req=n/a");
  }
  kprintf("\n");
  return 1;
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  console_init();
  const char* cmd = (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
                        ? (const char*)(uintptr_t)mbi->cmdline
                        : "";
  /* measure=0: verify only (functional tests); verify=0: measure only (host-speed benchmarks);
   * mode=pio|dma and size=N restrict the measurement points. */
  const int do_measure = cmdline_u32(cmd, "measure", 1) != 0;
  const int do_verify = cmdline_u32(cmd, "verify", 1) != 0;
  const char* only_mode = cmdline_arg(cmd, "mode");
  const uint32_t only_size = cmdline_u32(cmd, "size", 0);
  kprintf("disk-bench: start\n");
  int ndrives = ata_init(1, 1);
  const struct ata_controller* c = ata_controller();
  if (!c->found) {
    kprintf("disk-bench: no IDE controller: FAIL\n");
    return GUEST_EXIT_FAIL;
  }
  kprintf("disk-bench.platform: controller %02x:%02x.%x %04x:%04x prog-if 0x%02x bmiba 0x%x\n", c->bus, c->dev,
          c->fn, c->vendor, c->device, c->prog_if, c->bmiba);
  for (int ci = 0; ci < 2; ++ci) {
    const struct ata_channel* ch = &c->channel[ci];
    kprintf("disk-bench.platform: channel %d cmd 0x%x ctl 0x%x bm 0x%x irq %u%s%s\n", ci, ch->cmd, ch->ctl, ch->bm,
            ch->irq, ch->native ? " native" : " legacy", ch->polling ? " polling" : "");
  }
  for (int i = 0; i < ndrives; ++i) {
    struct ata_drive* d = ata_drive_at(i);
    kprintf("disk-bench.platform: drive %d ch%u.%u model \"%s\" sectors %llu lba48 %u pio %u udma %d (mask 0x%02x) "
            "mwdma %d (mask 0x%02x) multiple %u\n",
            i, d->ch->index, d->devno, d->model, (unsigned long long)d->sectors, d->lba48, d->pio_mode, d->udma_mode,
            d->udma_mask, d->mwdma_mode, d->mwdma_mask, d->multiple);
  }
  if (ndrives == 0) {
    kprintf("disk-bench: no ATA disk: FAIL\n");
    return GUEST_EXIT_FAIL;
  }
  struct ata_drive* d = ata_drive_at(0);
  kprintf("disk-bench: disk: found\n");
  if (d->sectors < MIN_SECTORS) {
    kprintf("disk-bench: disk too small (%u sectors needed): FAIL\n", MIN_SECTORS);
    return GUEST_EXIT_FAIL;
  }
  kprintf("disk-bench: dma: %s\n", d->dma ? "available" : "unavailable");
  g_tsc_mhz = tsc_mhz();
  kprintf("disk-bench.platform: tsc %u MHz%s\n", g_tsc_mhz, g_tsc_mhz ? "" : " (unknown)");

  /* Interrupt-driven, then the polling path (same LBAs and data, so the image does not depend on it). */
  int ok = 1;
  if (do_verify) {
    ok &= verify(d, 0, 0);
    if (d->dma) ok &= verify(d, 1, 0);
    ata_set_polling(d, 1);
    ok &= verify(d, 0, 1);
    if (d->dma) ok &= verify(d, 1, 1);
    ata_set_polling(d, 0);
  }

  hvsim_roi_begin();
  for (int dma = 0; do_measure && dma <= (d->dma ? 1 : 0); ++dma)
    for (int k = 0; k < 4; ++k) {
      if ((only_mode && !cmdline_word_is(only_mode, dma ? "dma" : "pio")) || (only_size && only_size != k_sizes[k]))
        continue;
      ok &= measure(d, dma, 0, 1, k_sizes[k]);
      ok &= measure(d, dma, 1, 1, k_sizes[k]);
      ok &= measure(d, dma, 0, 0, k_sizes[k]);
      ok &= measure(d, dma, 1, 0, k_sizes[k]);
    }
  hvsim_roi_end();

  int r = ata_flush(d);
  if (r != ATA_OK) {
    kprintf("disk-bench: flush: FAIL %s\n", ata_strerror(r));
    report_err("flush", d, r);
    ok = 0;
  } else {
    kprintf("disk-bench: flush: ok\n");
  }
  const struct ata_channel* ch = d->ch;
  kprintf("disk-bench.platform: irq %u events %u handled %u irq_timeouts %u\n", ch->irq, ch->irq_events,
          irq_count(ch->irq), ch->irq_timeouts);
  kprintf("disk-bench: done: %s\n", ok ? "ok" : "FAIL");
  return ok ? GUEST_EXIT_OK : GUEST_EXIT_FAIL;
}
