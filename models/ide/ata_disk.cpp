#include "models/ide/ata_disk.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

using namespace ata;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {
const char* reg_name(unsigned reg, bool read) {
  static const char* kRead[] = {"data", "error", "count", "lba_low", "lba_mid", "lba_high", "device", "status", "alt_status"};
  static const char* kWrite[] = {"data", "features", "count", "lba_low", "lba_mid", "lba_high", "device", "command", "control"};
  return reg < kNumRegs ? (read ? kRead : kWrite)[reg] : "?";
}

// P1 (shared/specs/calibration.md): PIO 0-4 cycle time per 16-bit word.
constexpr double kPioCycleNs[] = {600, 383, 240, 180, 120};
// P2 / P3: MWDMA 0-2 and UDMA 0-5 interface rates in MB/s (10^6 bytes/s).
constexpr double kMwdmaMBs[] = {4.2, 13.3, 16.7};
constexpr double kUdmaMBs[] = {16.7, 25.0, 33.3, 44.4, 66.7, 100.0};

void put_string(std::array<uint16_t, kIdWords>& id, unsigned word, unsigned chars, const std::string& s) {
  for (unsigned i = 0; i < chars; i += 2) {
    const uint8_t hi = i < s.size() ? static_cast<uint8_t>(s[i]) : ' ';
    const uint8_t lo = i + 1 < s.size() ? static_cast<uint8_t>(s[i + 1]) : ' ';
    id[word + i / 2] = static_cast<uint16_t>(hi << 8 | lo);  // first character in the high byte
  }
}
}  // namespace

AtaDisk::AtaDisk(sc_core::sc_module_name name, BlockBackend* backend, Position pos)
    : sc_module(name),
      channel("channel"),
      intrq("intrq"),
      model(this, "model", "HVSIM HARDDISK", "", "IDENTIFY model string (words 27-46, 40 characters)"),
      serial(this, "serial", "HVSIM0001", "", "IDENTIFY serial number (words 10-19, 20 characters)"),
      firmware(this, "firmware", "1.0", "", "IDENTIFY firmware revision (words 23-26, 8 characters)"),
      multiple_max(this, "multiple_max", 16, "sectors",
                   "largest READ/WRITE MULTIPLE block (IDENTIFY word 47; 16 as QEMU; 0 = MULTIPLE unsupported)"),
      access_latency(this, "access_latency", 0, "ps",
                     "added to every task-file access; 0 because the exit cost model charges device emulation"),
      command_latency(this, "command_latency", 50'000'000, "ps",
                      "per media command (read/write/verify/flush) before data moves: 50 us, an SSD-like "
                      "command overhead (assumption, not calibrated)"),
      media_bandwidth(this, "media_bandwidth", 200e6, "bytes/s",
                      "media transfer rate: 200 MB/s, an SSD-like device behind a PATA link (assumption; "
                      "the link itself is P1-P3 of specs/calibration.md)"),
      seek_time(this, "seek_time", 0, "ps",
                "average seek over random LBA pairs; 0 for an SSD, e.g. 8.5 ms for a 7200 rpm desktop HDD "
                "(assumption, datasheet-typical)"),
      track_to_track_seek(this, "track_to_track_seek", 0, "ps",
                          "seek to an adjacent track, the short end of the square-root seek curve "
                          "(Ruemmler & Wilkes 1994); e.g. 0.8 ms for an HDD (assumption)"),
      rpm(this, "rpm", 0, "rev/min",
          "spindle speed: a seek adds the average rotational latency (half a revolution); 0 = SSD"),
      reset_time(this, "reset_time", 10'000'000, "ps",
                 "SRST release -> signature and BSY clear: 10 us (QEMU is immediate; real drives take up to 31 s)"),
      nondata_latency(this, "nondata_latency", 2'000'000, "ps",
                      "BSY time of a command that does not touch the media (IDENTIFY, SET FEATURES, ...): 2 us "
                      "(assumption)"),
      commands(this, "commands", "events", "commands accepted (written while selected and not BSY)"),
      sectors_read(this, "sectors_read", "sectors", "sectors read from the backend"),
      sectors_written(this, "sectors_written", "sectors", "sectors written to the backend"),
      errors(this, "errors", "events", "commands ended with ERR"),
      interrupts(this, "interrupts", "events", "interrupts raised (pending set)"),
      flushes(this, "flushes", "events", "FLUSH CACHE commands passed to the backend"),
      unselected_reads(this, "unselected_reads", "events", "task-file reads while the other drive was selected"),
      seeks(this, "seeks", "events", "media accesses that did not continue where the previous one ended"),
      backend_(backend),
      pos_(pos),
      irq_driver_(intrq) {
  if (track_to_track_seek.get() > seek_time.get())
    throw ConfigError(track_to_track_seek.name() + ": " + std::to_string(track_to_track_seek.get()) +
                      " ps is longer than " + seek_time.name() + " (" + std::to_string(seek_time.get()) + " ps)");
  channel.register_b_transport(this, &AtaDisk::b_transport);
  SC_HAS_PROCESS(AtaDisk);
  SC_METHOD(op_method);
  sensitive << op_ev_;
  dont_initialize();
  set_signature();
  error_ = kDiagPassed;
  status_ = kStatusReady;
}

