// Unit bench for the DEC 21140 model: the NIC's DMA goes to a Memory, its link is a recording test
// double with 100 Mb/s timing, and the bench initiator drives the configuration and CSR sockets.
// Descriptors and buffers are placed in RAM directly, as a driver would have written them.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/bus/memory.h"
#include "models/core/params.h"
#include "models/tulip/tulip21140.h"
#include "tests/unit/bench_harness.h"

using namespace hvsim;
using namespace sc_core;

namespace {

// ---- Independent reference helpers (not the model's) ---------------------------------------------
// Linux ether_crc_le: reflected CRC-32, initial ones, no final complement.
uint32_t ref_crc_le(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFF;
  while (n--) {
    uint8_t c = *p++;
    for (int bit = 0; bit < 8; ++bit, c >>= 1) crc = (crc >> 1) ^ (((crc ^ c) & 1) ? 0xEDB88320u : 0u);
  }
  return crc;
}
// Running the FCS-including frame through the CRC leaves this residue (IEEE 802.3 magic number).
constexpr uint32_t kCrcResidue = 0xDEBB20E3;  // ~0x2144DF1C: the un-complemented residue of ref_crc_le

constexpr uint32_t kTxRing = 0x1000, kRxRing = 0x2000, kSetupBuf = 0x3000, kTxBuf = 0x4000, kRxBuf = 0x8000;
constexpr unsigned kOwn = 0x80000000u;
constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

// The test double: records frames and their ready/end times; 100 Mb/s, preamble + IFG per frame.
class FakeLink : public net::EthLink {
 public:
  struct Sent {
    net::EthFramePtr frame;
    sc_time ready, end;
  };
  std::vector<Sent> sent;
  bool up = true;
  sc_time last_end = SC_ZERO_TIME;

  sc_time transmit(net::EthFramePtr frame, const sc_time& ready) override {
    const size_t bits = (frame->bytes.size() + 4 + 20) * 8;
    const sc_time end = std::max(ready, last_end) + sc_time(10.0 * static_cast<double>(bits), SC_NS);
    last_end = end;
    sent.push_back({frame, ready, end});
    return end;
  }
  bool link_up() const override { return up; }
  uint64_t bits_per_second() const override { return 100000000; }
  bool full_duplex() const override { return true; }
};

// Adds the PciBarExtension the host bridge would add (BAR0, CBIO).
class BarAdapter : public sc_module {
 public:
  tlm_utils::simple_target_socket<BarAdapter> in{"in"};
  tlm_utils::simple_initiator_socket<BarAdapter> out{"out"};
  explicit BarAdapter(sc_module_name n) : sc_module(n) { in.register_b_transport(this, &BarAdapter::b_transport); }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    PciBarExtension ext;
    ext.bar = 0;
    gp.set_extension(&ext);
    out->b_transport(gp, delay);
    gp.clear_extension(&ext);
  }
};

class Bench : public testbench::BusInitiator {
 public:
  socket_type& cfg = socket(0);
  socket_type& bar = socket(1);
  explicit Bench(sc_module_name n) : BusInitiator(n, {"cfg", "bar"}, kStopAfterBody) {}
  uint32_t csr(unsigned n) { return read32(bar, n * 8); }
  void csr_w(unsigned n, uint32_t v) { write32(bar, n * 8, v); }
};

struct Rig {
  Bench bench{"bench"};
  BarAdapter adapter{"adapter"};
  Tulip21140 nic{"nic"};
  Memory ram{"ram", 0x10000};
  FakeLink link;
  sc_signal<bool> intx{"intx"};

  Rig() {
    bench.cfg.bind(nic.cfg);
    bench.bar.bind(adapter.in);
    adapter.out.bind(nic.bar);
    nic.dma.bind(ram.socket);
    nic.intx.bind(intx);
    nic.attach(link);
  }

