// What guest/disk-bench writes to its disk, recomputed on the host (keep in sync with
// guest/disk-bench/main.c), and a scratch image file. Shared by the QEMU reference test and the
// hvsim disk tests, which check the same image contents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hvsim::test {

constexpr uint64_t kDiskImageBytes = 16ull << 20;
constexpr uint32_t kDiskSector = 512;
constexpr uint32_t kDiskBenchSectors = 4096;  // the 2 MiB benchmark region
constexpr int kDiskVerifyLines = 20;          // pio dma pio-poll dma-poll x 5 sizes
constexpr uint32_t kDiskVerifySectorsPerMode = 905;  // 1 + 8 + 128 + 256 + 512

// The guest's sector pattern: 128 little-endian words from xorshift32(13, 17, 5).
std::vector<uint8_t> disk_pattern_sector(uint32_t lba, uint32_t seed);

// Expected seed of every sector of a kDiskImageBytes image after a disk-bench run (0 = never
// written, must stay zero). `measured`: the run included the measurements (not `measure=0`), which
// write the benchmark region.
std::vector<uint32_t> disk_expected_seeds(bool measured = true);

// Compares an image's bytes with what disk-bench should have left. Returns "" when they match,
// otherwise a description of the first difference and the number of wrong sectors.
std::string check_disk_bench_image(const std::vector<uint8_t>& data, bool measured = true);

std::vector<uint8_t> read_file_bytes(const std::string& path);

// A zero-filled raw image in /tmp, removed when it goes out of scope.
struct TempImage {
  std::string path;
  explicit TempImage(uint64_t bytes = kDiskImageBytes);
  ~TempImage();
  TempImage(const TempImage&) = delete;
  TempImage& operator=(const TempImage&) = delete;
};

}  // namespace hvsim::test