// ---- Timing ---------------------------------------------------------------------------------------

sc_time AtaDisk::pio_word_time() const {
  return sc_time(kPioCycleNs[std::clamp(pio_mode_, 0, 4)], sc_core::SC_NS);
}

sc_time AtaDisk::dma_interface_time(uint64_t bytes) const {
  const double mbs = udma_mode_ >= 0 ? kUdmaMBs[udma_mode_] : kMwdmaMBs[std::max(mwdma_mode_, 0)];
  return sc_time(static_cast<double>(bytes) / mbs * 1e6, sc_core::SC_PS);  // bytes / (MB/s) = us
}

sc_time AtaDisk::media_time(uint64_t sectors) const {
  const double bw = media_bandwidth.get() > 0 ? media_bandwidth.get() : 1e12;
  return sc_time(static_cast<double>(sectors * kSectorSize) / bw * 1e12, sc_core::SC_PS);
}

sc_time AtaDisk::positioning_time(uint64_t lba, uint32_t sectors) {
  const uint64_t from = head_lba_;
  head_lba_ = lba + sectors;
  if (lba == from) return SC_ZERO_TIME;  // streaming on: the next sector is the one under the head
  ++seeks;
  sc_time t = SC_ZERO_TIME;
  if (seek_time.get()) {
    // Square-root seek curve over the stroke fraction f, scaled so that its mean over uniformly
    // random LBA pairs (f has density 2(1-f), E[sqrt f] = 8/15) is seek_time: full stroke is
    // t2t + 15/8 (avg - t2t), e.g. 15.2 ms for 8.5 / 0.8 ms.
    const uint64_t n = backend_ && backend_->sectors() ? backend_->sectors() : 1;
    const double f = static_cast<double>(lba > from ? lba - from : from - lba) / static_cast<double>(n);
    const double t2t = static_cast<double>(track_to_track_seek.get());
    const double avg = static_cast<double>(seek_time.get());
    t += sc_time(t2t + (avg - t2t) * std::sqrt(std::min(f, 1.0)) * 15.0 / 8.0, sc_core::SC_PS);
  }
  if (rpm.get()) t += sc_time(30.0 / static_cast<double>(rpm.get()), sc_core::SC_SEC);  // half a revolution
  return t;
}

sc_time AtaDisk::command_start_time(uint64_t lba, uint32_t sectors) {
  return ps(command_latency) + positioning_time(lba, sectors);
}

sc_time AtaDisk::access_time(uint64_t lba, uint32_t sectors) {
  return command_start_time(lba, sectors) + media_time(sectors);
}

