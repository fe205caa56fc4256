#include "models/ide/piix4_ide.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "models/core/log.h"
#include "models/ide/ata_disk.h"
#include "models/ide/ata_regs.h"
#include "models/ide/piix4_regs.h"

namespace hvsim {

using namespace piix4;

namespace {
PciId piix4_id() {
  PciId id;
  id.vendor = kVendorIntel;
  id.device = kDeviceIde;
  id.revision = kRevision;
  id.class_code = kClassIde | kProgIfLegacy;
  id.interrupt_pin = kIntPinLegacy;
  return id;
}
}  // namespace

Piix4Ide::Piix4Ide(sc_core::sc_module_name name)
    : PciFunction(name, piix4_id()),
      primary_cmd("primary_cmd"),
      primary_ctl("primary_ctl"),
      secondary_cmd("secondary_cmd"),
      secondary_ctl("secondary_ctl"),
      irq14("irq14"),
      irq15("irq15"),
      native_mode(this, "native_mode", false, "",
                  "PCI native mode (prog-if 0x8F, task files at BAR0-BAR3, INTA#) instead of the PIIX4's fixed "
                  "legacy mode (prog-if 0x80, ISA ports 0x1F0/0x3F6/0x170/0x376, IRQ14/15)"),
      primary("primary"),
      secondary("secondary"),
      primary_bm("primary_bm", primary, *this),
      secondary_bm("secondary_bm", secondary, *this),
      irq14_driver_(irq14),
      irq15_driver_(irq15) {
  RegisterBank& cfg = config();
  cfg.reg("STATUS").reset_to(kStatusReset).reset();
  //                    name        offset      width reset         policy
  idetim_[0] = &cfg.add("IDETIM_PRI", kIdetimPri, 2,  kIdetimReset, Access::RW);
  idetim_[1] = &cfg.add("IDETIM_SEC", kIdetimSec, 2,  kIdetimReset, Access::RW);
  cfg.add(              "SIDETIM",    kSidetim,   1,  0x00,         Access::RW);
  cfg.add(              "UDMACTL",    kUdmactl,   1,  0x00,         Access::RW);
  cfg.add(              "UDMATIM",    kUdmatim,   2,  0x0000,       Access::RW);

  declare_bar(kBarBmiba, PciBarType::Io, kBmibaSize);
  if (native_mode) {
    cfg.reg("PROG_IF").reset_to(kProgIfNative).reset();
    cfg.reg("INTERRUPT_PIN").reset_to(kIntPinNative).reset();
    declare_bar(kBarPriCmd, PciBarType::Io, kNativeCmdSize);
    declare_bar(kBarPriCtl, PciBarType::Io, kNativeCtlSize);
    declare_bar(kBarSecCmd, PciBarType::Io, kNativeCmdSize);
    declare_bar(kBarSecCtl, PciBarType::Io, kNativeCtlSize);
  }

  primary_cmd.register_b_transport(this, &Piix4Ide::legacy_b_transport, kPriCmd);
  primary_ctl.register_b_transport(this, &Piix4Ide::legacy_b_transport, kPriCtl);
  secondary_cmd.register_b_transport(this, &Piix4Ide::legacy_b_transport, kSecCmd);
  secondary_ctl.register_b_transport(this, &Piix4Ide::legacy_b_transport, kSecCtl);

  primary.on_line = [this](bool) { line_changed(); };
  secondary.on_line = [this](bool) { line_changed(); };
}

void Piix4Ide::attach_drive(unsigned ch, unsigned unit, AtaDisk& disk) {
  const std::string where = strfmt("%s: drive %s on channel %u unit %u", name(), disk.name(), ch, unit);
  if (ch > 1) throw ConfigError(where + ": the channel must be 0 (primary) or 1 (secondary)");
  if (unit > 1) throw ConfigError(where + ": the unit must be 0 (master) or 1 (slave)");
  if (channel(ch).drive(unit)) throw ConfigError(where + ": the unit already has a drive");
  // Before simulation the device register is 0, so a drive built as master reports itself selected.
  if (disk.selected() != (unit == 0))
    throw ConfigError(where + ": the disk was built with the other AtaDisk::Position");
  channel(ch).attach(unit, disk);
}

bool Piix4Ide::decode_enabled(unsigned ch) const { return idetim_[ch & 1]->get() & kIdetimIde; }

void Piix4Ide::line_changed() {
  const bool pri = primary.line(), sec = secondary.line();
  if (native_mode) {
    set_irq(pri || sec);  // both channels share INTA# (level, PCI)
  } else {
    irq14_driver_.set(pri);
    irq15_driver_.set(sec);
  }
}

void Piix4Ide::task_file(unsigned ch, bool is_read, uint64_t addr, uint8_t* data, unsigned len,
                         sc_core::sc_time& delay) {
  if (!decode_enabled(ch)) {  // IDETIM.IDE = 0: nobody answers on the bus
    if (is_read) std::memset(data, kFloatingBus, len);
    return;
  }
  channel(ch).access(is_read, addr, data, len, delay);
}

void Piix4Ide::legacy_b_transport(int window, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (!trans.is_read() && !trans.is_write()) return;
  const bool is_read = trans.is_read();
  uint8_t* data = trans.get_data_ptr();
  const unsigned len = trans.get_data_length();
  const uint64_t addr = trans.get_address();
  if (trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (native_mode) {  // the legacy windows are not decoded by a native-mode controller
    if (is_read) std::memset(data, kFloatingBus, len);
    return;
  }
  const unsigned ch = (window == kSecCmd || window == kSecCtl) ? 1 : 0;
  if (window == kPriCmd || window == kSecCmd) {
    task_file(ch, is_read, addr, data, len, delay);
    return;
  }
  // Control window: one byte; 0x3F7/0x377 belong to the floppy controller.
  if (addr == 0) task_file(ch, is_read, ata::kRegControl, data, 1, delay);
  else if (is_read) data[0] = kFloatingBus;
  if (is_read && len > 1) std::memset(data + 1, kFloatingBus, len - 1);
}

void Piix4Ide::bm_access(bool is_read, uint64_t offset, uint8_t* data, unsigned len) {
  // An access may straddle the two channels' halves: split it at BMIBA + 8.
  while (len) {
    const unsigned ch = offset >= kBmChannelStride ? 1 : 0;
    const uint64_t off = offset - ch * kBmChannelStride;
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(len, kBmChannelStride - off));
    if (is_read)
      bus_master(ch).read(off, data, n);
    else
      bus_master(ch).write(off, data, n);
    offset += n;
    data += n;
    len -= n;
  }
}

bool Piix4Ide::bar_read(unsigned bar, uint64_t offset, uint8_t* data, unsigned len, sc_core::sc_time& delay) {
  if (offset + len > bar_size(bar)) return false;
  switch (bar) {
    case kBarBmiba: bm_access(true, offset, data, len); return true;
    case kBarPriCmd: task_file(0, true, offset, data, len, delay); return true;
    case kBarSecCmd: task_file(1, true, offset, data, len, delay); return true;
    case kBarPriCtl:
    case kBarSecCtl:
      std::memset(data, kFloatingBus, len);
      if (offset <= kNativeCtlOffset && offset + len > kNativeCtlOffset)
        task_file(bar == kBarSecCtl ? 1 : 0, true, ata::kRegControl, data + (kNativeCtlOffset - offset), 1, delay);
      return true;
  }
  return false;
}

bool Piix4Ide::bar_write(unsigned bar, uint64_t offset, const uint8_t* data, unsigned len, sc_core::sc_time& delay) {
  if (offset + len > bar_size(bar)) return false;
  // The channel and the register bank take non-const buffers; a write never modifies them.
  uint8_t* d = const_cast<uint8_t*>(data);
  switch (bar) {
    case kBarBmiba: bm_access(false, offset, d, len); return true;
    case kBarPriCmd: task_file(0, false, offset, d, len, delay); return true;
    case kBarSecCmd: task_file(1, false, offset, d, len, delay); return true;
    case kBarPriCtl:
    case kBarSecCtl:
      if (offset <= kNativeCtlOffset && offset + len > kNativeCtlOffset)
        task_file(bar == kBarSecCtl ? 1 : 0, false, ata::kRegControl, d + (kNativeCtlOffset - offset), 1, delay);
      return true;
  }
  return false;
}

}  // namespace hvsim
