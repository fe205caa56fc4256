// Full-system runs of the hvsim CLI on the guest kernels.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/system/run_command.h"

using hvsim::test::CommandResult;
using hvsim::test::describe;
using hvsim::test::run_command;

namespace {
const std::string kPlatform = std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml";
std::string guest(const std::string& name) { return std::string(HVSIM_GUEST_DIR) + "/" + name + ".elf"; }

CommandResult hvsim_run(const std::string& kernel, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {HVSIM_BINARY, "run", kPlatform, "--kernel", kernel};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_command(argv, 240.0);
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  REQUIRE(f);
  return nlohmann::json::parse(f);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The number after `prefix` on the first console line that starts with it.
uint64_t number_after(const std::string& out, const std::string& prefix) {
  for (auto& line : hvsim::test::split_lines(out))
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size()), nullptr, 0);
  FAIL("no console line starting with " << prefix);
  return 0;
}
}  // namespace

TEST_CASE("hvsim: hello boots, prints on COM1 and exits through debug-exit", "[hvsim]") {
  CommandResult r = hvsim_run(guest("hello"));
  INFO(describe(r));
  REQUIRE(r.exited);
  CHECK(r.exit_status == 1);  // debug-exit value 0 -> (0<<1)|1
  CHECK(r.out.find("hello: done: ok") != std::string::npos);
  CHECK(r.out.find("=== hvsim summary") != std::string::npos);
  CHECK(r.out.find("guest exit") != std::string::npos);
  CHECK(r.out.find("hello.platform: pci 00:00.0 8086:7192") != std::string::npos);
}

TEST_CASE("hvsim: compute's region of interest has exactly the instructions the guest executes", "[hvsim]") {
  const std::string stats = "/tmp/hvsim_system_compute.json";
  CommandResult r = hvsim_run(guest("compute"), {"--stats", stats});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  // The guest counts the instructions strictly between its two marker OUTs; the region hvsim
  // measures also contains the closing marker instruction itself.
  uint64_t between = number_after(r.out, "compute: roi_instructions_expected=");
  auto j = read_json(stats);
  CHECK(j["roi_count"] == 1);
  CHECK(j["roi"]["vm0"]["cpu0"]["instructions"].get<uint64_t>() == between + 1);
  CHECK(j["roi"]["vm0"]["cpu0"]["cycles"].get<uint64_t>() == between + 1);  // CPI 1, no device in the region
  // Whole run: cycles = instructions x CPI + exits + device stalls + idle, and the hypervisor's own
  // account of exit cycles matches the vCPU's.
  auto total = j["total"]["vm0"]["cpu0"];
  CHECK(total["cycles"].get<uint64_t>() ==
        total["instructions"].get<uint64_t>() + total["exit_cycles"].get<uint64_t>() +
            total["stall_cycles"].get<uint64_t>() + total["idle_cycles"].get<uint64_t>());
  CHECK(total["exit_cycles"].get<uint64_t>() > 0);
  CHECK(total["exit_cycles"].get<uint64_t>() == j["total"]["vm0"]["hv"]["exit_cycles"].get<uint64_t>());
  // RDTSC answers simulated cycles: the guest's own TSC delta brackets the region.
  uint64_t tsc = number_after(r.out, "compute.platform: roi_tsc_cycles=");
  CHECK(tsc >= between);
  CHECK(tsc <= between + 32);
}

TEST_CASE("hvsim: cycles follow the CPI parameter exactly", "[hvsim]") {
  const std::string stats = "/tmp/hvsim_system_compute_cpi.json";
  CommandResult r = hvsim_run(guest("compute"), {"--stats", stats, "-p", "vm0.cpu0.cpi=2.5"});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  auto roi = read_json(stats)["roi"]["vm0"]["cpu0"];
  uint64_t insns = roi["instructions"].get<uint64_t>();
  CHECK(insns == number_after(r.out, "compute: roi_instructions_expected=") + 1);
  CHECK(roi["cycles"].get<uint64_t>() == insns * 5 / 2);
}