void AtaDisk::schedule(Next next, const sc_time& after) {
  next_ = next;
  phase_ = phase_ == Phase::kReset ? Phase::kReset : Phase::kBusy;
  status_ = kStatusBsy | (status_ & kStatusDrdy) | kStatusDsc;
  op_ev_.cancel();
  op_ev_.notify(after);
}

// ---- Interrupts -----------------------------------------------------------------------------------

void AtaDisk::update_irq() { irq_driver_.set(irq_pending_ && !(control_ & kCtlNien)); }

void AtaDisk::raise_irq() {
  if (!irq_pending_) interrupt_ev_.notify();  // immediate: BMISX.Int is set before INTRQ reaches the line
  irq_pending_ = true;
  ++interrupts;
  update_irq();
}

// ---- Channel access -------------------------------------------------------------------------------

void AtaDisk::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  delay += ps(access_latency);
  const uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (!trans.is_read() && !trans.is_write()) return;
  if (addr == kRegData) {
    if (len != 1 && len != 2 && len != 4) {
      trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      return;
    }
    if (!selected()) {
      if (trans.is_read()) {
        std::memset(data, 0, len);
        ++unselected_reads;
      }
      return;
    }
    delay += pio_word_time() * static_cast<double>((len + 1) / 2);
    if (trans.is_read())
      data_read(data, len, delay);
    else
      data_write(data, len, delay);
    return;
  }
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t reg = addr + i;
    if (reg >= kNumRegs) {
      if (trans.is_read()) data[i] = 0xFF;
      if (warn_.allow())
        HVSIM_WARN(name(), "access to channel address %llu: not a task-file register", static_cast<unsigned long long>(reg));
      continue;
    }
    if (trans.is_read())
      data[i] = read_reg(static_cast<unsigned>(reg));
    else
      write_reg(static_cast<unsigned>(reg), data[i], delay);
  }
}

uint8_t AtaDisk::read_reg(unsigned reg) {
  if (!selected()) {
    ++unselected_reads;
    return 0x00;
  }
  const unsigned h = (control_ & kCtlHob) ? 1 : 0;
  switch (reg) {
    case kRegError: return error_;
    case kRegCount: return count_[h];
    case kRegLbaLow: return lba_low_[h];
    case kRegLbaMid: return lba_mid_[h];
    case kRegLbaHigh: return lba_high_[h];
    case kRegDevice: return device_;
    case kRegStatus:
      if (irq_pending_) {
        irq_pending_ = false;
        update_irq();
      }
      return status_;
    case kRegControl: return status_;  // alternate status: does not touch INTRQ
    default: return 0xFF;
  }
}

void AtaDisk::write_reg(unsigned reg, uint8_t v, const sc_time& delay) {
  if (reg == kRegControl) {
    write_control(v);
    return;
  }
  if (status_ & kStatusBsy) {  // the device owns the task file while BSY (ATA: writes are ignored)
    if (warn_.allow())
      HVSIM_WARN(name(), "%s = 0x%02x written while BSY: ignored", reg_name(reg, false), v);
    return;
  }
  control_ &= static_cast<uint8_t>(~kCtlHob);  // a command-block write clears HOB
  auto push = [v](std::array<uint8_t, 2>& r) {
    r[1] = r[0];
    r[0] = v;
  };
  switch (reg) {
    case kRegFeatures: push(features_); break;
    case kRegCount: push(count_); break;
    case kRegLbaLow: push(lba_low_); break;
    case kRegLbaMid: push(lba_mid_); break;
    case kRegLbaHigh: push(lba_high_); break;
    case kRegDevice: device_ = v; break;
    case kRegCommand:
      if (selected()) execute(v, delay);
      break;
    default: break;
  }
}

void AtaDisk::write_control(uint8_t v) {
  const uint8_t old = control_;
  control_ = v;
  if ((v & kCtlSrst) && !(old & kCtlSrst)) {  // reset asserted: abort everything, BSY
    op_ev_.cancel();
    next_ = Next::kNone;
    phase_ = Phase::kReset;
    status_ = kStatusBsy;
    irq_pending_ = false;
    dma_total_ = dma_done_ = 0;
    dma_data_.clear();
    buf_pos_ = buf_len_ = 0;
  } else if (!(v & kCtlSrst) && (old & kCtlSrst)) {  // released: signature after reset_time
    phase_ = Phase::kReset;
    next_ = Next::kResetDone;
    op_ev_.cancel();
    op_ev_.notify(ps(reset_time));
  }
  update_irq();
}

