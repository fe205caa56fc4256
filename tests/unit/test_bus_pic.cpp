// 8259A pair bench: Linux's initialization sequence, delivery through the cascade, IMR, edge versus
// level (ELCR), priority and nesting, spurious IRQ 7, OCW3 register reads and poll mode, automatic
// EOI and priority rotation. The bench is the CPU: it watches INTR and runs INTA cycles on the `inta`
// socket, as the vCPU does when it injects an interrupt.
#include <catch2/catch.hpp>
#include <string>
#include <systemc>
#include <tlm>

#include "bench_harness.h"
#include "models/bus/pic8259.h"
#include "models/core/params.h"

using namespace hvsim;
using namespace hvsim::pic;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;

namespace {

// Lines the bench drives; the others stay unbound (allowed by the PIC).
constexpr unsigned kBound[] = {0, 1, 3, 4, 5, 7, 9, 10, 11, 14, 15};

class Bench : public testbench::BusInitiator {
 public:
  socket_type& master = socket(0);
  socket_type& slave = socket(1);
  socket_type& elcr = socket(2);
  socket_type& inta = socket(3);
  sc_core::sc_signal<bool> irq[kNumIrqs];
  sc_core::sc_signal<bool> intr{"intr"};

  explicit Bench(sc_core::sc_module_name n)
      : BusInitiator(n, {"master", "slave", "elcr", "inta"}, kStopAfterBody) {}

  uint8_t rd(socket_type& s, unsigned off) { return read8(s, off); }
  void wr(socket_type& s, unsigned off, uint8_t v) {
    write8(s, off, v);
    settle();
  }
  // The CPU's interrupt-acknowledge cycle.
  uint8_t ack() {
    const uint8_t v = read8(inta, 0);
    settle();
    return v;
  }
  void line(unsigned n, bool level) {
    irq[n].write(level);
    settle();
  }
  // Signal update -> the PIC's line method -> its INTR driver -> the intr signal: a few delta cycles,
  // no simulated time.
  void settle() {
    for (int i = 0; i < 4; ++i) wait(SC_ZERO_TIME);
  }
  bool int_line() const { return intr.read(); }
  uint8_t irr(bool slave_chip) {
    wr(slave_chip ? slave : master, kCommand, kOcw3ReadIrr);
    return rd(slave_chip ? slave : master, kCommand);
  }
  uint8_t isr(bool slave_chip) {
    wr(slave_chip ? slave : master, kCommand, kOcw3ReadIsr);
    return rd(slave_chip ? slave : master, kCommand);
  }
  void eoi(bool slave_chip) { wr(slave_chip ? slave : master, kCommand, kOcw2NonSpecificEoi); }
  // What Linux's init_8259A() writes (arch/x86/kernel/i8259.c), then all lines unmasked.
  void linux_init(uint8_t icw4 = kIcw4Upm) {
    wr(master, kCommand, 0x11);  // ICW1: edge (ignored), cascade, ICW4 follows
    wr(master, kData, 0x20);     // ICW2: IRQ 0-7 -> vectors 0x20-0x27
    wr(master, kData, 0x04);     // ICW3: slave on IR2
    wr(master, kData, icw4);     // ICW4: 8086 mode (normal EOI)
    wr(slave, kCommand, 0x11);
    wr(slave, kData, 0x28);      // IRQ 8-15 -> vectors 0x28-0x2F
    wr(slave, kData, 0x02);      // slave ID 2
    wr(slave, kData, icw4);
    wr(master, kData, 0x00);
    wr(slave, kData, 0x00);
  }
};

struct Rig {
  Bench bench{"bench"};
  Pic8259Pair pic{"pic"};
  Rig() {
    bench.master.bind(pic.socket);
    bench.slave.bind(pic.slave_socket);
    bench.elcr.bind(pic.elcr_socket);
    bench.inta.bind(pic.inta);
    for (unsigned n : kBound) pic.irq_in[n].bind(bench.irq[n]);
    pic.intr.bind(bench.intr);
  }
};

}  // namespace

