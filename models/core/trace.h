// Chrome trace-event JSON (opens in Perfetto / chrome://tracing). One process per partition or
// component group, one thread (track) per vCPU, root vCPU or device. Timestamps are simulated time.
// Disabled by default; every call is a cheap no-op until open() is called.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <systemc>

namespace hvsim {

class TraceSink {
 public:
  static TraceSink& instance();

  void open(const std::string& path);  // throws ConfigError if it cannot be created
  void close();                        // writes the closing bracket; safe to call twice
  bool enabled() const { return file_ != nullptr; }

  // A track is (process, thread) by name, e.g. ("vm0", "cpu0") or ("root", "vcpu1"). Returns an id.
  int track(const std::string& process, const std::string& thread);

  // A slice on a track: [start, start + dur). Slices on one track nest when they are contained.
  void complete(int track, const std::string& name, const char* category, const sc_core::sc_time& start,
                const sc_core::sc_time& dur, const nlohmann::json* args = nullptr);
  void instant(int track, const std::string& name, const char* category, const sc_core::sc_time& at,
               const nlohmann::json* args = nullptr);
  void counter(int track, const std::string& name, const sc_core::sc_time& at, double value);

  uint64_t events() const { return events_; }

 private:
  TraceSink() = default;
  ~TraceSink();
  void emit(const std::string& line);
  struct Track {
    int pid, tid;
  };
  std::FILE* file_ = nullptr;
  bool first_ = true;
  uint64_t events_ = 0;
  std::map<std::string, int> pids_;
  std::map<std::pair<std::string, std::string>, int> tracks_;
  std::map<int, Track> ids_;
};

}  // namespace hvsim
