// ATA disk, drive side: a target on an IDE channel (models/ide, "Buses are modules too" in
// shared/DESIGN.md). Task file with LBA48 HOB shadows, SRST and signature, INTRQ with nIEN,
// PIO data-in/data-out (single sector and MULTIPLE), DMA through hooks for the controller's
// bus-master engine, IDENTIFY DEVICE, SET FEATURES, FLUSH CACHE (shared/specs/devices.md 3).
//
// Channel protocol (the controller is the initiator on `channel`):
// - address 0-7: command block (ata_regs.h), 8: control block (read alternate status, write device
//   control). Data register: 1, 2 or 4-byte accesses (8-bit, 16-bit, 32-bit PIO); elsewhere byte
//   accesses (a wider access is split into successive registers).
// - Writes to registers 1-6 and to device control reach both drives of a channel, each keeps its
//   own shadow. A command (write to 7) and data accesses are acted on only by the drive the DEV bit
//   (device register bit 4) selects. Reads are answered as if selected: the controller forwards
//   reads to the selected drive only. A read of a non-selected drive returns 0x00 (QEMU's value for
//   the other drive) and is counted in `unselected_reads`.
// - Delays: register accesses annotate `access_latency`; data-register accesses annotate the word
//   time of the selected PIO mode. The BSY phases of a command run on sc_event notifications
//   started at (now + the annotated delay of the command write); nothing waits in b_transport.
//
// DMA protocol (READ/WRITE DMA and EXT): after the command's access time the drive sets
// DRDY|DSC|DRQ and dma_pending() (DMARQ) becomes true. The bus-master engine then calls
// dma_transfer(buf, n, to_memory) as often as it likes (to_memory = true for reads) until it has
// moved dma_bytes_left() bytes, annotating dma_interface_time(n) itself, and ends with
// dma_complete(ok). ok && all bytes moved: a read completes at once, a write is written to the
// backend (all of it, only now: nothing is written on errors) and completes after the media time;
// either way status 0x50 and INTRQ. !ok or a short transfer: ERR|ABRT, INTRQ, nothing written.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/bus/irq_driver.h"
#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/ide/ata_regs.h"
#include "models/ide/image_backend.h"

namespace hvsim {

class AtaDisk : public sc_core::sc_module {
 public:
  enum class Position { kMaster = 0, kSlave = 1 };

  tlm_utils::simple_target_socket<AtaDisk> channel;  // task-file accesses, see above
  sc_core::sc_out<bool> intrq;                       // INTRQ: interrupt pending && nIEN == 0

  Param<std::string> model, serial, firmware;
  Param<uint64_t> multiple_max;      // sectors per MULTIPLE block advertised in IDENTIFY word 47
  Param<uint64_t> access_latency;    // ps, every register access
  Param<uint64_t> command_latency;   // ps, per media command (SSD-like)
  Param<double> media_bandwidth;     // bytes/s
  Param<uint64_t> seek_time;         // ps, average seek between random LBAs (0 = SSD: no positioning)
  Param<uint64_t> track_to_track_seek;  // ps, shortest seek (adjacent track); <= seek_time
  Param<uint64_t> rpm;               // 0 = no rotational latency; else half a revolution per seek
  Param<uint64_t> reset_time;        // ps, SRST release -> signature
  Param<uint64_t> nondata_latency;   // ps, non-data commands (IDENTIFY data ready, SET FEATURES, ...)

  Counter commands, sectors_read, sectors_written, errors, interrupts, flushes, unselected_reads, seeks;

  // `backend` must outlive the disk; it may be null for an absent medium (every media command IDNF).
  AtaDisk(sc_core::sc_module_name name, BlockBackend* backend, Position pos = Position::kMaster);

  // ---- DMA hooks for the controller's bus-master engine -------------------------------------------
  bool dma_pending() const { return phase_ == Phase::kDma; }  // a DMA command waits for data transfer
  bool dmarq() const { return dma_pending() && dma_done_ < dma_total_; }  // DMARQ: more data wanted
  bool dma_to_memory() const { return dma_pending() && !is_write_; }      // direction of the pending DMA
  uint64_t dma_bytes_left() const { return dma_pending() ? dma_total_ - dma_done_ : 0; }
  // Moves up to `bytes` between `buf` and the disk; returns the bytes moved (0 when no DMA is pending,
  // the direction does not match, or the transfer is done). Reads come from the backend sector by
  // sector; write data is kept until dma_complete(true).
  uint32_t dma_transfer(uint8_t* buf, uint32_t bytes, bool to_memory);
  void dma_complete(bool ok);
  // Interface time of `bytes` at the selected DMA mode (UDMA if one is selected, else MWDMA).
  sc_core::sc_time dma_interface_time(uint64_t bytes) const;
  // Notified when a DMA command becomes ready for data (DMARQ rises), so the bus-master engine can
  // wait for it instead of polling: the guest may set SSBM before or after the command.
  const sc_core::sc_event& dmarq_event() const { return dmarq_ev_; }
  // Notified when an interrupt becomes pending, whatever nIEN says: the BM-IDE Interrupt bit latches
  // the device's interrupt independently of nIEN (shared/specs/devices.md 3.3).
  const sc_core::sc_event& interrupt_event() const { return interrupt_ev_; }

