// HyperV: the guest-visible Hyper-V interface (CPUID, synthetic MSRs, hypercalls, SynIC), driven the
// way a Linux guest and a root-side VMBus service drive it. Plain C++ over a RAM-backed GuestMemory.
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/hypervisor/hyperv.h"
#include "models/hypervisor/hyperv_tlfs.h"

using hvsim::HyperV;
namespace hv = hvsim::hv;

namespace {

using Msr = HyperV::MsrResult;

class FakeRam : public hvsim::GuestMemory {
 public:
  explicit FakeRam(size_t size) : bytes(size, 0) {}
  bool read(uint64_t gpa, void* out, size_t n) override {
    if (gpa > bytes.size() || n > bytes.size() - gpa) return false;
    std::memcpy(out, bytes.data() + gpa, n);
    return true;
  }
  bool write(uint64_t gpa, const void* in, size_t n) override {
    if (gpa > bytes.size() || n > bytes.size() - gpa) return false;
    std::memcpy(bytes.data() + gpa, in, n);
    return true;
  }
  uint8_t u8(uint64_t gpa) const { return bytes.at(gpa); }
  uint32_t u32(uint64_t gpa) const {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | bytes.at(gpa + static_cast<uint64_t>(i));
    return v;
  }
  uint64_t u64(uint64_t gpa) const { return u32(gpa) | static_cast<uint64_t>(u32(gpa + 4)) << 32; }
  void put32(uint64_t gpa, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.at(gpa + static_cast<uint64_t>(i)) = static_cast<uint8_t>(v >> (8 * i));
  }
  void put64(uint64_t gpa, uint64_t v) {
    put32(gpa, static_cast<uint32_t>(v));
    put32(gpa + 4, static_cast<uint32_t>(v >> 32));
  }
  std::vector<uint8_t> bytes;
};

constexpr uint64_t kRamSize = 1 << 20;
constexpr uint64_t kHypercallPage = 0x2000;
constexpr uint64_t kSimp = 0x10000;
constexpr uint64_t kSiefp = 0x11000;
constexpr uint64_t kInput = 0x20000;                       // Linux's per-CPU hypercall input page
constexpr uint64_t kLinuxGuestId = 0x8100060800000000ull;  // bit 63 open source, OS type 1 (Linux), 6.8
constexpr uint8_t kCallbackVector = 0xF3;                  // Linux HYPERVISOR_CALLBACK_VECTOR

uint64_t counter(const std::string& name) {
  const auto* c = dynamic_cast<const hvsim::Counter*>(hvsim::StatsRegistry::instance().find(name));
  REQUIRE(c != nullptr);
  return c->value();
}

struct Bench {
  FakeRam ram{kRamSize};
  uint64_t now_100ns = 0;
  HyperV hv{"hv", ram, [this] { return now_100ns; }, 0};

