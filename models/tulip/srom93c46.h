// 93C46 serial EEPROM (64 x 16 bits, Microwire) as the 21140 reaches it through CSR9, and the SROM
// image a 21140 board carries ("DIGITAL Semiconductor 21X4 Serial ROM Format" v4, parsed by Linux
// tulip_init_one/tulip_parse_eeprom; shared/specs/devices.md 4.6).
//
// Protocol, as the part implements it: with CS high, the first 1 clocked in on a rising SK edge is the
// start bit, then a 2-bit opcode and 6 address bits, MSB first. For READ the part drives a dummy 0 on DO
// after the last address bit (Linux detects the address width from it), then the 16 data bits MSB
// first, one per rising edge, and goes on with the next word while CS stays high. CS low ends any
// command. DO reads 1 (released, pulled up) whenever the part is not driving it. EWEN/EWDS/WRITE/ERASE
// are decoded; writes change the image only after EWEN (the image is the part's non-volatile state).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace hvsim::tulip {

class Srom93c46 {
 public:
  static constexpr unsigned kWords = 64;
  static constexpr unsigned kAddressBits = 6;

  Srom93c46();

  // Pin levels at one CSR9 write (the 21140 drives CS, SK and DI; DO comes back).
  void pins(bool cs, bool sk, bool di);
  bool data_out() const { return do_; }

  std::array<uint16_t, kWords>& words() { return words_; }
  const std::array<uint16_t, kWords>& words() const { return words_; }
  uint16_t word(unsigned i) const { return words_[i % kWords]; }

  // A v4 SROM image for one 21140 with `mac` at byte 20, one MII PHY info leaf for PHY `phy_address`,
  // and the SROM CRC in word 63 (low 16 bits of the CRC-32 over bytes 0-125).
  static std::array<uint16_t, kWords> build_image(const uint8_t mac[6], unsigned phy_address);
  // The CRC a reader compares with word 63 (BSD de(4): (ether_crc32_le(buf, 126) & 0xFFFF) ^ 0xFFFF).
  static uint16_t image_crc(const std::array<uint16_t, kWords>& words);

 private:
  enum class State { kIdle, kOpcode, kAddress, kRead, kWriteData, kDone };
  void rising_edge(bool di);
  void execute();

  std::array<uint16_t, kWords> words_{};
  State state_ = State::kIdle;
  bool cs_ = false, sk_ = false, do_ = true;
  unsigned bits_ = 0;        // bits collected in the current field
  uint32_t shift_ = 0;
  unsigned opcode_ = 0;
  unsigned address_ = 0;
  unsigned data_bit_ = 0;    // next data bit to present (15 down to 0)
  bool write_enabled_ = false;
};

}  // namespace hvsim::tulip
