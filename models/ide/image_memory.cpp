#include "models/ide/image_memory.h"

#include <cstring>

#include "models/core/log.h"

namespace hvsim {

MemoryImage::MemoryImage(uint64_t sectors, bool read_only)
    : data_(static_cast<size_t>(sectors * kSectorSize), 0), read_only_(read_only) {}

bool MemoryImage::read(uint64_t lba, uint32_t count, uint8_t* buf) {
  if (!contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  std::memcpy(buf, data_.data() + lba * kSectorSize, size_t{count} * kSectorSize);
  return true;
}

bool MemoryImage::write(uint64_t lba, uint32_t count, const uint8_t* buf) {
  if (read_only_ || !contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  std::memcpy(data_.data() + lba * kSectorSize, buf, size_t{count} * kSectorSize);
  return true;
}

std::string MemoryImage::describe() const {
  return strfmt("memory disk (%llu sectors, %s)", static_cast<unsigned long long>(sectors()),
                read_only_ ? "read-only" : "read-write");
}

}  // namespace hvsim
