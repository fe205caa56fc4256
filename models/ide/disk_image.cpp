#include "models/ide/disk_image.h"

#include <array>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

namespace {

// Container formats that "auto" must not mistake for a raw disk (writing to them as raw would
// corrupt them). Magic numbers from each format's public specification.
struct ForeignFormat {
  size_t offset;
  const char* magic;
  size_t len;
  const char* name;
};
constexpr ForeignFormat kForeign[] = {
    {0, "QFI\xfb", 4, "qcow/qcow2"},
    {0, "vhdxfile", 8, "VHDX"},
    {0, "KDMV", 4, "VMDK"},
    {0, "# Disk DescriptorFile", 21, "VMDK descriptor"},
    {0x40, "\x7f\x10\xda\xbe", 4, "VirtualBox VDI"},
};

}  // namespace

std::string detect_image_format(const std::string& path, const SourceLoc& where) {
  ImageFile file(path, /*read_only=*/true, where);
  const uint64_t size = file.size();
  std::array<uint8_t, kSectorSize> head{};
  const size_t head_len = size < head.size() ? static_cast<size_t>(size) : head.size();
  if (head_len > 0 && !file.read_at(0, head.data(), head_len))
    throw_image_error(where, "disk image '" + path + "': cannot read its first sector");
  for (const auto& f : kForeign) {
    if (head_len >= f.offset + f.len && std::memcmp(head.data() + f.offset, f.magic, f.len) == 0) {
      throw_image_error(where, "disk image '" + path + "' looks like a " + f.name +
                                   " image, which is not supported (raw and fixed VHD are); convert it "
                                   "to raw, or set format=raw to use the file byte for byte");
    }
  }
  if (size >= vhd::kFooterSize) {
    std::array<uint8_t, vhd::kFooterSize> tail{};
    if (!file.read_at(size - vhd::kFooterSize, tail.data(), tail.size()))
      throw_image_error(where, "disk image '" + path + "': cannot read its last sector");
    if (vhd_has_cookie(tail.data())) return "vhd";
  }
  return "raw";
}

std::unique_ptr<BlockBackend> open_disk_image(const std::string& path, const std::string& format,
                                              bool snapshot, bool read_only, const SourceLoc& where) {
  if (format != "auto" && format != "raw" && format != "vhd")
    throw_image_error(where, "disk image '" + path + "': unknown format '" + format +
                                 "' (expected auto, raw or vhd)");
  const std::string fmt = format == "auto" ? detect_image_format(path, where) : format;
  const bool base_read_only = read_only || snapshot;  // a snapshot never opens the file for writing
  std::unique_ptr<BlockBackend> backend;
  if (fmt == "vhd")
    backend = std::make_unique<VhdFixedImage>(path, base_read_only, where);
  else
    backend = std::make_unique<RawImage>(path, base_read_only, where);
  if (snapshot && !read_only) backend = std::make_unique<CowOverlay>(std::move(backend));
  return backend;
}

}  // namespace hvsim
