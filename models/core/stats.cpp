#include "models/core/stats.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/core/params.h"

namespace hvsim {

using nlohmann::json;

StatBase::StatBase(std::string name, std::string unit, std::string doc)
    : name_(std::move(name)), unit_(std::move(unit)), doc_(std::move(doc)) {}

StatBase::~StatBase() { StatsRegistry::instance().remove(this); }

Counter::Counter(std::string full_name, std::string unit, std::string doc)
    : StatBase(std::move(full_name), std::move(unit), std::move(doc)) {
  StatsRegistry::instance().add(this);
}
Counter::Counter(const sc_core::sc_object* owner, const std::string& key, std::string unit, std::string doc)
    : Counter(hierarchical_name(owner, key), std::move(unit), std::move(doc)) {}

json Counter::to_json() const { return value_; }
json Counter::roi_json() const { return roi_; }

Histogram::Histogram(std::string full_name, std::string unit, std::string doc)
    : StatBase(std::move(full_name), std::move(unit), std::move(doc)) {
  StatsRegistry::instance().add(this);
}
Histogram::Histogram(const sc_core::sc_object* owner, const std::string& key, std::string unit, std::string doc)
    : Histogram(hierarchical_name(owner, key), std::move(unit), std::move(doc)) {}

namespace {
constexpr unsigned kSubBits = 5;  // 32 sub-buckets per power of two
constexpr uint64_t kLinear = 64;  // values below this get a bucket each
}  // namespace

size_t Histogram::bucket_of(uint64_t v) {
  if (v < kLinear) return static_cast<size_t>(v);
  unsigned msb = 63 - static_cast<unsigned>(__builtin_clzll(v));  // >= 6
  uint64_t sub = (v >> (msb - kSubBits)) & ((1u << kSubBits) - 1);
  return kLinear + (msb - 6) * (1u << kSubBits) + sub;
}

uint64_t Histogram::bucket_upper(size_t b) {
  if (b < kLinear) return b;
  size_t rel = b - kLinear;
  unsigned msb = static_cast<unsigned>(rel >> kSubBits) + 6;
  uint64_t sub = rel & ((1u << kSubBits) - 1);
  uint64_t lo = (1ull << msb) | (sub << (msb - kSubBits));
  return lo + ((1ull << (msb - kSubBits)) - 1);
}

void Histogram::sample(uint64_t v) {
  size_t b = bucket_of(v);
  if (data_.buckets.size() <= b) data_.buckets.resize(b + 1, 0);
  ++data_.buckets[b];
  ++data_.count;
  data_.sum += v;
  data_.min = std::min(data_.min, v);
  data_.max = std::max(data_.max, v);
  if (in_roi_) {
    win_min_ = std::min(win_min_, v);
    win_max_ = std::max(win_max_, v);
  }
}

uint64_t Histogram::percentile_of(const Data& d, double p) {
  if (!d.count) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(d.count)));
  rank = std::clamp<uint64_t>(rank, 1, d.count);
  uint64_t seen = 0;
  for (size_t b = 0; b < d.buckets.size(); ++b) {
    seen += d.buckets[b];
    if (seen >= rank) return std::clamp(bucket_upper(b), d.min, d.max);
  }
  return d.max;
}

uint64_t Histogram::percentile(double p) const { return percentile_of(data_, p); }

json Histogram::json_of(const Data& d) {
  json j;
  j["count"] = d.count;
  j["sum"] = d.sum;
  j["min"] = d.count ? d.min : 0;
  j["max"] = d.max;
  j["mean"] = d.count ? static_cast<double>(d.sum) / static_cast<double>(d.count) : 0.0;
  j["p50"] = percentile_of(d, 50);
  j["p90"] = percentile_of(d, 90);
  j["p99"] = percentile_of(d, 99);
  return j;
}

json Histogram::to_json() const { return json_of(data_); }

void Histogram::roi_mark() {
  mark_ = data_;
  in_roi_ = true;
  win_min_ = UINT64_MAX;
  win_max_ = 0;
}

