// net-bench (guest/net-bench, driver guest/drivers/tulip.c) under qemu-system-i386 -device tulip (a
// 21143, PCI 1011:0019) as the functional reference for the Tulip driver.
//
// 1. TX: user networking with a filter-dump object; the pcap QEMU writes must hold exactly the frames
//    the guest was asked to send, byte for byte and in order (sizes 60, 590, 1514; sequence numbers
//    0..count-1 each), and nothing else from the guest (the setup frame never reaches the wire).
//    Run once interrupt-driven with descriptor rings and once polling with chained descriptors.
// 2. RX and ping-pong: the NIC on a UDP socket netdev whose other end is a peer thread in this test.
//    The peer counts the guest's TX frames, then acts as a generator (count frames to the guest's
//    MAC, plus one frame to a foreign MAC the setup-frame filter must drop), then as an echo peer
//    (every frame reflected with the MACs swapped).
//
// The frame layout below must match guest/net-bench/main.c.
// qemu-system-i386 is required: a missing QEMU fails these tests (they are never skipped silently).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net_frames.h"
#include "run_command.h"

namespace {

using namespace hvsim::test::net;
constexpr double kTimeoutSeconds = 60.0;
constexpr uint32_t kBurst = 100;  // unpaced generator frames (> the driver's 64 RX descriptors)
std::string require_qemu() {
  const std::string qemu = hvsim::test::find_in_path("qemu-system-i386");
  if (qemu.empty()) {
    FAIL("qemu-system-i386 not found in PATH. It is the functional reference for the guest Tulip driver and is "
         "required: install it (Debian/Ubuntu: apt-get install qemu-system-x86; scripts/setup.sh does).");
  }
  return qemu;
}

std::string require_kernel() {
  const std::string kernel = std::string(HVSIM_GUEST_DIR) + "/net-bench.elf";
  if (!hvsim::test::file_exists(kernel)) FAIL("guest kernel " << kernel << " is missing (build the hvsim_guests target)");
  return kernel;
}

std::vector<std::string> qemu_args(const std::string& qemu, const std::string& kernel, const std::string& netdev,
                                   const std::string& pcap, const std::string& append) {
  std::vector<std::string> a = {qemu, "-machine", "pc", "-m", "128", "-nodefaults", "-display", "none", "-serial",
                                "stdio", "-device", "isa-debug-exit,iobase=0x501,iosize=2", "-no-reboot", "-netdev",
                                netdev, "-device", "tulip,netdev=n0,mac=" + mac_string(kGuestMac)};
  if (!pcap.empty()) {
    a.push_back("-object");
    a.push_back("filter-dump,id=f0,netdev=n0,file=" + pcap);
  }
  a.insert(a.end(), {"-kernel", kernel, "-append", append});
  return a;
}


// The lines every successful run prints, whatever the mode.
void check_common_lines(const std::vector<std::string>& lines) {
  CHECK(has_line(lines, "net-bench: start"));
  CHECK(has_line(lines, "net-bench: nic: found"));
  CHECK(has_line(lines, "net-bench: setup frame: ok"));
  CHECK(has_line(lines, "net-bench.platform: mac " + mac_string(kGuestMac)));
  CHECK(has_line(lines, "net-bench: stop: ok"));
  CHECK(has_line(lines, "net-bench: done: ok"));
  for (const auto& l : lines) {
    INFO(l);
    CHECK(l.find("FAIL") == std::string::npos);
  }
}

void run_tx_and_check_pcap(const std::string& options) {
  const std::string qemu = require_qemu();
  const std::string kernel = require_kernel();
  TempFile pcap("hvsim-net-pcap");
  REQUIRE_FALSE(pcap.path.empty());
  constexpr uint32_t kCount = 300;
  const auto r = hvsim::test::run_command(
      qemu_args(qemu, kernel, "user,id=n0", pcap.path, "mode=tx count=" + std::to_string(kCount) + " " + options),
      kTimeoutSeconds);
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_status == 1);  // debug_exit(GUEST_EXIT_OK)
  const auto lines = hvsim::test::split_lines(r.out);
  check_common_lines(lines);
  for (uint32_t size : kTxSizes)
    CHECK(has_line(lines, "net-bench: tx " + std::to_string(size) + ": ok frames=" + std::to_string(kCount)));

