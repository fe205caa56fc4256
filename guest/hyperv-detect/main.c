/* hyperv-detect: Linux's Hyper-V detection and setup sequence, step by step, then malformed hypercalls.
 *
 * Order (arch/x86/kernel/cpu/mshyperv.c ms_hyperv_platform / ms_hyperv_init_platform,
 * arch/x86/hyperv/hv_init.c hyperv_init / hv_cpu_init, drivers/hv/hv.c hv_synic_enable_regs,
 * drivers/hv/connection.c vmbus_negotiate_version):
 *   1. CPUID.1:ECX[31] (hypervisor present)
 *   2. CPUID 0x40000000: "Microsoft Hv" and 0x40000005 <= max leaf <= 0x4000FFFF
 *   3. CPUID 0x40000001: interface "Hv#1"
 *   4. CPUID 0x40000003: features (Linux requires HYPERCALL MSRs (bit 5) and VP_INDEX (bit 6)); this
 *      guest also needs TIME_REF_COUNT (1), SynIC (2) and PostMessages (EBX bit 4); 0x40000004/5 read
 *   5. GUEST_OS_ID = Linux's encoding (0x8100 << 48 | LINUX_VERSION_CODE << 16; here 6.6.0)
 *   6. hypercall page: read HYPERCALL, set Enable + GPA, write, read back; page holds VMCALL (0F 01 C1)
 *   7. VP_INDEX
 *   8. TIME_REF_COUNT twice, around a fixed busy loop: must increase
 *   9. SynIC: SIMP (enable + page), SIEFP (enable + page), SINT2 (VMBus) = vector 0xF3 | AutoEOI
 *      (unmasked), SCONTROL.Enable (SVERSION printed)
 *  10. HvPostMessage to connection 1 (VMBus messages, pre-5.0 protocol): a CHANNELMSG_INITIATE_CONTACT
 *      for VMBus 4.0 (40 bytes, what Linux sends first for that version); ok on SUCCESS, or on the
 *      TLFS answers to a well-formed post INVALID_CONNECTION_ID (no VMBus port) / INSUFFICIENT_BUFFERS
 *  11. malformed: unknown call code 0x0000 (must be 2); PostMessage input GPA not 8-byte aligned;
 *      input GPA at the first byte past RAM; rep count 1 on PostMessage (a simple call). The last three
 *      pass when the hypervisor rejects them (any non-zero status; the TLFS names 4, 5 or 6, and 3).
 * One line per step: `hyperv-detect: <step>: ok|FAIL ...`; addresses, raw CPUID/MSR values and times go
 * to `hyperv-detect.platform:` lines. A failed detection step ends the sequence (as Linux would stop).
 * Interrupts stay disabled throughout: SynIC interrupts (vector 0xF3) are never taken; a reply to the
 * post is looked for by polling the SIMP slot (platform line). Exit 0 if every step passed, else 1. */
#include "hyperv.h"
#include "runtime.h"

#define STEP "hyperv-detect: "
#define PLAT "hyperv-detect.platform: "

#define VMBUS_SINT_VECTOR 0xF3 /* Linux HYPERVISOR_CALLBACK_VECTOR */
#define CHANNELMSG_INITIATE_CONTACT 14
#define CHANNELMSG_VERSION_RESPONSE 15
#define VERSION_WIN10 0x00040000u /* 4.0: still uses message connection 1 */
#define VMBUS_REPLY_POLLS 2000000u

static uint8_t g_simp[4096] __attribute__((aligned(4096)));
static uint8_t g_siefp[4096] __attribute__((aligned(4096)));
static uint8_t g_int_page[4096] __attribute__((aligned(4096)));
static uint8_t g_monitor1[4096] __attribute__((aligned(4096)));
static uint8_t g_monitor2[4096] __attribute__((aligned(4096)));
static uint8_t g_bad_input[4096] __attribute__((aligned(4096)));

static int g_all_ok = 1;

