// Intel 8259A programmable interrupt controller pair as wired on a PC (shared/specs/devices.md 9.3):
// a master at 0x20/0x21 and a slave at 0xA0/0xA1 whose INT output drives the master's IR2, plus the
// PIIX4 edge/level control registers (ELCR) at 0x4D0/0x4D1, which replace the 8259A's LTIM bit.
//
// Sockets (offsets relative to the base the platform maps; each is its own port window):
//   socket        master command/data   (PC: 0x20, 0x21)   the 8259A decodes only A0: offset & 1
//   slave_socket  slave command/data    (PC: 0xA0, 0xA1)   idem, so PIIX4 aliases may be mapped too
//   elcr_socket   ELCR1/ELCR2           (PC: 0x4D0, 0x4D1)
//   inta          the CPU's interrupt-acknowledge cycle: a 1-byte READ at address 0 returns the
//                 vector (sets ISR, clears an edge request, handles the cascade and spurious IRQ 7/15)
// Wider guest accesses are split into byte cycles, as the ISA bus does for an 8-bit device.
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/irq_driver.h"
#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

namespace pic {
// ---- Ports of one 8259A (offset within socket / slave_socket) ---------------------------------
//                              read                               write
constexpr uint8_t kCommand = 0;  // IRR or ISR (OCW3), poll byte    ICW1 (bit 4 = 1), OCW2, OCW3
constexpr uint8_t kData = 1;     // IMR, poll byte                  ICW2..ICW4 during init, else OCW1 = IMR
constexpr unsigned kNumPorts = 2;

// ---- ELCR (offset within elcr_socket; PIIX4 function 0 I/O registers) -------------------------
//                              reset  bit n = 1: IRQ n level-triggered (active high at the PIC)
constexpr uint8_t kElcr1 = 0;   // 0x00   IRQ 7:0; bits 2:0 (IRQ 0, 1, 2) reserved, read 0
constexpr uint8_t kElcr2 = 1;   // 0x00   IRQ 15:8; bits 0 and 5 (IRQ 8, 13) reserved, read 0
constexpr unsigned kElcrPorts = 2;
constexpr uint8_t kElcr1Mask = 0xF8;
constexpr uint8_t kElcr2Mask = 0xDE;

// ---- ICW1 (command port, bit 4 = 1): starts the initialization sequence -------------------------
constexpr uint8_t kIcw1 = 1u << 4;
constexpr uint8_t kIcw1Ic4 = 1u << 0;   // ICW4 follows (a PC always sets it)
constexpr uint8_t kIcw1Sngl = 1u << 1;  // single chip: no ICW3, no cascade
constexpr uint8_t kIcw1Adi = 1u << 2;   // MCS-80 CALL address interval: no effect in 8086 mode
constexpr uint8_t kIcw1Ltim = 1u << 3;  // level mode: ignored by the PIIX4, the ELCR decides

// ---- ICW2 (data port): vector base; bits 2:0 are replaced by the IR number in 8086 mode -------
constexpr uint8_t kIcw2BaseMask = 0xF8;

// ---- ICW3 (data port, only without SNGL) ------------------------------------------------------
// master: bit n = a slave hangs on IRn (PC: 0x04); slave: its ID, the master IR it drives (PC: 2)
constexpr uint8_t kCascadeIr = 2;
constexpr uint8_t kIcw3SlaveIdMask = 0x07;

// ---- ICW4 (data port, only with IC4) ----------------------------------------------------------
constexpr uint8_t kIcw4Upm = 1u << 0;   // 8086/8088 mode (0 = MCS-80/85 CALL sequence: unsupported)
constexpr uint8_t kIcw4Aeoi = 1u << 1;  // automatic EOI at the end of INTA
constexpr uint8_t kIcw4Ms = 1u << 2;    // buffered mode master/slave select: no effect here
constexpr uint8_t kIcw4Buf = 1u << 3;   // buffered mode: no effect here
constexpr uint8_t kIcw4Sfnm = 1u << 4;  // special fully nested mode (master: the cascade IR in service
                                        // does not block further requests from its slave)

// ---- OCW2 (command port, bits 4:3 = 00): bits 7:5 = R SL EOI, bits 2:0 = level ----------------
constexpr uint8_t kOcw2CmdMask = 0xE0;
constexpr uint8_t kOcw2LevelMask = 0x07;
constexpr uint8_t kOcw2RotateAeoiClear = 0x00;  // rotate in automatic EOI mode: off
constexpr uint8_t kOcw2NonSpecificEoi = 0x20;   // clear the highest-priority ISR bit
constexpr uint8_t kOcw2Nop = 0x40;
constexpr uint8_t kOcw2SpecificEoi = 0x60;      // | n: clear ISR bit n
constexpr uint8_t kOcw2RotateAeoiSet = 0x80;    // rotate in automatic EOI mode: on
constexpr uint8_t kOcw2RotateEoi = 0xA0;        // non-specific EOI, then the served level becomes lowest
constexpr uint8_t kOcw2SetPriority = 0xC0;      // | n: level n becomes the lowest priority
constexpr uint8_t kOcw2RotateSpecificEoi = 0xE0;  // | n: specific EOI n, then n becomes lowest

// ---- OCW3 (command port, bits 4:3 = 01) -------------------------------------------------------
constexpr uint8_t kOcwSelectMask = 0x18;
constexpr uint8_t kOcw3 = 0x08;
constexpr uint8_t kOcw3Ris = 1u << 0;   // with RR: 1 = the command port reads ISR, 0 = IRR
constexpr uint8_t kOcw3Rr = 1u << 1;    // RIS is valid
constexpr uint8_t kOcw3Poll = 1u << 2;  // the next read is a poll: acknowledges and returns 0x80 | level
constexpr uint8_t kOcw3Smm = 1u << 5;   // with ESMM: special mask mode on/off
constexpr uint8_t kOcw3Esmm = 1u << 6;
constexpr uint8_t kOcw3ReadIrr = 0x0A;  // what Linux writes
constexpr uint8_t kOcw3ReadIsr = 0x0B;

constexpr uint8_t kPollInterrupt = 0x80;  // poll byte: bit 7 = a request was pending, 2:0 = its level
constexpr uint8_t kSpuriousIr = 7;        // INTA with nothing pending returns base + 7, ISR untouched
constexpr unsigned kNumIrqs = 16;         // ISA IRQ n: master IR n (0-7), slave IR n-8 (8-15)
}  // namespace pic

