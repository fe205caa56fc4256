// PCI benches: a test function (I/O, 32-bit and 64-bit memory BARs) behind the host bridge and the two
// routers, driven through configuration mechanism #1 like a guest's PCI scan would.
#include <catch2/catch.hpp>
#include <cstring>
#include <systemc>
#include <tlm>

#include "bench_harness.h"
#include "models/bus/address_router.h"
#include "models/bus/memory.h"
#include "models/bus/pci_function.h"
#include "models/bus/pci_host_bridge.h"
#include "models/core/params.h"

using namespace hvsim;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

// A function with one BAR of each kind. BAR reads return (bar << 24) | offset so a test can tell
// which BAR and which offset the bridge delivered.
class TestFunction : public PciFunction {
 public:
  static PciId id() {
    PciId i;
    i.vendor = 0x1234;
    i.device = 0x5678;
    i.revision = 0x42;
    i.class_code = 0x020000;  // Ethernet controller
    i.subsystem_vendor = 0xAAAA;
    i.subsystem = 0xBBBB;
    i.interrupt_pin = 1;
    i.multifunction = true;
    return i;
  }
  explicit TestFunction(sc_core::sc_module_name n) : PciFunction(n, id()) {
    declare_bar(0, PciBarType::Io, 128);
    declare_bar(1, PciBarType::Mem32, 4096);
    declare_bar(2, PciBarType::Mem64, 1 << 20, true);
    config().add("DEVCTL", 0x40, 4, 0x00000001, Access::RW, 0x0000FFFF);
  }
  unsigned last_bar = 99;
  uint64_t last_offset = 0, last_write = 0;

  void raise(bool level) { set_irq(level); }
  bool do_dma_read(uint64_t a, void* d, unsigned n, sc_time& t) { return dma_read(a, d, n, t); }
  bool do_dma_write(uint64_t a, const void* d, unsigned n, sc_time& t) { return dma_write(a, d, n, t); }

 protected:
  bool bar_read(unsigned b, uint64_t off, uint8_t* data, unsigned len, sc_time&) override {
    last_bar = b;
    last_offset = off;
    uint32_t v = (b << 24) | static_cast<uint32_t>(off);
    std::memcpy(data, &v, std::min(len, 4u));
    return true;
  }
  bool bar_write(unsigned b, uint64_t off, const uint8_t* data, unsigned len, sc_time&) override {
    last_bar = b;
    last_offset = off;
    last_write = 0;
    std::memcpy(&last_write, data, std::min(len, 8u));
    return off < 0x40;  // the upper part of every BAR refuses writes (target abort)
  }
};

class Bench : public testbench::BusInitiator {
 public:
  socket_type& io = socket(0);
  socket_type& mem = socket(1);

  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"io", "mem"}) {}

  uint32_t in(uint16_t port, unsigned len) { return read(io, port, len); }
  void out(uint16_t port, uint32_t v, unsigned len) { write(io, port, v, len); }
  // One configuration dword read the way a guest does it.
  uint32_t cfg_read(unsigned dev, unsigned fn, unsigned reg) {
    out(0xCF8, pci::cfg_address(0, dev, fn, reg), 4);
    return in(0xCFC, 4);
  }
  void cfg_write(unsigned dev, unsigned fn, unsigned reg, uint32_t v) {
    out(0xCF8, pci::cfg_address(0, dev, fn, reg), 4);
    out(0xCFC, v, 4);
  }

 protected:
  void check_response(const tlm::tlm_generic_payload& gp, uint64_t) override {
    CHECK(gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(gp.get_extension<PciBarExtension>() == nullptr);  // the bridge takes its extension back
  }
};

// The PC wiring: port-I/O and MMIO routers with the host bridge as their default target, the test
// function at 00:03.0, its DMA into RAM through the MMIO router.
struct PciRig {
  Bench bench{"bench"};
  AddressRouter iobus{"iobus"};
  AddressRouter membus{"membus"};
  PciHostBridge pci{"pci"};
  TestFunction fn{"nic"};
  Memory ram{"ram", 0x10000};
  sc_core::sc_signal<bool> intx{"intx"};

  PciRig() {
    bench.io.bind(iobus.target_socket);
    bench.mem.bind(membus.target_socket);
    iobus.map(0xCF8, 8, pci.cfg_io, "pci-config");
    iobus.set_default_target(pci.io_window, "pci");
    membus.map(0, 0x10000, ram.socket, "ram");
    membus.set_default_target(pci.mem_window, "pci");
    pci.attach(3, 0, fn);
    fn.dma.bind(membus.target_socket);
    fn.intx.bind(intx);
  }
};

}  // namespace

