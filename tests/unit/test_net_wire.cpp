// EthWire timing: frame + preamble/SFD + FCS + IFG per frame (calibration P5-P7), duplex, propagation,
// link state. One SystemC simulation per test case (run under CTest).
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "models/core/params.h"
#include "models/net/eth_peers.h"
#include "models/net/eth_wire.h"
#include "models/net/timed_queue.h"

using namespace hvsim;
using namespace hvsim::net;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::SC_US;

namespace {
struct Recorder : EthEndpoint {
  std::vector<sc_time> at;
  std::vector<EthFramePtr> frames;
  std::vector<std::pair<sc_time, bool>> link;
  void eth_receive(EthFramePtr f) override {
    at.push_back(sc_core::sc_time_stamp());
    frames.push_back(f);
  }
  void eth_link_changed(bool up) override { link.emplace_back(sc_core::sc_time_stamp(), up); }
};

EthFramePtr frame(size_t len, uint8_t fill = 0) {
  auto f = std::make_shared<EthFrame>();
  f->bytes.assign(len, fill);
  return f;
}

EthWireConfig cfg(uint64_t bps, bool full, sc_time prop) {
  EthWireConfig c;
  c.bits_per_second = bps;
  c.full_duplex = full;
  c.propagation = prop;
  return c;
}
}  // namespace

TEST_CASE("eth_wire: 64-byte frames back to back end exactly 6.72 us apart at 100 Mb/s", "[net][wire]") {
  EthWire w("w", EthWireConfig{});  // defaults: 100 Mb/s, full duplex, 500 ns propagation
  Recorder a, b;
  w.connect(EthWire::kA, &a);
  w.connect(EthWire::kB, &b);
  std::vector<sc_time> ends;
  for (int i = 0; i < 4; ++i) ends.push_back(w.side(EthWire::kA).transmit(frame(60), sc_core::SC_ZERO_TIME));
  sc_core::sc_start();
  // 60 + 4 FCS + 8 preamble/SFD = 72 bytes = 5.76 us, then 12 bytes of IFG: 84 bytes = 6.72 us per frame.
  REQUIRE(ends.size() == 4);
  CHECK(ends[0] == sc_time(5760, SC_NS));
  for (int i = 1; i < 4; ++i) CHECK(ends[i] - ends[i - 1] == sc_time(6720, SC_NS));
  REQUIRE(b.at.size() == 4);
  for (int i = 0; i < 4; ++i) CHECK(b.at[i] == ends[i] + sc_time(500, SC_NS));
  CHECK(a.at.empty());
  CHECK(w.stats(EthWire::kA).frames.value() == 4);
  CHECK(w.stats(EthWire::kA).bytes.value() == 240);
  CHECK(w.stats(EthWire::kA).busy_ps.value() == 4 * 5'760'000ull);
  CHECK(w.stats(EthWire::kB).frames.value() == 0);
}

TEST_CASE("eth_wire: 64-byte frames are 67.2 us apart at 10 Mb/s and short frames are padded", "[net][wire]") {
  EthWire w("w", cfg(10'000'000, true, sc_time(0, SC_NS)));
  Recorder b;
  w.connect(EthWire::kB, &b);
  sc_time e0 = w.side(EthWire::kA).transmit(frame(42), sc_core::SC_ZERO_TIME);  // padded to 60 on the wire
  sc_time e1 = w.side(EthWire::kA).transmit(frame(60), sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  CHECK(e0 == sc_time(57.6, SC_US));
  CHECK(e1 - e0 == sc_time(67.2, SC_US));
  CHECK(w.bit_time() == sc_time(100, SC_NS));
  REQUIRE(b.at.size() == 2);
  CHECK(b.frames[0]->bytes.size() == 42);  // delivered as handed over
}

TEST_CASE("eth_wire: 1514-byte frames are 123.04 us apart so 8127 fit in one second", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(0, SC_NS)));
  EthGenerator::Config gc;
  gc.size = 1514;
  gc.count = 9000;
  EthGenerator gen("gen", gc);
  EthSink sink("sink", true);
  w.connect(EthWire::kA, &gen);
  w.connect(EthWire::kB, &sink);
  gen.attach(w.side(EthWire::kA));
  sc_core::sc_start(sc_time(1, sc_core::SC_SEC));
  // 1514 + 4 + 8 = 1526 bytes = 122.08 us; + 0.96 us IFG = 123.04 us: 8127.4 frames/s (calibration P7).
  CHECK(sink.rx_frames.value() == 8127);
  CHECK(sink.first_rx() == sc_time(122.08, SC_US));
  CHECK(sink.last_rx() == sc_time(122.08, SC_US) + sc_time(123.04, SC_US) * 8126.0);
  CHECK(sink.seq_errors.value() == 0);
  CHECK(sink.pattern_errors.value() == 0);
}

