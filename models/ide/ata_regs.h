// ATA (PATA) task-file register map and bit constants, drive side (shared/specs/devices.md 3;
// ATA/ATAPI-6, ATA8-ACS; constants as in Linux include/linux/ata.h). Addresses are the ones an IDE
// channel (models/ide) uses on its drive targets: 0-7 the command block, 8 the control block.
#pragma once

#include <cstdint>

namespace hvsim::ata {

// ---- Registers (channel address) ---------------------------------------------------------------
//                                   read                 write              reset / signature
constexpr uint8_t kRegData = 0;     // data (16/32-bit PIO) data               -
constexpr uint8_t kRegError = 1;    // error               features           error 0x01 (diagnostic passed)
constexpr uint8_t kRegFeatures = 1;
constexpr uint8_t kRegCount = 2;    // sector count        sector count       0x01
constexpr uint8_t kRegLbaLow = 3;   // LBA low (sector)    LBA low            0x01
constexpr uint8_t kRegLbaMid = 4;   // LBA mid (cyl low)   LBA mid            0x00 (ATAPI: 0x14)
constexpr uint8_t kRegLbaHigh = 5;  // LBA high (cyl high) LBA high           0x00 (ATAPI: 0xEB)
constexpr uint8_t kRegDevice = 6;   // device/head         device/head        0x00
constexpr uint8_t kRegStatus = 7;   // status (clears INTRQ) command          0x50 (DRDY|DSC)
constexpr uint8_t kRegCommand = 7;
constexpr uint8_t kRegControl = 8;  // alternate status    device control     control 0x00
constexpr unsigned kNumRegs = 9;

// Status (and alternate status)
constexpr uint8_t kStatusErr = 1u << 0;   // ERR: the error register holds the reason
constexpr uint8_t kStatusIdx = 1u << 1;   // obsolete, reads 0
constexpr uint8_t kStatusCorr = 1u << 2;  // obsolete, reads 0
constexpr uint8_t kStatusDrq = 1u << 3;   // DRQ: data register ready for a block
constexpr uint8_t kStatusDsc = 1u << 4;   // DSC/SERV: obsolete, set as QEMU does (0x50 when ready)
constexpr uint8_t kStatusDf = 1u << 5;    // device fault (never set by this model)
constexpr uint8_t kStatusDrdy = 1u << 6;  // DRDY: device ready for commands
constexpr uint8_t kStatusBsy = 1u << 7;   // BSY: the device owns the task file
constexpr uint8_t kStatusReady = kStatusDrdy | kStatusDsc;  // 0x50

// Error
constexpr uint8_t kErrAmnf = 1u << 0;  // also "diagnostic passed" (0x01) after reset / DIAG
constexpr uint8_t kErrAbrt = 1u << 2;  // command aborted (unsupported command or parameter)
constexpr uint8_t kErrIdnf = 1u << 4;  // ID not found: LBA out of range
constexpr uint8_t kErrUnc = 1u << 6;   // uncorrectable media error (backend I/O failure)
constexpr uint8_t kErrIcrc = 1u << 7;
constexpr uint8_t kDiagPassed = 0x01;

// Device/head
constexpr uint8_t kDevHeadMask = 0x0F;  // LBA27:24 (LBA28) or head number
constexpr uint8_t kDevDev = 1u << 4;    // 0 = master (device 0), 1 = slave (device 1)
constexpr uint8_t kDevLba = 1u << 6;    // LBA addressing (the model always uses LBA; CHS is not modelled)
constexpr uint8_t kDevObsolete = 0xA0;  // bits 7 and 5, written as 1 by drivers

// Device control
constexpr uint8_t kCtlNien = 1u << 1;  // nIEN: 1 = INTRQ not driven (the pending state is kept)
constexpr uint8_t kCtlSrst = 1u << 2;  // SRST: software reset of both drives while 1
constexpr uint8_t kCtlHob = 1u << 7;   // HOB: task-file reads return the "previous" (LBA48 high) bytes

// ---- Commands -----------------------------------------------------------------------------------
constexpr uint8_t kCmdNop = 0x00;               // always aborts (ATA: NOP with subcommand 0)
constexpr uint8_t kCmdReadSectors = 0x20;
constexpr uint8_t kCmdReadSectorsExt = 0x24;
constexpr uint8_t kCmdReadDmaExt = 0x25;
constexpr uint8_t kCmdReadMultipleExt = 0x29;
constexpr uint8_t kCmdWriteSectors = 0x30;
constexpr uint8_t kCmdWriteSectorsExt = 0x34;
constexpr uint8_t kCmdWriteDmaExt = 0x35;
constexpr uint8_t kCmdWriteMultipleExt = 0x39;
constexpr uint8_t kCmdReadVerify = 0x40;
constexpr uint8_t kCmdReadVerifyExt = 0x42;
constexpr uint8_t kCmdExecDiag = 0x90;
constexpr uint8_t kCmdInitDevParams = 0x91;
constexpr uint8_t kCmdReadMultiple = 0xC4;
constexpr uint8_t kCmdWriteMultiple = 0xC5;
constexpr uint8_t kCmdSetMultiple = 0xC6;
constexpr uint8_t kCmdReadDma = 0xC8;
constexpr uint8_t kCmdWriteDma = 0xCA;
constexpr uint8_t kCmdStandbyImm = 0xE0;
constexpr uint8_t kCmdIdleImm = 0xE1;
constexpr uint8_t kCmdStandby = 0xE2;
constexpr uint8_t kCmdIdle = 0xE3;
constexpr uint8_t kCmdCheckPower = 0xE5;        // sector count <- 0xFF (active or idle)
constexpr uint8_t kCmdSleep = 0xE6;
constexpr uint8_t kCmdFlushCache = 0xE7;
constexpr uint8_t kCmdFlushCacheExt = 0xEA;
constexpr uint8_t kCmdIdentify = 0xEC;
constexpr uint8_t kCmdSetFeatures = 0xEF;

// SET FEATURES subcommands (features register)
constexpr uint8_t kFeatWriteCacheOn = 0x02;
constexpr uint8_t kFeatXferMode = 0x03;         // sector count = mode
constexpr uint8_t kFeatLookAheadOff = 0x55;
constexpr uint8_t kFeatRevertOff = 0x66;
constexpr uint8_t kFeatWriteCacheOff = 0x82;
constexpr uint8_t kFeatLookAheadOn = 0xAA;
constexpr uint8_t kFeatRevertOn = 0xCC;
// Transfer mode values (SET FEATURES 0x03, sector count)
constexpr uint8_t kXferPioDefault = 0x00;       // 0x00/0x01: PIO default mode
constexpr uint8_t kXferPio = 0x08;              // + n, n = 0..4
constexpr uint8_t kXferMwdma = 0x20;            // + n, n = 0..2
constexpr uint8_t kXferUdma = 0x40;             // + n, n = 0..5

// ---- IDENTIFY DEVICE words ------------------------------------------------------------------------
constexpr unsigned kIdWords = 256;
constexpr unsigned kIdSerial = 10;        // 10-19: 20 characters
constexpr unsigned kIdFirmware = 23;      // 23-26: 8 characters
constexpr unsigned kIdModel = 27;         // 27-46: 40 characters
constexpr unsigned kIdMultipleMax = 47;   // 0x80 << 8 | max sectors per MULTIPLE block
constexpr unsigned kIdCaps = 49;          // bit 8 DMA, bit 9 LBA, bit 10 IORDY may be disabled, bit 11 IORDY
constexpr unsigned kIdValid = 53;         // bit 0 words 54-58, bit 1 words 64-70, bit 2 word 88
constexpr unsigned kIdMultiple = 59;      // bit 8 valid, 7:0 current multiple count
constexpr unsigned kIdLba28 = 60;         // 60-61 LBA28 capacity (capped at 0x0FFFFFFF)
constexpr unsigned kIdMwdma = 63;         // 2:0 supported, 10:8 selected
constexpr unsigned kIdPio = 64;           // bit 0 PIO3, bit 1 PIO4
constexpr unsigned kIdMajorVersion = 80;
constexpr unsigned kIdMinorVersion = 81;
constexpr unsigned kIdCmdSet1 = 82;       // bit 5 write cache supported, bit 14 NOP
constexpr unsigned kIdCmdSet2 = 83;       // bit 10 LBA48, 12 FLUSH CACHE, 13 FLUSH CACHE EXT, 15:14 = 01b
constexpr unsigned kIdCmdSetExt = 84;
constexpr unsigned kIdCmdEnabled1 = 85;   // bit 5 write cache enabled
constexpr unsigned kIdCmdEnabled2 = 86;   // bit 10 LBA48 enabled
constexpr unsigned kIdCmdEnabledExt = 87;
constexpr unsigned kIdUdma = 88;          // 6:0 supported, 14:8 selected
constexpr unsigned kIdHwReset = 93;       // bit 13: 80-wire cable detected
constexpr unsigned kIdLba48 = 100;        // 100-103 LBA48 capacity
constexpr unsigned kIdIntegrity = 255;    // 0xA5 | checksum << 8
constexpr uint16_t kIdCapDma = 1u << 8;
constexpr uint16_t kIdCapLba = 1u << 9;
constexpr uint16_t kIdCapIordyDis = 1u << 10;
constexpr uint16_t kIdCapIordy = 1u << 11;
constexpr uint16_t kIdWriteCache = 1u << 5;
constexpr uint16_t kIdLba48Bit = 1u << 10;
constexpr uint16_t kIdFlushBit = 1u << 12;
constexpr uint16_t kIdFlushExtBit = 1u << 13;
constexpr uint8_t kIdSignature = 0xA5;
constexpr uint32_t kLba28Max = 0x0FFFFFFF;

}  // namespace hvsim::ata
