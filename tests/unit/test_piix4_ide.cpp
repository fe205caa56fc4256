// PIIX4 IDE bench: a Piix4Ide with AtaDisks over MemoryImages, its `dma` bound to a Memory. The bench
// initiator drives configuration space (cfg), BAR accesses (bar, with PciBarExtension) and the four
// legacy windows. Checks registers, the legacy/native decode, interrupts, PRD walking and simulated time.
#include <catch2/catch.hpp>

#include "tests/unit/bench_harness.h"
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/bus/memory.h"
#include "models/bus/pci_function.h"
#include "models/core/params.h"
#include "models/ide/ata_disk.h"
#include "models/ide/image_memory.h"
#include "models/ide/piix4_ide.h"
#include "models/ide/piix4_regs.h"

using namespace hvsim;
using namespace hvsim::piix4;
using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_MS;
using sc_core::SC_PS;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr uint64_t kRamSize = 0x40000;
constexpr unsigned kPri = 0, kSec = 1;

uint8_t pattern(uint64_t sector, unsigned i) { return static_cast<uint8_t>(sector * 7 + i * 3 + 1); }

class Bench : public testbench::BusInitiator {
 public:
  sc_core::sc_signal<bool> irq14{"irq14"}, irq15{"irq15"}, intx{"intx"};

  explicit Bench(sc_core::sc_module_name n)
      : BusInitiator(n, {"cfg", "bar", "pcmd", "pctl", "scmd", "sctl"}, kStopAfterBody) {}

  socket_type& cfg() { return socket(0); }
  socket_type& bar() { return socket(1); }
  socket_type& cmd(unsigned ch) { return socket(ch ? 4 : 2); }
  socket_type& ctl(unsigned ch) { return socket(ch ? 5 : 3); }

  uint32_t cfg_rd(unsigned off, unsigned len) { return read(cfg(), off, len); }
  void cfg_wr(unsigned off, uint32_t v, unsigned len) { write(cfg(), off, v, len); }

  // BAR access with the extension the host bridge would attach.
  uint32_t bar_access(bool rd, unsigned n, uint64_t off, uint32_t v, unsigned len) {
    tlm::tlm_generic_payload& gp = gp_.emplace();
    uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 24)};
    if (rd) std::memset(b, 0xEE, sizeof b);
    ext_.bar = n;
    gp.set_command(rd ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(b);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&ext_);
    sc_time d = SC_ZERO_TIME;
    bar()->b_transport(gp, d);
    gp.clear_extension(&ext_);
    CHECK(gp.is_response_ok());
    wait(d);
    uint32_t r = 0;
    for (unsigned i = 0; i < len; ++i) r |= static_cast<uint32_t>(b[i]) << (8 * i);
    return r;
  }
  uint32_t bar_rd(unsigned n, uint64_t off, unsigned len) { return bar_access(true, n, off, 0, len); }
  void bar_wr(unsigned n, uint64_t off, uint32_t v, unsigned len) { bar_access(false, n, off, v, len); }
  uint8_t bm_rd(unsigned ch, unsigned reg) { return static_cast<uint8_t>(bar_rd(kBarBmiba, ch * 8 + reg, 1)); }
  void bm_wr(unsigned ch, unsigned reg, uint8_t v) { bar_wr(kBarBmiba, ch * 8 + reg, v, 1); }

  uint8_t tf_rd(unsigned ch, unsigned reg) { return read8(cmd(ch), reg); }
  void tf_wr(unsigned ch, unsigned reg, uint8_t v) { write8(cmd(ch), reg, v); }

  bool wait_line(sc_core::sc_signal<bool>& s, const sc_time& timeout = sc_time(10, SC_MS)) {
    if (s.read()) return true;
    wait(timeout, s.posedge_event());
    return s.read();
  }
  void delay(const sc_time& t) { wait(t); }
  bool settled(sc_core::sc_signal<bool>& s) {
    wait(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    return s.read();
  }

  // libata's order (devices.md 2.6) up to the command; SSBM is set by the caller.
  void dma_command(unsigned ch, bool slave, bool read_dma, uint32_t lba, uint8_t count, uint32_t prd_table) {
    bar_wr(kBarBmiba, ch * 8 + kBmidtp, prd_table, 4);
    bm_wr(ch, kBmicx, read_dma ? kBmicxRwcon : 0);
    tf_wr(ch, 6, static_cast<uint8_t>(0xE0 | (slave ? 0x10 : 0)));
    tf_wr(ch, 2, count);
    tf_wr(ch, 3, static_cast<uint8_t>(lba));
    tf_wr(ch, 4, static_cast<uint8_t>(lba >> 8));
    tf_wr(ch, 5, static_cast<uint8_t>(lba >> 16));
    tf_wr(ch, 7, read_dma ? 0xC8 : 0xCA);
  }
  void start(unsigned ch, bool read_dma) { bm_wr(ch, kBmicx, static_cast<uint8_t>(kBmicxSsbm | (read_dma ? kBmicxRwcon : 0))); }

 private:
  std::optional<tlm::tlm_generic_payload> gp_;
  PciBarExtension ext_;
};

