#include "models/bus/uart16550.h"

#include <cstdio>
#include <memory>

#include "models/core/log.h"

namespace hvsim {

using namespace uart;

namespace {
const char* reg_name(unsigned off, bool read, bool dlab) {
  static const char* kRead[] = {"RBR", "IER", "IIR", "LCR", "MCR", "LSR", "MSR", "SCR"};
  static const char* kWrite[] = {"THR", "IER", "FCR", "LCR", "MCR", "LSR", "MSR", "SCR"};
  if (dlab && off == kRbrThrDll) return "DLL";
  if (dlab && off == kIerDlm) return "DLM";
  return off < kNumPorts ? (read ? kRead : kWrite)[off] : "?";
}
}  // namespace

Uart16550::Uart16550(sc_core::sc_module_name name)
    : sc_module(name),
      socket("socket"),
      irq("irq"),
      output(this, "output", "stdout", "",
             "where transmitted characters go: stdout, none or file:PATH (the guest console by default)"),
      model_baud_timing(this, "model_baud_timing", false, "bool",
                        "false: THR empties at once (a console should not slow the guest); true: each character "
                        "takes its serial frame time at input_clock / (16 * divisor) baud"),
      input_clock(this, "input_clock", 1843200, "Hz",
                  "UART reference clock; 1.8432 MHz on the PC, giving 115200 baud at divisor 1"),
      access_latency(this, "access_latency", 0, "ps",
                     "added to every register access; 0 because the exit cost model charges device emulation"),
      tx_bytes(this, "tx_bytes", "bytes", "characters sent to the output (not counting loopback)"),
      rx_bytes(this, "rx_bytes", "bytes", "characters accepted into the receiver"),
      rx_overruns(this, "rx_overruns", "bytes", "received characters lost because the receiver was full (LSR.OE)"),
      tx_overruns(this, "tx_overruns", "bytes", "THR writes lost because the transmit FIFO was full (timed mode)"),
      interrupts(this, "interrupts", "events", "rising edges of the IRQ output"),
      irq_driver_(irq) {
  const std::string& out = output.get();
  if (out == "stdout")
    sink_ = stdout_sink();
  else if (out == "none" || out.empty())
    sink_ = nullptr;
  else if (out.rfind("file:", 0) == 0)
    sink_ = file_sink(out.substr(5));
  else
    throw ConfigError(output.source(), "parameter " + output.name() + ": '" + out +
                                           "' is not stdout, none or file:PATH");

  socket.register_b_transport(this, &Uart16550::b_transport);
  SC_HAS_PROCESS(Uart16550);
  SC_METHOD(timeout_method);
  sensitive << timeout_ev_;
  dont_initialize();
  SC_METHOD(tx_done_method);
  sensitive << tx_done_ev_;
  dont_initialize();
}

Uart16550::Sink Uart16550::stdout_sink() {
  return [](uint8_t b) {
    std::fputc(b, stdout);
    if (b == '\n') std::fflush(stdout);  // line-buffered even when stdout is a pipe, so logs interleave
  };
}

Uart16550::Sink Uart16550::file_sink(const std::string& path) {
  std::shared_ptr<std::FILE> f(std::fopen(path.c_str(), "wb"), [](std::FILE* p) {
    if (p) std::fclose(p);
  });
  if (!f) throw ConfigError(SourceLoc{path, 0, ""}, "cannot create the UART output file");
  return [f](uint8_t b) { std::fputc(b, f.get()); };
}

double Uart16550::baud() const {
  const unsigned div = divisor() ? divisor() : 0x10000u;  // a zero divisor divides by 65536 on the 16550
  return static_cast<double>(input_clock.get()) / (16.0 * div);
}

sc_core::sc_time Uart16550::char_time() const {
  const unsigned bits = 1 + (5 + (lcr_ & kLcrWordLength)) + ((lcr_ & kLcrParity) ? 1 : 0) + ((lcr_ & kLcrStop2) ? 2 : 1);
  return sc_core::sc_time(bits * 1e12 / baud(), sc_core::SC_PS);
}

void Uart16550::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += sc_core::sc_time(static_cast<double>(access_latency.get()), sc_core::SC_PS);
  const uint64_t off = trans.get_address();
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  if (len != 1 && warn_.allow())
    HVSIM_WARN(name(), "%u-byte %s at %s (offset %llu): the 16550 has 8-bit registers, split into byte accesses", len,
               trans.is_read() ? "read" : "write", reg_name(static_cast<unsigned>(off), trans.is_read(), lcr_ & kLcrDlab),
               static_cast<unsigned long long>(off));
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t o = off + i;
    if (o >= kNumPorts) {
      if (trans.is_read()) data[i] = 0xFF;  // past the UART: nothing drives the bus
      continue;
    }
    if (trans.is_read())
      data[i] = read_reg(static_cast<unsigned>(o));
    else if (trans.is_write())
      write_reg(static_cast<unsigned>(o), data[i]);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint8_t Uart16550::lsr() const {
  uint8_t v = lsr_errors_;
  if (rx_.count) v |= kLsrDataReady;
  if (tx_.count == 0) v |= kLsrThre;
  if (tx_.count == 0 && !shifter_busy_) v |= kLsrTemt;
  return v;
}

bool Uart16550::rx_data_interrupt() const { return fifo_enabled_ ? rx_.count >= rx_trigger_ : rx_.count > 0; }

uint8_t Uart16550::iir() const {
  const uint8_t fifo = fifo_enabled_ ? kIirFifoEnabled : 0;
  if ((ier_ & kIerLineStatus) && lsr_errors_) return fifo | kIirLineStatus;
  if ((ier_ & kIerRxData) && rx_data_interrupt()) return fifo | kIirRxData;
  if ((ier_ & kIerRxData) && timeout_pending_ && rx_.count) return fifo | kIirTimeout;
  if ((ier_ & kIerThre) && thre_pending_) return fifo | kIirThre;
  if ((ier_ & kIerModem) && (msr_ & kMsrDeltas)) return fifo | kIirModem;
  return fifo | kIirNoInt;
}

void Uart16550::update_irq() {
  const bool pending = !(iir() & kIirNoInt);
  // OUT2 enables the PC's IRQ buffer; loopback forces the OUT pins inactive, so the line stays quiet.
  const bool out = pending && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop);
  if (out == irq_driver_.level()) return;
  if (out) ++interrupts;
  irq_driver_.set(out);
}