  const Pcap p = read_pcap(pcap.path);
  INFO(p.error);
  REQUIRE(p.ok);
  CHECK(p.linktype == 1);  // Ethernet
  // Everything the guest put on the wire, in order (user networking sends nothing unprompted).
  std::vector<Bytes> sent;
  for (const auto& f : p.frames)
    if (f.size() >= 12 && std::equal(kGuestMac.begin(), kGuestMac.end(), f.begin() + 6)) sent.push_back(f);
  REQUIRE(sent.size() == 3 * kCount);
  size_t k = 0, wrong = 0;
  std::string first_wrong;
  for (uint32_t size : kTxSizes)
    for (uint32_t seq = 0; seq < kCount; ++seq, ++k)
      if (sent[k] != bench_frame(kBroadcast, kGuestMac, seq, size)) {
        if (wrong++ == 0) first_wrong = "frame " + std::to_string(k) + " (size " + std::to_string(size) + " seq " +
                                        std::to_string(seq) + "), captured " + std::to_string(sent[k].size()) + " bytes";
      }
  if (wrong) FAIL(wrong << " transmitted frames differ from the pattern; first: " << first_wrong);
}

// ---- host-side peer on a UDP socket netdev ----

int udp_socket_bound(uint16_t port, uint16_t* bound) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  // Room for a whole TX phase (600 frames) should the peer thread be descheduled for a while: the
  // default limit (net.core.rmem_max, often 208 KiB) would drop frames. FORCE needs root; else capped.
  int sz = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(a.sin_port);
  return fd;
}

struct PeerResult {
  uint32_t tx_seen = 0, tx_bad = 0, generated = 0, echoed = 0;
};

// Counts the guest's TX phase (3 * count frames), then generates `count` frames (sizes cycling
// 60/590/1514, seq 0..count-1, to the guest's MAC; one extra frame to a foreign MAC in the middle), then
// reflects every frame until `stop`.
void run_peer(int fd, uint16_t qemu_port, uint32_t count, std::atomic<bool>* stop, PeerResult* res) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(qemu_port);
  auto send_frame = [&](const Bytes& f) {
    sendto(fd, f.data(), f.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  };
  std::vector<uint8_t> buf(65536);
  uint32_t tx_expect_k = 0;
  bool generated = false;
  while (!stop->load()) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 20) <= 0) continue;
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) continue;
    Bytes f(buf.begin(), buf.begin() + n);
    if (f.size() < kHeader || f[12] != (kEtherType >> 8) || f[13] != (kEtherType & 0xFF)) continue;
    if (!generated) {
      const uint32_t size = kTxSizes[tx_expect_k / count], seq = tx_expect_k % count;
      if (f != bench_frame(kBroadcast, kGuestMac, seq, size)) ++res->tx_bad;
      ++res->tx_seen;
      if (++tx_expect_k == 3 * count) {
        for (uint32_t seq = 0; seq < count; ++seq) {
          if (seq == count - 10) {  // in the paced part: a full ring would drop it regardless
            Bytes foreign = bench_frame(kForeignMac, kPeerMac, 0xDEAD0000u, 60);
            foreign[12] = 0x88;  // other EtherType: counted as "other" by the guest if the filter let it in
            foreign[13] = 0xB6;
            send_frame(foreign);
          }
          send_frame(bench_frame(kGuestMac, kPeerMac, seq, kTxSizes[seq % 3]));
          ++res->generated;
          // The first kBurst frames back to back: more than the guest's 64-entry RX ring, so RX usually
          // runs out of descriptors and the driver has to recover (RU, CSR2 poll demand); whether it
          // does depends on host scheduling. The rest paced, so QEMU's socket buffer never overflows.
          if (seq >= kBurst) std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        generated = true;
      }
      continue;
    }
    Bytes echo = f;  // reflect: swap destination and source
    std::copy(f.begin() + 6, f.begin() + 12, echo.begin());
    std::copy(kPeerMac.begin(), kPeerMac.end(), echo.begin() + 6);
    send_frame(echo);
    ++res->echoed;
  }
}