  uint8_t* mem(uint32_t a) { return ram.data() + a; }
  void w32(uint32_t a, uint32_t v) { std::memcpy(mem(a), &v, 4); }  // x86 host: little-endian
  uint32_t r32(uint32_t a) {
    uint32_t v;
    std::memcpy(&v, mem(a), 4);
    return v;
  }
  void desc(uint32_t a, uint32_t status, uint32_t ctl, uint32_t b1, uint32_t b2) {
    w32(a + 4, ctl);
    w32(a + 8, b1);
    w32(a + 12, b2);
    w32(a, status);  // OWN last, as drivers do
  }
  // Bus master + I/O enable, software reset, list bases, all interrupts enabled.
  void up() {
    bench.write16(bench.cfg, 0x04, 0x0007);
    bench.csr_w(0, 1);
    wait(1, SC_US);
    bench.csr_w(3, kRxRing);
    bench.csr_w(4, kTxRing);
    bench.csr_w(7, 0x0001EBEF);
  }
  // The Linux tulip_up setup frame: broadcast everywhere, own address in entry 15, plus `extra`.
  void setup_perfect(std::vector<std::array<uint8_t, 6>> addrs, uint32_t desc_addr = kTxRing) {
    std::memset(mem(kSetupBuf), 0xFF, 192);
    addrs.push_back({kMac[0], kMac[1], kMac[2], kMac[3], kMac[4], kMac[5]});
    const unsigned first = 16 - static_cast<unsigned>(addrs.size());
    for (unsigned i = 0; i < addrs.size(); ++i)
      for (unsigned w = 0; w < 3; ++w) {
        const uint16_t v = static_cast<uint16_t>(addrs[i][2 * w] | addrs[i][2 * w + 1] << 8);
        w32(kSetupBuf + (first + i) * 12 + 4 * w, v | static_cast<uint32_t>(v) << 16);
      }
    desc(desc_addr, kOwn, 0x08000000 | 192, kSetupBuf, 0);
  }
  // Linux build_setup_frame_hash.
  void setup_hash(const std::vector<std::array<uint8_t, 6>>& mcast) {
    uint16_t table[32] = {};
    table[255 >> 4] |= 1 << (255 & 15);  // broadcast
    for (const auto& a : mcast) {
      const uint32_t idx = ref_crc_le(a.data(), 6) & 0x1FF;
      table[idx >> 4] |= static_cast<uint16_t>(1 << (idx & 15));
    }
    std::memset(mem(kSetupBuf), 0, 192);
    for (unsigned i = 0; i < 32; ++i) w32(kSetupBuf + 4 * i, table[i] | static_cast<uint32_t>(table[i]) << 16);
    for (unsigned w = 0; w < 3; ++w) {
      const uint16_t v = static_cast<uint16_t>(kMac[2 * w] | kMac[2 * w + 1] << 8);
      w32(kSetupBuf + 156 + 4 * w, v | static_cast<uint32_t>(v) << 16);
    }
    desc(kTxRing, kOwn, 0x08400000 | 192, kSetupBuf, 0);
  }
  // RX ring of `n` descriptors with `size`-byte buffers, RER on the last.
  void rx_ring(unsigned n, unsigned size, bool owned = true) {
    for (unsigned i = 0; i < n; ++i)
      desc(kRxRing + 16 * i, owned ? kOwn : 0, size | (i + 1 == n ? 0x02000000u : 0u), kRxBuf + 0x800 * i, 0);
  }
  static net::EthFramePtr frame(const std::array<uint8_t, 6>& da, size_t len, uint8_t seed = 0) {
    auto f = std::make_shared<net::EthFrame>();
    f->bytes.resize(len);
    for (size_t i = 0; i < len; ++i) f->bytes[i] = static_cast<uint8_t>(seed + i * 7);
    std::copy(da.begin(), da.end(), f->bytes.begin());
    std::copy(kMac, kMac + 6, f->bytes.begin() + 6);  // any source
    f->bytes[12] = 0x08;
    f->bytes[13] = 0x00;
    return f;
  }
  void run() {
    sc_start();
    REQUIRE(bench.done);
  }
};

const std::array<uint8_t, 6> kOwnAddr = {kMac[0], kMac[1], kMac[2], kMac[3], kMac[4], kMac[5]};
const std::array<uint8_t, 6> kBroadcast = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
const std::array<uint8_t, 6> kOther = {0x52, 0x54, 0x00, 0xAA, 0xBB, 0xCC};

}  // namespace

TEST_CASE("Tulip: PCI identity and 128-byte CBIO and CBMA BARs", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.read32(b.cfg, 0x00) == 0x00091011);
    CHECK(b.read32(b.cfg, 0x08) == 0x02000020);  // class 020000, revision 0x20 (21140A)
    CHECK(b.read8(b.cfg, 0x3D) == 1);             // INTA#
    b.write32(b.cfg, 0x10, 0xFFFFFFFF);
    b.write32(b.cfg, 0x14, 0xFFFFFFFF);
    CHECK(b.read32(b.cfg, 0x10) == 0xFFFFFF81);
    CHECK(b.read32(b.cfg, 0x14) == 0xFFFFFF80);
    b.write32(b.cfg, 0x40, 0x12345678);  // CFDA scratch
    CHECK(b.read32(b.cfg, 0x40) == 0x12345678);
  };
  r.run();
}

TEST_CASE("Tulip: SWR restores the documented reset values and self-clears", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    const uint32_t reset[16] = {0xFE000000, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0xF0000000, 0x32000040, 0xF3FE0000,
                                0xE0000000, 0xFFF483FF, 0, 0xFFFE0000, 0, 0, 0, 0};
    for (unsigned n = 0; n < 16; ++n) CHECK(b.csr(n) == reset[n]);
    b.csr_w(0, 0x01A08000);
    CHECK(b.csr(0) == 0xFFA08000);
    b.csr_w(3, 0x2000);
    b.csr_w(4, 0x1003);  // bits 1:0 ignored
    CHECK(b.csr(4) == 0x1000);
    b.csr_w(6, 0x020C0000);
    b.csr_w(7, 0x0001EBEF);
    b.csr_w(9, 0x4801);
    b.csr_w(11, 0x0001FFFF);
    b.csr_w(12, 0x1FF);
    b.csr_w(12, 0x5A);
    CHECK(b.csr(6) == 0x020C0000);
    CHECK(b.csr(7) == 0xF3FFEBEF);
    CHECK(b.csr(12) == 0x5A);
    b.csr_w(0, 0x01A08001);  // SWR
    for (unsigned n = 0; n < 16; ++n) CHECK(b.csr(n) == reset[n]);
  };
  r.run();
}

