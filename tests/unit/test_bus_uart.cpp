// 16550 UART bench: register behaviour the Linux 8250 probe and a console driver depend on, the
// interrupt sources with OUT2 gating, FIFO trigger and character timeout, and timed transmission.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <systemc>
#include <tlm>
#include <unistd.h>

#include "bench_harness.h"
#include "models/bus/uart16550.h"
#include "models/core/params.h"

using namespace hvsim;
using namespace hvsim::uart;
using sc_core::sc_time;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

class Bench : public testbench::BusInitiator {
 public:
  socket_type& out = socket(0);
  sc_core::sc_signal<bool> irq{"irq"};

  // sc_stop after the body: the UART may still have a timeout event pending.
  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}, kStopAfterBody) {}

  uint8_t rd(unsigned off) { return read8(out, off); }
  void wr(unsigned off, uint8_t v) { write8(out, off, v); }
  // The IRQ line as the interrupt controller sees it, after signal update.
  bool line() {
    wait(SC_ZERO_TIME);
    return irq.read();
  }
};

struct Rig {
  Bench bench{"bench"};
  Uart16550 uart{"com1"};
  std::string sent;
  Rig() {
    bench.out.bind(uart.socket);
    uart.irq.bind(bench.irq);
    uart.set_sink([this](uint8_t b) { sent.push_back(static_cast<char>(b)); });
  }
};

}  // namespace

TEST_CASE("UART: reset values and LSR error bits clear on read", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.rd(kLsr) == 0x60);
    CHECK(b.rd(kIirFcr) == 0x01);
    CHECK(b.rd(kIerDlm) == 0x00);
    CHECK(b.rd(kLcr) == 0x00);
    CHECK(b.rd(kMcr) == 0x00);
    CHECK(b.rd(kMsr) == 0xB0);
    // Without FIFO the holding register takes one byte; a second one overruns.
    r.uart.push_rx('a');
    r.uart.push_rx('b');
    CHECK(b.rd(kLsr) == (0x60 | kLsrDataReady | kLsrOverrun));
    CHECK(b.rd(kLsr) == (0x60 | kLsrDataReady));  // OE cleared by the read, DR stays
    CHECK(b.rd(kRbrThrDll) == 'b');              // no FIFO: the newer byte overwrote RBR
    CHECK(b.rd(kLsr) == 0x60);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.uart.rx_overruns.value() == 1);
}

TEST_CASE("UART: scratch register and IER read-back (8250 probe)", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kScr, 0x55);
    CHECK(b.rd(kScr) == 0x55);
    b.wr(kScr, 0xAA);
    CHECK(b.rd(kScr) == 0xAA);
    b.wr(kIerDlm, 0x0F);
    CHECK(b.rd(kIerDlm) == 0x0F);
    b.wr(kIerDlm, 0xF0);
    CHECK(b.rd(kIerDlm) == 0x00);  // bits 7:4 read 0
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("UART: DLAB switches offsets 0/1 to the divisor latch", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kIerDlm, 0x05);
    b.wr(kLcr, 0x83);  // DLAB, 8N1
    b.wr(kRbrThrDll, 0x0C);
    b.wr(kIerDlm, 0x00);
    CHECK(b.rd(kRbrThrDll) == 0x0C);
    CHECK(b.rd(kIerDlm) == 0x00);
    CHECK(r.uart.divisor() == 12);
    CHECK(r.uart.baud() == Approx(9600.0));
    b.wr(kLcr, 0x03);
    CHECK(b.rd(kIerDlm) == 0x05);  // IER untouched by the DLM write
    b.wr(kRbrThrDll, 'X');         // THR now
    CHECK(r.uart.divisor() == 12);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.sent == "X");
}

