// One IDE channel (cable) of the PIIX4 IDE function: up to two AtaDisk drives (master = unit 0, slave
// = unit 1) on a shared task file. The controller calls access() for its command block (addresses 0-7)
// and control block (address 8); the channel forwards to the drives the way the ATA bus does
// (shared/specs/devices.md 3.1): writes to registers 1-6 and device control reach both drives, the
// command register and the data port only the selected one, and reads are answered by the selected
// drive alone. The channel's interrupt line is the selected drive's INTRQ.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/bus/warn_limiter.h"

namespace hvsim {

class AtaDisk;

class IdeChannel : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket_optional<IdeChannel> drive0, drive1;  // to AtaDisk::channel

  // Called with the channel's new INTRQ level whenever it may have changed (possibly unchanged).
  std::function<void(bool)> on_line;

  SC_HAS_PROCESS(IdeChannel);
  explicit IdeChannel(sc_core::sc_module_name name);

  // Elaboration only: binds drive<unit> to disk.channel and disk.intrq to the channel's signal.
  void attach(unsigned unit, AtaDisk& disk);

  // addr 0-7 command block, 8 control block; any length. Reads of absent drives: 0x00 (status 0),
  // data port 0xFF (QEMU). `delay` gets the selected drive's annotation.
  void access(bool is_read, uint64_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay);

  AtaDisk* drive(unsigned unit) const { return unit < 2 ? disks_[unit] : nullptr; }
  unsigned selected_unit() const;
  AtaDisk* selected_drive() const { return disks_[selected_unit()]; }
  bool line() const;  // the selected drive's INTRQ

 private:
  void forward(unsigned unit, bool is_read, uint64_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  void line_method();
  void notify_line() {
    if (on_line) on_line(line());
  }

  AtaDisk* disks_[2] = {nullptr, nullptr};
  tlm_utils::simple_initiator_socket_optional<IdeChannel>* sockets_[2];
  sc_core::sc_signal<bool> intrq_[2];
  uint8_t dev_shadow_ = 0;  // device register as last written, when no drive can tell the selection
  tlm::tlm_generic_payload gp_;
  WarnLimiter warn_;
};

}  // namespace hvsim
