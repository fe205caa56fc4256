// The vmexit microbenchmarks (guest/vmexit) against the cost profile: each in-guest measurement must
// be the sum of the profile's components on that path plus the guest's own instructions.
//
// Why the bounds are exact: every benchmark body runs in a loop of N iterations and the guest
// subtracts an empty loop of the same shape, so (raw - loop) / N = the operation's exit cost + the
// cycles of the instructions the body adds (CPI 1: one cycle each). No timer interrupt is enabled
// during the loops, and the simulator is deterministic, so nothing else can land in a loop. The
// interrupt round trip also runs guest code in its handler (the stub, the dispatcher and the C
// handler, compiler-dependent), so it gets a bound of [components, components + 150 instructions].
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/system/run_command.h"

using hvsim::test::CommandResult;
using hvsim::test::describe;
using hvsim::test::run_command;

namespace {
const std::string kPlatform = std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml";
const std::string kVmexit = std::string(HVSIM_GUEST_DIR) + "/vmexit.elf";

// The cost components, as the profile files set them.
struct Costs {
  int64_t hw, dispatch, decode, pio, mmio, cpuid, msr, hypercall, fwd, ret, emu, inject, eoi;
};
const Costs kModern{700, 600, 400, 700, 700, 0, 0, 0, 2000, 2000, 450, 300, 200};
const Costs kOlder{800, 1200, 600, 800, 800, 0, 0, 0, 3000, 3000, 650, 400, 0};

std::map<std::string, int64_t> run_vmexit(std::vector<std::string> extra) {
  std::vector<std::string> argv = {HVSIM_BINARY, "run", kPlatform, "--kernel", kVmexit};
  argv.insert(argv.end(), extra.begin(), extra.end());
  CommandResult r = run_command(argv, 240.0);
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  REQUIRE(r.out.find("vmexit: done: ok") != std::string::npos);
  std::map<std::string, int64_t> out;
  for (auto& line : hvsim::test::split_lines(r.out)) {
    std::istringstream in(line);
    std::string tag, name, unit;
    int64_t cycles = 0;
    if (in >> tag >> name >> cycles >> unit && tag == "vmexit:" && unit == "cycles/op") out[name] = cycles;
  }
  return out;
}

// Expected cycles per operation on each path (components + the instructions the body adds).
std::map<std::string, int64_t> expected(const Costs& c) {
  int64_t exit = c.hw + c.dispatch;
  int64_t root = exit + c.fwd + c.emu + c.ret;
  return {
      {"cpuid", exit + c.cpuid + 1},                // cpuid
      {"vmcall", exit + c.hypercall + 3},           // call; vmcall; ret (the page holds VMCALL; RET)
      {"inl_hypervisor", exit + c.pio + 1},         // inl %dx
      {"inl_root", root + 1},                       // inl $0xE0
      {"mmio_root", root + c.decode + 1},           // mov 0xFEB00000
      {"rdmsr_synthetic", exit + c.msr + 1},        // rdmsr
      {"wrmsr_synthetic", exit + c.msr + 1},        // wrmsr
      {"mmio_passthrough", 1},                      // mov 0xFEB01000: no exit
  };
}

// Trigger OUT (root) + external-interrupt exit + injection + handler OUT (root) + EOI exit.
int64_t irq_components(const Costs& c) {
  int64_t exit = c.hw + c.dispatch;
  int64_t root = exit + c.fwd + c.emu + c.ret;
  return root + exit + c.inject + root + exit + c.eoi;
}

void check_profile(const std::map<std::string, int64_t>& got, const Costs& c) {
  for (auto& [name, want] : expected(c)) {
    INFO(name);
    REQUIRE(got.count(name));
    CHECK(got.at(name) == want);
  }
  REQUIRE(got.count("irq_roundtrip"));
  CHECK(got.at("irq_roundtrip") >= irq_components(c));
  CHECK(got.at("irq_roundtrip") <= irq_components(c) + 150);
}
}  // namespace

TEST_CASE("vmexit: each path costs exactly its profile components (modern-intel)", "[vmexit]") {
  auto got = run_vmexit({"--profile", "modern-intel"});
  check_profile(got, kModern);
}

TEST_CASE("vmexit: each path costs exactly its profile components (older-intel-2012)", "[vmexit]") {
  auto got = run_vmexit({"--profile", "older-intel-2012"});
  check_profile(got, kOlder);
}

TEST_CASE("vmexit: the default profile is modern-intel", "[vmexit]") {
  CHECK(run_vmexit({}) == run_vmexit({"--profile", "modern-intel"}));
}

TEST_CASE("vmexit: one -p change moves exactly the paths that use it, by that amount", "[vmexit]") {
  auto base = run_vmexit({});
  auto decode = run_vmexit({"-p", "hv.mmio.decode=1000"});  // +600 on MMIO exits only
  for (auto& [name, v] : base) CHECK(decode.at(name) - v == (name == "mmio_root" ? 600 : 0));
  auto forward = run_vmexit({"-p", "hv.root.forward=3000"});  // +1000 on every root-forwarded exit
  std::map<std::string, int64_t> moved = {{"inl_root", 1000}, {"mmio_root", 1000}, {"irq_roundtrip", 2000}};
  for (auto& [name, v] : base) CHECK(forward.at(name) - v == (moved.count(name) ? moved[name] : 0));
  auto eoi = run_vmexit({"-p", "hv.eoi.virtualized=true"});  // the EOI exit becomes a 75-cycle virtual EOI
  for (auto& [name, v] : base)
    CHECK(eoi.at(name) - v == (name == "irq_roundtrip" ? 75 - (kModern.hw + kModern.dispatch + kModern.eoi) : 0));
}

