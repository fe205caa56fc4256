// Bench tests of DmaPath: the cost of a device's bus-master DMA by path (root copy work, in-hypervisor
// copy, pass-through), root-partition queueing, statistics; and the intercept map's run-time windows.
#include <catch2/catch.hpp>
#include <cstring>
#include <systemc>
#include <tlm_utils/simple_target_socket.h>

#include "models/hypervisor/dma_path.h"
#include "models/hypervisor/intercept_map.h"
#include "tests/unit/bench_harness.h"

using namespace hvsim;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

// Guest memory stand-in: 64 KiB, no latency of its own, so every delay seen is DmaPath's.
struct Ram : sc_core::sc_module {
  tlm_utils::simple_target_socket<Ram> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(65536, 0);
  explicit Ram(const sc_core::sc_module_name& n) : sc_module(n) { socket.register_b_transport(this, &Ram::b_transport); }
  void b_transport(tlm::tlm_generic_payload& t, sc_time&) {
    uint8_t* p = bytes.data() + t.get_address();
    if (t.is_write()) std::memcpy(p, t.get_data_ptr(), t.get_data_length());
    else std::memcpy(t.get_data_ptr(), p, t.get_data_length());
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// Three devices: emulated (root), hypervisor-emulated, pass-through. Clock 1 GHz: 1 cycle = 1 ns.
struct Bench : testbench::BusInitiator {
  CostProfile costs;
  RootPartition root;
  DmaPath dma{"dma", costs, root};
  Ram ram{"ram"};
  socket_type& emulated = socket(0);
  socket_type& in_hv = socket(1);
  socket_type& passthrough = socket(2);
  explicit Bench(const sc_core::sc_module_name& n)
      : BusInitiator(n, {"emulated", "in_hv", "passthrough"}, kStopAfterBody) {
    dma.add_source("disk", ExitHandler::kRoot);
    emulated.bind(dma.device_in);
    dma.add_source("vdev", ExitHandler::kHypervisor);
    in_hv.bind(dma.device_in);
    dma.add_source("nic", ExitHandler::kNone);
    passthrough.bind(dma.device_in);
    dma.mem_out.bind(ram.socket);
    dma.set_clock(1000000000);
    wait_delay = false;
  }
  sc_time write(socket_type& s, uint64_t addr, unsigned len, sc_time at = sc_core::SC_ZERO_TIME) {
    std::vector<uint8_t> buf(len, 0xA5);
    access(s, tlm::TLM_WRITE_COMMAND, addr, buf.data(), len, at);
    return last_delay;
  }
};

}  // namespace

TEST_CASE("dma path: emulated DMA is root copy work and pass-through DMA is free", "[hypervisor][dma]") {
  Bench b("bench");
  // 4 KiB: setup 300 + 4096 * 340 / 1024 = 1360 -> 1660 cycles = 1660 ns at 1 GHz.
  b.body = [&] {
    CHECK(b.write(b.emulated, 0x1000, 4096) == sc_time(1660, SC_NS));
    CHECK(b.write(b.in_hv, 0x3000, 4096) == sc_time(1660, SC_NS));
    CHECK(b.write(b.passthrough, 0x5000, 4096) == sc_core::SC_ZERO_TIME);
    // A partial KiB rounds up to a whole cycle: 300 + ceil(100 * 340 / 1024) = 334.
    CHECK(b.write(b.emulated, 0x8000, 100, sc_time(10000, SC_NS)) == sc_time(10000 + 334, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(b.done);
  CHECK(b.ram.bytes[0x1000] == 0xA5);
  CHECK(b.ram.bytes[0x5FFF] == 0xA5);
  CHECK(b.dma.source(0).bytes_to_memory->value() == 4196);
  CHECK(b.dma.source(0).transfers->value() == 2);
  CHECK(b.dma.source(0).copy_cycles->value() == 1660 + 334);
  CHECK(b.dma.source(1).copy_cycles->value() == 1660);
  CHECK(b.dma.source(2).copy_cycles->value() == 0);
  CHECK(b.dma.source(2).bytes_to_memory->value() == 4096);
  // Only the emulated device's copies ran on the root vCPU.
  CHECK(b.root.busy(0) == sc_time(1660 + 334, SC_NS));
}

TEST_CASE("dma path: emulated DMA queues behind busy root vCPUs", "[hypervisor][dma]") {
  Bench b("bench");
  b.body = [&] {
    // Two 4 KiB copies ready at the same instant: the second waits for the first (1660 ns).
    CHECK(b.write(b.emulated, 0x0, 4096) == sc_time(1660, SC_NS));
    CHECK(b.write(b.emulated, 0x2000, 4096) == sc_time(2 * 1660, SC_NS));
    // The in-hypervisor copy does not use the root partition: no queueing.
    CHECK(b.write(b.in_hv, 0x4000, 4096) == sc_time(1660, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(b.done);
}

TEST_CASE("dma path: DMA reads count bytes from memory and a read copies data", "[hypervisor][dma]") {
  Bench b("bench");
  b.ram.bytes[0x200] = 0x42;
  b.body = [&] {
    uint8_t buf[512] = {};
    b.access(b.emulated, tlm::TLM_READ_COMMAND, 0x200, buf, sizeof buf, sc_core::SC_ZERO_TIME);
    CHECK(buf[0] == 0x42);
    CHECK(b.last_delay == sc_time(300 + 170, SC_NS));
  };
  sc_core::sc_start();
  REQUIRE(b.done);
  CHECK(b.dma.source(0).bytes_from_memory->value() == 512);
  CHECK(b.dma.source(0).bytes_to_memory->value() == 0);
}

TEST_CASE("intercept map: run-time windows decode after fixed entries and before the default", "[hypervisor][dma]") {
  InterceptMap m;
  InterceptMap::Entry fixed;
  fixed.base = 0x1F0, fixed.size = 8, fixed.handler = ExitHandler::kHypervisor, fixed.device = "fixed";
  m.add(InterceptMap::Space::kPort, fixed);
  InterceptMap::Entry bar;
  bar.base = 0x1F0, bar.size = 0x20, bar.handler = ExitHandler::kNone, bar.device = "ide.bar4";
  InterceptMap::Entry other = bar;
  other.base = 0xC000, other.size = 0x80, other.device = "nic.bar0";
  m.set_dynamic(InterceptMap::Space::kPort, {bar, other});
  CHECK(m.lookup(InterceptMap::Space::kPort, 0x1F7).device == "fixed");     // a fixed window wins
  CHECK(m.lookup(InterceptMap::Space::kPort, 0x1F8).device == "ide.bar4");  // then the BAR
  CHECK(m.lookup(InterceptMap::Space::kPort, 0xC07F).device == "nic.bar0");
  CHECK(m.lookup(InterceptMap::Space::kPort, 0xC080).device == "unclaimed");
  m.set_dynamic(InterceptMap::Space::kPort, {});  // the guest disabled decoding
  CHECK(m.lookup(InterceptMap::Space::kPort, 0xC000).device == "unclaimed");
  CHECK(m.lookup(InterceptMap::Space::kMemory, 0xC000).device == "unclaimed");
}