TEST_CASE("eth_wire: a sender that offers frames faster than line rate is held to it", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(0, SC_NS)));
  EthGenerator::Config gc;
  gc.count = 1000;
  gc.frames_per_second = 1e6;  // 1 Mfps offered; 100 Mb/s carries 148,810 64-byte frames/s
  EthGenerator gen("gen", gc);
  EthSink sink("sink", true);
  w.connect(EthWire::kB, &sink);
  gen.attach(w.side(EthWire::kA));
  // And a caller that asks for a start time in the past of the wire: it waits for the wire too.
  sc_core::sc_start();
  CHECK(sink.rx_frames.value() == 1000);
  CHECK(sink.last_rx() == sc_time(5.76, SC_US) + sc_time(6.72, SC_US) * 999.0);
  CHECK(gen.last_end() == sink.last_rx());
  CHECK(w.stats(EthWire::kA).busy_ps.value() == 1000 * 5'760'000ull);
  CHECK(sink.seq_errors.value() == 0);
}

TEST_CASE("eth_wire: a generator below line rate sends at its own rate", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(0, SC_NS)));
  EthGenerator::Config gc;
  gc.count = 5;
  gc.size = 100;
  gc.frames_per_second = 10'000;  // every 100 us
  gc.start = sc_time(50, SC_US);
  gc.dst = 0x0200000000AAull;
  gc.src = 0x0200000000BBull;
  EthGenerator gen("gen", gc);
  Recorder r;
  w.connect(EthWire::kB, &r);
  gen.attach(w.side(EthWire::kA));
  sc_core::sc_start();
  REQUIRE(r.at.size() == 5);
  // 100 + 4 + 8 bytes = 8.96 us after each due time.
  for (int k = 0; k < 5; ++k) CHECK(r.at[k] == sc_time(50, SC_US) + sc_time(100, SC_US) * double(k) + sc_time(8.96, SC_US));
  // Payload: DA, SA, 0x88B5, seq (big-endian), then (seq + i) & 0xFF.
  const auto& f = r.frames[3]->bytes;
  REQUIRE(f.size() == 100);
  const std::vector<uint8_t> head = {0x02, 0, 0, 0, 0, 0xAA, 0x02, 0, 0, 0, 0, 0xBB, 0x88, 0xB5, 0, 0, 0, 3, 3, 4, 5};
  CHECK(std::vector<uint8_t>(f.begin(), f.begin() + 21) == head);
  CHECK(f[99] == static_cast<uint8_t>(3 + 81));
  uint32_t seq = 99;
  CHECK(testframe::check(f, seq) == testframe::Check::kOk);
  CHECK(seq == 3);
}

