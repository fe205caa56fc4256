#include "models/bus/pic8259.h"

#include <string>

#include "models/core/log.h"

namespace hvsim {

using namespace pic;

// ---- One chip ---------------------------------------------------------------------------------

int Pic8259Pair::Chip::priority_of(uint8_t mask) const {
  if (!mask) return 8;
  int p = 0;
  while (!(mask & (1u << ((p + priority_add) & 7)))) ++p;
  return p;
}

int Pic8259Pair::Chip::highest_pending() const {
  const int p = priority_of(static_cast<uint8_t>(irr & ~imr));
  if (p == 8) return -1;
  uint8_t in_service = isr;
  // Special mask mode: a masked level in service no longer blocks the levels below it.
  if (special_mask) in_service &= static_cast<uint8_t>(~imr);
  // Special fully nested mode: a slave being served may still interrupt with a higher level of its own.
  if (sfnm && is_master) in_service &= static_cast<uint8_t>(~icw3);
  return p < priority_of(in_service) ? (p + priority_add) & 7 : -1;
}

// The 8259A requires the IR input to stay high until the first INTA in both modes (datasheet:
// otherwise a default IR7 occurs), so a request that goes away before the acknowledge is withdrawn.
// Edge mode only adds that a new request needs a low-to-high transition.
void Pic8259Pair::firmware_set_level(uint16_t mask) {
  master_.set_elcr(static_cast<uint8_t>(master_.elcr | mask));
  slave_.set_elcr(static_cast<uint8_t>(slave_.elcr | mask >> 8));
}

void Pic8259Pair::Chip::set_line(unsigned ir, bool level) {
  const uint8_t bit = static_cast<uint8_t>(1u << ir);
  const bool was = lines & bit;
  lines = level ? (lines | bit) : (lines & ~bit);
  if (!level)
    irr &= static_cast<uint8_t>(~bit);
  else if ((elcr & bit) || !was)
    irr |= bit;
}

void Pic8259Pair::Chip::ack(unsigned ir) {
  const uint8_t bit = static_cast<uint8_t>(1u << ir);
  // A level request stays in IRR while the line is high; ISR keeps it from re-interrupting until EOI.
  if (!(elcr & bit)) irr &= static_cast<uint8_t>(~bit);
  if (aeoi) {
    if (rotate_aeoi) priority_add = static_cast<uint8_t>((ir + 1) & 7);
  } else {
    isr |= bit;
  }
}

// ICW1 resets the edge-sense logic (a high edge-mode input needs a new rising edge), clears IMR and
// ISR, makes IR0 the highest priority, selects IRR for reads and clears special mask mode. The
// ICW4 functions are cleared too; ICW4 sets them again. The ELCR is a PIIX4 register: untouched.
void Pic8259Pair::Chip::reset_for_icw1() {
  irr = lines & elcr;
  isr = imr = 0;
  priority_add = 0;
  read_isr = poll = special_mask = false;
  upm = aeoi = rotate_aeoi = sfnm = false;
}

void Pic8259Pair::Chip::set_elcr(uint8_t v) {
  elcr = v & elcr_mask;
  irr = static_cast<uint8_t>((irr & ~elcr) | (lines & elcr));  // a level request follows its line
}

// ---- The pair ---------------------------------------------------------------------------------

Pic8259Pair::Pic8259Pair(sc_core::sc_module_name name)
    : sc_module(name),
      socket("socket"),
      slave_socket("slave_socket"),
      elcr_socket("elcr_socket"),
      inta("inta"),
      irq_in("irq_in", kNumIrqs),
      intr("intr"),
      access_latency(this, "access_latency", 0, "ps",
                     "added to every port access and INTA cycle; 0 because the hypervisor model charges the "
                     "exit and the device emulation"),
      elcr_reset(this, "elcr", 0, "bitmask",
                 "ELCR at power-up, bit n = IRQ n level-triggered, as firmware programs it for PCI INTx lines "
                 "(PIIX4 resets it to 0; bits of IRQ 0, 1, 2, 8, 13 are forced to 0)"),
      bios_setup(this, "bios_setup", false, "bool",
                 "true: start as SeaBIOS leaves the PIC (ICW 0x11, vectors 0x08/0x70, cascade on IR2, 8086 "
                 "mode, every line masked but the cascade); false: power-up state, the guest initializes it"),
      spurious_master(this, "spurious.irq7", "events", "INTA cycles the master answered with IR7 (nothing pending)"),
      spurious_slave(this, "spurious.irq15", "events", "INTA cycles the slave answered with IR7 (nothing pending)"),
      eois_master(this, "eois.master", "commands", "EOI commands (OCW2) to the master"),
      eois_slave(this, "eois.slave", "commands", "EOI commands (OCW2) to the slave"),
      polls(this, "polls", "reads", "poll-mode reads (OCW3 P), each an acknowledge without INTA"),
      intr_driver_(intr) {
  for (unsigned i = 0; i < kNumIrqs; ++i)
    acks_.emplace_back(this, "acks.irq" + std::to_string(i), "interrupts",
                       "interrupts acknowledged on IRQ " + std::to_string(i) + " (INTA or poll)");

  master_.is_master = true;
  master_.elcr_mask = kElcr1Mask;
  master_.icw3 = 1u << kCascadeIr;  // the PC's wiring; the guest's ICW3 may change it
  slave_.is_master = false;
  slave_.elcr_mask = kElcr2Mask;
  slave_.icw3 = kCascadeIr;
  master_.set_elcr(static_cast<uint8_t>(elcr_reset.get()));
  slave_.set_elcr(static_cast<uint8_t>(elcr_reset.get() >> 8));
  if (bios_setup) {
    master_.base = 0x08;
    slave_.base = 0x70;
    master_.imr = static_cast<uint8_t>(~(1u << kCascadeIr));
    slave_.imr = 0xFF;
  }

  socket.register_b_transport(this, &Pic8259Pair::b_transport_master);
  slave_socket.register_b_transport(this, &Pic8259Pair::b_transport_slave);
  elcr_socket.register_b_transport(this, &Pic8259Pair::b_transport_elcr);
  inta.register_b_transport(this, &Pic8259Pair::b_transport_inta);
}

// One method per bound line, created here because only now is it known which lines are bound. Each
// runs once at start-up to sample the line's initial level.
void Pic8259Pair::end_of_elaboration() {
  for (unsigned i = 0; i < kNumIrqs; ++i) {
    if (irq_in[i].size() == 0) continue;
    if (i == kCascadeIr) {
      HVSIM_WARN(name(), "irq_in[2] is bound, but IR2 of the master is the slave's INT: the line is ignored "
                         "(bind it to IRQ 9, where the PC redirects ISA IRQ 2)");
      continue;
    }
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&irq_in[i]->value_changed_event());
    sc_core::sc_spawn(sc_bind(&Pic8259Pair::line_method, this, i), sc_core::sc_gen_unique_name("irq_line"), &opts);
  }
}