struct Drives {
  bool pri_master = true, sec_slave = false;
};

// The platform wiring of the function, with RAM as the DMA target.
struct Rig {
  Bench bench{"bench"};
  Piix4Ide ide{"ide"};
  Memory ram{"ram", kRamSize};
  MemoryImage img_pm{4096}, img_ss{4096};
  std::unique_ptr<AtaDisk> pm, ss;

  explicit Rig(Drives d = {}) {
    for (uint64_t s = 0; s < 4096; ++s)
      for (unsigned i = 0; i < 512; ++i) {
        img_pm.data()[s * 512 + i] = pattern(s, i);
        img_ss.data()[s * 512 + i] = static_cast<uint8_t>(~pattern(s, i));
      }
    bench.cfg().bind(ide.cfg);
    bench.bar().bind(ide.bar);
    bench.cmd(0).bind(ide.primary_cmd);
    bench.ctl(0).bind(ide.primary_ctl);
    bench.cmd(1).bind(ide.secondary_cmd);
    bench.ctl(1).bind(ide.secondary_ctl);
    ide.dma.bind(ram.socket);
    ide.irq14.bind(bench.irq14);
    ide.irq15.bind(bench.irq15);
    ide.intx.bind(bench.intx);
    if (d.pri_master) {
      pm = std::make_unique<AtaDisk>("pm", &img_pm, AtaDisk::Position::kMaster);
      ide.attach_drive(kPri, 0, *pm);
    }
    if (d.sec_slave) {
      ss = std::make_unique<AtaDisk>("ss", &img_ss, AtaDisk::Position::kSlave);
      ide.attach_drive(kSec, 1, *ss);
    }
  }
  void run(std::function<void()> body) {
    bench.body = std::move(body);
    sc_core::sc_start();
    REQUIRE(bench.done);
  }
  void prd(uint32_t at, uint32_t addr, uint32_t count_field, bool eot) {
    const uint32_t w[2] = {addr, count_field | (eot ? kPrdEot : 0)};
    std::memcpy(ram.data() + at, w, sizeof w);  // little-endian host
  }
  void enable(uint16_t command = 0x0005) { bench.cfg_wr(0x04, command, 2); }  // I/O + Bus Master
};

}  // namespace