// ---- PIO data -------------------------------------------------------------------------------------

void AtaDisk::data_read(uint8_t* data, unsigned len, const sc_time& delay) {
  if (phase_ != Phase::kPioIn || !(status_ & kStatusDrq)) {
    std::memset(data, 0xFF, len);
    if (warn_.allow()) HVSIM_WARN(name(), "data register read without DRQ: returns 0xFF");
    return;
  }
  for (unsigned i = 0; i < len; ++i) data[i] = buf_pos_ < buf_len_ ? buf_[buf_pos_++] : 0xFF;
  if (buf_pos_ < buf_len_) return;
  // Block done.
  status_ &= static_cast<uint8_t>(~kStatusDrq);
  if (remaining_ == 0) {  // last block: ready, no interrupt
    phase_ = Phase::kIdle;
    status_ = kStatusReady;
    return;
  }
  schedule(Next::kPioInBlock, delay + media_time(std::min(block_sectors_, remaining_)));
}

void AtaDisk::data_write(const uint8_t* data, unsigned len, const sc_time& delay) {
  if (phase_ != Phase::kPioOut || !(status_ & kStatusDrq)) {
    if (warn_.allow()) HVSIM_WARN(name(), "data register write without DRQ: ignored");
    return;
  }
  for (unsigned i = 0; i < len && buf_pos_ < buf_len_; ++i) buf_[buf_pos_++] = data[i];
  if (buf_pos_ < buf_len_) return;
  // The first block pays the command overhead and the positioning for the whole command.
  const sc_time setup = pio_out_first_ ? command_start_time(lba_, remaining_) : SC_ZERO_TIME;
  pio_out_first_ = false;
  schedule(Next::kPioOutWritten, delay + setup + media_time(cur_block_));
}

void AtaDisk::pio_in_next_block() {
  cur_block_ = std::min(block_sectors_, remaining_);
  buf_len_ = static_cast<size_t>(cur_block_) * kSectorSize;
  buf_.resize(buf_len_);
  buf_pos_ = 0;
  if (!backend_->read(lba_, cur_block_, buf_.data())) {
    finish(kErrUnc);
    return;
  }
  sectors_read += cur_block_;
  lba_ += cur_block_;
  remaining_ -= cur_block_;
  phase_ = Phase::kPioIn;
  status_ = kStatusReady | kStatusDrq;
  raise_irq();
}

// ---- Commands -------------------------------------------------------------------------------------

bool AtaDisk::decode(bool ext, uint64_t& lba, uint32_t& count) const {
  if (ext) {
    count = static_cast<uint32_t>(count_[1]) << 8 | count_[0];
    if (count == 0) count = 65536;
    lba = static_cast<uint64_t>(lba_high_[1]) << 40 | static_cast<uint64_t>(lba_mid_[1]) << 32 |
          static_cast<uint64_t>(lba_low_[1]) << 24 | static_cast<uint64_t>(lba_high_[0]) << 16 |
          static_cast<uint64_t>(lba_mid_[0]) << 8 | lba_low_[0];
  } else {
    count = count_[0] ? count_[0] : 256;
    lba = static_cast<uint64_t>(device_ & kDevHeadMask) << 24 | static_cast<uint64_t>(lba_high_[0]) << 16 |
          static_cast<uint64_t>(lba_mid_[0]) << 8 | lba_low_[0];
  }
  return backend_ && backend_->contains(lba, count);
}

