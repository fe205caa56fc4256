// MemoryImage: a disk held in host memory, for model benches and tests (no file, nothing durable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/ide/image_backend.h"

namespace hvsim {

class MemoryImage : public BlockBackend {
 public:
  // A zero-filled disk of `sectors` sectors.
  explicit MemoryImage(uint64_t sectors, bool read_only = false);

  uint64_t sectors() const override { return data_.size() / kSectorSize; }
  bool read(uint64_t lba, uint32_t count, uint8_t* buf) override;
  bool write(uint64_t lba, uint32_t count, const uint8_t* buf) override;
  bool flush() override { return true; }
  bool read_only() const override { return read_only_; }
  std::string describe() const override;

  // Direct access to the contents (for tests to seed and inspect the disk).
  std::vector<uint8_t>& data() { return data_; }
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint8_t> data_;
  bool read_only_;
};

}  // namespace hvsim
