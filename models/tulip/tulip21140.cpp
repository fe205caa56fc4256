#include "models/tulip/tulip21140.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "models/core/log.h"
#include "models/tulip/crc32.h"

namespace hvsim {

using namespace tulip;
using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_ZERO_TIME;

namespace {

using ull = unsigned long long;

// A frame walk never follows more descriptors than this: a ring of zero-sized buffers (or one that
// points to itself) must not keep an engine busy forever.
constexpr unsigned kMaxDescsPerFrame = 256;
// The 21140 jabber timer cuts a transmission that runs past 2048 bytes.
constexpr size_t kJabberBytes = 2048;
constexpr size_t kMaxRxFrame = 1518;  // with CRC; longer frames are received with TL set

PciId make_id() {
  PciId id;
  id.vendor = kVendorDec;
  id.device = kDevice21140;
  id.revision = kRevision21140A;
  id.class_code = kClassEthernet;
  id.interrupt_pin = 1;  // INTA#
  return id;
}

bool parse_mac(const std::string& s, std::array<uint8_t, 6>& out) {
  if (s.size() != 17) return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (unsigned i = 0; i < 6; ++i) {
    const int hi = hex(s[3 * i]), lo = hex(s[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

Tulip21140::Tulip21140(sc_core::sc_module_name name)
    : PciFunction(name, make_id()),
      mac(this, "mac", "52:54:00:12:34:56", "", "station address stored in the SROM (xx:xx:xx:xx:xx:xx)"),
      phy_address(this, "phy_address", 1, "", "MII management address of the PHY (0-31)"),
      pci_bandwidth(this, "pci_bandwidth", 133e6, "bytes/s",
                    "bus-master burst rate: 32-bit 33 MHz PCI (calibration P8)"),
      pci_access_overhead(this, "pci_access_overhead", 120000, "ps",
                          "per bus-master transaction: arbitration, address phase, turnaround (4 PCI clocks, "
                          "assumption)"),
      gp_timer_tick(this, "gp_timer_tick", 81920000, "ps",
                    "CSR11 count period: 81.92 us at 100 Mb/s (21143 HRM figure; 21140A unverified)"),
      rx_fifo_frames(this, "rx_fifo_frames", 4, "frames",
                     "frames that may wait for the RX engine; one more is missed (CSR8) (assumption)"),
      loopback_bps(this, "loopback_bps", 100000000, "bit/s", "internal loopback rate without an attached link"),
      tx_frames(this, "tx_frames", "frames", "frames handed to the link (or looped back)"),
      tx_bytes(this, "tx_bytes", "bytes", "bytes of transmitted frames, without FCS"),
      rx_frames(this, "rx_frames", "frames", "frames written to RX descriptors"),
      rx_bytes(this, "rx_bytes", "bytes", "bytes of received frames, without FCS"),
      missed_frames(this, "missed_frames", "frames", "frames lost for lack of a host buffer or FIFO room"),
      setup_frames(this, "setup_frames", "frames", "setup frames processed"),
      interrupts(this, "interrupts", "interrupts", "INTA# assertions"),
      filtered_frames(this, "filtered_frames", "frames", "frames rejected by the address filter"),
      rx_ignored_frames(this, "rx_ignored_frames", "frames",
                        "frames heard while the receive process was stopped or in internal loopback, or "
                        "flushed from the FIFO by a stop, reset or bus error (no CSR counts them)"),
      tx_carrier_errors(this, "tx_carrier_errors", "frames", "frames sent without carrier (link down)"),
      mdio_(phy_, static_cast<unsigned>(phy_address.get() & 0x1F)) {
  if (!parse_mac(mac.get(), mac_bytes_))
    throw ConfigError(mac.name() + ": '" + mac.get() + "' is not a MAC address of the form 52:54:00:12:34:56");
  if (mac_bytes_[0] & 1) throw ConfigError(mac.name() + ": '" + mac.get() + "' is a multicast address");
  if (phy_address.get() > 31) throw ConfigError(phy_address.name() + ": must be 0..31");
  if (!(pci_bandwidth.get() > 0)) throw ConfigError(pci_bandwidth.name() + ": must be positive");
  if (gp_timer_tick.get() == 0) throw ConfigError(gp_timer_tick.name() + ": must be positive");
  if (loopback_bps.get() == 0) throw ConfigError(loopback_bps.name() + ": must be positive");

  declare_bar(kBarCbio, PciBarType::Io, kCsrSpace);
  declare_bar(kBarCbma, PciBarType::Mem32, kCsrSpace);
  config().add("CFDA", kCfgCfda, 4, 0, Access::RW);

  srom_.words() = Srom93c46::build_image(mac_bytes_.data(), static_cast<unsigned>(phy_address.get()));
  csr_ = {};
  for (unsigned i = 0; i < kNumCsrs; ++i) csr_[i] = kCsrReset[i];

  SC_THREAD(tx_thread);
  SC_THREAD(rx_thread);
  SC_METHOD(timer_expired);
  sensitive << timer_ev_;
  dont_initialize();
  SC_METHOD(loopback_deliver);
  sensitive << loopback_ev_;
  dont_initialize();
}

void Tulip21140::attach(net::EthLink& link) {
  link_ = &link;
  phy_.set_partner(link.bits_per_second(), link.full_duplex());
  phy_.power_on_link(link.link_up());
}

// ---- Registers ---------------------------------------------------------------------------------------

bool Tulip21140::bar_read(unsigned, uint64_t offset, uint8_t* data, unsigned len, sc_time&) {
  const unsigned lane = offset % kCsrStride;
  if (offset >= kCsrSpace || len == 0 || len > 4 || lane + len > 4) {
    if (warn_.allow())
      HVSIM_WARN(name(), "CSR read of %u byte(s) at offset 0x%llx: not a CSR; reads as ones", len,
                 static_cast<ull>(offset));
    std::memset(data, 0xFF, len);
    return true;
  }
  if (len != 4 && warn_.allow())
    HVSIM_WARN(name(), "CSR%u read of %u byte(s): the 21140 expects longword accesses", unsigned(offset / 8), len);
  const uint32_t v = read_csr(static_cast<unsigned>(offset / kCsrStride));
  for (unsigned i = 0; i < len; ++i) data[i] = static_cast<uint8_t>(v >> (8 * (lane + i)));
  return true;
}

bool Tulip21140::bar_write(unsigned, uint64_t offset, const uint8_t* data, unsigned len, sc_time&) {
  if (offset >= kCsrSpace || len != 4 || offset % kCsrStride != 0) {
    if (warn_.allow())
      HVSIM_WARN(name(), "CSR write of %u byte(s) at offset 0x%llx ignored: only aligned longword writes reach "
                 "a CSR", len, static_cast<ull>(offset));
    return true;
  }
  write_csr(static_cast<unsigned>(offset / kCsrStride), le32(data));
  return true;
}

uint32_t Tulip21140::csr5_value() const {
  const uint32_t en = csr_[CSR7];
  uint32_t v = kCsr5Reserved | csr5_sources_ | rs_ << kCsr5RsShift | ts_ << kCsr5TsShift;
  if (csr5_sources_ & en & kCsr5NormalSources) v |= kCsr5Nis;
  if (csr5_sources_ & en & kCsr5AbnormalSources) v |= kCsr5Ais;
  if (csr5_sources_ & kCsr5Fbe) v |= eb_ << kCsr5EbShift;
  return v;
}

uint32_t Tulip21140::timer_count() const {
  if (timer_load_ == 0) return 0;
  const uint64_t elapsed = static_cast<uint64_t>((sc_time_stamp() - timer_start_).value() /
                                                 sc_time(static_cast<double>(gp_timer_tick.get()), sc_core::SC_PS).value());
  return elapsed >= timer_load_ ? 0 : static_cast<uint32_t>(timer_load_ - elapsed);
}

uint32_t Tulip21140::csr(unsigned n) const {
  switch (n) {
    case CSR5: return csr5_value();
    case CSR8: return kCsr8Reserved | (missed_overflow_ ? kCsr8Overflow : 0) | missed_;
    case CSR9: {
      if (!csr9_driven_) return csr_[CSR9];
      uint32_t v = csr_[CSR9] & ~(kCsr9SromDo | kCsr9Mdi);
      if ((csr_[CSR9] & kCsr9Sr) && srom_.data_out()) v |= kCsr9SromDo;
      if (mdio_.mdi()) v |= kCsr9Mdi;
      return v;
    }
    case CSR11: return kCsr11Reserved | (csr_[CSR11] & kCsr11Con) | timer_count();
    case CSR12: return ((gp_data_ & gp_dir_) & kCsr12PinMask);  // input pins are not connected: read 0
    default: return n < kNumCsrs ? csr_[n] : 0xFFFFFFFF;
  }
}

uint32_t Tulip21140::read_csr(unsigned n) {
  const uint32_t v = csr(n);
  if (n == CSR8) {  // reading clears the counter and its overflow bit
    missed_ = 0;
    missed_overflow_ = false;
  }
  return v;
}

void Tulip21140::write_csr(unsigned n, uint32_t v) {
  switch (n) {
    case CSR0:
      if (v & kCsr0Swr) {
        software_reset();
        return;
      }
      csr_[CSR0] = (kCsrReset[CSR0] & ~kCsr0Writable) | (v & kCsr0Writable);
      if ((v & kCsr0Dbo) && warn_.allow())
        HVSIM_WARN(name(), "CSR0.DBO (big-endian descriptors) is not modelled: descriptors stay little-endian");
      return;
    case CSR1:
      tx_poll_ = true;
      tx_kick_.notify(SC_ZERO_TIME);
      return;
    case CSR2:
      rx_poll_ = true;
      rx_kick_.notify(SC_ZERO_TIME);
      return;
    case CSR3:
    case CSR4: {
      const bool running = n == CSR3 ? rs_ != kRsStopped : ts_ != kTsStopped;
      if (running && warn_.allow())
        HVSIM_WARN(name(), "CSR%u written while the %s process runs: the current descriptor moves too", n,
                   n == CSR3 ? "RX" : "TX");
      csr_[n] = v & ~3u;
      (n == CSR3 ? rx_cur_ : tx_cur_) = csr_[n];
      return;
    }
    case CSR5:
      csr5_sources_ &= ~(v & kCsr5W1c);
      if (!(csr5_sources_ & kCsr5Fbe)) eb_ = 0;
      update_irq();
      return;
    case CSR6:
      write_csr6(v);
      return;
    case CSR7:
      csr_[CSR7] = (kCsrReset[CSR7] & ~kCsr5W1c) | (v & kCsr5W1c);
      update_irq();
      return;
    case CSR8:
      return;  // read-only
    case CSR9:
      write_csr9(v);
      return;
    case CSR11:
      csr_[CSR11] = kCsr11Reserved | (v & (kCsr11Con | kCsr11ValueMask));
      timer_ev_.cancel();
      timer_load_ = v & kCsr11ValueMask;
      timer_start_ = sc_time_stamp();
      if (timer_load_)
        timer_ev_.notify(sc_time(static_cast<double>(gp_timer_tick.get()) * timer_load_, sc_core::SC_PS));
      return;
    case CSR12:
      if (v & kCsr12Gpc)
        gp_dir_ = v & kCsr12PinMask;
      else
        gp_data_ = v & kCsr12PinMask;
      return;
    default:
      csr_[n] = v;
      return;
  }
}

void Tulip21140::write_csr6(uint32_t v) {
  const uint32_t old = csr_[CSR6];
  csr_[CSR6] = (v & ~kCsr6FilterBits) | (old & kCsr6FilterBits);
  if ((old ^ v) & kCsr6St) tx_kick_.notify(SC_ZERO_TIME);
  if ((old ^ v) & kCsr6Sr) rx_kick_.notify(SC_ZERO_TIME);
}

void Tulip21140::write_csr9(uint32_t v) {
  csr_[CSR9] = v;
  csr9_driven_ = true;
  // The SROM sees chip select only while the serial ROM is selected (CSR9.SR).
  srom_.pins((v & kCsr9Sr) && (v & kCsr9SromCs), v & kCsr9SromSk, v & kCsr9SromDi);
  mdio_.pins(v & kCsr9Mdc, v & kCsr9Mdo, v & kCsr9MiiRead);
}

void Tulip21140::software_reset() {
  ++generation_;
  fatal_ = false;
  for (unsigned i = 0; i < kNumCsrs; ++i) csr_[i] = kCsrReset[i];
  csr5_sources_ = 0;
  eb_ = 0;
  ts_ = kTsStopped;
  rs_ = kRsStopped;
  missed_ = 0;
  missed_overflow_ = false;
  gp_dir_ = gp_data_ = 0;
  timer_ev_.cancel();
  timer_load_ = 0;
  csr9_driven_ = false;
  srom_.pins(false, false, false);
  tx_cur_ = rx_cur_ = 0;
  tx_poll_ = rx_poll_ = false;
  in_flight_ = InFlight{};
  discard_rx_fifo();
  loopback_.clear();
  perfect_ = {};
  hash_ = {};
  hash_perfect_ = {};
  filter_ = FilterType::kPerfect;
  update_irq();
  tx_kick_.notify(SC_ZERO_TIME);
  rx_kick_.notify(SC_ZERO_TIME);
}

void Tulip21140::update_irq() {
  const uint32_t v = csr5_value();
  const bool level = ((v & kCsr5Nis) && (csr_[CSR7] & kCsr5Nis)) || ((v & kCsr5Ais) && (csr_[CSR7] & kCsr5Ais));
  if (level && !irq_level_) ++interrupts;
  irq_level_ = level;
  set_irq(level);
}

void Tulip21140::raise(uint32_t bits) {
  csr5_sources_ |= bits & kCsr5W1c & ~(kCsr5Nis | kCsr5Ais);
  update_irq();
}

void Tulip21140::timer_expired() {
  raise(kCsr5Gte);
  if (csr_[CSR11] & kCsr11Con) {  // continuous mode: reload and count down again
    timer_start_ = sc_time_stamp();
    timer_ev_.notify(sc_time(static_cast<double>(gp_timer_tick.get()) * timer_load_, sc_core::SC_PS));
  } else {
    timer_load_ = 0;
  }
}

// ---- DMA ---------------------------------------------------------------------------------------------

sc_time Tulip21140::burst_time(unsigned len) const {
  return sc_time(static_cast<double>(pci_access_overhead.get()), sc_core::SC_PS) +
         sc_time(len / pci_bandwidth.get(), sc_core::SC_SEC);
}

sc_time Tulip21140::wire_time(size_t bytes, uint64_t bps) const {
  const double bits = static_cast<double>((bytes + net::kFcsBytes + net::kPreambleSfdBytes + net::kInterFrameGapBytes) * 8);
  return sc_time(bits / static_cast<double>(bps), sc_core::SC_SEC);
}

void Tulip21140::fatal_bus_error() {
  // The chip stops both processes and all bus mastering until a software reset.
  ++generation_;
  fatal_ = true;
  ts_ = kTsStopped;
  rs_ = kRsStopped;
  in_flight_ = InFlight{};
  discard_rx_fifo();
  eb_ = kEbMasterAbort;
  raise(kCsr5Fbe);
  if (warn_.allow()) HVSIM_WARN(name(), "fatal bus error: DMA refused; TX and RX stopped until CSR0.SWR");
}

bool Tulip21140::dma_in(uint64_t addr, void* data, unsigned len) {
  sc_time d = SC_ZERO_TIME;
  if (!dma_read(addr, data, len, d)) {
    fatal_bus_error();
    return false;
  }
  wait(d + burst_time(len));
  return true;
}

bool Tulip21140::dma_out(uint64_t addr, const void* data, unsigned len) {
  sc_time d = SC_ZERO_TIME;
  if (!dma_write(addr, data, len, d)) {
    fatal_bus_error();
    return false;
  }
  wait(d + burst_time(len));
  return true;
}

bool Tulip21140::read_desc(uint32_t addr, uint32_t d[4]) {
  uint8_t b[kDescBytes];
  if (!dma_in(addr, b, kDescBytes)) return false;
  for (int i = 0; i < 4; ++i) d[i] = le32(b + 4 * i);
  return true;
}

uint32_t Tulip21140::next_desc(uint32_t cur, uint32_t ctl, uint32_t d3, uint32_t end_of_ring, uint32_t chain,
                               uint32_t base) const {
  if (ctl & end_of_ring) return base;  // RER/TER win over RCH/TCH (Linux sets both pointers)
  if (ctl & chain) return d3 & ~3u;
  const uint32_t dsl = (csr_[CSR0] & kCsr0DslMask) >> kCsr0DslShift;
  return cur + kDescBytes + dsl * 4;
}

// ---- TX engine ----------------------------------------------------------------------------------------

void Tulip21140::tx_thread() {
  // A kick that arrives while tx_run() is busy is not lost: the state says whether to run again.
  for (;;) {
    tx_run();
    const bool st = csr_[CSR6] & kCsr6St;
    const bool again = !fatal_ && ((st != (ts_ != kTsStopped)) || (st && ts_ == kTsSuspended && tx_poll_));
    if (!again) wait(tx_kick_);
  }
}

bool Tulip21140::tx_close_in_flight() {
  if (!in_flight_.valid) return true;
  const uint64_t gen = generation_;
  const InFlight f = in_flight_;
  if (f.end > sc_time_stamp()) {
    set_ts(kTsWaitEnd);
    wait(f.end - sc_time_stamp());
    if (gen != generation_) return false;
  }
  set_ts(kTsClose);
  in_flight_.valid = false;
  for (size_t i = 0; i < f.descs.size(); ++i) {
    uint8_t b[4];
    const uint32_t v = i + 1 == f.descs.size() ? f.status : 0;  // OWN cleared on every descriptor
    for (int k = 0; k < 4; ++k) b[k] = static_cast<uint8_t>(v >> (8 * k));
    if (!dma_out(f.descs[i], b, 4) || gen != generation_) return false;
  }
  if (f.ic) raise(kCsr5Ti);
  return true;
}

sc_time Tulip21140::tx_wire(const net::EthFramePtr& frame, uint32_t& status) {
  const sc_time now = sc_time_stamp();
  const size_t len = frame->bytes.size();
  if (((csr_[CSR6] & kCsr6OmMask) >> kCsr6OmShift) == kOmInternalLoopback) {
    // Internal loopback: the frame turns around inside the chip and never reaches the link.
    const uint64_t bps = link_ ? link_->bits_per_second() : loopback_bps.get();
    const sc_time end = std::max(now, loopback_busy_until_) + wire_time(len, bps);
    loopback_busy_until_ = end;
    loopback_.emplace_back(end, frame);
    loopback_ev_.notify(end - now);
    return end;
  }
  if (link_ && link_->link_up()) return link_->transmit(frame, now);
  // No carrier: the MAC sends into a dead medium and reports it in TDES0.
  status |= kTdes0Es | kTdes0Lo | kTdes0Nc;
  ++tx_carrier_errors;
  return now + wire_time(len, link_ ? link_->bits_per_second() : loopback_bps.get());
}

void Tulip21140::loopback_deliver() {
  while (!loopback_.empty() && loopback_.front().first <= sc_time_stamp()) {
    net::EthFramePtr f = loopback_.front().second;
    loopback_.pop_front();
    enqueue_rx(std::move(f));
  }
}

void Tulip21140::tx_setup_frame(uint32_t addr, const uint32_t d[4]) {
  const uint64_t gen = generation_;
  set_ts(kTsSetup);
  const unsigned size = d[1] & kTdes1Tbs1Mask;
  std::array<uint8_t, kSetupFrameBytes> buf{};
  if (size != kSetupFrameBytes) {
    if (warn_.allow())
      HVSIM_WARN(name(), "setup frame at 0x%08x has %u bytes, not 192: filter left unchanged", addr, size);
  } else {
    if (!dma_in(d[2], buf.data(), kSetupFrameBytes) || gen != generation_) return;
    filter_ = static_cast<FilterType>(((d[1] & kTdes1Ft1) ? 2 : 0) | ((d[1] & kTdes1Ft0) ? 1 : 0));
    auto addr_at = [&](unsigned off) {
      std::array<uint8_t, 6> a;
      for (unsigned w = 0; w < 3; ++w) {  // only the low 16 bits of each longword count
        a[2 * w] = buf[off + 4 * w];
        a[2 * w + 1] = buf[off + 4 * w + 1];
      }
      return a;
    };
    if (filter_ == FilterType::kHash || filter_ == FilterType::kHashOnly) {
      for (unsigned i = 0; i < hash_.size(); ++i) hash_[i] = static_cast<uint16_t>(buf[4 * i] | buf[4 * i + 1] << 8);
      hash_perfect_ = addr_at(kSetupHashPerfectOffset);
    } else {
      for (unsigned e = 0; e < kSetupPerfectEntries; ++e) perfect_[e] = addr_at(e * kSetupEntryBytes);
    }
    // CSR6 HP/HO/IF report the filtering type the setup frame selected.
    uint32_t bits = 0;
    switch (filter_) {
      case FilterType::kPerfect: break;
      case FilterType::kHash: bits = kCsr6Hp; break;
      case FilterType::kInverse: bits = kCsr6If; break;
      case FilterType::kHashOnly: bits = kCsr6Hp | kCsr6Ho; break;
    }
    csr_[CSR6] = (csr_[CSR6] & ~kCsr6FilterBits) | bits;
  }
  set_ts(kTsClose);
  const uint8_t st[4] = {static_cast<uint8_t>(kTdes0SetupDone), static_cast<uint8_t>(kTdes0SetupDone >> 8),
                         static_cast<uint8_t>(kTdes0SetupDone >> 16), static_cast<uint8_t>(kTdes0SetupDone >> 24)};
  if (!dma_out(addr, st, 4) || gen != generation_) return;
  ++setup_frames;
  if (d[1] & kTdes1Ic) raise(kCsr5Ti);
  tx_cur_ = next_desc(addr, d[1], d[3], kTdes1Ter, kTdes1Tch, csr_[CSR4]);
}

void Tulip21140::tx_run() {
  const uint64_t gen = generation_;
  if (fatal_) return;
  if (!(csr_[CSR6] & kCsr6St)) {
    if (ts_ != kTsStopped) {
      if (!tx_close_in_flight()) return;  // the frame on the wire finishes first
      set_ts(kTsStopped);
      raise(kCsr5Tps);
    }
    return;
  }
  if (ts_ == kTsSuspended && !tx_poll_) return;  // only a poll demand resumes a suspended process
  for (;;) {
    if (gen != generation_) return;
    if (!(csr_[CSR6] & kCsr6St)) {
      if (!tx_close_in_flight()) return;
      set_ts(kTsStopped);
      raise(kCsr5Tps);
      return;
    }
    // A ring shorter than two frames leads back to a descriptor still on the wire: close it first,
    // so that its OWN bit is cleared before the engine looks at it again.
    if (in_flight_.valid &&
        std::find(in_flight_.descs.begin(), in_flight_.descs.end(), tx_cur_) != in_flight_.descs.end() &&
        !tx_close_in_flight())
      return;
    set_ts(kTsFetch);
    tx_poll_ = false;
    uint32_t d[4];
    const uint32_t first = tx_cur_;
    if (!read_desc(first, d) || gen != generation_) return;
    if (!(d[0] & kDesc0Own)) {
      if (!tx_close_in_flight()) return;
      if (tx_poll_) continue;  // a poll demand came in meanwhile: look again
      set_ts(kTsSuspended);
      raise(kCsr5Tu);
      return;
    }
    if (d[1] & kTdes1Set) {
      if (!tx_close_in_flight()) return;
      tx_setup_frame(first, d);
      continue;
    }
    if (!(d[1] & kTdes1Fs)) {
      // Not the start of a frame: close and skip it. Linux queues such an empty descriptor before
      // each setup frame (a chip erratum workaround), so only a non-empty one is worth a warning.
      if ((d[1] & (kTdes1Tbs1Mask | kTdes1Tbs1Mask << kTdes1Tbs2Shift)) && warn_.allow())
        HVSIM_WARN(name(), "TX descriptor 0x%08x without FS outside a frame: skipped", first);
      const uint8_t zero[4] = {0, 0, 0, 0};
      if (!dma_out(first, zero, 4) || gen != generation_) return;
      tx_cur_ = next_desc(first, d[1], d[3], kTdes1Ter, kTdes1Tch, csr_[CSR4]);
      continue;
    }

    // Gather the frame's buffers up to the LS descriptor.
    std::vector<uint8_t> data;
    std::vector<uint32_t> descs;
    uint32_t addr = first, last_ctl = 0, status = 0;
    bool jabber = false;
    for (unsigned n = 0;; ++n) {
      set_ts(kTsRead);
      const unsigned sizes[2] = {d[1] & kTdes1Tbs1Mask,
                                 (d[1] & kTdes1Tch) ? 0u : (d[1] >> kTdes1Tbs2Shift) & kTdes1Tbs1Mask};
      const uint32_t bufs[2] = {d[2], d[3]};
      for (int b = 0; b < 2 && !jabber; ++b) {
        if (!sizes[b]) continue;  // a zero size means "no buffer" (Linux leaves a pointer in buffer 2)
        if (data.size() + sizes[b] > kJabberBytes) {
          jabber = true;
          break;
        }
        const size_t at = data.size();
        data.resize(at + sizes[b]);
        if (!dma_in(bufs[b], data.data() + at, sizes[b]) || gen != generation_) return;
      }
      descs.push_back(addr);
      const uint32_t nxt = next_desc(addr, d[1], d[3], kTdes1Ter, kTdes1Tch, csr_[CSR4]);
      if ((d[1] & kTdes1Ls) || jabber || n + 1 >= kMaxDescsPerFrame) {
        last_ctl = d[1];
        tx_cur_ = nxt;
        if (!(d[1] & kTdes1Ls)) jabber = true;
        break;
      }
      addr = nxt;
      if (!read_desc(addr, d) || gen != generation_) return;
      if (!(d[0] & kDesc0Own)) {
        // The rest of the frame is not there: the FIFO runs dry. Close what was taken with an
        // underflow, and suspend at the descriptor the host still owns.
        if (!tx_close_in_flight()) return;
        in_flight_ = InFlight{true, descs, kTdes0Es | kTdes0Uf, false, sc_time_stamp()};
        if (!tx_close_in_flight()) return;
        if (warn_.allow())
          HVSIM_WARN(name(), "TX frame at 0x%08x: descriptor 0x%08x not owned before LS: underflow", first, addr);
        tx_cur_ = addr;
        set_ts(kTsSuspended);
        raise(kCsr5Unf | kCsr5Tu);
        return;
      }
    }

    if (jabber) {
      // Longer than the jabber limit (or no LS within the walk bound): cut off, not transmitted.
      if (warn_.allow())
        HVSIM_WARN(name(), "TX frame at 0x%08x exceeds %zu bytes or %u descriptors: jabber timeout", first,
                   kJabberBytes, kMaxDescsPerFrame);
      if (!tx_close_in_flight()) return;
      in_flight_ = InFlight{true, descs, kTdes0Es | kTdes0To, (last_ctl & kTdes1Ic) != 0, sc_time_stamp()};
      if (!tx_close_in_flight()) return;
      raise(kCsr5Tjt);
      continue;
    }

    if (last_ctl & kTdes1Ac) {
      // The host supplied the FCS in the buffer; the link carries frames without it.
      data.resize(data.size() >= net::kFcsBytes ? data.size() - net::kFcsBytes : 0);
    } else if (!(last_ctl & kTdes1Dpd) && data.size() < net::kMinFrameNoFcs) {
      data.resize(net::kMinFrameNoFcs, 0);
    }
    auto frame = std::make_shared<net::EthFrame>();
    frame->bytes = std::move(data);
    const size_t len = frame->bytes.size();
    const sc_time end = tx_wire(frame, status);
    ++tx_frames;
    tx_bytes += len;
    // Close the previous frame at its end time while this one waits behind it on the wire.
    if (!tx_close_in_flight()) return;
    in_flight_ = InFlight{true, descs, status, (last_ctl & kTdes1Ic) != 0, end};
  }
}

// ---- RX engine ----------------------------------------------------------------------------------------

void Tulip21140::eth_receive(net::EthFramePtr frame) {
  if (((csr_[CSR6] & kCsr6OmMask) >> kCsr6OmShift) == kOmInternalLoopback) {
    ++rx_ignored_frames;  // RX hears only TX
    return;
  }
  enqueue_rx(std::move(frame));
}

void Tulip21140::eth_link_changed(bool up) { phy_.set_link(up); }

void Tulip21140::enqueue_rx(net::EthFramePtr frame) {
  if (!frame) return;
  if (!(csr_[CSR6] & kCsr6Sr) || fatal_) {
    ++rx_ignored_frames;  // a stopped receiver ignores the medium
    return;
  }
  if (rx_queue_.size() >= rx_fifo_frames.get()) {
    count_missed();
    return;
  }
  rx_queue_.push_back(std::move(frame));
  rx_kick_.notify(SC_ZERO_TIME);
}

void Tulip21140::discard_rx_fifo() {
  rx_ignored_frames += rx_queue_.size();
  rx_queue_.clear();
}

void Tulip21140::count_missed() {
  ++missed_frames;
  if (missed_ == kCsr8CountMask)
    missed_overflow_ = true;
  else
    ++missed_;
}

void Tulip21140::rx_thread() {
  for (;;) {
    rx_run();
    const bool sr = csr_[CSR6] & kCsr6Sr;
    const bool again = !fatal_ && ((sr != (rs_ != kRsStopped)) || (sr && rs_ == kRsSuspended && rx_poll_) ||
                                   (sr && !rx_queue_.empty()));
    if (!again) wait(rx_kick_);
  }
}

void Tulip21140::rx_run() {
  const uint64_t gen = generation_;
  if (fatal_) return;
  if (!(csr_[CSR6] & kCsr6Sr)) {
    discard_rx_fifo();
    if (rs_ != kRsStopped) {
      set_rs(kRsStopped);
      raise(kCsr5Rps);
    }
    return;
  }
  if (rs_ == kRsStopped || (rs_ == kRsSuspended && rx_poll_)) {
    // Start or poll demand: look at the current descriptor.
    rx_poll_ = false;
    set_rs(kRsFetch);
    uint32_t d[4];
    if (!read_desc(rx_cur_, d) || gen != generation_) return;
    if (d[0] & kDesc0Own) {
      set_rs(kRsWait);
    } else {
      set_rs(kRsSuspended);
      raise(kCsr5Ru);
    }
  }
  while (!rx_queue_.empty()) {
    if (gen != generation_) return;
    if (!(csr_[CSR6] & kCsr6Sr)) {
      rx_run();  // stop
      return;
    }
    net::EthFramePtr f = rx_queue_.front();
    rx_queue_.pop_front();
    rx_frame(*f);
  }
}

bool Tulip21140::rx_accept(const uint8_t* da, bool& filter_fail) const {
  const bool multicast = da[0] & 1;
  auto in_perfect = [&] {
    for (const auto& a : perfect_)
      if (std::equal(a.begin(), a.end(), da)) return true;
    return false;
  };
  auto in_hash = [&] {
    const uint32_t idx = crc32_le_raw(da, 6) & (kSetupHashBits - 1);
    return ((hash_[idx >> 4] >> (idx & 15)) & 1) != 0;
  };
  bool match = false;
  switch (filter_) {
    case FilterType::kPerfect: match = in_perfect(); break;
    case FilterType::kInverse: match = !in_perfect(); break;
    case FilterType::kHash: match = multicast ? in_hash() : std::equal(hash_perfect_.begin(), hash_perfect_.end(), da); break;
    case FilterType::kHashOnly: match = in_hash(); break;
  }
  if (match) return true;
  if (multicast && (csr_[CSR6] & kCsr6Pm)) return true;
  if (csr_[CSR6] & (kCsr6Pr | kCsr6Ra)) {
    filter_fail = true;
    return true;
  }
  return false;
}

bool Tulip21140::rx_frame(const net::EthFrame& frame) {
  const uint64_t gen = generation_;
  const std::vector<uint8_t>& bytes = frame.bytes;
  bool filter_fail = false;
  if (bytes.size() < 14 || !rx_accept(bytes.data(), filter_fail)) {
    ++filtered_frames;
    return true;
  }
  const bool runt = bytes.size() < net::kMinFrameNoFcs;
  if (runt && !(csr_[CSR6] & (kCsr6Pb | kCsr6Ra))) {
    ++filtered_frames;  // runts are discarded unless bad frames pass
    return true;
  }
  // The frame as the MAC stores it: data then the CRC-32 it computed, least significant byte first.
  std::vector<uint8_t> data(bytes);
  const uint32_t fcs = crc32_ieee(bytes.data(), bytes.size());
  for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
  uint32_t flags = 0;
  if (bytes[0] & 1) flags |= kRdes0Mf;
  if ((bytes[12] << 8 | bytes[13]) > 1500) flags |= kRdes0Ft;
  if (data.size() > kMaxRxFrame) flags |= kRdes0Tl;
  if (runt) flags |= kRdes0Rf | kRdes0Es;
  if (filter_fail) flags |= kRdes0Ff;

  const bool was_suspended = rs_ == kRsSuspended;
  set_rs(kRsFetch);
  rx_poll_ = false;  // this fetch answers any poll demand made so far
  uint32_t addr = rx_cur_, d[4];
  if (!read_desc(addr, d) || gen != generation_) return false;
  if (!(d[0] & kDesc0Own)) {
    // No host buffer: the frame is missed; the process suspends (RU once on entry).
    count_missed();
    if (!was_suspended) raise(kCsr5Ru);
    set_rs(kRsSuspended);
    return false;
  }
  set_rs(kRsQueue);
  size_t off = 0;
  bool first = true;
  auto write_status = [&](uint32_t a, uint32_t v) {
    uint8_t b[4];
    for (int k = 0; k < 4; ++k) b[k] = static_cast<uint8_t>(v >> (8 * k));
    return dma_out(a, b, 4) && gen == generation_;
  };
  for (unsigned n = 0;; ++n) {
    const unsigned sizes[2] = {d[1] & kRdes1Rbs1Mask,
                               (d[1] & kRdes1Rch) ? 0u : (d[1] >> kRdes1Rbs2Shift) & kRdes1Rbs1Mask};
    const uint32_t bufs[2] = {d[2], d[3]};
    for (int b = 0; b < 2 && off < data.size(); ++b) {
      const unsigned take = static_cast<unsigned>(std::min<size_t>(sizes[b], data.size() - off));
      if (!take) continue;
      if (!dma_out(bufs[b], data.data() + off, take) || gen != generation_) return false;
      off += take;
    }
    const uint32_t nxt = next_desc(addr, d[1], d[3], kRdes1Rer, kRdes1Rch, csr_[CSR3]);
    const uint32_t fs = first ? kRdes0Fs : 0;
    if (off == data.size()) {
      set_rs(kRsClose);
      const uint32_t st = fs | kRdes0Ls | flags | static_cast<uint32_t>(data.size()) << kRdes0FlShift;
      if (!write_status(addr, st)) return false;
      rx_cur_ = nxt;
      ++rx_frames;
      rx_bytes += bytes.size();
      raise(kCsr5Ri);
      // The process fetches the next descriptor at once: without a buffer it suspends now (RU), so the
      // driver learns it must refill before the next frame is lost.
      set_rs(kRsFetch);
      if (!read_desc(rx_cur_, d) || gen != generation_) return false;
      if (d[0] & kDesc0Own) {
        set_rs(kRsWait);
        return true;
      }
      set_rs(kRsSuspended);
      raise(kCsr5Ru);
      return true;
    }
    uint32_t nd[4] = {0, 0, 0, 0};
    const bool walk_exhausted = n + 1 >= kMaxDescsPerFrame;
    if (!walk_exhausted && (!read_desc(nxt, nd) || gen != generation_)) return false;
    if (walk_exhausted || !(nd[0] & kDesc0Own)) {
      // Out of host buffers inside the frame: truncate it in this descriptor (DE) and suspend.
      if (walk_exhausted && warn_.allow())
        HVSIM_WARN(name(), "RX frame of %zu bytes did not fit in %u descriptors: truncated", data.size(),
                   kMaxDescsPerFrame);
      const uint32_t st = fs | kRdes0Ls | kRdes0De | kRdes0Es | flags |
                          (static_cast<uint32_t>(off) << kRdes0FlShift & kRdes0FlMask);
      if (!write_status(addr, st)) return false;
      rx_cur_ = nxt;
      raise(kCsr5Ri | kCsr5Ru);
      set_rs(kRsSuspended);
      return false;
    }
    if (!write_status(addr, fs)) return false;  // an intermediate descriptor: OWN cleared, FS on the first
    first = false;
    addr = nxt;
    std::copy(nd, nd + 4, d);
  }
}

}  // namespace hvsim
