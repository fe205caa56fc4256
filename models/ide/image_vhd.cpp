#include "models/ide/image_vhd.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>

#include "models/core/log.h"

namespace hvsim {

namespace {

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

uint32_t get_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
uint64_t get_be64(const uint8_t* p) { return (uint64_t{get_be32(p)} << 32) | get_be32(p + 4); }
void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put_be32(uint8_t* p, uint32_t v) {
  put_be16(p, static_cast<uint16_t>(v >> 16));
  put_be16(p + 2, static_cast<uint16_t>(v));
}
void put_be64(uint8_t* p, uint64_t v) {
  put_be32(p, static_cast<uint32_t>(v >> 32));
  put_be32(p + 4, static_cast<uint32_t>(v));
}

// "vhd data size" check shared by validation and creation.
bool valid_data_size(uint64_t bytes) {
  return bytes != 0 && bytes % kSectorSize == 0 &&
         bytes <= static_cast<uint64_t>(INT64_MAX) - vhd::kFooterSize;
}

}  // namespace

VhdGeometry vhd_chs_geometry(uint64_t total_sectors) {
  // The specification's appendix "CHS Calculation", with its integer arithmetic.
  constexpr uint64_t kMaxSectors = 65535ull * 16 * 255;
  total_sectors = std::min(total_sectors, kMaxSectors);
  uint64_t spt, heads, cyl_times_heads;
  if (total_sectors >= 65535ull * 16 * 63) {
    spt = 255;
    heads = 16;
    cyl_times_heads = total_sectors / spt;
  } else {
    spt = 17;
    cyl_times_heads = total_sectors / spt;
    heads = (cyl_times_heads + 1023) / 1024;
    if (heads < 4) heads = 4;
    if (cyl_times_heads >= heads * 1024 || heads > 16) {
      spt = 31;
      heads = 16;
      cyl_times_heads = total_sectors / spt;
    }
    if (cyl_times_heads >= heads * 1024) {
      spt = 63;
      heads = 16;
      cyl_times_heads = total_sectors / spt;
    }
  }
  VhdGeometry g;
  g.cylinders = static_cast<uint16_t>(cyl_times_heads / heads);
  g.heads = static_cast<uint8_t>(heads);
  g.sectors_per_track = static_cast<uint8_t>(spt);
  return g;
}

VhdFooter VhdFooter::decode(const uint8_t* raw) {
  using namespace vhd;
  VhdFooter f;
  std::memcpy(f.cookie.data(), raw + kOffCookie, f.cookie.size());
  f.features = get_be32(raw + kOffFeatures);
  f.version = get_be32(raw + kOffVersion);
  f.data_offset = get_be64(raw + kOffDataOffset);
  f.timestamp = get_be32(raw + kOffTimestamp);
  std::memcpy(f.creator_app.data(), raw + kOffCreatorApp, f.creator_app.size());
  f.creator_version = get_be32(raw + kOffCreatorVersion);
  f.creator_host_os = get_be32(raw + kOffCreatorHostOs);
  f.original_size = get_be64(raw + kOffOriginalSize);
  f.current_size = get_be64(raw + kOffCurrentSize);
  f.geometry.cylinders = static_cast<uint16_t>((raw[kOffGeometry] << 8) | raw[kOffGeometry + 1]);
  f.geometry.heads = raw[kOffGeometry + 2];
  f.geometry.sectors_per_track = raw[kOffGeometry + 3];
  f.disk_type = get_be32(raw + kOffDiskType);
  f.checksum = get_be32(raw + kOffChecksum);
  std::memcpy(f.unique_id.data(), raw + kOffUniqueId, f.unique_id.size());
  f.saved_state = raw[kOffSavedState];
  return f;
}

void VhdFooter::encode(uint8_t* raw) const {
  using namespace vhd;
  std::memset(raw, 0, kFooterSize);
  std::memcpy(raw + kOffCookie, cookie.data(), cookie.size());
  put_be32(raw + kOffFeatures, features);
  put_be32(raw + kOffVersion, version);
  put_be64(raw + kOffDataOffset, data_offset);
  put_be32(raw + kOffTimestamp, timestamp);
  std::memcpy(raw + kOffCreatorApp, creator_app.data(), creator_app.size());
  put_be32(raw + kOffCreatorVersion, creator_version);
  put_be32(raw + kOffCreatorHostOs, creator_host_os);
  put_be64(raw + kOffOriginalSize, original_size);
  put_be64(raw + kOffCurrentSize, current_size);
  put_be16(raw + kOffGeometry, geometry.cylinders);
  raw[kOffGeometry + 2] = geometry.heads;
  raw[kOffGeometry + 3] = geometry.sectors_per_track;
  put_be32(raw + kOffDiskType, disk_type);
  put_be32(raw + kOffChecksum, checksum);
  std::memcpy(raw + kOffUniqueId, unique_id.data(), unique_id.size());
  raw[kOffSavedState] = saved_state;
}

bool VhdFooter::has_cookie() const { return std::memcmp(cookie.data(), vhd::kCookie, 8) == 0; }

bool vhd_has_cookie(const uint8_t* raw) { return std::memcmp(raw + vhd::kOffCookie, vhd::kCookie, 8) == 0; }

uint32_t vhd_footer_checksum(const uint8_t* raw) {
  uint32_t sum = 0;
  for (size_t i = 0; i < vhd::kFooterSize; ++i) {
    if (i >= vhd::kOffChecksum && i < vhd::kOffChecksum + 4) continue;
    sum += raw[i];
  }
  return ~sum;
}

std::array<uint8_t, vhd::kFooterSize> make_fixed_vhd_footer(uint64_t data_bytes, uint32_t vhd_timestamp,
                                                            const std::array<uint8_t, 16>& unique_id) {
  VhdFooter f;
  std::memcpy(f.cookie.data(), vhd::kCookie, 8);
  f.features = vhd::kFeaturesReserved;
  f.version = vhd::kVersion;
  f.data_offset = vhd::kNoDataOffset;
  f.timestamp = vhd_timestamp;
  f.creator_app = {'h', 'v', 's', 'm'};
  f.creator_version = 0x00010000;
  f.creator_host_os = 0x5769326B;  // "Wi2k", as most non-Windows creators write
  f.original_size = data_bytes;
  f.current_size = data_bytes;
  f.geometry = vhd_chs_geometry(data_bytes / kSectorSize);
  f.disk_type = vhd::kDiskTypeFixed;
  f.unique_id = unique_id;
  std::array<uint8_t, vhd::kFooterSize> raw{};
  f.encode(raw.data());
  put_be32(raw.data() + vhd::kOffChecksum, vhd_footer_checksum(raw.data()));
  return raw;
}

void create_fixed_vhd(const std::string& path, uint64_t data_bytes) {
  const std::string what = "fixed VHD '" + path + "'";
  if (!valid_data_size(data_bytes))
    throw ConfigError(strfmt("%s: disk size %llu bytes is not a nonzero multiple of %u", what.c_str(),
                             ull(data_bytes), kSectorSize));
  std::array<uint8_t, 16> uid{};
  std::random_device rd;
  for (auto& b : uid) b = static_cast<uint8_t>(rd());
  uid[6] = static_cast<uint8_t>((uid[6] & 0x0F) | 0x40);  // a version-4 (random) UUID
  uid[8] = static_cast<uint8_t>((uid[8] & 0x3F) | 0x80);
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) - vhd::kEpochUnix;
  const auto footer = make_fixed_vhd_footer(data_bytes, now > 0 ? static_cast<uint32_t>(now) : 0, uid);

  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) throw ConfigError(what + ": cannot create: " + std::strerror(errno));
  auto fail = [&](const char* step) {
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    throw ConfigError(what + ": " + step + ": " + std::strerror(err));
  };
  if (::ftruncate(fd, static_cast<off_t>(data_bytes)) != 0) fail("cannot size the file");
  size_t done = 0;
  while (done < footer.size()) {
    const ssize_t n = ::pwrite(fd, footer.data() + done, footer.size() - done,
                               static_cast<off_t>(data_bytes + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail("cannot write the footer");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    throw ConfigError(what + ": cannot close: " + std::strerror(err));
  }
}

VhdFixedImage::VhdFixedImage(const std::string& path, bool read_only, const SourceLoc& where)
    : VhdFixedImage(open_and_validate(path, read_only, where)) {}

VhdFixedImage::VhdFixedImage(Opened opened)
    : FileRegionBackend(std::move(opened.region)), footer_(opened.footer) {}

VhdFixedImage::Opened VhdFixedImage::open_and_validate(const std::string& path, bool read_only,
                                                       const SourceLoc& where) {
  const std::string what = "VHD image '" + path + "'";
  auto bad = [&](const std::string& why) { throw_image_error(where, what + ": " + why); };
  auto file = std::make_unique<ImageFile>(path, read_only, where);
  const uint64_t size = file->size();
  if (size < 2 * vhd::kFooterSize)
    bad(strfmt("file of %llu bytes is too small for a fixed VHD (data + 512-byte footer)", ull(size)));
  std::array<uint8_t, vhd::kFooterSize> raw{};
  if (!file->read_at(size - vhd::kFooterSize, raw.data(), raw.size())) bad("cannot read the footer");
  const VhdFooter f = VhdFooter::decode(raw.data());
  if (!f.has_cookie()) bad("no \"conectix\" footer cookie in the last 512 bytes");
  const uint32_t sum = vhd_footer_checksum(raw.data());
  if (f.checksum != sum) bad(strfmt("footer checksum 0x%08x does not match 0x%08x", f.checksum, sum));
  if (f.disk_type == vhd::kDiskTypeDynamic)
    bad("dynamic VHD is not supported (only fixed); convert it, e.g. qemu-img convert -O vpc -o subformat=fixed");
  if (f.disk_type == vhd::kDiskTypeDifferencing)
    bad("differencing VHD is not supported (only fixed); merge it into a fixed or raw image");
  if (f.disk_type != vhd::kDiskTypeFixed) bad(strfmt("unknown disk type %u (fixed is 2)", f.disk_type));
  if ((f.version >> 16) != 1) bad(strfmt("unsupported format version 0x%08x (expected 1.x)", f.version));
  if (!valid_data_size(f.current_size))
    bad(strfmt("current size %llu is not a nonzero multiple of %u", ull(f.current_size), kSectorSize));
  if (f.current_size + vhd::kFooterSize != size)
    bad(strfmt("current size %llu + 512-byte footer does not match the file size %llu", ull(f.current_size),
               ull(size)));
  Opened o;
  o.footer = f;
  o.region.offset = 0;
  o.region.sectors = f.current_size / kSectorSize;
  o.region.file = std::move(file);
  return o;
}

}  // namespace hvsim