static int step(const char* name, int ok, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
static int step(const char* name, int ok, const char* fmt, ...) {
  char detail[160];
  va_list ap;
  va_start(ap, fmt);
  kvsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  kprintf(STEP "%s: %s%s%s\n", name, ok ? "ok" : "FAIL", detail[0] ? " " : "", detail);
  if (!ok) g_all_ok = 0;
  return ok;
}

static uint32_t gpa(const void* p) { return (uint32_t)(uintptr_t)p; }

/* The first byte past RAM: the highest end of an available mmap range, else 1 MiB + mem_upper. */
static uint64_t ram_end(const struct multiboot_info* mbi) {
  uint64_t end = 0;
  multiboot_mmap_foreach(mbi, e) {
    if (e->type == MULTIBOOT_MEMORY_AVAILABLE && e->addr + e->len > end) end = e->addr + e->len;
  }
  if (end == 0 && (mbi->flags & MULTIBOOT_INFO_MEMORY)) end = 0x100000ull + (uint64_t)mbi->mem_upper * 1024;
  if (end == 0) end = 0xFFFFF000ull;
  return (end + 0xFFF) & ~0xFFFull;
}

/* Fills a well-formed PostMessage input block at `in` (so a hypervisor that fails to reject a bad
 * GPA / control still sees a valid message). */
static void fill_post(void* in, const void* payload, uint32_t size) {
  struct hv_input_post_message* m = (struct hv_input_post_message*)in;
  memset(m, 0, sizeof *m);
  m->connection_id = HV_VMBUS_MESSAGE_CONNECTION_ID;
  m->message_type = 1;
  m->payload_size = size;
  memcpy(m->payload, payload, size);
}

static void busy_wait(uint32_t n) {
  for (volatile uint32_t i = 0; i < n; ++i) {
  }
}

static int detect(struct hv_info* hv) {
  uint32_t a, b, c, d;
  hv_detect(hv);
  cpuid(1, 0, &a, &b, &c, &d);
  kprintf(PLAT "cpuid 1: ecx=0x%08x\n", c);
  if (!step("cpuid 1 hypervisor bit", hv->hypervisor_bit, "%s", hv->hypervisor_bit ? "" : "(ecx[31] = 0)")) return 0;

  kprintf(PLAT "cpuid 0x40000000: max leaf 0x%08x, vendor \"%s\"\n", hv->max_leaf, hv->vendor);
  int leaf_ok = hv->max_leaf >= HV_CPUID_MIN && hv->max_leaf <= HV_CPUID_MAX;
  if (!step("cpuid 0x40000000 signature", hv->signature_ok && leaf_ok, "\"%s\", max leaf %s 0x40000005", hv->vendor,
            leaf_ok ? ">=" : "NOT >="))
    return 0;

  cpuid(HV_CPUID_INTERFACE, 0, &a, &b, &c, &d);
  char iface[5] = {(char)a, (char)(a >> 8), (char)(a >> 16), (char)(a >> 24), 0};
  if (!step("cpuid 0x40000001 interface", a == HV_INTERFACE_HV1, "\"%s\"", iface)) return 0;

  cpuid(HV_CPUID_VERSION, 0, &a, &b, &c, &d);
  kprintf(PLAT "cpuid 0x40000002 version: build %u, %u.%u, sp %u, branch/number 0x%08x\n", a, b >> 16, b & 0xFFFF, c,
          d);
  const uint32_t* f = hv->features;
  kprintf(PLAT "cpuid 0x40000003 features: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", f[0], f[1], f[2], f[3]);
  cpuid(HV_CPUID_ENLIGHTENMENT_INFO, 0, &a, &b, &c, &d);
  kprintf(PLAT "cpuid 0x40000004 hints: eax=0x%08x spinlock retries=0x%08x\n", a, b);
  cpuid(HV_CPUID_IMPLEMENTATION_LIMITS, 0, &a, &b, &c, &d);
  kprintf(PLAT "cpuid 0x40000005 limits: max vps %u, max lps %u\n", a, b);
  const uint32_t need = HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE | HV_MSR_TIME_REF_COUNT_AVAILABLE |
                        HV_MSR_SYNIC_AVAILABLE;
  int feat_ok = (f[0] & need) == need && (f[1] & HV_POST_MESSAGES);
  return step("cpuid 0x40000003 features", feat_ok, "hypercall=%u vp_index=%u time_ref_count=%u synic=%u post_messages=%u",
              !!(f[0] & HV_MSR_HYPERCALL_AVAILABLE), !!(f[0] & HV_MSR_VP_INDEX_AVAILABLE),
              !!(f[0] & HV_MSR_TIME_REF_COUNT_AVAILABLE), !!(f[0] & HV_MSR_SYNIC_AVAILABLE),
              !!(f[1] & HV_POST_MESSAGES));
}

static int setup_hypercalls(void) {
  uint64_t id = hv_linux_guest_id(6, 6, 0);
  wrmsr64(HV_X64_MSR_GUEST_OS_ID, id);
  uint64_t back = rdmsr64(HV_X64_MSR_GUEST_OS_ID);
  if (!step("guest os id", back == id, "0x%016llx (Linux 6.6.0)%s", (unsigned long long)id,
            back == id ? "" : " does not read back"))
    return 0;

  int ok = hv_enable_hypercall_page();
  const uint8_t* p = hv_hypercall_page;
  kprintf(PLAT "hypercall page: gpa 0x%08x, msr 0x%016llx, code %02x %02x %02x %02x\n", gpa(hv_hypercall_page),
          (unsigned long long)rdmsr64(HV_X64_MSR_HYPERCALL), p[0], p[1], p[2], p[3]);
  return step("hypercall page", ok, "%s", ok ? (p[2] == 0xC1 ? "enabled, vmcall" : "enabled, vmmcall")
                                             : "not enabled or no vmcall in the page");
}

static void per_cpu(void) {
  uint64_t vp = rdmsr64(HV_X64_MSR_VP_INDEX);
  step("vp index", vp == 0, "%llu", (unsigned long long)vp);

  uint64_t t0 = rdmsr64(HV_X64_MSR_TIME_REF_COUNT);
  busy_wait(20000);
  uint64_t t1 = rdmsr64(HV_X64_MSR_TIME_REF_COUNT);
  kprintf(PLAT "time ref count: %llu -> %llu (+%llu x 100 ns)\n", (unsigned long long)t0, (unsigned long long)t1,
          (unsigned long long)(t1 - t0));
  step("time ref count", t1 > t0, "%s", t1 > t0 ? "increases" : "does NOT increase");
}

static int synic(void) {
  int all = 1;
  uint64_t v = rdmsr64(HV_X64_MSR_SIMP);
  v = (v & ~HV_MSR_PAGE_GPA_MASK) | gpa(g_simp) | HV_MSR_PAGE_ENABLE;
  wrmsr64(HV_X64_MSR_SIMP, v);
  uint64_t back = rdmsr64(HV_X64_MSR_SIMP);
  kprintf(PLAT "simp: gpa 0x%08x, msr 0x%016llx\n", gpa(g_simp), (unsigned long long)back);
  all &= step("synic simp", back == v, "%s", back == v ? "enabled" : "does not read back");

  v = rdmsr64(HV_X64_MSR_SIEFP);
  v = (v & ~HV_MSR_PAGE_GPA_MASK) | gpa(g_siefp) | HV_MSR_PAGE_ENABLE;
  wrmsr64(HV_X64_MSR_SIEFP, v);
  back = rdmsr64(HV_X64_MSR_SIEFP);
  kprintf(PLAT "siefp: gpa 0x%08x, msr 0x%016llx\n", gpa(g_siefp), (unsigned long long)back);
  all &= step("synic siefp", back == v, "%s", back == v ? "enabled" : "does not read back");

  uint64_t before = rdmsr64(HV_X64_MSR_SINT(HV_VMBUS_MESSAGE_SINT));
  v = (before & ~(HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI | HV_SINT_POLLING)) | VMBUS_SINT_VECTOR |
      HV_SINT_AUTO_EOI;
  wrmsr64(HV_X64_MSR_SINT(HV_VMBUS_MESSAGE_SINT), v);
  back = rdmsr64(HV_X64_MSR_SINT(HV_VMBUS_MESSAGE_SINT));
  kprintf(PLAT "sint2: 0x%016llx -> 0x%016llx\n", (unsigned long long)before, (unsigned long long)back);
  all &= step("synic sint2", back == v, "vector 0x%x, auto-eoi, unmasked%s", VMBUS_SINT_VECTOR,
              back == v ? "" : ": does not read back");

  uint64_t sversion = rdmsr64(HV_X64_MSR_SVERSION);
  v = rdmsr64(HV_X64_MSR_SCONTROL) | HV_SCONTROL_ENABLE;
  wrmsr64(HV_X64_MSR_SCONTROL, v);
  back = rdmsr64(HV_X64_MSR_SCONTROL);
  kprintf(PLAT "scontrol: 0x%016llx, sversion 0x%llx\n", (unsigned long long)back, (unsigned long long)sversion);
  all &= step("synic scontrol", (back & HV_SCONTROL_ENABLE) && sversion == 1, "sversion %llu%s",
              (unsigned long long)sversion, (back & HV_SCONTROL_ENABLE) ? ", enabled" : ", NOT enabled");
  return all;
}

/* CHANNELMSG_INITIATE_CONTACT for VMBus 4.0 (struct vmbus_channel_initiate_contact, 40 bytes). */
struct initiate_contact {
  uint32_t msgtype;
  uint32_t padding;
  uint32_t vmbus_version_requested;
  uint32_t target_vcpu;
  uint64_t interrupt_page;
  uint64_t monitor_page1;
  uint64_t monitor_page2;
} __attribute__((packed));
_Static_assert(sizeof(struct initiate_contact) == 40, "initiate_contact is 40 bytes");

static void post_message(struct initiate_contact* msg) {
  memset(msg, 0, sizeof *msg);
  msg->msgtype = CHANNELMSG_INITIATE_CONTACT;
  msg->vmbus_version_requested = VERSION_WIN10;
  msg->target_vcpu = 0;
  msg->interrupt_page = gpa(g_int_page);
  msg->monitor_page1 = gpa(g_monitor1);
  msg->monitor_page2 = gpa(g_monitor2);
  uint16_t st = hv_post_message(HV_VMBUS_MESSAGE_CONNECTION_ID, 1, msg, sizeof *msg);
  int ok = st == HV_STATUS_SUCCESS || st == HV_STATUS_INVALID_CONNECTION_ID || st == HV_STATUS_INSUFFICIENT_BUFFERS;
  step("post message", ok, "connection 1, initiate contact 4.0: status 0x%x (%s)", st, hv_status_name(st));
  if (st != HV_STATUS_SUCCESS) return;

  /* A VMBus host answers in SIMP slot 2 (VERSION_RESPONSE). IF = 0: poll; then free the slot (and EOM
   * if a message is pending behind it), as vmbus_signal_eom does. */
  volatile struct hv_message* slot = (volatile struct hv_message*)(g_simp + 256 * HV_VMBUS_MESSAGE_SINT);
  uint32_t polls = 0;
  while (slot->message_type == HVMSG_NONE && polls < VMBUS_REPLY_POLLS) {
    pause();
    ++polls;
  }
  if (slot->message_type == HVMSG_NONE) {
    kprintf(PLAT "vmbus reply: none in simp slot 2 after %u polls\n", polls);
    return;
  }
  uint32_t type = slot->message_type, size = slot->payload_size, msgtype = 0;
  if (size >= 4) msgtype = *(volatile uint32_t*)slot->payload;
  kprintf(PLAT "vmbus reply: simp slot 2 message type 0x%x, %u bytes, channel msgtype %u", type, size, msgtype);
  if (msgtype == CHANNELMSG_VERSION_RESPONSE && size >= 16)
    kprintf(", version_supported %u, connection_state %u, msg_conn_id %u", slot->payload[8], slot->payload[9],
            *(volatile uint32_t*)(slot->payload + 12));
  kprintf(" (after %u polls)\n", polls);
  uint8_t flags = slot->message_flags;
  slot->message_type = HVMSG_NONE;
  __asm__ volatile("lock; orl $0, (%%esp)" : : : "memory", "cc"); /* full barrier (Linux uses mb()) */
  if (flags & HV_MESSAGE_FLAG_PENDING) wrmsr64(HV_X64_MSR_EOM, 0);
}

static void malformed(const struct multiboot_info* mbi, const struct initiate_contact* msg) {
  uint64_t r = hv_do_hypercall(0x0000, 0, 0);
  uint16_t st = HV_HYPERCALL_STATUS(r);
  step("unknown call code", st == HV_STATUS_INVALID_HYPERCALL_CODE, "0x0000: status 0x%x (%s)", st, hv_status_name(st));

  /* Input block 4 bytes into an aligned page (not 8-byte aligned, still inside the page). */
  fill_post(g_bad_input + 4, msg, sizeof *msg);
  r = hv_do_hypercall(HVCALL_POST_MESSAGE, gpa(g_bad_input + 4), 0);
  st = HV_HYPERCALL_STATUS(r);
  step("misaligned input gpa", st != HV_STATUS_SUCCESS, "post message at page+4: status 0x%x (%s)", st,
       hv_status_name(st));

  uint64_t end = ram_end(mbi);
  kprintf(PLAT "first gpa past ram: 0x%llx\n", (unsigned long long)end);
  r = hv_do_hypercall(HVCALL_POST_MESSAGE, end, 0);
  st = HV_HYPERCALL_STATUS(r);
  step("input gpa outside ram", st != HV_STATUS_SUCCESS, "post message at the end of ram: status 0x%x (%s)", st,
       hv_status_name(st));

  fill_post(g_bad_input, msg, sizeof *msg);
  r = hv_do_hypercall(HVCALL_POST_MESSAGE | HV_HYPERCALL_REP_COUNT(1), gpa(g_bad_input), 0);
  st = HV_HYPERCALL_STATUS(r);
  step("rep count on non-rep call", st != HV_STATUS_SUCCESS, "post message, rep count 1: status 0x%x (%s)", st,
       hv_status_name(st));
}

/* SynIC delivery, end to end: hvsim's hypervisor can run a root-side echo service (parameter
 * vm0.hv.test_connection, like QEMU's hyperv-testdev) that posts every message back on SINT 2. The
 * guest posts one, takes the SINT 2 interrupt (AutoEOI: no EOI), and finds its payload in SIMP slot 2.
 * On a hypervisor without the service the post fails with INVALID_CONNECTION_ID and the step is
 * skipped. */
#define HV_TEST_CONNECTION_ID 0x7E57u
#define SYNIC_ECHO_SPINS 1000000u
volatile uint32_t g_sint_hits;
void sint_stub(void);
__asm__(".globl sint_stub\n"
        "sint_stub:\n"
        "  lock incl g_sint_hits\n"
        "  iret\n");

static void synic_echo(void) {
  idt_set_gate(VMBUS_SINT_VECTOR, (uint32_t)(uintptr_t)sint_stub);
  idt_load();
  static const char kPayload[16] = "hvsim synic echo";
  uint32_t hits = g_sint_hits;
  uint16_t st = hv_post_message(HV_TEST_CONNECTION_ID, 7, kPayload, sizeof kPayload);
  if (st == HV_STATUS_INVALID_CONNECTION_ID) {
    kprintf(PLAT "synic echo: no echo service on connection 0x%x\n", HV_TEST_CONNECTION_ID);
    return;
  }
  __asm__ volatile("sti");
  uint32_t spins = 0;
  while (g_sint_hits == hits && spins < SYNIC_ECHO_SPINS) ++spins;
  __asm__ volatile("cli");
  volatile struct hv_message* slot = (volatile struct hv_message*)(g_simp + 256 * HV_VMBUS_MESSAGE_SINT);
  int same = slot->payload_size == sizeof kPayload && memcmp((const void*)slot->payload, kPayload, sizeof kPayload) == 0;
  step("synic echo", st == HV_STATUS_SUCCESS && g_sint_hits == hits + 1 && slot->message_type == 7 && same,
       "post status 0x%x, %u interrupt(s) on vector 0x%x, slot 2 type %u, payload %s", st, g_sint_hits - hits,
       VMBUS_SINT_VECTOR, slot->message_type, same ? "matches" : "differs");
  slot->message_type = HVMSG_NONE;
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  console_init();
  kprintf(STEP "hvsim guest runtime: hyperv-detect\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf(STEP "multiboot magic MISMATCH: 0x%08x\n", magic);
    return GUEST_EXIT_FAIL;
  }
  kprintf(PLAT "hvsim measure port: %s\n", hvsim_present() ? "present" : "absent");
  struct hv_info hv;
  if (detect(&hv) && setup_hypercalls()) {
    per_cpu();
    synic();
    struct initiate_contact msg;
    post_message(&msg);
    synic_echo();
    malformed(mbi, &msg);
  }
  kprintf(STEP "done: %s\n", g_all_ok ? "ok" : "FAIL");
  return g_all_ok ? GUEST_EXIT_OK : GUEST_EXIT_FAIL;
}