TEST_CASE("pic8259: Linux init then IRQ 1 through INTA and non-specific EOI", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    CHECK(r.pic.vector_base(false) == 0x20);
    CHECK(r.pic.vector_base(true) == 0x28);
    CHECK(b.rd(b.master, kData) == 0x00);  // IMR
    CHECK_FALSE(b.int_line());
    b.line(1, true);
    CHECK(b.int_line());
    CHECK(b.irr(false) == 0x02);
    CHECK(b.isr(false) == 0x00);
    CHECK(b.ack() == 0x21);
    CHECK_FALSE(b.int_line());        // IRQ 1 in service, nothing else pending
    CHECK(b.isr(false) == 0x02);
    CHECK(b.irr(false) == 0x00);      // an edge request is consumed by INTA
    b.eoi(false);
    CHECK(b.isr(false) == 0x00);
    CHECK_FALSE(b.int_line());        // the line is still high, but edge mode needs a new rising edge
    b.line(1, false);
    b.line(1, true);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x21);
    b.eoi(false);
    CHECK(sc_core::sc_time_stamp() == SC_ZERO_TIME);  // access_latency defaults to 0
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.acks(1).value() == 2);
  CHECK(r.pic.eois_master.value() == 2);
  CHECK(r.pic.spurious_master.value() == 0);
}

TEST_CASE("pic8259: IRQ 14 arrives through the slave and needs an EOI to both chips", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    b.line(14, true);
    CHECK(b.int_line());
    CHECK(b.irr(true) == 0x40);
    CHECK(b.irr(false) == 0x04);  // the slave's INT on master IR2
    CHECK(b.ack() == 0x2E);
    CHECK(b.isr(true) == 0x40);
    CHECK(b.isr(false) == 0x04);
    CHECK_FALSE(b.int_line());
    // IRQ 15 meanwhile: lower priority than 14 on the slave, and IR2 is in service on the master.
    b.line(15, true);
    CHECK_FALSE(b.int_line());
    b.line(14, false);  // the driver read the drive's status register
    b.eoi(true);        // Linux: slave first...
    CHECK(b.isr(true) == 0x00);
    CHECK_FALSE(b.int_line());  // ...the master still has IR2 in service
    CHECK(b.irr(false) == 0x04);  // but the slave's INT rose again and is latched
    b.eoi(false);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x2F);
    b.eoi(true);
    b.eoi(false);
    CHECK(b.isr(true) == 0x00);
    CHECK(b.isr(false) == 0x00);
    CHECK_FALSE(b.int_line());
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.acks(14).value() == 1);
  CHECK(r.pic.acks(15).value() == 1);
  CHECK(r.pic.acks(2).value() == 0);
  CHECK(r.pic.eois_slave.value() == 2);
}

TEST_CASE("pic8259: IMR masks delivery but not the request", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    b.wr(b.master, kData, 0xFF & ~(1u << kCascadeIr));
    b.wr(b.slave, kData, 0xFF);
    CHECK(b.rd(b.master, kData) == 0xFB);
    CHECK(b.rd(b.slave, kData) == 0xFF);
    b.line(4, true);
    b.line(10, true);
    CHECK_FALSE(b.int_line());
    CHECK(b.irr(false) == 0x10);
    CHECK(b.irr(true) == 0x04);
    b.wr(b.slave, kData, 0xFB);  // unmask IRQ 10
    CHECK(b.int_line());
    CHECK(b.ack() == 0x2A);
    b.eoi(true);
    b.eoi(false);
    b.wr(b.master, kData, 0xEB);  // unmask IRQ 4
    CHECK(b.int_line());
    CHECK(b.ack() == 0x24);
    b.eoi(false);
    // Masking the cascade masks the whole slave.
    b.wr(b.master, kData, 0xFF);
    b.wr(b.slave, kData, 0x00);
    b.line(9, true);
    CHECK_FALSE(b.int_line());
    b.wr(b.master, kData, 0xFB);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x29);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pic8259: a level-triggered line (ELCR) re-requests after EOI while high but an edge line does not",
          "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    // ELCR: IRQ 0, 1, 2, 8, 13 are always edge.
    b.wr(b.elcr, kElcr1, 0xFF);
    b.wr(b.elcr, kElcr2, 0xFF);
    CHECK(b.rd(b.elcr, kElcr1) == 0xF8);
    CHECK(b.rd(b.elcr, kElcr2) == 0xDE);
    b.wr(b.elcr, kElcr1, 0x00);
    b.wr(b.elcr, kElcr2, 0x08);  // IRQ 11 level (a PCI INTx line)
    CHECK(r.pic.elcr() == 0x0800);

    b.line(11, true);
    CHECK(b.ack() == 0x2B);
    CHECK(b.irr(true) == 0x08);  // a level request stays in IRR while the line is high
    CHECK_FALSE(b.int_line());   // ISR blocks it
    b.eoi(true);
    b.eoi(false);
    CHECK(b.int_line());         // still high: requested again
    CHECK(b.ack() == 0x2B);
    b.line(11, false);           // the driver cleared the device's interrupt
    CHECK(b.irr(true) == 0x00);
    b.eoi(true);
    b.eoi(false);
    CHECK_FALSE(b.int_line());

    b.line(5, true);  // edge
    CHECK(b.ack() == 0x25);
    b.eoi(false);
    CHECK_FALSE(b.int_line());
    CHECK(b.irr(false) == 0x00);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.acks(11).value() == 2);
}

