// Intel 82371AB PIIX4 IDE function (PCI 8086:7111; shared/specs/devices.md 2, register map in
// piix4_regs.h): the PCI function with IDETIM/SIDETIM/UDMACTL/UDMATIM, two IDE channels (IdeChannel)
// and a bus-master IDE engine per channel (BusMasterDma) at BAR4 (BMIBA).
//
// Legacy mode (default, prog-if 0x80): the task files decode at the four ISA windows through the
// primary_cmd (0x1F0, 8 bytes), primary_ctl (0x3F6, 1 byte), secondary_cmd (0x170) and secondary_ctl
// (0x376) sockets; the address on them is the offset in the window. A channel decodes only while its
// IDETIM bit 15 is set (otherwise reads 0xFF, writes dropped), independently of Command.IoSpace.
// Interrupts leave on irq14/irq15 (level = the selected drive's INTRQ; the PIC makes the edge).
// Native mode (native_mode = true, prog-if 0x8F): the same registers through BAR0-BAR3, the interrupt
// through INTA# (intx, pin 1) and the legacy sockets float.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/irq_driver.h"
#include "models/bus/pci_function.h"
#include "models/core/params.h"
#include "models/ide/bus_master_dma.h"
#include "models/ide/ide_channel.h"

namespace hvsim {

class AtaDisk;

class Piix4Ide : public PciFunction, private BusMasterDma::MemoryPort {
 public:
  // Legacy windows; address = offset in the window. Answer every access with TLM_OK (floating bus).
  tlm_utils::simple_target_socket_tagged<Piix4Ide> primary_cmd, primary_ctl, secondary_cmd, secondary_ctl;
  sc_core::sc_out<bool> irq14, irq15;  // legacy-mode interrupt lines (stay low in native mode)

  Param<bool> native_mode;

  IdeChannel primary, secondary;
  BusMasterDma primary_bm, secondary_bm;

  explicit Piix4Ide(sc_core::sc_module_name name);

  // Elaboration only. channel 0 = primary, 1 = secondary; unit 0 = master, 1 = slave. The disk must
  // have been built with the matching AtaDisk::Position.
  void attach_drive(unsigned channel, unsigned unit, AtaDisk& disk);

  IdeChannel& channel(unsigned n) { return n ? secondary : primary; }
  BusMasterDma& bus_master(unsigned n) { return n ? secondary_bm : primary_bm; }
  bool decode_enabled(unsigned channel) const;  // IDETIM bit 15

 protected:
  bool bar_read(unsigned bar, uint64_t offset, uint8_t* data, unsigned len, sc_core::sc_time& delay) override;
  bool bar_write(unsigned bar, uint64_t offset, const uint8_t* data, unsigned len, sc_core::sc_time& delay) override;

 private:
  enum Window { kPriCmd, kPriCtl, kSecCmd, kSecCtl };

  void legacy_b_transport(int window, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void task_file(unsigned channel, bool is_read, uint64_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  void bm_access(bool is_read, uint64_t offset, uint8_t* data, unsigned len);
  void line_changed();

  bool bm_read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay) override {
    return dma_read(addr, data, len, delay);
  }
  bool bm_write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay) override {
    return dma_write(addr, data, len, delay);
  }

  IrqDriver irq14_driver_, irq15_driver_;
  Register* idetim_[2];
};

}  // namespace hvsim
