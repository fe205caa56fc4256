// The root partition as a resource: N root vCPUs that run device emulators and services. Work
// forwarded to the root takes the earliest free root vCPU; if all are busy it queues, and the
// waiting shows up as cost in the exit that forwarded it (contention is visible, not hidden).
#pragma once

#include <memory>
#include <systemc>
#include <vector>

#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

class RootPartition {
 public:
  Param<uint32_t> vcpus{"hv.root.vcpus", 1, "vCPUs",
                        "root partition vCPUs serving forwarded exits and services (a small Hyper-V root; A)"};

  RootPartition();

  struct Slot {
    unsigned vcpu = 0;
    sc_core::sc_time start;  // when the work begins (>= ready)
  };
  // Occupies a root vCPU for `duration`, starting no earlier than `ready`.
  Slot run(const sc_core::sc_time& ready, const sc_core::sc_time& duration);
  int track(unsigned vcpu);  // trace track of a root vCPU
  sc_core::sc_time busy(unsigned vcpu) const;

 private:
  void ensure();
  std::vector<sc_core::sc_time> free_at_;
  std::vector<std::unique_ptr<Counter>> busy_ps_, queued_ps_, jobs_;
  std::vector<int> tracks_;
};

}  // namespace hvsim