TEST_CASE("pic8259: IRQ 0 beats IRQ 3 and a higher level nests while a lower one waits for the EOI", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    b.line(3, true);
    b.line(0, true);
    CHECK(b.irr(false) == 0x09);
    CHECK(b.ack() == 0x20);
    CHECK_FALSE(b.int_line());   // IRQ 3 is lower than IRQ 0 in service
    b.eoi(false);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x23);
    // IRQ 1 interrupts the IRQ 3 handler (fully nested mode).
    b.line(1, true);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x21);
    CHECK(b.isr(false) == 0x0A);
    b.eoi(false);                // clears the highest level in service: IRQ 1
    CHECK(b.isr(false) == 0x08);
    b.eoi(false);
    CHECK(b.isr(false) == 0x00);
    // A slave line ranks at the master's IR2: above IRQ 3, below IRQ 1.
    b.line(3, false);
    b.line(3, true);
    b.line(9, true);
    CHECK(b.ack() == 0x29);
    b.eoi(true);
    b.eoi(false);
    CHECK(b.ack() == 0x23);
    b.eoi(false);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pic8259: spurious IRQ 7 when INTA finds nothing pending", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    CHECK(b.ack() == 0x27);     // no request at all
    CHECK(b.isr(false) == 0x00);  // ISR not set: the handler must not EOI
    // A request withdrawn before the acknowledge (the 8259A needs IR high until INTA).
    b.line(4, true);
    CHECK(b.int_line());
    b.line(4, false);
    CHECK_FALSE(b.int_line());
    CHECK(b.ack() == 0x27);
    CHECK(b.isr(false) == 0x00);
    // The same through the slave: the slave's INT falls, so the master withdraws IR2 as well.
    b.line(10, true);
    b.line(10, false);
    CHECK(b.irr(false) == 0x00);
    CHECK(b.ack() == 0x27);
    // A real IRQ 7 does set ISR.
    b.line(7, true);
    CHECK(b.ack() == 0x27);
    CHECK(b.isr(false) == 0x80);
    b.eoi(false);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.spurious_master.value() == 3);
  CHECK(r.pic.spurious_slave.value() == 0);
  CHECK(r.pic.acks(7).value() == 1);
}

TEST_CASE("pic8259: OCW3 selects IRR or ISR and poll mode acknowledges without INTA", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    b.line(5, true);
    b.line(3, true);
    b.wr(b.master, kCommand, kOcw3ReadIrr);
    CHECK(b.rd(b.master, kCommand) == 0x28);
    CHECK(b.rd(b.master, kCommand) == 0x28);  // the selection sticks
    CHECK(b.rd(b.master, kData) == 0x00);     // the data port always reads IMR
    b.wr(b.master, kCommand, kOcw3ReadIsr);
    CHECK(b.rd(b.master, kCommand) == 0x00);
    // OCW3 without RR keeps the selection.
    b.wr(b.master, kCommand, kOcw3);
    CHECK(b.rd(b.master, kCommand) == 0x00);
    // Poll: the next read acknowledges the highest request and returns 0x80 | level.
    b.wr(b.master, kCommand, kOcw3 | kOcw3Poll);
    CHECK(b.rd(b.master, kCommand) == (kPollInterrupt | 3));
    CHECK(b.rd(b.master, kCommand) == 0x08);  // back to ISR reads: IR3 in service
    b.wr(b.master, kCommand, kOcw3 | kOcw3Poll);
    CHECK(b.rd(b.master, kData) == 0x00);     // IR5 is lower than IR3 in service: nothing
    b.wr(b.master, kCommand, kOcw2SpecificEoi | 3);
    CHECK(b.rd(b.master, kCommand) == 0x00);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x25);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.polls.value() == 2);
  CHECK(r.pic.acks(3).value() == 1);
}

