// Intel 82371AB PIIX4 IDE function (PCI 8086:7111, function 1) register map: identity, PIIX-specific
// configuration registers 0x40-0x4B, legacy (compatibility) windows, the bus-master IDE I/O block at
// BMIBA (BAR4) and the PRD entry format (shared/specs/devices.md 2; PIIX4 datasheet 290562 section 5;
// QEMU hw/ide/piix.c and pci.c; Linux ata_piix.c and include/linux/ata.h). PCI header layout:
// models/bus/pci_regs.h.
#pragma once

#include <cstdint>

namespace hvsim::piix4 {

// ---- Identity ------------------------------------------------------------------------------------
constexpr uint16_t kVendorIntel = 0x8086;
constexpr uint16_t kDeviceIde = 0x7111;     // PIIX4 IDE (PIIX3 IDE would be 0x7010)
constexpr uint8_t kRevision = 0x01;
constexpr uint32_t kClassIde = 0x010100;    // base 01 storage, subclass 01 IDE; prog-if below
constexpr uint8_t kProgIfLegacy = 0x80;     // bus-master capable, both channels compatibility mode, fixed
constexpr uint8_t kProgIfNative = 0x8F;     // bus-master capable, both channels native and switchable (option)
constexpr uint16_t kStatusReset = 0x0280;   // PCISTS: Fast B2B capable | DEVSEL medium (QEMU)
constexpr uint8_t kIntPinLegacy = 0;        // legacy IRQ14/15, no INTx (QEMU leaves the pin at 0)
constexpr uint8_t kIntPinNative = 1;        // INTA# in native mode (PCI IDE spec)

// ---- PIIX-specific configuration registers -------------------------------------------------------
//                                     size  access  reset    meaning
constexpr uint8_t kIdetimPri = 0x40;  // 16   RW      0x8000   primary IDE timing; bit 15 = decode enable
constexpr uint8_t kIdetimSec = 0x42;  // 16   RW      0x8000   secondary IDE timing; bit 15 = decode enable
constexpr uint8_t kSidetim = 0x44;    // 8    RW      0x00     slave IDE timing (ISP/RTC of both slaves)
                                      // 0x45-0x47 reserved, read 0
constexpr uint8_t kUdmactl = 0x48;    // 8    RW      0x00     Ultra DMA/33 enable per drive
                                      // 0x49 reserved, read 0
constexpr uint8_t kUdmatim = 0x4A;    // 16   RW      0x0000   Ultra DMA/33 cycle time per drive
// The datasheet reset of IDETIM is 0x0000; firmware leaves 0x8000 (decode on) and Linux ata_piix
// treats a channel with bit 15 clear as absent, so the model presets what firmware would leave.
constexpr uint16_t kIdetimReset = 0x8000;

// IDETIM (0x40 primary, 0x42 secondary)
constexpr uint16_t kIdetimIde = 1u << 15;        // IDE decode enable: 0 = legacy ports of the channel float
constexpr uint16_t kIdetimSitre = 1u << 14;      // slave timing from SIDETIM
constexpr uint16_t kIdetimIspMask = 3u << 12;    // IORDY sample point
constexpr uint16_t kIdetimRtcMask = 3u << 8;     // recovery time
constexpr uint16_t kIdetimDte1 = 1u << 7;        // drive 1: fast timing for DMA only
constexpr uint16_t kIdetimPpe1 = 1u << 6;        // drive 1: prefetch/posting
constexpr uint16_t kIdetimIe1 = 1u << 5;         // drive 1: IORDY sample enable
constexpr uint16_t kIdetimTime1 = 1u << 4;       // drive 1: fast timing
constexpr uint16_t kIdetimDte0 = 1u << 3;        // drive 0: same bits as drive 1
constexpr uint16_t kIdetimPpe0 = 1u << 2;
constexpr uint16_t kIdetimIe0 = 1u << 1;
constexpr uint16_t kIdetimTime0 = 1u << 0;
constexpr uint8_t idetim_offset(unsigned channel) { return channel ? kIdetimSec : kIdetimPri; }

// UDMACTL (0x48): bit 2*channel + unit (PSDE0, PSDE1, SSDE0, SSDE1)
constexpr uint8_t udmactl_bit(unsigned channel, unsigned unit) { return static_cast<uint8_t>(1u << (2 * channel + unit)); }

// ---- Legacy (compatibility) windows, ISA decode gated by IDETIM bit 15 -----------------------------
constexpr uint16_t kPrimaryCmdBase = 0x1F0;    // 8 bytes: task file
constexpr uint16_t kPrimaryCtlBase = 0x3F6;    // 1 byte: alternate status / device control (not 0x3F7)
constexpr uint16_t kSecondaryCmdBase = 0x170;
constexpr uint16_t kSecondaryCtlBase = 0x376;
constexpr unsigned kCmdBlockSize = 8;
constexpr unsigned kCtlBlockSize = 1;
constexpr unsigned kPrimaryIrq = 14;           // ISA IRQ, edge at the PIC
constexpr unsigned kSecondaryIrq = 15;
constexpr uint8_t kFloatingBus = 0xFF;         // reads of a window nobody decodes

// ---- Native mode BARs (PCI IDE Controller Specification 1.0; option, not on a real PIIX4) --------
constexpr unsigned kBarPriCmd = 0;     // I/O, 8 bytes: task file
constexpr unsigned kBarPriCtl = 1;     // I/O, 4 bytes: alternate status / device control at offset 2
constexpr unsigned kBarSecCmd = 2;
constexpr unsigned kBarSecCtl = 3;
constexpr unsigned kBarBmiba = 4;      // I/O, 16 bytes: bus-master IDE registers (both modes)
constexpr unsigned kNativeCmdSize = 8;
constexpr unsigned kNativeCtlSize = 4;
constexpr unsigned kNativeCtlOffset = 2;
constexpr unsigned kBmibaSize = 16;

// ---- Bus-master IDE registers (I/O at BMIBA + channel * 8; byte, word or dword accesses) ----------
//                                    size  access  reset  meaning
constexpr uint8_t kBmicx = 0x0;      // 8    RW      0x00   command: SSBM, RWCON
                                     // +1 reserved, reads 0
constexpr uint8_t kBmisx = 0x2;      // 8    mixed   0x00   status: Active RO, Error/Int W1C, drive-capable RW
                                     // +3 reserved, reads 0
constexpr uint8_t kBmidtp = 0x4;     // 32   RW      0x0    PRD table base, bits 1:0 read 0
constexpr unsigned kBmChannelStride = 8;  // secondary channel registers at BMIBA + 8

// BMICX
constexpr uint8_t kBmicxSsbm = 1u << 0;   // start/stop bus master: 0->1 starts at BMIDTP, 1->0 aborts
constexpr uint8_t kBmicxRwcon = 1u << 3;  // 1 = bus master writes memory (READ DMA); fixed while running
constexpr uint8_t kBmicxStored = kBmicxSsbm | kBmicxRwcon;  // all other bits read 0

// BMISX. QEMU write rule: new = (v & 0x60) | (old & 0x01) | (old & ~v & 0x06).
constexpr uint8_t kBmisxActive = 1u << 0;     // RO: set by SSBM 0->1, cleared at EOT, stop, error, underrun
constexpr uint8_t kBmisxError = 1u << 1;      // W1C: DMA error (bus master disabled, master/target abort)
constexpr uint8_t kBmisxInt = 1u << 2;        // W1C: the device raised its interrupt (regardless of nIEN)
constexpr uint8_t kBmisxDrv0Cap = 1u << 5;    // RW scratch: drive 0 DMA capable (set by firmware)
constexpr uint8_t kBmisxDrv1Cap = 1u << 6;    // RW scratch: drive 1 DMA capable
constexpr uint8_t kBmisxSimplex = 1u << 7;    // RO 0: both channels may run at once
constexpr uint8_t kBmisxW1C = kBmisxError | kBmisxInt;
constexpr uint8_t kBmisxRW = kBmisxDrv0Cap | kBmisxDrv1Cap;

// BMIDTP
constexpr uint32_t kBmidtpMask = ~0x3u;  // dword-aligned table

// ---- PRD entry (8 bytes, little-endian, dword-aligned table that must not cross 64 KiB) ------------
// dword 0: physical base address of the region, bit 0 = 0
// dword 1: bits 15:1 byte count (0 = 64 KiB), bit 31 EOT (last entry), others reserved 0
constexpr unsigned kPrdSize = 8;
constexpr uint32_t kPrdAddrMask = ~0x1u;
constexpr uint32_t kPrdCountMask = 0xFFFE;
constexpr uint32_t kPrdEot = 1u << 31;
constexpr uint32_t kPrdCountZero = 0x10000;  // a byte count of 0 means 64 KiB
constexpr uint64_t kPrdBoundary = 0x10000;   // neither a region nor the table may cross 64 KiB

}  // namespace hvsim::piix4
