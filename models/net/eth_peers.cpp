#include "models/net/eth_peers.h"

#include <cmath>
#include <memory>

#include "models/core/params.h"

namespace hvsim::net {

namespace testframe {

std::vector<uint8_t> build(uint64_t dst, uint64_t src, size_t size, uint32_t seq) {
  std::vector<uint8_t> f(size < kHeaderBytes ? kHeaderBytes : size);
  put_mac(f, 0, dst);
  put_mac(f, 6, src);
  f[12] = kEtherType >> 8;
  f[13] = kEtherType & 0xFF;
  for (int i = 0; i < 4; ++i) f[14 + i] = static_cast<uint8_t>(seq >> (24 - 8 * i));
  for (size_t i = 0; kHeaderBytes + i < f.size(); ++i) f[kHeaderBytes + i] = static_cast<uint8_t>((seq + i) & 0xFF);
  return f;
}

Check check(const std::vector<uint8_t>& f, uint32_t& seq) {
  if (f.size() < kHeaderBytes || f[12] != (kEtherType >> 8) || f[13] != (kEtherType & 0xFF)) return Check::kNotTestFrame;
  seq = uint32_t{f[14]} << 24 | uint32_t{f[15]} << 16 | uint32_t{f[16]} << 8 | f[17];
  for (size_t i = 0; kHeaderBytes + i < f.size(); ++i)
    if (f[kHeaderBytes + i] != static_cast<uint8_t>((seq + i) & 0xFF)) return Check::kBadPattern;
  return Check::kOk;
}

}  // namespace testframe

EthSink::EthSink(const std::string& name, bool check_sequence)
    : rx_frames(name + ".rx_frames", "frames", "frames received"),
      rx_bytes(name + ".rx_bytes", "bytes", "bytes received (no FCS)"),
      test_frames(name + ".test_frames", "frames", "frames with the test EtherType 0x88B5"),
      seq_errors(name + ".seq_errors", "frames", "test frames whose sequence number was not the expected one"),
      pattern_errors(name + ".pattern_errors", "frames", "test frames whose payload pattern was wrong"),
      check_(check_sequence) {}

void EthSink::eth_receive(EthFramePtr frame) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (rx_frames.value() == 0) first_rx_ = now;
  last_rx_ = now;
  ++rx_frames;
  rx_bytes += frame->bytes.size();
  if (keep_) kept_.push_back(frame);
  if (!check_) return;
  uint32_t seq = 0;
  const testframe::Check c = testframe::check(frame->bytes, seq);
  if (c == testframe::Check::kNotTestFrame) return;
  ++test_frames;
  if (c == testframe::Check::kBadPattern) ++pattern_errors;
  if (seq != expected_) ++seq_errors;
  expected_ = seq + 1;
}

EthEcho::EthEcho(const std::string& name, uint64_t mac, const sc_core::sc_time& turnaround)
    : rx_frames(name + ".rx_frames", "frames", "frames received"),
      echoed(name + ".echoed", "frames", "frames sent back"),
      mac_(mac),
      turnaround_(turnaround) {}

void EthEcho::eth_receive(EthFramePtr frame) {
  ++rx_frames;
  if (!link_ || frame->bytes.size() < 14) return;
  auto reply = std::make_shared<EthFrame>(*frame);
  const uint64_t da = get_mac(frame->bytes, 0), sa = get_mac(frame->bytes, 6);
  put_mac(reply->bytes, 0, sa);
  put_mac(reply->bytes, 6, is_group_mac(da) ? mac_ : da);
  ++echoed;
  link_->transmit(std::move(reply), sc_core::sc_time_stamp() + turnaround_);
}

EthGenerator::EthGenerator(const std::string& name, const Config& config)
    : tx_frames(name + ".tx_frames", "frames", "test frames sent"),
      tx_bytes(name + ".tx_bytes", "bytes", "bytes of those frames (no FCS)"),
      rx_frames(name + ".rx_frames", "frames", "frames received (ignored)"),
      config_(config) {
  if (config.size < kMinFrameNoFcs || config.size > kMaxFrameNoFcs)
    throw ConfigError(name + ": frame size " + std::to_string(config.size) +
                      " must be 60..1514 bytes (the frame without its 4-byte FCS)");
  if (!(config.frames_per_second >= 0) || std::isinf(config.frames_per_second))
    throw ConfigError(name + ": frame rate must be >= 0 frames/s (0: line rate)");
  if (config.frames_per_second > 0) {
    const double ps = std::round(1e12 / config.frames_per_second);
    if (ps < 1) throw ConfigError(name + ": frame rate above 1e12 frames/s");
    period_ = sc_core::sc_time(ps, sc_core::SC_PS);
  }
}

void EthGenerator::attach(EthLink& link) {
  link_ = &link;
  if (config_.count) queue_.at(config_.start, [this] { send(0); });
}

void EthGenerator::eth_receive(EthFramePtr) { ++rx_frames; }

void EthGenerator::send(uint64_t seq) {
  // Frame seq is due at start + seq * period; the link holds it to line rate if that is earlier.
  const sc_core::sc_time due = config_.start + period_ * static_cast<double>(seq);
  auto f = std::make_shared<EthFrame>();
  f->bytes = testframe::build(config_.dst, config_.src, config_.size, static_cast<uint32_t>(seq));
  ++tx_frames;
  tx_bytes += f->bytes.size();
  last_end_ = link_->transmit(std::move(f), std::max(due, sc_core::sc_time_stamp()));
  if (seq + 1 < config_.count) {
    const sc_core::sc_time next_due = config_.start + period_ * static_cast<double>(seq + 1);
    queue_.at(std::max(next_due, last_end_), [this, seq] { send(seq + 1); });
  }
}

}  // namespace hvsim::net