TEST_CASE("pic8259: automatic EOI leaves ISR clear and the next request needs no EOI", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init(kIcw4Upm | kIcw4Aeoi);
    b.line(4, true);
    CHECK(b.ack() == 0x24);
    CHECK(b.isr(false) == 0x00);
    b.line(3, true);  // lower than nothing in service: delivered at once
    CHECK(b.int_line());
    CHECK(b.ack() == 0x23);
    b.line(4, false);
    b.line(4, true);
    CHECK(b.ack() == 0x24);
    CHECK(b.isr(false) == 0x00);
    CHECK(b.isr(true) == 0x00);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.pic.eois_master.value() == 0);
}

TEST_CASE("pic8259: specific rotation and set-priority change which level wins", "[bus][pic]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.linux_init();
    b.wr(b.master, kCommand, kOcw2SetPriority | 3);  // IR3 lowest, IR4 highest
    b.line(0, true);
    b.line(4, true);
    CHECK(b.ack() == 0x24);
    b.wr(b.master, kCommand, kOcw2RotateEoi);  // EOI IR4 and make it the lowest: IR5 highest
    CHECK(b.ack() == 0x20);
    b.wr(b.master, kCommand, kOcw2SpecificEoi | 0);
    CHECK(b.isr(false) == 0x00);
    // ICW1 restores IR0 as the highest priority.
    b.line(0, false);
    b.line(4, false);
    b.linux_init();
    b.line(5, true);
    b.line(1, true);
    CHECK(b.ack() == 0x21);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pic8259: ICW1 drops edge requests - wide accesses split into byte cycles - latency is annotated",
          "[bus][pic]") {
  ParamRegistry::instance().set_override("pic.access_latency", "250000", SourceLoc{"test", 0, ""});
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.line(1, true);  // before initialization: power-up state, vector base 0
    CHECK(b.int_line());
    CHECK(b.last_delay == SC_ZERO_TIME);
    b.linux_init();   // the edge-sense logic is reset: IRQ 1 must rise again
    CHECK_FALSE(b.int_line());
    CHECK(b.last_delay == sc_time(250, SC_NS));
    const sc_time t0 = sc_core::sc_time_stamp();
    CHECK(t0 == 10 * sc_time(250, SC_NS));  // ten port writes
    // A 16-bit OUT to 0x20 writes 0x20 (command) and then 0x21 (data) on the ISA bus.
    uint8_t w[2] = {kOcw3ReadIsr, 0xF0};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kCommand);
    gp.set_data_ptr(w);
    gp.set_data_length(2);
    gp.set_streaming_width(2);
    sc_time d = SC_ZERO_TIME;
    r.bench.master->b_transport(gp, d);
    CHECK(gp.is_response_ok());
    CHECK(d == sc_time(250, SC_NS));
    CHECK(r.pic.imr() == 0x00F0);
    // Reads of the INTA socket other than one byte at 0 are wiring errors.
    uint8_t v[2];
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(0);
    gp.set_data_ptr(v);
    gp.set_data_length(2);
    r.bench.inta->b_transport(gp, d);
    CHECK(gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("pic8259: bios_setup and the elcr parameter preset the chips as firmware leaves them", "[bus][pic]") {
  ParamRegistry::instance().set_override("pic.bios_setup", "true", SourceLoc{"test", 0, ""});
  ParamRegistry::instance().set_override("pic.elcr", "0x0E28", SourceLoc{"test", 0, ""});
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(r.pic.vector_base(false) == 0x08);
    CHECK(r.pic.vector_base(true) == 0x70);
    CHECK(r.pic.imr() == 0xFFFB);
    CHECK(r.pic.elcr() == 0x0E28);
    b.line(11, true);
    CHECK_FALSE(b.int_line());
    b.wr(b.slave, kData, 0xF7);
    CHECK(b.int_line());
    CHECK(b.ack() == 0x73);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}
