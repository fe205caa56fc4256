#include "models/ide/ide_channel.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "models/core/log.h"
#include "models/ide/ata_disk.h"
#include "models/ide/ata_regs.h"

namespace hvsim {

using namespace ata;

IdeChannel::IdeChannel(sc_core::sc_module_name name)
    : sc_module(name), drive0("drive0"), drive1("drive1"), sockets_{&drive0, &drive1} {
  SC_METHOD(line_method);
  sensitive << intrq_[0] << intrq_[1];
  dont_initialize();
}

void IdeChannel::attach(unsigned unit, AtaDisk& disk) {
  if (unit > 1) throw std::logic_error(std::string(name()) + ": IDE unit must be 0 (master) or 1 (slave)");
  if (disks_[unit]) throw std::logic_error(std::string(name()) + ": IDE unit already has a drive");
  disks_[unit] = &disk;
  sockets_[unit]->bind(disk.channel);
  disk.intrq.bind(intrq_[unit]);
}

unsigned IdeChannel::selected_unit() const {
  // The drives latch the device register (and reload it on reset), so they know the selection best.
  if (disks_[0]) return disks_[0]->selected() ? 0 : 1;
  if (disks_[1]) return disks_[1]->selected() ? 1 : 0;
  return (dev_shadow_ & kDevDev) ? 1 : 0;
}

bool IdeChannel::line() const {
  const unsigned u = selected_unit();
  return disks_[u] && intrq_[u].read();
}

void IdeChannel::line_method() { notify_line(); }

void IdeChannel::forward(unsigned unit, bool is_read, uint64_t addr, uint8_t* data, unsigned len,
                         sc_core::sc_time& delay) {
  gp_.set_command(is_read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
  gp_.set_address(addr);
  gp_.set_data_ptr(data);
  gp_.set_data_length(len);
  gp_.set_streaming_width(len);
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_byte_enable_length(0);
  gp_.set_dmi_allowed(false);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  (*sockets_[unit])->b_transport(gp_, delay);
  if (!gp_.is_response_ok()) {
    if (warn_.allow())
      HVSIM_WARN(name(), "drive %u refused a %u-byte %s at channel address %llu: %s", unit, len,
                 is_read ? "read" : "write", static_cast<unsigned long long>(addr), gp_.get_response_string().c_str());
    if (is_read) std::memset(data, 0xFF, len);
  }
}

void IdeChannel::access(bool is_read, uint64_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay) {
  const unsigned sel = selected_unit();
  if (addr == kRegData && (len == 1 || len == 2 || len == 4)) {  // PIO data: 8/16/32-bit pass through
    if (disks_[sel])
      forward(sel, is_read, addr, data, len, delay);
    else if (is_read)
      std::memset(data, 0xFF, len);
    return;
  }
  // Other registers are byte registers on the cable: route byte by byte, so a wide access that spans
  // the command register still reaches only the selected drive with it.
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t reg = addr + i;
    uint8_t* b = data + i;
    const unsigned s = selected_unit();
    if (reg >= kNumRegs) {
      if (is_read) *b = 0xFF;
      continue;
    }
    if (is_read) {
      if (disks_[s])
        forward(s, true, reg, b, 1, delay);
      else
        *b = reg == kRegData ? 0xFF : 0x00;  // absent device: QEMU's values (devices.md 3.1)
      continue;
    }
    if (reg == kRegData || reg == kRegCommand) {
      if (disks_[s]) forward(s, false, reg, b, 1, delay);
      continue;
    }
    if (reg == kRegDevice) dev_shadow_ = *b;
    // Both drives latch the shared registers; only the selected drive's time is the access time.
    for (unsigned u = 0; u < 2; ++u) {
      if (!disks_[u]) continue;
      sc_core::sc_time scratch = delay;
      forward(u, false, reg, b, 1, u == s ? delay : scratch);
    }
  }
  // A device-register write can change which drive drives INTRQ, without any INTRQ edge.
  if (!is_read) notify_line();
}

}  // namespace hvsim
