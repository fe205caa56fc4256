// Bus-master IDE engine of one PIIX4 channel (SFF-8038i; shared/specs/devices.md 2.4-2.6): the
// BMICX/BMISX/BMIDTP registers (piix4_regs.h) and an SC_THREAD that walks the PRD table and moves
// data between memory and the channel's selected drive once SSBM = 1 and the drive asserts DMARQ,
// in either order. It sleeps on events (SSBM 0->1, the drives' DMARQ), never polls.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/register_bank.h"
#include "models/core/stats.h"

namespace hvsim {

class AtaDisk;
class IdeChannel;

class BusMasterDma : public sc_core::sc_module {
 public:
  // Bus-master memory access of the owning PCI function (gated by Command.BusMaster). The delay
  // argument is increased by whatever the memory path costs.
  class MemoryPort {
   public:
    virtual bool bm_read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay) = 0;
    virtual bool bm_write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay) = 0;

   protected:
    ~MemoryPort() = default;
  };

  Param<uint64_t> prd_fetch_overhead;  // ps, per PRD entry fetched, on top of the memory path's delay

  Counter starts, prd_entries, bytes_to_memory, bytes_from_memory, boundary_violations, table_crossings,
      underruns, errors;

  SC_HAS_PROCESS(BusMasterDma);
  BusMasterDma(sc_core::sc_module_name name, IdeChannel& channel, MemoryPort& memory);

  // Register accesses at offset 0-7 of this channel's half of BMIBA; any length and alignment.
  void read(uint64_t offset, uint8_t* data, unsigned len) { regs_.read(offset, data, len); }
  void write(uint64_t offset, const uint8_t* data, unsigned len) { regs_.write(offset, data, len); }

  uint8_t command() const { return static_cast<uint8_t>(bmicx_->get()); }
  uint8_t status() const { return static_cast<uint8_t>(bmisx_->get()); }
  uint32_t prd_table() const { return static_cast<uint32_t>(bmidtp_->get()); }
  const RegisterBank& registers() const { return regs_; }

 private:
  void command_written(uint8_t old_value, uint8_t new_value);
  void run();
  void irq_method();
  void transfer(AtaDisk& disk);
  void fail(AtaDisk& disk, const char* why);
  void stop_engine();  // the current start is over: Active clears, DMARQ no longer wakes the engine

  IdeChannel& channel_;
  MemoryPort& memory_;
  RegisterBank regs_;
  Register* bmicx_;
  Register* bmisx_;
  Register* bmidtp_;

  bool armed_ = false;      // SSBM went 0->1 and this start has not ended yet
  uint64_t generation_ = 0; // bumped by every start and stop: a transfer in flight checks it
  uint32_t prd_ = 0;        // address of the next PRD entry
  sc_core::sc_event start_ev_;
  sc_core::sc_event_or_list wake_, irq_events_;
  bool irq_events_built_ = false;
  std::vector<uint8_t> buf_;
  WarnLimiter warn_;
};

}  // namespace hvsim
