// Intel 8254 programmable interval timer as wired on a PC (ports 0x40-0x43; counter 0 OUT = IRQ 0,
// counter 2 GATE/OUT at port 0x61). All six modes, binary and BCD counting, the counter latch and
// read-back commands, and the three read/write access modes.
//
// Time: CLK is free running from SystemC time 0. Tick n (n >= 1) happens at ceil(n * 1e12 / clock_hz)
// ps, so at time t exactly floor(t_ps * clock_hz / 1e12) ticks have happened. A guest access takes
// effect at sc_time_stamp() + the annotated delay (LT). Nothing runs per tick: each counter keeps its
// state at the last guest action and computes any later state in closed form; the only event is the
// next edge of OUT0, which drives irq0.
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

namespace pit {
// ---- Ports (offset within `socket`; PC 0x40-0x43) -----------------------------------------------
//                              read                           write                        reset
constexpr uint8_t kCounter0 = 0;  // count / latch / status    count (CR)                   unprogrammed
constexpr uint8_t kCounter1 = 1;  // (PC/AT: DRAM refresh)
constexpr uint8_t kCounter2 = 2;  // (PC: speaker, TSC calibration; GATE2/OUT2 at port 0x61)
constexpr uint8_t kControl = 3;   // floats: 0xFF              control word / latch / read-back
constexpr unsigned kNumPorts = 4;
constexpr unsigned kNumCounters = 3;

// ---- Control word (port 3) ----------------------------------------------------------------------
constexpr uint8_t kCwBcd = 1u << 0;          // 1 = four-decade BCD counter (modulus 10000)
constexpr uint8_t kCwModeShift = 1;          // bits 3:1 M2 M1 M0; 6 and 7 alias modes 2 and 3
constexpr uint8_t kCwModeMask = 0x0E;
constexpr uint8_t kCwRwShift = 4;            // bits 5:4
constexpr uint8_t kCwRwLatch = 0;            //   00 counter latch command
constexpr uint8_t kCwRwLsb = 1;              //   01 LSB only
constexpr uint8_t kCwRwMsb = 2;              //   10 MSB only
constexpr uint8_t kCwRwWord = 3;             //   11 LSB then MSB
constexpr uint8_t kCwSelectShift = 6;        // bits 7:6 counter 0-2; 3 = read-back command
constexpr uint8_t kCwSelectReadBack = 3;
constexpr uint8_t kCwProgramMask = 0x3F;     // the bits the status byte reports back

// ---- Read-back command (control word with bits 7:6 = 11) ----------------------------------------
constexpr uint8_t kRbNotCount = 1u << 5;     // 0 = latch the count of each selected counter
constexpr uint8_t kRbNotStatus = 1u << 4;    // 0 = latch the status of each selected counter
constexpr uint8_t kRbCounter0 = 1u << 1;     // bits 3:1 select counters 2, 1, 0
constexpr uint8_t kRbCounter1 = 1u << 2;
constexpr uint8_t kRbCounter2 = 1u << 3;

// ---- Status byte (read after a read-back with STATUS = 0; read before a latched count) ----------
constexpr uint8_t kStOut = 1u << 7;          // OUT pin
constexpr uint8_t kStNullCount = 1u << 6;    // the last count written has not reached the counter yet
                                             // bits 5:0: control word bits 5:0 as programmed

// ---- Port 0x61: PIIX4 NMI status and control (offset 0 of `port61`) -----------------------------
//                                    reset 0x00
constexpr uint8_t kP61Gate2 = 1u << 0;       // RW  GATE of counter 2
constexpr uint8_t kP61SpeakerData = 1u << 1; // RW  speaker data enable (no audio: stored only)
constexpr uint8_t kP61SerrEnable = 1u << 2;  // RW  PCI SERR# NMI enable (stored only, no NMI sources)
constexpr uint8_t kP61IochkEnable = 1u << 3; // RW  IOCHK# NMI enable (stored only)
constexpr uint8_t kP61Refresh = 1u << 4;     // RO  refresh cycle toggle: flips every 18 CLKs (15.09 us)
constexpr uint8_t kP61Out2 = 1u << 5;        // RO  OUT of counter 2
constexpr uint8_t kP61WriteMask = 0x0F;      // bits 7:6 (NMI source status) read 0
constexpr unsigned kRefreshTicks = 18;       // the PC/AT BIOS programs counter 1 to 18 for DRAM refresh

// ---- The counting element, in closed form ---------------------------------------------------------
// The state between two CLK ticks. advance() applies n ticks at once; it is exactly n applications of
// the datasheet's per-CLK rules (tests/unit/test_bus_pit.cpp checks that against a step-by-step run).
struct CeState {
  uint32_t value = 0;         // CE; modes 2/3: 1..count (count may equal the modulus), else 0..modulus-1
  uint32_t phase_n = 0;       // mode 3: the count in force for the current half period
  bool out = false;           // OUT pin
  bool load_pending = false;  // the next CLK moves CR into CE (count written, or a GATE trigger)
  bool loaded = false;        // CE holds a count (modes 0/4: counting; 2/3: running; 1/5: triggered)
  bool armed = false;         // modes 4/5: the strobe of this count has not happened yet
  bool null_count = true;     // CR written but not yet moved into CE
};
// What stays constant between two guest actions on a counter.
struct CeConfig {
  uint8_t mode = 0;           // 0..5
  uint32_t modulus = 65536;   // 65536 binary, 10000 BCD
  uint32_t count = 65536;     // CR as a count, 1..modulus (a written 0 is the modulus; modes 2/3: >= 2)
  bool gate = true;
};
CeState advance(const CeConfig& cfg, CeState s, uint64_t ticks);
// Ticks until OUT next changes, with the configuration unchanged; 0 = never.
uint64_t ticks_to_out_change(const CeConfig& cfg, const CeState& s);
}  // namespace pit