TEST_CASE("piix4: configuration identity class prog-if status and IDETIM presets", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    CHECK(b.cfg_rd(0x00, 4) == 0x71118086u);
    CHECK(b.cfg_rd(0x04, 4) == 0x02800000u);  // COMMAND 0, STATUS Fast B2B | DEVSEL medium
    CHECK(b.cfg_rd(0x08, 4) == 0x01018001u);  // class 01, subclass 01, prog-if 0x80, revision 01
    CHECK(b.cfg_rd(0x3C, 4) == 0x00000000u);  // interrupt pin 0 in legacy mode
    CHECK(b.cfg_rd(0x40, 4) == 0x80008000u);  // IDETIM primary and secondary: decode enabled
    CHECK(b.cfg_rd(0x44, 4) == 0x00000000u);  // SIDETIM, reserved 0x45-0x47
    CHECK(b.cfg_rd(0x48, 4) == 0x00000000u);  // UDMACTL, reserved, UDMATIM
    // Read-modify-write round trips, as ata_piix does them.
    b.cfg_wr(0x40, 0xA307, 2);
    b.cfg_wr(0x44, 0x5A, 1);
    b.cfg_wr(0x48, 0x05, 1);
    b.cfg_wr(0x4A, 0x0212, 2);
    CHECK(b.cfg_rd(0x40, 4) == 0x8000A307u);
    CHECK(b.cfg_rd(0x44, 1) == 0x5Au);
    CHECK(b.cfg_rd(0x48, 4) == 0x02120005u);
    // BAR4 = BMIBA, a 16-byte I/O BAR; BAR0-3 unused in legacy mode.
    CHECK(b.cfg_rd(0x20, 4) == 0x00000001u);
    b.cfg_wr(0x20, 0xFFFFFFFF, 4);
    CHECK(b.cfg_rd(0x20, 4) == 0xFFFFFFF1u);
    b.cfg_wr(0x20, 0x0000C001, 4);
    CHECK(b.cfg_rd(0x20, 4) == 0x0000C001u);
    b.cfg_wr(0x10, 0xFFFFFFFF, 4);
    CHECK(b.cfg_rd(0x10, 4) == 0u);
    CHECK(r.ide.bar_size(4) == 16u);
    CHECK_FALSE(r.ide.bar_present(0));
  });
}

TEST_CASE("piix4: legacy ports float when the IDETIM decode enable is clear", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    CHECK(b.tf_rd(kPri, 2) == 0x01);  // signature sector count
    b.cfg_wr(0x41, 0x00, 1);          // primary IDETIM bit 15 off
    CHECK(r.ide.decode_enabled(kPri) == false);
    CHECK(b.tf_rd(kPri, 2) == 0xFF);
    CHECK(b.tf_rd(kPri, 7) == 0xFF);
    CHECK(b.read16(b.cmd(kPri), 0) == 0xFFFF);
    CHECK(b.read8(b.ctl(kPri), 0) == 0xFF);
    b.tf_wr(kPri, 2, 0x55);  // dropped
    b.cfg_wr(0x41, 0x80, 1);
    CHECK(b.tf_rd(kPri, 2) == 0x01);
    // Command.IoSpace does not gate the ISA-compatible windows (COMMAND is still 0 here).
    CHECK(b.cfg_rd(0x04, 2) == 0x0000u);
    CHECK(b.read8(b.ctl(kPri), 0) == 0x50);
  });
}

TEST_CASE("piix4: reset signature through the legacy ports and absent devices", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    const uint8_t sig[8] = {0xFF, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x50};
    for (unsigned reg = 1; reg < 8; ++reg) CHECK(b.tf_rd(kPri, reg) == sig[reg]);
    CHECK(b.read8(b.ctl(kPri), 0) == 0x50);
    CHECK(b.read8(b.ctl(kPri), 1) == 0xFF);  // only 0x3F6 belongs to the window
    // libata's device check: the master latches 0x55/0xAA, the absent slave answers 0.
    b.tf_wr(kPri, 2, 0x55);
    b.tf_wr(kPri, 3, 0xAA);
    CHECK(b.tf_rd(kPri, 2) == 0x55);
    CHECK(b.tf_rd(kPri, 3) == 0xAA);
    b.tf_wr(kPri, 6, 0xB0);  // DEV = 1: no slave
    CHECK(b.tf_rd(kPri, 2) == 0x00);
    CHECK(b.tf_rd(kPri, 3) == 0x00);
    CHECK(b.tf_rd(kPri, 7) == 0x00);
    CHECK(b.read8(b.ctl(kPri), 0) == 0x00);
    CHECK(b.read16(b.cmd(kPri), 0) == 0xFFFF);
    CHECK(r.pm->unselected_reads.value() == 0u);  // answered by the channel, not forwarded
    // The empty secondary channel: registers 0, data 0xFF, on both units.
    CHECK(b.tf_rd(kSec, 7) == 0x00);
    CHECK(b.tf_rd(kSec, 2) == 0x00);
    CHECK(b.read32(b.cmd(kSec), 0) == 0xFFFFFFFFu);
    b.tf_wr(kSec, 6, 0xA0);
    CHECK(b.tf_rd(kSec, 1) == 0x00);
  });
}

