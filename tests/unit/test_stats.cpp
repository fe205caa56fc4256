#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/core/stats.h"

using namespace hvsim;

TEST_CASE("stats: counters nest by name in JSON with units", "[stats]") {
  Counter a("vm0.cpu0.instructions", "instructions", "retired");
  Counter b("vm0.io.transactions", "transactions", "routed");
  a += 5;
  ++b;
  auto j = StatsRegistry::instance().to_json();
  CHECK(j["total"]["vm0"]["cpu0"]["instructions"] == 5);
  CHECK(j["total"]["vm0"]["io"]["transactions"] == 1);
  CHECK(j["units"]["vm0.cpu0.instructions"] == "instructions");
  CHECK_FALSE(j.contains("roi"));
}

TEST_CASE("stats: the region of interest covers exactly what happens between the markers", "[stats]") {
  Counter c("dev.ops", "ops", "operations");
  Histogram h("dev.latency", "ps", "latency");
  c += 10;
  h.sample(1000);
  StatsRegistry::instance().roi_begin();
  c += 3;
  h.sample(50);
  h.sample(70);
  StatsRegistry::instance().roi_end();
  c += 100;
  h.sample(5000);
  CHECK(c.value() == 113);
  CHECK(c.roi_value() == 3);
  auto j = StatsRegistry::instance().to_json();
  CHECK(j["roi"]["dev"]["ops"] == 3);
  CHECK(j["roi"]["dev"]["latency"]["count"] == 2);
  CHECK(j["roi"]["dev"]["latency"]["min"] == 50);
  CHECK(j["roi"]["dev"]["latency"]["max"] == 70);
  CHECK(j["total"]["dev"]["latency"]["count"] == 4);
  CHECK(j["roi_count"] == 1);
}

TEST_CASE("stats: histogram percentiles are exact below 64 and within one bucket above", "[stats]") {
  Histogram h("h", "cycles", "");
  for (uint64_t v = 1; v <= 50; ++v) h.sample(v);
  CHECK(h.percentile(50) == 25);
  CHECK(h.percentile(100) == 50);
  CHECK(h.min() == 1);
  CHECK(h.mean() == Approx(25.5));
  Histogram big("big", "ps", "");
  for (int i = 0; i < 99; ++i) big.sample(1000);
  big.sample(1000000);
  uint64_t p50 = big.percentile(50), p100 = big.percentile(100);
  CHECK(p50 >= 1000);
  CHECK(p50 < 1000 + 1000 / 32 + 1);  // 32 sub-buckets per power of two
  CHECK(p100 == 1000000);             // clamped to the exact maximum
  for (uint64_t v : {64ull, 65ull, 1000ull, 123456789ull}) {
    size_t b = Histogram::bucket_of(v);
    CHECK(Histogram::bucket_upper(b) >= v);
    CHECK((b == 0 || Histogram::bucket_upper(b - 1) < v));
  }
}

TEST_CASE("stats: CSV has one row per counter and per histogram field", "[stats]") {
  Counter c("x.count", "events", "with, comma");
  Histogram h("x.lat", "ps", "lat");
  c += 7;
  h.sample(3);
  std::string path = "/tmp/hvsim_test_stats.csv";
  StatsRegistry::instance().write_csv(path);
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string csv = ss.str();
  CHECK(csv.find("x.count,events,7,,\"with, comma\"") != std::string::npos);
  CHECK(csv.find("x.lat.count,samples,1,") != std::string::npos);
  CHECK(csv.find("x.lat.max,ps,3,") != std::string::npos);
  std::remove(path.c_str());
}
