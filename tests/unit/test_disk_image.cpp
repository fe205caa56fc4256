// Disk image backends (models/ide/disk_image.h): raw files, fixed VHD, the snapshot overlay and the
// factory. Every test works on files in its own temporary directory and compares whole files byte
// for byte, so a stray write anywhere in an image is caught.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "models/core/log.h"
#include "models/core/params.h"
#include "models/ide/disk_image.h"

using namespace hvsim;
using Bytes = std::vector<uint8_t>;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hvsim-disk-image-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Bytes pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

void write_file(const std::string& path, const Bytes& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  REQUIRE(f.good());
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The message of the ConfigError `fn` throws ("" and a failed check if it throws nothing).
template <typename Fn>
std::string config_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL_CHECK("expected a ConfigError");
  return "";
}

// A fixed VHD file: `data` then a valid footer; `edit` may change the footer before the checksum
// is recomputed (fix_checksum) or after (to break it).
Bytes vhd_file(const Bytes& data, void (*edit)(uint8_t*) = nullptr, bool fix_checksum = true) {
  std::array<uint8_t, 16> uid{};
  for (size_t i = 0; i < uid.size(); ++i) uid[i] = static_cast<uint8_t>(0xA0 + i);
  auto footer = make_fixed_vhd_footer(data.size(), 0x12345678, uid);
  if (edit) edit(footer.data());
  if (fix_checksum) {
    const uint32_t sum = vhd_footer_checksum(footer.data());
    footer[vhd::kOffChecksum + 0] = static_cast<uint8_t>(sum >> 24);
    footer[vhd::kOffChecksum + 1] = static_cast<uint8_t>(sum >> 16);
    footer[vhd::kOffChecksum + 2] = static_cast<uint8_t>(sum >> 8);
    footer[vhd::kOffChecksum + 3] = static_cast<uint8_t>(sum);
  }
  Bytes file = data;
  file.insert(file.end(), footer.begin(), footer.end());
  return file;
}

uint32_t be32_at(const Bytes& b, size_t off) {
  return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) | b[off + 3];
}
uint64_t be64_at(const Bytes& b, size_t off) { return (uint64_t{be32_at(b, off)} << 32) | be32_at(b, off + 4); }

// A base that fails every read after `fail_after` successful ones (for overlay error paths).
class FlakyBackend : public MemoryImage {
 public:
  FlakyBackend(uint64_t sectors, int fail_after) : MemoryImage(sectors, true), left_(fail_after) {}
  bool read(uint64_t lba, uint32_t count, uint8_t* buf) override {
    if (left_-- <= 0) return false;
    return MemoryImage::read(lba, count, buf);
  }

 private:
  int left_;
};

constexpr size_t kDisk = 64 * 1024;  // 128 sectors

}  // namespace

TEST_CASE("DiskImage raw read/write round trip", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  const Bytes orig = pattern(kDisk, 1);
  write_file(path, orig);

  RawImage img(path);
  CHECK(img.sectors() == kDisk / kSectorSize);
  CHECK_FALSE(img.read_only());
  CHECK(img.describe().find(path) != std::string::npos);

  Bytes all(kDisk);
  REQUIRE(img.read(0, kDisk / kSectorSize, all.data()));
  CHECK(all == orig);

  const Bytes data = pattern(3 * kSectorSize, 2);
  REQUIRE(img.write(10, 3, data.data()));
  Bytes back(3 * kSectorSize);
  REQUIRE(img.read(10, 3, back.data()));
  CHECK(back == data);
  // count == 0 is a successful no-op
  CHECK(img.read(5, 0, back.data()));
  CHECK(img.write(img.sectors(), 0, data.data()));
}

TEST_CASE("DiskImage raw writes land at exactly their offsets", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  Bytes expect = pattern(kDisk, 3);
  write_file(path, expect);

  RawImage img(path);
  struct W {
    uint64_t lba;
    uint32_t count;
  };
  const W writes[] = {{0, 1}, {7, 2}, {64, 17}, {127, 1}};
  uint32_t seed = 100;
  for (const auto& w : writes) {
    const Bytes d = pattern(w.count * kSectorSize, seed++);
    REQUIRE(img.write(w.lba, w.count, d.data()));
    std::copy(d.begin(), d.end(), expect.begin() + static_cast<std::ptrdiff_t>(w.lba * kSectorSize));
    // Visible in the file right away (no host-side cache), and nothing else changed.
    CHECK(read_file(path) == expect);
  }
  CHECK(img.flush());
  CHECK(read_file(path) == expect);
}