  void enable_hypercalls() {
    REQUIRE(hv.wrmsr(hv::kMsrGuestOsId, kLinuxGuestId) == Msr::kHandled);
    REQUIRE(hv.wrmsr(hv::kMsrHypercall, kHypercallPage | hv::kHypercallEnable) == Msr::kHandled);
    REQUIRE(hv.hypercalls_enabled());
  }
  // hv_synic_enable_regs(): SIMP, SIEFP, SINT2 (VMBus) = vector | AutoEOI, then SCONTROL.
  void enable_synic() {
    REQUIRE(hv.wrmsr(hv::kMsrSimp, kSimp | hv::kSimpEnable) == Msr::kHandled);
    REQUIRE(hv.wrmsr(hv::kMsrSiefp, kSiefp | hv::kSiefpEnable) == Msr::kHandled);
    REQUIRE(hv.wrmsr(hv::kMsrSint0 + 2, kCallbackVector | hv::kSintAutoEoi) == Msr::kHandled);
    REQUIRE(hv.wrmsr(hv::kMsrScontrol, hv::kScontrolEnable) == Msr::kHandled);
  }
  // hv_post_message(): struct hv_input_post_message in the input page.
  uint64_t post(uint32_t conn, uint32_t type, const std::vector<uint8_t>& payload, uint64_t gpa = kInput,
                uint64_t control = hv::kCallPostMessage) {
    if (gpa + 256 <= kRamSize) {
      ram.put32(gpa + 0, conn);
      ram.put32(gpa + 4, 0);
      ram.put32(gpa + 8, type);
      ram.put32(gpa + 12, static_cast<uint32_t>(payload.size()));
      std::memcpy(ram.bytes.data() + gpa + 16, payload.data(), std::min<size_t>(payload.size(), 240));
    }
    return hv.hypercall(control, gpa, 0);
  }
  uint64_t slot(unsigned sint) const { return kSimp + sint * 256ull; }
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

}  // namespace

TEST_CASE("HyperV: CPUID leaves pass the Linux Hyper-V detection", "[hyperv]") {
  Bench b;
  uint32_t r[4] = {};
  REQUIRE(b.hv.cpuid(0x40000000, 0, r));
  char sig[13] = {};
  std::memcpy(sig + 0, &r[1], 4);
  std::memcpy(sig + 4, &r[2], 4);
  std::memcpy(sig + 8, &r[3], 4);
  CHECK(std::string(sig) == "Microsoft Hv");
  CHECK(r[0] == 0x40000006);
  CHECK(r[0] >= hv::kCpuidMinLinux);  // ms_hyperv_platform(): HYPERV_CPUID_MIN <= max <= HYPERV_CPUID_MAX
  CHECK(r[0] <= 0x4000FFFF);

  REQUIRE(b.hv.cpuid(0x40000001, 0, r));
  CHECK(r[0] == 0x31237648);  // "Hv#1"
  CHECK(std::memcmp(&r[0], "Hv#1", 4) == 0);
  CHECK((r[1] | r[2] | r[3]) == 0);

  REQUIRE(b.hv.cpuid(0x40000002, 0, r));
  CHECK(r[0] == 14393);
  CHECK(r[1] == 0x000A0000);

  REQUIRE(b.hv.cpuid(0x40000003, 0, r));
  CHECK((r[0] & (1u << 5)) != 0);                            // HYPERCALL MSRs: mandatory for Linux
  CHECK((r[0] & (1u << 6)) != 0);                            // VP_INDEX: mandatory for Linux
  CHECK((r[0] & (1u << 1)) != 0);                            // TIME_REF_COUNT
  CHECK((r[0] & (1u << 2)) != 0);                            // SynIC
  CHECK((r[0] & ((1u << 0) | (1u << 3) | (1u << 9))) == 0);  // no VP_RUNTIME, STIMER, REFERENCE_TSC
  CHECK(r[0] == 0x66);
  CHECK(r[1] == 0x30);  // PostMessages | SignalEvents
  CHECK(r[3] == 0);     // no XMM hypercall input, no crash MSRs

  REQUIRE(b.hv.cpuid(0x40000004, 0, r));
  CHECK(r[0] == 0);
  CHECK(r[1] == 0xFFFFFFFF);
  REQUIRE(b.hv.cpuid(0x40000005, 0, r));
  CHECK(r[0] == 1);
  REQUIRE(b.hv.cpuid(0x40000006, 0, r));
  CHECK((r[0] | r[1] | r[2] | r[3]) == 0);

  // Native leaves are not ours: regs stay as they were.
  uint32_t native[4] = {1, 2, 3, 4};
  CHECK_FALSE(b.hv.cpuid(0, 0, native));
  CHECK_FALSE(b.hv.cpuid(1, 0, native));
  CHECK_FALSE(b.hv.cpuid(0x80000000, 0, native));
  CHECK_FALSE(b.hv.cpuid(0x3FFFFFFF, 0, native));
  CHECK(native[0] == 1);
  CHECK(native[3] == 4);

  uint32_t leaf1[4] = {0, 0, 0x00000201, 0};
  HyperV::set_hypervisor_present(1, leaf1);
  CHECK(leaf1[2] == 0x80000201);
  uint32_t leaf7[4] = {0, 0, 0, 0};
  HyperV::set_hypervisor_present(7, leaf7);
  CHECK(leaf7[2] == 0);
}

TEST_CASE("HyperV: GUEST_OS_ID then HYPERCALL writes VMCALL RET into the hypercall page", "[hyperv]") {
  Bench b;
  CHECK_FALSE(b.hv.hypercalls_enabled());
  REQUIRE(b.hv.wrmsr(hv::kMsrGuestOsId, kLinuxGuestId) == Msr::kHandled);
  uint64_t v = 0;
  REQUIRE(b.hv.rdmsr(hv::kMsrGuestOsId, v) == Msr::kHandled);
  CHECK(v == kLinuxGuestId);

  REQUIRE(b.hv.wrmsr(hv::kMsrHypercall, kHypercallPage | hv::kHypercallEnable) == Msr::kHandled);
  CHECK(b.hv.hypercalls_enabled());
  CHECK(b.hv.hypercall_page_gpa() == kHypercallPage);
  CHECK(b.ram.u8(kHypercallPage + 0) == 0x0F);  // VMCALL
  CHECK(b.ram.u8(kHypercallPage + 1) == 0x01);
  CHECK(b.ram.u8(kHypercallPage + 2) == 0xC1);
  CHECK(b.ram.u8(kHypercallPage + 3) == 0xC3);  // RET
  REQUIRE(b.hv.rdmsr(hv::kMsrHypercall, v) == Msr::kHandled);
  CHECK(v == (kHypercallPage | hv::kHypercallEnable));

  // RsvdP bits 11:2 are dropped (bit 1 is Locked); a page outside RAM is #GP and changes nothing.
  REQUIRE(b.hv.wrmsr(hv::kMsrHypercall, 0x3000 | 0x7F0 | hv::kHypercallEnable) == Msr::kHandled);
  REQUIRE(b.hv.rdmsr(hv::kMsrHypercall, v) == Msr::kHandled);
  CHECK(v == (0x3000 | hv::kHypercallEnable));
  CHECK(b.hv.wrmsr(hv::kMsrHypercall, (kRamSize + 0x1000) | hv::kHypercallEnable) == Msr::kGp);
  REQUIRE(b.hv.rdmsr(hv::kMsrHypercall, v) == Msr::kHandled);
  CHECK(v == (0x3000 | hv::kHypercallEnable));

  // Zeroing the guest OS id disables the hypercall page [TLFS].
  REQUIRE(b.hv.wrmsr(hv::kMsrGuestOsId, 0) == Msr::kHandled);
  CHECK_FALSE(b.hv.hypercalls_enabled());
  REQUIRE(b.hv.rdmsr(hv::kMsrHypercall, v) == Msr::kHandled);
  CHECK((v & hv::kHypercallEnable) == 0);
}

TEST_CASE("HyperV: the hypercall page cannot be enabled before GUEST_OS_ID", "[hyperv]") {
  Bench b;
  std::memset(b.ram.bytes.data() + kHypercallPage, 0xAA, 16);
  CHECK(b.hv.wrmsr(hv::kMsrHypercall, kHypercallPage | hv::kHypercallEnable) == Msr::kHandled);
  CHECK_FALSE(b.hv.hypercalls_enabled());
  uint64_t v = 1;
  REQUIRE(b.hv.rdmsr(hv::kMsrHypercall, v) == Msr::kHandled);
  CHECK(v == 0);
  CHECK(b.ram.u8(kHypercallPage) == 0xAA);  // nothing written
  // A VMCALL anyway (the caller should have raised #UD) never reaches a handler.
  int calls = 0;
  b.hv.on_signal_event(5, [&](uint16_t) -> uint16_t { return ++calls, hv::kStatusSuccess; });
  CHECK(b.hv.hypercall(hv::kCallSignalEvent | hv::kCtlFast, 5, 0) == hv::kStatusAccessDenied);
  CHECK(calls == 0);
  // After the OS id, the same write works.
  REQUIRE(b.hv.wrmsr(hv::kMsrGuestOsId, kLinuxGuestId) == Msr::kHandled);
  REQUIRE(b.hv.wrmsr(hv::kMsrHypercall, kHypercallPage | hv::kHypercallEnable) == Msr::kHandled);
  CHECK(b.hv.hypercalls_enabled());
  CHECK(b.ram.u8(kHypercallPage) == 0x0F);
}

TEST_CASE("HyperV: VP_INDEX, TIME_REF_COUNT and SVERSION are read-only", "[hyperv]") {
  FakeRam ram(kRamSize);
  uint64_t now = 0;
  HyperV h(
      "hv", ram, [&] { return now; }, 3);
  uint64_t v = 0;
  REQUIRE(h.rdmsr(hv::kMsrVpIndex, v) == Msr::kHandled);
  CHECK(v == 3);
  now = 12345;
  REQUIRE(h.rdmsr(hv::kMsrTimeRefCount, v) == Msr::kHandled);
  CHECK(v == 12345);
  now = 10'000'000;  // one second in 100 ns units
  REQUIRE(h.rdmsr(hv::kMsrTimeRefCount, v) == Msr::kHandled);
  CHECK(v == 10'000'000);
  REQUIRE(h.rdmsr(hv::kMsrSversion, v) == Msr::kHandled);
  CHECK(v == 1);

  CHECK(h.wrmsr(hv::kMsrVpIndex, 7) == Msr::kGp);
  CHECK(h.wrmsr(hv::kMsrTimeRefCount, 0) == Msr::kGp);
  CHECK(h.wrmsr(hv::kMsrSversion, 2) == Msr::kGp);
  REQUIRE(h.rdmsr(hv::kMsrVpIndex, v) == Msr::kHandled);
  CHECK(v == 3);
  REQUIRE(h.rdmsr(hv::kMsrSversion, v) == Msr::kHandled);
  CHECK(v == 1);
  CHECK(counter("hv.msr_gp") == 3);

  // Not a synthetic MSR: the caller's business. Synthetic but not implemented: #GP.
  CHECK(h.rdmsr(0x1B, v) == Msr::kNotHyperV);        // IA32_APIC_BASE
  CHECK(h.wrmsr(0xC0000080, 0) == Msr::kNotHyperV);  // EFER
  CHECK(h.rdmsr(0x40000021, v) == Msr::kGp);         // REFERENCE_TSC (not advertised)
  CHECK(h.wrmsr(0x400000B0, 1) == Msr::kGp);         // STIMER0_CONFIG (not advertised)
}

TEST_CASE("HyperV: SynIC setup the way Linux enables it", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  uint64_t v = 0;
  for (unsigned i = 0; i < 16; ++i) {
    REQUIRE(b.hv.rdmsr(hv::kMsrSint0 + i, v) == Msr::kHandled);
    CHECK(v == 0x10000);  // reset value: masked
  }
  REQUIRE(b.hv.rdmsr(hv::kMsrScontrol, v) == Msr::kHandled);
  CHECK(v == 0);
  CHECK_FALSE(b.hv.synic_enabled());

  std::memset(b.ram.bytes.data() + kSimp, 0x5A, 4096);  // stale data: enabling zeroes the pages
  std::memset(b.ram.bytes.data() + kSiefp, 0x5A, 4096);
  b.enable_synic();
  CHECK(b.hv.synic_enabled());
  REQUIRE(b.hv.rdmsr(hv::kMsrSimp, v) == Msr::kHandled);
  CHECK(v == (kSimp | 1));
  REQUIRE(b.hv.rdmsr(hv::kMsrSiefp, v) == Msr::kHandled);
  CHECK(v == (kSiefp | 1));
  REQUIRE(b.hv.rdmsr(hv::kMsrSint0 + 2, v) == Msr::kHandled);
  CHECK(v == (0xF3 | (1u << 17)));
  REQUIRE(b.hv.rdmsr(hv::kMsrScontrol, v) == Msr::kHandled);
  CHECK(v == 1);
  CHECK(b.ram.u32(kSimp) == 0);
  CHECK(b.ram.u32(kSimp + 4092) == 0);
  CHECK(b.ram.u32(kSiefp + 2 * 256) == 0);

  REQUIRE(b.hv.rdmsr(hv::kMsrEom, v) == Msr::kHandled);
  CHECK(v == 0);
  CHECK(b.hv.wrmsr(hv::kMsrEom, 0) == Msr::kHandled);

  // Vectors below 16 are invalid when unmasked (#GP); a masked SINT may keep vector 0.
  CHECK(b.hv.wrmsr(hv::kMsrSint0 + 4, 0x0F) == Msr::kGp);
  CHECK(b.hv.wrmsr(hv::kMsrSint0 + 4, 0x10000) == Msr::kHandled);
  CHECK(b.hv.wrmsr(hv::kMsrSint0 + 4, 0x10) == Msr::kHandled);
  // Reserved bits are RsvdP: ignored, not stored.
  CHECK(b.hv.wrmsr(hv::kMsrSint0 + 5, 0xFFFF'0000'0000'FF40ull) == Msr::kHandled);
  REQUIRE(b.hv.rdmsr(hv::kMsrSint0 + 5, v) == Msr::kHandled);
  CHECK(v == 0x40);
  // Message/event pages outside RAM: #GP, the register keeps its value.
  CHECK(b.hv.wrmsr(hv::kMsrSimp, 0x7FFF'F000ull | 1) == Msr::kGp);
  REQUIRE(b.hv.rdmsr(hv::kMsrSimp, v) == Msr::kHandled);
  CHECK(v == (kSimp | 1));
}

TEST_CASE("HyperV: HvPostMessage hands the payload to the connection handler", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  uint32_t got_type = 0, got_size = 0;
  std::vector<uint8_t> got;
  uint16_t answer = hv::kStatusSuccess;
  b.hv.on_post_message(hv::kVmbusMessageConnectionId4, [&](uint32_t type, const uint8_t* p, uint32_t n) {
    got_type = type, got_size = n;
    got.assign(p, p + n);
    return answer;
  });
  std::vector<uint8_t> payload = pattern(40, 0x11);  // e.g. CHANNELMSG_INITIATE_CONTACT
  CHECK(b.post(4, hv::kMessageTypeVmbus, payload) == hv::kStatusSuccess);
  CHECK(got_type == 1);
  CHECK(got_size == 40);
  CHECK(got == payload);

  std::vector<uint8_t> full = pattern(240, 0x80);
  CHECK(b.post(4, 0x7FFFFFFF, full) == hv::kStatusSuccess);
  CHECK(got_type == 0x7FFFFFFF);
  CHECK(got == full);

  answer = hv::kStatusInsufficientBuffers;  // the guest retries on this one
  CHECK(b.post(4, 1, payload) == hv::kStatusInsufficientBuffers);

  CHECK(counter("hv.hypercalls.post_message") == 3);
  CHECK(counter("hv.hypercall_status.success") == 2);
  CHECK(counter("hv.hypercall_status.insufficient_buffers") == 1);
  CHECK(counter("hv.messages.guest_to_root") == 3);
}

TEST_CASE("HyperV: hypercall errors return the TLFS status", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  int calls = 0;
  b.hv.on_post_message(1, [&](uint32_t, const uint8_t*, uint32_t) -> uint16_t { return ++calls, hv::kStatusSuccess; });
  std::vector<uint8_t> p = pattern(16, 1);

  // Unknown connection id (Linux probes id 4 for VMBus >= 5.0 and expects exactly this).
  CHECK(b.post(4, 1, p) == hv::kStatusInvalidConnectionId);
  // Unknown call code.
  CHECK(b.hv.hypercall(0x0099, kInput, 0) == hv::kStatusInvalidHypercallCode);
  // Message type zero, MSB set, payload > 240: INVALID_PARAMETER.
  CHECK(b.post(1, 0, p) == hv::kStatusInvalidParameter);
  CHECK(b.post(1, 0x80000001, p) == hv::kStatusInvalidParameter);
  CHECK(b.post(1, 1, pattern(241, 3)) == hv::kStatusInvalidParameter);
  b.ram.put32(kInput + 12, 0xFFFFFFFF);
  CHECK(b.hv.hypercall(hv::kCallPostMessage, kInput, 0) == hv::kStatusInvalidParameter);
  // Input GPA unaligned, spanning pages, or outside RAM: INVALID_ALIGNMENT (TLFS common status codes).
  CHECK(b.post(1, 1, p, kInput + 4) == hv::kStatusInvalidAlignment);
  CHECK(b.post(1, 1, p, kInput + 0xF08) == hv::kStatusInvalidAlignment);
  CHECK(b.post(1, 1, p, kRamSize + 0x1000) == hv::kStatusInvalidAlignment);
  CHECK(b.post(1, 1, p, 0xFFFF'FFFF'FFFF'F000ull) == hv::kStatusInvalidAlignment);
  // Reserved control bits (31:27, 47:44, 63:60), and rep/varhead fields on a simple call.
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 27)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 31)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 44)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 63)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.hv.hypercall(0x0099 | (1ull << 60), kInput, 0) == hv::kStatusInvalidHypercallInput);  // before the code
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 32)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 48)) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | (1ull << 17)) == hv::kStatusInvalidHypercallInput);
  // PostMessage has no register form; reserved bits of the connection id and the RsvdZ word.
  CHECK(b.post(1, 1, p, kInput, hv::kCallPostMessage | hv::kCtlFast) == hv::kStatusInvalidHypercallInput);
  CHECK(b.post(0x01000001, 1, p) == hv::kStatusInvalidHypercallInput);
  b.post(1, 1, p);  // restore a valid input, then poison RsvdZ
  b.ram.put32(kInput + 4, 1);
  CHECK(b.hv.hypercall(hv::kCallPostMessage, kInput, 0) == hv::kStatusInvalidHypercallInput);

  CHECK(calls == 1);  // only the restoring call reached the handler
  CHECK(counter("hv.hypercall_status.invalid_alignment") == 4);
  CHECK(counter("hv.hypercall_status.invalid_connection_id") == 1);
  CHECK(counter("hv.hypercall_status.invalid_hypercall_code") == 1);
  CHECK(counter("hv.hypercalls.unknown") == 2);
}