TEST_CASE("Tulip: CSR5 W1C bits and NIS AIS summaries drive INTA with CSR7", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.write16(b.cfg, 0x04, 0x0007);
    b.csr_w(4, kTxRing);  // empty TX ring: starting TX suspends at once with TU
    r.desc(kTxRing, 0, 0x02000000, 0, 0);
    b.csr_w(6, 0x02002000);  // ST
    wait(10, SC_US);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x4));  // TS suspended, TU; nothing enabled: no NIS
    CHECK_FALSE(r.intx.read());
    b.csr_w(7, 0x00010004);  // NIM | TUM
    wait(SC_ZERO_TIME);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x10004));
    CHECK(r.intx.read());
    b.csr_w(5, 0x00010000);  // writing NIS alone clears no source
    wait(SC_ZERO_TIME);
    CHECK(r.intx.read());
    b.csr_w(5, 0x4);  // W1C TU: NIS drops with it
    wait(SC_ZERO_TIME);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20));
    CHECK_FALSE(r.intx.read());
    // General-purpose timer: abnormal source GTE, summary AIS, gated by AIM.
    b.csr_w(11, 3);  // 3 x 81.92 us
    wait(100, SC_US);
    CHECK(b.csr(11) == 0xFFFE0002);
    wait(150, SC_US);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x800));  // GTE, AIM off: no AIS
    CHECK_FALSE(r.intx.read());
    b.csr_w(7, 0x00008800);  // AIM | GTE
    wait(SC_ZERO_TIME);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x8800));
    CHECK(r.intx.read());
    b.csr_w(7, 0x00000800);  // AIM off: line drops although GTE stays
    wait(SC_ZERO_TIME);
    CHECK_FALSE(r.intx.read());
    CHECK(b.csr(11) == 0xFFFE0000);  // one-shot: stopped at 0
    // Continuous mode reloads.
    b.csr_w(5, 0x1FFFF);
    b.csr_w(11, 0x00010002);
    wait(170, SC_US);
    CHECK((b.csr(5) & 0x800) == 0x800);
    b.csr_w(5, 0x800);
    CHECK(b.csr(11) == 0xFFFF0002);  // reloaded: 6.16 us into the new period
    wait(170, SC_US);
    CHECK((b.csr(5) & 0x800) == 0x800);
    CHECK(r.nic.interrupts.value() == 2);
  };
  r.run();
}

namespace {
// Linux tulip_read_eeprom, line by line in effect: CSR9 writes and reads through the bench.
uint32_t linux_read_eeprom(Bench& b, int location, int addr_len) {
  const uint32_t EE_ENB = 0x4800 | 0x01, EE_CS = 0x01, EE_SHIFT_CLK = 0x02, EE_DATA_WRITE = 0x04, EE_DATA_READ = 0x08;
  const int read_cmd = location | (6 << addr_len);
  uint32_t retval = 0;
  b.csr_w(9, EE_ENB & ~EE_CS);
  b.csr_w(9, EE_ENB);
  for (int i = 4 + addr_len; i >= 0; i--) {
    const uint32_t dataval = (read_cmd & (1 << i)) ? EE_DATA_WRITE : 0;
    b.csr_w(9, EE_ENB | dataval);
    b.csr_w(9, EE_ENB | dataval | EE_SHIFT_CLK);
    retval = (retval << 1) | ((b.csr(9) & EE_DATA_READ) ? 1 : 0);
  }
  b.csr_w(9, EE_ENB);
  for (int i = 16; i > 0; i--) {
    b.csr_w(9, EE_ENB | EE_SHIFT_CLK);
    retval = (retval << 1) | ((b.csr(9) & EE_DATA_READ) ? 1 : 0);
    b.csr_w(9, EE_ENB);
  }
  b.csr_w(9, EE_ENB & ~EE_CS);
  return retval;
}
}  // namespace

TEST_CASE("Tulip: SROM read bit-banged as Linux does gives the MAC and a valid CRC", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    const uint32_t probe = linux_read_eeprom(b, 0xFF, 8);
    CHECK((probe & 0x40000) == 0);  // the dummy 0 after 6 address bits: a 93C46
    const int addr_len = (probe & 0x40000) ? 8 : 6;
    REQUIRE(addr_len == 6);
    uint8_t ee[128];
    for (int i = 0; i < 64; ++i) {
      const uint16_t w = static_cast<uint16_t>(linux_read_eeprom(b, i, addr_len));
      ee[2 * i] = static_cast<uint8_t>(w);
      ee[2 * i + 1] = static_cast<uint8_t>(w >> 8);
    }
    // tulip_init_one: bytes 0-7 differ from 16-23 -> new SROM format, address at byte 20.
    CHECK(std::memcmp(ee, ee + 16, 8) != 0);
    int sum = 0;
    for (int i = 0; i < 6; ++i) {
      CHECK(ee[20 + i] == kMac[i]);
      sum += ee[20 + i];
    }
    CHECK(sum != 0);
    CHECK(sum != 6 * 0xFF);
    CHECK(ee[18] == 4);   // format version
    CHECK(ee[19] == 1);   // one controller
    CHECK(ee[27] == 30);  // controller 0 info leaf
    const uint8_t* leaf = ee + 30;
    CHECK(leaf[0] == 0x00);
    CHECK(leaf[1] == 0x08);  // autosense
    CHECK(leaf[3] == 1);     // one block
    CHECK(leaf[4] == 0x8C);  // extended, 12 bytes
    CHECK(leaf[5] == 1);     // MII PHY
    CHECK(leaf[6] == 1);     // PHY address
    // SROM CRC (de(4) check): low 16 bits of the complemented CRC-32 over bytes 0-125 in word 63.
    const uint16_t want = static_cast<uint16_t>((ref_crc_le(ee, 126) & 0xFFFF) ^ 0xFFFF);
    CHECK((ee[126] | ee[127] << 8) == want);
    CHECK(want == r.nic.srom().word(63));
  };
  r.run();
}