TEST_CASE("piix4: status read clears INTRQ and irq14 while BMISX Int latches even with nIEN", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    b.tf_wr(kPri, 6, 0xE0);
    b.tf_wr(kPri, 7, 0xE7);  // FLUSH CACHE: non-data, INTRQ after 2 us
    CHECK_FALSE(b.settled(b.irq14));
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    CHECK(b.read8(b.ctl(kPri), 0) == 0x50);  // alternate status keeps the line
    CHECK(b.settled(b.irq14));
    CHECK_FALSE(b.irq15.read());
    CHECK(b.tf_rd(kPri, 7) == 0x50);  // status read clears it
    CHECK_FALSE(b.settled(b.irq14));
    b.bm_wr(kPri, kBmisx, kBmisxInt);  // W1C
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);
    // nIEN = 1: no line, but the BM Interrupt bit still latches the device interrupt.
    b.write8(b.ctl(kPri), 0, 0x0A);
    b.tf_wr(kPri, 7, 0xE7);
    b.delay(sc_time(100, SC_US));
    CHECK_FALSE(b.irq14.read());
    CHECK(r.pm->irq_pending());
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    CHECK_FALSE(r.pm->irq_pending());
  });
}

TEST_CASE("piix4: BMICX BMISX W1C and drive-capable bits with read-only Active", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    b.bm_wr(kPri, kBmicx, 0xFF & ~kBmicxSsbm);
    CHECK(b.bm_rd(kPri, kBmicx) == kBmicxRwcon);  // only bits 0x09 are stored
    b.bm_wr(kPri, kBmisx, 0xFF);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x60);  // drive-capable R/W; Active, Error, Int, Simplex stay 0
    b.bm_wr(kPri, kBmisx, 0x20);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x20);
    b.bm_wr(kPri, kBmicx, kBmicxSsbm | kBmicxRwcon);  // start: Active 1
    CHECK(b.bm_rd(kPri, kBmisx) == (0x20 | kBmisxActive));
    b.bm_wr(kPri, kBmisx, 0x00);  // Active is read-only
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxActive);
    b.bm_wr(kPri, kBmicx, kBmicxSsbm);  // RWCON change while running: ignored
    CHECK(b.bm_rd(kPri, kBmicx) == (kBmicxSsbm | kBmicxRwcon));
    b.bm_wr(kPri, kBmicx, 0x00);  // stop: Active clears
    CHECK(b.bm_rd(kPri, kBmicx) == 0x00);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);
    // Error and Int are W1C: raise Int with a device interrupt, then clear only that bit.
    b.tf_wr(kPri, 7, 0xE7);
    REQUIRE(b.wait_line(b.irq14));
    b.bm_wr(kPri, kBmisx, 0x40 | kBmisxError);  // writing Error (clear) leaves Int
    CHECK(b.bm_rd(kPri, kBmisx) == (0x40 | kBmisxInt));
    b.bm_wr(kPri, kBmisx, 0x40 | kBmisxInt);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x40);
    CHECK(r.ide.primary_bm.starts.value() == 1u);
    CHECK(b.bm_rd(kSec, kBmisx) == 0x00);  // the secondary engine is separate
  });
}

TEST_CASE("piix4: BMIDTP masks bits 1:0 and takes byte word and dword accesses", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    b.bar_wr(kBarBmiba, kBmidtp, 0x12345677, 4);
    CHECK(b.bar_rd(kBarBmiba, kBmidtp, 4) == 0x12345674u);
    b.bar_wr(kBarBmiba, kBmidtp + 1, 0xAB, 1);
    CHECK(b.bar_rd(kBarBmiba, kBmidtp, 4) == 0x1234AB74u);
    b.bar_wr(kBarBmiba, kBmidtp + 2, 0xBEEF, 2);
    CHECK(b.bar_rd(kBarBmiba, kBmidtp + 2, 2) == 0xBEEFu);
    CHECK(b.bar_rd(kBarBmiba, kBmidtp, 4) == 0xBEEFAB74u);
    b.bar_wr(kBarBmiba, 8 + kBmidtp, 0x0000F00F, 4);  // secondary
    CHECK(b.bar_rd(kBarBmiba, 8 + kBmidtp, 4) == 0x0000F00Cu);
    CHECK(b.bar_rd(kBarBmiba, kBmidtp, 4) == 0xBEEFAB74u);
    // A dword at +0 covers BMICX, reserved, BMISX, reserved.
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);
    b.bm_wr(kPri, kBmisx, 0x60);
    CHECK(b.bar_rd(kBarBmiba, 0, 4) == 0x00600008u);
    CHECK(r.ide.primary_bm.prd_table() == 0xBEEFAB74u);
  });
}