TEST_CASE("hvsim: the same guest run twice gives byte-identical statistics", "[hvsim]") {
  const std::string a = "/tmp/hvsim_det_a.json", b = "/tmp/hvsim_det_b.json", ca = "/tmp/hvsim_det_a.csv",
                    cb = "/tmp/hvsim_det_b.csv";
  CommandResult r1 = hvsim_run(guest("hello"), {"--stats", a, "--stats-csv", ca});
  CommandResult r2 = hvsim_run(guest("hello"), {"--stats", b, "--stats-csv", cb});
  REQUIRE(r1.exit_status == 1);
  REQUIRE(r2.exit_status == 1);
  std::string ja = read_file(a), jb = read_file(b);
  CHECK(ja.size() > 100);
  CHECK(ja == jb);
  CHECK(read_file(ca) == read_file(cb));
}

TEST_CASE("hvsim: a guest #GP ends the run with a clear report and status 3", "[hvsim]") {
  CommandResult r = hvsim_run(guest("fault-gp"));
  INFO(describe(r));
  CHECK(r.exit_status == 3);
  uint64_t rip = number_after(r.out, "fault-gp: faulting instruction at ");
  std::ostringstream want;
  want << "vector 13) at RIP 0x" << std::hex << rip;
  CHECK(r.err.find(want.str()) != std::string::npos);
  CHECK(r.out.find("fault-gp: caught") == std::string::npos);  // the report comes from hvsim, not the guest
}

TEST_CASE("hvsim: a guest #PF reports vector, RIP and CR2", "[hvsim]") {
  CommandResult r = hvsim_run(guest("fault-pf"));
  INFO(describe(r));
  CHECK(r.exit_status == 3);
  uint64_t rip = number_after(r.out, "fault-pf: faulting instruction at ");
  uint64_t cr2 = number_after(r.out, "fault-pf: about to touch ");
  std::ostringstream want;
  want << "vector 14) at RIP 0x" << std::hex << rip << ", CR2 0x" << cr2;
  CHECK(r.err.find(want.str()) != std::string::npos);
}

TEST_CASE("hvsim: bad parameters and kernels are one clear error with status 2", "[hvsim]") {
  CommandResult r = hvsim_run(guest("hello"), {"-p", "vm0.cpu0.cpj=2"});
  CHECK(r.exit_status == 2);
  CHECK(r.err.find("vm0.cpu0.cpj") != std::string::npos);
  CHECK(r.err.find("command line") != std::string::npos);
  r = hvsim_run("/tmp/hvsim_no_such_kernel.elf");
  CHECK(r.exit_status == 2);
  CHECK(r.err.find("/tmp/hvsim_no_such_kernel.elf") != std::string::npos);
  r = hvsim_run(guest("hello"), {"-p", "vm0.cpu0.cpi=fast"});
  CHECK(r.exit_status == 2);
  CHECK(r.err.find("fast") != std::string::npos);
}

TEST_CASE("hvsim: --max-time stops a running guest at the limit with status 124", "[hvsim]") {
  CommandResult r = hvsim_run(guest("compute"), {"--max-time", "1ms"});
  INFO(describe(r));
  CHECK(r.exit_status == 124);
  CHECK(r.out.find("time limit") != std::string::npos);
}

TEST_CASE("hvsim: --trace writes a Chrome trace and params lists every parameter", "[hvsim]") {
  const std::string trace = "/tmp/hvsim_system_trace.json";
  CommandResult r = hvsim_run(guest("compute"), {"--trace", trace});
  REQUIRE(r.exit_status == 1);
  auto j = read_json(trace);
  CHECK(j.contains("traceEvents"));
  bool roi_marker = false;
  for (auto& e : j["traceEvents"])
    if (e.contains("name") && e["name"].get<std::string>().find("roi") != std::string::npos) roi_marker = true;
  CHECK(roi_marker);
  CommandResult p = run_command({HVSIM_BINARY, "params", kPlatform});
  CHECK(p.exit_status == 0);
  CHECK(p.out.find("vm0.cpu0.cpi  real  1  cycles/instruction") != std::string::npos);
  CHECK(p.out.find("vm0.ram.size") != std::string::npos);
}
