// ATA disk bench: an initiator on the drive's channel socket, an sc_signal for INTRQ and memory or
// stub backends. Checks task-file values, the PIO/DMA protocols, IDENTIFY and simulated time.
#include <catch2/catch.hpp>

#include "tests/unit/bench_harness.h"
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/ide/ata_disk.h"
#include "models/ide/image_memory.h"

using namespace hvsim;
using namespace hvsim::ata;
using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

// Default timing of the model (ata_disk.cpp parameters).
const sc_time kNonData(2, SC_US);
const sc_time kCommand(50, SC_US);
const sc_time kSector(2.56, SC_US);  // 512 bytes at 200 MB/s
const sc_time kReset(10, SC_US);
const sc_time kPio4Word(120, SC_NS);

// A disk larger than 2^28 sectors without memory: sector n holds its LBA (8 bytes LE) repeated.
class PatternBackend : public BlockBackend {
 public:
  explicit PatternBackend(uint64_t n) : n_(n) {}
  uint64_t sectors() const override { return n_; }
  bool read(uint64_t lba, uint32_t count, uint8_t* buf) override {
    if (!contains(lba, count)) return false;
    for (uint32_t s = 0; s < count; ++s)
      for (uint32_t i = 0; i < kSectorSize; ++i) buf[s * kSectorSize + i] = static_cast<uint8_t>((lba + s) >> (8 * (i % 8)));
    return true;
  }
  bool write(uint64_t, uint32_t, const uint8_t*) override { return false; }
  bool flush() override {
    ++flush_calls;
    return !fail_flush;
  }
  bool read_only() const override { return false; }
  std::string describe() const override { return "pattern"; }
  int flush_calls = 0;
  bool fail_flush = false;

 private:
  uint64_t n_;
};

uint8_t pattern_byte(uint64_t lba, uint32_t i) { return static_cast<uint8_t>(lba >> (8 * (i % 8))); }

class Bench : public testbench::BusInitiator {
 public:
  sc_core::sc_signal<bool> irq{"irq"};

  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}, kStopAfterBody) {}
  socket_type& out() { return socket(0); }

  uint8_t rd(unsigned reg) {
    uint8_t v = 0xEE;
    transport(tlm::TLM_READ_COMMAND, reg, &v, 1);
    return v;
  }
  void wr(unsigned reg, uint8_t v) { transport(tlm::TLM_WRITE_COMMAND, reg, &v, 1); }
  uint16_t rd16() {
    uint8_t b[2] = {0xEE, 0xEE};
    transport(tlm::TLM_READ_COMMAND, kRegData, b, 2);
    return static_cast<uint16_t>(b[0] | b[1] << 8);
  }
  uint32_t rd32() {
    uint8_t b[4] = {};
    transport(tlm::TLM_READ_COMMAND, kRegData, b, 4);
    return static_cast<uint32_t>(b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24);
  }
  void wr16(uint16_t v) {
    uint8_t b[2] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)};
    transport(tlm::TLM_WRITE_COMMAND, kRegData, b, 2);
  }
  void wr32(uint32_t v) {
    uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 24)};
    transport(tlm::TLM_WRITE_COMMAND, kRegData, b, 4);
  }
  void delay(const sc_time& t) { wait(t); }
  bool line() {
    wait(SC_ZERO_TIME);
    return irq.read();
  }
  // Waits for INTRQ (at most 1 s); returns false on timeout.
  bool wait_irq() {
    if (irq.read()) return true;
    wait(sc_time(1, sc_core::SC_SEC), irq.posedge_event());
    return irq.read();
  }
  // Waits until BSY clears (polling alternate status every 100 ns, at most 1 s).
  void wait_not_busy() {
    for (int i = 0; i < 10'000'000 && (rd(kRegControl) & kStatusBsy); ++i) wait(sc_time(100, SC_NS));
  }
  // Sets up an LBA28 task file.
  void lba28(uint32_t lba, uint8_t count, bool slave = false) {
    wr(kRegCount, count);
    wr(kRegLbaLow, static_cast<uint8_t>(lba));
    wr(kRegLbaMid, static_cast<uint8_t>(lba >> 8));
    wr(kRegLbaHigh, static_cast<uint8_t>(lba >> 16));
    wr(kRegDevice, static_cast<uint8_t>(0xE0 | (slave ? kDevDev : 0) | ((lba >> 24) & 0x0F)));
  }
  void lba48(uint64_t lba, uint16_t count) {
    wr(kRegCount, static_cast<uint8_t>(count >> 8));
    wr(kRegLbaLow, static_cast<uint8_t>(lba >> 24));
    wr(kRegLbaMid, static_cast<uint8_t>(lba >> 32));
    wr(kRegLbaHigh, static_cast<uint8_t>(lba >> 40));
    wr(kRegCount, static_cast<uint8_t>(count));
    wr(kRegLbaLow, static_cast<uint8_t>(lba));
    wr(kRegLbaMid, static_cast<uint8_t>(lba >> 8));
    wr(kRegLbaHigh, static_cast<uint8_t>(lba >> 16));
    wr(kRegDevice, 0x40);
  }
  // Runs a command to completion and returns the status read (clearing INTRQ).
  uint8_t nondata(uint8_t cmd, uint8_t features = 0, uint8_t count = 0) {
    wr(kRegFeatures, features);
    wr(kRegCount, count);
    wr(kRegCommand, cmd);
    CHECK(wait_irq());
    return rd(kRegStatus);
  }
  std::vector<uint16_t> identify() {
    wr(kRegCommand, kCmdIdentify);
    CHECK(wait_irq());
    CHECK(rd(kRegStatus) == (kStatusReady | kStatusDrq));
    std::vector<uint16_t> w;
    for (unsigned i = 0; i < kIdWords; ++i) w.push_back(rd16());
    CHECK(rd(kRegStatus) == kStatusReady);
    return w;
  }

 private:
  void transport(tlm::tlm_command cmd, unsigned addr, uint8_t* data, unsigned len) { access(0, cmd, addr, data, len); }
};

