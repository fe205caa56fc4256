// Hyper-V guest interface constants (Microsoft Hypervisor Top Level Functional Specification).
// Only what hvsim implements or checks. Every constant names its source:
//   [TLFS]   Microsoft Hypervisor TLFS (v5.0c/v6.0b and learn.microsoft.com/virtualization/hyper-v-on-windows/tlfs)
//   [hvgdk]  Linux include/hyperv/hvgdk_mini.h (formerly include/asm-generic/hyperv-tlfs.h)
//   [mshv]   Linux arch/x86/kernel/cpu/mshyperv.c, arch/x86/include/asm/mshyperv.h
//   [KVM]    Linux arch/x86/kvm/hyperv.c (behaviour where the TLFS is silent)
//   [QEMU]   QEMU hw/i386/pc.c compat properties, include/hw/hyperv/hyperv-proto.h
#pragma once

#include <cstdint>

namespace hvsim {
namespace hv {

// ---- CPUID leaves -------------------------------------------------------------------------------
constexpr uint32_t kCpuidVendorAndMax = 0x40000000;    // EAX max leaf, EBX..EDX "Microsoft Hv" [TLFS][hvgdk]
constexpr uint32_t kCpuidInterface = 0x40000001;       // EAX interface signature [TLFS][hvgdk]
constexpr uint32_t kCpuidVersion = 0x40000002;         // build, major.minor, service pack/branch [TLFS]
constexpr uint32_t kCpuidFeatures = 0x40000003;        // partition privileges EAX/EBX, ECX, EDX [TLFS][hvgdk]
constexpr uint32_t kCpuidEnlightenments = 0x40000004;  // recommendations EAX, spinlock retries EBX [TLFS]
constexpr uint32_t kCpuidLimits = 0x40000005;          // max VPs, max LPs, remapping vectors [TLFS][hvgdk]
constexpr uint32_t kCpuidHwFeatures = 0x40000006;      // hardware features in use (we report none) [TLFS]
constexpr uint32_t kCpuidMaxLeaf = kCpuidHwFeatures;   // the highest leaf we report in 0x40000000.EAX
constexpr uint32_t kCpuidMinLinux = 0x40000005;        // Linux HYPERV_CPUID_MIN: max leaf must be >= this [mshv]
constexpr uint32_t kCpuidRangeEnd = 0x400000FF;        // end of the range we answer (zeros past the max) [TLFS]
constexpr uint32_t kHypervisorPresentBit = 1u << 31;   // CPUID.1:ECX[31] "hypervisor present" [TLFS][hvgdk]
constexpr uint32_t kSignatureEbx = 0x7263694D;         // "Micr" [TLFS]
constexpr uint32_t kSignatureEcx = 0x666F736F;         // "osof" [TLFS]
constexpr uint32_t kSignatureEdx = 0x76482074;         // "t Hv" [TLFS]
constexpr uint32_t kInterfaceHv1 = 0x31237648;         // "Hv#1" (HYPERV_CPUID_SIGNATURE_EAX) [TLFS][hvgdk]
constexpr uint32_t kVersionBuild = 14393;              // WS2016 build, QEMU's default hv-version-id-build [QEMU]
constexpr uint32_t kVersionMajorMinor = 10u << 16;     // 10.0, QEMU's default hv-version-id-major/minor [QEMU]
constexpr uint32_t kSpinlockNeverNotify = 0xFFFFFFFF;  // 0x40000004.EBX: never notify on spinlock retries [TLFS]

// 0x40000003.EAX: partition privileges [31:0] (HV_PARTITION_PRIVILEGE_MASK) [TLFS][hvgdk]
constexpr uint32_t kPrivVpRuntime = 1u << 0;     // HV_MSR_VP_RUNTIME_AVAILABLE (not implemented)
constexpr uint32_t kPrivTimeRefCount = 1u << 1;  // HV_MSR_TIME_REF_COUNT_AVAILABLE (AccessPartitionReferenceCounter)
constexpr uint32_t kPrivSynic = 1u << 2;         // HV_MSR_SYNIC_AVAILABLE (AccessSynicRegs)
constexpr uint32_t kPrivSyntimer = 1u << 3;      // HV_MSR_SYNTIMER_AVAILABLE (not implemented)
constexpr uint32_t kPrivHypercall = 1u << 5;  // HV_MSR_HYPERCALL_AVAILABLE (AccessHypercallMsrs); Linux needs it [mshv]
constexpr uint32_t kPrivVpIndex = 1u << 6;    // HV_MSR_VP_INDEX_AVAILABLE (AccessVpIndex); Linux needs it [mshv]
constexpr uint32_t kPrivReferenceTsc = 1u << 9;  // HV_MSR_REFERENCE_TSC_AVAILABLE (not implemented)
// 0x40000003.EBX: partition privileges [63:32] [TLFS][hvgdk]
constexpr uint32_t kPrivPostMessages = 1u << 4;  // HV_POST_MESSAGES
constexpr uint32_t kPrivSignalEvents = 1u << 5;  // HV_SIGNAL_EVENTS
// What hvsim implements, and therefore advertises.
constexpr uint32_t kFeaturesEax = kPrivTimeRefCount | kPrivSynic | kPrivHypercall | kPrivVpIndex;  // 0x66
constexpr uint32_t kFeaturesEbx = kPrivPostMessages | kPrivSignalEvents;                           // 0x30

// ---- Synthetic MSRs [TLFS][hvgdk] ---------------------------------------------------------------
constexpr uint32_t kMsrGuestOsId = 0x40000000;     // HV_X64_MSR_GUEST_OS_ID, R/W, partition-wide
constexpr uint32_t kMsrHypercall = 0x40000001;     // HV_X64_MSR_HYPERCALL, R/W, partition-wide
constexpr uint32_t kMsrVpIndex = 0x40000002;       // HV_X64_MSR_VP_INDEX, RO
constexpr uint32_t kMsrTimeRefCount = 0x40000020;  // HV_X64_MSR_TIME_REF_COUNT, RO, 100 ns units
constexpr uint32_t kMsrScontrol = 0x40000080;      // HV_X64_MSR_SCONTROL
constexpr uint32_t kMsrSversion = 0x40000081;      // HV_X64_MSR_SVERSION, RO
constexpr uint32_t kMsrSiefp = 0x40000082;         // HV_X64_MSR_SIEFP
constexpr uint32_t kMsrSimp = 0x40000083;          // HV_X64_MSR_SIMP
constexpr uint32_t kMsrEom = 0x40000084;           // HV_X64_MSR_EOM, write-only trigger, reads 0
constexpr uint32_t kMsrSint0 = 0x40000090;         // HV_X64_MSR_SINT0 .. SINT15 = 0x4000009F
constexpr uint32_t kMsrSint15 = 0x4000009F;        // last SINT MSR
constexpr uint32_t kMsrRangeFirst = 0x40000000;    // first MSR of the synthetic range (others #GP here)
constexpr uint32_t kMsrRangeLast = 0x4000FFFF;     // last MSR we treat as "Hyper-V, not implemented -> #GP"

// HV_X64_MSR_HYPERCALL layout [TLFS][hvgdk]
constexpr uint64_t kHypercallEnable = 1ull << 0;   // enable the hypercall page
constexpr uint64_t kHypercallLocked = 1ull << 1;   // TLFS 6.0 "Locked": MSR immutable until reset [unverified]
constexpr uint64_t kHypercallGpaMask = ~0xFFFull;  // 63:12 guest physical page number
constexpr uint64_t kHypercallWritableMask = kHypercallEnable | kHypercallLocked | kHypercallGpaMask;  // 11:2 RsvdP

// The hypercall page the hypervisor writes on enable (Intel): VMCALL; RET. The same page serves
// 32-bit guests (Linux i386 does `call *hv_hypercall_pg` with the x86 register convention). [KVM][mshv]
constexpr uint8_t kHypercallCodeIntel[4] = {0x0F, 0x01, 0xC1, 0xC3};

// SCONTROL / SVERSION / SIEFP / SIMP / SINTx layouts [TLFS][hvgdk]
constexpr uint64_t kScontrolEnable = 1ull << 0;  // SynIC enable; 63:1 RsvdP
constexpr uint64_t kSynicVersion = 1;            // SVERSION value (HV_SYNIC_VERSION_1)
constexpr uint64_t kSiefpEnable = 1ull << 0;     // SIEFP enable; 11:1 RsvdP; 63:12 GPA
constexpr uint64_t kSimpEnable = 1ull << 0;      // SIMP enable; 11:1 RsvdP; 63:12 GPA
constexpr uint64_t kPageGpaMask = ~0xFFFull;     // 63:12 page GPA of SIEFP/SIMP
constexpr uint64_t kSintVectorMask = 0xFF;       // 7:0 vector (valid 16..255; below 16 and unmasked -> #GP)
constexpr uint64_t kSintMasked = 1ull << 16;     // SINT masked (reset value 0x10000)
constexpr uint64_t kSintAutoEoi = 1ull << 17;    // implicit EOI on delivery
constexpr uint64_t kSintPolling = 1ull << 18;    // unmasked but no interrupt is generated (TLFS 6.0)
constexpr uint64_t kSintWritableMask = kSintVectorMask | kSintMasked | kSintAutoEoi | kSintPolling;  // rest RsvdP
constexpr uint64_t kSintResetValue = kSintMasked;  // every SINT starts masked, vector 0 [TLFS]
constexpr uint8_t kSintFirstValidVector = 16;      // HV_SYNIC_FIRST_VALID_VECTOR [TLFS][hvgdk]
constexpr unsigned kSintCount = 16;                // HV_SYNIC_SINT_COUNT [TLFS][hvgdk]

// ---- SynIC pages [TLFS][hvgdk] ------------------------------------------------------------------
constexpr uint64_t kPageSize = 4096;
constexpr unsigned kMessageSize = 256;        // HV_MESSAGE_SIZE: one SIMP slot per SINT
constexpr unsigned kMessagePayloadMax = 240;  // HV_MESSAGE_PAYLOAD_BYTE_COUNT
constexpr unsigned kMsgOffType = 0;           // hv_message_header.message_type u32
constexpr unsigned kMsgOffPayloadSize = 4;    // hv_message_header.payload_size u8
constexpr unsigned kMsgOffFlags = 5;          // hv_message_header.message_flags u8
constexpr unsigned kMsgOffSender = 8;         // hv_message_header.sender / port u64
constexpr unsigned kMsgOffPayload = 16;       // hv_message.payload
constexpr uint8_t kMsgFlagPending = 1u << 0;  // message_flags.msg_pending
constexpr uint32_t kMessageTypeNone = 0;      // HVMSG_NONE: slot empty
constexpr uint32_t kMessageTypeVmbus = 1;     // HV_MESSAGE_VMBUS (guest-defined type used by VMBus) [QEMU]
constexpr uint32_t kMessageTypeHypervisorBit = 0x80000000;  // types with the MSB are hypervisor-generated
constexpr unsigned kEventFlagsSize = 256;                   // hv_synic_event_flags: 2048 bits per SINT
constexpr unsigned kEventFlagsCount = kEventFlagsSize * 8;  // HV_EVENT_FLAGS_COUNT

// ---- Hypercalls [TLFS][hvgdk] -------------------------------------------------------------------
constexpr uint16_t kCallPostMessage = 0x005C;  // HVCALL_POST_MESSAGE
constexpr uint16_t kCallSignalEvent = 0x005D;  // HVCALL_SIGNAL_EVENT
// Hypercall input value ("control")
constexpr uint64_t kCtlCodeMask = 0xFFFF;              // 15:0 call code
constexpr uint64_t kCtlFast = 1ull << 16;              // 16 register (fast) calling convention
constexpr unsigned kCtlVarHeadShift = 17;              // 26:17 variable header size, in 8-byte units
constexpr uint64_t kCtlVarHeadMask = 0x3FFull << 17;   // HV_HYPERCALL_VARHEAD_MASK
constexpr uint64_t kCtlRsvd0Mask = 0x1Full << 27;      // 31:27 RsvdZ (bit 31 = "nested", L1 only)
constexpr unsigned kCtlRepCountShift = 32;             // 43:32 rep count
constexpr uint64_t kCtlRepCountMask = 0xFFFull << 32;  // HV_HYPERCALL_REP_COMP_MASK
constexpr uint64_t kCtlRsvd1Mask = 0xFull << 44;       // 47:44 RsvdZ
constexpr unsigned kCtlRepStartShift = 48;             // 59:48 rep start index
constexpr uint64_t kCtlRepStartMask = 0xFFFull << 48;  // HV_HYPERCALL_REP_START_MASK
constexpr uint64_t kCtlRsvd2Mask = 0xFull << 60;       // 63:60 RsvdZ
constexpr uint64_t kCtlRsvdMask = kCtlRsvd0Mask | kCtlRsvd1Mask | kCtlRsvd2Mask;  // HV_HYPERCALL_RSVD_MASK
// Hypercall result value: 15:0 status, 43:32 reps completed
constexpr uint64_t kResultStatusMask = 0xFFFF;
constexpr unsigned kResultRepsShift = 32;
constexpr uint64_t kResultRepsMask = 0xFFFull << 32;
constexpr uint64_t kCallAlignment = 8;  // input/output blocks: 8-byte aligned, within one page
// HvCallPostMessage input (hv_input_post_message, 256 bytes)
constexpr unsigned kPostMsgInputSize = 256;
constexpr unsigned kPostMsgOffConnectionId = 0;  // u32
constexpr unsigned kPostMsgOffReserved = 4;      // u32 RsvdZ
constexpr unsigned kPostMsgOffType = 8;          // u32: nonzero, MSB clear
constexpr unsigned kPostMsgOffPayloadSize = 12;  // u32 <= 240
constexpr unsigned kPostMsgOffPayload = 16;      // 240 bytes
// HvCallSignalEvent input (hv_input_signal_event, 8 bytes; the fast form passes it in RDX)
constexpr unsigned kSignalEventInputSize = 8;
constexpr uint32_t kConnectionIdMask = 0x00FFFFFF;  // HV_CONNECTION_ID: id 23:0, 31:24 reserved

// HV_STATUS codes [TLFS][hvgdk]
constexpr uint16_t kStatusSuccess = 0x0000;
constexpr uint16_t kStatusInvalidHypercallCode = 0x0002;
constexpr uint16_t kStatusInvalidHypercallInput = 0x0003;
constexpr uint16_t kStatusInvalidAlignment = 0x0004;
constexpr uint16_t kStatusInvalidParameter = 0x0005;
constexpr uint16_t kStatusAccessDenied = 0x0006;
constexpr uint16_t kStatusInvalidPortId = 0x0011;
constexpr uint16_t kStatusInvalidConnectionId = 0x0012;
constexpr uint16_t kStatusInsufficientBuffers = 0x0013;

// VMBus fixed connection IDs and SINT (Linux drivers/hv/hyperv_vmbus.h), for callers' convenience.
constexpr uint32_t kVmbusMessageConnectionId = 1;  // guest -> host messages, VMBus < 5.0
constexpr uint32_t kVmbusEventConnectionId = 2;    // pre-Win7 channel signalling
constexpr uint32_t kVmbusMonitorConnectionId = 3;
constexpr uint32_t kVmbusMessageConnectionId4 = 4;  // INITIATE_CONTACT for VMBus >= 5.0
constexpr unsigned kVmbusMessageSint = 2;           // VMBUS_MESSAGE_SINT

}  // namespace hv
}  // namespace hvsim