TEST_CASE("eth_wire: a sink counts sequence gaps and bad patterns", "[net][wire]") {
  EthSink sink("sink", true);
  auto send = [&](std::vector<uint8_t> b) {
    auto f = std::make_shared<EthFrame>();
    f->bytes = std::move(b);
    sink.eth_receive(f);
  };
  send(testframe::build(kBroadcastMac, 1, 60, 0));
  send(testframe::build(kBroadcastMac, 1, 60, 2));  // 1 is missing
  auto bad = testframe::build(kBroadcastMac, 1, 60, 3);
  bad[40] ^= 1;
  send(bad);
  send(std::vector<uint8_t>(60, 0));  // not a test frame
  CHECK(sink.rx_frames.value() == 4);
  CHECK(sink.test_frames.value() == 3);
  CHECK(sink.seq_errors.value() == 1);
  CHECK(sink.pattern_errors.value() == 1);
}

TEST_CASE("eth_wire: full duplex carries both directions at full rate at once", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(0, SC_NS)));
  Recorder a, b;
  w.connect(EthWire::kA, &a);
  w.connect(EthWire::kB, &b);
  std::vector<sc_time> ea, eb;
  for (int i = 0; i < 3; ++i) {
    ea.push_back(w.side(EthWire::kA).transmit(frame(60), sc_core::SC_ZERO_TIME));
    eb.push_back(w.side(EthWire::kB).transmit(frame(60), sc_core::SC_ZERO_TIME));
  }
  sc_core::sc_start();
  for (int i = 0; i < 3; ++i) {
    CHECK(ea[i] == sc_time(5.76, SC_US) + sc_time(6.72, SC_US) * double(i));
    CHECK(eb[i] == ea[i]);
  }
  CHECK(a.at == eb);
  CHECK(b.at == ea);
}

TEST_CASE("eth_wire: half duplex shares one medium between the two sides", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, false, sc_time(0, SC_NS)));
  Recorder a, b;
  w.connect(EthWire::kA, &a);
  w.connect(EthWire::kB, &b);
  sc_time a0 = w.side(EthWire::kA).transmit(frame(60), sc_core::SC_ZERO_TIME);
  sc_time b0 = w.side(EthWire::kB).transmit(frame(60), sc_core::SC_ZERO_TIME);
  sc_time a1 = w.side(EthWire::kA).transmit(frame(60), sc_core::SC_ZERO_TIME);
  sc_time b1 = w.side(EthWire::kB).transmit(frame(1514), sc_time(100, SC_US));  // medium idle by then
  sc_core::sc_start();
  CHECK(a0 == sc_time(5.76, SC_US));
  CHECK(b0 == sc_time(12.48, SC_US));
  CHECK(a1 == sc_time(19.20, SC_US));
  CHECK(b1 == sc_time(100, SC_US) + sc_time(122.08, SC_US));
  CHECK(w.link_up());
  CHECK(!w.side(EthWire::kA).full_duplex());
  CHECK(w.side(EthWire::kA).bits_per_second() == 100'000'000);
}

TEST_CASE("eth_wire: a frame arrives its propagation delay after its last bit left", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(1234, SC_PS)));
  Recorder b;
  w.connect(EthWire::kB, &b);
  sc_time end = w.side(EthWire::kA).transmit(frame(60), sc_time(3, SC_US));
  sc_core::sc_start();
  CHECK(end == sc_time(8.76, SC_US));
  REQUIRE(b.at.size() == 1);
  CHECK(b.at[0] == sc_time(8.76, SC_US) + sc_time(1234, SC_PS));
}

