#include "models/ide/image_cow.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "models/core/log.h"

namespace hvsim {

CowOverlay::CowOverlay(std::unique_ptr<BlockBackend> base, uint64_t max_overlay_bytes)
    : base_(std::move(base)), max_overlay_bytes_(max_overlay_bytes) {}

std::string CowOverlay::describe() const {
  return "snapshot of " + base_->describe() + ", writes kept in memory";
}

bool CowOverlay::read(uint64_t lba, uint32_t count, uint8_t* buf) {
  if (!contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  const uint64_t end = lba + count;
  uint64_t s = lba;
  while (s < end) {
    const uint64_t chunk = s / kChunkSectors;
    const uint64_t chunk_end = std::min((chunk + 1) * kChunkSectors, end);
    auto it = chunks_.find(chunk);
    if (it != chunks_.end()) {
      std::memcpy(buf + (s - lba) * kSectorSize, it->second.data() + (s - chunk * kChunkSectors) * kSectorSize,
                  (chunk_end - s) * kSectorSize);
      s = chunk_end;
      continue;
    }
    // A run of chunks the guest never wrote: one read from the base.
    uint64_t run_end = chunk_end;
    while (run_end < end && chunks_.find(run_end / kChunkSectors) == chunks_.end())
      run_end = std::min((run_end / kChunkSectors + 1) * kChunkSectors, end);
    if (!base_->read(s, static_cast<uint32_t>(run_end - s), buf + (s - lba) * kSectorSize)) return false;
    s = run_end;
  }
  return true;
}

bool CowOverlay::write(uint64_t lba, uint32_t count, const uint8_t* buf) {
  if (!contains(lba, count)) return false;
  if (count == 0) return true;
  if (buf == nullptr) return false;
  const uint64_t end = lba + count;
  const uint64_t first = lba / kChunkSectors, last = (end - 1) / kChunkSectors;

  // Check the limit, then copy every chunk this write touches for the first time, so a failure
  // (limit, base read error) leaves the overlay exactly as it was.
  uint64_t missing = 0;
  for (uint64_t c = first; c <= last; ++c) missing += chunks_.count(c) ? 0 : 1;
  if (max_overlay_bytes_ != 0 && overlay_bytes() + missing * kChunkBytes > max_overlay_bytes_) {
    HVSIM_WARN("disk-image", "%s: snapshot overlay limit of %llu bytes reached; write refused",
               base_->describe().c_str(), static_cast<unsigned long long>(max_overlay_bytes_));
    return false;
  }
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> fresh;
  fresh.reserve(missing);
  for (uint64_t c = first; c <= last; ++c) {
    if (chunks_.count(c)) continue;
    const uint64_t c_lba = c * kChunkSectors;
    const bool whole = c_lba >= lba && c_lba + kChunkSectors <= end;  // fully overwritten: no copy
    std::vector<uint8_t> data(kChunkBytes, 0);
    if (!whole) {
      const uint64_t valid = std::min<uint64_t>(kChunkSectors, sectors() - c_lba);  // last chunk may be short
      if (!base_->read(c_lba, static_cast<uint32_t>(valid), data.data())) return false;
    }
    fresh.emplace_back(c, std::move(data));
  }
  for (auto& [c, data] : fresh) chunks_.emplace(c, std::move(data));

  for (uint64_t s = lba; s < end;) {
    const uint64_t chunk = s / kChunkSectors;
    const uint64_t chunk_end = std::min((chunk + 1) * kChunkSectors, end);
    std::memcpy(chunks_[chunk].data() + (s - chunk * kChunkSectors) * kSectorSize,
                buf + (s - lba) * kSectorSize, (chunk_end - s) * kSectorSize);
    s = chunk_end;
  }
  return true;
}

}  // namespace hvsim
