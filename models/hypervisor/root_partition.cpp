#include "models/hypervisor/root_partition.h"

#include <string>

#include "models/core/trace.h"

namespace hvsim {

RootPartition::RootPartition() = default;

void RootPartition::ensure() {
  if (!free_at_.empty()) return;
  unsigned n = std::max<uint32_t>(1, vcpus.get());
  free_at_.assign(n, sc_core::SC_ZERO_TIME);
  tracks_.assign(n, -1);
  for (unsigned i = 0; i < n; ++i) {
    std::string p = "root.vcpu" + std::to_string(i);
    busy_ps_.push_back(std::make_unique<Counter>(p + ".busy_ps", "ps", "time this root vCPU ran forwarded work"));
    queued_ps_.push_back(std::make_unique<Counter>(p + ".queued_ps", "ps", "time work waited for this root vCPU"));
    jobs_.push_back(std::make_unique<Counter>(p + ".jobs", "jobs", "pieces of forwarded work run"));
  }
}

RootPartition::Slot RootPartition::run(const sc_core::sc_time& ready, const sc_core::sc_time& duration) {
  ensure();
  unsigned best = 0;
  for (unsigned i = 1; i < free_at_.size(); ++i)
    if (free_at_[i] < free_at_[best]) best = i;
  Slot s{best, std::max(ready, free_at_[best])};
  free_at_[best] = s.start + duration;
  *busy_ps_[best] += duration.value();
  *queued_ps_[best] += (s.start - ready).value();
  ++*jobs_[best];
  return s;
}

int RootPartition::track(unsigned vcpu) {
  ensure();
  if (tracks_[vcpu] < 0) tracks_[vcpu] = TraceSink::instance().track("root partition", "vcpu" + std::to_string(vcpu));
  return tracks_[vcpu];
}

sc_core::sc_time RootPartition::busy(unsigned vcpu) const {
  return vcpu < busy_ps_.size() ? sc_core::sc_time::from_value(busy_ps_[vcpu]->value()) : sc_core::SC_ZERO_TIME;
}

}  // namespace hvsim