TEST_CASE("piix4: READ DMA through two PRD entries into memory", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x2000, 512, false);
    r.prd(0x1008, 0x3000, 1536, true);
    std::memset(r.ram.data() + 0x2000, 0xCC, 0x2000);
    b.dma_command(kPri, false, true, 4, 4, 0x1000);
    b.start(kPri, true);
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxActive);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);  // Active 0 + Int 1: normal completion
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);           // libata: stop, status, then W1C
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    CHECK_FALSE(b.settled(b.irq14));
    b.bm_wr(kPri, kBmisx, kBmisxInt | kBmisxError);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);
    for (unsigned i = 0; i < 512; ++i) REQUIRE(r.ram.data()[0x2000 + i] == pattern(4, i));
    CHECK(r.ram.data()[0x2000 + 512] == 0xCC);
    for (unsigned i = 0; i < 1536; ++i) REQUIRE(r.ram.data()[0x3000 + i] == pattern(5 + i / 512, i % 512));
    CHECK(r.ram.data()[0x3000 + 1536] == 0xCC);
    CHECK(r.ide.primary_bm.prd_entries.value() == 2u);
    CHECK(r.ide.primary_bm.bytes_to_memory.value() == 2048u);
    CHECK(r.ide.primary_bm.bytes_from_memory.value() == 0u);
    CHECK(r.ide.primary_bm.starts.value() == 1u);
    CHECK(r.ide.dma_bytes_written.value() == 2048u);
    CHECK(r.ide.dma_bytes_read.value() == 16u);  // two PRD entries
  });
}

TEST_CASE("piix4: WRITE DMA from memory into the image", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x4000, 1024, false);
    r.prd(0x1008, 0x8000, 512, true);
    for (unsigned i = 0; i < 1024; ++i) r.ram.data()[0x4000 + i] = static_cast<uint8_t>(i ^ 0x5A);
    for (unsigned i = 0; i < 512; ++i) r.ram.data()[0x8000 + i] = static_cast<uint8_t>(i * 13);
    b.dma_command(kPri, false, false, 100, 3, 0x1000);
    b.start(kPri, false);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    const uint8_t* d = r.img_pm.data().data() + 100 * 512;
    for (unsigned i = 0; i < 1024; ++i) REQUIRE(d[i] == static_cast<uint8_t>(i ^ 0x5A));
    for (unsigned i = 0; i < 512; ++i) REQUIRE(d[1024 + i] == static_cast<uint8_t>(i * 13));
    CHECK(d[1536] == pattern(103, 0));
    CHECK(r.pm->sectors_written.value() == 3u);
    CHECK(r.ide.primary_bm.bytes_from_memory.value() == 1536u);
    CHECK(r.ide.primary_bm.bytes_to_memory.value() == 0u);
  });
}

TEST_CASE("piix4: a PRD byte count of 0 moves 64 KiB", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x10000, 0, true);
    b.dma_command(kPri, false, true, 0, 128, 0x1000);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);  // consumed exactly
    CHECK(r.ide.primary_bm.bytes_to_memory.value() == 65536u);
    CHECK(r.ide.primary_bm.prd_entries.value() == 1u);
    CHECK(r.ide.primary_bm.boundary_violations.value() == 0u);
    for (unsigned i = 0; i < 65536; ++i) REQUIRE(r.ram.data()[0x10000 + i] == pattern(i / 512, i % 512));
    CHECK(b.tf_rd(kPri, 7) == 0x50);
  });
}

TEST_CASE("piix4: PRD table longer than the transfer leaves Active set with Int", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x2000, 4096, false);
    r.prd(0x1008, 0x4000, 4096, true);
    b.dma_command(kPri, false, true, 7, 1, 0x1000);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == (kBmisxActive | kBmisxInt));
    CHECK(r.ide.primary_bm.prd_entries.value() == 1u);  // the second entry is never fetched
    CHECK(r.ide.primary_bm.bytes_to_memory.value() == 512u);
    for (unsigned i = 0; i < 512; ++i) REQUIRE(r.ram.data()[0x2000 + i] == pattern(7, i));
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);  // stopping clears Active
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
  });
}

