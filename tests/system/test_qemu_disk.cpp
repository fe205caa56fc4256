// disk-bench (guest/disk-bench, driver guest/drivers/ata.c) under qemu-system-i386 as the functional
// reference for the ATA driver: the guest writes known patterns through PIO and bus-master DMA, reads
// them back and reports `disk-bench: verify <mode> <size>: ok`. Afterwards the test checks on the host
// that the image holds exactly what the guest wrote and that every other sector is still zero.
//
// The disk layout is in disk_pattern.cpp (it must match guest/disk-bench/main.c).
//
// qemu-system-i386 is required: a missing QEMU fails this test (it is never skipped silently).
#include <catch2/catch.hpp>

#include <string>

#include "disk_pattern.h"
#include "run_command.h"

namespace {
constexpr double kTimeoutSeconds = 180.0;
}  // namespace

TEST_CASE("qemu disk-bench verifies PIO and DMA and writes exactly its pattern", "[system][qemu][disk]") {
  const std::string qemu = hvsim::test::find_in_path("qemu-system-i386");
  if (qemu.empty()) {
    FAIL("qemu-system-i386 not found in PATH. It is the functional reference for the guest ATA driver and is "
         "required: install it (Debian/Ubuntu: apt-get install qemu-system-x86; scripts/setup.sh does).");
  }
  const std::string kernel = std::string(HVSIM_GUEST_DIR) + "/disk-bench.elf";
  if (!hvsim::test::file_exists(kernel)) FAIL("guest kernel " << kernel << " is missing (build the hvsim_guests target)");

  hvsim::test::TempImage image;
  REQUIRE_FALSE(image.path.empty());

  const auto r = hvsim::test::run_command(
      {qemu, "-machine", "pc", "-nodefaults", "-display", "none", "-serial", "stdio", "-device",
       "isa-debug-exit,iobase=0x501,iosize=2", "-no-reboot", "-drive", "file=" + image.path + ",format=raw,if=ide",
       "-kernel", kernel},
      kTimeoutSeconds);
  INFO(hvsim::test::describe(r));
  REQUIRE(r.started);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_status == 1);

  int verify_lines = 0;
  bool done_ok = false;
  for (const auto& line : hvsim::test::split_lines(r.out)) {
    if (line.rfind("disk-bench: verify ", 0) == 0) {
      ++verify_lines;
      INFO(line);
      CHECK(line.size() >= 4);
      CHECK(line.substr(line.size() - 4) == ": ok");
    }
    if (line == "disk-bench: done: ok") done_ok = true;
  }
  CHECK(verify_lines == hvsim::test::kDiskVerifyLines);
  CHECK(done_ok);

  // Host-side check of the image.
  const std::string diff = hvsim::test::check_disk_bench_image(hvsim::test::read_file_bytes(image.path));
  if (!diff.empty()) FAIL(diff);
}
