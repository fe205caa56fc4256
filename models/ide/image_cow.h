// CowOverlay: copy-on-write in front of a base backend, for --snapshot. Writes go to an in-memory
// sparse overlay of fixed-size chunks; reads merge overlay and base. The base is never written
// (CowOverlay never calls base->write; the factory also opens the base file read-only), and the
// overlay is discarded when the backend is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/ide/image_backend.h"

namespace hvsim {

class CowOverlay : public BlockBackend {
 public:
  // Overlay granularity: the first write into a chunk copies the chunk from the base.
  static constexpr uint32_t kChunkSectors = 8;  // 4 KiB
  static constexpr uint32_t kChunkBytes = kChunkSectors * kSectorSize;

  // max_overlay_bytes: 0 = unlimited; otherwise a write that would grow the overlay beyond it fails
  // (returns false with a warning, nothing changed) instead of exhausting host memory.
  explicit CowOverlay(std::unique_ptr<BlockBackend> base, uint64_t max_overlay_bytes = 0);

  uint64_t sectors() const override { return base_->sectors(); }
  bool read(uint64_t lba, uint32_t count, uint8_t* buf) override;
  bool write(uint64_t lba, uint32_t count, const uint8_t* buf) override;
  bool flush() override { return true; }  // nothing is meant to be durable
  bool read_only() const override { return false; }
  std::string describe() const override;

  const BlockBackend& base() const { return *base_; }
  uint64_t overlay_bytes() const { return uint64_t{chunks_.size()} * kChunkBytes; }

 private:
  std::unique_ptr<BlockBackend> base_;
  uint64_t max_overlay_bytes_;
  std::unordered_map<uint64_t, std::vector<uint8_t>> chunks_;  // chunk index -> kChunkBytes
};

}  // namespace hvsim