TEST_CASE("PCI: BAR sizing read-back for I/O and 32-bit and 64-bit memory BARs", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    b.cfg_write(3, 0, 0x10, 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 0, 0x10) == 0xFFFFFF81);  // 128-byte I/O
    b.cfg_write(3, 0, 0x14, 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 0, 0x14) == 0xFFFFF000);  // 4 KiB memory, 32-bit, not prefetchable
    b.cfg_write(3, 0, 0x18, 0xFFFFFFFF);
    b.cfg_write(3, 0, 0x1C, 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 0, 0x18) == 0xFFF0000C);  // 1 MiB, 64-bit (type 10b), prefetchable
    CHECK(b.cfg_read(3, 0, 0x1C) == 0xFFFFFFFF);  // upper half: all address bits
    b.cfg_write(3, 0, 0x20, 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 0, 0x20) == 0);  // unimplemented BAR
    b.cfg_write(3, 0, 0x30, 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 0, 0x30) == 0);  // no expansion ROM
    // Programming keeps only the address bits the size allows, type bits stay.
    b.cfg_write(3, 0, 0x10, 0x0000C0FF);
    CHECK(b.cfg_read(3, 0, 0x10) == 0x0000C081);
    b.cfg_write(3, 0, 0x18, 0x12345678);
    b.cfg_write(3, 0, 0x1C, 0x00000001);
    CHECK(b.cfg_read(3, 0, 0x18) == 0x1230000C);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
  CHECK(p.fn.bar_address(0) == 0xC080);
  CHECK(p.fn.bar_address(2) == 0x112300000ull);
  CHECK(p.fn.bar_size(2) == (1u << 20));
}

TEST_CASE("PCI: header fields with Status W1C and RW scratch registers", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    CHECK(b.cfg_read(3, 0, 0x00) == 0x56781234);
    CHECK(b.cfg_read(3, 0, 0x04) == 0x02000000);  // Command 0, Status DEVSEL medium
    CHECK(b.cfg_read(3, 0, 0x08) == 0x02000042);
    CHECK(b.cfg_read(3, 0, 0x0C) == 0x00800000);  // multi-function header
    CHECK(b.cfg_read(3, 0, 0x2C) == 0xBBBBAAAA);
    CHECK(b.cfg_read(3, 0, 0x3C) == 0x00000100);  // line 0, pin INTA#
    b.cfg_write(3, 0, 0x3C, 0xFFFFFF0B);          // pin, Min_Gnt, Max_Lat are RO
    CHECK(b.cfg_read(3, 0, 0x3C) == 0x0000010B);
    b.cfg_write(3, 0, 0x0C, 0xFFFF2010);  // cache line and latency timer RW, header type/BIST RO
    CHECK(b.cfg_read(3, 0, 0x0C) == 0x00802010);
    b.cfg_write(3, 0, 0x04, 0xFFFF0000);  // writing ones to Status with Command 0: nothing to clear yet
    CHECK(b.cfg_read(3, 0, 0x04) == 0x02000000);
    b.cfg_write(3, 0, 0x40, 0xFFFFFFFF);  // device-specific register in the same bank
    CHECK(b.cfg_read(3, 0, 0x40) == 0x0000FFFF);
    CHECK(b.cfg_read(3, 0, 0x44) == 0);  // unimplemented device-specific space reads 0
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
}

TEST_CASE("PCI: configuration mechanism #1 corner cases", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    // The host bridge itself is 00:00.0, Intel 440BX, class 06.00.00.
    CHECK(b.cfg_read(0, 0, 0x00) == 0x71928086);
    CHECK(b.cfg_read(0, 0, 0x08) >> 8 == 0x060000);
    // CONFIG_ADDRESS reads back what was latched, minus reserved bits.
    b.out(0xCF8, 0xFF001803, 4);
    CHECK(b.in(0xCF8, 4) == 0x80001800);
    // Byte/word accesses to 0xCF8..0xCFB do not latch.
    b.out(0xCF8, pci::cfg_address(0, 3, 0, 0x00), 4);
    b.out(0xCF8, 0x00, 1);
    b.out(0xCFA, 0x0000, 2);
    CHECK(b.in(0xCF8, 4) == pci::cfg_address(0, 3, 0, 0x00));
    CHECK(b.in(0xCFC, 4) == 0x56781234);
    // Byte n of the dword at 0xCFC + n.
    CHECK(b.in(0xCFE, 1) == 0x78);
    CHECK(b.in(0xCFF, 1) == 0x56);
    CHECK(b.in(0xCFE, 2) == 0x5678);
    CHECK(b.in(0xCFD, 1) == 0x12);
    b.out(0xCF8, pci::cfg_address(0, 3, 0, 0x3C), 4);
    b.out(0xCFC, 0x0E, 1);  // Interrupt Line only
    CHECK(b.in(0xCFC, 4) == 0x0000010E);
    b.out(0xCF8, pci::cfg_address(0, 3, 0, 0x0C), 4);
    b.out(0xCFD, 0x40, 1);  // latency timer at byte 1
    CHECK(b.in(0xCFC, 4) == 0x00804000);
    // Enable bit clear: data reads all ones, writes are dropped.
    b.out(0xCF8, pci::cfg_address(0, 3, 0, 0x04) & ~pci::kCfgAddrEnable, 4);
    CHECK(b.in(0xCFC, 4) == 0xFFFFFFFF);
    b.out(0xCFC, pci::kCmdIoSpace | pci::kCmdMemSpace, 2);
    CHECK((b.cfg_read(3, 0, 0x04) & 0xFFFF) == 0);
    // Absent device, absent function, other bus.
    CHECK(b.cfg_read(5, 0, 0x00) == 0xFFFFFFFF);
    CHECK(b.cfg_read(3, 1, 0x00) == 0xFFFFFFFF);
    b.out(0xCF8, pci::cfg_address(1, 3, 0, 0x00), 4);
    CHECK(b.in(0xCFC, 4) == 0xFFFFFFFF);
    CHECK(b.in(0xCFE, 2) == 0xFFFF);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
}