struct Rig {
  Bench bench{"bench"};
  AtaDisk disk;
  explicit Rig(BlockBackend* backend, AtaDisk::Position pos = AtaDisk::Position::kMaster) : disk("disk0", backend, pos) {
    bench.out().bind(disk.channel);
    disk.intrq.bind(bench.irq);
  }
  void run() {
    sc_core::sc_start();
    CHECK(bench.done);
  }
};

void fill_pattern(MemoryImage& img) {
  for (size_t i = 0; i < img.data().size(); ++i) img.data()[i] = static_cast<uint8_t>(i * 7 + i / 512);
}

}  // namespace

TEST_CASE("ata: power-on signature and SRST", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(b.rd(kRegError) == 0x01);
    CHECK(b.rd(kRegCount) == 0x01);
    CHECK(b.rd(kRegLbaLow) == 0x01);
    CHECK(b.rd(kRegLbaMid) == 0x00);
    CHECK(b.rd(kRegLbaHigh) == 0x00);
    CHECK(b.rd(kRegDevice) == 0x00);
    // libata ata_devchk: a present drive latches these.
    b.wr(kRegCount, 0x55);
    b.wr(kRegLbaLow, 0xAA);
    b.wr(kRegLbaMid, 0x12);
    CHECK(b.rd(kRegCount) == 0x55);
    CHECK(b.rd(kRegLbaLow) == 0xAA);
    b.wr(kRegControl, kCtlSrst);
    CHECK(b.rd(kRegControl) == kStatusBsy);
    b.delay(sc_time(50, SC_US));  // held in reset while SRST = 1
    CHECK(b.rd(kRegControl) == kStatusBsy);
    b.wr(kRegControl, 0x00);
    const sc_time t0 = sc_time_stamp();
    b.wait_not_busy();
    const sc_time dt = sc_time_stamp() - t0;
    CHECK(dt >= kReset);
    CHECK(dt <= kReset + sc_time(100, SC_NS));
    CHECK(b.rd(kRegControl) == 0x50);
    CHECK(b.rd(kRegError) == 0x01);
    CHECK(b.rd(kRegCount) == 0x01);
    CHECK(b.rd(kRegLbaLow) == 0x01);
    CHECK(b.rd(kRegLbaMid) == 0x00);
    CHECK(b.rd(kRegDevice) == 0x00);
    CHECK_FALSE(b.line());  // no interrupt after SRST
    CHECK_FALSE(r.disk.irq_pending());
  };
  r.run();
}

