// RegisterBank: access policies, masks, callbacks, byte lanes, spanning accesses, construction checks.
// The bank is plain C++ (no SystemC process), so these tests need no sc_start.
#include <catch2/catch.hpp>
#include <sstream>
#include <stdexcept>

#include "models/core/register_bank.h"
#include "models/core/stats.h"

using hvsim::Access;
using hvsim::Register;
using hvsim::RegisterBank;

TEST_CASE("RegisterBank: RW write mask keeps bits the guest may not change", "[register_bank]") {
  RegisterBank bank("dev");
  Register& r = bank.add("CTRL", 0x00, 4, 0xA0000000, Access::RW, 0x0000FFFF);
  bank.write_value(0x00, 0x12345678, 4);
  CHECK(r.get() == 0xA0005678);
  CHECK(bank.read_value(0x00, 4) == 0xA0005678);
  CHECK(r.writes() == 1);
  CHECK(r.reads() == 1);
}

TEST_CASE("RegisterBank: RO ignores writes and skips the write callback", "[register_bank]") {
  RegisterBank bank("dev");
  int calls = 0;
  Register& r = bank.add("ID", 0x00, 2, 0x8086, Access::RO).on_write([&](uint64_t, uint64_t) { ++calls; });
  bank.write_value(0x00, 0xFFFF, 2);
  CHECK(r.get() == 0x8086);
  CHECK(bank.read_value(0x00, 2) == 0x8086);
  CHECK(calls == 0);
  CHECK(r.writes() == 1);  // still counted: the guest did cause an access
}

TEST_CASE("RegisterBank: W1C clears only the written ones inside the mask", "[register_bank]") {
  RegisterBank bank("dev");
  Register& r = bank.add("STS", 0x00, 2, 0, Access::W1C, 0xF800);
  r.set(0xF80C);  // device sets error bits and two RO status bits
  bank.write_value(0x00, 0x3000, 2);
  CHECK(r.get() == 0xC80C);
  bank.write_value(0x00, 0x000C, 2);  // RO bits outside the mask: writing ones does not clear them
  CHECK(r.get() == 0xC80C);
  bank.write_value(0x00, 0xFFFF, 2);
  CHECK(r.get() == 0x000C);
}

TEST_CASE("RegisterBank: RC returns the value and clears the bytes read", "[register_bank]") {
  RegisterBank bank("dev");
  Register& r = bank.add("ISR", 0x00, 2, 0, Access::RC);
  r.set(0xABCD);
  CHECK(bank.read_value(0x01, 1) == 0xAB);  // reading the high lane clears only that lane
  CHECK(r.get() == 0x00CD);
  CHECK(bank.read_value(0x00, 2) == 0x00CD);
  CHECK(r.get() == 0);
  CHECK(bank.read_value(0x00, 2) == 0);
  bank.write_value(0x00, 0xFFFF, 2);  // default mask for RC is 0: the guest cannot set it
  CHECK(r.get() == 0);
}

TEST_CASE("RegisterBank: WO reads as zero but stores the write", "[register_bank]") {
  RegisterBank bank("dev");
  Register& r = bank.add("DOORBELL", 0x04, 4, 0, Access::WO);
  bank.write_value(0x04, 0xCAFEF00D, 4);
  CHECK(r.get() == 0xCAFEF00D);
  CHECK(bank.read_value(0x04, 4) == 0);
}

TEST_CASE("RegisterBank: read and write callbacks see policy-applied values", "[register_bank]") {
  RegisterBank bank("dev");
  uint64_t seen_old = 0, seen_new = 0;
  int writes = 0;
  uint64_t live = 0x55;
  bank.add("CMD", 0x00, 1, 0x80, Access::RW, 0x0F).on_write([&](uint64_t o, uint64_t n) {
    seen_old = o;
    seen_new = n;
    ++writes;
  });
  bank.add("COUNT", 0x01, 1, 0, Access::RO).on_read([&] { return live++; });
  bank.write_value(0x00, 0x3C, 1);
  CHECK(writes == 1);
  CHECK(seen_old == 0x80);
  CHECK(seen_new == 0x8C);  // bit 7 outside the mask kept, bits 5:4 dropped
  CHECK(bank.read_value(0x01, 1) == 0x55);
  CHECK(bank.read_value(0x01, 1) == 0x56);
}

TEST_CASE("RegisterBank: partial accesses hit the right byte lanes", "[register_bank]") {
  RegisterBank bank("dev");
  uint64_t seen_new = 0;
  Register& r = bank.add("DATA", 0x08, 4, 0x11223344, Access::RW).on_write([&](uint64_t, uint64_t n) { seen_new = n; });
  CHECK(bank.read_value(0x09, 1) == 0x33);
  CHECK(bank.read_value(0x0A, 2) == 0x1122);
  bank.write_value(0x0A, 0xAA, 1);
  CHECK(r.get() == 0x11AA3344);
  CHECK(seen_new == 0x11AA3344);
  bank.write_value(0x08, 0xBEEF, 2);
  CHECK(r.get() == 0x11AABEEF);
}

TEST_CASE("RegisterBank: an access spanning adjacent registers merges little-endian lanes", "[register_bank]") {
  RegisterBank bank("dev", {
                               {"LO", 0x00, 2, 0x2211, Access::RW},
                               {"MID", 0x02, 1, 0x33, Access::RW},
                               {"HI", 0x03, 1, 0x44, Access::RO},
                           });
  CHECK(bank.read_value(0x00, 4) == 0x44332211);
  CHECK(bank.write_value(0x00, 0xDDCCBBAA, 4));
  CHECK(bank.reg("LO").get() == 0xBBAA);
  CHECK(bank.reg("MID").get() == 0xCC);
  CHECK(bank.reg("HI").get() == 0x44);
  CHECK(bank.reg("LO").writes() == 1);
  CHECK(bank.reg("MID").writes() == 1);
  CHECK(bank.reg("HI").writes() == 1);
  CHECK(bank.read_value(0x01, 2) == 0xCCBB);  // unaligned, crossing LO into MID
}