void AtaDisk::execute(uint8_t cmd, const sc_time& delay) {
  ++commands;
  cmd_ = cmd;
  irq_pending_ = false;  // writing a command clears a pending interrupt
  update_irq();
  phase_ = Phase::kIdle;
  buf_pos_ = buf_len_ = 0;
  dma_total_ = dma_done_ = 0;
  dma_data_.clear();
  const sc_time nd = delay + ps(nondata_latency);
  next_error_ = 0;
  error_ = 0;  // valid only with ERR; cleared at command start as QEMU does
  switch (cmd) {
    case kCmdIdentify: {
      const auto id = identify_data();
      buf_.resize(kSectorSize);
      for (unsigned i = 0; i < kIdWords; ++i) {  // little-endian words on the data register
        buf_[2 * i] = static_cast<uint8_t>(id[i]);
        buf_[2 * i + 1] = static_cast<uint8_t>(id[i] >> 8);
      }
      remaining_ = 0;
      block_sectors_ = cur_block_ = 1;
      schedule(Next::kPioInBlock, nd);  // op_method sees remaining_ == 0 with buf_ filled
      buf_len_ = kSectorSize;
      return;
    }
    case kCmdReadSectors: start_pio_in(false, false, delay); return;
    case kCmdReadSectorsExt: start_pio_in(false, true, delay); return;
    case kCmdReadMultiple: start_pio_in(true, false, delay); return;
    case kCmdReadMultipleExt: start_pio_in(true, true, delay); return;
    case kCmdWriteSectors: start_pio_out(false, false, delay); return;
    case kCmdWriteSectorsExt: start_pio_out(false, true, delay); return;
    case kCmdWriteMultiple: start_pio_out(true, false, delay); return;
    case kCmdWriteMultipleExt: start_pio_out(true, true, delay); return;
    case kCmdReadDma: start_dma(false, false, delay); return;
    case kCmdReadDmaExt: start_dma(false, true, delay); return;
    case kCmdWriteDma: start_dma(true, false, delay); return;
    case kCmdWriteDmaExt: start_dma(true, true, delay); return;
    case kCmdReadVerify:
    case kCmdReadVerifyExt: {
      uint64_t lba;
      uint32_t count;
      if (!decode(cmd == kCmdReadVerifyExt, lba, count)) {
        next_error_ = kErrIdnf;
        schedule(Next::kError, nd);
      } else {
        schedule(Next::kCompleteOk, delay + access_time(lba, count));
      }
      return;
    }
    case kCmdFlushCache:
    case kCmdFlushCacheExt:
      ++flushes;
      if (!backend_ || !backend_->flush()) {
        next_error_ = kErrAbrt;
        schedule(Next::kError, delay + ps(command_latency));
      } else {
        schedule(Next::kCompleteOk, delay + ps(command_latency));
      }
      return;
    case kCmdSetFeatures: set_features(); schedule(next_error_ ? Next::kError : Next::kCompleteOk, nd); return;
    case kCmdSetMultiple: {
      const unsigned n = count_[0];
      if (n > multiple_max.get() || (n & (n - 1)) != 0)
        next_error_ = kErrAbrt;
      else
        multiple_ = n;
      schedule(next_error_ ? Next::kError : Next::kCompleteOk, nd);
      return;
    }
    case kCmdExecDiag: schedule(Next::kResetDone, nd); phase_ = Phase::kBusy; return;
    case kCmdCheckPower:
      count_[0] = 0xFF;  // active or idle
      schedule(Next::kCompleteOk, nd);
      return;
    case kCmdInitDevParams:
    case kCmdStandbyImm:
    case kCmdIdleImm:
    case kCmdStandby:
    case kCmdIdle:
    case kCmdSleep:  // power states are not modelled: the drive stays active
      schedule(Next::kCompleteOk, nd);
      return;
    default:
      if (warn_.allow()) HVSIM_WARN(name(), "unsupported command 0x%02x: aborted", cmd);
      next_error_ = kErrAbrt;
      schedule(Next::kError, nd);
      return;
  }
}