TEST_CASE("eth_wire: link down notifies both ends and drops frames sent or in flight", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(0, SC_NS)));
  Recorder a, b;
  w.connect(EthWire::kA, &a);
  w.connect(EthWire::kB, &b);
  TimedQueue q;
  std::vector<sc_time> starts;
  w.add_tap([&](const EthFramePtr&, const sc_time& s, EthWire::SideId from) {
    CHECK(from == EthWire::kA);
    starts.push_back(s);
  });
  q.at(sc_time(1, SC_US), [&] { w.side(EthWire::kA).transmit(frame(60), sc_core::sc_time_stamp()); });  // delivered
  q.at(sc_time(8, SC_US), [&] { w.side(EthWire::kA).transmit(frame(60), sc_core::sc_time_stamp()); });  // in flight
  q.at(sc_time(10, SC_US), [&] { w.set_link(false); });
  q.at(sc_time(20, SC_US), [&] {
    CHECK(!w.side(EthWire::kA).link_up());
    sc_time e = w.side(EthWire::kA).transmit(frame(60), sc_core::sc_time_stamp());
    CHECK(e == sc_time(20, SC_US));
  });
  q.at(sc_time(30, SC_US), [&] { w.set_link(true); });
  q.at(sc_time(31, SC_US), [&] { w.side(EthWire::kA).transmit(frame(60), sc_core::sc_time_stamp()); });
  sc_core::sc_start();
  REQUIRE(b.at.size() == 2);
  CHECK(b.at[0] == sc_time(6.76, SC_US));
  CHECK(b.at[1] == sc_time(36.76, SC_US));
  const std::vector<std::pair<sc_time, bool>> changes = {{sc_time(10, SC_US), false}, {sc_time(30, SC_US), true}};
  CHECK(a.link == changes);
  CHECK(b.link == changes);
  CHECK(w.stats(EthWire::kA).drops_link_down.value() == 2);
  CHECK(w.stats(EthWire::kA).frames.value() == 3);
  CHECK(starts == std::vector<sc_time>{sc_time(1, SC_US), sc_time(8, SC_US), sc_time(31, SC_US)});
}

TEST_CASE("eth_wire: an echo station answers after 2 x serialization plus turnaround", "[net][wire]") {
  EthWire w("w", cfg(100'000'000, true, sc_time(700, SC_NS)));
  Recorder a;
  EthEcho echo("echo", 0x0200000000EEull, sc_time(3, SC_US));
  w.connect(EthWire::kA, &a);
  w.connect(EthWire::kB, &echo);
  echo.attach(w.side(EthWire::kB));
  auto f = std::make_shared<EthFrame>();
  f->bytes = testframe::build(kBroadcastMac, 0x0200000000A1ull, 60, 7);
  w.side(EthWire::kA).transmit(f, sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  REQUIRE(a.at.size() == 1);
  CHECK(a.at[0] == (sc_time(5.76, SC_US) + sc_time(700, SC_NS)) * 2.0 + sc_time(3, SC_US));
  // Broadcast in: the reply goes to the sender, from the echo station's own address.
  CHECK(get_mac(a.frames[0]->bytes, 0) == 0x0200000000A1ull);
  CHECK(get_mac(a.frames[0]->bytes, 6) == 0x0200000000EEull);
  CHECK(echo.echoed.value() == 1);
}

TEST_CASE("eth_wire: a rate without a whole-picosecond bit time is a configuration error", "[net][wire]") {
  CHECK_THROWS_AS(EthWire("w1", cfg(3, true, sc_time(0, SC_NS))), ConfigError);
  CHECK_THROWS_AS(EthWire("w2", cfg(0, true, sc_time(0, SC_NS))), ConfigError);
  EthWire ok("w3", cfg(1'000'000'000, true, sc_time(0, SC_NS)));
  CHECK(ok.bit_time() == sc_time(1, SC_NS));
  uint64_t mac = 0;
  CHECK(parse_mac("02:1b:2C:3d:4e:5F", mac));
  CHECK(mac == 0x021b2c3d4e5full);
  CHECK(format_mac(mac) == "02:1b:2c:3d:4e:5f");
  CHECK(!parse_mac("02:1b:2c:3d:4e", mac));
  CHECK(!parse_mac("02:1b:2c:3d:4e:5g", mac));
  CHECK(!is_group_mac(mac_from_name("vm0.nic0")));
  CHECK(mac_from_name("vm0.nic0") != mac_from_name("vm0.nic1"));
}
