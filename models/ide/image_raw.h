// RawImage: a raw disk image, sector N at byte N*512 of the file.
#pragma once

#include <string>

#include "models/ide/image_file.h"

namespace hvsim {

class RawImage : public FileRegionBackend {
 public:
  // Opens an existing file; its size must be a nonzero multiple of 512. Throws ConfigError naming
  // the file (and `where`, if given) when it is missing, unreadable, not writable (unless
  // read_only), locked, or wrongly sized.
  explicit RawImage(const std::string& path, bool read_only = false, const SourceLoc& where = SourceLoc{});

  std::string describe() const override { return describe_as("raw image"); }

 private:
  static FileRegion open_region(const std::string& path, bool read_only, const SourceLoc& where);
};

}  // namespace hvsim
