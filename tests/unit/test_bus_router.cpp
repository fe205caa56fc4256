// Memory and AddressRouter benches: offset translation, overlap errors, DMI translation and
// invalidation, unmapped (master-abort) behaviour, subtractive decode to a default target.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "bench_harness.h"
#include "models/bus/address_router.h"
#include "models/bus/memory.h"
#include "models/core/params.h"

using namespace hvsim;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;

namespace {

// The initiator side of a bench; the shared harness runs `body` and records DMI invalidations.
class Bench : public testbench::BusInitiator {
 public:
  socket_type& out = socket(0);

  explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}) { read_fill = 0; }

  uint32_t read32(uint64_t addr, tlm::tlm_response_status* st = nullptr) {
    Result r;
    const uint32_t v = read(out, addr, 4, SC_ZERO_TIME, &r);
    if (st) *st = r.status;
    return v;
  }
  tlm::tlm_response_status write32(uint64_t addr, uint32_t v) { return write(out, addr, v, 4).status; }

 protected:
  // Error responses are part of what these benches test, so the status is returned, not checked.
  void check_response(const tlm::tlm_generic_payload& gp, uint64_t addr) override {
    CHECK(gp.get_address() == addr);  // the router restores the initiator's address
  }
};

// A target that records the address it saw and can invalidate DMI on request.
class Probe : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Probe> in;
  uint64_t last_addr = ~0ull;
  explicit Probe(sc_core::sc_module_name n) : sc_module(n), in("in") {
    in.register_b_transport(this, &Probe::b_transport);
  }
  void invalidate(uint64_t s, uint64_t e) { in->invalidate_direct_mem_ptr(s, e); }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    last_addr = gp.get_address();
    if (gp.is_read()) std::memset(gp.get_data_ptr(), 0x5A, gp.get_data_length());
    delay += sc_time(10, SC_NS);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

}  // namespace

