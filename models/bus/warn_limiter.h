// A guest can hit the same bad address in a loop; the first warnings say what happened, the rest would
// only drown the log. After `limit` messages only every power-of-two occurrence is reported.
#pragma once

#include <cstdint>

namespace hvsim {

class WarnLimiter {
 public:
  explicit WarnLimiter(uint64_t limit = 8) : limit_(limit) {}
  // True if this occurrence should be reported.
  bool allow() {
    ++seen_;
    return seen_ <= limit_ || (seen_ & (seen_ - 1)) == 0;
  }
  uint64_t seen() const { return seen_; }

 private:
  uint64_t limit_;
  uint64_t seen_ = 0;
};

}  // namespace hvsim
