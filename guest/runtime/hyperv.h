/* Guest side of the Hyper-V hypervisor interface (Microsoft Hypervisor TLFS; constants as in Linux's
 * include/hyperv/hvgdk_mini.h; shared/specs/devices.md section 5).
 *
 * 32-bit hypercall convention (through the hypercall page, which holds VMCALL; RET):
 *   EDX:EAX = control (call code 15:0, fast 16, rep count 43:32, rep start 59:48)
 *   EBX:ECX = input GPA (or fast parameter 1), EDI:ESI = output GPA (or fast parameter 2)
 *   result in EDX:EAX (status 15:0, reps completed 43:32). ECX is treated as clobbered (as Linux does).
 * Synthetic MSRs exist only when the Hyper-V signature is present: RDMSR/WRMSR of them elsewhere #GP. */
#ifndef HVSIM_GUEST_HYPERV_H
#define HVSIM_GUEST_HYPERV_H

#include <stdint.h>

/* CPUID */
#define HV_CPUID_VENDOR_AND_MAX 0x40000000u
#define HV_CPUID_INTERFACE 0x40000001u
#define HV_CPUID_VERSION 0x40000002u
#define HV_CPUID_FEATURES 0x40000003u
#define HV_CPUID_ENLIGHTENMENT_INFO 0x40000004u
#define HV_CPUID_IMPLEMENTATION_LIMITS 0x40000005u
#define HV_CPUID_MIN 0x40000005u /* Linux requires max leaf >= this */
#define HV_CPUID_MAX 0x4000FFFFu
#define HV_SIGNATURE_EBX 0x7263694Du /* "Micr" */
#define HV_SIGNATURE_ECX 0x666F736Fu /* "osof" */
#define HV_SIGNATURE_EDX 0x76482074u /* "t Hv" */
#define HV_INTERFACE_HV1 0x31237648u /* "Hv#1" */
#define CPUID1_ECX_HYPERVISOR (1u << 31)

/* 0x40000003 EAX (partition privileges 31:0) */
#define HV_MSR_VP_RUNTIME_AVAILABLE (1u << 0)
#define HV_MSR_TIME_REF_COUNT_AVAILABLE (1u << 1)
#define HV_MSR_SYNIC_AVAILABLE (1u << 2)
#define HV_MSR_SYNTIMER_AVAILABLE (1u << 3)
#define HV_MSR_APIC_ACCESS_AVAILABLE (1u << 4)
#define HV_MSR_HYPERCALL_AVAILABLE (1u << 5)
#define HV_MSR_VP_INDEX_AVAILABLE (1u << 6)
#define HV_MSR_REFERENCE_TSC_AVAILABLE (1u << 9)
/* 0x40000003 EBX (privileges 63:32) */
#define HV_POST_MESSAGES (1u << 4)
#define HV_SIGNAL_EVENTS (1u << 5)

/* Synthetic MSRs */
#define HV_X64_MSR_GUEST_OS_ID 0x40000000u
#define HV_X64_MSR_HYPERCALL 0x40000001u
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_RESET 0x40000003u
#define HV_X64_MSR_VP_RUNTIME 0x40000010u
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020u
#define HV_X64_MSR_REFERENCE_TSC 0x40000021u
#define HV_X64_MSR_SCONTROL 0x40000080u
#define HV_X64_MSR_SVERSION 0x40000081u
#define HV_X64_MSR_SIEFP 0x40000082u
#define HV_X64_MSR_SIMP 0x40000083u
#define HV_X64_MSR_EOM 0x40000084u
#define HV_X64_MSR_SINT0 0x40000090u
#define HV_X64_MSR_SINT(n) (HV_X64_MSR_SINT0 + (uint32_t)(n))

#define HV_MSR_HYPERCALL_ENABLE (1ull << 0)
#define HV_MSR_HYPERCALL_LOCKED (1ull << 1)
#define HV_MSR_PAGE_ENABLE (1ull << 0) /* SIMP / SIEFP / REFERENCE_TSC */
#define HV_MSR_PAGE_GPA_MASK 0xFFFFFFFFFFFFF000ull
#define HV_SCONTROL_ENABLE (1ull << 0)
#define HV_SINT_VECTOR_MASK 0xFFull
#define HV_SINT_MASKED (1ull << 16)
#define HV_SINT_AUTO_EOI (1ull << 17)
#define HV_SINT_POLLING (1ull << 18)

/* Linux's GUEST_OS_ID: bit 63 open source, 62:56 OS type (Linux = 1) -> vendor id 0x8100 in 63:48,
 * kernel version (LINUX_VERSION_CODE = a<<16 | b<<8 | c) in 47:16, 15:0 distro build (0). */