TEST_CASE("Memory: out-of-range access is an address error and DMI covers all of RAM", "[bus][memory]") {
  Bench bench("bench");
  Memory ram("ram", 0x1000);
  bench.out.bind(ram.socket);
  bench.body = [&] {
    CHECK(bench.write32(0x10, 0xDEADBEEF) == tlm::TLM_OK_RESPONSE);
    CHECK(bench.read32(0x10) == 0xDEADBEEF);
    CHECK(ram.data()[0x10] == 0xEF);
    tlm::tlm_response_status st;
    bench.read32(0xFFE, &st);  // straddles the end
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(bench.write32(0x1000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    tlm::tlm_generic_payload gp;
    gp.set_address(0x20);
    tlm::tlm_dmi dmi;
    REQUIRE(bench.out->get_direct_mem_ptr(gp, dmi));
    CHECK(dmi.get_dmi_ptr() == ram.data());
    CHECK(dmi.get_start_address() == 0);
    CHECK(dmi.get_end_address() == 0xFFF);
    CHECK(dmi.is_read_write_allowed());
    CHECK(sc_core::sc_time_stamp() == SC_ZERO_TIME);  // RAM latency defaults to 0 (DMI path)
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  CHECK(ram.writes.value() == 1);
}

TEST_CASE("AddressRouter: targets see offsets within their region", "[bus][router]") {
  Bench bench("bench");
  AddressRouter router("router");
  Memory a("a", 0x1000), b("b", 0x1000);
  bench.out.bind(router.target_socket);
  router.map(0x1000, 0x1000, a.socket, "a");
  router.map(0x3000, 0x1000, b.socket, "b");
  bench.body = [&] {
    bench.write32(0x3004, 0x11223344);
    bench.write32(0x1FFC, 0x55667788);
    CHECK(bench.read32(0x3004) == 0x11223344);
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  uint32_t v;
  std::memcpy(&v, b.data() + 4, 4);
  CHECK(v == 0x11223344);
  std::memcpy(&v, a.data() + 0xFFC, 4);
  CHECK(v == 0x55667788);
  auto regions = router.regions();
  REQUIRE(regions.size() == 2);
  CHECK(regions[0].name == "a");
  CHECK(regions[1].base == 0x3000);
  CHECK(router.decode(0x2000) == nullptr);
  CHECK(router.decode(0x3FFF)->name == "b");
}

TEST_CASE("AddressRouter: overlapping regions are a ConfigError naming both", "[bus][router]") {
  AddressRouter router("router");
  Memory a("a", 0x100), b("b", 0x100);
  router.map(0x3F8, 8, a.socket, "com1");
  try {
    router.map(0x3FC, 0x10, b.socket, "bogus");
    FAIL("overlap not detected");
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    CHECK(msg.find("com1") != std::string::npos);
    CHECK(msg.find("bogus") != std::string::npos);
  }
  CHECK_THROWS_AS(router.map(0x3F0, 9, 1, "left-edge"), ConfigError);
  CHECK_NOTHROW(router.map(0x3F0, 8, 1, "adjacent"));
  CHECK_THROWS_AS(router.map(0x500, 0, 1, "empty"), ConfigError);
  CHECK_THROWS_AS(router.map(~0ull - 1, 4, 1, "wraps"), ConfigError);
}

TEST_CASE("AddressRouter: DMI ranges and invalidations are translated to the initiator's space", "[bus][router]") {
  Bench bench("bench");
  AddressRouter router("router");
  Memory ram("ram", 0x4000);
  Probe probe("probe");
  bench.out.bind(router.target_socket);
  router.map(0x10000, 0x2000, ram.socket, "ram");  // only half of the RAM is visible
  router.map(0x20000, 0x1000, probe.in, "probe");
  bench.body = [&] {
    tlm::tlm_generic_payload gp;
    tlm::tlm_dmi dmi;
    gp.set_address(0x10800);
    REQUIRE(bench.out->get_direct_mem_ptr(gp, dmi));
    CHECK(gp.get_address() == 0x10800);
    CHECK(dmi.get_start_address() == 0x10000);
    CHECK(dmi.get_end_address() == 0x11FFF);  // clipped to the region, not the whole RAM
    CHECK(dmi.get_dmi_ptr() == ram.data());
    // An address no region claims: no DMI, and the denial covers exactly the gap.
    tlm::tlm_dmi none;
    gp.set_address(0x18000);
    CHECK_FALSE(bench.out->get_direct_mem_ptr(gp, none));
    CHECK(none.get_start_address() == 0x12000);
    CHECK(none.get_end_address() == 0x1FFFF);
    probe.invalidate(0x10, 0x20);
    CHECK(bench.invalidations == 1);
    CHECK(bench.inval_start == 0x20010);
    CHECK(bench.inval_end == 0x20020);
    probe.invalidate(0, ~0ull);  // "everything" of the target is its region, not the whole space
    CHECK(bench.inval_start == 0x20000);
    CHECK(bench.inval_end == 0x20FFF);
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
}

TEST_CASE("AddressRouter: unmapped reads are all ones and target delays are annotated", "[bus][router]") {
  Bench bench("bench");
  AddressRouter router("router");
  Probe probe("probe");
  bench.out.bind(router.target_socket);
  router.map(0x100, 0x10, probe.in, "probe");
  bench.body = [&] {
    tlm::tlm_response_status st;
    CHECK(bench.read32(0x200, &st) == 0xFFFFFFFF);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(bench.write32(0x200, 0) == tlm::TLM_OK_RESPONSE);
    CHECK(sc_core::sc_time_stamp() == SC_ZERO_TIME);
    CHECK(bench.read32(0x104) == 0x5A5A5A5A);
    CHECK(probe.last_addr == 4);
    CHECK(sc_core::sc_time_stamp() == sc_time(10, SC_NS));  // the target's annotated delay came back
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  CHECK(router.unmapped.value() == 2);
  CHECK(router.transactions.value() == 3);
}

TEST_CASE("AddressRouter: unmapped_error turns master aborts into address errors", "[bus][router]") {
  ParamRegistry::instance().set_override("router.unmapped_error", "true", SourceLoc{"test", 0, ""});
  Bench bench("bench");
  AddressRouter router("router");
  Probe probe("probe");
  bench.out.bind(router.target_socket);
  router.map(0x100, 0x10, probe.in, "probe");
  bench.body = [&] {
    tlm::tlm_response_status st;
    bench.read32(0x80, &st);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    bench.read32(0x100, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
}

TEST_CASE("AddressRouter: the default target gets unclaimed accesses with their address unchanged", "[bus][router]") {
  Bench bench("bench");
  AddressRouter router("router");
  Probe mapped("mapped"), fallback("fallback");
  bench.out.bind(router.target_socket);
  router.map(0x3F8, 8, mapped.in, "com1");
  router.set_default_target(fallback.in, "pci");
  bench.body = [&] {
    bench.read32(0xC010);
    CHECK(fallback.last_addr == 0xC010);
    bench.read32(0x3FA);
    CHECK(mapped.last_addr == 2);
  };
  sc_core::sc_start();
  REQUIRE(bench.done);
  CHECK(router.unmapped.value() == 0);
  CHECK(router.default_target_name() == "pci");
}

TEST_CASE("AddressRouter: a region naming an unbound target index fails elaboration", "[bus][router]") {
  Bench bench("bench");
  AddressRouter router("router");
  Memory ram("ram", 0x100);
  bench.out.bind(router.target_socket);
  router.map(0, 0x100, ram.socket, "ram");
  router.map(0x1000, 0x100, 3, "ghost");
  bench.body = [] {};
  CHECK_THROWS_WITH(sc_core::sc_start(), Catch::Contains("ghost"));
}
