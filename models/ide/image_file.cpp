#include "models/ide/image_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

namespace {

constexpr const char* kWho = "disk-image";
// Linux transfers at most ~2 GiB per call; stay well below so a request never looks like an error.
constexpr size_t kMaxIoChunk = size_t{1} << 30;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

void throw_image_error(const SourceLoc& where, const std::string& msg) {
  if (where.file.empty() && where.key.empty()) throw ConfigError(msg);
  throw ConfigError(where, msg);
}

ImageFile::ImageFile(const std::string& path, bool read_only, const SourceLoc& where)
    : path_(path), read_only_(read_only) {
  const std::string what = "disk image '" + path + "'";
  if (path.empty()) throw_image_error(where, "disk image: no file name given");
  // O_NONBLOCK: opening a FIFO must not hang the run; it is rejected below as not a regular file.
  const int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  int fd;
  do {
    fd = ::open(path.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    std::string msg = what + ": cannot open " + (read_only ? "read-only" : "read-write") + ": " +
                      std::strerror(err);
    if (!read_only && (err == EACCES || err == EROFS || err == EPERM))
      msg += " (use read_only or snapshot to run without writing to it)";
    throw_image_error(where, msg);
  }
  fd_ = fd;
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_image_error(where, what + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw_image_error(where, what + ": not a regular file");
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  if (::flock(fd_, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    ::close(fd_);
    throw_image_error(where, what + ": in use by another disk or process (locked" +
                                 std::string(read_only ? " for writing)" : ")"));
  }
  // Other flock errors (a filesystem without locks) are not fatal: the image simply is not locked.
  size_ = static_cast<uint64_t>(st.st_size);
}

ImageFile::~ImageFile() {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
}

bool ImageFile::read_at(uint64_t offset, void* buf, size_t len) const {
  auto* p = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    const size_t chunk = std::min(len - done, kMaxIoChunk);
    const ssize_t n = ::pread(fd_, p + done, chunk, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      HVSIM_WARN(kWho, "'%s': read of %zu bytes at offset %llu failed: %s", path_.c_str(), len,
                 ull(offset), std::strerror(errno));
      return false;
    }
    if (n == 0) {
      HVSIM_WARN(kWho, "'%s': read of %zu bytes at offset %llu hit end of file (file shrank?)",
                 path_.c_str(), len, ull(offset));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool ImageFile::write_at(uint64_t offset, const void* buf, size_t len) {
  if (read_only_) return false;
  const auto* p = static_cast<const uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    const size_t chunk = std::min(len - done, kMaxIoChunk);
    const ssize_t n = ::pwrite(fd_, p + done, chunk, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      HVSIM_WARN(kWho, "'%s': write of %zu bytes at offset %llu failed after %zu bytes: %s",
                 path_.c_str(), len, ull(offset), done, std::strerror(errno));
      return false;
    }
    if (n == 0) {  // no progress and no error: give up rather than spin
      HVSIM_WARN(kWho, "'%s': write of %zu bytes at offset %llu made no progress after %zu bytes",
                 path_.c_str(), len, ull(offset), done);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool ImageFile::sync() {
  if (read_only_) return true;  // nothing can be dirty
  if (sync_failed_) {
    HVSIM_WARN(kWho, "'%s': flush refused: an earlier flush failed, written data may be lost",
               path_.c_str());
    return false;
  }
  int rc;
  do {
    rc = ::fdatasync(fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno == EINVAL) {
    do {
      rc = ::fsync(fd_);
    } while (rc != 0 && errno == EINTR);
  }
  if (rc != 0) {
    sync_failed_ = true;
    HVSIM_WARN(kWho, "'%s': flush (fdatasync) failed: %s", path_.c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

FileRegionBackend::FileRegionBackend(FileRegion region) : region_(std::move(region)) {}

bool FileRegionBackend::read(uint64_t lba, uint32_t count, uint8_t* buf) {
  if (!contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  return region_.file->read_at(region_.offset + lba * kSectorSize, buf, size_t{count} * kSectorSize);
}

bool FileRegionBackend::write(uint64_t lba, uint32_t count, const uint8_t* buf) {
  if (read_only() || !contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  return region_.file->write_at(region_.offset + lba * kSectorSize, buf, size_t{count} * kSectorSize);
}

bool FileRegionBackend::flush() { return region_.file->sync(); }

std::string FileRegionBackend::describe_as(const char* kind) const {
  return strfmt("%s '%s' (%llu sectors, %s)", kind, path().c_str(), ull(sectors()),
                read_only() ? "read-only" : "read-write");
}

}  // namespace hvsim