TEST_CASE("ata: IDENTIFY strings capacity words and checksum", "[ide][ata]") {
  PatternBackend big(0x123456789ull);
  Rig r(&big);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kRegDevice, 0xA0);
    b.wr(kRegCommand, kCmdIdentify);
    const sc_time t0 = sc_time_stamp();
    CHECK(b.rd(kRegControl) == (kStatusBsy | kStatusReady));
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t0 == kNonData);
    CHECK(b.rd(kRegStatus) == 0x58);
    std::vector<uint16_t> w;
    const sc_time t1 = sc_time_stamp();
    for (unsigned i = 0; i < kIdWords; ++i) w.push_back(b.rd16());
    CHECK(sc_time_stamp() - t1 == kPio4Word * 256.0);  // PIO4 interface time per word
    CHECK(b.rd(kRegStatus) == 0x50);                    // after the last word, no further interrupt
    CHECK_FALSE(b.line());
    // Strings: first character in the high byte, space padded.
    CHECK(w[kIdModel + 0] == ('H' << 8 | 'V'));
    CHECK(w[kIdModel + 1] == ('S' << 8 | 'I'));
    CHECK(w[kIdModel + 6] == ('S' << 8 | 'K'));
    CHECK(w[kIdModel + 7] == 0x2020);
    CHECK(w[kIdModel + 19] == 0x2020);
    CHECK(w[kIdSerial] == ('H' << 8 | 'V'));
    CHECK(w[kIdSerial + 4] == ('1' << 8 | ' '));
    CHECK(w[kIdFirmware] == ('1' << 8 | '.'));
    CHECK(w[kIdFirmware + 1] == ('0' << 8 | ' '));
    // Capacity: LBA28 capped, LBA48 exact.
    CHECK(w[60] == 0xFFFF);
    CHECK(w[61] == 0x0FFF);
    CHECK(w[100] == 0x6789);
    CHECK(w[101] == 0x2345);
    CHECK(w[102] == 0x0001);
    CHECK(w[103] == 0x0000);
    CHECK((w[83] & kIdLba48Bit) != 0);
    CHECK((w[86] & kIdLba48Bit) != 0);
    CHECK((w[83] & 0xC000) == 0x4000);
    CHECK((w[49] & (kIdCapDma | kIdCapLba)) == (kIdCapDma | kIdCapLba));
    CHECK(w[47] == 0x8010);
    CHECK(w[53] == 0x0007);
    CHECK(w[59] == 0x0000);  // no multiple count set yet
    CHECK(w[64] == 0x0003);
    CHECK(w[80] == 0x00F0);
    CHECK((w[82] & kIdWriteCache) != 0);
    CHECK((w[85] & kIdWriteCache) != 0);
    CHECK(w[88] == 0x043F);  // UDMA 0-5 supported, UDMA2 selected at power-on
    CHECK(w[63] == 0x0007);
    // Integrity word: signature and a zero byte sum.
    CHECK((w[255] & 0xFF) == 0xA5);
    unsigned sum = 0;
    for (uint16_t x : w) sum += (x & 0xFF) + (x >> 8);
    CHECK(sum % 256 == 0);
    // The register path sends exactly identify_data().
    const auto id = r.disk.identify_data();
    CHECK(std::vector<uint16_t>(id.begin(), id.end()) == w);
  };
  r.run();
}

TEST_CASE("ata: status read clears INTRQ and alternate status does not", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK_FALSE(b.line());
    b.wr(kRegFeatures, kFeatWriteCacheOn);
    b.wr(kRegCommand, kCmdSetFeatures);
    CHECK_FALSE(b.line());
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegControl) == 0x50);
    CHECK(b.line());
    CHECK(b.rd(kRegControl) == 0x50);
    CHECK(b.line());
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK_FALSE(b.line());
    CHECK_FALSE(r.disk.irq_pending());
    // Writing a new command also clears a pending interrupt.
    b.wr(kRegCommand, kCmdSetFeatures);
    REQUIRE(b.wait_irq());
    b.wr(kRegCommand, kCmdCheckPower);
    CHECK_FALSE(b.line());
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(b.rd(kRegCount) == 0xFF);
  };
  r.run();
}

