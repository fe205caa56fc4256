#include "models/ide/bus_master_dma.h"

#include <algorithm>

#include "models/core/log.h"
#include "models/ide/ata_disk.h"
#include "models/ide/ide_channel.h"
#include "models/ide/piix4_regs.h"

namespace hvsim {

using namespace piix4;
using sc_core::sc_time;

namespace {
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
using ull = unsigned long long;
}  // namespace

BusMasterDma::BusMasterDma(sc_core::sc_module_name name, IdeChannel& channel, MemoryPort& memory)
    : sc_module(name),
      prd_fetch_overhead(this, "prd_fetch_overhead", 0, "ps",
                         "engine time per PRD entry fetched, added to the memory path's delay for the 8-byte read "
                         "(A: assumption; the PIIX4 datasheet gives no figure, the fetch is one PCI burst)"),
      starts(this, "starts", "events", "SSBM 0->1 transitions (bus-master starts)"),
      prd_entries(this, "prd_entries", "entries", "PRD entries fetched and walked"),
      bytes_to_memory(this, "bytes_to_memory", "bytes", "bytes moved from the drive into memory (READ DMA)"),
      bytes_from_memory(this, "bytes_from_memory", "bytes", "bytes moved from memory to the drive (WRITE DMA)"),
      boundary_violations(this, "boundary_violations", "entries", "PRD regions crossing a 64 KiB boundary"),
      table_crossings(this, "table_crossings", "entries", "PRD entries fetched across a 64 KiB boundary of the table"),
      underruns(this, "underruns", "events", "PRD tables exhausted before the drive finished its transfer"),
      errors(this, "errors", "events", "transfers ended with BMISX.Error (bus master disabled, bus error)"),
      channel_(channel),
      memory_(memory),
      regs_(std::string(this->name()) + ".regs") {
  //                      name      offset   width reset policy      write mask
  bmicx_ = &regs_.add(   "BMICX",  kBmicx,  1,    0,    Access::RW, kBmicxStored);
  bmisx_ = &regs_.add(   "BMISX",  kBmisx,  1,    0,    Access::RW, 0xFF);
  bmidtp_ = &regs_.add(  "BMIDTP", kBmidtp, 4,    0,    Access::RW, kBmidtpMask);
  regs_.set_unmapped_fill(0x00);  // reserved bytes +1 and +3 read 0
  regs_.enable_stats(this, "regs");

  bmicx_->on_write([this](uint64_t o, uint64_t v) { command_written(static_cast<uint8_t>(o), static_cast<uint8_t>(v)); });
  bmisx_->on_write([this](uint64_t o, uint64_t v) {
    // QEMU's rule: drive-capable bits take the written value, Error/Int are W1C, Active and Simplex
    // are read-only.
    bmisx_->set((v & kBmisxRW) | (o & kBmisxActive) | (o & ~v & kBmisxW1C));
  });

  SC_THREAD(run);
  SC_METHOD(irq_method);  // runs once at start to pick up the drives' interrupt events
}

void BusMasterDma::command_written(uint8_t old_value, uint8_t new_value) {
  const bool was = old_value & kBmicxSsbm, now = new_value & kBmicxSsbm;
  if (was && now) {
    // RWCON is read-only while the engine runs (datasheet 5.2.1); SSBM 1 again is not a restart.
    if ((old_value ^ new_value) & kBmicxRwcon && warn_.allow())
      HVSIM_WARN(name(), "BMICX.RWCON changed while SSBM = 1: ignored");
    bmicx_->set((new_value & ~kBmicxRwcon) | (old_value & kBmicxRwcon));
    return;
  }
  if (!was && now) {
    ++starts;
    ++generation_;
    armed_ = true;
    prd_ = static_cast<uint32_t>(bmidtp_->get());
    bmisx_->set_bits(kBmisxActive);
    start_ev_.notify(sc_core::SC_ZERO_TIME);
  } else if (was && !now) {
    // Stop: all engine state is lost; a transfer in flight notices the new generation and ends
    // without completing the drive's command (the driver resets the drive if it was not done).
    ++generation_;
    stop_engine();
  }
}

void BusMasterDma::stop_engine() {
  armed_ = false;
  bmisx_->clear_bits(kBmisxActive);
}

void BusMasterDma::irq_method() {
  if (!irq_events_built_) {
    irq_events_built_ = true;
    for (unsigned u = 0; u < 2; ++u)
      if (AtaDisk* d = channel_.drive(u)) irq_events_ |= d->interrupt_event();
    if (irq_events_.size()) next_trigger(irq_events_);
    return;
  }
  bmisx_->set_bits(kBmisxInt);  // latched on the rising edge of the device interrupt, even with nIEN = 1
  next_trigger(irq_events_);
}

void BusMasterDma::run() {
  wake_ |= start_ev_;
  for (unsigned u = 0; u < 2; ++u)
    if (AtaDisk* d = channel_.drive(u)) wake_ |= d->dmarq_event();
  for (;;) {
    AtaDisk* d = channel_.selected_drive();
    if (armed_ && d && d->dmarq())
      transfer(*d);
    else
      wait(wake_);
  }
}

void BusMasterDma::fail(AtaDisk& disk, const char* why) {
  ++errors;
  if (warn_.allow()) HVSIM_WARN(name(), "bus-master transfer failed (%s): BMISX.Error, the command aborts", why);
  bmisx_->set_bits(kBmisxError);
  stop_engine();
  disk.dma_complete(false);
}

// One start: walks the table from BMIDTP until the drive has all its data (then completes the drive's
// command), the table ends first (underrun) or SSBM is cleared. Per entry, the data moves at the start
// of the entry and the engine then waits out the entry's time, a sequential sum of
// prd_fetch_overhead + the memory path's delay for the PRD fetch + the memory path's delay for the
// data + the drive's interface time for the bytes (the transfers of one entry do not overlap).
void BusMasterDma::transfer(AtaDisk& disk) {
  const uint64_t gen = generation_;
  const bool to_memory = disk.dma_to_memory();
  if (to_memory != static_cast<bool>(command() & kBmicxRwcon) && warn_.allow())
    HVSIM_WARN(name(), "BMICX.RWCON = %d but the drive's command %s memory: following the drive (as QEMU)",
               (command() & kBmicxRwcon) ? 1 : 0, to_memory ? "writes" : "reads");
  const uint32_t table = prd_;
  for (;;) {
    sc_time t = sc_time(static_cast<double>(prd_fetch_overhead.get()), sc_core::SC_PS);
    if ((prd_ & ~(kPrdBoundary - 1)) != (table & ~(kPrdBoundary - 1))) {
      ++table_crossings;
      if (warn_.allow())
        HVSIM_WARN(name(), "PRD table at 0x%x runs across a 64 KiB boundary (entry at 0x%x): continuing linearly",
                   table, prd_);
    }
    uint8_t entry[kPrdSize];
    if (!memory_.bm_read(prd_, entry, kPrdSize, t)) return fail(disk, "PRD fetch");
    ++prd_entries;
    prd_ += kPrdSize;
    const uint32_t addr = le32(entry) & kPrdAddrMask;
    const uint32_t flags = le32(entry + 4);
    const uint32_t len = (flags & kPrdCountMask) ? (flags & kPrdCountMask) : kPrdCountZero;
    const bool eot = flags & kPrdEot;
    if ((addr & (kPrdBoundary - 1)) + len > kPrdBoundary) {
      // The datasheet forbids it; QEMU transfers the region as given, and so does the model.
      ++boundary_violations;
      if (warn_.allow())
        HVSIM_WARN(name(), "PRD region 0x%x + %u crosses a 64 KiB boundary: transferred as given", addr, len);
    }

    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(len, disk.dma_bytes_left()));
    buf_.resize(n);
    uint32_t moved;
    if (to_memory) {
      moved = disk.dma_transfer(buf_.data(), n, true);
      if (!memory_.bm_write(addr, buf_.data(), moved, t)) return fail(disk, "memory write");
      bytes_to_memory += moved;
    } else {
      if (!memory_.bm_read(addr, buf_.data(), n, t)) return fail(disk, "memory read");
      moved = disk.dma_transfer(buf_.data(), n, false);
      bytes_from_memory += moved;
    }
    if (moved != n) return fail(disk, "the drive stopped taking data");
    t += disk.dma_interface_time(moved);
    wait(t);

    if (gen != generation_) return;  // SSBM cleared (or cleared and set again) during the entry
    if (!disk.dma_pending()) {       // the drive was reset under the engine
      stop_engine();
      return;
    }
    if (disk.dma_bytes_left() == 0) {
      // Active clears only if the table ended exactly with the data; a longer table leaves it set
      // (Active 1 + Int 1 is legal, devices.md 2.4). Either way this start is over.
      const bool active = !(eot && n == len);
      stop_engine();
      if (active) bmisx_->set_bits(kBmisxActive);
      disk.dma_complete(true);  // the drive interrupts (at once for reads, after the media time for writes)
      return;
    }
    if (eot) {
      // Table exhausted first: Active clears, no interrupt, the drive keeps waiting with DMARQ; the
      // driver must stop the engine and reset the drive (devices.md 2.4, Active 0 / Int 0).
      ++underruns;
      if (warn_.allow())
        HVSIM_WARN(name(), "PRD table exhausted with %llu bytes of the transfer left", static_cast<ull>(disk.dma_bytes_left()));
      stop_engine();
      return;
    }
  }
}

}  // namespace hvsim
