// NS16550A UART (COM1 at 0x3F8, IRQ 4 on a PC): the full register set with 16-byte FIFOs, DLAB
// divisor latch, loopback and the PC's OUT2 interrupt gate (shared/specs/devices.md 9.1). Transmit
// goes to a pluggable sink; receive comes from push_rx(). By default a character leaves the moment
// THR is written; with model_baud_timing it takes (start + data + parity + stop) bits at the
// programmed baud rate.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/irq_driver.h"
#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

namespace uart {
// ---- Registers (offset from the base port) ----------------------------------------------------
//                                 DLAB=0 read    DLAB=0 write   DLAB=1           reset
constexpr uint8_t kRbrThrDll = 0;  // RBR          THR            DLL (divisor lo)  DLL 0x01
constexpr uint8_t kIerDlm = 1;     // IER          IER            DLM (divisor hi)  IER 0x00, DLM 0x00
constexpr uint8_t kIirFcr = 2;     // IIR          FCR                              IIR 0x01, FCR 0x00
constexpr uint8_t kLcr = 3;        // LCR          LCR                              0x00
constexpr uint8_t kMcr = 4;        // MCR          MCR                              0x00
constexpr uint8_t kLsr = 5;        // LSR          (factory test: ignored)          0x60
constexpr uint8_t kMsr = 6;        // MSR          (ignored)                        0xB0: DCD, DSR, CTS from the line
constexpr uint8_t kScr = 7;        // SCR          SCR                              0x00
constexpr unsigned kNumPorts = 8;
constexpr unsigned kFifoSize = 16;

// IER: interrupt enables (bits 7:4 read 0)
constexpr uint8_t kIerRxData = 1u << 0;     // ERBFI: received data available / character timeout
constexpr uint8_t kIerThre = 1u << 1;       // ETBEI: THR empty
constexpr uint8_t kIerLineStatus = 1u << 2; // ELSI: overrun, parity, framing error, break
constexpr uint8_t kIerModem = 1u << 3;      // EDSSI: modem status change
constexpr uint8_t kIerMask = 0x0F;

// IIR: bit 0 = 1 no interrupt pending; bits 3:1 the highest-priority source; 7:6 = 11 with FIFOs on
constexpr uint8_t kIirNoInt = 0x01;
constexpr uint8_t kIirLineStatus = 0x06;  // priority 1, cleared by reading LSR
constexpr uint8_t kIirRxData = 0x04;      // priority 2, cleared when the RX level falls below the trigger
constexpr uint8_t kIirTimeout = 0x0C;     // priority 2, cleared by reading RBR
constexpr uint8_t kIirThre = 0x02;        // priority 3, cleared by reading IIR (this source) or writing THR
constexpr uint8_t kIirModem = 0x00;       // priority 4, cleared by reading MSR
constexpr uint8_t kIirFifoEnabled = 0xC0;

// FCR (write only)
constexpr uint8_t kFcrEnable = 1u << 0;
constexpr uint8_t kFcrClearRx = 1u << 1;
constexpr uint8_t kFcrClearTx = 1u << 2;
constexpr uint8_t kFcrDmaMode = 1u << 3;  // no DMA on a PC: ignored
constexpr uint8_t kFcrTriggerShift = 6;   // RX trigger level 1/4/8/14 bytes

// LCR
constexpr uint8_t kLcrWordLength = 0x03;  // 5 + value data bits
constexpr uint8_t kLcrStop2 = 1u << 2;
constexpr uint8_t kLcrParity = 1u << 3;
constexpr uint8_t kLcrEvenParity = 1u << 4;
constexpr uint8_t kLcrStickParity = 1u << 5;
constexpr uint8_t kLcrBreak = 1u << 6;
constexpr uint8_t kLcrDlab = 1u << 7;

// MCR (bits 7:5 read 0)
constexpr uint8_t kMcrDtr = 1u << 0;
constexpr uint8_t kMcrRts = 1u << 1;
constexpr uint8_t kMcrOut1 = 1u << 2;
constexpr uint8_t kMcrOut2 = 1u << 3;  // on a PC it gates the interrupt onto the IRQ line
constexpr uint8_t kMcrLoop = 1u << 4;  // loopback: TX -> RX, MSR 7:4 mirror OUT2/OUT1/RTS/DTR, IRQ pin off
constexpr uint8_t kMcrMask = 0x1F;

// LSR
constexpr uint8_t kLsrDataReady = 1u << 0;
constexpr uint8_t kLsrOverrun = 1u << 1;
constexpr uint8_t kLsrParityError = 1u << 2;
constexpr uint8_t kLsrFramingError = 1u << 3;
constexpr uint8_t kLsrBreak = 1u << 4;
constexpr uint8_t kLsrThre = 1u << 5;  // THR (TX FIFO) empty
constexpr uint8_t kLsrTemt = 1u << 6;  // THR and shift register empty
constexpr uint8_t kLsrFifoError = 1u << 7;
constexpr uint8_t kLsrErrors = kLsrOverrun | kLsrParityError | kLsrFramingError | kLsrBreak;  // cleared by reading LSR

// MSR: deltas in 3:0 (cleared by reading MSR), line states in 7:4
constexpr uint8_t kMsrDcts = 1u << 0;
constexpr uint8_t kMsrDdsr = 1u << 1;
constexpr uint8_t kMsrTeri = 1u << 2;  // RI went from on to off
constexpr uint8_t kMsrDdcd = 1u << 3;
constexpr uint8_t kMsrCts = 1u << 4;
constexpr uint8_t kMsrDsr = 1u << 5;
constexpr uint8_t kMsrRi = 1u << 6;
constexpr uint8_t kMsrDcd = 1u << 7;
constexpr uint8_t kMsrDeltas = 0x0F;
}  // namespace uart