uint8_t Uart16550::read_reg(unsigned off) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (off) {
    case kRbrThrDll: {
      if (dlab) return dll_;
      if (rx_.count) rbr_ = rx_.pop();
      timeout_pending_ = false;
      restart_timeout();
      update_irq();
      return rbr_;
    }
    case kIerDlm:
      return dlab ? dlm_ : ier_;
    case kIirFcr: {
      const uint8_t v = iir();
      if ((v & 0x0F) == kIirThre) {
        thre_pending_ = false;
        update_irq();
      }
      return v;
    }
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      const uint8_t v = lsr();
      if (lsr_errors_) {
        lsr_errors_ = 0;
        update_irq();
      }
      return v;
    }
    case kMsr: {
      const uint8_t v = msr_;
      if (msr_ & kMsrDeltas) {
        msr_ &= static_cast<uint8_t>(~kMsrDeltas);
        update_irq();
      }
      return v;
    }
    default:
      return scr_;
  }
}

void Uart16550::write_reg(unsigned off, uint8_t v) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (off) {
    case kRbrThrDll:
      if (dlab)
        dll_ = v;
      else
        write_thr(v);
      break;
    case kIerDlm:
      if (dlab) {
        dlm_ = v;
      } else {
        const uint8_t old = ier_;
        ier_ = v & kIerMask;
        // Enabling ETBEI with THR empty raises THRE at once (Linux's probe and tx start rely on it);
        // only the rising edge re-arms it, as on Bochs/QEMU.
        if ((ier_ ^ old) & kIerThre) thre_pending_ = (ier_ & kIerThre) && tx_.count == 0;
        update_irq();
      }
      break;
    case kIirFcr:
      write_fcr(v);
      break;
    case kLcr:
      lcr_ = v;
      break;
    case kMcr:
      set_mcr(v & kMcrMask);
      break;
    case kLsr:
    case kMsr:
      if (warn_.allow())
        HVSIM_WARN(name(), "write 0x%02x to read-only %s ignored", v, off == kLsr ? "LSR" : "MSR");
      break;
    default:
      scr_ = v;
      break;
  }
}