TEST_CASE("UART: loopback mirrors MCR into MSR and routes TX to RX", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kMcr, 0x1A);  // what Linux autoconfig writes
    CHECK((b.rd(kMsr) & 0xF0) == 0x90);
    b.wr(kMcr, kMcrLoop | kMcrDtr | kMcrRts | kMcrOut1 | kMcrOut2);
    CHECK((b.rd(kMsr) & 0xF0) == 0xF0);
    b.wr(kMcr, kMcrLoop | kMcrOut2);  // RI falls, CTS and DSR drop
    const uint8_t msr = b.rd(kMsr);
    CHECK((msr & 0xF0) == kMsrDcd);
    CHECK((msr & kMsrDeltas) == (kMsrTeri | kMsrDcts | kMsrDdsr));
    CHECK((b.rd(kMsr) & kMsrDeltas) == 0);  // deltas clear on read
    b.wr(kRbrThrDll, 'L');
    CHECK(b.rd(kLsr) & kLsrDataReady);
    CHECK(b.rd(kRbrThrDll) == 'L');
    b.wr(kMcr, 0x00);
    CHECK((b.rd(kMsr) & 0xF0) == 0xB0);  // back to the line
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.sent.empty());
  CHECK(r.uart.tx_bytes.value() == 0);
}

TEST_CASE("UART: IIR bits 7:6 report the FIFO state", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK((b.rd(kIirFcr) & 0xC0) == 0x00);
    b.wr(kIirFcr, kFcrEnable | kFcrClearRx | kFcrClearTx);
    CHECK((b.rd(kIirFcr) & 0xC0) == 0xC0);
    CHECK(b.rd(kIirFcr) == 0xC1);
    b.wr(kIirFcr, 0x00);
    CHECK(b.rd(kIirFcr) == 0x01);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("UART: THRE interrupt is immediate on ETBEI and gated onto the line by OUT2", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kIerDlm, kIerThre);
    CHECK_FALSE(b.line());  // pending, but OUT2 is off
    b.wr(kMcr, kMcrOut2 | kMcrDtr | kMcrRts);
    CHECK(b.line());
    CHECK(b.rd(kIirFcr) == kIirThre);  // reading IIR with THRE as the source clears it
    CHECK_FALSE(b.line());
    CHECK(b.rd(kIirFcr) == kIirNoInt);
    b.wr(kRbrThrDll, 'h');  // the character leaves at once: THR empty again
    CHECK(b.line());
    b.wr(kIerDlm, 0x00);
    CHECK_FALSE(b.line());
    b.wr(kIerDlm, kIerThre);  // rising edge re-arms it
    CHECK(b.line());
    b.wr(kMcr, kMcrOut2 | kMcrLoop);  // loopback forces OUT2 inactive on the pin
    CHECK_FALSE(b.line());
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.sent == "h");
  CHECK(r.uart.interrupts.value() == 3);
}

TEST_CASE("UART: RX trigger level and line-status priority and character timeout", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kLcr, 0x03);                                     // 8N1: 10 bits per character
    b.wr(kIirFcr, kFcrEnable | (2 << kFcrTriggerShift));  // trigger at 8 bytes
    b.wr(kIerDlm, kIerRxData | kIerLineStatus);
    b.wr(kMcr, kMcrOut2);
    r.uart.push_rx("1234567");
    CHECK_FALSE(b.line());
    r.uart.push_rx('8');
    CHECK(b.line());
    CHECK(b.rd(kIirFcr) == (0xC0 | kIirRxData));
    CHECK(b.rd(kRbrThrDll) == '1');  // 7 left: below the trigger
    CHECK_FALSE(b.line());
    // Four character times (8N1 at 115200 baud: 4 * 86.8 us) without activity: timeout interrupt.
    const sc_time t0 = sc_core::sc_time_stamp();
    const sc_time four = 4 * r.uart.char_time();
    CHECK(four.to_seconds() == Approx(4 * 10 / 115200.0));
    wait(four - sc_time(1, SC_US));
    CHECK_FALSE(b.line());
    wait(sc_time(1, SC_US));
    CHECK(b.line());
    CHECK(sc_core::sc_time_stamp() - t0 == four);
    CHECK(b.rd(kIirFcr) == (0xC0 | kIirTimeout));
    CHECK(b.rd(kRbrThrDll) == '2');  // reading RBR clears the timeout
    CHECK_FALSE(b.line());
    // Fill the FIFO past 16: overrun, and the line-status source outranks RX data.
    r.uart.push_rx("abcdefghijklm");  // 6 + 13 = 19 > 16
    CHECK(b.line());
    CHECK(b.rd(kIirFcr) == (0xC0 | kIirLineStatus));
    CHECK(b.rd(kLsr) & kLsrOverrun);
    CHECK(b.rd(kIirFcr) == (0xC0 | kIirRxData));
    b.wr(kIirFcr, kFcrEnable | kFcrClearRx);
    CHECK_FALSE(b.line());
    CHECK((b.rd(kLsr) & kLsrDataReady) == 0);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
  CHECK(r.uart.rx_overruns.value() == 3);
}

