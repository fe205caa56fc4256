// Intel 82371AB PIIX4 function 0: the PCI-to-ISA bridge (PCI 8086:7110, class 06.01). Its header
// marks the PIIX4 multi-function, which is why an OS scans functions 1 (IDE), 2 (USB) and 3 (power
// management) of the same device at all. The registers below are what software reads or programs:
// the PIRQ router above all. The ISA devices behind the bridge (8259s, 8254, ELCR) are separate
// models on the port-I/O bus.
//
// Routing note: the platform wires each PCI INTx to an ISA IRQ when it is built, the way SeaBIOS
// programs PIRQRC, and presets these registers to match (firmware_route). A guest that reprograms
// PIRQRC changes what it reads back, not the wiring (warned): dynamic re-routing is not modelled.
//
// Configuration registers beyond the header (datasheet 82371AB, 4.1; reset values [unverified] except
// where devices.md confirms them):
//   offset  size  reset   name       comment
//   0x4C    1     0x4D    IORT       ISA I/O recovery timer
//   0x4E    2     0x0003  XBCS       X-bus chip select (RTC, keyboard, BIOS decode enables)
//   0x60    1     0x80    PIRQRCA    PIRQA route: bits 3:0 ISA IRQ, bit 7 routing disabled (devices.md 9.3)
//   0x61    1     0x80    PIRQRCB    PIRQB route
//   0x62    1     0x80    PIRQRCC    PIRQC route
//   0x63    1     0x80    PIRQRCD    PIRQD route
//   0x64    1     0x10    SERIRQC    serial IRQ control
//   0x69    1     0x02    TOM        top of memory for ISA/DMA forwarding
//   0x6A    2     0x0000  MSTAT      miscellaneous status
//   0x70    1     0x80    MBIRQ0     motherboard IRQ route 0 (bit 7 disabled)
//   0x71    1     0x80    MBIRQ1     motherboard IRQ route 1
//   0x76    1     0x0C    MBDMA0     motherboard DMA 0 (channel 4 = none)
//   0x77    1     0x0C    MBDMA1     motherboard DMA 1
//   0x80    1     0x00    APICBASE   IOAPIC base relocation
//   0x82    1     0x00    DLC        deterministic latency control
//   0xCB    1     0x21    RTCCFG     real-time clock configuration
#pragma once

#include <array>
#include <cstdint>
#include <systemc>

#include "models/bus/pci_function.h"

namespace hvsim {

namespace piix4 {
constexpr uint16_t kVendorIntel = 0x8086;
constexpr uint16_t kDeviceIsaBridge = 0x7110;
constexpr uint32_t kClassIsaBridge = 0x060100;  // bridge, PCI-to-ISA, prog-if 0
constexpr uint8_t kRevision = 0x01;             // as QEMU's PIIX4 [unverified on silicon]

constexpr uint8_t kIort = 0x4C;
constexpr uint8_t kXbcs = 0x4E;
constexpr uint8_t kPirqrcA = 0x60;  // PIRQRC[A..D] at 0x60..0x63
constexpr unsigned kPirqs = 4;
constexpr uint8_t kSerirqc = 0x64;
constexpr uint8_t kTom = 0x69;
constexpr uint8_t kMstat = 0x6A;
constexpr uint8_t kMbirq0 = 0x70;
constexpr uint8_t kMbirq1 = 0x71;
constexpr uint8_t kMbdma0 = 0x76;
constexpr uint8_t kMbdma1 = 0x77;
constexpr uint8_t kApicbase = 0x80;
constexpr uint8_t kDlc = 0x82;
constexpr uint8_t kRtccfg = 0xCB;

constexpr uint8_t kPirqDisable = 0x80;  // PIRQRC bit 7: not routed
constexpr uint8_t kPirqIrqMask = 0x0F;  // PIRQRC bits 3:0: the ISA IRQ
}  // namespace piix4

class Piix4IsaBridge : public PciFunction {
 public:
  explicit Piix4IsaBridge(sc_core::sc_module_name name);

  // Presets PIRQRC[A..D] as firmware leaves them (irq[n] = ISA IRQ of PIRQ n, or kPirqDisable).
  void firmware_route(const std::array<uint8_t, piix4::kPirqs>& irq);
  uint8_t pirq_route(unsigned pirq) const;  // current PIRQRC value

 private:
  std::array<Register*, piix4::kPirqs> pirqrc_{};
  bool firmware_done_ = false;
};

}  // namespace hvsim
