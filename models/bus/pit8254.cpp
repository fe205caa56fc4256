#include "models/core/clock.h"
#include "models/bus/pit8254.h"

#include <algorithm>

#include "models/core/log.h"

namespace hvsim {

using namespace pit;

namespace pit {
namespace {

bool strobe_mode(uint8_t mode) { return mode == 4 || mode == 5; }
// Modes 1 and 5 count whatever GATE does (it only triggers); the others count only with GATE high.
bool counting(const CeConfig& cfg, const CeState& s) {
  return s.loaded && (cfg.mode == 1 || cfg.mode == 5 || cfg.gate);
}
uint32_t sub_mod(uint32_t v, uint64_t k, uint32_t m) {
  return static_cast<uint32_t>((v + m - k % m) % m);
}
// Mode 3 half periods: an odd count N gives (N + 1) / 2 CLKs high and (N - 1) / 2 low.
uint64_t half_period(bool high, uint32_t n) { return high ? (n + 1) / 2 : n / 2; }
// Mode 3 loads N rounded down to even (Intel: "the initial count minus one" for odd N) and counts by 2.
uint64_t mode3_elapsed(const CeState& s) { return ((s.phase_n & ~1u) - s.value) / 2; }
}  // namespace

// The per-CLK rules (Intel 8254 datasheet, "Mode definitions"), applied `k` times in closed form.
CeState advance(const CeConfig& cfg, CeState s, uint64_t k) {
  if (k == 0) return s;
  const uint32_t m = cfg.modulus;
  if (strobe_mode(cfg.mode) && !s.out) s.out = true;  // the strobe lasts one CLK
  if (s.load_pending) {
    // This CLK moves CR into CE; it does not count.
    s.load_pending = false;
    s.null_count = false;
    s.loaded = true;
    switch (cfg.mode) {
      case 0:  // OUT already low since the count was written
      case 1:  // the one-shot starts: OUT low until terminal count
        s.value = cfg.count % m;
        s.out = false;
        break;
      case 2:
        s.value = cfg.count;
        s.out = true;
        break;
      case 3:
        s.phase_n = cfg.count;
        s.value = cfg.count & ~1u;
        s.out = true;
        break;
      default:  // 4, 5
        s.value = cfg.count % m;
        s.out = true;
        s.armed = true;
        break;
    }
    if (--k == 0) return s;
  }
  if (!counting(cfg, s)) return s;
  switch (cfg.mode) {
    case 0:
    case 1: {  // OUT goes high when CE reaches 0 and stays high; CE wraps and keeps counting
      const uint64_t to_zero = s.value ? s.value : m;
      if (!s.out && k >= to_zero) s.out = true;
      s.value = sub_mod(s.value, k, m);
      break;
    }
    case 4:
    case 5: {  // OUT low for the one CLK at which CE reaches 0, once per count
      const uint64_t to_zero = s.value ? s.value : m;
      if (s.armed && k >= to_zero) {
        s.armed = false;
        s.out = k != to_zero;
      }
      s.value = sub_mod(s.value, k, m);
      break;
    }
    case 2: {  // N, N-1, ..., 1 (OUT low during 1), then reload from CR
      const uint64_t to_reload = s.value;
      if (k < to_reload) {
        s.value -= static_cast<uint32_t>(k);
      } else {
        s.null_count = false;
        s.value = cfg.count - static_cast<uint32_t>((k - to_reload) % cfg.count);
      }
      s.out = s.value != 1;
      break;
    }
    default: {  // 3: each half period ends with a reload from CR and OUT toggling
      const uint64_t to_toggle = half_period(s.out, s.phase_n) - mode3_elapsed(s);
      if (k < to_toggle) {
        s.value -= static_cast<uint32_t>(2 * k);
        break;
      }
      s.null_count = false;
      const uint32_t n = cfg.count;
      uint64_t j = (k - to_toggle) % n;  // the rest is periodic with period N
      bool high = !s.out;
      if (j >= half_period(high, n)) {
        j -= half_period(high, n);
        high = !high;
      }
      s.out = high;
      s.phase_n = n;
      s.value = (n & ~1u) - static_cast<uint32_t>(2 * j);
      break;
    }
  }
  return s;
}

uint64_t ticks_to_out_change(const CeConfig& cfg, const CeState& s) {
  if (strobe_mode(cfg.mode) && !s.out) return 1;
  if (s.load_pending) {
    const CeState s1 = advance(cfg, s, 1);
    if (s1.out != s.out) return 1;
    const uint64_t n = ticks_to_out_change(cfg, s1);
    return n ? n + 1 : 0;
  }
  if (!counting(cfg, s)) return 0;
  const uint64_t to_zero = s.value ? s.value : cfg.modulus;
  switch (cfg.mode) {
    case 0:
    case 1:
      return s.out ? 0 : to_zero;
    case 4:
    case 5:
      return s.armed ? to_zero : 0;
    case 2:
      return s.value == 1 ? 1 : s.value - 1;
    default:
      return half_period(s.out, s.phase_n) - mode3_elapsed(s);
  }
}
}  // namespace pit

Pit8254::Pit8254(sc_core::sc_module_name name)
    : sc_module(name),
      socket("socket"),
      port61("port61"),
      irq0("irq0"),
      clock_hz(this, "clock_hz", 1193182, "Hz",
               "CLK of the three counters; PC/AT: 14.31818 MHz / 12 = 1.1931817 MHz, rounded as Linux's "
               "PIT_TICK_RATE"),
      access_latency(this, "access_latency", 0, "ps",
                     "added to every port access; 0 because the hypervisor model charges the exit and the "
                     "device emulation"),
      bios_setup(this, "bios_setup", false, "bool",
                 "true: counter 0 starts in mode 2 with count 0 (65536: 18.2 Hz on IRQ 0), as SeaBIOS leaves it; "
                 "false: every counter unprogrammed (OUT low, no events)"),
      irq0_edges(this, "irq0_edges", "edges", "rising edges of OUT0 (IRQ 0 requests)"),
      control_words(this, "control_words", "writes", "control words that programmed a counter"),
      latches(this, "latches", "commands", "counter latch and read-back commands"),
      out0_ev_("out0_ev") {
  if (clock_hz.get() == 0) throw ConfigError(clock_hz.source(), "parameter " + clock_hz.name() + " must not be 0");
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::logic_error("Pit8254 needs the SystemC time resolution of 1 ps");
  for (unsigned c = 0; c < kNumCounters; ++c) {
    CeConfig cfg;
    cfg.gate = c != kCounter2;  // GATE0 and GATE1 are tied high; GATE2 is port 0x61 bit 0 (reset 0)
    ch_[c].segs.push_back(Segment{sc_core::SC_ZERO_TIME, 0, cfg, CeState{}});
  }
  if (bios_setup) {
    program_counter(kCounter0, static_cast<uint8_t>((kCwRwWord << kCwRwShift) | (2 << kCwModeShift)),
                    sc_core::SC_ZERO_TIME);
    ch_[kCounter0].cr = 0;
    count_written(kCounter0, sc_core::SC_ZERO_TIME);
  }
  socket.register_b_transport(this, &Pit8254::b_transport);
  port61.register_b_transport(this, &Pit8254::b_transport_port61);
  // Runs once at start-up to drive the initial level and schedule the first edge.
  SC_METHOD(out0_method);
  sensitive << out0_ev_;
}

uint64_t Pit8254::ticks_at(const sc_core::sc_time& t) const {
  return clock::ticks_floor(t, clock_hz.get());
}

sc_core::sc_time Pit8254::tick_time(uint64_t n) const {
  return clock::time_ceil(n, clock_hz.get());
}

// ---- Segments ---------------------------------------------------------------------------------

const Pit8254::Segment& Pit8254::segment_at(const Channel& ch, const sc_core::sc_time& t) const {
  for (auto it = ch.segs.rbegin(); it != ch.segs.rend(); ++it)
    if (it->start <= t) return *it;
  return ch.segs.front();  // only an initiator behind the pruned history gets here: its past is gone
}

CeState Pit8254::state_at(const Channel& ch, const sc_core::sc_time& t) const {
  const Segment& g = segment_at(ch, t);
  const uint64_t k = ticks_at(t);
  return advance(g.cfg, g.st, k > g.tick ? k - g.tick : 0);
}

// Guest actions on one counter arrive in time order from one vCPU. One that arrives earlier than the
// counter's last action (another initiator lagging behind) is applied at the last action's time.
Pit8254::Segment& Pit8254::change(unsigned c, const sc_core::sc_time& t0) {
  Channel& ch = ch_[c];
  const sc_core::sc_time t = std::max(t0, ch.segs.back().start);
  if (ch.segs.back().start == t) return ch.segs.back();
  const CeState s = state_at(ch, t);
  ch.segs.push_back(Segment{t, ticks_at(t), ch.segs.back().cfg, s});
  return ch.segs.back();
}

void Pit8254::changed(unsigned c, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (ch.segs.size() > 1 && ch.segs[1].start <= now) ch.segs.pop_front();
  // The earliest notification wins, so a pending later edge is replaced; the driver reschedules it.
  if (c == kCounter0) out0_ev_.notify(t > now ? t - now : sc_core::SC_ZERO_TIME);
}

void Pit8254::out0_method() {
  Channel& ch = ch_[kCounter0];
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (ch.segs.size() > 1 && ch.segs[1].start <= now) ch.segs.pop_front();
  const Segment& g = ch.segs.front();
  const uint64_t k = std::max(ticks_at(now), g.tick);
  const CeState s = advance(g.cfg, g.st, k - g.tick);
  if (s.out != out0_) {
    out0_ = s.out;
    if (s.out) ++irq0_edges;
    irq0.write(s.out);
  }
  sc_core::sc_time next = sc_core::SC_ZERO_TIME;
  bool have_next = false;
  if (const uint64_t dt = ticks_to_out_change(g.cfg, s)) {
    next = tick_time(k + dt);
    have_next = true;
  }
  if (ch.segs.size() > 1 && (!have_next || ch.segs[1].start < next)) {
    next = ch.segs[1].start;
    have_next = true;
  }
  if (have_next) out0_ev_.notify(next - now);
}

// ---- Guest accesses ---------------------------------------------------------------------------

void Pit8254::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const sc_core::sc_time t = sc_core::sc_time_stamp() + delay;  // when the access reaches the chip
  delay += sc_core::sc_time::from_value(access_latency.get());
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  if (len != 1 && warn_.allow())
    HVSIM_WARN(name(), "%u-byte %s at offset %llu: the 8254 has 8-bit ports, split into byte cycles", len,
               trans.is_read() ? "read" : "write", static_cast<unsigned long long>(trans.get_address()));
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t off = trans.get_address() + i;
    if (trans.is_read()) {
      // The control register cannot be read (its read cycle is a no-op: the bus floats).
      data[i] = off < kControl ? read_counter(static_cast<unsigned>(off), t) : 0xFF;
    } else if (trans.is_write()) {
      if (off < kControl)
        write_counter(static_cast<unsigned>(off), data[i], t);
      else if (off == kControl)
        write_control(data[i], t);
    }
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pit8254::b_transport_port61(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const sc_core::sc_time t = sc_core::sc_time_stamp() + delay;
  delay += sc_core::sc_time::from_value(access_latency.get());
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  for (unsigned i = 0; i < len; ++i) {
    if (trans.get_address() + i != 0) {
      if (trans.is_read()) data[i] = 0xFF;
      continue;
    }
    if (trans.is_read()) {
      uint8_t v = p61_;
      if ((ticks_at(t) / kRefreshTicks) & 1) v |= kP61Refresh;
      if (state_at(ch_[kCounter2], t).out) v |= kP61Out2;
      data[i] = v;
    } else if (trans.is_write()) {
      const bool gate = data[i] & kP61Gate2;
      if (gate != static_cast<bool>(p61_ & kP61Gate2)) set_gate(kCounter2, gate, t);
      p61_ = data[i] & kP61WriteMask;
    }
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint16_t Pit8254::encode(const Channel& ch, uint32_t value) const {
  const uint32_t v = value % (ch.bcd() ? 10000u : 65536u);
  if (!ch.bcd()) return static_cast<uint16_t>(v);
  return static_cast<uint16_t>((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

uint8_t Pit8254::read_counter(unsigned c, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  if (ch.status_latched) {  // a latched status is read before a latched count
    ch.status_latched = false;
    return ch.latched_status;
  }
  const uint16_t v = ch.count_latched ? ch.latched_count : encode(ch, state_at(ch, t).value);
  bool msb;
  switch (ch.rw()) {
    case kCwRwLsb:
      msb = false;
      break;
    case kCwRwMsb:
      msb = true;
      break;
    default:  // LSB then MSB; the read and write byte pointers are independent
      msb = ch.read_msb_next;
      ch.read_msb_next = !ch.read_msb_next;
      break;
  }
  // The latch holds until it has been read completely.
  if (ch.count_latched && (ch.rw() != kCwRwWord || msb)) ch.count_latched = false;
  return static_cast<uint8_t>(msb ? v >> 8 : v);
}

void Pit8254::write_counter(unsigned c, uint8_t v, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  switch (ch.rw()) {
    case kCwRwLsb:
      ch.cr = v;
      break;
    case kCwRwMsb:
      ch.cr = static_cast<uint16_t>(v << 8);
      break;
    default:
      if (!ch.write_msb_next) {
        ch.cr_lsb = v;
        ch.write_msb_next = true;
        // Mode 0: writing the first byte stops the count and sets OUT low at once.
        if (segment_at(ch, t).cfg.mode == 0) {
          Segment& g = change(c, t);
          g.st.loaded = g.st.load_pending = false;
          g.st.out = false;
          changed(c, t);
        }
        return;
      }
      ch.write_msb_next = false;
      ch.cr = static_cast<uint16_t>(v << 8 | ch.cr_lsb);
      break;
  }
  count_written(c, t);
}

uint32_t Pit8254::cr_count(unsigned c, uint8_t mode) {
  const Channel& ch = ch_[c];
  uint32_t n = ch.cr;
  if (ch.bcd()) {
    // Digits above 9 are undefined on the chip; each nibble is weighted by its decimal position.
    bool valid = true;
    for (unsigned d = 0; d < 4; ++d) valid = valid && ((n >> (4 * d)) & 0xF) <= 9;
    if (!valid && warn_.allow()) HVSIM_WARN(name(), "counter %u: count 0x%04x is not valid BCD", c, ch.cr);
    n = ((n >> 12) & 0xF) * 1000 + ((n >> 8) & 0xF) * 100 + ((n >> 4) & 0xF) * 10 + (n & 0xF);
    n %= 10000;
  }
  if (n == 0) n = ch.bcd() ? 10000 : 65536;
  if (n == 1 && (mode == 2 || mode == 3)) {
    if (warn_.allow())
      HVSIM_WARN(name(), "counter %u: count 1 is illegal in mode %u (8254 datasheet); counting it as 2", c, mode);
    n = 2;
  }
  return n;
}

void Pit8254::count_written(unsigned c, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  ch.has_count = true;
  Segment& g = change(c, t);
  g.cfg.count = cr_count(c, g.cfg.mode);
  g.st.null_count = true;
  switch (g.cfg.mode) {
    case 0:  // loaded on the next CLK; OUT low until terminal count
      g.st.out = false;
      g.st.loaded = false;
      g.st.load_pending = true;
      break;
    case 4:  // loaded on the next CLK, re-arming the strobe
      g.st.loaded = false;
      g.st.armed = false;
      g.st.load_pending = true;
      break;
    case 2:
    case 3:  // the first count starts the counter; later ones wait for the end of the current period
      if (!g.st.loaded) g.st.load_pending = true;
      break;
    default:  // 1, 5: the count waits for a GATE trigger
      break;
  }
  changed(c, t);
}

void Pit8254::write_control(uint8_t v, const sc_core::sc_time& t) {
  const unsigned sel = v >> kCwSelectShift;
  if (sel == kCwSelectReadBack) {
    ++latches;
    for (unsigned c = 0; c < kNumCounters; ++c) {
      if (!(v & (kRbCounter0 << c))) continue;
      if (!(v & kRbNotStatus)) latch_status(c, t);
      if (!(v & kRbNotCount)) latch_count(c, t);
    }
    if (v & 1u) {
      if (warn_.allow()) HVSIM_WARN(name(), "read-back command 0x%02x: bit 0 is reserved and must be 0", v);
    }
    return;
  }
  if (((v >> kCwRwShift) & 3) == kCwRwLatch) {
    ++latches;
    latch_count(sel, t);
    return;
  }
  program_counter(sel, v, t);
}

// A control word resets the counter's logic: OUT goes to its initial level (low in mode 0, high
// otherwise) and nothing counts until a count is written (or, in modes 1/5, triggered).
void Pit8254::program_counter(unsigned c, uint8_t v, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  ++control_words;
  ch.program = v & kCwProgramMask;
  ch.has_count = false;
  ch.write_msb_next = ch.read_msb_next = false;
  ch.count_latched = ch.status_latched = false;
  Segment& g = change(c, t);
  uint8_t mode = (v & kCwModeMask) >> kCwModeShift;
  if (mode > 5) mode -= 4;  // 110 and 111 are modes 2 and 3
  g.cfg.mode = mode;
  g.cfg.modulus = ch.bcd() ? 10000 : 65536;
  g.cfg.count = std::min(g.cfg.count, g.cfg.modulus);
  if ((mode == 2 || mode == 3) && g.cfg.count < 2) g.cfg.count = 2;
  g.st.out = mode != 0;
  g.st.loaded = g.st.load_pending = g.st.armed = false;
  g.st.null_count = true;
  changed(c, t);
}

void Pit8254::set_gate(unsigned c, bool level, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  Segment& g = change(c, t);
  const bool rising = level && !g.cfg.gate;
  g.cfg.gate = level;
  switch (g.cfg.mode) {
    case 2:
    case 3:  // GATE low stops the count and forces OUT high; its rising edge restarts from CR
      if (!level)
        g.st.out = true;
      else if (rising && ch.has_count)
        g.st.load_pending = true;
      break;
    case 1:
    case 5:  // the rising edge is the trigger
      if (rising && ch.has_count) g.st.load_pending = true;
      break;
    default:  // 0, 4: GATE only enables counting
      break;
  }
  changed(c, t);
}

void Pit8254::latch_count(unsigned c, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  if (ch.count_latched) return;  // further latch commands are ignored until the latch has been read
  ch.latched_count = encode(ch, state_at(ch, t).value);
  ch.count_latched = true;
}

void Pit8254::latch_status(unsigned c, const sc_core::sc_time& t) {
  Channel& ch = ch_[c];
  if (ch.status_latched) return;
  const CeState s = state_at(ch, t);
  ch.latched_status = static_cast<uint8_t>((s.out ? kStOut : 0) | (s.null_count ? kStNullCount : 0) | ch.program);
  ch.status_latched = true;
}

bool Pit8254::out_at(unsigned counter, const sc_core::sc_time& t) const {
  return state_at(ch_[counter], t).out;
}

uint16_t Pit8254::count_at(unsigned counter, const sc_core::sc_time& t) const {
  return encode(ch_[counter], state_at(ch_[counter], t).value);
}

}  // namespace hvsim
