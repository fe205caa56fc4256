// PCI function base: the type-0 configuration header as a RegisterBank (register map in pci_regs.h),
// BARs with the sizing protocol, Command-gated bus-master DMA and an INTx line gated by Interrupt
// Disable. A device derives from it, declares its BARs and device-specific configuration registers in
// its constructor and implements bar_read/bar_write. The host bridge reaches it only through `cfg`
// and `bar`; DMA leaves through `dma`.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/irq_driver.h"
#include "models/bus/pci_regs.h"
#include "models/bus/warn_limiter.h"
#include "models/core/register_bank.h"
#include "models/core/stats.h"

namespace hvsim {

// Identity of a function: the read-only fields of its header.
struct PciId {
  uint16_t vendor = 0xFFFF;
  uint16_t device = 0xFFFF;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // base class << 16 | subclass << 8 | prog-if
  uint16_t subsystem_vendor = 0;
  uint16_t subsystem = 0;
  uint8_t interrupt_pin = 0;  // 0 none, 1 INTA# .. 4 INTD#
  bool multifunction = false;  // header type bit 7: set on function 0 of a multi-function device
};

enum class PciBarType { Io, Mem32, Mem64 };

// Carried on transactions arriving at a function's `bar` socket: which BAR decoded the access (the
// address is then the offset within that BAR).
class PciBarExtension : public tlm::tlm_extension<PciBarExtension> {
 public:
  unsigned bar = 0;
  tlm::tlm_extension_base* clone() const override { return new PciBarExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    bar = static_cast<const PciBarExtension&>(other).bar;
  }
};

class PciFunction : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PciFunction> cfg;  // address = configuration offset 0..255, 1/2/4 bytes
  tlm_utils::simple_target_socket<PciFunction> bar;  // address = offset in the BAR named by PciBarExtension
  tlm_utils::simple_initiator_socket_optional<PciFunction> dma;  // bus-master DMA; may stay unbound
  sc_core::sc_out<bool> intx;                                    // INTx# (true = asserted)

  Counter dma_bytes_read, dma_bytes_written, dma_refused;

  PciFunction(sc_core::sc_module_name name, const PciId& id);

  // The whole configuration space; subclasses add their registers at 0x40..0xFF.
  RegisterBank& config() { return config_; }
  const RegisterBank& config() const { return config_; }

  uint16_t command() const { return static_cast<uint16_t>(command_->get()); }
  uint16_t status() const { return static_cast<uint16_t>(status_->get()); }
  bool bus_master() const { return command() & pci::kCmdBusMaster; }
  bool irq_pending() const { return irq_pending_; }

  bool bar_present(unsigned n) const { return n < pci::kNumBars && bar_size_[n] != 0; }
  PciBarType bar_type(unsigned n) const { return bar_type_[n]; }
  uint64_t bar_size(unsigned n) const { return n < pci::kNumBars ? bar_size_[n] : 0; }
  uint64_t bar_address(unsigned n) const;  // the base currently programmed (0 = unassigned)

 protected:
  // Call from the subclass constructor. Throws ConfigError on a size that is not a power of two or
  // below the spec minimum, or on a BAR slot already used.
  void declare_bar(unsigned n, PciBarType type, uint64_t size, bool prefetchable = false);
  void set_capabilities_pointer(uint8_t offset);

  // Level-triggered INTx: asserted while `level` and Command.IntxDisable is clear.
  void set_irq(bool level);

  // Bus-master DMA through `dma`. False (and a warning) when Bus Master Enable is 0, `dma` is
  // unbound or the target answers with an error (Status.RcvMasterAbort is then set).
  bool dma_read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay);
  bool dma_write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay);

  // BAR accesses. Return false for an access the device refuses: the function then signals a target
  // abort (Status.SigTargetAbort, reads all ones). The defaults refuse everything.
  virtual bool bar_read(unsigned bar, uint64_t offset, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  virtual bool bar_write(unsigned bar, uint64_t offset, const uint8_t* data, unsigned len,
                         sc_core::sc_time& delay);

  // Runs when the guest changes the Command register (after the new value is stored).
  virtual void command_written(uint16_t old_value, uint16_t new_value) {
    (void)old_value;
    (void)new_value;
  }

  WarnLimiter warn_;

 private:
  void cfg_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int cfg_transport_dbg(tlm::tlm_generic_payload& trans);
  void bar_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool dma_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  void update_intx();

  RegisterBank config_;
  Register* command_;
  Register* status_;
  Register* bars_[pci::kNumBars];
  PciBarType bar_type_[pci::kNumBars] = {};
  uint64_t bar_size_[pci::kNumBars] = {};
  bool bar_upper_[pci::kNumBars] = {};  // upper half of a 64-bit BAR
  bool irq_pending_ = false;
  IrqDriver intx_driver_;
  tlm::tlm_generic_payload dma_gp_;
};

}  // namespace hvsim
