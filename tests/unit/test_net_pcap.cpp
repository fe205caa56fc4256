// pcap capture and replay: exact file bytes, reader round trip and errors, external switch uplink.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "models/core/params.h"
#include "models/net/eth_peers.h"
#include "models/net/eth_switch.h"
#include "models/net/eth_uplink.h"
#include "models/net/eth_wire.h"
#include "models/net/pcap_reader.h"
#include "models/net/pcap_writer.h"
#include "models/net/timed_queue.h"

using namespace hvsim;
using namespace hvsim::net;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {
std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
void le32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(uint8_t(v >> (8 * i)));
}
std::string error_of(const std::string& path) {
  try {
    PcapReader r(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
void set(const std::string& name, const std::string& value) {
  ParamRegistry::instance().set_override(name, value, SourceLoc{"test", 0, name});
}
struct Recorder : EthEndpoint {
  std::vector<sc_time> at;
  void eth_receive(EthFramePtr) override { at.push_back(sc_core::sc_time_stamp()); }
};
}  // namespace

TEST_CASE("pcap: the writer produces exactly the standard nanosecond pcap bytes", "[net][pcap]") {
  const std::string path = "/tmp/hvsim_test_pcap_exact.pcap";
  {
    PcapWriter w(path);
    EthFrame f1{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xB5}};
    EthFrame f2{{0xAA, 0xBB}};
    w.write(f1, sc_time(6720, SC_NS));
    w.write(f2, sc_time(1, sc_core::SC_SEC) + sc_time(5, SC_NS) + sc_time(999, sc_core::SC_PS));
    CHECK(w.records() == 2);
  }
  std::vector<uint8_t> want;
  le32(want, 0xa1b23c4d);                            // magic: ns resolution, little-endian
  want.insert(want.end(), {2, 0, 4, 0});             // version 2.4
  le32(want, 0);                                     // thiszone
  le32(want, 0);                                     // sigfigs
  le32(want, 65535);                                 // snaplen
  le32(want, 1);                                     // LINKTYPE_ETHERNET
  le32(want, 0), le32(want, 6720), le32(want, 14), le32(want, 14);
  want.insert(want.end(), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xB5});
  le32(want, 1), le32(want, 5), le32(want, 2), le32(want, 2);  // sub-ns part truncated
  want.insert(want.end(), {0xAA, 0xBB});
  CHECK(slurp(path) == want);
}

TEST_CASE("pcap: a wire tap records first-bit times and the reader reads them back", "[net][pcap]") {
  const std::string path = "/tmp/hvsim_test_pcap_tap.pcap";
  auto w = std::make_unique<EthWire>("w", EthWireConfig{});
  auto pw = std::make_unique<PcapWriter>(path);
  w->add_tap([&](const EthFramePtr& f, const sc_time& start, EthWire::SideId) { pw->write(*f, start); });
  for (uint32_t s = 0; s < 3; ++s) {
    auto f = std::make_shared<EthFrame>();
    f->bytes = testframe::build(kBroadcastMac, 0x020000000001ull, 60 + s, s);
    w->side(EthWire::kA).transmit(f, sc_core::SC_ZERO_TIME);
  }
  auto f = std::make_shared<EthFrame>();
  f->bytes = testframe::build(0x020000000001ull, 0x020000000002ull, 100, 9);
  w->side(EthWire::kB).transmit(f, sc_time(1, SC_US));
  sc_core::sc_start();
  pw.reset();  // closes the file
  PcapReader r(path);
  CHECK(r.nanosecond());
  CHECK(!r.swapped());
  CHECK(r.linktype() == 1);
  REQUIRE(r.records().size() == 4);
  CHECK(r.records()[0].time_ns == 0);
  CHECK(r.records()[1].time_ns == 1000);  // side B starts at 1 us (full duplex)
  CHECK(r.records()[2].time_ns == 6720);
  CHECK(r.records()[3].time_ns == 6720 + 6800);  // after a 61-byte frame: 85 byte times
  CHECK(r.records()[1].bytes == testframe::build(0x020000000001ull, 0x020000000002ull, 100, 9));
  CHECK(r.records()[3].bytes == testframe::build(kBroadcastMac, 0x020000000001ull, 62, 2));
  CHECK(r.records()[3].orig_len == 62);
}