TEST_CASE("DiskImage out-of-range requests fail and leave file and buffer alone", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  const Bytes orig = pattern(kDisk, 4);
  write_file(path, orig);
  RawImage img(path);
  const uint64_t n = img.sectors();

  const Bytes data = pattern(4 * kSectorSize, 5);
  Bytes buf(4 * kSectorSize, 0xEE);
  const Bytes untouched = buf;
  struct R {
    uint64_t lba;
    uint32_t count;
  };
  const R bad[] = {{n, 1}, {n - 1, 2}, {n + 100, 1}, {UINT64_MAX, 2}, {UINT64_MAX - 1, 4}, {0, UINT32_MAX}};
  for (const auto& r : bad) {
    INFO("lba " << r.lba << " count " << r.count);
    CHECK_FALSE(img.contains(r.lba, r.count));
    CHECK_FALSE(img.read(r.lba, r.count, buf.data()));
    CHECK(buf == untouched);
    CHECK_FALSE(img.write(r.lba, r.count, data.data()));
  }
  CHECK(read_file(path) == orig);
  // The last sector itself is in range.
  CHECK(img.contains(n - 1, 1));
  CHECK(img.read(n - 1, 1, buf.data()));
}

TEST_CASE("DiskImage raw image of a bad size is a ConfigError naming file and size", "[disk_image]") {
  TempDir dir;
  for (size_t size : {size_t{0}, size_t{1000}, size_t{513}, size_t{511}}) {
    const auto path = dir.file("bad" + std::to_string(size) + ".img");
    write_file(path, Bytes(size, 0x11));
    const std::string msg = config_error_of([&] { RawImage img(path); });
    INFO(msg);
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find("size " + std::to_string(size)) != std::string::npos);
    CHECK(read_file(path) == Bytes(size, 0x11));
    // The factory reports the same, prefixed with where the image was configured.
    const std::string msg2 = config_error_of(
        [&] { open_disk_image(path, "auto", false, false, SourceLoc{"pc.yaml", 12, "vm0.ide0.disk0.image"}); });
    CHECK(msg2.find("pc.yaml:12") != std::string::npos);
    CHECK(msg2.find(path) != std::string::npos);
  }
}