TEST_CASE("ata: nIEN masks INTRQ but keeps it pending", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kRegControl, kCtlNien);
    b.wr(kRegFeatures, kFeatWriteCacheOn);
    b.wr(kRegCommand, kCmdSetFeatures);
    b.delay(sc_time(20, SC_US));
    CHECK(b.rd(kRegControl) == 0x50);
    CHECK_FALSE(b.line());
    CHECK(r.disk.irq_pending());
    b.wr(kRegControl, 0x00);  // unmasking shows the pending interrupt
    CHECK(b.line());
    b.wr(kRegControl, kCtlNien);
    CHECK_FALSE(b.line());
    b.wr(kRegControl, 0x00);
    CHECK(b.line());
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK_FALSE(b.line());
  };
  r.run();
}

TEST_CASE("ata: READ SECTORS of 2 sectors via 16-bit and 32-bit data accesses", "[ide][ata]") {
  MemoryImage img(64);
  fill_pattern(img);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.lba28(5, 2);
    b.wr(kRegCommand, kCmdReadSectors);
    const sc_time t0 = sc_time_stamp();
    CHECK(b.rd(kRegControl) & kStatusBsy);
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t0 == kCommand + kSector);
    CHECK(b.rd(kRegStatus) == 0x58);
    const uint8_t* d = img.data().data() + 5 * 512;
    bool same = true;
    const sc_time t1 = sc_time_stamp();
    for (unsigned i = 0; i < 256; ++i) same &= b.rd16() == (d[2 * i] | d[2 * i + 1] << 8);
    CHECK(same);
    CHECK(sc_time_stamp() - t1 == kPio4Word * 256.0);
    CHECK(b.rd(kRegControl) & kStatusBsy);  // the next sector is being read
    const sc_time t2 = sc_time_stamp();
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t2 == kSector);
    CHECK(b.rd(kRegStatus) == 0x58);
    d += 512;
    same = true;
    for (unsigned i = 0; i < 128; ++i)
      same &= b.rd32() == (d[4 * i] | d[4 * i + 1] << 8 | d[4 * i + 2] << 16 | static_cast<uint32_t>(d[4 * i + 3]) << 24);
    CHECK(same);
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK_FALSE(b.line());
    CHECK(r.disk.sectors_read.value() == 2);
  };
  r.run();
}

TEST_CASE("ata: WRITE SECTORS writes exactly those bytes to the backend", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.lba28(10, 2);
    b.wr(kRegCommand, kCmdWriteSectors);
    CHECK(b.rd(kRegControl) == 0x58);  // first block requested at once
    CHECK_FALSE(b.line());             // without an interrupt
    for (unsigned i = 0; i < 256; ++i) b.wr16(static_cast<uint16_t>(0x1000 + i));
    const sc_time t0 = sc_time_stamp();
    CHECK(b.rd(kRegControl) & kStatusBsy);
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t0 == kCommand + kSector);  // the first block pays the command overhead
    CHECK(b.rd(kRegStatus) == 0x58);
    CHECK(img.data()[10 * 512] == 0x00);  // sector 10 written: 0x1000 little-endian
    CHECK(img.data()[10 * 512 + 1] == 0x10);
    CHECK(img.data()[10 * 512 + 511] == 0x10);
    CHECK(img.data()[11 * 512] == 0x00);  // sector 11 not yet
    CHECK(img.data()[11 * 512 + 1] == 0x00);
    for (unsigned i = 0; i < 128; ++i) b.wr32(0xA5000000u + i);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x50);
    bool exact = true;
    for (size_t i = 0; i < img.data().size(); ++i) {
      uint8_t want = 0;
      if (i >= 10 * 512 && i < 11 * 512) {
        const size_t k = i - 10 * 512;
        want = static_cast<uint8_t>((0x1000 + k / 2) >> (8 * (k % 2)));
      } else if (i >= 11 * 512 && i < 12 * 512) {
        const size_t k = i - 11 * 512;
        want = static_cast<uint8_t>((0xA5000000u + k / 4) >> (8 * (k % 4)));
      }
      exact &= img.data()[i] == want;
    }
    CHECK(exact);
    CHECK(r.disk.sectors_written.value() == 2);
  };
  r.run();
}