TEST_CASE("HyperV: HvSignalEvent fast and slow", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  std::vector<uint16_t> flags;
  b.hv.on_signal_event(0x2A, [&](uint16_t f) {
    flags.push_back(f);
    return hv::kStatusSuccess;
  });
  // Fast: Linux hv_do_fast_hypercall8(HVCALL_SIGNAL_EVENT, connection_id | flag << 32), control 0x1005D.
  CHECK(b.hv.hypercall(0x1005D, 0x2A | (7ull << 32), 0) == hv::kStatusSuccess);
  // Slow: struct hv_input_signal_event in memory.
  b.ram.put64(kInput, 0x2A | (0x123ull << 32));
  CHECK(b.hv.hypercall(hv::kCallSignalEvent, kInput, 0) == hv::kStatusSuccess);
  REQUIRE(flags.size() == 2);
  CHECK(flags[0] == 7);
  CHECK(flags[1] == 0x123);

  CHECK(b.hv.hypercall(0x1005D, 0x2B, 0) == hv::kStatusInvalidConnectionId);
  CHECK(b.hv.hypercall(0x1005D, 0x2A | (1ull << 48), 0) == hv::kStatusInvalidHypercallInput);
  CHECK(b.hv.hypercall(0x1005D, 0x2A | (1ull << 24), 0) == hv::kStatusInvalidHypercallInput);
  CHECK(b.hv.hypercall(hv::kCallSignalEvent, kInput + 4, 0) == hv::kStatusInvalidAlignment);
  CHECK(b.hv.hypercall(hv::kCallSignalEvent, kRamSize, 0) == hv::kStatusInvalidAlignment);
  CHECK(b.hv.hypercall(0x1005D | (1ull << 32), 0x2A, 0) == hv::kStatusInvalidHypercallInput);
  CHECK(flags.size() == 2);
  CHECK(counter("hv.hypercalls.signal_event") == 8);
  CHECK(counter("hv.events.guest_to_root") == 2);
}

