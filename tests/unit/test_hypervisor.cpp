// Bench tests of the hypervisor model: exit costs per path, EOI handling, root-partition queueing,
// intercept-map rules. The bench stands in for a vCPU (initiator) and a device (recording target).
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/address_router.h"
#include "models/hypervisor/hypervisor.h"

using namespace hvsim;

namespace {

struct Device : sc_core::sc_module {
  tlm_utils::simple_target_socket<Device> socket{"socket"}, mem_socket{"mem_socket"};
  std::vector<sc_core::sc_time> seen_at;  // when each access happened (LT: now + annotated delay)
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;
  explicit Device(const sc_core::sc_module_name& n) : sc_module(n) {
    socket.register_b_transport(this, &Device::b_transport);
    mem_socket.register_b_transport(this, &Device::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
    seen_at.push_back(sc_core::sc_time_stamp() + d);
    d += latency;
    if (t.is_read()) std::memset(t.get_data_ptr(), 0x5A, t.get_data_length());
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// vCPU stand-in at 1 GHz: 1 cycle = 1 ns, so times and cycles read the same.
struct Bench : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Bench> io{"io"}, mem{"mem"}, vmm{"vmm"};
  CostProfile costs;
  RootPartition root;
  Hypervisor hv{"hv", costs, root};
  AddressRouter io_router{"io_router"}, mem_router{"mem_router"};
  Device dev{"dev"};
  sc_core::sc_signal<bool> sint{"sint"};
  explicit Bench(const sc_core::sc_module_name& n) : sc_module(n) {
    io.bind(hv.guest_io);
    mem.bind(hv.guest_mem);
    vmm.bind(hv.vmm);
    hv.io_out.bind(io_router.target_socket);
    hv.mem_out.bind(mem_router.target_socket);
    hv.sint_irq.bind(sint);
    unsigned t = io_router.bind_target(dev.socket);
    io_router.map(0x20, 2, t, "pic");
    io_router.map(0xE0, 8, t, "dev");
    io_router.map(0x80, 1, t, "pt");
    io_router.map(0x40, 4, t, "pit");
    mem_router.map(0xFEB00000, 0x1000, dev.mem_socket, "dev");
    hv.set_vcpu(1000000000, "bench", "cpu");
    auto add = [&](InterceptMap::Space s, uint64_t base, uint64_t size, ExitHandler h, const char* name, bool eoi) {
      InterceptMap::Entry e;
      e.base = base, e.size = size, e.handler = h, e.device = name, e.eoi_register = eoi;
      hv.intercepts().add(s, e);
    };
    add(InterceptMap::Space::kPort, 0x20, 2, ExitHandler::kHypervisor, "pic", true);
    add(InterceptMap::Space::kPort, 0xE0, 8, ExitHandler::kRoot, "dev", false);
    add(InterceptMap::Space::kPort, 0x80, 1, ExitHandler::kNone, "pt", false);
    add(InterceptMap::Space::kPort, 0x40, 4, ExitHandler::kHypervisor, "pit", false);
    add(InterceptMap::Space::kMemory, 0xFEB00000, 0x1000, ExitHandler::kRoot, "dev", false);
  }

  // One access; returns the exit cycles the hypervisor reported.
  uint64_t access(tlm_utils::simple_initiator_socket<Bench>& s, bool write, uint64_t addr, uint8_t value = 0,
                  sc_core::sc_time* delay_out = nullptr) {
    tlm::tlm_generic_payload t;
    ExitCostExtension ext;
    t.set_extension(&ext);
    uint8_t data = value;
    t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(&data);
    t.set_data_length(1);
    t.set_streaming_width(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    s->b_transport(t, d);
    t.clear_extension(&ext);
    if (delay_out) *delay_out = d;
    return ext.cycles;
  }
};

uint64_t counter(const std::string& name) {
  auto* c = dynamic_cast<const Counter*>(StatsRegistry::instance().find(name));
  return c ? c->value() : ~0ull;
}

template <typename Body>
void run(Body body) {
  Bench b("bench");
  sc_core::sc_spawn([&] { body(b); });
  sc_core::sc_start();
}
}  // namespace

TEST_CASE("hypervisor: a root-forwarded port access costs round trip + dispatch + forward + emulation + return",
          "[hypervisor]") {
  run([](Bench& b) {
    uint64_t c = b.access(b.io, true, 0xE0);
    CHECK(c == 700 + 600 + 2000 + 450 + 2000);
    // The device sees the access when the root emulator makes it: after hw, dispatch, forward, emulation.
    REQUIRE(b.dev.seen_at.size() == 1);
    CHECK(b.dev.seen_at[0] == sc_core::sc_time(700 + 600 + 2000 + 450, sc_core::SC_NS));
    CHECK(counter("bench.hv.exits_by.IO_INSTRUCTION.root.dev") == 1);
    CHECK(counter("bench.hv.cycles_by.root.forward") == 2000);
    CHECK(counter("root.vcpu0.jobs") == 1);
  });
}

TEST_CASE("hypervisor: hypervisor-handled, pass-through and MMIO paths", "[hypervisor]") {
  run([](Bench& b) {
    CHECK(b.access(b.io, false, 0x40) == 700 + 600 + 700);              // in-hypervisor PIO
    CHECK(b.access(b.io, false, 0x80) == 0);                            // pass-through: no exit
    CHECK(b.access(b.mem, false, 0xFEB00000) == 700 + 600 + 400 + 2000 + 450 + 2000);  // EPT violation + decode
    CHECK(counter("bench.hv.exits_by.EPT_VIOLATION.root.dev") == 1);
    CHECK(counter("bench.hv.exits") == 2);
    CHECK(b.dev.seen_at.size() == 3);  // every path reaches the device
  });
}

TEST_CASE("hypervisor: the device's own latency comes back as delay, not as exit cycles", "[hypervisor]") {
  run([](Bench& b) {
    b.dev.latency = sc_core::sc_time(250, sc_core::SC_NS);
    sc_core::sc_time d;
    CHECK(b.access(b.io, true, 0xE0, 0, &d) == 5750);
    CHECK(d == sc_core::sc_time(250, sc_core::SC_NS));
    CHECK(counter("root.vcpu0.busy_ps") == (2000 + 450 + 2000 + 250) * 1000ull);  // the root vCPU ran it all
  });
}

TEST_CASE("hypervisor: an OCW2 EOI to the PIC is an EOI exit, other PIC writes are I/O exits", "[hypervisor]") {
  run([](Bench& b) {
    CHECK(b.access(b.io, true, 0x20, 0x20) == 700 + 600 + 200);  // non-specific EOI
    CHECK(b.access(b.io, true, 0x20, 0x65) == 700 + 600 + 200);  // specific EOI, IR5
    CHECK(b.access(b.io, true, 0x20, 0x0B) == 700 + 600 + 700);  // OCW3: an ordinary port exit
    CHECK(counter("bench.hv.exits_by.EOI.hypervisor.pic") == 2);
    CHECK(counter("bench.hv.exits_by.IO_INSTRUCTION.hypervisor.pic") == 1);
  });
}

TEST_CASE("hypervisor: with virtualized EOI the EOI takes no exit", "[hypervisor]") {
  ParamRegistry::instance().set_override("hv.eoi.virtualized", "true", SourceLoc{"test", 0, ""});
  run([](Bench& b) {
    CHECK(b.access(b.io, true, 0x20, 0x20) == 75);
    CHECK(counter("bench.hv.exits") == 0);
    CHECK(b.dev.seen_at.size() == 1);  // the PIC still sees its EOI
  });
}

TEST_CASE("hypervisor: forwarded work queues for a busy root vCPU", "[hypervisor]") {
  RootPartition root;
  sc_core::sc_time ns(1, sc_core::SC_NS);
  auto a = root.run(0 * ns, 100 * ns);
  auto b = root.run(50 * ns, 100 * ns);  // the only root vCPU is busy until 100 ns
  CHECK(a.start == 0 * ns);
  CHECK(b.start == 100 * ns);
  CHECK(counter("root.vcpu0.queued_ps") == 50000);
}

TEST_CASE("hypervisor: two root vCPUs serve overlapping work in parallel", "[hypervisor]") {
  ParamRegistry::instance().set_override("hv.root.vcpus", "2", SourceLoc{"test", 0, ""});
  RootPartition root;
  sc_core::sc_time ns(1, sc_core::SC_NS);
  root.run(0 * ns, 100 * ns);
  auto b = root.run(50 * ns, 100 * ns);
  CHECK(b.vcpu == 1);
  CHECK(b.start == 50 * ns);
}

TEST_CASE("hypervisor: the intercept map rejects overlaps and falls back to its default", "[hypervisor]") {
  InterceptMap m;
  InterceptMap::Entry e;
  e.base = 0x100, e.size = 0x10, e.handler = ExitHandler::kNone, e.device = "a";
  m.add(InterceptMap::Space::kPort, e);
  e.base = 0x108, e.device = "b";
  CHECK_THROWS_AS(m.add(InterceptMap::Space::kPort, e), ConfigError);
  CHECK(m.lookup(InterceptMap::Space::kPort, 0x10F).device == "a");
  CHECK(m.lookup(InterceptMap::Space::kPort, 0x110).handler == ExitHandler::kRoot);
  CHECK(m.lookup(InterceptMap::Space::kMemory, 0x100).device == "unclaimed");
}

TEST_CASE("hypervisor: CPUID exits and gets the Hyper-V leaves; VMCALL without a hypercall page is #UD",
          "[hypervisor]") {
  run([](Bench& b) {
    tlm::tlm_generic_payload t;
    VmmRequest rq;
    t.set_extension(&rq);
    sc_core::sc_time d;
    rq.kind = VmmRequest::Kind::kCpuid;
    rq.a = 0x40000000;
    b.vmm->b_transport(t, d);
    CHECK(rq.cycles == 1300);
    CHECK(rq.regs[1] == 0x7263694D);  // "Micr"
    rq.kind = VmmRequest::Kind::kHypercall;
    rq.a = 0x5C;
    b.vmm->b_transport(t, d);
    CHECK(rq.result == VmmRequest::Result::kUd);
    t.clear_extension(&rq);
  });
}