TEST_CASE("ata: HDD positioning: no seek when streaming on, square-root seek and half a turn otherwise",
          "[ide][ata]") {
  auto& reg = ParamRegistry::instance();
  reg.set_override("disk0.seek_time", "8500000000", SourceLoc{"test", 0, "disk0.seek_time"});
  reg.set_override("disk0.track_to_track_seek", "800000000", SourceLoc{"test", 0, "disk0.track_to_track_seek"});
  reg.set_override("disk0.rpm", "7200", SourceLoc{"test", 0, "disk0.rpm"});
  MemoryImage img(1000);
  Rig r(&img);
  reg.check_all_consumed();
  const sc_time half_turn(30.0 / 7200.0, sc_core::SC_SEC);  // 4.1667 ms
  auto seek = [](double f) { return sc_time(800e6 + 7700e6 * std::sqrt(f) * 15.0 / 8.0, SC_PS); };
  r.bench.body = [&] {
    Bench& b = r.bench;
    // Reads one sector at `lba` and returns the time from the command to its interrupt.
    auto read_at = [&](uint32_t lba) {
      b.lba28(lba, 1);
      b.wr(kRegCommand, kCmdReadSectors);
      const sc_time t0 = sc_time_stamp();
      REQUIRE(b.wait_irq());
      const sc_time dt = sc_time_stamp() - t0;
      CHECK(b.rd(kRegStatus) == 0x58);
      for (unsigned i = 0; i < 256; ++i) (void)b.rd16();
      return dt;
    };
    CHECK(read_at(0) == kCommand + kSector);    // the head starts at LBA 0: no positioning
    CHECK(read_at(1) == kCommand + kSector);    // sequential: streaming on
    CHECK(r.disk.seeks.value() == 0);
    // From LBA 2 to 999: f = 997/1000 of the stroke, then a half turn.
    CHECK(read_at(999) == kCommand + seek(997.0 / 1000.0) + half_turn + kSector);
    CHECK(r.disk.seeks.value() == 1);
    // Back to 100: a shorter seek costs less, by the square-root curve.
    CHECK(read_at(100) == kCommand + seek(900.0 / 1000.0) + half_turn + kSector);
    CHECK(read_at(101) == kCommand + kSector);
    CHECK(r.disk.seeks.value() == 2);
  };
  r.run();
  reg.clear_overrides();
}

TEST_CASE("ata: a track-to-track seek longer than the average seek is a ConfigError", "[ide][ata]") {
  auto& reg = ParamRegistry::instance();
  reg.set_override("disk0.seek_time", "1000", SourceLoc{"test", 0, "disk0.seek_time"});
  reg.set_override("disk0.track_to_track_seek", "2000", SourceLoc{"test", 0, "disk0.track_to_track_seek"});
  MemoryImage img(8);
  CHECK_THROWS_WITH(AtaDisk("disk0", &img), Catch::Contains("disk0.track_to_track_seek"));
  reg.clear_overrides();
}

TEST_CASE("ata: LBA48 read beyond 2^28 and HOB read-back", "[ide][ata]") {
  PatternBackend big(0x200000000ull);
  Rig r(&big);
  r.bench.body = [&] {
    Bench& b = r.bench;
    const uint64_t lba = 0x123456789ull;
    b.lba48(lba, 1);
    CHECK(b.rd(kRegLbaLow) == 0x89);
    CHECK(b.rd(kRegLbaMid) == 0x67);
    CHECK(b.rd(kRegLbaHigh) == 0x45);
    CHECK(b.rd(kRegCount) == 0x01);
    b.wr(kRegControl, kCtlHob);
    CHECK(b.rd(kRegLbaLow) == 0x23);
    CHECK(b.rd(kRegLbaMid) == 0x01);
    CHECK(b.rd(kRegLbaHigh) == 0x00);
    CHECK(b.rd(kRegCount) == 0x00);
    b.wr(kRegControl, 0x00);
    b.wr(kRegCommand, kCmdReadSectorsExt);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    bool same = true;
    for (unsigned i = 0; i < 256; ++i)
      same &= b.rd16() == (pattern_byte(lba, 2 * i) | pattern_byte(lba, 2 * i + 1) << 8);
    CHECK(same);
    CHECK(b.rd(kRegStatus) == 0x50);
    // The same LBA as LBA28 (bits 27:0 only) reads a different sector.
    b.lba28(static_cast<uint32_t>(lba & 0x0FFFFFFF), 1);
    b.wr(kRegCommand, kCmdReadSectors);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    CHECK(b.rd16() == (pattern_byte(lba & 0x0FFFFFFF, 0) | pattern_byte(lba & 0x0FFFFFFF, 1) << 8));
  };
  r.run();
}