TEST_CASE("HyperV: root message lands in the SIMP slot and raises the SINT", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  int notified = 0;
  b.hv.on_interrupt([&] { ++notified; });
  std::vector<uint8_t> payload = pattern(40, 0x30);  // e.g. CHANNELMSG_VERSION_RESPONSE
  REQUIRE(b.hv.post_message(2, hv::kMessageTypeVmbus, payload.data(), 40));
  uint64_t s = b.slot(2);
  CHECK(b.ram.u32(s + 0) == 1);  // message_type
  CHECK(b.ram.u8(s + 4) == 40);  // payload_size
  CHECK(b.ram.u8(s + 5) == 0);   // message_flags: nothing pending
  CHECK(b.ram.u64(s + 8) == 0);  // sender / port
  CHECK(std::memcmp(b.ram.bytes.data() + s + 16, payload.data(), 40) == 0);
  CHECK(b.ram.u8(s + 16 + 40) == 0);  // payload zero-padded
  CHECK(b.ram.u32(b.slot(1)) == 0);   // neighbours untouched
  CHECK(b.ram.u32(b.slot(3)) == 0);

  auto irqs = b.hv.take_interrupts();
  REQUIRE(irqs.size() == 1);
  CHECK(irqs[0].sint == 2);
  CHECK(irqs[0].vector == 0xF3);
  CHECK(irqs[0].auto_eoi);
  CHECK(notified == 1);
  CHECK(b.hv.take_interrupts().empty());
  CHECK(counter("hv.interrupts.raised") == 1);
  CHECK(counter("hv.messages.root_to_guest") == 1);
}