TEST_CASE("vmexit: cpuid ~ vmcall < hypervisor PIO < root PIO < root MMIO under both profiles", "[vmexit]") {
  for (const char* profile : {"modern-intel", "older-intel-2012"}) {
    INFO(profile);
    auto g = run_vmexit({"--profile", profile});
    CHECK(std::abs(g.at("cpuid") - g.at("vmcall")) <= 10);
    CHECK(g.at("vmcall") < g.at("inl_hypervisor"));
    CHECK(g.at("inl_hypervisor") < g.at("inl_root"));
    CHECK(g.at("inl_root") < g.at("mmio_root"));
    CHECK(g.at("mmio_passthrough") < g.at("cpuid"));
  }
}

TEST_CASE("hyperv-detect: Linux's detection and setup sequence succeeds; malformed calls get TLFS codes",
          "[vmexit][hyperv]") {
  CommandResult r = run_command({HVSIM_BINARY, "run", kPlatform, "--kernel",
                                 std::string(HVSIM_GUEST_DIR) + "/hyperv-detect.elf"}, 240.0);
  INFO(describe(r));
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("hyperv-detect: done: ok") != std::string::npos);
  CHECK(r.out.find("FAIL") == std::string::npos);
  // SynIC delivery: the root echo service posts the message back; it arrives as one SINT2 interrupt
  // (AutoEOI) with the payload in SIMP slot 2.
  CHECK(r.out.find("hyperv-detect: synic echo: ok post status 0x0, 1 interrupt(s) on vector 0xf3, slot 2 type 7, "
                   "payload matches") != std::string::npos);
  // TLFS status codes: 2 = HV_STATUS_INVALID_HYPERCALL_CODE, 3 = HV_STATUS_INVALID_HYPERCALL_INPUT,
  // 4 = HV_STATUS_INVALID_ALIGNMENT.
  CHECK(r.out.find("hyperv-detect: unknown call code: ok 0x0000: status 0x2") != std::string::npos);
  CHECK(r.out.find("hyperv-detect: rep count on non-rep call: ok post message, rep count 1: status 0x3") !=
        std::string::npos);
  CHECK(r.out.find("hyperv-detect: misaligned input gpa: ok post message at page+4: status 0x4") != std::string::npos);
}

TEST_CASE("vmexit: the trace shows each exit with its components nested, and the root vCPU's work",
          "[vmexit][trace]") {
  const std::string trace = "/tmp/hvsim_vmexit_trace.json";
  CommandResult r = run_command({HVSIM_BINARY, "run", kPlatform, "--kernel", kVmexit, "--trace", trace}, 240.0);
  REQUIRE(r.exit_status == 1);
  std::ifstream f(trace);
  REQUIRE(f);
  auto j = nlohmann::json::parse(f);
  // Find one root-forwarded exit to the test device and check what lies inside it.
  const nlohmann::json* outer = nullptr;
  for (auto& e : j["traceEvents"])
    if (e.value("cat", "") == "exit" && e.value("name", "") == "IO_INSTRUCTION testdev") {
      outer = &e;
      break;
    }
  REQUIRE(outer);
  double ts = (*outer)["ts"], end = ts + (*outer)["dur"].get<double>();
  std::vector<std::string> inside;
  bool root_work = false;
  for (auto& e : j["traceEvents"]) {
    if (e.value("ph", "") != "X") continue;
    double t = e["ts"];
    if (e.value("cat", "") == "exit.component" && e["tid"] == (*outer)["tid"] && t >= ts && t < end)
      inside.push_back(e["name"]);
    if (e.value("cat", "") == "root" && e.value("name", "") == "emulate testdev" && t >= ts && t < end) root_work = true;
  }
  CHECK(inside == std::vector<std::string>{"exit.hw_roundtrip", "exit.dispatch", "root.forward",
                                           "root.device_emulation", "root.return"});
  CHECK(root_work);
  CHECK((*outer)["args"]["cycles"] == 5750);
}

TEST_CASE("vmexit: MSR and CPUID intercepts come from the platform description", "[vmexit]") {
  // The same platform, but VP_INDEX reads are forwarded to the root partition and leaf 0x40000000
  // goes there too: exactly those two benchmarks move, to the root path's cost.
  std::ifstream in(kPlatform);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string anchor = "    type: hypervisor\n";
  auto at = yaml.find(anchor);
  REQUIRE(at != std::string::npos);
  yaml.insert(at + anchor.size(),
              "    msr_intercepts: \"0x40000002:root\"\n    cpuid_intercepts: \"0x40000000-0x400000ff:root\"\n");
  const std::string variant = "/tmp/hvsim_pc_msr_root.yaml";
  std::ofstream(variant) << yaml;
  auto base = run_vmexit({});
  std::vector<std::string> argv = {HVSIM_BINARY, "run", variant, "--kernel", kVmexit};
  CommandResult r = run_command(argv, 240.0);
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  std::map<std::string, int64_t> got;
  for (auto& line : hvsim::test::split_lines(r.out)) {
    std::istringstream ls(line);
    std::string tag, name, unit;
    int64_t cycles = 0;
    if (ls >> tag >> name >> cycles >> unit && tag == "vmexit:" && unit == "cycles/op") got[name] = cycles;
  }
  const int64_t root_extra = kModern.fwd + kModern.emu + kModern.ret;  // what forwarding adds
  for (auto& [name, v] : base) {
    INFO(name);
    int64_t want = v + ((name == "rdmsr_synthetic" || name == "cpuid") ? root_extra : 0);
    CHECK(got.at(name) == want);
  }
}
