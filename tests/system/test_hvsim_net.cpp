// The emulated network path end to end: guest/net-bench drives the DEC 21140 model of
// platforms/pc.yaml (every CSR access a VM exit to the root partition, descriptor and buffer DMA as
// root copy work) through the private switch sw0 to its peer station. Checks: transmitted frames
// byte-exact in the --pcap capture with wire-accurate timestamps (and readable by tshark), generator
// frames arriving intact, echo round trips, and no path exceeding the 100 Mbit/s line rate.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "net_frames.h"
#include "run_command.h"

using namespace hvsim::test::net;
using hvsim::test::CommandResult;
using hvsim::test::describe;
using hvsim::test::run_command;

namespace {
const std::string kPlatform = std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml";
const std::string kNetBench = std::string(HVSIM_GUEST_DIR) + "/net-bench.elf";
constexpr double kTimeout = 600.0;  // generous for the sanitizer build
// Wire time of a frame at 100 Mbit/s: (frame + 4 FCS + 8 preamble/SFD + 12 IFG) bytes x 80 ns.
constexpr uint64_t wire_ns(uint32_t size) { return (size + 4 + 8 + 12) * 80ull; }

CommandResult run_bench(const std::string& cmdline, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {HVSIM_BINARY, "run", kPlatform, "--kernel", kNetBench,
                                   "-p", "vm0.cpu0.cmdline=" + cmdline};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_command(argv, kTimeout);
}

// net-bench in rx mode against the generator peer sending `count` 60 B frames at `rate` frames/s
// (0: back to back) from 40 ms on, when the guest's RX ring is ready; checks the run passed its rx.
CommandResult run_rx_from_generator(uint32_t count, const std::string& rate) {
  CommandResult r = run_bench("mode=rx count=" + std::to_string(count) + " wait_ms=100",
                              {"-p", "vm0.peer.mode=generator", "-p", "vm0.peer.count=" + std::to_string(count), "-p",
                               "vm0.peer.rate=" + rate, "-p", "vm0.peer.start_ps=40000000000"});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  CHECK(has_line(hvsim::test::split_lines(r.out), "net-bench: rx: ok"));
  return r;
}

// Value of `key=` on the net-bench.platform line that starts with `prefix`; -1 if absent.
double platform_value(const std::string& out, const std::string& prefix, const std::string& key) {
  for (const auto& l : hvsim::test::split_lines(out)) {
    if (l.rfind("net-bench.platform: " + prefix, 0) != 0) continue;
    const size_t at = l.find(" " + key + "=");
    if (at == std::string::npos) return -1;
    return std::atof(l.c_str() + at + key.size() + 2);
  }
  return -1;
}
}  // namespace

TEST_CASE("hvsim net-bench TX frames are byte-exact in the pcap with wire-accurate timestamps", "[system][net]") {
  TempFile pcap("hvsim-net-tx");
  REQUIRE_FALSE(pcap.path.empty());
  constexpr uint32_t kCount = 100;
  const CommandResult r = run_bench("mode=tx count=" + std::to_string(kCount), {"--pcap", pcap.path});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  const auto lines = hvsim::test::split_lines(r.out);
  for (uint32_t size : kTxSizes)
    CHECK(has_line(lines, "net-bench: tx " + std::to_string(size) + ": ok frames=" + std::to_string(kCount)));

  const Pcap p = read_pcap(pcap.path);
  INFO(p.error);
  REQUIRE(p.ok);
  CHECK(p.linktype == 1);
  REQUIRE(p.frames.size() == 3 * kCount);  // the sink peer sends nothing; the setup frame never leaves
  size_t k = 0, wrong = 0, too_close = 0;
  for (uint32_t size : kTxSizes)
    for (uint32_t seq = 0; seq < kCount; ++seq, ++k) {
      if (p.frames[k] != bench_frame(kBroadcast, kGuestMac, seq, size)) ++wrong;
      // Never faster than the wire: a frame starts at least one wire time after the previous one.
      if (k > 0 && p.time_ns[k] - p.time_ns[k - 1] < wire_ns(static_cast<uint32_t>(p.frames[k - 1].size()))) ++too_close;
    }
  CHECK(wrong == 0);
  CHECK(too_close == 0);
  // Full-size frames go back to back: exactly 1538 B of wire time + IFG = 123.04 us apart.
  CHECK(p.time_ns[3 * kCount - 1] - p.time_ns[3 * kCount - 2] == 123040);
  // Line rate is never exceeded: 64 B frames <= 148,810 fps, 1514 B <= 98.44 Mbit/s of frame bits.
  CHECK(platform_value(r.out, "tx 60 ", "pps") <= 148810.0);
  CHECK(platform_value(r.out, "tx 60 ", "pps") > 0);
  CHECK(platform_value(r.out, "tx 1514 ", "mbps") <= 98.44);
  CHECK(platform_value(r.out, "tx 1514 ", "exits_per_pkt") > 0);
}