TEST_CASE("HyperV: a message to a masked SINT is delivered without an interrupt", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  std::vector<uint8_t> payload = pattern(8, 9);
  REQUIRE(b.hv.post_message(3, 1, payload.data(), 8));  // SINT3 still at its reset value (masked)
  CHECK(b.ram.u32(b.slot(3)) == 1);
  CHECK(b.hv.take_interrupts().empty());
  CHECK(counter("hv.interrupts.suppressed") == 1);
  // Polling mode: unmasked, but no interrupt either.
  REQUIRE(b.hv.wrmsr(hv::kMsrSint0 + 4, 0x40 | hv::kSintPolling) == Msr::kHandled);
  REQUIRE(b.hv.post_message(4, 1, payload.data(), 8));
  CHECK(b.hv.take_interrupts().empty());
  CHECK(counter("hv.interrupts.suppressed") == 2);
  // Unmasked without AutoEOI: the guest will EOI.
  REQUIRE(b.hv.wrmsr(hv::kMsrSint0 + 5, 0x41) == Msr::kHandled);
  REQUIRE(b.hv.post_message(5, 1, payload.data(), 8));
  auto irqs = b.hv.take_interrupts();
  REQUIRE(irqs.size() == 1);
  CHECK(irqs[0].sint == 5);
  CHECK(irqs[0].vector == 0x41);
  CHECK_FALSE(irqs[0].auto_eoi);
}

