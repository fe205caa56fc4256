// BlockBackend: the host side of an emulated disk. A disk model (ATA, storage VSP) reads and writes
// 512-byte sectors through this interface and never sees files, formats or overlays.
//
// Contract for every implementation:
// - Sector size is kSectorSize (512). sectors() is fixed for the backend's lifetime.
// - read()/write() either transfer all `count` sectors and return true, or return false. A request
//   outside [0, sectors()) returns false before any host I/O (the ATA model turns that into IDNF).
//   count == 0 is a successful no-op when lba <= sectors().
// - A failed read leaves `buf` in an unspecified state; a host I/O error is reported with HVSIM_WARN.
// - write() on a read_only() backend returns false and changes nothing.
// - Writes reach the backing store in call order; flush() returns true only when every write that
//   returned true before it is durable (for files: fdatasync succeeded).
#pragma once

#include <cstdint>
#include <string>

namespace hvsim {

constexpr uint32_t kSectorSize = 512;

class BlockBackend {
 public:
  virtual ~BlockBackend() = default;
  BlockBackend() = default;
  BlockBackend(const BlockBackend&) = delete;
  BlockBackend& operator=(const BlockBackend&) = delete;

  virtual uint64_t sectors() const = 0;
  virtual bool read(uint64_t lba, uint32_t count, uint8_t* buf) = 0;
  virtual bool write(uint64_t lba, uint32_t count, const uint8_t* buf) = 0;
  virtual bool flush() = 0;
  virtual bool read_only() const = 0;
  // One line for --dump-platform and messages, e.g. "raw image 'disk.img' (2048 sectors, read-write)".
  virtual std::string describe() const = 0;

  uint64_t size_bytes() const { return sectors() * kSectorSize; }
  // True when sectors [lba, lba + count) all exist (no overflow for any inputs).
  bool contains(uint64_t lba, uint32_t count) const {
    const uint64_t n = sectors();
    return count <= n && lba <= n - count;
  }
};

}  // namespace hvsim
