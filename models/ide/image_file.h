// Host file access for disk images: an opened image file (POSIX fd) with complete, EINTR-safe
// positioned reads and writes, and FileRegionBackend, a BlockBackend over a sector range of such a
// file (used by RawImage and VhdFixedImage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "models/core/params.h"
#include "models/ide/image_backend.h"

namespace hvsim {

// Throws ConfigError with `msg`, prefixed by `where` when it names a source (platform file, -p).
[[noreturn]] void throw_image_error(const SourceLoc& where, const std::string& msg);

// An existing regular file opened for an image. Never creates or truncates a file.
// Read-write opens take an exclusive advisory lock (flock), read-only opens a shared one, so the same
// image configured twice (or used by another hvsim) is refused instead of being corrupted.
class ImageFile {
 public:
  // Throws ConfigError naming the path and the reason (strerror, not a regular file, locked).
  ImageFile(const std::string& path, bool read_only, const SourceLoc& where = SourceLoc{});
  ~ImageFile();
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  uint64_t size() const { return size_; }  // bytes, at open time

  // Transfer exactly `len` bytes at `offset` (short transfers and EINTR are retried). On an error or
  // an unexpected end of file: HVSIM_WARN naming the file, offset and reason, and false.
  bool read_at(uint64_t offset, void* buf, size_t len) const;
  bool write_at(uint64_t offset, const void* buf, size_t len);  // false on a read-only file
  // fdatasync (fsync where unsupported). A failure is sticky: the kernel may have dropped the dirty
  // pages, so later syncs keep failing rather than claim durability that was lost.
  bool sync();

 private:
  std::string path_;
  bool read_only_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool sync_failed_ = false;
};

// Where a file-backed image keeps its sectors: `sectors` sectors starting at byte `offset`.
struct FileRegion {
  std::unique_ptr<ImageFile> file;
  uint64_t offset = 0;
  uint64_t sectors = 0;
};

// BlockBackend over one FileRegion. Writes go straight to the file (pwrite, in call order, no cache);
// bytes outside the region are never read or written.
class FileRegionBackend : public BlockBackend {
 public:
  uint64_t sectors() const override { return region_.sectors; }
  bool read(uint64_t lba, uint32_t count, uint8_t* buf) override;
  bool write(uint64_t lba, uint32_t count, const uint8_t* buf) override;
  bool flush() override;
  bool read_only() const override { return region_.file->read_only(); }

  const std::string& path() const { return region_.file->path(); }

 protected:
  explicit FileRegionBackend(FileRegion region);
  std::string describe_as(const char* kind) const;

 private:
  FileRegion region_;
};

}  // namespace hvsim