void AtaDisk::set_features() {
  switch (features_[0]) {
    case kFeatXferMode: {
      const uint8_t m = count_[0];
      if (m <= 0x01) pio_mode_ = 0;
      else if (m >= kXferPio && m <= kXferPio + 4) pio_mode_ = m - kXferPio;
      else if (m >= kXferMwdma && m <= kXferMwdma + 2) { mwdma_mode_ = m - kXferMwdma; udma_mode_ = -1; }
      else if (m >= kXferUdma && m <= kXferUdma + 5) { udma_mode_ = m - kXferUdma; mwdma_mode_ = -1; }
      else next_error_ = kErrAbrt;
      return;
    }
    case kFeatWriteCacheOn: write_cache_ = true; return;
    case kFeatWriteCacheOff: write_cache_ = false; return;
    case kFeatLookAheadOff:
    case kFeatLookAheadOn:
    case kFeatRevertOff:
    case kFeatRevertOn: return;  // accepted, no effect on the model
    default: next_error_ = kErrAbrt; return;
  }
}

void AtaDisk::start_pio_in(bool multiple, bool ext, sc_time delay) {
  if (multiple && multiple_ == 0) {
    next_error_ = kErrAbrt;
    schedule(Next::kError, delay + ps(nondata_latency));
    return;
  }
  uint32_t count;
  if (!decode(ext, lba_, count)) {
    next_error_ = kErrIdnf;
    schedule(Next::kError, delay + ps(nondata_latency));
    return;
  }
  is_write_ = false;
  remaining_ = count;
  block_sectors_ = multiple ? multiple_ : 1;
  buf_len_ = 0;
  // Positioning covers the whole command; the first block also pays the command overhead.
  schedule(Next::kPioInBlock,
           delay + command_start_time(lba_, count) + media_time(std::min(block_sectors_, remaining_)));
}

void AtaDisk::start_pio_out(bool multiple, bool ext, sc_time delay) {
  uint32_t count;
  if (multiple && multiple_ == 0) next_error_ = kErrAbrt;
  else if (!decode(ext, lba_, count)) next_error_ = kErrIdnf;
  else if (backend_->read_only()) next_error_ = kErrAbrt;
  if (next_error_) {
    schedule(Next::kError, delay + ps(nondata_latency));
    return;
  }
  is_write_ = true;
  pio_out_first_ = true;
  remaining_ = count;
  block_sectors_ = multiple ? multiple_ : 1;
  cur_block_ = std::min(block_sectors_, remaining_);
  buf_len_ = static_cast<size_t>(cur_block_) * kSectorSize;
  buf_.assign(buf_len_, 0);
  buf_pos_ = 0;
  phase_ = Phase::kPioOut;
  status_ = kStatusReady | kStatusDrq;  // first block requested at once, no interrupt
}

void AtaDisk::start_dma(bool write, bool ext, sc_time delay) {
  uint32_t count;
  if (!decode(ext, dma_lba_, count)) next_error_ = kErrIdnf;
  else if (write && backend_->read_only()) next_error_ = kErrAbrt;
  if (next_error_) {
    schedule(Next::kError, delay + ps(nondata_latency));
    return;
  }
  is_write_ = write;
  remaining_ = count;
  dma_total_ = static_cast<uint64_t>(count) * kSectorSize;
  dma_done_ = 0;
  // Reads: the media time passes before DMARQ (data staged); writes: after the data arrived.
  schedule(Next::kDmaReady, delay + (write ? ps(command_latency) : access_time(dma_lba_, count)));
}

// ---- DMA hooks ------------------------------------------------------------------------------------