namespace {
// Linux tulip_mdio_read / tulip_mdio_write (the 21140 MII path).
int linux_mdio_read(Bench& b, int phy_id, int location) {
  const uint32_t MDIO_SHIFT_CLK = 0x10000, MDIO_DATA_WRITE1 = 0x20000, MDIO_ENB_IN = 0x40000, MDIO_DATA_READ = 0x80000;
  const int read_cmd = (0xf6 << 10) | ((phy_id & 0x1f) << 5) | location;
  int retval = 0;
  for (int i = 32; i >= 0; i--) {
    b.csr_w(9, MDIO_DATA_WRITE1);
    b.csr_w(9, MDIO_DATA_WRITE1 | MDIO_SHIFT_CLK);
  }
  for (int i = 15; i >= 0; i--) {
    const uint32_t dataval = (read_cmd & (1 << i)) ? MDIO_DATA_WRITE1 : 0;
    b.csr_w(9, dataval);
    b.csr_w(9, dataval | MDIO_SHIFT_CLK);
  }
  for (int i = 19; i > 0; i--) {
    b.csr_w(9, MDIO_ENB_IN);
    retval = (retval << 1) | ((b.csr(9) & MDIO_DATA_READ) ? 1 : 0);
    b.csr_w(9, MDIO_ENB_IN | MDIO_SHIFT_CLK);
  }
  return (retval >> 1) & 0xffff;
}
void linux_mdio_write(Bench& b, int phy_id, int location, int val) {
  const uint32_t MDIO_SHIFT_CLK = 0x10000, MDIO_DATA_WRITE1 = 0x20000, MDIO_ENB_IN = 0x40000;
  const uint32_t cmd = (0x5002u << 16) | ((phy_id & 0x1f) << 23) | (location << 18) | (val & 0xffff);
  for (int i = 32; i >= 0; i--) {
    b.csr_w(9, MDIO_DATA_WRITE1);
    b.csr_w(9, MDIO_DATA_WRITE1 | MDIO_SHIFT_CLK);
  }
  for (int i = 31; i >= 0; i--) {
    const uint32_t dataval = (cmd & (1u << i)) ? MDIO_DATA_WRITE1 : 0;
    b.csr_w(9, dataval);
    b.csr_w(9, dataval | MDIO_SHIFT_CLK);
  }
  for (int i = 2; i > 0; i--) {
    b.csr_w(9, MDIO_ENB_IN);
    b.csr_w(9, MDIO_ENB_IN | MDIO_SHIFT_CLK);
  }
}
}  // namespace

TEST_CASE("Tulip: MDIO bit-banged reads and writes of the PHY registers", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(linux_mdio_read(b, 1, 2) == 0x2000);
    CHECK(linux_mdio_read(b, 1, 3) == 0x5C01);
    CHECK(linux_mdio_read(b, 1, 0) == 0x3000);   // 100 Mb/s, autonegotiation enabled
    CHECK(linux_mdio_read(b, 1, 1) == 0x782D);   // abilities, AN complete, link up
    CHECK(linux_mdio_read(b, 1, 4) == 0x01E1);
    CHECK(linux_mdio_read(b, 1, 5) == 0x4181);   // partner: 100 FD/HD, acknowledged
    CHECK(linux_mdio_read(b, 2, 1) == 0xFFFF);   // nobody at address 2
    linux_mdio_write(b, 1, 4, 0x0061);           // advertise 10 Mb/s only
    CHECK(linux_mdio_read(b, 1, 4) == 0x0061);
    linux_mdio_write(b, 1, 0, 0x8000);           // reset self-clears and restores ANAR
    CHECK(linux_mdio_read(b, 1, 0) == 0x3000);
    CHECK(linux_mdio_read(b, 1, 4) == 0x01E1);
    linux_mdio_write(b, 3, 4, 0x0021);           // another address: ignored
    CHECK(linux_mdio_read(b, 1, 4) == 0x01E1);
    r.nic.eth_link_changed(false);
    CHECK(linux_mdio_read(b, 1, 1) == 0x7809);
    CHECK(linux_mdio_read(b, 1, 5) == 0x0000);
    r.nic.eth_link_changed(true);
    CHECK(linux_mdio_read(b, 1, 1) == 0x7829);  // link status latched low until read
    CHECK(linux_mdio_read(b, 1, 1) == 0x782D);
  };
  r.run();
}