TEST_CASE("DiskImage missing or non-file image is a ConfigError", "[disk_image]") {
  TempDir dir;
  const auto missing = dir.file("nope.img");
  for (const char* fmt : {"auto", "raw", "vhd"}) {
    const std::string msg = config_error_of([&] { open_disk_image(missing, fmt); });
    INFO(msg);
    CHECK(msg.find(missing) != std::string::npos);
    CHECK(msg.find(std::strerror(ENOENT)) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(missing));  // never created

  const std::string msg = config_error_of([&] { open_disk_image(dir.path(), "raw", false, true); });
  CHECK(msg.find("not a regular file") != std::string::npos);

  const auto fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // must be refused, not block in open()
  const std::string msg2 = config_error_of([&] { open_disk_image(fifo, "raw", false, true); });
  CHECK(msg2.find("not a regular file") != std::string::npos);

  const std::string msg3 = config_error_of([&] { open_disk_image(missing, "qcow2"); });
  CHECK(msg3.find("unknown format 'qcow2'") != std::string::npos);
}

TEST_CASE("DiskImage read-only raw image refuses writes", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  const Bytes orig = pattern(kDisk, 6);
  write_file(path, orig);
  auto img = open_disk_image(path, "raw", false, /*read_only=*/true);
  CHECK(img->read_only());
  const Bytes d = pattern(kSectorSize, 7);
  CHECK_FALSE(img->write(0, 1, d.data()));
  CHECK(img->flush());
  Bytes b(kSectorSize);
  CHECK(img->read(1, 1, b.data()));
  CHECK(std::equal(b.begin(), b.end(), orig.begin() + kSectorSize));
  CHECK(read_file(path) == orig);
}

TEST_CASE("DiskImage the same image opened twice for writing is refused", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  write_file(path, pattern(kDisk, 8));
  {
    RawImage first(path);
    const std::string msg = config_error_of([&] { RawImage second(path); });
    CHECK(msg.find("in use") != std::string::npos);
    // A read-only or snapshot user would see a disk changing under it: refused as well.
    config_error_of([&] { open_disk_image(path, "raw", true, false); });
  }
  RawImage again(path);  // the lock went with the first image
  CHECK(again.sectors() == kDisk / kSectorSize);
}

TEST_CASE("DiskImage read-only images can be shared", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  write_file(path, pattern(kDisk, 9));
  auto a = open_disk_image(path, "raw", false, true);
  auto b = open_disk_image(path, "raw", true, false);  // a snapshot reads the base read-only
  CHECK(a->sectors() == b->sectors());
  config_error_of([&] { RawImage writer(path); });
}

TEST_CASE("DiskImage raw read past a file truncated behind its back fails with a warning", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.img");
  write_file(path, pattern(kDisk, 10));
  RawImage img(path);
  REQUIRE(::truncate(path.c_str(), kDisk / 2) == 0);
  const uint64_t warnings = Log::warnings();
  Bytes b(2 * kSectorSize);
  CHECK(img.read(0, 2, b.data()));
  CHECK_FALSE(img.read(img.sectors() - 2, 2, b.data()));
  CHECK(Log::warnings() == warnings + 1);
}

TEST_CASE("DiskImage VHD CHS geometry follows the specification", "[disk_image]") {
  auto g = [](uint64_t s) { return vhd_chs_geometry(s); };
  // Values worked by hand from the specification's appendix.
  CHECK(g(65536) == VhdGeometry{963, 4, 17});                // 32 MiB: 3855 = 963 * 4 + 3
  CHECK(g(2097152) == VhdGeometry{2080, 16, 63});            // 1 GiB: 17 -> 31 -> 63 sectors/track
  CHECK(g(65535ull * 16 * 63) == VhdGeometry{16191, 16, 255});  // first 255-sector geometry
  CHECK(g(65535ull * 16 * 63 - 1) == VhdGeometry{65534, 16, 63});
  CHECK(g(65535ull * 16 * 255) == VhdGeometry{65535, 16, 255});
  CHECK(g(65535ull * 16 * 255 * 4) == VhdGeometry{65535, 16, 255});  // clamped
  CHECK(g(1) == VhdGeometry{0, 4, 17});
}

TEST_CASE("DiskImage fixed VHD footer fields and checksum", "[disk_image]") {
  std::array<uint8_t, 16> uid{};
  uid[0] = 0x5A;
  const auto f = make_fixed_vhd_footer(kDisk, 0x01020304, uid);
  const Bytes b(f.begin(), f.end());
  CHECK(std::memcmp(b.data(), "conectix", 8) == 0);
  CHECK(be32_at(b, 8) == 0x00000002);
  CHECK(be32_at(b, 12) == 0x00010000);
  CHECK(be64_at(b, 16) == UINT64_MAX);
  CHECK(be32_at(b, 24) == 0x01020304);
  CHECK(be64_at(b, 40) == kDisk);
  CHECK(be64_at(b, 48) == kDisk);
  const VhdGeometry geo = vhd_chs_geometry(kDisk / kSectorSize);
  CHECK(b[56] == (geo.cylinders >> 8));
  CHECK(b[57] == (geo.cylinders & 0xFF));
  CHECK(b[58] == geo.heads);
  CHECK(b[59] == geo.sectors_per_track);
  CHECK(be32_at(b, 60) == 2);
  CHECK(b[68] == 0x5A);
  CHECK(b[84] == 0);
  // Checksum by the definition: one's complement of the byte sum, the checksum field as zero.
  uint32_t sum = 0;
  for (size_t i = 0; i < 512; ++i)
    if (i < 64 || i >= 68) sum += b[i];
  CHECK(be32_at(b, 64) == ~sum);
  CHECK(vhd_footer_checksum(b.data()) == ~sum);

  const VhdFooter d = VhdFooter::decode(b.data());
  CHECK(d.has_cookie());
  CHECK(d.current_size == kDisk);
  CHECK(d.geometry == geo);
  CHECK(d.checksum == ~sum);
  std::array<uint8_t, 512> re{};
  d.encode(re.data());
  CHECK(Bytes(re.begin(), re.end()) == b);
}

TEST_CASE("DiskImage valid fixed VHD is accepted", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.vhd");
  const Bytes data = pattern(kDisk, 11);
  write_file(path, vhd_file(data));
  CHECK(detect_image_format(path) == "vhd");
  {
    VhdFixedImage img(path);
    CHECK(img.sectors() == kDisk / kSectorSize);
    CHECK(img.footer().disk_type == vhd::kDiskTypeFixed);
    CHECK(img.describe().find("VHD") != std::string::npos);
    Bytes all(kDisk);
    REQUIRE(img.read(0, kDisk / kSectorSize, all.data()));
    CHECK(all == data);
  }
  auto img = open_disk_image(path);  // "auto" picks VHD: the footer is not part of the disk
  CHECK(img->sectors() == kDisk / kSectorSize);
  CHECK(img->describe().find("VHD") != std::string::npos);
  // Forced raw, the same file is a disk one sector larger.
  img.reset();
  CHECK(open_disk_image(path, "raw")->sectors() == kDisk / kSectorSize + 1);
}

TEST_CASE("DiskImage create_fixed_vhd makes an image that opens and never overwrites", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("new.vhd");
  create_fixed_vhd(path, kDisk);
  const Bytes file = read_file(path);
  REQUIRE(file.size() == kDisk + 512);
  CHECK(std::all_of(file.begin(), file.begin() + kDisk, [](uint8_t v) { return v == 0; }));
  VhdFixedImage img(path, true);
  CHECK(img.sectors() == kDisk / kSectorSize);
  CHECK(img.footer().geometry == vhd_chs_geometry(kDisk / kSectorSize));

  const auto existing = dir.file("existing.img");
  write_file(existing, Bytes(1024, 0x77));
  const std::string msg = config_error_of([&] { create_fixed_vhd(existing, kDisk); });
  CHECK(msg.find(existing) != std::string::npos);
  CHECK(read_file(existing) == Bytes(1024, 0x77));
  config_error_of([&] { create_fixed_vhd(dir.file("odd.vhd"), 1000); });
  CHECK_FALSE(std::filesystem::exists(dir.file("odd.vhd")));
}

TEST_CASE("DiskImage VHD with a bad checksum is rejected", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.vhd");
  write_file(path, vhd_file(pattern(kDisk, 12), [](uint8_t* f) { f[100] ^= 1; }, /*fix_checksum=*/false));
  for (const char* fmt : {"auto", "vhd"}) {
    const std::string msg = config_error_of([&] { open_disk_image(path, fmt); });
    INFO(msg);
    CHECK(msg.find("checksum") != std::string::npos);
    CHECK(msg.find(path) != std::string::npos);
  }
  // Forcing "vhd" on a file without a footer is rejected too.
  const auto raw = dir.file("raw.img");
  write_file(raw, pattern(kDisk, 13));
  CHECK(config_error_of([&] { open_disk_image(raw, "vhd"); }).find("cookie") != std::string::npos);
}

TEST_CASE("DiskImage dynamic and differencing VHDs are not supported", "[disk_image]") {
  TempDir dir;
  const auto dyn = dir.file("dyn.vhd");
  write_file(dyn, vhd_file(pattern(kDisk, 14), [](uint8_t* f) { f[vhd::kOffDiskType + 3] = 3; }));
  const auto diff = dir.file("diff.vhd");
  write_file(diff, vhd_file(pattern(kDisk, 15), [](uint8_t* f) { f[vhd::kOffDiskType + 3] = 4; }));
  const std::string m1 = config_error_of([&] { open_disk_image(dyn); });
  const std::string m2 = config_error_of([&] { open_disk_image(diff); });
  INFO(m1 << "\n" << m2);
  CHECK(m1.find("dynamic VHD is not supported") != std::string::npos);
  CHECK(m2.find("differencing VHD is not supported") != std::string::npos);
  CHECK(m1.find(dyn) != std::string::npos);
}

TEST_CASE("DiskImage VHD whose size does not match its file is rejected", "[disk_image]") {
  TempDir dir;
  // Footer claims one sector more than the file holds.
  const auto small = dir.file("small.vhd");
  write_file(small, vhd_file(pattern(kDisk, 16), [](uint8_t* f) { f[vhd::kOffCurrentSize + 6] += 2; }));
  const std::string m1 = config_error_of([&] { open_disk_image(small); });
  INFO(m1);
  CHECK(m1.find("does not match the file size") != std::string::npos);
  // Extra bytes before the footer.
  const auto big = dir.file("big.vhd");
  Bytes f = vhd_file(pattern(kDisk, 17));
  f.insert(f.begin(), 512, 0);
  write_file(big, f);
  CHECK(config_error_of([&] { open_disk_image(big); }).find("does not match") != std::string::npos);
  // A size that is not whole sectors.
  const auto odd = dir.file("odd.vhd");
  write_file(odd, vhd_file(pattern(kDisk, 18), [](uint8_t* f) { f[vhd::kOffCurrentSize + 7] = 1; }));
  CHECK(config_error_of([&] { open_disk_image(odd); }).find("multiple of 512") != std::string::npos);
}

TEST_CASE("DiskImage VHD writes never alter the footer", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("disk.vhd");
  Bytes expect = vhd_file(pattern(kDisk, 19));
  write_file(path, expect);
  auto img = open_disk_image(path, "vhd");
  const uint64_t n = img->sectors();
  const Bytes d = pattern(2 * kSectorSize, 20);
  REQUIRE(img->write(n - 2, 2, d.data()));  // the last two data sectors
  std::copy(d.begin(), d.end(), expect.begin() + static_cast<std::ptrdiff_t>((n - 2) * kSectorSize));
  CHECK_FALSE(img->write(n - 1, 2, d.data()));  // would reach into the footer
  CHECK_FALSE(img->write(n, 1, d.data()));      // the footer's own sector
  CHECK(img->flush());
  CHECK(read_file(path) == expect);
  img.reset();
  VhdFixedImage reopened(path);  // footer still valid
  CHECK(reopened.sectors() == n);
}

TEST_CASE("DiskImage snapshot overlay keeps the base image untouched", "[disk_image]") {
  TempDir dir;
  for (const char* fmt : {"raw", "vhd"}) {
    INFO(fmt);
    const auto path = dir.file(std::string("base.") + fmt);
    const Bytes data = pattern(kDisk, 21);
    const Bytes file = std::string(fmt) == "vhd" ? vhd_file(data) : data;
    write_file(path, file);
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);

    auto img = open_disk_image(path, "auto", /*snapshot=*/true);
    CHECK_FALSE(img->read_only());
    CHECK(img->sectors() == kDisk / kSectorSize);
    CHECK(img->describe().find("snapshot") != std::string::npos);

    Bytes model = data;  // what the guest should see
    struct W {
      uint64_t lba;
      uint32_t count;
    };
    // Inside one chunk, across chunk borders, a whole chunk, the last sector, and a rewrite.
    const W writes[] = {{3, 1}, {6, 5}, {16, 8}, {127, 1}, {4, 2}, {40, 30}};
    uint32_t seed = 200;
    for (const auto& w : writes) {
      const Bytes d = pattern(w.count * kSectorSize, seed++);
      REQUIRE(img->write(w.lba, w.count, d.data()));
      std::copy(d.begin(), d.end(), model.begin() + static_cast<std::ptrdiff_t>(w.lba * kSectorSize));
    }
    Bytes all(kDisk);
    REQUIRE(img->read(0, kDisk / kSectorSize, all.data()));
    CHECK(all == model);
    Bytes one(kSectorSize);
    REQUIRE(img->read(2, 1, one.data()));  // untouched sector inside a written chunk
    CHECK(std::equal(one.begin(), one.end(), data.begin() + 2 * kSectorSize));
    CHECK(img->flush());
    CHECK_FALSE(img->read(kDisk / kSectorSize, 1, one.data()));
    CHECK_FALSE(img->write(kDisk / kSectorSize, 1, one.data()));

    CHECK(read_file(path) == file);
    img.reset();
    CHECK(read_file(path) == file);
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    // Reopened without snapshot, the disk holds the original data again.
    auto plain = open_disk_image(path);
    REQUIRE(plain->read(0, kDisk / kSectorSize, all.data()));
    CHECK(all == data);
  }
}

