#include "hyperv.h"

#include "io.h"
#include "lib.h"

uint8_t hv_hypercall_page[4096] __attribute__((aligned(4096)));
void* volatile hv_hypercall_pg;

/* Input page for memory-based hypercalls: 8-byte aligned and never crossing a page. */
static struct hv_input_post_message g_post_input __attribute__((aligned(4096)));

const char* hv_status_name(uint16_t status) {
  switch (status) {
    case HV_STATUS_SUCCESS: return "HV_STATUS_SUCCESS";
    case HV_STATUS_INVALID_HYPERCALL_CODE: return "HV_STATUS_INVALID_HYPERCALL_CODE";
    case HV_STATUS_INVALID_HYPERCALL_INPUT: return "HV_STATUS_INVALID_HYPERCALL_INPUT";
    case HV_STATUS_INVALID_ALIGNMENT: return "HV_STATUS_INVALID_ALIGNMENT";
    case HV_STATUS_INVALID_PARAMETER: return "HV_STATUS_INVALID_PARAMETER";
    case HV_STATUS_ACCESS_DENIED: return "HV_STATUS_ACCESS_DENIED";
    case HV_STATUS_INVALID_PORT_ID: return "HV_STATUS_INVALID_PORT_ID";
    case HV_STATUS_INVALID_CONNECTION_ID: return "HV_STATUS_INVALID_CONNECTION_ID";
    case HV_STATUS_INSUFFICIENT_BUFFERS: return "HV_STATUS_INSUFFICIENT_BUFFERS";
    default: return "unknown status";
  }
}

static void put_reg(char* dst, uint32_t r) {
  dst[0] = (char)r;
  dst[1] = (char)(r >> 8);
  dst[2] = (char)(r >> 16);
  dst[3] = (char)(r >> 24);
}

int hv_detect(struct hv_info* info) {
  uint32_t a, b, c, d;
  memset(info, 0, sizeof *info);
  cpuid(1, 0, &a, &b, &c, &d);
  info->hypervisor_bit = (c & CPUID1_ECX_HYPERVISOR) != 0;
  if (!info->hypervisor_bit) return 0;
  cpuid(HV_CPUID_VENDOR_AND_MAX, 0, &a, &b, &c, &d);
  info->max_leaf = a;
  put_reg(info->vendor, b);
  put_reg(info->vendor + 4, c);
  put_reg(info->vendor + 8, d);
  info->vendor[12] = 0;
  info->signature_ok = b == HV_SIGNATURE_EBX && c == HV_SIGNATURE_ECX && d == HV_SIGNATURE_EDX;
  if (!info->signature_ok || a < HV_CPUID_FEATURES || a > HV_CPUID_MAX) return 0;
  cpuid(HV_CPUID_INTERFACE, 0, &a, &b, &c, &d);
  info->interface = a;
  cpuid(HV_CPUID_FEATURES, 0, &info->features[0], &info->features[1], &info->features[2], &info->features[3]);
  if (info->max_leaf >= HV_CPUID_ENLIGHTENMENT_INFO) {
    cpuid(HV_CPUID_ENLIGHTENMENT_INFO, 0, &a, &b, &c, &d);
    info->hints = a;
  }
  const uint32_t need = HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE;
  return info->interface == HV_INTERFACE_HV1 && (info->features[0] & need) == need;
}

int hv_enable_hypercall_page(void) {
  uint64_t gpa = (uint32_t)(uintptr_t)hv_hypercall_page;
  uint64_t v = rdmsr64(HV_X64_MSR_HYPERCALL);
  v = (v & ~HV_MSR_PAGE_GPA_MASK) | gpa | HV_MSR_HYPERCALL_ENABLE;
  wrmsr64(HV_X64_MSR_HYPERCALL, v);
  uint64_t back = rdmsr64(HV_X64_MSR_HYPERCALL);
  if (!(back & HV_MSR_HYPERCALL_ENABLE) || (back & HV_MSR_PAGE_GPA_MASK) != gpa) return 0;
  const volatile uint8_t* p = hv_hypercall_page;
  int vmcall = p[0] == 0x0F && p[1] == 0x01 && (p[2] == 0xC1 || p[2] == 0xD9);
  if (!vmcall) return 0;
  hv_hypercall_pg = hv_hypercall_page;
  return 1;
}

uint64_t hv_do_hypercall(uint64_t control, uint64_t input_gpa, uint64_t output_gpa) {
  uint32_t lo = (uint32_t)control, hi = (uint32_t)(control >> 32);
  uint32_t in_lo = (uint32_t)input_gpa;
  if (!hv_hypercall_pg) return ~0ull;
  __asm__ volatile("call *%[pg]"
                   : "+a"(lo), "+d"(hi), "+c"(in_lo)
                   : "b"((uint32_t)(input_gpa >> 32)), "D"((uint32_t)(output_gpa >> 32)), "S"((uint32_t)output_gpa),
                     [pg] "m"(hv_hypercall_pg)
                   : "cc", "memory");
  return ((uint64_t)hi << 32) | lo;
}

uint64_t hv_do_fast_hypercall8(uint16_t code, uint64_t input) {
  return hv_do_hypercall((uint64_t)code | HV_HYPERCALL_FAST_BIT, input, 0);
}

uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type, const void* payload, uint32_t size) {
  if (size > HV_MESSAGE_PAYLOAD_MAX) return HV_STATUS_INVALID_PARAMETER;
  struct hv_input_post_message* in = &g_post_input;
  memset(in, 0, sizeof *in);
  in->connection_id = connection_id;
  in->message_type = message_type;
  in->payload_size = size;
  memcpy(in->payload, payload, size);
  uint64_t r = hv_do_hypercall(HVCALL_POST_MESSAGE, (uint32_t)(uintptr_t)in, 0);
  return HV_HYPERCALL_STATUS(r);
}

uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag_number) {
  uint64_t input = (uint64_t)connection_id | ((uint64_t)flag_number << 32);
  return HV_HYPERCALL_STATUS(hv_do_fast_hypercall8(HVCALL_SIGNAL_EVENT, input));
}