TEST_CASE("Tulip: TX frames reach the link byte-exact with padding and two buffers", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    for (unsigned i = 0; i < 90; ++i) *r.mem(kTxBuf + i) = static_cast<uint8_t>(i + 1);
    r.desc(kTxRing + 0, kOwn, 0xE0000000 | 42, kTxBuf, 0);                        // IC|LS|FS, padded
    r.desc(kTxRing + 16, kOwn, 0x60000000 | 30 << 11 | 20, kTxBuf, kTxBuf + 40);  // two buffers
    r.desc(kTxRing + 32, kOwn, 0x60800000 | 50, kTxBuf, kTxBuf + 0x100);          // DPD: not padded
    r.desc(kTxRing + 48, 0, 0x02000000, 0, 0);
    b.csr_w(6, 0x02002000);
    b.csr_w(1, 0);
    wait(100, SC_US);
    REQUIRE(r.link.sent.size() == 3);
    std::vector<uint8_t> want(60, 0);
    for (unsigned i = 0; i < 42; ++i) want[i] = static_cast<uint8_t>(i + 1);
    CHECK(r.link.sent[0].frame->bytes == want);
    want.assign(50, 0);
    for (unsigned i = 0; i < 20; ++i) want[i] = static_cast<uint8_t>(i + 1);
    for (unsigned i = 0; i < 30; ++i) want[20 + i] = static_cast<uint8_t>(41 + i);
    CHECK(r.link.sent[1].frame->bytes.size() == 60);
    want.resize(60, 0);
    CHECK(r.link.sent[1].frame->bytes == want);
    CHECK(r.link.sent[2].frame->bytes.size() == 50);
    CHECK(r.r32(kTxRing) == 0);
    CHECK(r.r32(kTxRing + 16) == 0);
    CHECK(r.r32(kTxRing + 32) == 0);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x10000 | 0x4 | 0x1));  // TS suspended, NIS, TU, TI
    CHECK(r.nic.tx_frames.value() == 3);
    CHECK(r.nic.tx_bytes.value() == 170);
  };
  r.run();
}

TEST_CASE("Tulip: TX gathers FS to LS in chain mode and wraps the ring at TER", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    for (unsigned i = 0; i < 200; ++i) *r.mem(kTxBuf + i) = static_cast<uint8_t>(0x80 + i);
    // Chain: 0x1000 -> 0x1100 -> 0x1200 (TCH: buffer 2 is the next pointer, its size ignored).
    r.desc(0x1000, kOwn, 0x21000000 | 7u << 11 | 30, kTxBuf, 0x1100);        // FS
    r.desc(0x1100, kOwn, 0x01000000 | 20, kTxBuf + 30, 0x1200);              // middle
    r.desc(0x1200, kOwn, 0x43000000 | 25, kTxBuf + 50, 0x1300);              // LS, TER: back to CSR4
    b.csr_w(6, 0x02002000);
    wait(100, SC_US);
    REQUIRE(r.link.sent.size() == 1);
    std::vector<uint8_t> want;
    for (unsigned i = 0; i < 75; ++i) want.push_back(static_cast<uint8_t>(0x80 + i));
    CHECK(r.link.sent[0].frame->bytes == want);
    CHECK(r.r32(0x1000) == 0);
    CHECK(r.r32(0x1100) == 0);
    CHECK(r.r32(0x1200) == 0);
    // TER took the engine back to 0x1000, which is not owned: suspended there.
    CHECK(((b.csr(5) >> 20) & 7) == 6);
    r.desc(0x1000, kOwn, 0x62000000 | 60, kTxBuf + 100, 0);  // FS|LS|TER at the base
    b.csr_w(1, 0);
    wait(100, SC_US);
    REQUIRE(r.link.sent.size() == 2);
    CHECK(r.link.sent[1].frame->bytes[0] == 0x80 + 100);
    CHECK(r.r32(0x1000) == 0);
  };
  r.run();
}

TEST_CASE("Tulip: TX suspends on a descriptor it does not own and resumes on poll demand", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.desc(kTxRing, 0, 0x60000000 | 60, kTxBuf, 0);
    b.csr_w(6, 0x02002000);
    wait(20, SC_US);
    CHECK(((b.csr(5) >> 20) & 7) == 6);
    CHECK((b.csr(5) & 0x4) == 0x4);  // TU
    b.csr_w(5, 0x1FFFF);
    r.w32(kTxRing, kOwn);  // handed over, but no poll demand yet
    wait(200, SC_US);
    CHECK(r.link.sent.empty());
    CHECK(r.r32(kTxRing) == kOwn);
    b.csr_w(1, 0);
    wait(50, SC_US);
    REQUIRE(r.link.sent.size() == 1);
    CHECK(r.r32(kTxRing) == 0);
    CHECK(b.csr(5) == (0xF0000000 | 6u << 20 | 0x10004));  // no IC: no TI; suspended again: TU
    // Stopping TX reports state 0 and TPS.
    b.csr_w(6, 0x02000000);
    wait(10, SC_US);
    CHECK(b.csr(5) == (0xF0000000 | 0x18006));  // TPS (abnormal, enabled: AIS) and TU with NIS
  };
  r.run();
}