TEST_CASE("DiskImage snapshot works on a write-protected base file", "[disk_image]") {
  TempDir dir;
  const auto path = dir.file("base.img");
  const Bytes data = pattern(kDisk, 22);
  write_file(path, data);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  auto img = open_disk_image(path, "auto", true);  // opened O_RDONLY: works even where root is not
  const Bytes d = pattern(kSectorSize, 23);
  REQUIRE(img->write(0, 1, d.data()));
  CHECK(read_file(path) == data);
  // snapshot + read_only: no overlay, writes fail.
  auto ro = open_disk_image(path, "auto", true, true);
  CHECK(ro->read_only());
  CHECK_FALSE(ro->write(0, 1, d.data()));
}

TEST_CASE("DiskImage snapshot overlay failures change nothing", "[disk_image]") {
  // Memory limit: one 4 KiB chunk allowed.
  {
    auto base = std::make_unique<MemoryImage>(64, true);
    base->data() = pattern(64 * kSectorSize, 24);
    const Bytes orig = base->data();
    CowOverlay cow(std::move(base), CowOverlay::kChunkBytes);
    const Bytes d = pattern(16 * kSectorSize, 25);
    CHECK(cow.write(0, 8, d.data()));
    CHECK(cow.overlay_bytes() == CowOverlay::kChunkBytes);
    const uint64_t warnings = Log::warnings();
    CHECK_FALSE(cow.write(4, 8, d.data()));  // needs a second chunk
    CHECK(Log::warnings() == warnings + 1);
    CHECK(cow.overlay_bytes() == CowOverlay::kChunkBytes);
    Bytes all(64 * kSectorSize);
    REQUIRE(cow.read(0, 64, all.data()));
    Bytes model = orig;
    std::copy(d.begin(), d.begin() + 8 * kSectorSize, model.begin());
    CHECK(all == model);  // the refused write left no partial data
    CHECK(cow.write(2, 3, d.data()));  // rewrites inside the existing chunk still work
    CHECK(static_cast<const MemoryImage&>(cow.base()).data() == orig);
  }
  // Base read error while copying a partially written chunk.
  {
    auto base = std::make_unique<FlakyBackend>(64, 1);
    CowOverlay cow(std::move(base));
    const Bytes d = pattern(kSectorSize * 16, 26);
    CHECK(cow.write(0, 8, d.data()));        // whole chunk: no base read needed
    CHECK(cow.write(9, 1, d.data()));        // partial chunk: uses the one good base read
    CHECK_FALSE(cow.write(17, 16, d.data()));  // partial chunk, base read fails
    CHECK(cow.overlay_bytes() == 2 * CowOverlay::kChunkBytes);
  }
}

