#include "models/tulip/srom93c46.h"

#include "models/tulip/crc32.h"

namespace hvsim::tulip {

namespace {
// Microwire opcodes (2 bits after the start bit). 00 is extended: the top address bits select
// EWDS (00), WRAL (01), ERAL (10), EWEN (11).
constexpr unsigned kOpExtended = 0, kOpWrite = 1, kOpRead = 2, kOpErase = 3;
}  // namespace

Srom93c46::Srom93c46() { words_.fill(0xFFFF); }

void Srom93c46::pins(bool cs, bool sk, bool di) {
  if (!cs) {
    // Deselect ends the command; DO is released.
    state_ = State::kIdle;
    do_ = true;
    cs_ = false;
    sk_ = sk;
    return;
  }
  cs_ = true;
  const bool rising = sk && !sk_;
  sk_ = sk;
  if (rising) rising_edge(di);
}

void Srom93c46::rising_edge(bool di) {
  switch (state_) {
    case State::kIdle:
      if (di) {  // leading zeros before the start bit are ignored
        state_ = State::kOpcode;
        bits_ = 0;
        shift_ = 0;
      }
      return;
    case State::kOpcode:
      shift_ = (shift_ << 1) | di;
      if (++bits_ == 2) {
        opcode_ = shift_;
        state_ = State::kAddress;
        bits_ = 0;
        shift_ = 0;
      }
      return;
    case State::kAddress:
      shift_ = (shift_ << 1) | di;
      if (++bits_ == kAddressBits) {
        address_ = shift_;
        execute();
      }
      return;
    case State::kRead:
      // Each rising edge presents the next data bit; past bit 0 the next word follows.
      do_ = (words_[address_] >> data_bit_) & 1;
      if (data_bit_ == 0) {
        data_bit_ = 15;
        address_ = (address_ + 1) % kWords;
      } else {
        --data_bit_;
      }
      return;
    case State::kWriteData:
      shift_ = (shift_ << 1) | di;
      if (++bits_ == 16) {
        if (write_enabled_) {
          if (opcode_ == kOpWrite)
            words_[address_] = static_cast<uint16_t>(shift_);
          else  // WRAL
            words_.fill(static_cast<uint16_t>(shift_));
        }
        do_ = true;  // ready (the programming cycle is not timed)
        state_ = State::kDone;
      }
      return;
    case State::kDone:
      return;
  }
}

void Srom93c46::execute() {
  bits_ = 0;
  shift_ = 0;
  switch (opcode_) {
    case kOpRead:
      do_ = false;  // the dummy 0 after the last address bit
      data_bit_ = 15;
      state_ = State::kRead;
      return;
    case kOpWrite:
      state_ = State::kWriteData;
      return;
    case kOpErase:
      if (write_enabled_) words_[address_] = 0xFFFF;
      state_ = State::kDone;
      return;
    case kOpExtended:
      switch (address_ >> (kAddressBits - 2)) {
        case 0: write_enabled_ = false; state_ = State::kDone; return;   // EWDS
        case 1: opcode_ = 0; state_ = State::kWriteData; return;          // WRAL
        case 2: if (write_enabled_) words_.fill(0xFFFF); state_ = State::kDone; return;  // ERAL
        default: write_enabled_ = true; state_ = State::kDone; return;   // EWEN
      }
  }
}

std::array<uint16_t, Srom93c46::kWords> Srom93c46::build_image(const uint8_t mac[6], unsigned phy_address) {
  uint8_t b[kWords * 2] = {};
  // ID block (bytes 0-17): subsystem vendor/device 0; byte 16 ID-block CRC left 0 (Linux ignores it).
  b[18] = 0x04;  // SROM format version 4
  b[19] = 1;     // one controller
  for (int i = 0; i < 6; ++i) b[20 + i] = mac[i];  // IEEE address; bytes 0-7 != 16-23 selects offset 20
  b[26] = 0;     // controller 0 device number
  b[27] = 30;    // controller 0 info leaf offset (16-bit, low byte; Linux reads ee_data[27])
  b[28] = 0;
  // Controller 0 info leaf (21140): default media 0x0800 (autosense), GP port direction, block count,
  // then one extended block of type 1 (MII PHY): PHY number, no GP/reset sequences, media
  // capabilities (100FD/100HD/10FD/10HD), NWay advertisement, FDX bitmap, TTM bitmap.
  uint8_t* p = b + 30;
  *p++ = 0x00; *p++ = 0x08;             // default media: autosense
  *p++ = 0x00;                          // CSR12 direction (no GP pins used)
  *p++ = 1;                             // one media block
  *p++ = 0x80 | 12;                     // extended block, 12 bytes follow
  *p++ = 1;                             // type 1: MII PHY
  *p++ = static_cast<uint8_t>(phy_address);
  *p++ = 0;                             // GP sequence length
  *p++ = 0;                             // reset sequence length
  *p++ = 0x00; *p++ = 0x78;             // media capabilities (BMSR 15:11 layout)
  *p++ = 0xE0; *p++ = 0x01;             // NWay advertisement (ANAR 8:5)
  *p++ = 0x00; *p++ = 0x50;             // full-duplex bitmap
  *p++ = 0x00; *p++ = 0x18;             // TX threshold mode bitmap
  std::array<uint16_t, kWords> w{};
  for (unsigned i = 0; i < kWords; ++i) w[i] = static_cast<uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
  w[kWords - 1] = image_crc(w);
  return w;
}

uint16_t Srom93c46::image_crc(const std::array<uint16_t, kWords>& words) {
  uint8_t b[126];
  for (unsigned i = 0; i < 63; ++i) {
    b[2 * i] = static_cast<uint8_t>(words[i]);
    b[2 * i + 1] = static_cast<uint8_t>(words[i] >> 8);
  }
  return static_cast<uint16_t>(crc32_ieee(b, sizeof b) & 0xFFFF);
}

}  // namespace hvsim::tulip
