#include "disk_pattern.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace hvsim::test {

namespace {
constexpr uint32_t kSeedPio = 0x50494F00u;
constexpr uint32_t kSeedDma = 0x444D4100u;
constexpr uint32_t kSeedBench = 0x42454E43u;
constexpr uint32_t kVerifyBasePio = 2048;
constexpr uint32_t kVerifyBaseDma = 3072;
constexpr uint32_t kBenchBase = 8192;
// 256 KiB = 512 sectors: one EXT (LBA48) command.
constexpr uint32_t kVerifySizes[5] = {512, 4096, 65536, 131072, 262144};
constexpr uint32_t kVerifyOffsets[5] = {0, 8, 16, 144, 400};
}  // namespace

std::vector<uint8_t> disk_pattern_sector(uint32_t lba, uint32_t seed) {
  uint32_t x = lba * 0x9E3779B1u ^ seed * 0x85EBCA77u ^ 0x6A09E667u;
  if (x == 0) x = 1;
  std::vector<uint8_t> out(kDiskSector);
  for (uint32_t i = 0; i < 128; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<uint8_t>(x >> (8 * b));
  }
  return out;
}

std::vector<uint32_t> disk_expected_seeds(bool measured) {
  std::vector<uint32_t> seeds(kDiskImageBytes / kDiskSector, 0);
  for (int k = 0; k < 5; ++k) {
    const uint32_t n = kVerifySizes[k] / kDiskSector;
    for (uint32_t i = 0; i < n; ++i) {
      seeds[kVerifyBasePio + kVerifyOffsets[k] + i] = kSeedPio;
      seeds[kVerifyBaseDma + kVerifyOffsets[k] + i] = kSeedDma;
    }
  }
  if (measured)
    for (uint32_t i = 0; i < kDiskBenchSectors; ++i) seeds[kBenchBase + i] = kSeedBench;
  return seeds;
}

std::string check_disk_bench_image(const std::vector<uint8_t>& data, bool measured) {
  if (data.size() != kDiskImageBytes) return "image has " + std::to_string(data.size()) + " bytes";
  const auto seeds = disk_expected_seeds(measured);
  const std::vector<uint8_t> zero(kDiskSector, 0);
  uint32_t wrong = 0, first_wrong = 0, written = 0;
  for (uint32_t lba = 0; lba < seeds.size(); ++lba) {
    const std::vector<uint8_t> want = seeds[lba] ? disk_pattern_sector(lba, seeds[lba]) : zero;
    if (seeds[lba]) ++written;
    if (!std::equal(want.begin(), want.end(), data.begin() + static_cast<std::ptrdiff_t>(lba) * kDiskSector)) {
      if (wrong == 0) first_wrong = lba;
      ++wrong;
    }
  }
  if (written != kDiskVerifySectorsPerMode * 2 + (measured ? kDiskBenchSectors : 0))
    return "expected-seed table is inconsistent";
  if (wrong == 0) return "";
  std::ostringstream os;
  os << wrong << " sectors differ from what the guest should have written; first: LBA " << first_wrong
     << " (expected " << (seeds[first_wrong] ? "the pattern" : "zero") << ")";
  return os.str();
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TempImage::TempImage(uint64_t bytes) {
  char tmpl[] = "/tmp/hvsim-disk-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd >= 0) {
    if (ftruncate(fd, static_cast<off_t>(bytes)) == 0) path = tmpl;
    close(fd);
  }
}

TempImage::~TempImage() {
  if (!path.empty()) std::remove(path.c_str());
}

}  // namespace hvsim::test