uint32_t AtaDisk::dma_transfer(uint8_t* buf, uint32_t bytes, bool to_memory) {
  if (!dma_pending() || to_memory == is_write_) {
    if (warn_.allow())
      HVSIM_WARN(name(), "dma_transfer(%u bytes, %s) with %s: nothing moved", bytes, to_memory ? "to memory" : "from memory",
                 dma_pending() ? "the other direction pending" : "no DMA pending");
    return 0;
  }
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(bytes, dma_total_ - dma_done_));
  if (is_write_) {
    dma_data_.insert(dma_data_.end(), buf, buf + n);
    dma_done_ += n;
    return n;
  }
  uint32_t moved = 0;
  dma_sector_.resize(kSectorSize);
  while (moved < n) {
    const uint64_t off = dma_done_ % kSectorSize;
    if (off == 0) {
      if (!backend_->read(dma_lba_ + dma_done_ / kSectorSize, 1, dma_sector_.data())) {
        next_error_ = kErrUnc;
        break;
      }
      ++sectors_read;
    }
    const uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(kSectorSize - off, n - moved));
    std::memcpy(buf + moved, dma_sector_.data() + off, chunk);
    moved += chunk;
    dma_done_ += chunk;
  }
  return moved;
}

void AtaDisk::dma_complete(bool ok) {
  if (!dma_pending()) {
    if (warn_.allow()) HVSIM_WARN(name(), "dma_complete without a pending DMA command: ignored");
    return;
  }
  const bool all = dma_done_ == dma_total_;
  if (!ok || !all || next_error_) {
    dma_data_.clear();
    dma_total_ = dma_done_ = 0;
    finish(next_error_ ? next_error_ : kErrAbrt);
    return;
  }
  if (!is_write_) {
    dma_total_ = dma_done_ = 0;
    finish(0);
    return;
  }
  phase_ = Phase::kBusy;
  schedule(Next::kDmaDone, positioning_time(dma_lba_, remaining_) + media_time(remaining_));
}

// ---- Completion -----------------------------------------------------------------------------------

void AtaDisk::finish(uint8_t error) {
  phase_ = Phase::kIdle;
  buf_pos_ = buf_len_ = 0;
  error_ = error;
  status_ = kStatusReady | (error ? kStatusErr : 0);
  if (error) ++errors;
  raise_irq();
}

void AtaDisk::set_signature() {
  count_ = {1, 0};
  lba_low_ = {1, 0};
  lba_mid_ = {0, 0};
  lba_high_ = {0, 0};
  features_ = {0, 0};
  device_ = 0;
}

void AtaDisk::op_method() {
  const Next n = next_;
  next_ = Next::kNone;
  switch (n) {
    case Next::kNone: return;
    case Next::kCompleteOk: finish(0); return;
    case Next::kError: finish(next_error_); return;
    case Next::kPioInBlock:
      if (cmd_ == kCmdIdentify) {  // buffer prepared by execute()
        buf_pos_ = 0;
        buf_len_ = kSectorSize;
        phase_ = Phase::kPioIn;
        status_ = kStatusReady | kStatusDrq;
        raise_irq();
        return;
      }
      pio_in_next_block();
      return;
    case Next::kPioOutWritten:
      if (!backend_->write(lba_, cur_block_, buf_.data())) {
        finish(kErrUnc);
        return;
      }
      sectors_written += cur_block_;
      lba_ += cur_block_;
      remaining_ -= cur_block_;
      if (remaining_ == 0) {
        finish(0);
        return;
      }
      cur_block_ = std::min(block_sectors_, remaining_);
      buf_len_ = static_cast<size_t>(cur_block_) * kSectorSize;
      buf_.assign(buf_len_, 0);
      buf_pos_ = 0;
      phase_ = Phase::kPioOut;
      status_ = kStatusReady | kStatusDrq;
      raise_irq();
      return;
    case Next::kDmaReady:
      phase_ = Phase::kDma;
      status_ = kStatusReady | kStatusDrq;
      dmarq_ev_.notify(sc_core::SC_ZERO_TIME);
      return;
    case Next::kDmaDone:
      if (!backend_->write(dma_lba_, remaining_, dma_data_.data())) {
        dma_data_.clear();
        finish(kErrUnc);
        return;
      }
      sectors_written += remaining_;
      dma_data_.clear();
      dma_total_ = dma_done_ = 0;
      finish(0);
      return;
    case Next::kResetDone: {
      const bool diag = phase_ != Phase::kReset;  // EXECUTE DEVICE DIAGNOSTIC interrupts, SRST does not
      set_signature();
      error_ = kDiagPassed;
      status_ = kStatusReady;
      phase_ = Phase::kIdle;
      if (diag) raise_irq();
      return;
    }
  }
}