class Pic8259Pair : public sc_core::sc_module {
 public:
  using IrqIn = sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;

  tlm_utils::simple_target_socket<Pic8259Pair> socket;        // master: offset 0 command, 1 data
  tlm_utils::simple_target_socket<Pic8259Pair> slave_socket;  // slave: offset 0 command, 1 data
  tlm_utils::simple_target_socket<Pic8259Pair> elcr_socket;   // offset 0 ELCR1, 1 ELCR2
  tlm_utils::simple_target_socket<Pic8259Pair> inta;          // 1-byte read at 0: INTA cycle -> vector
  // ISA IRQ lines, true = request. Unbound lines are allowed. IRQ 2 is the internal cascade input:
  // a line bound there is ignored with a warning (on a PC, IRQ 2 of the ISA bus arrives as IRQ 9).
  sc_core::sc_vector<IrqIn> irq_in;
  sc_core::sc_out<bool> intr;  // INT of the master = INTR of the CPU

  Param<uint64_t> access_latency;
  Param<uint16_t> elcr_reset;
  Param<bool> bios_setup;

  Counter spurious_master, spurious_slave, eois_master, eois_slave, polls;

  SC_HAS_PROCESS(Pic8259Pair);
  explicit Pic8259Pair(sc_core::sc_module_name name);

  // Firmware setup before the guest runs: marks the IRQs in `mask` level-triggered in the ELCR (PCI
  // INTx lines), on top of `elcr`. Reserved bits stay 0.
  void firmware_set_level(uint16_t mask);

  // Introspection for tests, traces and the platform (no side effects). 16-bit values: slave << 8 | master.
  uint16_t irr() const { return static_cast<uint16_t>(slave_.irr << 8 | master_.irr); }
  uint16_t isr() const { return static_cast<uint16_t>(slave_.isr << 8 | master_.isr); }
  uint16_t imr() const { return static_cast<uint16_t>(slave_.imr << 8 | master_.imr); }
  uint16_t elcr() const { return static_cast<uint16_t>(slave_.elcr << 8 | master_.elcr); }
  uint8_t vector_base(bool slave) const { return slave ? slave_.base : master_.base; }
  bool intr_asserted() const { return intr_driver_.level(); }
  const Counter& acks(unsigned irq) const { return acks_.at(irq); }  // INTA/poll acknowledgments per IRQ

 private:
  // One 8259A: the registers and the priority logic, with no knowledge of sockets or the cascade.
  struct Chip {
    bool is_master = true;
    uint8_t lines = 0;  // current IR input levels
    uint8_t irr = 0, isr = 0, imr = 0;
    uint8_t elcr = 0, elcr_mask = 0;
    uint8_t base = 0;   // ICW2 & 0xF8
    uint8_t icw3 = 0;   // master: slave bitmap; slave: ID
    uint8_t init_step = 0;  // 0 = operational; 2, 3, 4 = the next data write is that ICW
    bool ic4 = false, single = false;
    bool upm = true, aeoi = false, rotate_aeoi = false, sfnm = false;
    bool read_isr = false, poll = false, special_mask = false;
    uint8_t priority_add = 0;  // IR (priority_add) has the highest priority; 0 = IR0 highest

    int priority_of(uint8_t mask) const;  // 0 = highest; 8 = mask empty
    int highest_pending() const;          // the IR the next INTA would serve, or -1 (= INT low)
    void set_line(unsigned ir, bool level);
    void ack(unsigned ir);                // the INTA/poll bookkeeping for one level
    void reset_for_icw1();
    void set_elcr(uint8_t v);
  };

  void b_transport(Chip& chip, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void b_transport_master(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { b_transport(master_, t, d); }
  void b_transport_slave(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { b_transport(slave_, t, d); }
  void b_transport_elcr(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void b_transport_inta(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void end_of_elaboration() override;
  void line_method(unsigned irq);

  uint8_t read_port(Chip& chip, unsigned port);
  void write_port(Chip& chip, unsigned port, uint8_t v);
  void write_command(Chip& chip, uint8_t v);
  void write_data(Chip& chip, uint8_t v);
  void eoi(Chip& chip, int ir, bool rotate);
  uint8_t poll_read(Chip& chip);
  uint8_t acknowledge();  // the INTA cycle
  void update();          // slave INT -> master IR2, master INT -> intr
  const char* chip_name(const Chip& chip) const { return chip.is_master ? "master" : "slave"; }

  Chip master_, slave_;
  std::deque<Counter> acks_;
  IrqDriver intr_driver_;
  WarnLimiter warn_;
};

}  // namespace hvsim
