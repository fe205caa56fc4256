#include <catch2/catch.hpp>
#include <fstream>

#include "platforms/platform.h"

using namespace hvsim;

namespace {
std::string write_platform(const std::string& name, const std::string& text) {
  std::string path = "/tmp/hvsim_test_" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

// The ConfigError message of building (and preparing) a platform; empty if it succeeded.
std::string error_of(const std::string& path, Platform::Options opts = {}) {
  try {
    Platform p(path, opts);
    p.prepare();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

Platform::Options kernel_only(const std::string& kernel) {
  Platform::Options o;
  o.kernel = kernel;
  return o;
}

const char* kGood =
    "vm0:\n"
    "  ram: {type: memory, size: 4MiB}\n"
    "  cpu0:\n"
    "    type: x86_vcpu\n";
}  // namespace

TEST_CASE("platform: an unknown component type names file, line and key", "[platform]") {
  std::string path = write_platform("badtype", "vm0:\n  ram: {type: memory}\n  nic:\n    type: tulip9000\n");
  std::string err = error_of(path);
  CHECK(err.find(path + ":4") != std::string::npos);
  CHECK(err.find("vm0.nic.type") != std::string::npos);
  CHECK(err.find("tulip9000") != std::string::npos);
}

TEST_CASE("platform: an unknown parameter key names file, line and key", "[platform]") {
  std::string path =
      write_platform("badkey", "vm0:\n  ram: {type: memory, size: 4MiB}\n  cpu0:\n    type: x86_vcpu\n    clock: 3G\n");
  std::string err = error_of(path, kernel_only("/nonexistent.elf"));
  // The kernel error would come first if parameters were checked late; either way the file names it.
  bool names_key = err.find(path + ":5") != std::string::npos && err.find("vm0.cpu0.clock") != std::string::npos;
  bool names_kernel = err.find("/nonexistent.elf") != std::string::npos;
  CHECK((names_key || names_kernel));
}

TEST_CASE("platform: a misspelled parameter is reported before the kernel is needed", "[platform]") {
  std::string path = write_platform("badkey2", "vm0:\n  ram: {type: memory, size: 4MiB, sise: 2}\n  cpu0: {type: x86_vcpu}\n");
  try {
    Platform p(path, {});
    ParamRegistry::instance().check_all_consumed();
    FAIL("no error for vm0.ram.sise");
  } catch (const ConfigError& e) {
    std::string err = e.what();
    CHECK(err.find(path + ":2") != std::string::npos);
    CHECK(err.find("vm0.ram.sise") != std::string::npos);
  }
}

TEST_CASE("platform: malformed YAML and missing files are one clear error", "[platform]") {
  std::string path = write_platform("broken", "vm0:\n  ram: {type: memory\n  cpu0: [\n");
  std::string err = error_of(path);
  CHECK(err.find(path) != std::string::npos);
  CHECK(err.find("YAML") != std::string::npos);
  err = error_of("/tmp/hvsim_no_such_platform.yaml");
  CHECK(err.find("/tmp/hvsim_no_such_platform.yaml") != std::string::npos);
  CHECK(err.find("cannot open") != std::string::npos);
}

TEST_CASE("platform: a bad RAM size and a missing kernel are rejected before simulation", "[platform]") {
  std::string path = write_platform("badram", "vm0:\n  ram: {type: memory, size: 5000}\n  cpu0: {type: x86_vcpu}\n");
  std::string err = error_of(path);
  CHECK(err.find(path + ":2") != std::string::npos);
  CHECK(err.find("multiple of 4 KiB") != std::string::npos);
}

TEST_CASE("platform: a missing kernel file is a ConfigError naming it", "[platform]") {
  std::string path = write_platform("nokernel", kGood);
  std::string err = error_of(path, kernel_only("/tmp/hvsim_missing_kernel.elf"));
  CHECK(err.find("/tmp/hvsim_missing_kernel.elf") != std::string::npos);
  CHECK(err.find("cannot open") != std::string::npos);
}

TEST_CASE("platform: -p overrides win over the platform file", "[platform]") {
  std::string path = write_platform("override", "vm0:\n  ram: {type: memory, size: 4MiB}\n  cpu0: {type: x86_vcpu, cpi: 2.0}\n");
  Platform::Options opts;
  opts.overrides = {{"vm0.cpu0.cpi", "1.25"}};
  Platform p(path, opts);
  REQUIRE(p.cpus().size() == 1);
  CHECK(p.cpus()[0]->cpi.get() == 1.25);
  CHECK(p.cpus()[0]->cpi.source().file == "command line");
  CHECK(std::string(p.cpus()[0]->name()) == "vm0.cpu0");
}
