#include "models/core/trace.h"

#include <nlohmann/json.hpp>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim {

using nlohmann::json;

TraceSink& TraceSink::instance() {
  static TraceSink sink;
  return sink;
}

TraceSink::~TraceSink() { close(); }

void TraceSink::open(const std::string& path) {
  close();
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) throw ConfigError(SourceLoc{path, 0, ""}, "cannot open trace file for writing");
  std::fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", file_);
  first_ = true;
  events_ = 0;
  pids_.clear();
  tracks_.clear();
  ids_.clear();
}

void TraceSink::close() {
  if (!file_) return;
  std::fputs("\n]}\n", file_);
  std::fclose(file_);
  file_ = nullptr;
}

void TraceSink::emit(const std::string& line) {
  if (!first_) std::fputs(",\n", file_);
  first_ = false;
  std::fputs(line.c_str(), file_);
  ++events_;
}

namespace {
// Trace timestamps are microseconds; 6 decimals keep picosecond resolution.
std::string us(const sc_core::sc_time& t) { return strfmt("%.6f", t.to_seconds() * 1e6); }
}  // namespace

int TraceSink::track(const std::string& process, const std::string& thread) {
  auto key = std::make_pair(process, thread);
  auto it = tracks_.find(key);
  if (it != tracks_.end()) return it->second;
  int id = static_cast<int>(tracks_.size()) + 1;
  tracks_[key] = id;
  auto [pit, fresh] = pids_.emplace(process, static_cast<int>(pids_.size()) + 1);
  Track t{pit->second, id};
  ids_[id] = t;
  if (file_) {
    if (fresh)
      emit(json{{"ph", "M"}, {"name", "process_name"}, {"pid", t.pid}, {"args", {{"name", process}}}}.dump());
    emit(json{{"ph", "M"}, {"name", "thread_name"}, {"pid", t.pid}, {"tid", t.tid}, {"args", {{"name", thread}}}}
             .dump());
  }
  return id;
}

void TraceSink::complete(int track, const std::string& name, const char* category, const sc_core::sc_time& start,
                         const sc_core::sc_time& dur, const json* args) {
  if (!file_) return;
  const Track& t = ids_.at(track);
  std::string line = strfmt("{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"name\":%s,\"cat\":\"%s\"", t.pid,
                            t.tid, us(start).c_str(), us(dur).c_str(), json(name).dump().c_str(), category);
  if (args) line += ",\"args\":" + args->dump();
  emit(line + "}");
}

void TraceSink::instant(int track, const std::string& name, const char* category, const sc_core::sc_time& at,
                        const json* args) {
  if (!file_) return;
  const Track& t = ids_.at(track);
  std::string line = strfmt("{\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"name\":%s,\"cat\":\"%s\"", t.pid,
                            t.tid, us(at).c_str(), json(name).dump().c_str(), category);
  if (args) line += ",\"args\":" + args->dump();
  emit(line + "}");
}

void TraceSink::counter(int track, const std::string& name, const sc_core::sc_time& at, double value) {
  if (!file_) return;
  const Track& t = ids_.at(track);
  emit(strfmt("{\"ph\":\"C\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"name\":%s,\"args\":{\"value\":%.17g}}", t.pid, t.tid,
              us(at).c_str(), json(name).dump().c_str(), value));
}

}  // namespace hvsim