TEST_CASE("ata: out-of-range LBA gives IDNF and the drive keeps working", "[ide][ata]") {
  MemoryImage img(64);
  fill_pattern(img);
  const std::vector<uint8_t> before = img.data();
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.lba28(64, 1);
    b.wr(kRegCommand, kCmdReadSectors);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK(b.rd(kRegError) == kErrIdnf);
    b.lba28(63, 2);  // crosses the end: nothing may be written
    b.wr(kRegCommand, kCmdWriteSectors);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK(b.rd(kRegError) == kErrIdnf);
    b.wr16(0x1234);  // no DRQ: ignored
    b.lba48(1ull << 40, 1);
    b.wr(kRegCommand, kCmdReadDmaExt);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK_FALSE(r.disk.dma_pending());
    CHECK(img.data() == before);
    b.lba28(63, 1);
    b.wr(kRegCommand, kCmdReadSectors);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    CHECK(b.rd16() == (before[63 * 512] | before[63 * 512 + 1] << 8));
    CHECK(r.disk.errors.value() == 3);
  };
  r.run();
}

TEST_CASE("ata: unsupported command aborts and DRDY stays", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    for (uint8_t cmd : {uint8_t{0xFF}, uint8_t{0x00}, uint8_t{0xA0}, uint8_t{0xF8}}) {
      b.wr(kRegCommand, cmd);
      REQUIRE(b.wait_irq());
      CHECK(b.rd(kRegStatus) == 0x51);
      CHECK(b.rd(kRegError) == kErrAbrt);
    }
    // Invalid SET FEATURES subcommand too, then a good command clears ERR.
    CHECK(b.nondata(kCmdSetFeatures, 0x77) == 0x51);
    CHECK(b.rd(kRegError) == kErrAbrt);
    CHECK(b.nondata(kCmdSetFeatures, kFeatWriteCacheOn) == 0x50);
    CHECK(b.rd(kRegError) == 0x00);
  };
  r.run();
}

TEST_CASE("ata: READ MULTIPLE interrupts once per block", "[ide][ata]") {
  MemoryImage img(64);
  fill_pattern(img);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.lba28(0, 6);
    b.wr(kRegCommand, kCmdReadMultiple);  // no multiple count set yet
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK(b.nondata(kCmdSetMultiple, 0, 3) == 0x51);   // not a power of two
    CHECK(b.nondata(kCmdSetMultiple, 0, 32) == 0x51);  // above word 47
    CHECK(b.nondata(kCmdSetMultiple, 0, 4) == 0x50);
    CHECK(r.disk.identify_data()[kIdMultiple] == 0x0104);
    const uint64_t irqs0 = r.disk.interrupts.value();
    b.lba28(8, 6);
    b.wr(kRegCommand, kCmdReadMultiple);
    const sc_time t0 = sc_time_stamp();
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t0 == kCommand + kSector * 4.0);
    CHECK(b.rd(kRegStatus) == 0x58);
    bool same = true;
    const uint8_t* d = img.data().data() + 8 * 512;
    for (unsigned i = 0; i < 4 * 256; ++i) {
      same &= b.rd16() == (d[2 * i] | d[2 * i + 1] << 8);
      if (i < 4 * 256 - 1 && !(b.rd(kRegControl) & kStatusDrq)) same = false;  // DRQ for the whole block
    }
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    for (unsigned i = 4 * 256; i < 6 * 256; ++i) same &= b.rd16() == (d[2 * i] | d[2 * i + 1] << 8);
    CHECK(same);
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(r.disk.interrupts.value() - irqs0 == 2);
  };
  r.run();
}

