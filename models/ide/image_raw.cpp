#include "models/ide/image_raw.h"

#include "models/core/log.h"

namespace hvsim {

RawImage::RawImage(const std::string& path, bool read_only, const SourceLoc& where)
    : FileRegionBackend(open_region(path, read_only, where)) {}

FileRegion RawImage::open_region(const std::string& path, bool read_only, const SourceLoc& where) {
  auto file = std::make_unique<ImageFile>(path, read_only, where);
  const uint64_t size = file->size();
  if (size == 0 || size % kSectorSize != 0) {
    throw_image_error(where, strfmt("disk image '%s': size %llu bytes is not a nonzero multiple of %u",
                                    path.c_str(), static_cast<unsigned long long>(size), kSectorSize));
  }
  FileRegion region;
  region.sectors = size / kSectorSize;
  region.offset = 0;
  region.file = std::move(file);
  return region;
}

}  // namespace hvsim
