// EthSwitch: learning, flooding, no hairpin, store-and-forward latency, output queue bound, kinds.
// One SystemC simulation per test case (run under CTest).
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "models/core/params.h"
#include "models/net/eth_peers.h"
#include "models/net/eth_switch.h"
#include "models/net/mac_address.h"
#include "models/net/timed_queue.h"

using namespace hvsim;
using namespace hvsim::net;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {
struct Recorder : EthEndpoint {
  std::vector<sc_time> at;
  std::vector<EthFramePtr> frames;
  void eth_receive(EthFramePtr f) override {
    at.push_back(sc_core::sc_time_stamp());
    frames.push_back(f);
  }
};

constexpr uint64_t kMacA = 0x02000000000Aull, kMacB = 0x02000000000Bull, kMacC = 0x02000000000Cull;

EthFramePtr frame(uint64_t dst, uint64_t src, size_t len = 60) {
  auto f = std::make_shared<EthFrame>();
  f->bytes = testframe::build(dst, src, len, 0);
  return f;
}

void set(const std::string& name, const std::string& value) {
  ParamRegistry::instance().set_override(name, value, SourceLoc{"test", 0, name});
}

const sc_time kFrame60 = sc_time(5.76, SC_US);  // 60 + 4 + 8 bytes at 100 Mb/s
const sc_time kLatency = sc_time(2, SC_US);     // the default store-and-forward latency
}  // namespace

TEST_CASE("eth_switch: the first frame floods and the reply goes only to the learned port", "[net][switch]") {
  set("sw.propagation_ps", "0");
  EthSwitch sw("sw");
  Recorder a, b, c;
  EthLink& la = sw.attach_station(a, "a");
  EthLink& lb = sw.attach_station(b, "b");
  sw.attach_station(c, "c");
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] { la.transmit(frame(kMacB, kMacA), sc_core::SC_ZERO_TIME); });
  q.at(sc_time(50, SC_US), [&] { lb.transmit(frame(kMacA, kMacB), sc_core::sc_time_stamp()); });
  sc_core::sc_start();
  // A -> B unknown: flooded to B and C, never back to A.
  REQUIRE(b.at.size() == 1);
  REQUIRE(c.at.size() == 1);
  CHECK(b.at[0] == kFrame60 + kLatency + kFrame60);
  CHECK(c.at[0] == b.at[0]);
  // B -> A: A was learned on port a; C sees nothing more.
  REQUIRE(a.at.size() == 1);
  CHECK(a.at[0] == sc_time(50, SC_US) + kFrame60 + kLatency + kFrame60);
  CHECK(c.at.size() == 1);
  CHECK(sw.learned_port(kMacA) == 0);
  CHECK(sw.learned_port(kMacB) == 1);
  CHECK(sw.learned_port(kMacC) == -1);
  CHECK(sw.table_size() == 2);
  // Per-port counters.
  CHECK(sw.port_stats(0).rx_frames.value() == 1);
  CHECK(sw.port_stats(0).rx_bytes.value() == 60);
  CHECK(sw.port_stats(0).floods.value() == 1);
  CHECK(sw.port_stats(0).tx_frames.value() == 1);
  CHECK(sw.port_stats(1).rx_frames.value() == 1);
  CHECK(sw.port_stats(1).floods.value() == 0);
  CHECK(sw.port_stats(1).tx_frames.value() == 1);
  CHECK(sw.port_stats(2).rx_frames.value() == 0);
  CHECK(sw.port_stats(2).tx_frames.value() == 1);
  CHECK(sw.port_stats(2).tx_bytes.value() == 60);
  CHECK(sw.ports() == 3);
  CHECK(sw.port_index("c") == 2);
}

TEST_CASE("eth_switch: no frame leaves by its ingress port", "[net][switch]") {
  set("sw.propagation_ps", "0");
  EthSwitch sw("sw");
  Recorder a, b;
  EthLink& la = sw.attach_station(a, "a");
  sw.attach_station(b, "b");
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] {
    la.transmit(frame(kBroadcastMac, kMacA), sc_core::SC_ZERO_TIME);  // flood: to b only
    la.transmit(frame(kMacA, kMacA), sc_core::SC_ZERO_TIME);          // to a station on the ingress port
    la.transmit(frame(0x01005E000001ull, kMacA), sc_core::SC_ZERO_TIME);  // multicast: to b only
  });
  sc_core::sc_start();
  CHECK(a.at.empty());
  CHECK(b.at.size() == 2);
  CHECK(sw.port_stats(0).filtered.value() == 1);
  CHECK(sw.port_stats(0).floods.value() == 2);
  CHECK(sw.port_stats(0).tx_frames.value() == 0);
}

TEST_CASE("eth_switch: a full output queue drops frames and counts them", "[net][switch]") {
  set("sw.propagation_ps", "0");
  set("sw.queue_frames", "4");
  EthSwitch sw("sw");
  Recorder a, b, c;
  EthLink& la = sw.attach_station(a, "a");
  EthLink& lb = sw.attach_station(b, "b");
  sw.attach_station(c, "c");
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] {
    for (int i = 0; i < 10; ++i) {  // two line-rate streams into port c, which drains one
      la.transmit(frame(kBroadcastMac, kMacA), sc_core::SC_ZERO_TIME);
      lb.transmit(frame(kBroadcastMac, kMacB), sc_core::SC_ZERO_TIME);
    }
  });
  sc_core::sc_start();
  // Decisions at 7.76 + 6.72k us bring two frames each; one leaves per 6.72 us: the queue of 4 is full
  // from the fourth decision on, one drop per decision (k = 3..9).
  CHECK(sw.port_stats(2).drops.value() == 7);
  CHECK(sw.port_stats(2).tx_frames.value() == 13);
  CHECK(c.at.size() == 13);
  CHECK(c.at.back() == kFrame60 + kLatency + kFrame60 + sc_time(6.72, SC_US) * 12.0);
  CHECK(sw.port_stats(0).drops.value() == 0);
  CHECK(sw.port_stats(1).drops.value() == 0);
  CHECK(a.at.size() == 10);
  CHECK(b.at.size() == 10);
}