TEST_CASE("ata: DMA read and write through the controller hooks", "[ide][ata]") {
  MemoryImage img(64);
  fill_pattern(img);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    AtaDisk& d = r.disk;
    CHECK(d.dma_interface_time(512) == sc_time(512 / 33.3, SC_US));  // UDMA2 selected at power-on
    b.lba28(3, 3);
    b.wr(kRegCommand, kCmdReadDma);
    const sc_time t0 = sc_time_stamp();
    CHECK_FALSE(d.dma_pending());
    CHECK(b.rd(kRegControl) & kStatusBsy);
    while (!d.dmarq()) b.delay(sc_time(10, SC_NS));
    CHECK(sc_time_stamp() - t0 == kCommand + kSector * 3.0);
    CHECK(b.rd(kRegControl) == 0x58);
    CHECK(d.dma_to_memory());
    CHECK(d.dma_bytes_left() == 3 * 512);
    uint8_t wrong[16];
    CHECK(d.dma_transfer(wrong, 16, false) == 0);  // wrong direction
    std::vector<uint8_t> got(2000, 0);
    CHECK(d.dma_transfer(got.data(), 700, true) == 700);
    CHECK(d.dma_transfer(got.data() + 700, 1000, true) == 3 * 512 - 700);
    CHECK(d.dma_transfer(got.data(), 100, true) == 0);
    CHECK_FALSE(d.dmarq());
    CHECK(d.dma_pending());
    got.resize(3 * 512);
    CHECK(got == std::vector<uint8_t>(img.data().begin() + 3 * 512, img.data().begin() + 6 * 512));
    CHECK_FALSE(b.line());
    d.dma_complete(true);
    CHECK(b.line());
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK_FALSE(d.dma_pending());

    // A failed write DMA writes nothing.
    const std::vector<uint8_t> before = img.data();
    std::vector<uint8_t> src(1024);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(0x80 ^ i);
    b.lba28(20, 2);
    b.wr(kRegCommand, kCmdWriteDma);
    const sc_time t1 = sc_time_stamp();
    while (!d.dmarq()) b.delay(sc_time(10, SC_NS));
    CHECK(sc_time_stamp() - t1 == kCommand);
    CHECK_FALSE(d.dma_to_memory());
    CHECK(d.dma_transfer(src.data(), 512, false) == 512);
    d.dma_complete(false);
    CHECK(b.line());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK(b.rd(kRegError) == kErrAbrt);
    CHECK(img.data() == before);

    // A good one reaches the backend after the media time.
    b.lba28(20, 2);
    b.wr(kRegCommand, kCmdWriteDma);
    while (!d.dmarq()) b.delay(sc_time(10, SC_NS));
    CHECK(d.dma_transfer(src.data(), 1024, false) == 1024);
    d.dma_complete(true);
    const sc_time t2 = sc_time_stamp();
    CHECK(b.rd(kRegControl) & kStatusBsy);
    CHECK(img.data() == before);
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t2 == kSector * 2.0);
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(std::vector<uint8_t>(img.data().begin() + 20 * 512, img.data().begin() + 22 * 512) == src);
    CHECK(std::equal(img.data().begin(), img.data().begin() + 20 * 512, before.begin()));
  };
  r.run();
}

TEST_CASE("ata: SET FEATURES transfer mode changes IDENTIFY words 88 and 63", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    CHECK(b.nondata(kCmdSetFeatures, kFeatXferMode, kXferUdma + 5) == 0x50);
    auto w = b.identify();
    CHECK(w[88] == 0x203F);
    CHECK(w[63] == 0x0007);
    CHECK(r.disk.dma_interface_time(1000) == sc_time(10, SC_US));  // UDMA5 = 100 MB/s
    CHECK(b.nondata(kCmdSetFeatures, kFeatXferMode, kXferMwdma + 2) == 0x50);
    w = b.identify();
    CHECK(w[88] == 0x003F);
    CHECK(w[63] == 0x0407);
    CHECK(b.nondata(kCmdSetFeatures, kFeatXferMode, kXferUdma + 7) == 0x51);  // unsupported mode
    CHECK(b.nondata(kCmdSetFeatures, kFeatXferMode, kXferPio + 2) == 0x50);
    CHECK(r.disk.pio_word_time() == sc_time(240, SC_NS));
    CHECK(b.nondata(kCmdSetFeatures, kFeatWriteCacheOff) == 0x50);
    w = b.identify();
    CHECK((w[85] & kIdWriteCache) == 0);
    CHECK((w[82] & kIdWriteCache) != 0);
    CHECK((w[255] & 0xFF) == 0xA5);
    unsigned sum = 0;
    for (uint16_t x : w) sum += (x & 0xFF) + (x >> 8);
    CHECK(sum % 256 == 0);
  };
  r.run();
}

