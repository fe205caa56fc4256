// A queue of callbacks at absolute simulated times, run by one SystemC method process. The Ethernet
// models (wire deliveries, switch forwarding, peers) are plain classes created at elaboration or later
// (a switch adds ports from Vm::on_ready), so they cannot own SC_METHODs; this gives each of them a
// spawned process instead. Callbacks due at the same time run in the order they were scheduled, so a
// run is deterministic. A callback may schedule more callbacks (also for the current time).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <systemc>
#include <utility>

namespace hvsim::net {

class TimedQueue {
 public:
  TimedQueue();
  TimedQueue(const TimedQueue&) = delete;
  TimedQueue& operator=(const TimedQueue&) = delete;

  // Runs `fn` at absolute time `when`; a time in the past is treated as now.
  void at(const sc_core::sc_time& when, std::function<void()> fn);
  size_t pending() const { return queue_.size(); }

 private:
  void run();
  void arm();
  std::map<std::pair<sc_core::sc_time, uint64_t>, std::function<void()>> queue_;
  uint64_t seq_ = 0;
  sc_core::sc_event event_;
};

}  // namespace hvsim::net