TEST_CASE("Tulip: TX closes each frame at its link end time and keeps line rate", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    for (unsigned i = 0; i < 4; ++i) r.desc(kTxRing + 16 * i, kOwn, 0x60000000 | 60, kTxBuf, 0);
    r.desc(kTxRing + 64, 0, 0, 0, 0);
    b.csr_w(6, 0x02002000);
    // Descriptor 0 is closed only when its frame has left.
    while (r.link.sent.empty()) wait(100, SC_NS);
    const sc_time end0 = r.link.sent[0].end;
    b.wait_until(end0 - sc_time(10, SC_NS));
    CHECK(r.r32(kTxRing) == kOwn);
    wait(50, SC_US);
    REQUIRE(r.link.sent.size() == 4);
    for (unsigned i = 1; i < 4; ++i) {
      CHECK(r.link.sent[i].end - r.link.sent[i - 1].end == sc_time(6720, SC_NS));
      CHECK(r.link.sent[i].ready < r.link.sent[i - 1].end);  // the next frame was ready in time
    }
    for (unsigned i = 0; i < 4; ++i) CHECK(r.r32(kTxRing + 16 * i) == 0);
  };
  r.run();
}

TEST_CASE("Tulip: TX without carrier reports loss of carrier and sends nothing", "[tulip]") {
  Rig r;
  r.link.up = false;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.nic.eth_link_changed(false);
    r.up();
    r.desc(kTxRing, kOwn, 0xE0000000 | 60, kTxBuf, 0);
    b.csr_w(6, 0x02002000);
    wait(50, SC_US);
    CHECK(r.link.sent.empty());
    CHECK(r.r32(kTxRing) == 0x8C00);  // ES | LO | NC
    CHECK(r.nic.tx_carrier_errors.value() == 1);
  };
  r.run();
}

TEST_CASE("Tulip: setup frame perfect filtering accepts listed addresses only", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    const std::array<uint8_t, 6> mc1 = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01}, mc2 = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x02};
    r.setup_perfect({mc1});
    r.rx_ring(8, 1536);
    b.csr_w(6, 0x02002002);  // ST | SR, PR cleared
    wait(20, SC_US);
    CHECK(r.r32(kTxRing) == 0x7FFFFFFF);  // setup descriptor closed, never on the wire
    CHECK(r.link.sent.empty());
    CHECK(r.nic.setup_frames.value() == 1);
    CHECK((b.csr(6) & 0x15) == 0x00);  // perfect filtering: HP/HO/IF clear
    for (const auto& da : {kOwnAddr, kOther, mc1, mc2, kBroadcast}) {
      r.nic.eth_receive(Rig::frame(da, 64));
      wait(20, SC_US);
    }
    CHECK(r.nic.rx_frames.value() == 3);
    CHECK(r.nic.filtered_frames.value() == 2);
    CHECK(std::memcmp(r.mem(kRxBuf), kOwnAddr.data(), 6) == 0);
    CHECK(std::memcmp(r.mem(kRxBuf + 0x800), mc1.data(), 6) == 0);
    CHECK(std::memcmp(r.mem(kRxBuf + 0x1000), kBroadcast.data(), 6) == 0);
    CHECK(r.r32(kRxRing) == (68u << 16 | 0x300 | 0x20));         // FS|LS, FT, 64 + 4 CRC
    CHECK(r.r32(kRxRing + 16) == (68u << 16 | 0x700 | 0x20));    // multicast: MF
    CHECK(r.r32(kRxRing + 48) == kOwn);
  };
  r.run();
}

TEST_CASE("Tulip: setup frame hash filtering with the Linux hash table", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    const std::array<uint8_t, 6> in = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x05}, out = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x07};
    REQUIRE((ref_crc_le(in.data(), 6) & 0x1FF) != (ref_crc_le(out.data(), 6) & 0x1FF));
    REQUIRE((ref_crc_le(out.data(), 6) & 0x1FF) != 255);
    r.setup_hash({in});
    r.rx_ring(8, 1536);
    b.csr_w(6, 0x02002002);
    wait(20, SC_US);
    CHECK((b.csr(6) & 0x15) == 0x01);  // HP: hash filtering with one perfect address
    for (const auto& da : {in, out, kOwnAddr, kOther, kBroadcast}) {
      r.nic.eth_receive(Rig::frame(da, 64));
      wait(20, SC_US);
    }
    CHECK(r.nic.rx_frames.value() == 3);
    CHECK(r.nic.filtered_frames.value() == 2);
    CHECK(std::memcmp(r.mem(kRxBuf), in.data(), 6) == 0);
    CHECK(std::memcmp(r.mem(kRxBuf + 0x800), kOwnAddr.data(), 6) == 0);
    CHECK(std::memcmp(r.mem(kRxBuf + 0x1000), kBroadcast.data(), 6) == 0);
  };
  r.run();
}