TEST_CASE("piix4: PRD table shorter than the transfer clears Active without Int", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x2000, 512, false);
    r.prd(0x1008, 0x3000, 512, true);
    b.dma_command(kPri, false, true, 0, 4, 0x1000);
    b.start(kPri, true);
    CHECK_FALSE(b.wait_line(b.irq14, sc_time(2, SC_MS)));
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);  // Active 0 + Int 0: underrun
    CHECK(r.pm->dma_pending());            // the drive still waits for its data
    CHECK(r.pm->dma_bytes_left() == 1024u);
    CHECK(b.read8(b.ctl(kPri), 0) == 0x58);
    CHECK(r.ide.primary_bm.underruns.value() == 1u);
    CHECK(r.ide.primary_bm.prd_entries.value() == 2u);
    // The engine does not restart on its own; the driver stops it and resets the drive.
    b.bm_wr(kPri, kBmicx, 0);
    b.write8(b.ctl(kPri), 0, 0x04);
    b.write8(b.ctl(kPri), 0, 0x00);
    b.delay(sc_time(20, SC_US));
    CHECK(b.read8(b.ctl(kPri), 0) == 0x50);
    CHECK_FALSE(r.pm->dma_pending());
    CHECK(r.ide.primary_bm.prd_entries.value() == 2u);
  });
}

TEST_CASE("piix4: a PRD region crossing 64 KiB is counted and transferred as given", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0xFF00, 1024, true);
    b.dma_command(kPri, false, true, 9, 2, 0x1000);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    CHECK(r.ide.primary_bm.boundary_violations.value() == 1u);
    for (unsigned i = 0; i < 1024; ++i) REQUIRE(r.ram.data()[0xFF00 + i] == pattern(9 + i / 512, i % 512));
  });
}

TEST_CASE("piix4: SSBM set before or after the DMA command both transfer", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x2000, 512, true);
    // SSBM first: the engine sleeps until the drive raises DMARQ.
    b.bar_wr(kBarBmiba, kBmidtp, 0x1000, 4);
    b.start(kPri, true);
    b.delay(sc_time(1, SC_MS));
    CHECK(r.ide.primary_bm.prd_entries.value() == 0u);
    b.tf_wr(kPri, 6, 0xE0);
    b.tf_wr(kPri, 2, 1);
    b.tf_wr(kPri, 3, 20);
    b.tf_wr(kPri, 4, 0);
    b.tf_wr(kPri, 5, 0);
    b.tf_wr(kPri, 7, 0xC8);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    for (unsigned i = 0; i < 512; ++i) REQUIRE(r.ram.data()[0x2000 + i] == pattern(20, i));
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    b.bm_wr(kPri, kBmisx, kBmisxInt);
    // Command first, SSBM long after DMARQ rose (libata's order).
    b.dma_command(kPri, false, true, 30, 1, 0x1000);
    b.delay(sc_time(1, SC_MS));
    CHECK(r.pm->dmarq());
    CHECK(r.ide.primary_bm.prd_entries.value() == 1u);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    for (unsigned i = 0; i < 512; ++i) REQUIRE(r.ram.data()[0x2000 + i] == pattern(30, i));
    CHECK(r.ide.primary_bm.starts.value() == 2u);
    CHECK(r.ide.primary_bm.prd_entries.value() == 2u);
  });
}

TEST_CASE("piix4: Bus Master Enable off sets BMISX Error and aborts the command", "[ide][piix4]") {
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable(0x0001);  // I/O only
    r.prd(0x1000, 0x2000, 512, true);
    std::memset(r.ram.data() + 0x2000, 0xCC, 512);
    b.dma_command(kPri, false, true, 0, 1, 0x1000);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    CHECK(b.bm_rd(kPri, kBmisx) == (kBmisxError | kBmisxInt));
    CHECK(b.tf_rd(kPri, 7) == 0x51);
    CHECK(b.tf_rd(kPri, 1) == 0x04);  // ABRT
    CHECK(r.ide.primary_bm.errors.value() == 1u);
    CHECK(r.ide.dma_refused.value() == 1u);
    CHECK(r.ide.primary_bm.prd_entries.value() == 0u);
    CHECK(r.ram.data()[0x2000] == 0xCC);
  });
}