TEST_CASE("HyperV: a second message waits for the slot and is delivered on EOM", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  std::vector<uint8_t> m1 = pattern(24, 0x10), m2 = pattern(56, 0x20);
  REQUIRE(b.hv.post_message(2, 1, m1.data(), 24));
  REQUIRE(b.hv.post_message(2, 1, m2.data(), 56));
  uint64_t s = b.slot(2);
  CHECK(b.ram.u8(s + 4) == 24);                   // the slot still holds the first message
  CHECK(b.ram.u8(s + 5) == hv::kMsgFlagPending);  // ... marked MessagePending
  CHECK(b.hv.queued_messages(2) == 1);
  CHECK(b.hv.take_interrupts().size() == 1);
  CHECK(counter("hv.messages.delayed") == 1);

  // EOM before the guest empties the slot: nothing moves.
  REQUIRE(b.hv.wrmsr(hv::kMsrEom, 0) == Msr::kHandled);
  CHECK(b.ram.u8(s + 4) == 24);
  CHECK(b.hv.take_interrupts().empty());

  // vmbus_signal_eom(): message_type = HVMSG_NONE, then EOM because MessagePending was set.
  b.ram.put32(s, hv::kMessageTypeNone);
  REQUIRE(b.hv.wrmsr(hv::kMsrEom, 0) == Msr::kHandled);
  CHECK(b.ram.u32(s) == 1);
  CHECK(b.ram.u8(s + 4) == 56);
  CHECK(b.ram.u8(s + 5) == 0);  // nothing further queued
  CHECK(std::memcmp(b.ram.bytes.data() + s + 16, m2.data(), 56) == 0);
  CHECK(b.hv.queued_messages(2) == 0);
  auto irqs = b.hv.take_interrupts();
  REQUIRE(irqs.size() == 1);
  CHECK(irqs[0].sint == 2);
}