TEST_CASE("Tulip: promiscuous and pass-all-multicast modes", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.setup_perfect({});
    r.rx_ring(8, 1536);
    const std::array<uint8_t, 6> mc = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x09};
    b.csr_w(6, 0x02002082);  // PM
    wait(20, SC_US);
    r.nic.eth_receive(Rig::frame(mc, 64));
    wait(20, SC_US);
    r.nic.eth_receive(Rig::frame(kOther, 64));
    wait(20, SC_US);
    CHECK(r.nic.rx_frames.value() == 1);
    CHECK(r.r32(kRxRing) == (68u << 16 | 0x700 | 0x20));  // MF, no FF: multicast passes legitimately
    b.csr_w(6, 0x02002042);  // PR
    r.nic.eth_receive(Rig::frame(kOther, 64));
    wait(20, SC_US);
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));
    wait(20, SC_US);
    CHECK(r.nic.rx_frames.value() == 3);
    CHECK(r.r32(kRxRing + 16) == (0x40000000u | 68u << 16 | 0x300 | 0x20));  // FF: only PR let it in
    CHECK(r.r32(kRxRing + 32) == (68u << 16 | 0x300 | 0x20));
    CHECK(r.nic.filtered_frames.value() == 1);
  };
  r.run();
}

TEST_CASE("Tulip: RX splits a frame across descriptors with FL and CRC included", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.setup_perfect({});
    // Ring of 4 with 64-byte buffer 1 and 8-byte buffer 2: 72 bytes per descriptor.
    for (unsigned i = 0; i < 4; ++i)
      r.desc(kRxRing + 16 * i, kOwn, 8u << 11 | 64 | (i == 3 ? 0x02000000u : 0u), kRxBuf + 0x100 * i,
             kRxBuf + 0x100 * i + 0x80);
    b.csr_w(6, 0x02002002);
    wait(20, SC_US);
    auto f = Rig::frame(kOwnAddr, 150, 3);
    r.nic.eth_receive(f);
    wait(50, SC_US);
    // 154 bytes: 72 + 72 + 10.
    CHECK(r.r32(kRxRing) == 0x200);         // FS, OWN cleared
    CHECK(r.r32(kRxRing + 16) == 0);        // middle
    CHECK(r.r32(kRxRing + 32) == (154u << 16 | 0x100 | 0x20));  // LS, FL 154, FT
    CHECK(r.r32(kRxRing + 48) == kOwn);
    std::vector<uint8_t> got;
    for (unsigned i = 0; i < 3; ++i) {
      const unsigned n1 = i < 2 ? 64 : 10, n2 = i < 2 ? 8 : 0;
      got.insert(got.end(), r.mem(kRxBuf + 0x100 * i), r.mem(kRxBuf + 0x100 * i) + n1);
      got.insert(got.end(), r.mem(kRxBuf + 0x100 * i + 0x80), r.mem(kRxBuf + 0x100 * i + 0x80) + n2);
    }
    REQUIRE(got.size() == 154);
    CHECK(std::equal(f->bytes.begin(), f->bytes.end(), got.begin()));
    CHECK(ref_crc_le(got.data(), got.size()) == kCrcResidue);  // a correct FCS
    CHECK((b.csr(5) & 0x40) == 0x40);  // RI
    CHECK(r.nic.rx_bytes.value() == 150);
  };
  r.run();
}

TEST_CASE("Tulip: RX without buffers sets RU counts missed frames and resumes", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.setup_perfect({});
    r.rx_ring(2, 1536, false);
    b.csr_w(6, 0x02002002);
    wait(20, SC_US);
    CHECK(((b.csr(5) >> 17) & 7) == 4);  // RS suspended
    CHECK((b.csr(5) & 0x80) == 0x80);     // RU
    b.csr_w(5, 0x1FFFF);
    for (int i = 0; i < 3; ++i) {
      r.nic.eth_receive(Rig::frame(kOwnAddr, 64));
      wait(10, SC_US);
    }
    CHECK((b.csr(5) & 0x80) == 0);  // RU is reported once, on entering the suspended state
    CHECK(b.csr(8) == 0xE0000003);
    CHECK(b.csr(8) == 0xE0000000);  // reading cleared it
    CHECK(r.nic.missed_frames.value() == 3);
    // A new frame re-polls the descriptor.
    r.w32(kRxRing, kOwn);
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));
    wait(10, SC_US);
    CHECK(r.r32(kRxRing) == (68u << 16 | 0x300 | 0x20));
    CHECK(((b.csr(5) >> 17) & 7) == 4);  // next descriptor not owned: suspended again once checked
    r.w32(kRxRing + 16, kOwn);
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));  // arrives while suspended on descriptor 1: now owned
    wait(10, SC_US);
    CHECK(r.r32(kRxRing + 16) == (68u << 16 | 0x300 | 0x20));
    CHECK(((b.csr(5) >> 17) & 7) == 4);  // RER back to descriptor 0, not owned: suspended
    r.w32(kRxRing, kOwn);  // a poll demand re-polls too
    b.csr_w(2, 0);
    wait(10, SC_US);
    CHECK(((b.csr(5) >> 17) & 7) == 3);
    CHECK(r.nic.rx_frames.value() == 2);
    // Stopping RX reports state 0 and RPS.
    b.csr_w(5, 0x1FFFF);
    b.csr_w(6, 0x02002000);
    wait(10, SC_US);
    CHECK(((b.csr(5) >> 17) & 7) == 0);
    CHECK((b.csr(5) & 0x100) == 0x100);
  };
  r.run();
}

