#include "models/net/timed_queue.h"

namespace hvsim::net {

TimedQueue::TimedQueue() {
  // Dynamic sensitivity (next_trigger in run()), not static: an sc_event detaches dynamically waiting
  // processes when it is destroyed, so a queue may die before the simulation context does.
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  sc_core::sc_spawn([this] { run(); }, sc_core::sc_gen_unique_name("net_timed_queue"), &opts);
}

void TimedQueue::at(const sc_core::sc_time& when, std::function<void()> fn) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  queue_.emplace(std::make_pair(when < now ? now : when, seq_++), std::move(fn));
  arm();
}

void TimedQueue::arm() {
  if (queue_.empty()) return;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time next = queue_.begin()->first.first;
  // A pending later notification is replaced by an earlier one (IEEE 1666 5.10.8).
  event_.notify(next > now ? next - now : sc_core::SC_ZERO_TIME);
}

void TimedQueue::run() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!queue_.empty() && queue_.begin()->first.first <= now) {
    auto node = queue_.extract(queue_.begin());
    node.mapped()();  // may schedule more work, also for now
  }
  arm();
  sc_core::next_trigger(event_);
}

}  // namespace hvsim::net
