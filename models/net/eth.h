// The contract between anything that sends Ethernet frames (a NIC model, a switch port, a peer) and
// the medium that carries them (models/net/eth_wire.h). A frame is what a MAC hands over: destination
// address through the last payload byte, without preamble, SFD or FCS. The FCS is 4 bytes on the wire
// (counted in wire time; a receiving MAC that stores it, like the 21140, computes it itself), and
// frames shorter than 60 bytes are padded to 60 by the transmitting MAC before they reach the link.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

namespace hvsim::net {

struct EthFrame {
  std::vector<uint8_t> bytes;  // DA, SA, type/length, payload; no FCS
};
using EthFramePtr = std::shared_ptr<const EthFrame>;

constexpr unsigned kFcsBytes = 4;           // frame check sequence (CRC-32), IEEE 802.3 3.2.9
constexpr unsigned kMinFrameNoFcs = 60;     // 64-byte minimum frame less the FCS
constexpr unsigned kMaxFrameNoFcs = 1514;   // 1518-byte maximum untagged frame less the FCS
constexpr unsigned kPreambleSfdBytes = 8;   // 7 preamble + 1 SFD (calibration P5)
constexpr unsigned kInterFrameGapBytes = 12;  // 96 bit times (calibration P5)

// One side of a link, as seen by the station attached to it.
class EthLink {
 public:
  virtual ~EthLink() = default;
  // Puts `frame` on the medium no earlier than `ready` (absolute simulated time, >= now), after the
  // previous frame of this side and its inter-frame gap. Returns the absolute time its last bit has
  // left, when the sender may treat the frame as sent. The frame reaches the other side later, as an
  // EthEndpoint::eth_receive call at its arrival time. Never blocks; callable from b_transport.
  virtual sc_core::sc_time transmit(EthFramePtr frame, const sc_core::sc_time& ready) = 0;
  virtual bool link_up() const = 0;
  virtual uint64_t bits_per_second() const = 0;
  virtual bool full_duplex() const = 0;
};

// A station on a link: receives whole frames.
class EthEndpoint {
 public:
  virtual ~EthEndpoint() = default;
  // Called from a SystemC process at the simulated time the frame's last bit arrived.
  virtual void eth_receive(EthFramePtr frame) = 0;
  // Link (carrier) state changed; called at the simulated time of the change.
  virtual void eth_link_changed(bool up) { (void)up; }
};

}  // namespace hvsim::net
