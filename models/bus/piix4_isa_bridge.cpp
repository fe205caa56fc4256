#include "models/bus/piix4_isa_bridge.h"

#include <string>

#include "models/core/log.h"

namespace hvsim {

using namespace piix4;

Piix4IsaBridge::Piix4IsaBridge(sc_core::sc_module_name name)
    : PciFunction(name, PciId{kVendorIntel, kDeviceIsaBridge, kRevision, kClassIsaBridge, 0, 0, 0, true}) {
  RegisterBank& c = config();
  c.add("IORT", kIort, 1, 0x4D, Access::RW);
  c.add("XBCS", kXbcs, 2, 0x0003, Access::RW);
  for (unsigned n = 0; n < kPirqs; ++n) {
    const std::string reg = std::string("PIRQRC") + static_cast<char>('A' + n);
    pirqrc_[n] = &c.add(reg, kPirqrcA + n, 1, kPirqDisable, Access::RW, kPirqDisable | kPirqIrqMask)
                      .on_write([this, reg](uint64_t old_value, uint64_t new_value) {
                        if (firmware_done_ && old_value != new_value && warn_.allow())
                          HVSIM_WARN(this->name(), "%s 0x%02x -> 0x%02x: stored, but INTx wiring stays as the firmware "
                                     "routed it (dynamic PIRQ re-routing is not modelled)",
                                     reg.c_str(), static_cast<unsigned>(old_value), static_cast<unsigned>(new_value));
                      });
  }
  c.add("SERIRQC", kSerirqc, 1, 0x10, Access::RW);
  c.add("TOM", kTom, 1, 0x02, Access::RW);
  c.add("MSTAT", kMstat, 2, 0x0000, Access::RW);
  c.add("MBIRQ0", kMbirq0, 1, 0x80, Access::RW);
  c.add("MBIRQ1", kMbirq1, 1, 0x80, Access::RW);
  c.add("MBDMA0", kMbdma0, 1, 0x0C, Access::RW);
  c.add("MBDMA1", kMbdma1, 1, 0x0C, Access::RW);
  c.add("APICBASE", kApicbase, 1, 0x00, Access::RW);
  c.add("DLC", kDlc, 1, 0x00, Access::RW);
  c.add("RTCCFG", kRtccfg, 1, 0x21, Access::RW);
}

void Piix4IsaBridge::firmware_route(const std::array<uint8_t, kPirqs>& irq) {
  for (unsigned n = 0; n < kPirqs; ++n) pirqrc_[n]->set(irq[n] & (kPirqDisable | kPirqIrqMask));
  firmware_done_ = true;
}

uint8_t Piix4IsaBridge::pirq_route(unsigned pirq) const {
  return pirq < kPirqs ? static_cast<uint8_t>(pirqrc_[pirq]->get()) : kPirqDisable;
}

}  // namespace hvsim
