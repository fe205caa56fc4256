// Statistics: hierarchical, named, with units (gem5 style). Models own their stats as members;
// the registry only references them. Output: JSON (nested by name), CSV (flat) and a text summary.
// A guest can mark a region of interest (ROI): everything is snapshotted at roi_begin() and the
// difference is accumulated at roi_end(), so "roi" covers exactly the marked region.
// Only simulated quantities belong here: the same inputs must give byte-identical files.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace sc_core { class sc_object; }

namespace hvsim {

class StatBase {
 public:
  StatBase(std::string name, std::string unit, std::string doc);
  virtual ~StatBase();
  StatBase(const StatBase&) = delete;
  StatBase& operator=(const StatBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& unit() const { return unit_; }
  const std::string& doc() const { return doc_; }

  virtual nlohmann::json to_json() const = 0;
  // ROI support: remember the current state / add (now - remembered) into the ROI accumulator.
  virtual void roi_mark() = 0;
  virtual void roi_accumulate() = 0;
  virtual nlohmann::json roi_json() const = 0;

 private:
  std::string name_, unit_, doc_;
};

// A monotonically growing count (events, cycles, bytes).
class Counter : public StatBase {
 public:
  Counter(std::string full_name, std::string unit, std::string doc);
  Counter(const sc_core::sc_object* owner, const std::string& key, std::string unit, std::string doc);

  Counter& operator+=(uint64_t n) { value_ += n; return *this; }
  Counter& operator++() { ++value_; return *this; }
  uint64_t value() const { return value_; }
  // For stats derived from a model's own state (e.g. a vCPU's exact instruction count).
  void set(uint64_t v) { value_ = v; }
  uint64_t roi_value() const { return roi_; }

  nlohmann::json to_json() const override;
  void roi_mark() override { mark_ = value_; }
  void roi_accumulate() override { roi_ += value_ - mark_; }
  nlohmann::json roi_json() const override;

 private:
  uint64_t value_ = 0, mark_ = 0, roi_ = 0;
};

// A distribution of integer samples (latencies in ps or cycles, sizes in bytes). Log-linear buckets:
// exact below 64, then 32 sub-buckets per power of two (relative error < 3.2%). Percentiles report
// the bucket's upper bound, min/max/mean are exact.
class Histogram : public StatBase {
 public:
  Histogram(std::string full_name, std::string unit, std::string doc);
  Histogram(const sc_core::sc_object* owner, const std::string& key, std::string unit, std::string doc);

  void sample(uint64_t v);
  uint64_t count() const { return data_.count; }
  uint64_t min() const { return data_.count ? data_.min : 0; }
  uint64_t max() const { return data_.max; }
  double mean() const { return data_.count ? static_cast<double>(data_.sum) / data_.count : 0.0; }
  uint64_t percentile(double p) const;  // p in [0,100]

  nlohmann::json to_json() const override;
  void roi_mark() override;
  void roi_accumulate() override;
  nlohmann::json roi_json() const override;

  static size_t bucket_of(uint64_t v);
  static uint64_t bucket_upper(size_t b);

 private:
  struct Data {
    uint64_t count = 0, sum = 0, min = UINT64_MAX, max = 0;
    std::vector<uint64_t> buckets;
  };
  static nlohmann::json json_of(const Data& d);
  static uint64_t percentile_of(const Data& d, double p);
  Data data_, mark_, roi_;
  // Exact extremes of the samples taken inside the current region (buckets alone only bound them).
  bool in_roi_ = false;
  uint64_t win_min_ = UINT64_MAX, win_max_ = 0;
};

class StatsRegistry {
 public:
  static StatsRegistry& instance();

  void add(StatBase* s);
  void remove(StatBase* s);
  const StatBase* find(const std::string& name) const;
  std::vector<const StatBase*> list() const;  // sorted by name

  void roi_begin();
  void roi_end();
  bool roi_active() const { return roi_active_; }
  unsigned roi_count() const { return roi_count_; }

  nlohmann::json to_json() const;  // {"total": {...}, "roi": {...} (only if a ROI was marked)}
  void write_json(const std::string& path) const;
  void write_csv(const std::string& path) const;  // name,unit,total,roi,description (histograms: a row per field)

 private:
  std::map<std::string, StatBase*> stats_;
  bool roi_active_ = false;
  unsigned roi_count_ = 0;
};

}  // namespace hvsim
