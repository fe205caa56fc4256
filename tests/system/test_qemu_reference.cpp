// Guest kernels under qemu-system-i386 as a functional reference, and hvsim against that reference.
//
// Console convention of the guests (guest/README.md): "<guest>: ..." lines are platform-independent,
// "<guest>.platform: ..." lines depend on the machine. hello's "hello: " lines must be identical under
// QEMU and hvsim. Exit status: debug_exit(v) at port 0x501 ends QEMU (isa-debug-exit) and hvsim with
// process status (v << 1) | 1, so a guest returning 0 gives 1.
//
// qemu-system-i386 is required: a missing QEMU fails these tests (it is never skipped silently).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "run_command.h"

using hvsim::test::CommandResult;

namespace {

constexpr double kTimeoutSeconds = 60.0;

std::string guest_elf(const std::string& name) { return std::string(HVSIM_GUEST_DIR) + "/" + name + ".elf"; }

// Runs a guest kernel under QEMU's PC machine with the isa-debug-exit device.
CommandResult run_qemu(const std::string& guest) {
  const std::string qemu = hvsim::test::find_in_path("qemu-system-i386");
  if (qemu.empty()) {
    FAIL("qemu-system-i386 not found in PATH. It is the functional reference for the guest kernels and is "
         "required: install it (Debian/Ubuntu: apt-get install qemu-system-x86; scripts/setup.sh does).");
    return {};
  }
  const std::string kernel = guest_elf(guest);
  if (!hvsim::test::file_exists(kernel)) {
    FAIL("guest kernel " << kernel << " is missing (build the hvsim_guests target)");
    return {};
  }
  return hvsim::test::run_command({qemu, "-machine", "pc", "-nodefaults", "-display", "none", "-serial", "stdio",
                                   "-device", "isa-debug-exit,iobase=0x501,iosize=2", "-no-reboot", "-kernel",
                                   kernel},
                                  kTimeoutSeconds);
}

// Runs a guest kernel under hvsim on the default PC platform.
CommandResult run_hvsim(const std::string& guest) {
  const std::string hvsim = HVSIM_BINARY;
  if (!hvsim::test::file_exists(hvsim)) {
    FAIL("hvsim binary " << hvsim << " is missing");
    return {};
  }
  const std::string kernel = guest_elf(guest);
  if (!hvsim::test::file_exists(kernel)) {
    FAIL("guest kernel " << kernel << " is missing (build the hvsim_guests target)");
    return {};
  }
  return hvsim::test::run_command(
      {hvsim, "run", std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml", "--kernel", kernel}, kTimeoutSeconds);
}

// The guest's console: hvsim prints it on stdout, followed by a summary block that starts with a line
// "=== hvsim summary"; QEMU prints only the console.
std::vector<std::string> console_lines(const std::string& stdout_text) {
  std::vector<std::string> lines;
  for (const auto& l : hvsim::test::split_lines(stdout_text)) {
    if (l.rfind("=== hvsim summary", 0) == 0) break;
    lines.push_back(l);
  }
  return lines;
}

// Lines that start with `prefix` (e.g. "hello: ").
std::vector<std::string> lines_with_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

// The rest of the first line that starts with `prefix`.
std::optional<std::string> value_after(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& l : lines)
    if (l.rfind(prefix, 0) == 0) return l.substr(prefix.size());
  return std::nullopt;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& l : lines)
    if (l == line) return true;
  return false;
}

// Parses a number written as "0x..." (hex) or decimal; returns nullopt if the text is not entirely one.
std::optional<uint64_t> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t pos = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(text, &pos, 0);
  } catch (...) {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return v;
}

constexpr uint64_t kMissing = ~uint64_t{0};

// The number that ends the first line starting with `prefix`, or kMissing.
uint64_t number_after(const std::vector<std::string>& lines, const std::string& prefix) {
  auto v = value_after(lines, prefix);
  if (!v) return kMissing;
  return parse_number(*v).value_or(kMissing);
}