  // ---- State queries (benches, --dump-platform, the controller) -------------------------------------
  uint8_t status() const { return status_; }
  bool selected() const { return ((device_ & ata::kDevDev) != 0) == (pos_ == Position::kSlave); }
  bool irq_pending() const { return irq_pending_; }
  int pio_mode() const { return pio_mode_; }
  int mwdma_mode() const { return mwdma_mode_; }  // -1 = none selected
  int udma_mode() const { return udma_mode_; }    // -1 = none selected
  // Interface time of one 16-bit PIO word at the selected PIO mode (P1: 600/383/240/180/120 ns).
  sc_core::sc_time pio_word_time() const;
  // IDENTIFY DEVICE data as the drive would send it now (host word order, strings byte-swapped).
  std::array<uint16_t, ata::kIdWords> identify_data() const;

 private:
  enum class Phase { kIdle, kBusy, kPioIn, kPioOut, kDma, kReset };
  enum class Next { kNone, kCompleteOk, kPioInBlock, kPioOutWritten, kDmaReady, kDmaDone, kResetDone, kError };

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  uint8_t read_reg(unsigned reg);
  void write_reg(unsigned reg, uint8_t v, const sc_core::sc_time& delay);
  void data_read(uint8_t* data, unsigned len, const sc_core::sc_time& delay);
  void data_write(const uint8_t* data, unsigned len, const sc_core::sc_time& delay);
  void write_control(uint8_t v);
  void execute(uint8_t cmd, const sc_core::sc_time& delay);
  void set_features();

  void schedule(Next next, const sc_core::sc_time& after);
  void op_method();
  void finish(uint8_t error);  // ends the command: status 0x50 (or 0x51 + error) + INTRQ
  void set_signature();
  void raise_irq();
  void update_irq();
  void pio_in_next_block();
  void start_pio_in(bool multiple, bool ext, sc_core::sc_time delay);
  void start_pio_out(bool multiple, bool ext, sc_core::sc_time delay);
  void start_dma(bool write, bool ext, sc_core::sc_time delay);
  bool decode(bool ext, uint64_t& lba, uint32_t& count) const;  // false: out of range (IDNF)
  sc_core::sc_time access_time(uint64_t lba, uint32_t sectors);  // command start + media
  // Command overhead + positioning: what a media command costs before its first sector moves.
  sc_core::sc_time command_start_time(uint64_t lba, uint32_t sectors);
  // Seek + rotational latency to reach `lba` from where the last media access ended (0 when it
  // continues there), and moves the head past the `sectors` about to be transferred.
  sc_core::sc_time positioning_time(uint64_t lba, uint32_t sectors);
  sc_core::sc_time media_time(uint64_t sectors) const;
  sc_core::sc_time ps(uint64_t v) const { return sc_core::sc_time(static_cast<double>(v), sc_core::SC_PS); }

  BlockBackend* backend_;
  Position pos_;
  IrqDriver irq_driver_;
  sc_core::sc_event op_ev_;
  sc_core::sc_event dmarq_ev_, interrupt_ev_;
  Next next_ = Next::kNone;
  Phase phase_ = Phase::kIdle;
  uint8_t next_error_ = 0;

  // Task file. LBA48 registers keep current and previous byte ([0] current, [1] previous).
  std::array<uint8_t, 2> features_{}, count_{}, lba_low_{}, lba_mid_{}, lba_high_{};
  uint8_t device_ = 0, control_ = 0, error_ = ata::kDiagPassed, status_ = ata::kStatusReady;
  bool irq_pending_ = false;

  // Transfer settings
  unsigned multiple_ = 0;  // current MULTIPLE block size in sectors (0 = MULTIPLE commands abort)
  int pio_mode_ = 4, mwdma_mode_ = -1, udma_mode_ = 2;
  bool write_cache_ = true;

  // Current command
  uint8_t cmd_ = 0;
  bool is_write_ = false;
  bool pio_out_first_ = false;  // the PIO-out block being filled is the command's first
  uint64_t lba_ = 0;            // next sector to transfer
  uint64_t head_lba_ = 0;       // sector under the head after the last media access (0 at power-on)
  uint32_t remaining_ = 0;      // sectors still to transfer
  uint32_t block_sectors_ = 1;  // sectors per DRQ block
  uint32_t cur_block_ = 0;      // sectors in the current DRQ block
  std::vector<uint8_t> buf_;
  size_t buf_pos_ = 0, buf_len_ = 0;
  // DMA
  uint64_t dma_total_ = 0, dma_done_ = 0, dma_lba_ = 0;
  std::vector<uint8_t> dma_sector_;  // the sector being read out (reads)
  std::vector<uint8_t> dma_data_;    // all write data until dma_complete (writes)

  WarnLimiter warn_;
};

}  // namespace hvsim