TEST_CASE("HyperV: per-SINT message queue is bounded by message_queue_depth", "[hyperv]") {
  hvsim::ParamRegistry::instance().set_override("hv.message_queue_depth", "2", {"test", 0, "hv.message_queue_depth"});
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  uint8_t m[4] = {1, 2, 3, 4};
  CHECK(b.hv.post_message(2, 1, m, 4));        // in the slot
  CHECK(b.hv.post_message(2, 1, m, 4));        // queued
  CHECK(b.hv.post_message(2, 1, m, 4));        // queued
  CHECK_FALSE(b.hv.post_message(2, 1, m, 4));  // refused: 2 already waiting
  CHECK(b.hv.queued_messages(2) == 2);
  CHECK(counter("hv.messages.refused") == 1);
  // The one delivered after an EOM keeps MessagePending: another is still queued.
  b.ram.put32(b.slot(2), 0);
  REQUIRE(b.hv.wrmsr(hv::kMsrEom, 0) == Msr::kHandled);
  CHECK(b.ram.u8(b.slot(2) + 5) == hv::kMsgFlagPending);
  CHECK(b.hv.post_message(2, 1, m, 4));
  hvsim::ParamRegistry::instance().clear_overrides();
}

TEST_CASE("HyperV: signal_event sets the SIEFP bit and interrupts on 0 to 1 only", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  REQUIRE(b.hv.signal_event(2, 13));  // channel relid 13
  CHECK(b.ram.u8(kSiefp + 2 * 256 + 1) == (1u << 5));
  auto irqs = b.hv.take_interrupts();
  REQUIRE(irqs.size() == 1);
  CHECK(irqs[0].vector == 0xF3);
  REQUIRE(b.hv.signal_event(2, 13));  // still set: no new edge
  CHECK(b.hv.take_interrupts().empty());
  REQUIRE(b.hv.signal_event(2, 2047));
  CHECK(b.ram.u8(kSiefp + 2 * 256 + 255) == 0x80);
  CHECK(b.hv.take_interrupts().size() == 1);
  CHECK_FALSE(b.hv.signal_event(2, 2048));
  CHECK_FALSE(b.hv.signal_event(16, 0));
  CHECK(counter("hv.events.root_to_guest") == 3);
}

