// An IEEE 802.3 clause 22 PHY behind MDIO bit-banging (the 21140 drives MDC/MDO and reads MDI through
// CSR9). MdioBus decodes frames: at least 32 preamble ones, start 01, opcode (10 read, 01 write), PHY
// address, register, turnaround, 16 data bits, all sampled on rising MDC edges. On a read the addressed
// PHY leaves the first turnaround bit released (1), drives 0 for the second, then D15..D0, each
// presented at a rising edge, then releases MDIO. Nobody answers another address: reads give 0xFFFF.
//
// MiiPhy: BMCR (reset and restart-autonegotiation self-clear), BMSR (abilities, latched-low link
// status, autonegotiation complete), PHYID1/2, ANAR, ANLPAR (the link partner as the attached link
// reports it), ANER. Autonegotiation completes at once when the link is up.
#pragma once

#include <cstdint>

namespace hvsim::tulip {

namespace mii {
constexpr unsigned kBmcr = 0, kBmsr = 1, kPhyId1 = 2, kPhyId2 = 3, kAnar = 4, kAnlpar = 5, kAner = 6;
constexpr uint16_t kBmcrReset = 1u << 15, kBmcrLoopback = 1u << 14, kBmcrSpeed100 = 1u << 13,
                   kBmcrAnEnable = 1u << 12, kBmcrPowerDown = 1u << 11, kBmcrIsolate = 1u << 10,
                   kBmcrAnRestart = 1u << 9, kBmcrFullDuplex = 1u << 8;
constexpr uint16_t kBmsr100Fd = 1u << 14, kBmsr100Hd = 1u << 13, kBmsr10Fd = 1u << 12, kBmsr10Hd = 1u << 11,
                   kBmsrPreambleSuppress = 1u << 6, kBmsrAnComplete = 1u << 5, kBmsrAnAbility = 1u << 3,
                   kBmsrLink = 1u << 2, kBmsrExtended = 1u << 0;
constexpr uint16_t kAnAck = 1u << 14, kAn100Fd = 1u << 8, kAn100Hd = 1u << 7, kAn10Fd = 1u << 6,
                   kAn10Hd = 1u << 5, kAnSelector8023 = 0x0001;
constexpr uint16_t kBmcrReset_value = kBmcrSpeed100 | kBmcrAnEnable;
constexpr uint16_t kBmsrAbilities = kBmsr100Fd | kBmsr100Hd | kBmsr10Fd | kBmsr10Hd | kBmsrAnAbility | kBmsrExtended;
constexpr uint16_t kAnarReset = kAn100Fd | kAn100Hd | kAn10Fd | kAn10Hd | kAnSelector8023;
// National Semiconductor DP83840 identifier (OUI 08-00-17), a PHY of 21140 boards. Linux's tulip
// driver accepts any identifier.
constexpr uint16_t kPhyId1Value = 0x2000, kPhyId2Value = 0x5C01;
}  // namespace mii

class MiiPhy {
 public:
  MiiPhy() { reset(); }
  void reset();

  uint16_t read(unsigned reg);   // a management read (may clear the latched link status)
  void write(unsigned reg, uint16_t value);

  // The medium: carrier and what the partner offers (speed in bit/s, duplex).
  void set_link(bool up);
  // The carrier state the PHY found before any software ran (no latched link-down event).
  void power_on_link(bool up) { link_ = up; link_latched_down_ = !up; }
  void set_partner(uint64_t bits_per_second, bool full_duplex);
  bool link_up() const { return link_; }

 private:
  uint16_t anlpar() const;
  uint16_t bmcr_ = 0, anar_ = 0;
  bool link_ = false;
  bool link_latched_down_ = true;  // BMSR link status is latched low until read
  uint64_t partner_bps_ = 100000000;
  bool partner_fd_ = true;
};

class MdioBus {
 public:
  MdioBus(MiiPhy& phy, unsigned phy_address) : phy_(phy), address_(phy_address & 0x1F) {}
  // One CSR9 write: MDC level, MDO level, and whether the MAC has released MDIO (MII read mode).
  void pins(bool mdc, bool mdo, bool mac_reads);
  // MDIO as the MAC sees it: the PHY's bit when it drives, else the MAC's own bit (or 1 if released).
  bool mdi() const { return driving_ ? out_ : (released_ ? true : mdo_); }

  unsigned phy_address() const { return address_; }
  uint64_t frames_read() const { return reads_; }
  uint64_t frames_written() const { return writes_; }

 private:
  enum class State { kPreamble, kStart, kHeader, kTurnaroundWrite, kWriteData, kReadData };
  void rising_edge(bool bit);

  MiiPhy& phy_;
  unsigned address_;
  State state_ = State::kPreamble;
  bool mdc_ = false, mdo_ = true, released_ = false;
  bool driving_ = false, out_ = true;
  unsigned ones_ = 0, bits_ = 0;
  uint32_t shift_ = 0;
  unsigned op_ = 0, phy_addr_ = 0, reg_ = 0;
  uint16_t data_ = 0;
  uint64_t reads_ = 0, writes_ = 0;
};

}  // namespace hvsim::tulip
