// The emulated disk path end to end: guest/disk-bench drives the PIIX4 IDE model of platforms/pc.yaml
// (legacy ports and bus-master DMA, every access a VM exit to the root partition) over a real image
// file. Checks: the guest's own verification, the image holding exactly the guest's writes, --snapshot
// leaving the base untouched, the same verification output as under qemu-system-i386, and clear
// errors for a bad image. The measurements themselves run in the main job (scripts/run-main.sh); these
// tests pass `measure=0` to stay fast.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "disk_pattern.h"
#include "run_command.h"

using hvsim::test::CommandResult;
using hvsim::test::describe;
using hvsim::test::run_command;

namespace {
const std::string kPlatform = std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml";
const std::string kDiskBench = std::string(HVSIM_GUEST_DIR) + "/disk-bench.elf";
constexpr double kTimeout = 600.0;  // generous for the sanitizer build

CommandResult run_hvsim(const std::string& image, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {HVSIM_BINARY, "run", kPlatform, "--kernel", kDiskBench, "--disk", image,
                                   "-p", "vm0.cpu0.cmdline=measure=0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_command(argv, kTimeout);
}

// The lines every correct platform prints identically (`disk-bench: ...`, not `disk-bench.platform:`).
std::vector<std::string> functional_lines(const std::string& out) {
  std::vector<std::string> lines;
  for (const auto& l : hvsim::test::split_lines(out))
    if (l.rfind("disk-bench: ", 0) == 0) lines.push_back(l);
  return lines;
}

int ok_verify_lines(const std::vector<std::string>& lines) {
  int n = 0;
  for (const auto& l : lines)
    if (l.rfind("disk-bench: verify ", 0) == 0 && l.size() > 4 && l.substr(l.size() - 4) == ": ok") ++n;
  return n;
}
}  // namespace

TEST_CASE("hvsim disk-bench verifies PIO and DMA through the PIIX4 and the image holds exactly its writes",
          "[system][disk]") {
  hvsim::test::TempImage image;
  REQUIRE_FALSE(image.path.empty());
  const CommandResult r = run_hvsim(image.path, {"--stats", image.path + ".stats.json"});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  const auto lines = functional_lines(r.out);
  CHECK(ok_verify_lines(lines) == hvsim::test::kDiskVerifyLines);
  CHECK(std::find(lines.begin(), lines.end(), "disk-bench: done: ok") != lines.end());
  // The guest found the controller where the platform put it, in legacy mode with bus mastering.
  CHECK(r.out.find("disk-bench.platform: controller 00:01.1 8086:7111 prog-if 0x80") != std::string::npos);
  CHECK(r.out.find("disk-bench: dma: available") != std::string::npos);
  // Every task-file and bus-master access was a root-forwarded exit.
  CHECK(r.out.find("IO_INSTRUCTION.root") != std::string::npos);
  const std::string diff =
      hvsim::test::check_disk_bench_image(hvsim::test::read_file_bytes(image.path), /*measured=*/false);
  if (!diff.empty()) FAIL(diff);
  std::remove((image.path + ".stats.json").c_str());
}

TEST_CASE("hvsim --snapshot leaves the base image byte-identical", "[system][disk]") {
  hvsim::test::TempImage image;
  REQUIRE_FALSE(image.path.empty());
  {  // a recognizable base: every sector starts with its LBA
    FILE* f = std::fopen(image.path.c_str(), "r+b");
    REQUIRE(f);
    for (uint32_t lba = 0; lba < hvsim::test::kDiskImageBytes / hvsim::test::kDiskSector; lba += 7) {
      std::fseek(f, static_cast<long>(lba) * hvsim::test::kDiskSector, SEEK_SET);
      std::fwrite(&lba, sizeof lba, 1, f);
    }
    std::fclose(f);
  }
  const std::vector<uint8_t> before = hvsim::test::read_file_bytes(image.path);
  const CommandResult r = run_hvsim(image.path, {"--snapshot"});
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  CHECK(ok_verify_lines(functional_lines(r.out)) == hvsim::test::kDiskVerifyLines);  // reads see its writes
  CHECK(hvsim::test::read_file_bytes(image.path) == before);
}

TEST_CASE("disk-bench prints the same verification lines under hvsim and qemu-system-i386", "[system][disk][qemu]") {
  const std::string qemu = hvsim::test::find_in_path("qemu-system-i386");
  if (qemu.empty()) FAIL("qemu-system-i386 not found in PATH (scripts/setup.sh installs it); it is the reference");
  hvsim::test::TempImage a, b;
  REQUIRE_FALSE(a.path.empty());
  REQUIRE_FALSE(b.path.empty());
  const CommandResult q = run_command(
      {qemu, "-machine", "pc", "-nodefaults", "-display", "none", "-serial", "stdio", "-device",
       "isa-debug-exit,iobase=0x501,iosize=2", "-no-reboot", "-drive", "file=" + a.path + ",format=raw,if=ide",
       "-kernel", kDiskBench, "-append", "measure=0"},
      kTimeout);
  INFO(describe(q));
  REQUIRE(q.exit_status == 1);
  const CommandResult h = run_hvsim(b.path);
  INFO(describe(h));
  REQUIRE(h.exit_status == 1);
  const auto ql = functional_lines(q.out), hl = functional_lines(h.out);
  CHECK(ok_verify_lines(ql) == hvsim::test::kDiskVerifyLines);
  CHECK(hl == ql);
  // Both left the same bytes on their disks.
  CHECK(hvsim::test::read_file_bytes(a.path) == hvsim::test::read_file_bytes(b.path));
}

TEST_CASE("a missing disk image is one clear error before the run", "[system][disk]") {
  const CommandResult r = run_hvsim("/nonexistent/hvsim-disk.img");
  INFO(describe(r));
  CHECK(r.exit_status == 2);
  CHECK(r.err.find("/nonexistent/hvsim-disk.img") != std::string::npos);
  CHECK(r.err.find("--disk") != std::string::npos);
  CHECK(r.out.find("disk-bench: start") == std::string::npos);  // the guest never ran
}

TEST_CASE("disk option naming an unknown component that does not exist is an error", "[system][disk]") {
  hvsim::test::TempImage image;
  const CommandResult r = run_command({HVSIM_BINARY, "run", kPlatform, "--kernel", kDiskBench, "--disk",
                                       "nodisk=" + image.path},
                                      60.0);
  INFO(describe(r));
  CHECK(r.exit_status == 2);
  CHECK(r.err.find("no ata_disk component named 'nodisk'") != std::string::npos);
}

TEST_CASE("on an HDD-like disk random 4 KiB reads pay seeks and sequential ones do not", "[system][disk]") {
  hvsim::test::TempImage image;
  REQUIRE_FALSE(image.path.empty());
  const CommandResult r = run_command(
      {HVSIM_BINARY, "run", kPlatform, "--kernel", kDiskBench, "--disk", image.path, "-p",
       "vm0.cpu0.cmdline=verify=0 mode=dma size=4096", "-p", "vm0.disk0.seek_time=8500000000", "-p",
       "vm0.disk0.track_to_track_seek=800000000", "-p", "vm0.disk0.rpm=7200"},
      kTimeout);
  INFO(describe(r));
  REQUIRE(r.exit_status == 1);
  // p50 latency in us of the `dma <order> read 4096` line.
  auto p50_us = [&](const std::string& order) {
    for (const auto& l : hvsim::test::split_lines(r.out)) {
      if (l.rfind("disk-bench.platform: dma " + order + " read 4096 ", 0) != 0) continue;
      const size_t at = l.find(" p50_us=");
      return at == std::string::npos ? -1.0 : std::atof(l.c_str() + at + 8);
    }
    return -1.0;
  };
  const double seq = p50_us("seq"), rnd = p50_us("rand");
  INFO("seq p50 " << seq << " us, rand p50 " << rnd << " us");
  REQUIRE(seq > 0);
  // Streaming on costs no positioning: the SSD-like figure of the default disk (231 us).
  CHECK(seq < 300);
  // A random request adds a seek (0.8-15.2 ms by the square-root curve) and half a turn (4.17 ms).
  CHECK(rnd > seq + 4167 + 800);
  CHECK(rnd < seq + 4167 + 15200);
}