// Text of `line` between `key` and the next space (or the end); "<missing>" if `key` is absent.
std::string field(const std::string& line, const std::string& key) {
  size_t p = line.find(key);
  if (p == std::string::npos) return "<missing>";
  p += key.size();
  size_t e = line.find(' ', p);
  return line.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// CRC-32 (IEEE, reflected), the same definition the guest runtime documents.
uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

// hello's deterministic checksum: CRC-32 of 65536 bytes, each the low byte of successive xorshift32
// states (13, 17, 5) from the seed 0x12345678.
uint32_t hello_pattern_checksum() {
  std::vector<uint8_t> bytes(65536);
  uint32_t x = 0x12345678u;
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return crc32(bytes.data(), bytes.size());
}

// The compute guest's loop (guest/compute/main.c), evaluated on the host. With i running from N down
// to 1:  S += i*i;  H = rotl(H, 5) ^ (i*i) (H0 = 0x9E3779B9);  buf[i & 255] += i;
// W = sum over k of (k + 1) * buf[k]; checksum = S ^ H ^ W (all mod 2^32).
// S and buf[] use closed forms (no loop); H has none and is iterated.
struct ComputeExpected {
  uint32_t sum_sq, hash, weighted, checksum;
  uint64_t roi_instructions;
};

ComputeExpected compute_expected(uint64_t n) {
  ComputeExpected e{};
  // sum of squares 1..n = n(n+1)(2n+1)/6, exact in 64 bits for n <= 2^20.
  REQUIRE(n <= (1u << 20));
  e.sum_sq = static_cast<uint32_t>(n * (n + 1) * (2 * n + 1) / 6);
  uint32_t h = 0x9E3779B9u;
  for (uint64_t i = n; i != 0; --i) {
    uint32_t sq = static_cast<uint32_t>(i * i);
    h = ((h << 5) | (h >> 27)) ^ sq;
  }
  e.hash = h;
  // buf[k] = sum of the i in 1..n with i = k (mod 256): an arithmetic series.
  uint32_t w = 0;
  for (uint64_t k = 0; k < 256; ++k) {
    uint64_t first = k == 0 ? 256 : k;
    uint64_t sum = 0;
    if (first <= n) {
      uint64_t count = (n - first) / 256 + 1;
      sum = count * first + 256 * (count * (count - 1) / 2);
    }
    w += static_cast<uint32_t>(k + 1) * static_cast<uint32_t>(sum);
  }
  e.weighted = w;
  e.checksum = e.sum_sq ^ e.hash ^ e.weighted;
  e.roi_instructions = 10 * n + 1;  // 10 instructions per iteration + the ROI-end marker's mov
  return e;
}

constexpr uint64_t kComputeIterations = 1000000;  // COMPUTE_N in guest/compute/main.c

}  // namespace

TEST_CASE("qemu reference: hello boots and passes its own checks", "[qemu][guest]") {
  CommandResult r = run_qemu("hello");
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_status == 1);  // debug_exit(0)

  auto lines = console_lines(r.out);
  CHECK(has_line(lines, "hello: hvsim guest runtime: hello"));
  CHECK(has_line(lines, "hello: multiboot magic 0x2badb002: ok"));
  CHECK(has_line(lines, "hello: multiboot memory info: present"));
  auto selftest = value_after(lines, "hello: printf self-test: ");
  REQUIRE(selftest);
  int ok = -1, total = -2;
  CHECK(std::sscanf(selftest->c_str(), "%d/%d ok", &ok, &total) == 2);
  CHECK(ok == total);
  CHECK(total >= 10);
  CHECK(has_line(lines,
                 "hello: printf sample: [-42] [4294967295] [deadbeef] [CAFE] [0000abcd] [17    ] [   ab] [Z] [%] "
                 "[-9000000000] [18446744073709551615] [123456789abcdef0] [0x00100000]"));
  CHECK(has_line(lines, "hello: crc32(\"123456789\")=0xcbf43926: ok"));
  CHECK(has_line(lines, "hello: checksum crc32(xorshift32 pattern, 65536 bytes)=" + hex32(hello_pattern_checksum())));
  CHECK(has_line(lines, "hello: pci configuration mechanism #1: present"));
  CHECK(has_line(lines, "hello: done: ok"));

  // Platform lines: QEMU's loader gives memory info and a map; the PCI scan finds the host bridge.
  CHECK(value_after(lines, "hello.platform: mem_lower="));
  CHECK(value_after(lines, "hello.platform: mmap[0] "));
  CHECK(value_after(lines, "hello.platform: pci 00:00.0 "));
  CHECK(has_line(lines, "hello.platform: hvsim measure port 0x508: absent"));
}