TEST_CASE("the hvsim pcap capture is valid for tshark", "[system][net]") {
  const std::string tshark = hvsim::test::find_in_path("tshark");
  if (tshark.empty()) FAIL("tshark not found in PATH (scripts/setup.sh installs it); it validates the capture");
  TempFile pcap("hvsim-net-tshark");
  const CommandResult r = run_bench("mode=tx count=5", {"--pcap", pcap.path});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  const CommandResult t =
      run_command({tshark, "-r", pcap.path, "-T", "fields", "-e", "frame.len", "-e", "eth.type", "-e", "eth.src"}, 60.0);
  INFO(describe(t));
  REQUIRE(t.exit_status == 0);
  std::vector<std::string> rows;
  for (const auto& l : hvsim::test::split_lines(t.out))
    if (!l.empty()) rows.push_back(l);
  REQUIRE(rows.size() == 15);
  CHECK(rows.front() == "60\t0x88b5\t52:54:00:12:34:56");
  CHECK(rows.back() == "1514\t0x88b5\t52:54:00:12:34:56");
}

TEST_CASE("hvsim net-bench receives generator frames intact", "[system][net]") {
  constexpr uint32_t kCount = 300;
  const CommandResult r = run_rx_from_generator(kCount, "20000");
  INFO(describe(r));
  CHECK(platform_value(r.out, "rx ", "frames") == kCount);  // paced below what the guest can take: none lost
  CHECK(platform_value(r.out, "rx ", "bad") == 0);
}

TEST_CASE("a line-rate RX burst overruns the ring, CSR8 counts every lost frame and the driver recovers",
          "[system][net]") {
  // 300 back-to-back 60 B frames at 148,810 frames/s: faster than the emulated path can take them
  // (every descriptor hand-off costs exits), so the 64-entry ring fills, the NIC reports RU and drops.
  constexpr uint32_t kCount = 300;
  const CommandResult r = run_rx_from_generator(kCount, "0");
  INFO(describe(r));
  const double frames = platform_value(r.out, "rx ", "frames"), lost = platform_value(r.out, "rx ", "lost");
  CHECK(platform_value(r.out, "rx ", "bad") == 0);
  CHECK(lost > 0);
  CHECK(frames + lost == kCount);
  // The missed-frame counter saw exactly the frames missing from the guest's sequence.
  CHECK(platform_value(r.out, "rx ", "missed") == lost);
  // More frames arrived than the ring holds, so the driver resumed the NIC after RU (CSR2 poll demands).
  CHECK(frames > 64);
  CHECK(platform_value(r.out, "stats ", "rx_poll_demands") > 0);
}

TEST_CASE("hvsim net-bench ping-pong with the echo peer", "[system][net]") {
  const CommandResult r = run_bench("mode=pingpong count=50", {"-p", "vm0.peer.mode=echo"});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  CHECK(has_line(hvsim::test::split_lines(r.out), "net-bench: pingpong 60: ok round_trips=50"));
  // A round trip includes two 64-byte frames on the wire each way through the switch: > 4 x 6.72 us.
  CHECK(platform_value(r.out, "pingpong 60 ", "p50_us") > 4 * 6.72);
}
