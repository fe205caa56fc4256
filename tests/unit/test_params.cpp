#include <catch2/catch.hpp>

#include "models/core/params.h"

using namespace hvsim;

TEST_CASE("params: parse integers with hex, separators and size suffixes", "[params]") {
  uint64_t v = 0;
  CHECK((parse_u64("0x3f8", v) && v == 0x3F8));
  CHECK((parse_u64("256MiB", v) && v == 256ull << 20));
  CHECK((parse_u64("3G", v) && v == 3000000000ull));
  CHECK((parse_u64("1_000_000", v) && v == 1000000));
  CHECK_FALSE(parse_u64("12abc", v));
  CHECK_FALSE(parse_u64("-1", v));
  CHECK_FALSE(parse_u64("99999999999999999999", v));
  int64_t s = 0;
  CHECK((parse_i64("-42", s) && s == -42));
  bool b = false;
  CHECK((parse_bool("on", b) && b));
  CHECK_FALSE(parse_bool("maybe", b));
}

TEST_CASE("params: an override set before construction wins over the default", "[params]") {
  ParamRegistry::instance().set_override("t.depth", "17", SourceLoc{"pc.yaml", 4, "t.depth"});
  Param<uint32_t> depth("t.depth", 8, "entries", "queue depth");
  Param<uint32_t> width("t.width", 4, "bytes", "access width");
  CHECK(depth.get() == 17);
  CHECK(depth.source().line == 4);
  CHECK(width.get() == 4);
  REQUIRE_NOTHROW(ParamRegistry::instance().check_all_consumed());
  // A later override (the command line) replaces the value of an existing parameter at once.
  ParamRegistry::instance().set_override("t.width", "2", SourceLoc{"command line", 0, "-p t.width"});
  CHECK(width.get() == 2);
}

TEST_CASE("params: an override nobody consumes names its file, line and key", "[params]") {
  Param<double> cpi("cpu.cpi", 1.0, "cycles/instruction", "cpi");
  ParamRegistry::instance().set_override("cpu.cpj", "2.0", SourceLoc{"pc.yaml", 12, "cpu.cpj"});
  try {
    ParamRegistry::instance().check_all_consumed();
    FAIL("no error for an unknown parameter");
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    CHECK(msg.find("pc.yaml:12") != std::string::npos);
    CHECK(msg.find("cpu.cpj") != std::string::npos);
    CHECK(msg.find("cpi") != std::string::npos);  // suggests the parameters that exist there
  }
}

TEST_CASE("params: a value of the wrong type is an error naming the source", "[params]") {
  ParamRegistry::instance().set_override("dev.size", "large", SourceLoc{"x.yaml", 3, "dev.size"});
  try {
    Param<uint64_t> size("dev.size", 64, "bytes", "size");
    FAIL("no error for a non-numeric size");
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    CHECK(msg.find("x.yaml:3") != std::string::npos);
    CHECK(msg.find("large") != std::string::npos);
  }
  ParamRegistry::instance().clear_overrides();
  Param<uint8_t> small("dev.small", 1, "", "");
  CHECK_THROWS_AS(small.set_from_string("256", SourceLoc{"command line", 0, "-p"}), ConfigError);
  CHECK(small.get() == 1);
}