TEST_CASE("hvsim vs qemu: hello's platform-independent console lines agree", "[qemu][hvsim][guest]") {
  CommandResult q = run_qemu("hello");
  CommandResult h = run_hvsim("hello");
  INFO("qemu: " << hvsim::test::describe(q));
  INFO("hvsim: " << hvsim::test::describe(h));
  REQUIRE(q.started);
  REQUIRE(h.started);
  CHECK_FALSE(q.timed_out);
  CHECK_FALSE(h.timed_out);
  CHECK(q.exit_status == 1);
  CHECK(h.exit_status == 1);

  bool has_summary = false;
  for (const auto& l : hvsim::test::split_lines(h.out))
    if (l.rfind("=== hvsim summary", 0) == 0) has_summary = true;
  CHECK(has_summary);

  auto qemu_common = lines_with_prefix(console_lines(q.out), "hello: ");
  auto hvsim_common = lines_with_prefix(console_lines(h.out), "hello: ");
  CHECK(qemu_common.size() >= 8);
  CHECK(hvsim_common == qemu_common);
  // hvsim identifies itself through the measure port; QEMU does not.
  CHECK(has_line(console_lines(h.out), "hello.platform: hvsim measure port 0x508: present"));
}

TEST_CASE("qemu reference: compute's checksum equals the closed form", "[qemu][guest]") {
  const ComputeExpected e = compute_expected(kComputeIterations);
  CommandResult r = run_qemu("compute");
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_status == 1);

  auto lines = console_lines(r.out);
  CHECK(number_after(lines, "compute: iterations=") == kComputeIterations);
  CHECK(number_after(lines, "compute: roi_instructions_expected=") == e.roi_instructions);
  CHECK(number_after(lines, "compute: sum_sq=") == e.sum_sq);
  CHECK(number_after(lines, "compute: hash=") == e.hash);
  CHECK(number_after(lines, "compute: buf_weighted_sum=") == e.weighted);
  CHECK(has_line(lines, "compute: checksum=" + hex32(e.checksum)));
  CHECK(has_line(lines, "compute: self-check: ok"));
  CHECK(has_line(lines, "compute: done: ok"));
}

// Under QEMU the exception reaches the guest's own IDT handler, which prints it and ends with
// debug_exit(2) (status 5). (hvsim reports guest faults itself: Unicorn 2.0.1 never vectors them.)
TEST_CASE("qemu reference: fault-gp takes #GP on the DS load", "[qemu][guest]") {
  CommandResult r = run_qemu("fault-gp");
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_status == 5);

  auto lines = console_lines(r.out);
  CHECK(has_line(lines, "fault-gp: about to fault"));
  CHECK_FALSE(value_after(lines, "fault-gp: fault NOT taken"));
  auto insn = value_after(lines, "fault-gp: faulting instruction at ");
  auto caught = value_after(lines, "fault-gp: caught exception ");
  REQUIRE(insn);
  REQUIRE(caught);
  CHECK(field(*caught, "vector=") == "13");
  CHECK(field(*caught, "error=") == "0x18");  // the selector
  CHECK(field(*caught, "eip=") == *insn);
}

TEST_CASE("qemu reference: fault-pf takes #PF at the printed address", "[qemu][guest]") {
  CommandResult r = run_qemu("fault-pf");
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_status == 5);

  auto lines = console_lines(r.out);
  auto paging = value_after(lines, "fault-pf: paging on ");
  REQUIRE(paging);
  CHECK(paging->find("present-page probe ok") != std::string::npos);
  CHECK_FALSE(value_after(lines, "fault-pf: fault NOT taken"));
  auto insn = value_after(lines, "fault-pf: faulting instruction at ");
  auto touch = value_after(lines, "fault-pf: about to touch ");
  auto caught = value_after(lines, "fault-pf: caught exception ");
  REQUIRE(insn);
  REQUIRE(touch);
  REQUIRE(caught);
  CHECK(field(*caught, "vector=") == "14");
  CHECK(field(*caught, "error=") == "0x2");  // not present, write, supervisor
  CHECK(field(*caught, "eip=") == *insn);
  CHECK(field(*caught, "cr2=") == touch->substr(0, touch->find(' ')));  // "0x00103123 (write)"
}
