// disk-bench (guest/disk-bench, driver guest/drivers/ata.c) under qemu-system-i386 as the functional
// reference for the ATA driver: the guest writes known patterns through PIO and bus-master DMA, reads
// them back and reports `disk-bench: verify <mode> <size>: ok`. Afterwards the test checks on the host
// that the image holds exactly what the guest wrote and that every other sector is still zero.
//
// The disk layout below must match guest/disk-bench/main.c.
//
// qemu-system-i386 is required: a missing QEMU fails this test (it is never skipped silently).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "run_command.h"

namespace {

constexpr double kTimeoutSeconds = 180.0;
constexpr uint64_t kImageBytes = 16ull << 20;
constexpr uint32_t kSector = 512;

constexpr uint32_t kSeedPio = 0x50494F00u;
constexpr uint32_t kSeedDma = 0x444D4100u;
constexpr uint32_t kSeedBench = 0x42454E43u;
constexpr uint32_t kVerifyBasePio = 2048;
constexpr uint32_t kVerifyBaseDma = 3072;
constexpr uint32_t kBenchBase = 8192;
constexpr uint32_t kBenchSectors = 4096;
// 256 KiB = 512 sectors: one EXT (LBA48) command; QEMU's disk reports LBA48.
constexpr uint32_t kVerifySizes[5] = {512, 4096, 65536, 131072, 262144};
constexpr uint32_t kVerifyOffsets[5] = {0, 8, 16, 144, 400};

// The guest's sector pattern: 128 little-endian words from xorshift32(13, 17, 5).
std::vector<uint8_t> pattern_sector(uint32_t lba, uint32_t seed) {
  uint32_t x = lba * 0x9E3779B1u ^ seed * 0x85EBCA77u ^ 0x6A09E667u;
  if (x == 0) x = 1;
  std::vector<uint8_t> out(kSector);
  for (uint32_t i = 0; i < 128; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<uint8_t>(x >> (8 * b));
  }
  return out;
}

// Expected seed of every sector the guest writes (0 = never written, must stay zero).
std::vector<uint32_t> expected_seeds() {
  std::vector<uint32_t> seeds(kImageBytes / kSector, 0);
  for (int k = 0; k < 5; ++k) {
    const uint32_t n = kVerifySizes[k] / kSector;
    for (uint32_t i = 0; i < n; ++i) {
      seeds[kVerifyBasePio + kVerifyOffsets[k] + i] = kSeedPio;
      seeds[kVerifyBaseDma + kVerifyOffsets[k] + i] = kSeedDma;
    }
  }
  for (uint32_t i = 0; i < kBenchSectors; ++i) seeds[kBenchBase + i] = kSeedBench;
  return seeds;
}

struct TempImage {
  std::string path;
  TempImage() {
    char tmpl[] = "/tmp/hvsim-disk-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd >= 0) {
      if (ftruncate(fd, static_cast<off_t>(kImageBytes)) == 0) path = tmpl;
      close(fd);
    }
  }
  ~TempImage() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

}  // namespace

TEST_CASE("qemu disk-bench verifies PIO and DMA and writes exactly its pattern", "[system][qemu][disk]") {
  const std::string qemu = hvsim::test::find_in_path("qemu-system-i386");
  if (qemu.empty()) {
    FAIL("qemu-system-i386 not found in PATH. It is the functional reference for the guest ATA driver and is "
         "required: install it (Debian/Ubuntu: apt-get install qemu-system-x86; scripts/setup.sh does).");
  }
  const std::string kernel = std::string(HVSIM_GUEST_DIR) + "/disk-bench.elf";
  if (!hvsim::test::file_exists(kernel)) FAIL("guest kernel " << kernel << " is missing (build the hvsim_guests target)");

  TempImage image;
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
  CHECK(verify_lines == 20);  // pio dma pio-poll dma-poll x 5 sizes
  CHECK(done_ok);

  // Host-side check of the image.
  std::ifstream in(image.path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(data.size() == kImageBytes);
  const auto seeds = expected_seeds();
  const std::vector<uint8_t> zero(kSector, 0);
  uint32_t wrong = 0, first_wrong = 0, written = 0;
  for (uint32_t lba = 0; lba < seeds.size(); ++lba) {
    const std::vector<uint8_t> want = seeds[lba] ? pattern_sector(lba, seeds[lba]) : zero;
    if (seeds[lba]) ++written;
    if (!std::equal(want.begin(), want.end(), data.begin() + static_cast<std::ptrdiff_t>(lba) * kSector)) {
      if (wrong == 0) first_wrong = lba;
      ++wrong;
    }
  }
  // 1 + 8 + 128 + 256 + 512 = 905 sectors per verify mode, plus the 2 MiB benchmark region.
  CHECK(written == 905 * 2 + kBenchSectors);
  if (wrong != 0) {
    FAIL(wrong << " sectors differ from what the guest should have written; first: LBA " << first_wrong
               << " (expected " << (seeds[first_wrong] ? "the pattern" : "zero") << ")");
  }
}