#define HV_LINUX_VENDOR_ID 0x8100u
static inline uint64_t hv_linux_guest_id(uint32_t major, uint32_t minor, uint32_t patch) {
  uint64_t version = ((uint64_t)major << 16) | ((uint64_t)minor << 8) | (patch > 255 ? 255 : patch);
  return ((uint64_t)HV_LINUX_VENDOR_ID << 48) | (version << 16);
}

/* Hypercall control and status */
#define HVCALL_POST_MESSAGE 0x005Cu
#define HVCALL_SIGNAL_EVENT 0x005Du
#define HV_HYPERCALL_FAST_BIT (1ull << 16)
#define HV_HYPERCALL_REP_COUNT(n) ((uint64_t)((n) & 0xFFF) << 32)
#define HV_HYPERCALL_REP_START(n) ((uint64_t)((n) & 0xFFF) << 48)
#define HV_HYPERCALL_STATUS(r) ((uint16_t)((r) & 0xFFFF))
#define HV_HYPERCALL_REPS_DONE(r) ((uint32_t)(((r) >> 32) & 0xFFF))

#define HV_STATUS_SUCCESS 0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x2
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3
#define HV_STATUS_INVALID_ALIGNMENT 0x4
#define HV_STATUS_INVALID_PARAMETER 0x5
#define HV_STATUS_ACCESS_DENIED 0x6
#define HV_STATUS_INVALID_PORT_ID 0x11
#define HV_STATUS_INVALID_CONNECTION_ID 0x12
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x13

const char* hv_status_name(uint16_t status);

/* HvCallPostMessage input (256 bytes max, 8-byte aligned, must not cross a page). */
#define HV_MESSAGE_PAYLOAD_MAX 240
struct hv_input_post_message {
  uint32_t connection_id; /* 23:0 */
  uint32_t reserved;
  uint32_t message_type; /* > 0, < 0x80000000 (VMBus: 1) */
  uint32_t payload_size; /* <= 240 */
  uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct hv_input_post_message) == 256, "hv_input_post_message is 256 bytes");

/* SynIC message page slot (16 x 256 bytes). */
struct hv_message {
  uint32_t message_type;
  uint8_t payload_size;
  uint8_t message_flags; /* bit 0 MessagePending */
  uint16_t reserved;
  uint64_t sender;
  uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct hv_message) == 256, "hv_message is 256 bytes");
#define HV_MESSAGE_FLAG_PENDING 0x1
#define HVMSG_NONE 0x00000000u
#define HV_SYNIC_SINT_COUNT 16
#define HV_VMBUS_MESSAGE_SINT 2
#define HV_VMBUS_MESSAGE_CONNECTION_ID 1

/* Detection (Linux ms_hyperv_platform + ms_hyperv_init_platform order). */
struct hv_info {
  int hypervisor_bit;  /* CPUID.1:ECX[31] */
  uint32_t max_leaf;   /* CPUID 0x40000000 EAX */
  char vendor[13];     /* CPUID 0x40000000 EBX,ECX,EDX */
  int signature_ok;    /* "Microsoft Hv" */
  uint32_t interface;  /* CPUID 0x40000001 EAX */
  uint32_t features[4]; /* CPUID 0x40000003 EAX..EDX (only if max_leaf >= 0x40000003) */
  uint32_t hints;      /* CPUID 0x40000004 EAX (only if max_leaf >= 0x40000004) */
};

/* Fills `info`; returns 1 if the Hyper-V interface is there: hypervisor bit, "Microsoft Hv",
 * max leaf >= 0x40000003, interface "Hv#1", and features HYPERCALL MSRs + VP_INDEX. */
int hv_detect(struct hv_info* info);

/* MSR access (only for MSRs that exist: others #GP). */
static inline uint64_t rdmsr64(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
  return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr64(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* The hypercall page: a page-aligned 4 KiB page of the image's .bss. */
extern uint8_t hv_hypercall_page[4096];
/* Where hypercalls go (NULL until hv_enable_hypercall_page succeeded). Indirect calls use it. */
extern void* volatile hv_hypercall_pg;

/* Linux hyperv_init order: GUEST_OS_ID must already be nonzero. Reads HYPERCALL, sets Enable and the
 * page's GPA (keeping the other bits), writes it, reads it back. Returns 1 if the read-back shows
 * Enable and the GPA, and the page now starts with VMCALL (0F 01 C1) or VMMCALL (0F 01 D9). */
int hv_enable_hypercall_page(void);

/* A hypercall through the page (32-bit convention). Returns the 64-bit result value. */
uint64_t hv_do_hypercall(uint64_t control, uint64_t input_gpa, uint64_t output_gpa);
/* A fast hypercall with 8 bytes of input in EBX:ECX (fast bit set by the function). */
uint64_t hv_do_fast_hypercall8(uint16_t code, uint64_t input);

/* HvPostMessage through a page-aligned input buffer in .bss. Returns the status. */
uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type, const void* payload, uint32_t size);
/* HvSignalEvent (fast): connection_id + flag number. Returns the status. */
uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag_number);

#endif