// ---- IDENTIFY -------------------------------------------------------------------------------------

std::array<uint16_t, kIdWords> AtaDisk::identify_data() const {
  std::array<uint16_t, kIdWords> id{};
  const uint64_t sectors = backend_ ? backend_->sectors() : 0;
  const uint32_t lba28 = static_cast<uint32_t>(std::min<uint64_t>(sectors, kLba28Max));
  const uint32_t heads = 16, spt = 63;
  const uint32_t cyls = static_cast<uint32_t>(std::min<uint64_t>(sectors / (heads * spt), 16383));
  id[0] = 0x0040;
  id[1] = static_cast<uint16_t>(cyls);
  id[3] = heads;
  id[6] = spt;
  put_string(id, kIdSerial, 20, serial.get());
  put_string(id, kIdFirmware, 8, firmware.get());
  put_string(id, kIdModel, 40, model.get());
  const unsigned mmax = static_cast<unsigned>(std::min<uint64_t>(multiple_max.get(), 128));
  id[kIdMultipleMax] = static_cast<uint16_t>(0x8000 | mmax);
  id[kIdCaps] = kIdCapDma | kIdCapLba | kIdCapIordyDis | kIdCapIordy;
  id[50] = 0x4000;
  id[kIdValid] = 0x0007;
  id[54] = static_cast<uint16_t>(cyls);
  id[55] = heads;
  id[56] = spt;
  const uint32_t chs = cyls * heads * spt;
  id[57] = static_cast<uint16_t>(chs);
  id[58] = static_cast<uint16_t>(chs >> 16);
  id[kIdMultiple] = static_cast<uint16_t>(multiple_ ? 0x0100 | multiple_ : 0);
  id[kIdLba28] = static_cast<uint16_t>(lba28);
  id[kIdLba28 + 1] = static_cast<uint16_t>(lba28 >> 16);
  id[kIdMwdma] = static_cast<uint16_t>(0x0007 | (mwdma_mode_ >= 0 ? (1u << mwdma_mode_) << 8 : 0));
  id[kIdPio] = 0x0003;
  id[65] = id[66] = id[67] = id[68] = 120;
  id[kIdMajorVersion] = 0x00F0;  // ATA-4..7
  id[kIdMinorVersion] = 0x0000;  // not reported
  id[kIdCmdSet1] = static_cast<uint16_t>(1u << 14 | kIdWriteCache);
  id[kIdCmdSet2] = static_cast<uint16_t>(0x4000 | kIdLba48Bit | kIdFlushBit | kIdFlushExtBit);
  id[kIdCmdSetExt] = 0x4000;
  id[kIdCmdEnabled1] = static_cast<uint16_t>(1u << 14 | (write_cache_ ? kIdWriteCache : 0));
  id[kIdCmdEnabled2] = static_cast<uint16_t>(kIdLba48Bit | kIdFlushBit | kIdFlushExtBit);
  id[kIdCmdEnabledExt] = 0x4000;
  id[kIdUdma] = static_cast<uint16_t>(0x003F | (udma_mode_ >= 0 ? (1u << udma_mode_) << 8 : 0));
  id[kIdHwReset] = 0x6001;  // 80-wire cable, device 0 passed
  for (unsigned i = 0; i < 4; ++i) id[kIdLba48 + i] = static_cast<uint16_t>(sectors >> (16 * i));
  uint8_t sum = kIdSignature;
  for (unsigned i = 0; i < kIdIntegrity; ++i) sum = static_cast<uint8_t>(sum + (id[i] & 0xFF) + (id[i] >> 8));
  id[kIdIntegrity] = static_cast<uint16_t>(static_cast<uint8_t>(-sum) << 8 | kIdSignature);
  return id;
}

}  // namespace hvsim
