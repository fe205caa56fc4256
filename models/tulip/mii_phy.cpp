#include "models/tulip/mii_phy.h"

namespace hvsim::tulip {

using namespace mii;

void MiiPhy::reset() {
  bmcr_ = kBmcrReset_value;
  anar_ = kAnarReset;
  link_latched_down_ = !link_;
}

void MiiPhy::set_link(bool up) {
  if (!up) link_latched_down_ = true;
  link_ = up;
}

void MiiPhy::set_partner(uint64_t bits_per_second, bool full_duplex) {
  partner_bps_ = bits_per_second;
  partner_fd_ = full_duplex;
}

uint16_t MiiPhy::anlpar() const {
  if (!link_ || !(bmcr_ & kBmcrAnEnable)) return 0;
  uint16_t v = kAnAck | kAnSelector8023;
  if (partner_bps_ >= 100000000)
    v |= partner_fd_ ? (kAn100Fd | kAn100Hd) : kAn100Hd;
  else
    v |= partner_fd_ ? (kAn10Fd | kAn10Hd) : kAn10Hd;
  return v;
}

uint16_t MiiPhy::read(unsigned reg) {
  switch (reg) {
    case kBmcr: return bmcr_;
    case kBmsr: {
      uint16_t v = kBmsrAbilities;
      if (link_ && !link_latched_down_) v |= kBmsrLink;
      if (link_ && (bmcr_ & kBmcrAnEnable)) v |= kBmsrAnComplete;
      link_latched_down_ = !link_;  // reading releases the latch: the next read shows the current state
      return v;
    }
    case kPhyId1: return kPhyId1Value;
    case kPhyId2: return kPhyId2Value;
    case kAnar: return anar_;
    case kAnlpar: return anlpar();
    case kAner: return link_ && (bmcr_ & kBmcrAnEnable) ? 0x0001 : 0x0000;  // LP autonegotiation able
    default: return 0;  // unimplemented registers read 0
  }
}

void MiiPhy::write(unsigned reg, uint16_t value) {
  switch (reg) {
    case kBmcr:
      if (value & kBmcrReset) {  // reset completes at once: the bit reads back 0
        reset();
        return;
      }
      // Restart autonegotiation self-clears (negotiation is instantaneous here).
      bmcr_ = value & static_cast<uint16_t>(~(kBmcrReset | kBmcrAnRestart));
      return;
    case kAnar:
      anar_ = static_cast<uint16_t>((value & 0x3FE0) | kAnSelector8023);
      return;
    default:
      return;  // read-only or unimplemented
  }
}

void MdioBus::pins(bool mdc, bool mdo, bool mac_reads) {
  mdo_ = mdo;
  released_ = mac_reads;
  const bool rising = mdc && !mdc_;
  mdc_ = mdc;
  if (rising) rising_edge(mac_reads ? true : mdo);
}

void MdioBus::rising_edge(bool bit) {
  switch (state_) {
    case State::kPreamble:
      if (bit) {
        ++ones_;
      } else if (ones_ >= 32) {
        state_ = State::kStart;  // the 0 of start "01"
      } else {
        ones_ = 0;
      }
      return;
    case State::kStart:
      if (bit) {
        state_ = State::kHeader;
        bits_ = 0;
        shift_ = 0;
      } else {
        state_ = State::kPreamble;
        ones_ = 0;
      }
      return;
    case State::kHeader:
      shift_ = (shift_ << 1) | bit;
      if (++bits_ < 12) return;  // opcode 2, PHY 5, register 5
      op_ = (shift_ >> 10) & 3;
      phy_addr_ = (shift_ >> 5) & 0x1F;
      reg_ = shift_ & 0x1F;
      bits_ = 0;
      shift_ = 0;
      if (op_ == 2 && phy_addr_ == address_) {
        data_ = phy_.read(reg_);
        ++reads_;
        driving_ = true;
        out_ = true;  // first turnaround bit: released
        state_ = State::kReadData;
      } else if (op_ == 1) {
        state_ = State::kTurnaroundWrite;
      } else {  // a read for another PHY, or a bad opcode: nobody drives
        state_ = State::kPreamble;
        ones_ = 0;
      }
      return;
    case State::kReadData:
      // bits_ 0: second turnaround bit (0); 1..16: D15..D0; 17: release.
      if (bits_ == 0)
        out_ = false;
      else if (bits_ <= 16)
        out_ = (data_ >> (16 - bits_)) & 1;
      else {
        driving_ = false;
        out_ = true;
        state_ = State::kPreamble;
        ones_ = 0;
        return;
      }
      ++bits_;
      return;
    case State::kTurnaroundWrite:
      if (++bits_ == 2) {
        bits_ = 0;
        shift_ = 0;
        state_ = State::kWriteData;
      }
      return;
    case State::kWriteData:
      shift_ = (shift_ << 1) | bit;
      if (++bits_ == 16) {
        if (phy_addr_ == address_) {
          phy_.write(reg_, static_cast<uint16_t>(shift_));
          ++writes_;
        }
        state_ = State::kPreamble;
        ones_ = 0;
      }
      return;
  }
}

}  // namespace hvsim::tulip