TEST_CASE("piix4: slave drive alone on the secondary channel", "[ide][piix4]") {
  Rig r(Drives{false, true});
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    CHECK(b.tf_rd(kSec, 7) == 0x00);  // DEV = 0 selects the absent master
    CHECK(b.tf_rd(kSec, 2) == 0x00);
    b.tf_wr(kSec, 6, 0xF0);
    CHECK(b.tf_rd(kSec, 7) == 0x50);
    CHECK(b.tf_rd(kSec, 2) == 0x01);
    CHECK(b.tf_rd(kPri, 7) == 0x00);  // no primary drives
    r.prd(0x1000, 0x6000, 1024, true);
    b.dma_command(kSec, true, true, 11, 2, 0x1000);
    b.start(kSec, true);
    REQUIRE(b.wait_line(b.irq15));
    CHECK_FALSE(b.irq14.read());
    CHECK(b.bm_rd(kSec, kBmisx) == kBmisxInt);
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);
    for (unsigned i = 0; i < 1024; ++i)
      REQUIRE(r.ram.data()[0x6000 + i] == static_cast<uint8_t>(~pattern(11 + i / 512, i % 512)));
    CHECK(b.tf_rd(kSec, 7) == 0x50);
    CHECK_FALSE(b.settled(b.irq15));
    CHECK(r.ide.secondary_bm.bytes_to_memory.value() == 1024u);
    CHECK(r.ide.primary_bm.starts.value() == 0u);
  });
}

TEST_CASE("piix4: native mode decodes BAR0-BAR3 and interrupts through INTA", "[ide][piix4]") {
  ParamRegistry::instance().set_override("ide.native_mode", "true", SourceLoc{"test", 0, "ide.native_mode"});
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    CHECK(b.cfg_rd(0x08, 4) == 0x01018F01u);
    CHECK(b.cfg_rd(0x3D, 1) == 0x01u);
    const uint32_t sizing[5] = {0xFFFFFFF9, 0xFFFFFFFD, 0xFFFFFFF9, 0xFFFFFFFD, 0xFFFFFFF1};
    for (unsigned n = 0; n < 5; ++n) {
      b.cfg_wr(0x10 + 4 * n, 0xFFFFFFFF, 4);
      CHECK(b.cfg_rd(0x10 + 4 * n, 4) == sizing[n]);
    }
    r.enable();
    for (unsigned reg = 1; reg < 8; ++reg)
      CHECK(b.bar_rd(kBarPriCmd, reg, 1) == (reg == 7 ? 0x50u : reg <= 3 ? 0x01u : 0x00u));
    CHECK(b.bar_rd(kBarPriCtl, 2, 1) == 0x50u);
    CHECK(b.bar_rd(kBarPriCtl, 0, 4) == 0xFF50FFFFu);
    CHECK(b.bar_rd(kBarSecCmd, 7, 1) == 0x00u);  // empty secondary
    CHECK(b.tf_rd(kPri, 7) == 0xFF);             // legacy windows float
    CHECK(b.read8(b.ctl(kPri), 0) == 0xFF);
    b.bar_wr(kBarPriCmd, 6, 0xE0, 1);
    b.bar_wr(kBarPriCmd, 7, 0xE7, 1);  // FLUSH CACHE
    REQUIRE(b.wait_line(b.intx));
    CHECK_FALSE(b.irq14.read());
    CHECK(b.cfg_rd(0x06, 2) == (0x0280u | 0x0008u));  // Status.IntStatus
    CHECK(b.bar_rd(kBarPriCtl, 2, 1) == 0x50u);
    CHECK(b.settled(b.intx));
    CHECK(b.bar_rd(kBarPriCmd, 7, 1) == 0x50u);
    CHECK_FALSE(b.settled(b.intx));
    CHECK(b.cfg_rd(0x06, 2) == 0x0280u);
    // DMA also works in native mode.
    r.prd(0x1000, 0x2000, 512, true);
    b.bar_wr(kBarBmiba, kBmidtp, 0x1000, 4);
    b.bar_wr(kBarPriCmd, 2, 1, 1);
    b.bar_wr(kBarPriCmd, 3, 40, 1);
    b.bar_wr(kBarPriCmd, 4, 0, 1);
    b.bar_wr(kBarPriCmd, 5, 0, 1);
    b.bar_wr(kBarPriCmd, 7, 0xC8, 1);
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.intx));
    CHECK(b.bm_rd(kPri, kBmisx) == kBmisxInt);
    for (unsigned i = 0; i < 512; ++i) REQUIRE(r.ram.data()[0x2000 + i] == pattern(40, i));
  });
}