void Pic8259Pair::line_method(unsigned irq) {
  const bool level = irq_in[irq]->read();
  (irq < 8 ? master_ : slave_).set_line(irq & 7, level);
  update();
}

void Pic8259Pair::update() {
  master_.set_line(kCascadeIr, slave_.highest_pending() >= 0);
  intr_driver_.set(master_.highest_pending() >= 0);
}

void Pic8259Pair::b_transport(Chip& chip, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += sc_core::sc_time(static_cast<double>(access_latency.get()), sc_core::SC_PS);
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  if (len != 1 && warn_.allow())
    HVSIM_WARN(name(), "%u-byte %s at %s offset %llu: the 8259A has 8-bit ports, split into byte cycles", len,
               trans.is_read() ? "read" : "write", chip_name(chip),
               static_cast<unsigned long long>(trans.get_address()));
  for (unsigned i = 0; i < len; ++i) {
    const unsigned port = static_cast<unsigned>((trans.get_address() + i) & 1);  // the chip sees A0 only
    if (trans.is_read())
      data[i] = read_port(chip, port);
    else if (trans.is_write())
      write_port(chip, port, data[i]);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pic8259Pair::b_transport_elcr(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += sc_core::sc_time(static_cast<double>(access_latency.get()), sc_core::SC_PS);
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t off = trans.get_address() + i;
    Chip* chip = off == kElcr1 ? &master_ : off == kElcr2 ? &slave_ : nullptr;
    if (trans.is_read()) {
      data[i] = chip ? chip->elcr : 0xFF;  // past the ELCR: nothing drives the bus
    } else if (trans.is_write() && chip) {
      if ((data[i] & ~chip->elcr_mask) && warn_.allow())
        HVSIM_WARN(name(), "ELCR%u write 0x%02x sets reserved bits (IRQ %s must stay edge-triggered): they read 0",
                   chip->is_master ? 1 : 2, data[i], chip->is_master ? "0, 1, 2" : "8, 13");
      chip->set_elcr(data[i]);
    }
  }
  update();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pic8259Pair::b_transport_inta(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  // Only the vCPU uses this socket; anything but the 1-byte read at 0 is a model wiring bug.
  if (!trans.is_read() || trans.get_address() != 0 || trans.get_data_length() != 1) {
    trans.set_response_status(trans.is_read() ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  delay += sc_core::sc_time(static_cast<double>(access_latency.get()), sc_core::SC_PS);
  *trans.get_data_ptr() = acknowledge();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint8_t Pic8259Pair::acknowledge() {
  uint8_t vector;
  const int m = master_.highest_pending();
  if (m < 0) {
    // INTR went away (a withdrawn request, or the vCPU acknowledged without INTR): the master answers
    // with IR7 and sets no ISR bit. Linux detects this by reading ISR and does not send an EOI.
    ++spurious_master;
    HVSIM_DEBUG(name(), "spurious interrupt on the master: vector 0x%02x", master_.base | kSpuriousIr);
    vector = static_cast<uint8_t>(master_.base | kSpuriousIr);
  } else if (!master_.single && (master_.icw3 & (1u << m))) {
    master_.ack(static_cast<unsigned>(m));
    // The master puts the cascade address (m) on CAS2:0; the slave with that ID supplies the vector.
    if (slave_.single || (slave_.icw3 & kIcw3SlaveIdMask) != m) {
      if (warn_.allow())
        HVSIM_WARN(name(), "INTA for master IR%d (declared cascade by ICW3 0x%02x), but the slave's ID is %u%s: "
                           "no chip drives the vector, the data bus reads 0xFF",
                   m, master_.icw3, slave_.icw3 & kIcw3SlaveIdMask, slave_.single ? " and it is in single mode" : "");
      vector = 0xFF;
    } else {
      const int s = slave_.highest_pending();
      if (s < 0) {
        // The master's ISR bit stays set: the guest must EOI the master only (Linux does).
        ++spurious_slave;
        HVSIM_DEBUG(name(), "spurious interrupt on the slave: vector 0x%02x", slave_.base | kSpuriousIr);
        vector = static_cast<uint8_t>(slave_.base | kSpuriousIr);
      } else {
        slave_.ack(static_cast<unsigned>(s));
        ++acks_[8 + s];
        vector = static_cast<uint8_t>(slave_.base | s);
      }
    }
  } else {
    master_.ack(static_cast<unsigned>(m));
    ++acks_[m];
    vector = static_cast<uint8_t>(master_.base | m);
  }
  update();
  return vector;
}

uint8_t Pic8259Pair::poll_read(Chip& chip) {
  chip.poll = false;
  ++polls;
  const int ir = chip.highest_pending();
  if (ir < 0) return 0;
  chip.ack(static_cast<unsigned>(ir));
  if (!(chip.is_master && !chip.single && (chip.icw3 & (1u << ir)))) ++acks_[(chip.is_master ? 0 : 8) + ir];
  update();
  return static_cast<uint8_t>(kPollInterrupt | ir);
}

uint8_t Pic8259Pair::read_port(Chip& chip, unsigned port) {
  if (chip.poll) return poll_read(chip);  // the read after a poll command, on either port
  if (port == kData) return chip.imr;
  return chip.read_isr ? chip.isr : chip.irr;
}

void Pic8259Pair::write_port(Chip& chip, unsigned port, uint8_t v) {
  if (port == kCommand)
    write_command(chip, v);
  else
    write_data(chip, v);
  update();
}

void Pic8259Pair::write_command(Chip& chip, uint8_t v) {
  if (v & kIcw1) {
    chip.reset_for_icw1();
    chip.ic4 = v & kIcw1Ic4;
    chip.single = v & kIcw1Sngl;
    chip.init_step = 2;
    if (!chip.ic4) {
      // Without ICW4 the chip is in MCS-80/85 mode and would answer INTA with CALL opcodes.
      if (warn_.allow())
        HVSIM_WARN(name(), "%s ICW1 0x%02x without IC4 selects MCS-80/85 mode: unsupported, vectors are delivered "
                           "as in 8086 mode",
                   chip_name(chip), v);
    }
    if (chip.single && warn_.allow())
      HVSIM_WARN(name(), "%s ICW1 0x%02x selects single mode on a cascaded PC pair: %s", chip_name(chip), v,
                 chip.is_master ? "IR2 becomes a plain input (vector base + 2)" : "the slave no longer answers INTA");
    return;
  }
  if ((v & kOcwSelectMask) == kOcw3) {
    if (v & kOcw3Rr) chip.read_isr = v & kOcw3Ris;
    if (v & kOcw3Poll) chip.poll = true;
    if (v & kOcw3Esmm) chip.special_mask = v & kOcw3Smm;
    return;
  }
  if ((v & kOcwSelectMask) != 0) {
    // Bits 4:3 = 11 with bit 4 = 1 is ICW1 (handled above); 01 is OCW3. Nothing else reaches here.
    return;
  }
  const unsigned level = v & kOcw2LevelMask;
  switch (v & kOcw2CmdMask) {
    case kOcw2NonSpecificEoi:
      eoi(chip, -1, false);
      break;
    case kOcw2SpecificEoi:
      eoi(chip, static_cast<int>(level), false);
      break;
    case kOcw2RotateEoi:
      eoi(chip, -1, true);
      break;
    case kOcw2RotateSpecificEoi:
      eoi(chip, static_cast<int>(level), true);
      break;
    case kOcw2SetPriority:
      chip.priority_add = static_cast<uint8_t>((level + 1) & 7);
      break;
    case kOcw2RotateAeoiSet:
      chip.rotate_aeoi = true;
      break;
    case kOcw2RotateAeoiClear:
      chip.rotate_aeoi = false;
      break;
    default:  // kOcw2Nop
      break;
  }
}

void Pic8259Pair::eoi(Chip& chip, int ir, bool rotate) {
  ++(chip.is_master ? eois_master : eois_slave);
  if (ir < 0) {
    // Non-specific: the highest-priority level in service is the one being finished (fully nested).
    const int p = chip.priority_of(chip.isr);
    if (p == 8) return;  // nothing in service: no effect (Linux sends one after a spurious IRQ 15)
    ir = (p + chip.priority_add) & 7;
  }
  chip.isr &= static_cast<uint8_t>(~(1u << ir));
  if (rotate) chip.priority_add = static_cast<uint8_t>((ir + 1) & 7);
}

void Pic8259Pair::write_data(Chip& chip, uint8_t v) {
  switch (chip.init_step) {
    case 2:  // ICW2
      chip.base = v & kIcw2BaseMask;
      chip.init_step = chip.single ? (chip.ic4 ? 4 : 0) : 3;
      break;
    case 3:  // ICW3
      chip.icw3 = chip.is_master ? v : static_cast<uint8_t>(v & kIcw3SlaveIdMask);
      if (chip.is_master ? !(v & (1u << kCascadeIr)) : (v & kIcw3SlaveIdMask) != kCascadeIr) {
        if (warn_.allow())
          HVSIM_WARN(name(), "%s ICW3 0x%02x does not match the PC's wiring (the slave's INT drives master IR2; "
                             "PC values: master 0x04, slave 0x02)",
                     chip_name(chip), v);
      }
      chip.init_step = chip.ic4 ? 4 : 0;
      break;
    case 4:  // ICW4
      chip.upm = v & kIcw4Upm;
      chip.aeoi = v & kIcw4Aeoi;
      chip.sfnm = v & kIcw4Sfnm;
      if (!chip.upm && warn_.allow())
        HVSIM_WARN(name(), "%s ICW4 0x%02x selects MCS-80/85 mode: unsupported, vectors are delivered as in 8086 mode",
                   chip_name(chip), v);
      chip.init_step = 0;
      break;
    default:  // OCW1
      chip.imr = v;
      break;
  }
}

}  // namespace hvsim
