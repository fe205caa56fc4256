// Fixed-size VHD (Microsoft "Virtual Hard Disk Image Format Specification", 2006): the disk's
// sectors, then a 512-byte footer. All footer fields are big-endian. Dynamic and differencing VHDs
// are recognised and refused.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/ide/image_file.h"

namespace hvsim {

namespace vhd {
constexpr size_t kFooterSize = 512;
// Footer field offsets (bytes) and sizes, per the specification's "Hard Disk Footer Format".
constexpr size_t kOffCookie = 0;          // 8: "conectix"
constexpr size_t kOffFeatures = 8;        // 4
constexpr size_t kOffVersion = 12;        // 4: 0x00010000
constexpr size_t kOffDataOffset = 16;     // 8: 0xFFFFFFFFFFFFFFFF for fixed disks
constexpr size_t kOffTimestamp = 24;      // 4: seconds since 2000-01-01 00:00:00 UTC
constexpr size_t kOffCreatorApp = 28;     // 4
constexpr size_t kOffCreatorVersion = 32; // 4
constexpr size_t kOffCreatorHostOs = 36;  // 4
constexpr size_t kOffOriginalSize = 40;   // 8
constexpr size_t kOffCurrentSize = 48;    // 8
constexpr size_t kOffGeometry = 56;       // 4: cylinders u16, heads u8, sectors per track u8
constexpr size_t kOffDiskType = 60;       // 4
constexpr size_t kOffChecksum = 64;       // 4
constexpr size_t kOffUniqueId = 68;       // 16
constexpr size_t kOffSavedState = 84;     // 1; bytes 85..511 reserved (zero)

constexpr char kCookie[8] = {'c', 'o', 'n', 'e', 'c', 't', 'i', 'x'};
constexpr uint32_t kFeaturesReserved = 0x00000002;  // "must always be set"
constexpr uint32_t kVersion = 0x00010000;
constexpr uint64_t kNoDataOffset = ~uint64_t{0};
constexpr uint32_t kDiskTypeFixed = 2;
constexpr uint32_t kDiskTypeDynamic = 3;
constexpr uint32_t kDiskTypeDifferencing = 4;
constexpr uint32_t kEpochUnix = 946684800;  // 2000-01-01 00:00:00 UTC as a Unix time
}  // namespace vhd

struct VhdGeometry {
  uint16_t cylinders = 0;
  uint8_t heads = 0;
  uint8_t sectors_per_track = 0;
  bool operator==(const VhdGeometry& o) const {
    return cylinders == o.cylinders && heads == o.heads && sectors_per_track == o.sectors_per_track;
  }
};

// CHS geometry of a disk of `total_sectors` sectors, by the specification's appendix algorithm
// (clamped to 65535/16/255).
VhdGeometry vhd_chs_geometry(uint64_t total_sectors);

// The decoded fields of a footer (no validation).
struct VhdFooter {
  std::array<char, 8> cookie{};
  uint32_t features = 0;
  uint32_t version = 0;
  uint64_t data_offset = 0;
  uint32_t timestamp = 0;
  std::array<char, 4> creator_app{};
  uint32_t creator_version = 0;
  uint32_t creator_host_os = 0;
  uint64_t original_size = 0;
  uint64_t current_size = 0;
  VhdGeometry geometry;
  uint32_t disk_type = 0;
  uint32_t checksum = 0;  // as stored
  std::array<uint8_t, 16> unique_id{};
  uint8_t saved_state = 0;

  static VhdFooter decode(const uint8_t* raw);  // raw: kFooterSize bytes
  // Writes all fields; the checksum field gets `checksum` as is (see vhd_footer_checksum).
  void encode(uint8_t* raw) const;
  bool has_cookie() const;
};

// One's complement of the byte sum of the 512-byte footer, the checksum field counted as zero.
uint32_t vhd_footer_checksum(const uint8_t* raw);
bool vhd_has_cookie(const uint8_t* raw);  // raw starts with "conectix"

// A valid footer for a fixed VHD holding `data_bytes` (a nonzero multiple of 512) of disk data.
std::array<uint8_t, vhd::kFooterSize> make_fixed_vhd_footer(uint64_t data_bytes, uint32_t vhd_timestamp,
                                                            const std::array<uint8_t, 16>& unique_id);

// Creates a new fixed VHD at `path` with `data_bytes` of zeroed disk data (sparse where the
// filesystem allows), the current time and a random unique id, synced to disk. Never overwrites: an
// existing path, a bad size or an I/O error is a ConfigError (and no partial file is left behind).
void create_fixed_vhd(const std::string& path, uint64_t data_bytes);

class VhdFixedImage : public FileRegionBackend {
 public:
  // Validates the footer: cookie, checksum, disk type (fixed only; dynamic and differencing are
  // "not supported"), version 1.x, and current size + 512 == file size. Throws ConfigError naming
  // the file and the failed check.
  explicit VhdFixedImage(const std::string& path, bool read_only = false,
                         const SourceLoc& where = SourceLoc{});

  const VhdFooter& footer() const { return footer_; }
  std::string describe() const override { return describe_as("fixed VHD"); }

 private:
  struct Opened {
    FileRegion region;
    VhdFooter footer;
  };
  explicit VhdFixedImage(Opened opened);
  static Opened open_and_validate(const std::string& path, bool read_only, const SourceLoc& where);

  VhdFooter footer_;
};

}  // namespace hvsim