TEST_CASE("DiskImage auto detection refuses other container formats", "[disk_image]") {
  TempDir dir;
  struct F {
    const char* name;
    size_t off;
    Bytes magic;
    const char* says;
  };
  const F formats[] = {{"a.qcow2", 0, {'Q', 'F', 'I', 0xFB}, "qcow"},
                       {"a.vhdx", 0, {'v', 'h', 'd', 'x', 'f', 'i', 'l', 'e'}, "VHDX"},
                       {"a.vmdk", 0, {'K', 'D', 'M', 'V'}, "VMDK"},
                       {"a.vdi", 0x40, {0x7f, 0x10, 0xda, 0xbe}, "VDI"}};
  for (const auto& f : formats) {
    const auto path = dir.file(f.name);
    Bytes b(kDisk, 0);
    std::copy(f.magic.begin(), f.magic.end(), b.begin() + static_cast<std::ptrdiff_t>(f.off));
    write_file(path, b);
    const std::string msg = config_error_of([&] { open_disk_image(path); });
    INFO(msg);
    CHECK(msg.find(f.says) != std::string::npos);
    CHECK(msg.find("not supported") != std::string::npos);
    CHECK(read_file(path) == b);
    CHECK(open_disk_image(path, "raw", false, true)->sectors() == kDisk / kSectorSize);  // forced: allowed
  }
}

TEST_CASE("DiskImage memory image for benches", "[disk_image]") {
  MemoryImage m(16);
  CHECK(m.sectors() == 16);
  const Bytes d = pattern(2 * kSectorSize, 27);
  CHECK(m.write(14, 2, d.data()));
  CHECK_FALSE(m.write(15, 2, d.data()));
  Bytes b(2 * kSectorSize);
  CHECK(m.read(14, 2, b.data()));
  CHECK(b == d);
  CHECK(std::equal(d.begin(), d.end(), m.data().begin() + 14 * kSectorSize));
  MemoryImage ro(4, true);
  CHECK_FALSE(ro.write(0, 1, d.data()));
  CHECK(ro.flush());
}