void Histogram::roi_accumulate() {
  in_roi_ = false;
  roi_.count += data_.count - mark_.count;
  roi_.sum += data_.sum - mark_.sum;
  if (roi_.buckets.size() < data_.buckets.size()) roi_.buckets.resize(data_.buckets.size(), 0);
  for (size_t b = 0; b < data_.buckets.size(); ++b)
    roi_.buckets[b] += data_.buckets[b] - (b < mark_.buckets.size() ? mark_.buckets[b] : 0);
  roi_.min = std::min(roi_.min, win_min_);
  roi_.max = std::max(roi_.max, win_max_);
}

json Histogram::roi_json() const { return json_of(roi_); }

StatsRegistry& StatsRegistry::instance() {
  static StatsRegistry reg;
  return reg;
}

void StatsRegistry::add(StatBase* s) {
  if (!stats_.emplace(s->name(), s).second) throw std::logic_error("duplicate statistic name " + s->name());
}

void StatsRegistry::remove(StatBase* s) {
  auto it = stats_.find(s->name());
  if (it != stats_.end() && it->second == s) stats_.erase(it);
}

const StatBase* StatsRegistry::find(const std::string& name) const {
  auto it = stats_.find(name);
  return it == stats_.end() ? nullptr : it->second;
}

std::vector<const StatBase*> StatsRegistry::list() const {
  std::vector<const StatBase*> out;
  for (auto& [n, s] : stats_) out.push_back(s);
  return out;
}

void StatsRegistry::roi_begin() {
  if (roi_active_) return;
  for (auto& [n, s] : stats_) s->roi_mark();
  roi_active_ = true;
}

void StatsRegistry::roi_end() {
  if (!roi_active_) return;
  for (auto& [n, s] : stats_) s->roi_accumulate();
  roi_active_ = false;
  ++roi_count_;
}

namespace {
// Places value at the dotted path "a.b.c" inside a nested object.
void put(json& root, const std::string& name, json value) {
  json* node = &root;
  size_t start = 0;
  for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
    json& child = (*node)[name.substr(start, dot - start)];
    if (!child.is_object()) child = json::object();  // a stat and a group of the same name: group wins
    node = &child;
  }
  (*node)[name.substr(start)] = std::move(value);
}
}  // namespace

json StatsRegistry::to_json() const {
  json total = json::object(), roi = json::object(), units = json::object();
  for (auto& [n, s] : stats_) {
    put(total, n, s->to_json());
    if (roi_count_) put(roi, n, s->roi_json());
    units[n] = s->unit();
  }
  json out;
  out["total"] = std::move(total);
  if (roi_count_) {
    out["roi"] = std::move(roi);
    out["roi_count"] = roi_count_;
  }
  out["units"] = std::move(units);
  return out;
}

void StatsRegistry::write_json(const std::string& path) const {
  std::ofstream f(path);
  if (!f) throw ConfigError(SourceLoc{path, 0, ""}, "cannot open statistics file for writing");
  f << to_json().dump(2) << "\n";
}

namespace {
std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}
}  // namespace

void StatsRegistry::write_csv(const std::string& path) const {
  std::ofstream f(path);
  if (!f) throw ConfigError(SourceLoc{path, 0, ""}, "cannot open statistics file for writing");
  f << "name,unit,total,roi,description\n";
  auto row = [&](const std::string& name, const std::string& unit, const json& total, const json& roi,
                 const std::string& doc) {
    f << csv_escape(name) << "," << csv_escape(unit) << "," << total.dump() << "," << (roi.is_null() ? "" : roi.dump())
      << "," << csv_escape(doc) << "\n";
  };
  for (auto& [n, s] : stats_) {
    json total = s->to_json(), roi = roi_count_ ? s->roi_json() : json();
    if (!total.is_object()) {
      row(n, s->unit(), total, roi, s->doc());
      continue;
    }
    for (auto& [field, v] : total.items())
      row(n + "." + field, field == "count" ? "samples" : s->unit(), v, roi.is_null() ? json() : roi[field], s->doc());
  }
}

}  // namespace hvsim