class Pit8254 : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Pit8254> socket;  // offsets 0-3 (0x40-0x43); wider accesses split into bytes
  tlm_utils::simple_target_socket<Pit8254> port61;  // offset 0 (0x61): GATE2 in, OUT2 and refresh toggle out
  sc_core::sc_out<bool> irq0;                       // OUT of counter 0

  Param<uint64_t> clock_hz;
  Param<uint64_t> access_latency;
  Param<bool> bios_setup;

  Counter irq0_edges, control_words, latches;

  SC_HAS_PROCESS(Pit8254);
  explicit Pit8254(sc_core::sc_module_name name);

  // The CLK time base (exact integer arithmetic, see the file comment).
  uint64_t ticks_at(const sc_core::sc_time& t) const;
  sc_core::sc_time tick_time(uint64_t n) const;
  // A counter's OUT and CE at time t >= the last guest action on it (no side effects; for tests/traces).
  bool out_at(unsigned counter, const sc_core::sc_time& t) const;
  uint16_t count_at(unsigned counter, const sc_core::sc_time& t) const;  // as a read would return it

 private:
  static constexpr uint8_t kDefaultProgram = pit::kCwRwWord << pit::kCwRwShift;  // mode 0, LSB/MSB, binary

  // The counter's evolution from `start` on, until the next guest action (a new segment). Older
  // segments stay until global time passes them, because OUT0's driver runs at global time while a
  // vCPU may already have acted (up to a quantum) later.
  struct Segment {
    sc_core::sc_time start;
    uint64_t tick;  // ticks_at(start)
    pit::CeConfig cfg;
    pit::CeState st;
  };
  struct Channel {
    uint8_t program = kDefaultProgram;  // control word bits 5:0: RW, mode as written, BCD
    uint16_t cr = 0;                    // count register as written (BCD digits if BCD)
    bool has_count = false;             // a count was written since the control word
    bool write_msb_next = false, read_msb_next = false;
    uint8_t cr_lsb = 0;
    bool count_latched = false, status_latched = false;
    uint16_t latched_count = 0;
    uint8_t latched_status = 0;
    std::deque<Segment> segs;
    unsigned rw() const { return (program >> pit::kCwRwShift) & 3; }
    bool bcd() const { return program & pit::kCwBcd; }
  };

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void b_transport_port61(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void out0_method();

  uint8_t read_counter(unsigned c, const sc_core::sc_time& t);
  void write_counter(unsigned c, uint8_t v, const sc_core::sc_time& t);
  void write_control(uint8_t v, const sc_core::sc_time& t);
  void program_counter(unsigned c, uint8_t v, const sc_core::sc_time& t);
  void count_written(unsigned c, const sc_core::sc_time& t);
  void set_gate(unsigned c, bool level, const sc_core::sc_time& t);
  void latch_count(unsigned c, const sc_core::sc_time& t);
  void latch_status(unsigned c, const sc_core::sc_time& t);

  const Segment& segment_at(const Channel& ch, const sc_core::sc_time& t) const;
  pit::CeState state_at(const Channel& ch, const sc_core::sc_time& t) const;
  Segment& change(unsigned c, const sc_core::sc_time& t);  // a new segment at t (or the last one if at t)
  void changed(unsigned c, const sc_core::sc_time& t);     // after a change: prune, wake OUT0's driver
  uint32_t cr_count(unsigned c, uint8_t mode);
  uint16_t encode(const Channel& ch, uint32_t value) const;

  Channel ch_[pit::kNumCounters];
  uint8_t p61_ = 0;
  bool out0_ = false;
  sc_core::sc_event out0_ev_;
  WarnLimiter warn_;
};

}  // namespace hvsim