TEST_CASE("PCI: Command decode bits gate I/O and memory BARs through the host bridge", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    b.cfg_write(3, 0, 0x10, 0xC000);
    b.cfg_write(3, 0, 0x14, 0xE0000000);
    // Decode off after reset: master abort.
    CHECK(b.in(0xC004, 4) == 0xFFFFFFFF);
    CHECK(b.read(b.mem, 0xE0000010, 4) == 0xFFFFFFFF);
    CHECK(p.fn.last_bar == 99);
    b.cfg_write(3, 0, 0x04, pci::kCmdIoSpace);
    CHECK(b.in(0xC004, 4) == 0x00000004);  // BAR0, offset 4
    CHECK(b.read(b.mem, 0xE0000010, 4) == 0xFFFFFFFF);  // memory still off
    b.cfg_write(3, 0, 0x04, pci::kCmdIoSpace | pci::kCmdMemSpace);
    CHECK(b.read(b.mem, 0xE0000010, 4) == 0x01000010);  // BAR1, offset 0x10
    b.write(b.mem, 0xE0000020, 0xA5A5A5A5, 4);
    CHECK(p.fn.last_offset == 0x20);
    CHECK(p.fn.last_write == 0xA5A5A5A5);
    // Moving the BAR moves the window.
    b.cfg_write(3, 0, 0x10, 0xD000);
    CHECK(b.in(0xC004, 4) == 0xFFFFFFFF);
    CHECK(b.in(0xD07F, 1) == 0x7F);
    // Only the Command byte written through a byte access at 0xCFC also counts.
    b.out(0xCF8, pci::cfg_address(0, 3, 0, 0x04), 4);
    b.out(0xCFC, pci::kCmdMemSpace, 1);
    CHECK(b.in(0xD000, 4) == 0xFFFFFFFF);
    CHECK(b.read(b.mem, 0xE0000FFC, 4) == 0x01000FFC);
    // A BAR handler refusing an access: target abort, Status bit 11 set, guest sees no fault.
    b.write(b.mem, 0xE0000800, 1, 4);
    CHECK((b.cfg_read(3, 0, 0x04) >> 16) & pci::kStsSigTargetAbort);
    b.cfg_write(3, 0, 0x04, (uint32_t{pci::kStsSigTargetAbort} << 16) | pci::kCmdMemSpace);  // W1C
    CHECK(((b.cfg_read(3, 0, 0x04) >> 16) & pci::kStsSigTargetAbort) == 0);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
  CHECK(p.pci.master_aborts.value() == 5);
  auto w = p.pci.windows();
  REQUIRE(w.size() == 3);
  CHECK(w[0].io);
  CHECK(w[0].base == 0xD000);
  CHECK_FALSE(w[0].enabled);
  CHECK(w[1].base == 0xE0000000);
  CHECK(w[1].size == 0x1000);
  CHECK(w[1].enabled);
  CHECK(w[2].size == (1u << 20));
  CHECK(w[2].owner == "nic");
}

TEST_CASE("PCI: a 64-bit BAR above 4 GiB decodes on the MMIO side", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    b.cfg_write(3, 0, 0x18, 0x00000000);
    b.cfg_write(3, 0, 0x1C, 0x00000002);
    b.cfg_write(3, 0, 0x04, pci::kCmdMemSpace);
    CHECK(b.read(b.mem, 0x200000100ull, 4) == 0x02000100);
    CHECK(b.read(b.mem, 0x200100000ull, 4) == 0xFFFFFFFF);  // one past the 1 MiB window
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
}