void run_peer_test(const std::string& options) {
  const std::string qemu = require_qemu();
  const std::string kernel = require_kernel();
  uint16_t peer_port = 0, qemu_port = 0;
  const int fd = udp_socket_bound(0, &peer_port);
  REQUIRE(fd >= 0);
  {
    // A free port for QEMU's end: bind, read it back, release (QEMU binds it right after).
    const int probe = udp_socket_bound(0, &qemu_port);
    REQUIRE(probe >= 0);
    close(probe);
  }
  constexpr uint32_t kCount = 200;
  std::atomic<bool> stop{false};
  PeerResult peer;
  std::thread t(run_peer, fd, qemu_port, kCount, &stop, &peer);
  const std::string netdev = "socket,id=n0,udp=127.0.0.1:" + std::to_string(peer_port) +
                             ",localaddr=127.0.0.1:" + std::to_string(qemu_port);
  const auto r = hvsim::test::run_command(
      qemu_args(qemu, kernel, netdev, "", "mode=all wait_ms=3000 count=" + std::to_string(kCount) + " " + options), kTimeoutSeconds);
  stop = true;
  t.join();
  close(fd);
  INFO(hvsim::test::describe(r));
  INFO("peer: tx_seen " << peer.tx_seen << " tx_bad " << peer.tx_bad << " generated " << peer.generated << " echoed "
                        << peer.echoed);
  REQUIRE(r.started);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_status == 1);
  const auto lines = hvsim::test::split_lines(r.out);
  check_common_lines(lines);
  CHECK(peer.tx_seen == 3 * kCount);
  CHECK(peer.tx_bad == 0);
  CHECK(peer.generated == kCount);
  CHECK(has_line(lines, "net-bench: rx: ok"));
  CHECK(has_line(lines, "net-bench: pingpong 60: ok round_trips=" + std::to_string(kCount)));
  CHECK(peer.echoed == kCount);
  // The setup frame's perfect filter must have dropped the frame to the foreign MAC, and none was lost.
  bool rx_platform = false;
  for (const auto& l : lines)
    if (l.rfind("net-bench.platform: rx ", 0) == 0) {
      rx_platform = true;
      INFO(l);
      // QEMU drops what arrives while the RX ring is full; how many is up to the host's scheduling of
      // QEMU and this peer thread, so only the accounting is checked: every frame is either received
      // intact or counted lost, and the foreign frame never got through the filter. The RU recovery
      // itself is checked deterministically on hvsim (test_hvsim_net.cpp); here the 200 round trips
      // that follow show RX still works after whatever the burst did.
      unsigned frames = 0, bad = 1, lost = kCount, other = 1;
      REQUIRE(std::sscanf(l.c_str(), "net-bench.platform: rx frames=%u bad=%u lost=%u other=%u", &frames, &bad, &lost,
                          &other) == 4);
      CHECK(bad == 0);
      CHECK(frames + lost == kCount);
      CHECK(frames > 0);
      CHECK(other == 0);
    }
  CHECK(rx_platform);
}

}  // namespace

TEST_CASE("qemu net-bench transmits exactly its frame pattern with interrupts and rings", "[system][qemu][net]") {
  run_tx_and_check_pcap("irq=1 chain=0");
}

TEST_CASE("qemu net-bench transmits exactly its frame pattern polling with chained descriptors", "[system][qemu][net]") {
  run_tx_and_check_pcap("irq=0 chain=1");
}

TEST_CASE("qemu net-bench receives from a generator and answers an echo peer with interrupts and rings",
          "[system][qemu][net]") {
  run_peer_test("irq=1 chain=0");
}

TEST_CASE("qemu net-bench receives from a generator and answers an echo peer polling with chained descriptors",
          "[system][qemu][net]") {
  run_peer_test("irq=0 chain=1");
}

TEST_CASE("qemu net-bench receives and answers an echo peer halting between interrupts", "[system][qemu][net]") {
  run_peer_test("irq=1 chain=0 idle=hlt");
}