TEST_CASE("Tulip: a stopped receiver ignores frames without counting them as missed", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.setup_perfect({});
    r.rx_ring(4, 1536);
    for (int i = 0; i < 2; ++i) r.nic.eth_receive(Rig::frame(kOwnAddr, 64));  // SR still clear
    wait(20, SC_US);
    CHECK(r.nic.rx_frames.value() == 0);
    CHECK(r.r32(kRxRing) == kOwn);           // no descriptor was touched
    CHECK(b.csr(8) == 0xE0000000);           // not missed frames: the receiver was not running
    CHECK(r.nic.missed_frames.value() == 0);
    CHECK(r.nic.rx_ignored_frames.value() == 2);
    b.csr_w(6, 0x02002002);  // SR: the next frame is received
    wait(10, SC_US);
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));
    wait(20, SC_US);
    CHECK(r.nic.rx_frames.value() == 1);
    CHECK(r.nic.rx_ignored_frames.value() == 2);
  };
  r.run();
}

TEST_CASE("Tulip: internal loopback returns TX frames to RX without the link", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    r.setup_perfect({}, kTxRing);
    r.rx_ring(4, 1536);
    auto f = Rig::frame(kOwnAddr, 100, 9);
    std::memcpy(r.mem(kTxBuf), f->bytes.data(), 100);
    r.desc(kTxRing + 16, kOwn, 0xE0000000 | 100, kTxBuf, 0);
    b.csr_w(6, 0x02002402);  // OM = 01, ST, SR
    wait(50, SC_US);
    CHECK(r.link.sent.empty());
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));  // the medium is not heard in internal loopback
    wait(20, SC_US);
    CHECK(r.nic.rx_frames.value() == 1);
    CHECK(r.nic.rx_ignored_frames.value() == 1);
    CHECK(r.r32(kRxRing) == (104u << 16 | 0x300 | 0x20));
    CHECK(std::memcmp(r.mem(kRxBuf), f->bytes.data(), 100) == 0);
    CHECK(r.r32(kTxRing + 16) == 0);
  };
  r.run();
}

TEST_CASE("Tulip: DMA with Bus Master Enable clear is a fatal bus error", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    b.write16(b.cfg, 0x04, 0x0001);  // I/O only
    r.desc(kTxRing, kOwn, 0x60000000 | 60, kTxBuf, 0);
    b.csr_w(6, 0x02002000);
    wait(20, SC_US);
    CHECK(b.csr(5) == (0xF0000000 | 1u << 23 | 0x8000 | 0x2000));  // EB master abort, AIS, FBE; stopped
    CHECK(r.intx.read());
    CHECK(r.link.sent.empty());
  };
  r.run();
}

TEST_CASE("Tulip: a bad mac parameter is a ConfigError naming it", "[tulip]") {
  ParamRegistry::instance().set_override("nic.mac", "52:54:00:12:34", SourceLoc{"test", 0, ""});
  try {
    Tulip21140 nic("nic");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("nic.mac") != std::string::npos);
  }
}

TEST_CASE("Tulip: descriptors that point to themselves end in bounded walks", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    r.up();
    // TX: a chained descriptor without LS that names itself as the next one: cut off by the jabber
    // limit, closed with ES|TO, then the engine finds its own closed descriptor and suspends.
    r.desc(kTxRing, kOwn, 0x21000000 | 100, kTxBuf, kTxRing);
    // RX: a chained descriptor with no buffer that names itself: the frame finds no room and is
    // truncated (DE) once the descriptor is no longer owned.
    r.desc(kRxRing, kOwn, 0x01000000, kRxBuf, kRxRing);
    b.csr_w(6, 0x02002042);  // PR so that no setup frame is needed
    wait(500, SC_US);
    CHECK(r.link.sent.empty());
    CHECK(r.r32(kTxRing) == 0xC000);  // ES | TO
    CHECK((b.csr(5) & 0x0C) == 0x0C);  // TJT | TU
    CHECK(((b.csr(5) >> 20) & 7) == 6);
    r.nic.eth_receive(Rig::frame(kOwnAddr, 64));
    wait(100, SC_US);
    CHECK(r.r32(kRxRing) == 0x4000C120);  // FF (PR only), ES | DE | LS, FT, FL 0
    CHECK(((b.csr(5) >> 17) & 7) == 4);
    CHECK((b.csr(5) & 0xC0) == 0xC0);  // RI | RU
    CHECK(r.nic.rx_frames.value() == 0);
  };
  r.run();
}

TEST_CASE("Tulip: narrow and unaligned CSR accesses behave as the 32-bit bus does", "[tulip]") {
  Rig r;
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.read8(b.bar, 0x28 + 3) == 0xF0);     // byte lane 3 of CSR5
    CHECK(b.read16(b.bar, 0x30 + 2) == 0x3200);  // upper half of CSR6
    CHECK(b.read32(b.bar, 0x34) == 0xFFFFFFFF);  // the unused half of a CSR slot
    b.write16(b.bar, 0x30, 0x2002);              // narrow write: ignored
    CHECK(b.csr(6) == 0x32000040);
    b.write32(b.bar, 0x3C, 0x0001FFFF);          // unaligned write: ignored
    CHECK(b.csr(7) == 0xF3FE0000);
    CHECK(b.read32(b.bar, 0x80) == 0xFFFFFFFF);  // beyond the CSRs
  };
  r.run();
}