void Uart16550::write_thr(uint8_t v) {
  thre_pending_ = false;  // writing THR clears the THRE interrupt
  if (!model_baud_timing) {
    emit(v);
    thre_pending_ = true;  // the character left at once: THR is empty again
    update_irq();
    return;
  }
  if (!shifter_busy_) {
    shifter_ = v;
    shifter_busy_ = true;
    tx_done_ev_.notify(char_time());
    thre_pending_ = true;  // THR moved straight into the shift register
  } else if (tx_.count < fifo_capacity()) {
    tx_.push(v);
  } else {
    ++tx_overruns;
    if (warn_.allow()) HVSIM_WARN(name(), "THR write 0x%02x while the transmit FIFO is full: character lost", v);
  }
  update_irq();
}

void Uart16550::tx_done_method() {
  emit(shifter_);
  if (tx_.count) {
    shifter_ = tx_.pop();
    tx_done_ev_.notify(char_time());
    if (tx_.count == 0) thre_pending_ = true;
  } else {
    shifter_busy_ = false;
  }
  update_irq();
}

void Uart16550::emit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    rx_enqueue(byte);
    return;
  }
  ++tx_bytes;
  if (sink_) sink_(byte);
}

void Uart16550::write_fcr(uint8_t v) {
  const bool enable = v & kFcrEnable;
  const bool tx_was_busy = tx_.count != 0;
  if (enable != fifo_enabled_) {  // toggling the FIFO mode resets both FIFOs
    rx_.clear();
    tx_.clear();
    timeout_pending_ = false;
  }
  fifo_enabled_ = enable;
  if (enable) {  // the other bits are programmed only together with bit 0
    if (v & kFcrClearRx) {
      rx_.clear();
      timeout_pending_ = false;
    }
    if (v & kFcrClearTx) tx_.clear();
    static constexpr unsigned kTrigger[] = {1, 4, 8, 14};
    rx_trigger_ = kTrigger[v >> kFcrTriggerShift];
  }
  if (tx_was_busy && tx_.count == 0) thre_pending_ = true;
  restart_timeout();
  update_irq();
}

void Uart16550::set_mcr(uint8_t v) {
  const uint8_t old_lines = msr_ & 0xF0;
  mcr_ = v;
  uint8_t lines;
  if (v & kMcrLoop) {
    lines = ((v & kMcrOut2) ? kMsrDcd : 0) | ((v & kMcrOut1) ? kMsrRi : 0) | ((v & kMcrDtr) ? kMsrDsr : 0) |
            ((v & kMcrRts) ? kMsrCts : 0);
  } else {
    lines = kMsrDcd | kMsrDsr | kMsrCts;  // the backend is a connected terminal
  }
  const uint8_t changed = old_lines ^ lines;
  uint8_t deltas = 0;
  if (changed & kMsrCts) deltas |= kMsrDcts;
  if (changed & kMsrDsr) deltas |= kMsrDdsr;
  if (changed & kMsrDcd) deltas |= kMsrDdcd;
  if ((old_lines & kMsrRi) && !(lines & kMsrRi)) deltas |= kMsrTeri;
  msr_ = static_cast<uint8_t>(lines | (msr_ & kMsrDeltas) | deltas);
  update_irq();
}

void Uart16550::push_rx(uint8_t byte) { rx_enqueue(byte); }

void Uart16550::push_rx(const std::string& bytes) {
  for (char c : bytes) rx_enqueue(static_cast<uint8_t>(c));
}

void Uart16550::rx_enqueue(uint8_t byte) {
  if (rx_.count >= fifo_capacity()) {
    lsr_errors_ |= kLsrOverrun;
    ++rx_overruns;
    // Without FIFO the new character overwrites RBR; with FIFO it dies in the shift register.
    if (!fifo_enabled_) {
      rx_.clear();
      rx_.push(byte);
    }
  } else {
    rx_.push(byte);
    ++rx_bytes;
  }
  restart_timeout();
  update_irq();
}

// The character timeout fires when the FIFO holds data and nothing arrived or was read for four
// character times.
void Uart16550::restart_timeout() {
  timeout_ev_.cancel();
  if (fifo_enabled_ && rx_.count) timeout_ev_.notify(4 * char_time());
}

void Uart16550::timeout_method() {
  if (!rx_.count) return;
  timeout_pending_ = true;
  update_irq();
}

}  // namespace hvsim
