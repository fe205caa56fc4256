// Traffic peers: simple stations for switch and NIC experiments, each an EthEndpoint that is given its
// EthLink by attach() (e.g. the link EthSwitch::attach_station returns).
//   EthSink      counts what arrives; optionally checks the generator's sequence and pattern.
//   EthEcho      sends every frame back to its sender after a turnaround delay.
//   EthGenerator sends `count` test frames of `size` bytes at a frame rate (or line rate).
// Test frame layout (offsets in the frame as handed to the link, no FCS; `size` = frame length without
// FCS, 60..1514, so size 60 is a 64-byte Ethernet frame):
//   0..5   destination MAC          6..11  source MAC
//   12..13 EtherType 0x88B5 (IEEE 802 local experimental EtherType 1), big-endian
//   14..17 sequence number, 32-bit big-endian, 0 for the first frame
//   18..   pattern: byte at offset 18 + i is (seq + i) & 0xFF
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/stats.h"
#include "models/net/eth.h"
#include "models/net/mac_address.h"
#include "models/net/timed_queue.h"

namespace hvsim::net {

namespace testframe {
constexpr uint16_t kEtherType = 0x88B5;
constexpr size_t kHeaderBytes = 18;  // DA, SA, EtherType, sequence
std::vector<uint8_t> build(uint64_t dst, uint64_t src, size_t size, uint32_t seq);
enum class Check { kNotTestFrame, kOk, kBadPattern };
Check check(const std::vector<uint8_t>& frame, uint32_t& seq);
}  // namespace testframe

class EthSink : public EthEndpoint {
 public:
  // `name` prefixes the statistics ("<name>.rx_frames").
  EthSink(const std::string& name, bool check_sequence);
  void attach(EthLink& link) { link_ = &link; }
  void eth_receive(EthFramePtr frame) override;

  Counter rx_frames, rx_bytes, test_frames, seq_errors, pattern_errors;
  sc_core::sc_time first_rx() const { return first_rx_; }
  sc_core::sc_time last_rx() const { return last_rx_; }
  const std::vector<EthFramePtr>& kept() const { return kept_; }
  void keep_frames(bool keep) { keep_ = keep; }  // remember every frame (tests)

 private:
  bool check_;
  EthLink* link_ = nullptr;
  uint32_t expected_ = 0;
  sc_core::sc_time first_rx_, last_rx_;
  bool keep_ = false;
  std::vector<EthFramePtr> kept_;
};

// Sends each received frame (>= 14 bytes) back with the addresses swapped: the new destination is
// the old source; the new source is the old destination, or this station's own MAC when the old
// destination was a group (broadcast/multicast) address, since a source address is always unicast.
// The reply is offered to the link `turnaround` after the frame's last bit arrived.
class EthEcho : public EthEndpoint {
 public:
  EthEcho(const std::string& name, uint64_t mac, const sc_core::sc_time& turnaround);
  void attach(EthLink& link) { link_ = &link; }
  void eth_receive(EthFramePtr frame) override;

  Counter rx_frames, echoed;
  uint64_t mac() const { return mac_; }

 private:
  uint64_t mac_;
  sc_core::sc_time turnaround_;
  EthLink* link_ = nullptr;
};

class EthGenerator : public EthEndpoint {
 public:
  struct Config {
    uint64_t dst = kBroadcastMac;
    uint64_t src = 0x020000000001ull;
    size_t size = kMinFrameNoFcs;  // frame length without FCS, 60..1514
    uint64_t count = 0;
    double frames_per_second = 0;  // 0: back to back at line rate
    sc_core::sc_time start = sc_core::SC_ZERO_TIME;
  };
  // Throws ConfigError if size or rate is out of range.
  EthGenerator(const std::string& name, const Config& config);
  // Starts sending at config.start (or now, if later).
  void attach(EthLink& link);
  void eth_receive(EthFramePtr frame) override;

  Counter tx_frames, tx_bytes, rx_frames;
  sc_core::sc_time last_end() const { return last_end_; }  // end of the last frame sent
  const Config& config() const { return config_; }

 private:
  void send(uint64_t seq);
  Config config_;
  sc_core::sc_time period_;
  EthLink* link_ = nullptr;
  sc_core::sc_time last_end_;
  TimedQueue queue_;
};

}  // namespace hvsim::net
