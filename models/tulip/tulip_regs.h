// DEC 21140A "Tulip" register map: PCI identity, the CSRs (CSR0-CSR15 at 8-byte stride in CBIO/CBMA),
// their bit fields, and the descriptor and setup-frame layouts. Sources: shared/specs/devices.md 4
// (Linux drivers/net/ethernet/dec/tulip/tulip.h, QEMU hw/net/tulip.h, 21140A/21143 HRM).
// Reset values marked [21143] are the 21143 "read" values QEMU uses; the 21140A datasheet was not at hand.
#pragma once

#include <cstdint>

namespace hvsim::tulip {

// ---- PCI ------------------------------------------------------------------------------------------
constexpr uint16_t kVendorDec = 0x1011;
constexpr uint16_t kDevice21140 = 0x0009;
constexpr uint8_t kRevision21140A = 0x20;   // Linux calls revision >= 0x20 a "21140A"
constexpr uint32_t kClassEthernet = 0x020000;
constexpr uint8_t kCfgCfda = 0x40;          // CFDA: driver area, read/write scratch on the 21140
constexpr unsigned kBarCbio = 0;            // I/O, 128 bytes (Linux tulip_tbl io_size)
constexpr unsigned kBarCbma = 1;            // 32-bit memory, 128 bytes
constexpr unsigned kCsrSpace = 128;
constexpr unsigned kCsrStride = 8;
constexpr unsigned kNumCsrs = 16;

// ---- CSR map -------------------------------------------------------------------------------------
//   name    index   offset  reset          meaning
enum Csr : unsigned {
  CSR0 = 0,    // 0x00   0xFE000000     bus mode: SWR, BAR, DSL, BLE, PBL, CAL, TAP, DBO
  CSR1 = 1,    // 0x08   0xFFFFFFFF     TX poll demand (write: resume a suspended TX process)
  CSR2 = 2,    // 0x10   0xFFFFFFFF     RX poll demand (write: resume a suspended RX process)
  CSR3 = 3,    // 0x18   0x00000000     RX descriptor list base (undefined at reset; 0 here)
  CSR4 = 4,    // 0x20   0x00000000     TX descriptor list base (undefined at reset; 0 here)
  CSR5 = 5,    // 0x28   0xF0000000     status: W1C interrupt sources 16:0, RS 19:17, TS 22:20, EB 25:23
  CSR6 = 6,    // 0x30   0x32000040     operating mode [21143]
  CSR7 = 7,    // 0x38   0xF3FE0000     interrupt enable, bit positions of CSR5 16:0 [21143]
  CSR8 = 8,    // 0x40   0xE0000000     missed frames: 15:0 count, 16 overflow; cleared by reading
  CSR9 = 9,    // 0x48   0xFFF483FF     boot ROM, serial ROM and MII management [21143]
  CSR10 = 10,  // 0x50   0x00000000     boot ROM programming address (no boot ROM modelled)
  CSR11 = 11,  // 0x58   0xFFFE0000     general-purpose timer: 15:0 count, 16 CON continuous
  CSR12 = 12,  // 0x60   0x00000000     general-purpose port: 7:0 pins; write with bit 8 = direction
  CSR13 = 13,  // 0x68   0x00000000     reserved on the 21140 (SIA on the 21143)
  CSR14 = 14,  // 0x70   0x00000000     reserved on the 21140
  CSR15 = 15,  // 0x78   0x00000000     watchdog timer (jabber/watchdog disables; stored only)
};
constexpr uint32_t kCsrReset[kNumCsrs] = {
    0xFE000000, 0xFFFFFFFF, 0xFFFFFFFF, 0x00000000, 0x00000000, 0xF0000000, 0x32000040, 0xF3FE0000,
    0xE0000000, 0xFFF483FF, 0x00000000, 0xFFFE0000, 0x00000000, 0x00000000, 0x00000000, 0x00000000};

// CSR0 bus mode
constexpr uint32_t kCsr0Swr = 1u << 0;          // software reset (self-clearing)
constexpr uint32_t kCsr0Bar = 1u << 1;          // bus arbitration (RX priority)
constexpr unsigned kCsr0DslShift = 2;           // descriptor skip length, longwords
constexpr uint32_t kCsr0DslMask = 0x1Fu << 2;
constexpr uint32_t kCsr0Ble = 1u << 7;          // big-endian data buffers
constexpr uint32_t kCsr0PblMask = 0x3Fu << 8;   // programmable burst length
constexpr uint32_t kCsr0CalMask = 3u << 14;     // cache alignment
constexpr uint32_t kCsr0TapMask = 7u << 17;     // transmit automatic polling
constexpr uint32_t kCsr0Dbo = 1u << 20;         // big-endian descriptors
constexpr uint32_t kCsr0Writable = 0x01FFFFFE;  // 24:1 (MRM/MRL/MWI are 21140A bits 21/23/24)

// CSR5 status (bits 16:0 write-one-to-clear)
constexpr uint32_t kCsr5Ti = 1u << 0;    // TX complete (IC on the frame's last descriptor)
constexpr uint32_t kCsr5Tps = 1u << 1;   // TX process stopped
constexpr uint32_t kCsr5Tu = 1u << 2;    // TX buffer unavailable (TX suspended)
constexpr uint32_t kCsr5Tjt = 1u << 3;   // TX jabber timeout
constexpr uint32_t kCsr5Unf = 1u << 5;   // TX underflow
constexpr uint32_t kCsr5Ri = 1u << 6;    // RX complete
constexpr uint32_t kCsr5Ru = 1u << 7;    // RX buffer unavailable (RX suspended)
constexpr uint32_t kCsr5Rps = 1u << 8;   // RX process stopped
constexpr uint32_t kCsr5Rwt = 1u << 9;   // RX watchdog timeout
constexpr uint32_t kCsr5Eti = 1u << 10;  // early TX
constexpr uint32_t kCsr5Gte = 1u << 11;  // general-purpose timer expired
constexpr uint32_t kCsr5Fbe = 1u << 13;  // fatal bus error
constexpr uint32_t kCsr5Eri = 1u << 14;  // early RX
constexpr uint32_t kCsr5Ais = 1u << 15;  // abnormal interrupt summary
constexpr uint32_t kCsr5Nis = 1u << 16;  // normal interrupt summary
constexpr uint32_t kCsr5W1c = 0x0001FFFF;
constexpr unsigned kCsr5RsShift = 17;    // RX process state
constexpr unsigned kCsr5TsShift = 20;    // TX process state
constexpr unsigned kCsr5EbShift = 23;    // error bits with FBE: 0 parity, 1 master abort, 2 target abort
constexpr uint32_t kCsr5Reserved = 0xF0000000;  // read as ones
// NIS/AIS sources (each counts only when enabled in CSR7). GTE is abnormal, as Linux treats it.
constexpr uint32_t kCsr5NormalSources = kCsr5Ti | kCsr5Tu | kCsr5Ri | kCsr5Eri;
constexpr uint32_t kCsr5AbnormalSources =
    kCsr5Tps | kCsr5Tjt | kCsr5Unf | kCsr5Ru | kCsr5Rps | kCsr5Rwt | kCsr5Eti | kCsr5Gte | kCsr5Fbe;
constexpr uint32_t kEbMasterAbort = 1;

// CSR5.RS values
enum RxState : uint32_t { kRsStopped = 0, kRsFetch = 1, kRsCheck = 2, kRsWait = 3, kRsSuspended = 4,
                          kRsClose = 5, kRsFlush = 6, kRsQueue = 7 };
// CSR5.TS values
enum TxState : uint32_t { kTsStopped = 0, kTsFetch = 1, kTsWaitEnd = 2, kTsRead = 3, kTsSetup = 5,
                          kTsSuspended = 6, kTsClose = 7 };

// CSR6 operating mode
constexpr uint32_t kCsr6Hp = 1u << 0;    // hash/perfect filtering (read-only: set by the setup frame)
constexpr uint32_t kCsr6Sr = 1u << 1;    // start/stop RX
constexpr uint32_t kCsr6Ho = 1u << 2;    // hash only (read-only: set by the setup frame)
constexpr uint32_t kCsr6Pb = 1u << 3;    // pass bad frames
constexpr uint32_t kCsr6If = 1u << 4;    // inverse filtering (read-only: set by the setup frame)
constexpr uint32_t kCsr6Sb = 1u << 5;    // start/stop backoff counter
constexpr uint32_t kCsr6Pr = 1u << 6;    // promiscuous
constexpr uint32_t kCsr6Pm = 1u << 7;    // pass all multicast
constexpr uint32_t kCsr6Fd = 1u << 9;    // full duplex
constexpr unsigned kCsr6OmShift = 10;    // operating mode: 0 normal, 1 internal loopback, 2 external
constexpr uint32_t kCsr6OmMask = 3u << 10;
constexpr uint32_t kCsr6Fc = 1u << 12;   // force collision
constexpr uint32_t kCsr6St = 1u << 13;   // start/stop TX
constexpr uint32_t kCsr6TrMask = 3u << 14;
constexpr uint32_t kCsr6Ps = 1u << 18;   // port select: 1 = MII/SYM
constexpr uint32_t kCsr6Hbd = 1u << 19;  // heartbeat disable
constexpr uint32_t kCsr6Sf = 1u << 21;   // store and forward
constexpr uint32_t kCsr6Ttm = 1u << 22;  // TX threshold mode
constexpr uint32_t kCsr6Pcs = 1u << 23;  // PCS function
constexpr uint32_t kCsr6Scr = 1u << 24;  // scrambler mode
constexpr uint32_t kCsr6Mbo = 1u << 25;  // must be one
constexpr uint32_t kCsr6Ra = 1u << 30;   // receive all
constexpr uint32_t kCsr6FilterBits = kCsr6Hp | kCsr6Ho | kCsr6If;  // owned by the setup frame
constexpr unsigned kOmInternalLoopback = 1;

// CSR8 missed frames
constexpr uint32_t kCsr8CountMask = 0xFFFF;
constexpr uint32_t kCsr8Overflow = 1u << 16;
constexpr uint32_t kCsr8Reserved = 0xE0000000;

// CSR9 serial ROM / MII management
constexpr uint32_t kCsr9SromCs = 1u << 0;    // chip select
constexpr uint32_t kCsr9SromSk = 1u << 1;    // serial clock
constexpr uint32_t kCsr9SromDi = 1u << 2;    // data to the SROM
constexpr uint32_t kCsr9SromDo = 1u << 3;    // data from the SROM (read)
constexpr uint32_t kCsr9Sr = 1u << 11;       // serial ROM select
constexpr uint32_t kCsr9Br = 1u << 12;       // boot ROM select
constexpr uint32_t kCsr9Wr = 1u << 13;       // write operation
constexpr uint32_t kCsr9Rd = 1u << 14;       // read operation
constexpr uint32_t kCsr9Mdc = 1u << 16;      // MII management clock
constexpr uint32_t kCsr9Mdo = 1u << 17;      // MII management data out
constexpr uint32_t kCsr9MiiRead = 1u << 18;  // MII management mode: 1 = the PHY drives MDIO
constexpr uint32_t kCsr9Mdi = 1u << 19;      // MII management data in (read)

// CSR11 general-purpose timer
constexpr uint32_t kCsr11ValueMask = 0xFFFF;
constexpr uint32_t kCsr11Con = 1u << 16;     // continuous: reload on expiry
constexpr uint32_t kCsr11Reserved = 0xFFFE0000;

// CSR12 general-purpose port (21140)
constexpr uint32_t kCsr12PinMask = 0xFF;
constexpr uint32_t kCsr12Gpc = 1u << 8;      // write: bits 7:0 are the pin direction (1 = output)

// ---- Descriptors (16 bytes, little-endian longwords) ------------------------------------------------
constexpr unsigned kDescBytes = 16;
constexpr uint32_t kDesc0Own = 1u << 31;        // owned by the NIC

// RDES0
constexpr uint32_t kRdes0Ff = 1u << 30;         // filtering fail (passed only because of PR/RA)
constexpr unsigned kRdes0FlShift = 16;          // frame length including the CRC
constexpr uint32_t kRdes0FlMask = 0x3FFFu << 16;
constexpr uint32_t kRdes0Es = 1u << 15;         // error summary
constexpr uint32_t kRdes0De = 1u << 14;         // descriptor error: frame truncated
constexpr uint32_t kRdes0Rf = 1u << 11;         // runt frame
constexpr uint32_t kRdes0Mf = 1u << 10;         // multicast frame
constexpr uint32_t kRdes0Fs = 1u << 9;          // first descriptor
constexpr uint32_t kRdes0Ls = 1u << 8;          // last descriptor
constexpr uint32_t kRdes0Tl = 1u << 7;          // frame too long
constexpr uint32_t kRdes0Ft = 1u << 5;          // frame type: length/type field > 1500
// RDES1
constexpr uint32_t kRdes1Rbs1Mask = 0x7FF;
constexpr unsigned kRdes1Rbs2Shift = 11;
constexpr uint32_t kRdes1Rch = 1u << 24;        // RDES3 is the next descriptor
constexpr uint32_t kRdes1Rer = 1u << 25;        // end of ring: next is CSR3

// TDES0
constexpr uint32_t kTdes0Es = 1u << 15;         // error summary
constexpr uint32_t kTdes0To = 1u << 14;         // jabber timeout
constexpr uint32_t kTdes0Lo = 1u << 11;         // loss of carrier
constexpr uint32_t kTdes0Nc = 1u << 10;         // no carrier
constexpr uint32_t kTdes0Uf = 1u << 1;          // underflow
// Status QEMU (following the 21143 HRM) writes into a completed setup-frame descriptor.
constexpr uint32_t kTdes0SetupDone = 0x7FFFFFFF;
// TDES1
constexpr uint32_t kTdes1Tbs1Mask = 0x7FF;
constexpr unsigned kTdes1Tbs2Shift = 11;
constexpr uint32_t kTdes1Ft0 = 1u << 22;        // setup frame filtering type bit 0
constexpr uint32_t kTdes1Dpd = 1u << 23;        // disable padding
constexpr uint32_t kTdes1Tch = 1u << 24;        // TDES3 is the next descriptor
constexpr uint32_t kTdes1Ter = 1u << 25;        // end of ring: next is CSR4
constexpr uint32_t kTdes1Ac = 1u << 26;         // add-CRC disable: the buffer carries the FCS
constexpr uint32_t kTdes1Set = 1u << 27;        // setup frame
constexpr uint32_t kTdes1Ft1 = 1u << 28;        // setup frame filtering type bit 1
constexpr uint32_t kTdes1Fs = 1u << 29;         // first segment
constexpr uint32_t kTdes1Ls = 1u << 30;         // last segment
constexpr uint32_t kTdes1Ic = 1u << 31;         // interrupt on completion

// ---- Setup frame (192 bytes) -------------------------------------------------------------------------
constexpr unsigned kSetupFrameBytes = 192;
constexpr unsigned kSetupPerfectEntries = 16;   // 12 bytes each: address words in the low halves
constexpr unsigned kSetupEntryBytes = 12;
constexpr unsigned kSetupHashBits = 512;        // 32 longwords, 16-bit table words in the low halves
constexpr unsigned kSetupHashPerfectOffset = 156;  // the one perfect address in hash mode (entry 13)
enum class FilterType { kPerfect = 0, kHash = 1, kInverse = 2, kHashOnly = 3 };  // FT1:FT0

}  // namespace hvsim::tulip