TEST_CASE("HyperV: root messages and events are refused while the SynIC is off", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  uint8_t m[4] = {};
  CHECK_FALSE(b.hv.post_message(2, 1, m, 4));
  CHECK_FALSE(b.hv.signal_event(2, 1));
  REQUIRE(b.hv.wrmsr(hv::kMsrSimp, kSimp | 1) == Msr::kHandled);
  REQUIRE(b.hv.wrmsr(hv::kMsrSint0 + 2, 0xF3) == Msr::kHandled);
  CHECK_FALSE(b.hv.post_message(2, 1, m, 4));  // SCONTROL still 0
  REQUIRE(b.hv.wrmsr(hv::kMsrScontrol, 1) == Msr::kHandled);
  CHECK(b.hv.post_message(2, 1, m, 4));
  CHECK_FALSE(b.hv.signal_event(2, 1));        // SIEFP still disabled
  CHECK_FALSE(b.hv.post_message(2, 0, m, 4));  // HVMSG_NONE is not a message
  CHECK_FALSE(b.hv.post_message(2, 1, m, 241));
  CHECK(counter("hv.messages.refused") == 4);
  CHECK(counter("hv.events.refused") == 2);
  CHECK(b.hv.take_interrupts().size() == 1);
}

TEST_CASE("HyperV: random hypercalls and MSR writes never crash", "[hyperv]") {
  Bench b;
  b.enable_hypercalls();
  b.enable_synic();
  int handled = 0;
  b.hv.on_post_message(1, [&](uint32_t, const uint8_t*, uint32_t n) -> uint16_t {
    ++handled;
    return n <= 240 ? hv::kStatusSuccess : 0xFFFF;
  });
  b.hv.on_signal_event(1, [&](uint16_t) -> uint16_t { return ++handled, hv::kStatusSuccess; });
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < kRamSize; i += 8) b.ram.put64(i, rng());
  const uint64_t codes[] = {hv::kCallPostMessage, hv::kCallSignalEvent, 0x99, 0};
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    uint64_t control = (i % 3 == 0) ? rng() : (codes[rng() % 4] | (rng() % 2 ? hv::kCtlFast : 0));
    uint64_t input = (i % 2) ? rng() : (rng() % (kRamSize + 0x2000)) & ~7ull;
    if (i % 5 == 0) b.ram.put32(input & (kRamSize - 1) & ~3ull, 1);  // sometimes a known connection id
    uint64_t r = b.hv.hypercall(control, input, rng());
    CHECK((r >> 16) == 0);  // only a status; no reps for simple calls
    if (r == hv::kStatusSuccess) ++ok;
    if (i % 97 == 0) b.hv.wrmsr(hv::kMsrSint0 + static_cast<uint32_t>(rng() % 16), rng());
    if (i % 89 == 0) b.hv.wrmsr(hv::kMsrEom, rng());
    if (i % 101 == 0)
      b.hv.post_message(static_cast<unsigned>(rng() % 20), static_cast<uint32_t>(rng()), b.ram.bytes.data(),
                        static_cast<uint32_t>(rng() % 300));
    if (i % 103 == 0) b.hv.signal_event(static_cast<unsigned>(rng() % 20), static_cast<unsigned>(rng() % 3000));
  }
  CHECK(ok == handled);  // a success always came from a handler, never from garbage
  CHECK(handled > 0);
  uint64_t v = 0;
  CHECK(b.hv.rdmsr(hv::kMsrVpIndex, v) == Msr::kHandled);
}