TEST_CASE("UART: with model_baud_timing a character takes its frame time", "[bus][uart]") {
  ParamRegistry::instance().set_override("com1.model_baud_timing", "true", SourceLoc{"test", 0, ""});
  Rig r;
  sc_time sent_at;
  r.uart.set_sink([&](uint8_t c) {
    r.sent.push_back(static_cast<char>(c));
    sent_at = sc_core::sc_time_stamp();
  });
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kLcr, 0x83);
    b.wr(kRbrThrDll, 0x02);  // 57600 baud
    b.wr(kIerDlm, 0x00);
    b.wr(kLcr, 0x1B);  // 8 data bits, even parity, 1 stop: 11 bits per character
    const sc_time frame = sc_time(11.0 / 57600.0, sc_core::SC_SEC);
    const sc_time t0 = sc_core::sc_time_stamp();
    b.wr(kRbrThrDll, 'A');
    b.wr(kRbrThrDll, 'B');
    CHECK((b.rd(kLsr) & (kLsrThre | kLsrTemt)) == 0);  // B waits in THR, A is on the wire
    CHECK(r.sent.empty());
    wait(frame);
    wait(SC_ZERO_TIME);  // the transmitter's event fires at this same instant
    CHECK(r.sent == "A");
    CHECK(sent_at - t0 == r.uart.char_time());
    CHECK(r.uart.char_time().to_seconds() == Approx(frame.to_seconds()));
    CHECK((b.rd(kLsr) & (kLsrThre | kLsrTemt)) == kLsrThre);  // B moved to the shifter
    wait(frame);
    wait(SC_ZERO_TIME);
    CHECK(r.sent == "AB");
    CHECK((b.rd(kLsr) & (kLsrThre | kLsrTemt)) == (kLsrThre | kLsrTemt));
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("UART: wide accesses are split into byte registers", "[bus][uart]") {
  Rig r;
  r.bench.body = [&] {
    // A 16-bit write at offset 6 touches MSR (ignored) and SCR.
    uint8_t data[2] = {0x12, 0x34};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kMsr);
    gp.set_data_ptr(data);
    gp.set_data_length(2);
    gp.set_streaming_width(2);
    sc_time d = SC_ZERO_TIME;
    r.bench.out->b_transport(gp, d);
    CHECK(gp.is_response_ok());
    CHECK(r.bench.rd(kScr) == 0x34);
    CHECK(r.bench.rd(kMsr) == 0xB0);
  };
  sc_core::sc_start();
  REQUIRE(r.bench.done);
}

TEST_CASE("UART: the file output backend receives the transmitted bytes", "[bus][uart]") {
  const std::string path = "/tmp/hvsim_test_uart_" + std::to_string(::getpid()) + ".txt";
  ParamRegistry::instance().set_override("com1.output", "file:" + path, SourceLoc{"test", 0, ""});
  {
    Bench bench("bench");
    Uart16550 uart("com1");
    bench.out.bind(uart.socket);
    uart.irq.bind(bench.irq);
    bench.body = [&] {
      for (char c : std::string("ok\n")) bench.wr(kRbrThrDll, static_cast<uint8_t>(c));
    };
    sc_core::sc_start();
    REQUIRE(bench.done);
    CHECK(uart.tx_bytes.value() == 3);
  }  // the sink closes the file with the UART
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "ok\n");
  std::remove(path.c_str());
}

TEST_CASE("UART: an unknown output backend is a ConfigError", "[bus][uart]") {
  ParamRegistry::instance().set_override("com1.output", "tty0", SourceLoc{"test", 0, ""});
  CHECK_THROWS_AS(Uart16550("com1"), ConfigError);
}