TEST_CASE("pcap: the reader takes microsecond big-endian files", "[net][pcap]") {
  const std::string path = "/tmp/hvsim_test_pcap_be.pcap";
  std::vector<uint8_t> b;
  be32(b, 0xa1b2c3d4);
  b.insert(b.end(), {0, 2, 0, 4});
  be32(b, 0), be32(b, 0), be32(b, 65535), be32(b, 1);
  be32(b, 3), be32(b, 250), be32(b, 3), be32(b, 60);
  b.insert(b.end(), {7, 8, 9});
  spit(path, b);
  PcapReader r(path);
  CHECK(!r.nanosecond());
  CHECK(r.swapped());
  REQUIRE(r.records().size() == 1);
  CHECK(r.records()[0].time_ns == 3'000'250'000ull);
  CHECK(r.records()[0].orig_len == 60);
  CHECK(r.records()[0].bytes == std::vector<uint8_t>{7, 8, 9});
}

TEST_CASE("pcap: truncated and garbage files name the file and the record", "[net][pcap]") {
  const std::string path = "/tmp/hvsim_test_pcap_trunc.pcap";
  {
    PcapWriter w(path);
    w.write(EthFrame{std::vector<uint8_t>(60, 1)}, sc_time(1, SC_US));
    w.write(EthFrame{std::vector<uint8_t>(60, 2)}, sc_time(2, SC_US));
  }
  std::vector<uint8_t> good = slurp(path);
  REQUIRE(good.size() == 24 + 2 * (16 + 60));
  spit(path, std::vector<uint8_t>(good.begin(), good.end() - 3));
  std::string err = error_of(path);
  CHECK(err.find(path) != std::string::npos);
  CHECK(err.find("record 2") != std::string::npos);
  CHECK(err.find("truncated data (57 of 60 bytes)") != std::string::npos);
  spit(path, std::vector<uint8_t>(good.begin(), good.begin() + 24 + 76 + 10));
  CHECK(error_of(path).find("record 2 at offset 100: truncated record header (10 of 16 bytes)") != std::string::npos);
  auto garbage = good;
  garbage[24 + 8] = 0xFF, garbage[24 + 9] = 0xFF, garbage[24 + 10] = 0xFF;  // incl_len of record 1
  spit(path, garbage);
  CHECK(error_of(path).find("record 1") != std::string::npos);
  spit(path, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  err = error_of(path);
  CHECK(err.find(path) != std::string::npos);
  CHECK(err.find("not a pcap file") != std::string::npos);
  spit(path, {0x4d, 0x3c});
  CHECK(error_of(path).find("truncated global header") != std::string::npos);
  CHECK(error_of("/tmp/hvsim_no_such_dir/x.pcap").find("'/tmp/hvsim_no_such_dir/x.pcap': cannot open") !=
        std::string::npos);
  CHECK_THROWS_WITH(PcapWriter("/tmp/hvsim_no_such_dir/out.pcap"), Catch::Contains("/tmp/hvsim_no_such_dir/out.pcap"));
}

TEST_CASE("pcap: an external switch captures its uplink and replays a file at its relative times", "[net][pcap]") {
  const std::string in = "/tmp/hvsim_test_pcap_replay_in.pcap", out = "/tmp/hvsim_test_pcap_replay_out.pcap";
  {
    PcapWriter w(in);  // relative times 0, 100 us and 101 us (too close: the uplink holds it to line rate)
    w.write(EthFrame{testframe::build(kBroadcastMac, 0x0200000000F1ull, 60, 0)}, sc_time(5000, SC_US));
    w.write(EthFrame{testframe::build(kBroadcastMac, 0x0200000000F1ull, 60, 1)}, sc_time(5100, SC_US));
    w.write(EthFrame{testframe::build(kBroadcastMac, 0x0200000000F1ull, 60, 2)}, sc_time(5101, SC_US));
    w.write(EthFrame{{1, 2, 3}}, sc_time(5200, SC_US));  // not an Ethernet frame: skipped
  }
  set("sw.kind", "external");
  set("sw.pcap", out);
  set("sw.replay", in);
  set("sw.replay_start_ps", "20000000");  // 20 us
  set("sw.propagation_ps", "0");
  auto sw = std::make_unique<EthSwitch>("sw");
  Recorder a;
  EthLink& la = sw->attach_station(a, "a");
  TimedQueue q;
  q.at(sc_time(1, SC_US), [&] {
    auto f = std::make_shared<EthFrame>();
    f->bytes = testframe::build(kBroadcastMac, 0x02000000000Aull, 60, 0);
    la.transmit(f, sc_core::sc_time_stamp());
  });
  sc_core::sc_start();
  const sc_time hop = sc_time(5.76, SC_US) * 2.0 + sc_time(2, SC_US);
  REQUIRE(a.at.size() == 3);
  CHECK(a.at[0] == sc_time(20, SC_US) + hop);
  CHECK(a.at[1] == sc_time(120, SC_US) + hop);
  CHECK(a.at[2] == sc_time(120, SC_US) + sc_time(6.72, SC_US) + hop);
  REQUIRE(sw->uplink() != nullptr);
  CHECK(sw->uplink()->replayed.value() == 3);
  CHECK(sw->uplink()->replay_skipped.value() == 1);
  CHECK(sw->uplink()->rx_frames.value() == 1);
  sw.reset();  // flushes the capture
  PcapReader r(out);
  REQUIRE(r.records().size() == 1);  // only what left through the uplink: a's broadcast
  CHECK(r.records()[0].time_ns == 1000 + 5760 + 2000);
  CHECK(r.records()[0].bytes == testframe::build(kBroadcastMac, 0x02000000000Aull, 60, 0));
}

TEST_CASE("pcap: a per-station capture on a switch port records both directions", "[net][pcap]") {
  const std::string out = "/tmp/hvsim_test_pcap_station.pcap";
  set("sw.propagation_ps", "0");
  auto sw = std::make_unique<EthSwitch>("sw");
  EthEcho echo("echo", 0x0200000000EEull, sc_time(1, SC_US));
  Recorder a;
  EthLink& la = sw->attach_station(a, "a", out);
  echo.attach(sw->attach_station(echo, "echo"));
  TimedQueue q;
  q.at(sc_core::SC_ZERO_TIME, [&] {
    auto f = std::make_shared<EthFrame>();
    f->bytes = testframe::build(0x0200000000EEull, 0x02000000000Aull, 60, 5);
    la.transmit(f, sc_core::SC_ZERO_TIME);
  });
  sc_core::sc_start();
  sw.reset();
  PcapReader r(out);
  REQUIRE(r.records().size() == 2);
  CHECK(r.records()[0].time_ns == 0);
  // Reply's first bit on a's wire: 2 x (5.76 + 5.76 + 2) - 5.76 + 1 us turnaround.
  CHECK(r.records()[1].time_ns == 2 * 13520 - 5760 + 1000);
  CHECK(get_mac(r.records()[1].bytes, 0) == 0x02000000000Aull);
}