TEST_CASE("RegisterBank: unmapped bytes read as the fill byte and report false", "[register_bank]") {
  RegisterBank bank("dev");
  bank.add("A", 0x00, 1, 0x11, Access::RW);
  bank.add("B", 0x02, 1, 0x33, Access::RW);
  bool mapped = true;
  CHECK(bank.read_value(0x00, 4, &mapped) == 0x00330011);
  CHECK_FALSE(mapped);
  bank.set_unmapped_fill(0xFF);
  CHECK(bank.read_value(0x00, 4, &mapped) == 0xFF33FF11);
  CHECK_FALSE(bank.write_value(0x00, 0x99887766, 4));
  CHECK(bank.reg("A").get() == 0x66);  // mapped lanes of a partly unmapped write still land
  CHECK(bank.reg("B").get() == 0x88);
  CHECK(bank.read_value(0x02, 1, &mapped) == 0x88);
  CHECK(mapped);
  CHECK(bank.find(0x01) == nullptr);
  CHECK(bank.find(0x02) == &bank.reg("B"));
}

TEST_CASE("RegisterBank: overlaps and duplicates and bad widths throw at construction", "[register_bank]") {
  RegisterBank bank("dev");
  bank.add("A", 0x04, 4, 0, Access::RW);
  CHECK_THROWS_AS(bank.add("B", 0x06, 2, 0, Access::RW), std::logic_error);
  CHECK_THROWS_AS(bank.add("C", 0x02, 4, 0, Access::RW), std::logic_error);
  CHECK_THROWS_AS(bank.add("A", 0x10, 4, 0, Access::RW), std::logic_error);
  CHECK_THROWS_AS(bank.add("D", 0x10, 3, 0, Access::RW), std::logic_error);
  CHECK_NOTHROW(bank.add("E", 0x08, 1, 0, Access::RW));  // adjacent is fine
  CHECK_NOTHROW(bank.add("F", 0x03, 1, 0, Access::RW));
  try {
    bank.add("G", 0x05, 1, 0, Access::RW);
    FAIL("overlap not detected");
  } catch (const std::logic_error& e) {
    CHECK(std::string(e.what()).find("overlaps A") != std::string::npos);
  }
  CHECK_THROWS_AS(RegisterBank("tbl", {{"X", 0x00, 4, 0, Access::RW}, {"Y", 0x02, 2, 0, Access::RW}}),
                  std::logic_error);
  CHECK(bank.size() == 3);
}

TEST_CASE("RegisterBank: reset restores every reset value", "[register_bank]") {
  RegisterBank bank("dev");
  Register& a = bank.add("A", 0x00, 4, 0x00000060, Access::RW);
  Register& b = bank.add("B", 0x04, 8, 0x0123456789ABCDEFull, Access::RW);
  bank.write_value(0x00, 0xFFFFFFFF, 4);
  bank.write_value(0x04, 0, 8);
  CHECK(a.get() == 0xFFFFFFFF);
  CHECK(b.get() == 0);
  bank.reset();
  CHECK(a.get() == 0x60);
  CHECK(b.get() == 0x0123456789ABCDEFull);
  CHECK(bank.read_value(0x08, 4) == 0x01234567);
}

TEST_CASE("RegisterBank: sparse banks beyond the dense table still decode", "[register_bank]") {
  RegisterBank bank("dev");
  bank.add("LOW", 0x0, 4, 0x11111111, Access::RW);
  bank.add("HIGH", 0x10000, 4, 0x22222222, Access::RW);
  bank.add("MID", 0x8000, 2, 0x3333, Access::RW);
  CHECK(bank.read_value(0x10002, 2) == 0x2222);
  CHECK(bank.read_value(0x8000, 2) == 0x3333);
  CHECK(bank.find(0x8002) == nullptr);
  CHECK(bank.find(0x10003) == &bank.reg("HIGH"));
  auto regs = bank.registers();
  REQUIRE(regs.size() == 3);
  CHECK(regs[1]->name() == "MID");
}

TEST_CASE("RegisterBank: stats counters and dump show per-register accesses", "[register_bank]") {
  RegisterBank bank("dev");
  bank.add("CSR5", 0x28, 4, 0, Access::W1C);
  bank.read_value(0x28, 4);  // before enable_stats: carried over
  bank.enable_stats(nullptr, "nic.regs");
  bank.read_value(0x28, 4);
  bank.write_value(0x28, 1, 4);
  bank.add("CSR6", 0x30, 4, 0, Access::RW);  // added later: gets counters too
  bank.write_value(0x30, 1, 4);
  auto* reads = dynamic_cast<const hvsim::Counter*>(hvsim::StatsRegistry::instance().find("nic.regs.CSR5.reads"));
  auto* writes = dynamic_cast<const hvsim::Counter*>(hvsim::StatsRegistry::instance().find("nic.regs.CSR6.writes"));
  REQUIRE(reads);
  REQUIRE(writes);
  CHECK(reads->value() == 2);
  CHECK(writes->value() == 1);
  std::ostringstream os;
  bank.dump(os);
  CHECK(os.str().find("CSR5") != std::string::npos);
  CHECK(os.str().find("W1C") != std::string::npos);
  CHECK(os.str().find("0x000030") != std::string::npos);
}