TEST_CASE("eth_switch: an echo round trip is 4 serializations plus 2 latencies plus turnaround", "[net][switch]") {
  set("sw.latency_ps", "1500000");
  EthSwitch sw("sw");  // default propagation: 500 ns per link
  Recorder a;
  EthEcho echo("echo", kMacC, sc_time(4, SC_US));
  EthLink& la = sw.attach_station(a, "a");
  echo.attach(sw.attach_station(echo, "echo"));
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] { la.transmit(frame(kMacC, kMacA), sc_core::SC_ZERO_TIME); });
  sc_core::sc_start();
  REQUIRE(a.at.size() == 1);
  // Each way: serialization + propagation into the switch, latency, serialization + propagation out.
  const sc_time one_way = (kFrame60 + sc_time(500, SC_NS)) * 2.0 + sc_time(1.5, SC_US);
  CHECK(a.at[0] == one_way * 2.0 + sc_time(4, SC_US));
  CHECK(get_mac(a.frames[0]->bytes, 0) == kMacA);
  CHECK(get_mac(a.frames[0]->bytes, 6) == kMacC);
  CHECK(sw.learned_port(kMacC) == 1);
}

TEST_CASE("eth_switch: an internal switch has a root-partition host station", "[net][switch]") {
  set("sw.kind", "internal");
  set("sw.host", "echo");
  set("sw.host_mac", "02:00:00:00:00:99");
  set("sw.propagation_ps", "0");
  EthSwitch sw("sw");
  REQUIRE(sw.ports() == 1);
  REQUIRE(sw.host_echo() != nullptr);
  Recorder a;
  EthLink& la = sw.attach_station(a, "a");
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] { la.transmit(frame(kBroadcastMac, kMacA), sc_core::SC_ZERO_TIME); });
  sc_core::sc_start();
  REQUIRE(a.at.size() == 1);
  CHECK(a.at[0] == (kFrame60 * 2.0 + kLatency) * 2.0 + sc_time(10, SC_US));  // default host turnaround 10 us
  CHECK(get_mac(a.frames[0]->bytes, 6) == 0x020000000099ull);
  CHECK(sw.port_stats(sw.port_index("host")).rx_frames.value() == 1);
}

TEST_CASE("eth_switch: half duplex ports and 10 Mb/s come from the parameters", "[net][switch]") {
  set("sw.rate", "10M");
  set("sw.duplex", "half");
  set("sw.propagation_ps", "0");
  EthSwitch sw("sw");
  Recorder a, b;
  EthLink& la = sw.attach_station(a, "a");
  sw.attach_station(b, "b");
  CHECK(la.bits_per_second() == 10'000'000);
  CHECK(!la.full_duplex());
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] { la.transmit(frame(kBroadcastMac, kMacA), sc_core::SC_ZERO_TIME); });
  sc_core::sc_start();
  REQUIRE(b.at.size() == 1);
  CHECK(b.at[0] == sc_time(57.6, SC_US) * 2.0 + kLatency);
}

TEST_CASE("eth_switch: bad kind duplex rate and duplicate ports are configuration errors", "[net][switch]") {
  set("s1.kind", "public");
  CHECK_THROWS_WITH(EthSwitch("s1"), Catch::Contains("private, internal or external"));
  set("s2.duplex", "both");
  CHECK_THROWS_WITH(EthSwitch("s2"), Catch::Contains("full or half"));
  set("s3.rate", "7");
  CHECK_THROWS_WITH(EthSwitch("s3"), Catch::Contains("whole number of ps"));
  set("s4.pcap", "/tmp/x.pcap");
  CHECK_THROWS_WITH(EthSwitch("s4"), Catch::Contains("kind: external"));
  EthSwitch s5("s5");
  Recorder a, b;
  s5.attach_station(a, "a");
  CHECK_THROWS_WITH(s5.attach_station(b, "a"), Catch::Contains("a second station named 'a'"));
}

TEST_CASE("eth_switch: runt empty and null frames are counted and never forwarded", "[net][switch]") {
  set("sw.propagation_ps", "0");
  EthSwitch sw("sw");
  Recorder a, b;
  EthLink& la = sw.attach_station(a, "a");
  sw.attach_station(b, "b");
  TimedQueue q;
  sc_time null_end;
  q.at(sc_core::SC_ZERO_TIME, [&] {
    auto runt = std::make_shared<EthFrame>();
    runt->bytes.assign(13, 0xFF);
    la.transmit(runt, sc_core::SC_ZERO_TIME);
    la.transmit(std::make_shared<EthFrame>(), sc_core::SC_ZERO_TIME);
    null_end = la.transmit(nullptr, sc_time(1, SC_US));
  });
  sc_core::sc_start();
  CHECK(b.at.empty());
  CHECK(sw.port_stats(0).rx_frames.value() == 2);
  CHECK(sw.port_stats(0).rx_errors.value() == 2);
  CHECK(sw.table_size() == 0);
  CHECK(null_end == sc_time(1, SC_US));  // nothing sent, nothing counted
  CHECK(sw.wire(0).stats(EthWire::kA).frames.value() == 2);
}