TEST_CASE("piix4: simulated time of one READ DMA at UDMA2 and a stop mid-transfer", "[ide][piix4]") {
  auto& reg = ParamRegistry::instance();
  reg.set_override("ram.read_latency", "1000", SourceLoc{"test", 0, "ram.read_latency"});
  reg.set_override("ram.write_latency", "2000", SourceLoc{"test", 0, "ram.write_latency"});
  reg.set_override("ide.primary_bm.prd_fetch_overhead", "500", SourceLoc{"test", 0, "prd_fetch_overhead"});
  Rig r;
  r.run([&] {
    Bench& b = r.bench;
    r.enable();
    r.prd(0x1000, 0x2000, 4096, true);
    b.dma_command(kPri, false, true, 0, 8, 0x1000);
    b.delay(sc_time(1, SC_MS));  // the drive is ready long before (50 us + 20.48 us)
    REQUIRE(r.pm->dmarq());
    CHECK(r.pm->udma_mode() == 2);
    const sc_time t0 = sc_time_stamp();
    b.start(kPri, true);
    REQUIRE(b.wait_line(b.irq14));
    // 500 ps PRD overhead + 1000 ps PRD fetch + 2000 ps memory write + 4096 B / 33.3 MB/s.
    const sc_time expect = sc_time(500 + 1000 + 2000, SC_PS) + sc_time(4096.0 / 33.3 * 1e6, SC_PS);
    CHECK(expect == sc_time(123006503, SC_PS));
    CHECK(sc_time_stamp() - t0 == expect);
    CHECK(b.tf_rd(kPri, 7) == 0x50);
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);
    b.bm_wr(kPri, kBmisx, kBmisxInt);

    // Clearing SSBM during the first entry stops the engine: the second entry is never fetched and
    // the drive gets no completion.
    r.prd(0x1000, 0x2000, 2048, false);
    r.prd(0x1008, 0x3000, 2048, true);
    b.dma_command(kPri, false, true, 0, 8, 0x1000);
    b.delay(sc_time(1, SC_MS));
    b.start(kPri, true);
    b.delay(sc_time(10, SC_US));  // the first entry takes 61.5 us
    b.bm_wr(kPri, kBmicx, kBmicxRwcon);
    CHECK_FALSE(b.wait_line(b.irq14, sc_time(1, SC_MS)));
    CHECK(b.bm_rd(kPri, kBmisx) == 0x00);
    CHECK(r.ide.primary_bm.prd_entries.value() == 2u);  // 1 for the first DMA, 1 here
    CHECK(r.pm->dma_pending());
    CHECK(r.pm->dma_bytes_left() == 2048u);
  });
}

TEST_CASE("piix4: attach_drive refuses a bad channel or unit and a mismatched position", "[ide][piix4]") {
  Piix4Ide ide("ide");
  MemoryImage img(16);
  AtaDisk master("m", &img, AtaDisk::Position::kMaster), slave("s", &img, AtaDisk::Position::kSlave);
  CHECK_THROWS_AS(ide.attach_drive(2, 0, master), ConfigError);
  CHECK_THROWS_AS(ide.attach_drive(0, 2, master), ConfigError);
  CHECK_THROWS_AS(ide.attach_drive(0, 1, master), ConfigError);
  CHECK_THROWS_AS(ide.attach_drive(1, 0, slave), ConfigError);
  CHECK(ide.channel(0).drive(1) == nullptr);
  ide.attach_drive(1, 1, slave);
  CHECK(ide.channel(1).drive(1) == &slave);
  CHECK_THROWS_AS(ide.attach_drive(1, 1, slave), ConfigError);
}