class Uart16550 : public sc_core::sc_module {
 public:
  using Sink = std::function<void(uint8_t)>;

  tlm_utils::simple_target_socket<Uart16550> socket;  // offset 0..7; wider accesses are split into bytes
  sc_core::sc_out<bool> irq;                          // true = IRQ asserted (already gated by MCR.OUT2)

  Param<std::string> output;
  Param<bool> model_baud_timing;
  Param<uint64_t> input_clock;
  Param<uint64_t> access_latency;

  Counter tx_bytes, rx_bytes, rx_overruns, tx_overruns, interrupts;

  explicit Uart16550(sc_core::sc_module_name name);

  // Replaces the sink chosen by the `output` parameter (tests capture output this way).
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  static Sink stdout_sink();
  static Sink file_sink(const std::string& path);  // throws ConfigError if the file cannot be created

  // Bytes arriving on the serial line (a backend or a test). A byte that finds the RX FIFO full is lost
  // and sets LSR.OE, as on the chip.
  void push_rx(uint8_t byte);
  void push_rx(const std::string& bytes);

  bool irq_asserted() const { return irq_driver_.level(); }
  uint16_t divisor() const { return static_cast<uint16_t>(dlm_ << 8 | dll_); }
  double baud() const;
  sc_core::sc_time char_time() const;  // one character with the current LCR framing and divisor

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  uint8_t read_reg(unsigned off);
  void write_reg(unsigned off, uint8_t v);
  void write_thr(uint8_t v);
  void write_fcr(uint8_t v);
  void set_mcr(uint8_t v);
  uint8_t iir() const;
  uint8_t lsr() const;
  bool rx_data_interrupt() const;
  void rx_enqueue(uint8_t byte);
  void restart_timeout();
  void update_irq();
  void timeout_method();
  void tx_done_method();
  void emit(uint8_t byte);

  // A small ring buffer: fixed storage, so no allocation per character.
  struct Fifo {
    std::array<uint8_t, uart::kFifoSize> buf{};
    unsigned head = 0, count = 0;
    void clear() { head = count = 0; }
    void push(uint8_t b) { buf[(head + count++) % uart::kFifoSize] = b; }
    uint8_t pop() {
      uint8_t b = buf[head];
      head = (head + 1) % uart::kFifoSize;
      --count;
      return b;
    }
  };
  unsigned fifo_capacity() const { return fifo_enabled_ ? uart::kFifoSize : 1; }

  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 1, dlm_ = 0;
  uint8_t lsr_errors_ = 0;      // LSR bits 4:1, sticky until LSR is read
  uint8_t msr_ = uart::kMsrDcd | uart::kMsrDsr | uart::kMsrCts;
  uint8_t rbr_ = 0;             // the last character read: RBR repeats it when the FIFO is empty
  bool fifo_enabled_ = false;
  unsigned rx_trigger_ = 1;
  bool thre_pending_ = false;   // the THRE interrupt source (separate from LSR.THRE, see IIR)
  bool timeout_pending_ = false;
  Fifo rx_, tx_;
  bool shifter_busy_ = false;   // timed mode: a character is on the wire
  uint8_t shifter_ = 0;
  sc_core::sc_event timeout_ev_, tx_done_ev_;
  Sink sink_;
  IrqDriver irq_driver_;
  WarnLimiter warn_;
};

}  // namespace hvsim
