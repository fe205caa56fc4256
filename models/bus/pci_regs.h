// PCI register map: type-0 configuration header, Command/Status bits, BAR bits and configuration
// mechanism #1 (PCI Local Bus Spec 3.0 section 6; shared/specs/devices.md section 1).
#pragma once

#include <cstdint>

namespace hvsim::pci {

// ---- Type-0 configuration header -------------------------------------------------------------
//                                          size  access  reset
constexpr uint8_t kVendorId = 0x00;      // 2     RO      PciId::vendor
constexpr uint8_t kDeviceId = 0x02;      // 2     RO      PciId::device
constexpr uint8_t kCommand = 0x04;       // 2     RW      0x0000: no decode, no DMA until enabled
constexpr uint8_t kStatus = 0x06;        // 2     W1C     kStsDevselMedium (| kStsCapList)
constexpr uint8_t kRevisionId = 0x08;    // 1     RO      PciId::revision
constexpr uint8_t kProgIf = 0x09;        // 1     RO      PciId::class_code bits 7:0
constexpr uint8_t kSubclass = 0x0A;      // 1     RO      PciId::class_code bits 15:8
constexpr uint8_t kClassCode = 0x0B;     // 1     RO      PciId::class_code bits 23:16
constexpr uint8_t kCacheLineSize = 0x0C; // 1     RW      0 (in dwords; the Tulip driver reads it)
constexpr uint8_t kLatencyTimer = 0x0D;  // 1     RW      0
constexpr uint8_t kHeaderType = 0x0E;    // 1     RO      0x00, | kHdrMultifunction on function 0 of a multi-function device
constexpr uint8_t kBist = 0x0F;          // 1     RO      0: no BIST
constexpr uint8_t kBar0 = 0x10;          // 4     RW      BARn at kBar0 + 4n, n = 0..5; see kBar* bits
constexpr uint8_t kCardbusCis = 0x28;    // 4     RO      0
constexpr uint8_t kSubsystemVendorId = 0x2C;  // 2 RO     PciId::subsystem_vendor
constexpr uint8_t kSubsystemId = 0x2E;   // 2     RO      PciId::subsystem
constexpr uint8_t kExpansionRom = 0x30;  // 4     RO      0: no expansion ROM (sizing reads back 0)
constexpr uint8_t kCapabilitiesPtr = 0x34;  // 1  RO      0, or the first capability (dword aligned)
constexpr uint8_t kInterruptLine = 0x3C; // 1     RW      0: scratch the firmware fills with the routed IRQ (QEMU reset value)
constexpr uint8_t kInterruptPin = 0x3D;  // 1     RO      PciId::interrupt_pin: 0 none, 1..4 INTA#..INTD#
constexpr uint8_t kMinGnt = 0x3E;        // 1     RO      0
constexpr uint8_t kMaxLat = 0x3F;        // 1     RO      0
constexpr unsigned kNumBars = 6;
constexpr unsigned kConfigSpaceSize = 256;  // device-specific registers live in 0x40..0xFF

constexpr uint8_t bar_offset(unsigned n) { return static_cast<uint8_t>(kBar0 + 4 * n); }

// ---- Command (0x04) ------------------------------------------------------------------------------
constexpr uint16_t kCmdIoSpace = 1u << 0;        // decode I/O BARs
constexpr uint16_t kCmdMemSpace = 1u << 1;       // decode memory BARs
constexpr uint16_t kCmdBusMaster = 1u << 2;      // the function may DMA
constexpr uint16_t kCmdSpecialCycles = 1u << 3;  // hard-wired 0
constexpr uint16_t kCmdMwi = 1u << 4;            // Memory Write & Invalidate; 0 unless a subclass widens the mask
constexpr uint16_t kCmdVgaSnoop = 1u << 5;       // hard-wired 0
constexpr uint16_t kCmdParityError = 1u << 6;    // Parity Error Response
constexpr uint16_t kCmdSerr = 1u << 8;           // SERR# Enable
constexpr uint16_t kCmdFastB2B = 1u << 9;        // hard-wired 0
constexpr uint16_t kCmdIntxDisable = 1u << 10;   // 1: INTx# deasserted (Status.IntStatus still tracks)
constexpr uint16_t kCmdWritable =
    kCmdIoSpace | kCmdMemSpace | kCmdBusMaster | kCmdParityError | kCmdSerr | kCmdIntxDisable;

// ---- Status (0x06) -------------------------------------------------------------------------------
constexpr uint16_t kStsIntStatus = 1u << 3;        // RO: INTx pending (even if Command.IntxDisable)
constexpr uint16_t kStsCapList = 1u << 4;          // RO: kCapabilitiesPtr is valid
constexpr uint16_t kSts66MHz = 1u << 5;            // RO 0
constexpr uint16_t kStsFastB2B = 1u << 7;          // RO 0
constexpr uint16_t kStsMasterDataParity = 1u << 8; // W1C
constexpr uint16_t kStsDevselMedium = 1u << 9;     // RO: DEVSEL timing 01 = medium (bits 10:9)
constexpr uint16_t kStsSigTargetAbort = 1u << 11;  // W1C: this function target-aborted an access
constexpr uint16_t kStsRcvTargetAbort = 1u << 12;  // W1C: a DMA of this function was target-aborted
constexpr uint16_t kStsRcvMasterAbort = 1u << 13;  // W1C: a DMA of this function was master-aborted
constexpr uint16_t kStsSigSystemError = 1u << 14;  // W1C
constexpr uint16_t kStsDetectedParity = 1u << 15;  // W1C
constexpr uint16_t kStsW1C = kStsMasterDataParity | kStsSigTargetAbort | kStsRcvTargetAbort | kStsRcvMasterAbort |
                             kStsSigSystemError | kStsDetectedParity;

// ---- Header type (0x0E) --------------------------------------------------------------------------
constexpr uint8_t kHdrMultifunction = 0x80;  // the OS scans functions 1..7

// ---- BARs (0x10..0x24) ---------------------------------------------------------------------------
constexpr uint32_t kBarIo = 1u << 0;              // RO: I/O BAR; address in bits 31:2
constexpr uint32_t kBarMemType64 = 2u << 1;       // RO: memory BAR, 64-bit (the next BAR holds bits 63:32)
constexpr uint32_t kBarMemPrefetch = 1u << 3;     // RO: prefetchable memory
constexpr uint32_t kBarIoAddrMask = ~0x3u;
constexpr uint32_t kBarMemAddrMask = ~0xFu;
constexpr uint64_t kBarMinIoSize = 4;             // spec minimum; I/O BARs are at most 256 bytes
constexpr uint64_t kBarMaxIoSize = 256;
constexpr uint64_t kBarMinMemSize = 16;

// ---- Configuration mechanism #1 (ports 0xCF8..0xCFF) ---------------------------------------------
constexpr uint16_t kConfigAddressPort = 0xCF8;  // 32-bit accesses only; others are not config accesses
constexpr uint16_t kConfigDataPort = 0xCFC;     // 8/16/32-bit; byte n of the dword at 0xCFC + n
constexpr uint32_t kCfgAddrEnable = 1u << 31;
constexpr uint32_t kCfgAddrWritable = 0x80FFFFFCu;  // bits 30:24 reserved and 1:0 read as 0
constexpr unsigned cfg_addr_bus(uint32_t a) { return (a >> 16) & 0xFF; }
constexpr unsigned cfg_addr_device(uint32_t a) { return (a >> 11) & 0x1F; }
constexpr unsigned cfg_addr_function(uint32_t a) { return (a >> 8) & 0x7; }
constexpr unsigned cfg_addr_register(uint32_t a) { return a & 0xFC; }
constexpr uint32_t cfg_address(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
  return kCfgAddrEnable | (bus & 0xFF) << 16 | (dev & 0x1F) << 11 | (fn & 7) << 8 | (reg & 0xFC);
}

}  // namespace hvsim::pci
