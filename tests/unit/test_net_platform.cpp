// eth_switch / eth_peer in platform files: building, cross-VM switch names, errors naming file/line/key.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "models/core/stats.h"
#include "models/net/eth_switch.h"
#include "models/net/pcap_reader.h"
#include "platforms/net_components.h"
#include "platforms/platform.h"
#include "test_kernel.h"

using namespace hvsim;

namespace {
std::string write_platform(const std::string& name, const std::string& text) {
  std::string path = "/tmp/hvsim_test_net_" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}
std::string build_error(const std::string& path) {
  try {
    Platform p(path, {});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("net platform: a switch with peers in two VMs builds and attaches every station", "[net][platform]") {
  std::string path = write_platform("good",
                                    "vm0:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu}\n"
                                    "  sw0: {type: eth_switch, kind: internal, rate: 10M, duplex: half, latency_ps: 1000000}\n"
                                    "  gen: {type: eth_peer, switch: sw0, mode: generator, count: 3, size: 128, rate: 1000,\n"
                                    "        dst: \"02:00:00:00:00:05\", mac: \"02:00:00:00:00:04\"}\n"
                                    "  far: {type: eth_peer, switch: vm1.sw1, mode: echo}\n"
                                    "vm1:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu}\n"
                                    "  sink: {type: eth_peer, switch: sw1, mode: sink, check_sequence: true, pcap: /tmp/hvsim_test_net_sink.pcap}\n"
                                    "  sw1: {type: eth_switch}\n");
  std::remove("/tmp/hvsim_test_net_sink.pcap");
  auto platform = std::make_unique<Platform>(path, Platform::Options{});
  auto* sw0 = dynamic_cast<net::EthSwitch*>(sc_core::sc_find_object("vm0.sw0"));
  auto* sw1 = dynamic_cast<net::EthSwitch*>(sc_core::sc_find_object("vm1.sw1"));
  REQUIRE(sw0);
  REQUIRE(sw1);
  CHECK(sw0->switch_kind() == net::EthSwitch::Kind::kInternal);
  CHECK(sw0->ports() == 2);  // host + gen
  CHECK(sw0->port_index("host") == 0);
  CHECK(sw0->port_index("vm0.gen") == 1);
  CHECK(sw0->wire_config().bits_per_second == 10'000'000);
  CHECK(!sw0->wire_config().full_duplex);
  CHECK(sw0->latency_ps.get() == 1'000'000);
  // vm1's sink is declared before its switch; vm0's echo names the switch in vm1 and, as vm0's
  // on_ready callbacks run first, takes its first port.
  CHECK(sw1->ports() == 2);
  CHECK(sw1->port_index("vm0.far") == 0);
  CHECK(sw1->port_index("vm1.sink") == 1);
  CHECK(sw1->switch_kind() == net::EthSwitch::Kind::kPrivate);
  CHECK(ParamRegistry::instance().find("vm0.gen.size")->value_str() == "128");
  CHECK(ParamRegistry::instance().find("vm1.sw1.queue_frames")->value_str() == "64");
  CHECK(StatsRegistry::instance().find("vm1.sw1.port.vm0_far.rx_frames") != nullptr);
  CHECK(StatsRegistry::instance().find("vm0.gen.tx_frames") != nullptr);
  platform.reset();  // closes the sink's capture: a pcap header and no records
  std::ifstream cap("/tmp/hvsim_test_net_sink.pcap", std::ios::binary | std::ios::ate);
  CHECK(cap.tellg() == 24);
}

TEST_CASE("net platform: an unknown switch name is one error naming file line and key", "[net][platform]") {
  std::string path = write_platform("noswitch",
                                    "vm0:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu}\n"
                                    "  sw0: {type: eth_switch}\n"
                                    "  peer:\n"
                                    "    type: eth_peer\n"
                                    "    switch: sw9\n");
  std::string err = build_error(path);
  CHECK(err.find(path + ":7") != std::string::npos);
  CHECK(err.find("vm0.peer.switch") != std::string::npos);
  CHECK(err.find("no eth_switch named 'sw9'") != std::string::npos);
}

TEST_CASE("net platform: a bad switch kind or peer mode names file line and key", "[net][platform]") {
  std::string path = write_platform("badkind",
                                    "vm0:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu}\n"
                                    "  sw0:\n"
                                    "    type: eth_switch\n"
                                    "    kind: public\n");
  std::string err = build_error(path);
  CHECK(err.find(path + ":6") != std::string::npos);
  CHECK(err.find("vm0.sw0.kind") != std::string::npos);
  CHECK(err.find("private, internal or external") != std::string::npos);
}

TEST_CASE("net platform: a peer naming a non-switch component or a bad generator size is an error", "[net][platform]") {
  std::string path = write_platform("notswitch",
                                    "vm0:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu}\n"
                                    "  gen: {type: eth_peer, switch: ram, mode: generator, size: 2000}\n");
  std::string err = build_error(path);
  CHECK(err.find(path + ":4") != std::string::npos);
  CHECK(err.find("vm0.gen.size") != std::string::npos);
  CHECK(err.find("60..1514") != std::string::npos);
  path = write_platform("notswitch2",
                        "vm0:\n"
                        "  ram: {type: memory, size: 4MiB}\n"
                        "  cpu0: {type: x86_vcpu}\n"
                        "  sink: {type: eth_peer, switch: ram}\n");
  err = build_error(path);
  CHECK(err.find(path + ":4") != std::string::npos);
  CHECK(err.find("vm0.sink.switch") != std::string::npos);
  CHECK(err.find("no eth_switch named 'ram'") != std::string::npos);
}

TEST_CASE("net platform: a generator in one VM reaches a sink in another through a switch", "[net][platform]") {
  testkit::Code code;
  code({0xFA, 0xF4});  // cli ; hlt
  testkit::TempKernel kernel(testkit::KernelSpec::elf32(code));
  const std::string cap = "/tmp/hvsim_test_net_e2e.pcap";
  std::string path = write_platform("e2e",
                                    "vm0:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu, stop_simulation_at_end: false}\n"
                                    "  gen: {type: eth_peer, switch: vm1.sw, mode: generator, count: 10, size: 100,\n"
                                    "        rate: 10000, start_ps: 5000000}\n"
                                    "vm1:\n"
                                    "  ram: {type: memory, size: 4MiB}\n"
                                    "  cpu0: {type: x86_vcpu, stop_simulation_at_end: false}\n"
                                    "  sw: {type: eth_switch, propagation_ps: 0}\n"
                                    "  sink: {type: eth_peer, switch: sw, mode: sink, check_sequence: true, pcap: " +
                                        cap + "}\n");
  Platform::Options opts;
  opts.kernel = kernel.path();
  auto platform = std::make_unique<Platform>(path, opts);
  platform->prepare();
  sc_core::sc_start();
  auto counter = [](const std::string& name) {
    auto* c = dynamic_cast<const Counter*>(StatsRegistry::instance().find(name));
    REQUIRE(c);
    return c->value();
  };
  CHECK(counter("vm0.gen.tx_frames") == 10);
  CHECK(counter("vm1.sink.rx_frames") == 10);
  CHECK(counter("vm1.sink.test_frames") == 10);
  CHECK(counter("vm1.sink.seq_errors") == 0);
  CHECK(counter("vm1.sink.pattern_errors") == 0);
  CHECK(counter("vm1.sw.port.vm0_gen.floods") == 10);
  CHECK(counter("vm1.sw.port.vm1_sink.tx_bytes") == 1000);
  platform.reset();
  net::PcapReader r(cap);
  REQUIRE(r.records().size() == 10);
  // Frame k: due at 5 us + 100 us k; 8.96 us on the generator's wire, 2 us latency, then its first bit.
  for (uint64_t k = 0; k < 10; ++k) CHECK(r.records()[k].time_ns == 5000 + 100000 * k + 8960 + 2000);
}