TEST_CASE("ata: FLUSH CACHE calls the backend and reports its failure", "[ide][ata]") {
  PatternBackend be(1024);
  Rig r(&be);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kRegCommand, kCmdFlushCache);
    const sc_time t0 = sc_time_stamp();
    REQUIRE(b.wait_irq());
    CHECK(sc_time_stamp() - t0 == kCommand);
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(be.flush_calls == 1);
    b.wr(kRegCommand, kCmdFlushCacheExt);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(be.flush_calls == 2);
    be.fail_flush = true;
    b.wr(kRegCommand, kCmdFlushCache);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x51);
    CHECK(b.rd(kRegError) == kErrAbrt);
    CHECK(be.flush_calls == 3);
  };
  r.run();
}

TEST_CASE("ata: a slave shadows task-file writes but ignores commands for the master", "[ide][ata]") {
  MemoryImage img(64);
  Rig r(&img, AtaDisk::Position::kSlave);
  r.bench.body = [&] {
    Bench& b = r.bench;
    b.wr(kRegDevice, 0xA0);  // master selected
    b.wr(kRegCount, 0x33);
    b.wr(kRegCommand, kCmdIdentify);
    b.delay(sc_time(20, SC_US));
    CHECK_FALSE(b.line());
    CHECK(r.disk.commands.value() == 0);
    CHECK(b.rd(kRegStatus) == 0x00);  // not selected: reads return 0
    b.wr(kRegDevice, 0xB0);           // slave selected
    CHECK(b.rd(kRegCount) == 0x33);   // the shadow kept the write
    CHECK(b.rd(kRegStatus) == 0x50);
    b.wr(kRegCommand, kCmdIdentify);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    CHECK(r.disk.commands.value() == 1);
  };
  r.run();
}

TEST_CASE("ata: random task-file traffic never crashes and SRST recovers", "[ide][ata]") {
  MemoryImage img(64);
  fill_pattern(img);
  Rig r(&img);
  r.bench.body = [&] {
    Bench& b = r.bench;
    AtaDisk& d = r.disk;
    std::mt19937 rng(12345);
    std::vector<uint8_t> buf(4096);
    for (int i = 0; i < 20000; ++i) {
      const unsigned op = rng() % 16;
      const unsigned reg = rng() % 10;  // includes one address past the control block
      const uint8_t v = static_cast<uint8_t>(rng());
      if (op < 7) {
        b.wr(reg, v);
      } else if (op < 11) {
        b.rd(reg);
      } else if (op == 11) {
        (rng() & 1) ? b.rd16() : b.rd32();
      } else if (op == 12) {
        (rng() & 1) ? b.wr16(static_cast<uint16_t>(rng())) : b.wr32(static_cast<uint32_t>(rng()));
      } else if (op == 13) {
        d.dma_transfer(buf.data(), rng() % 4096, rng() & 1);
      } else if (op == 14) {
        d.dma_complete(rng() & 1);
      } else {
        b.delay(sc_time(rng() % 100, SC_US));
      }
    }
    CHECK(d.commands.value() > 100);  // the traffic did run commands
    b.wr(kRegControl, kCtlSrst);
    b.wr(kRegControl, 0x00);
    b.wait_not_busy();
    CHECK(b.rd(kRegStatus) == 0x50);
    CHECK(b.rd(kRegCount) == 0x01);
    CHECK(b.rd(kRegLbaLow) == 0x01);
    b.delay(sc_time(1, sc_core::SC_MS));  // let any write the fuzz started finish
    const std::vector<uint8_t> now = img.data();
    b.lba28(2, 1);
    b.wr(kRegCommand, kCmdReadSectors);
    REQUIRE(b.wait_irq());
    CHECK(b.rd(kRegStatus) == 0x58);
    bool same = true;
    for (unsigned i = 0; i < 256; ++i) same &= b.rd16() == (now[2 * 512 + 2 * i] | now[2 * 512 + 2 * i + 1] << 8);
    CHECK(same);
    CHECK(b.rd(kRegStatus) == 0x50);
  };
  r.run();
}