TEST_CASE("PCI: INTx follows the pending state gated by Interrupt Disable", "[bus][pci]") {
  PciRig p;
  p.bench.body = [&] {
    Bench& b = p.bench;
    p.fn.raise(true);
    wait(SC_ZERO_TIME);
    CHECK(p.intx.read());
    CHECK((b.cfg_read(3, 0, 0x04) >> 16) & pci::kStsIntStatus);
    b.cfg_write(3, 0, 0x04, pci::kCmdIntxDisable);
    wait(SC_ZERO_TIME);
    CHECK_FALSE(p.intx.read());
    CHECK((b.cfg_read(3, 0, 0x04) >> 16) & pci::kStsIntStatus);  // still pending
    b.cfg_write(3, 0, 0x04, 0);
    wait(SC_ZERO_TIME);
    CHECK(p.intx.read());
    p.fn.raise(false);
    wait(SC_ZERO_TIME);
    CHECK_FALSE(p.intx.read());
    CHECK(((b.cfg_read(3, 0, 0x04) >> 16) & pci::kStsIntStatus) == 0);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
}

TEST_CASE("PCI: bus-master DMA is refused until Bus Master Enable is set", "[bus][pci]") {
  PciRig p;
  std::memcpy(p.ram.data() + 0x100, "hvsim-dma", 9);
  p.bench.body = [&] {
    Bench& b = p.bench;
    char buf[9] = {};
    sc_time t = SC_ZERO_TIME;
    CHECK_FALSE(p.fn.do_dma_read(0x100, buf, 9, t));
    CHECK(buf[0] == 0);
    b.cfg_write(3, 0, 0x04, pci::kCmdBusMaster);
    CHECK(p.fn.do_dma_read(0x100, buf, 9, t));
    CHECK(std::memcmp(buf, "hvsim-dma", 9) == 0);
    CHECK(p.fn.do_dma_write(0x200, "xyz", 3, t));
    CHECK(std::memcmp(p.ram.data() + 0x200, "xyz", 3) == 0);
    // A DMA nobody claims: the PCI master abort reads all ones (the bridge is the default target).
    uint32_t v = 0;
    CHECK(p.fn.do_dma_read(0x80000000, &v, 4, t));
    CHECK(v == 0xFFFFFFFF);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
  CHECK(p.fn.dma_refused.value() == 1);
  CHECK(p.fn.dma_bytes_read.value() == 13);
  CHECK(p.fn.dma_bytes_written.value() == 3);
}

TEST_CASE("PCI: firmware BAR assignment and queued firmware writes at start of simulation", "[bus][pci]") {
  ParamRegistry::instance().set_override("pci.firmware_assign", "true", SourceLoc{"test", 0, ""});
  PciRig p;
  p.pci.config_write(3, 0, 0x3C, 11, 1);  // before sc_start: queued
  std::vector<PciHostBridge::BarWindow> seen;
  p.pci.on_windows_changed([&](const std::vector<PciHostBridge::BarWindow>& w) { seen = w; });
  p.bench.body = [&] {
    Bench& b = p.bench;
    CHECK(b.cfg_read(3, 0, 0x10) == 0xC001);
    CHECK(b.cfg_read(3, 0, 0x14) == 0xE0000000);
    CHECK(b.cfg_read(3, 0, 0x18) == 0xE010000C);  // 1 MiB aligned after the 4 KiB BAR
    CHECK(b.cfg_read(3, 0, 0x1C) == 0);
    CHECK((b.cfg_read(3, 0, 0x04) & 0xFFFF) == (pci::kCmdIoSpace | pci::kCmdMemSpace));
    CHECK((b.cfg_read(3, 0, 0x3C) & 0xFF) == 11);
    CHECK(b.in(0xC010, 4) == 0x00000010);
    CHECK(p.pci.config_read(3, 0, 0x00, 2) == 0x1234);
    CHECK(p.pci.config_read(7, 0, 0x00, 4) == 0xFFFFFFFF);
  };
  sc_core::sc_start();
  REQUIRE(p.bench.done);
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].base == 0xE0100000);
  CHECK(seen[2].enabled);
}

TEST_CASE("PCI: declaring a BAR with a bad size is a ConfigError", "[bus][pci]") {
  struct Bad : PciFunction {
    Bad(sc_core::sc_module_name n, PciBarType t, uint64_t size) : PciFunction(n, PciId{}) { declare_bar(0, t, size); }
  };
  CHECK_THROWS_AS(Bad("a", PciBarType::Io, 96), ConfigError);
  CHECK_THROWS_AS(Bad("b", PciBarType::Io, 512), ConfigError);
  CHECK_THROWS_AS(Bad("c", PciBarType::Mem32, 8), ConfigError);
  CHECK_NOTHROW(Bad("d", PciBarType::Mem32, 16));
}
