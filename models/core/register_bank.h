// Register framework (VCML reg<T> + gem5 RegisterBank): a device declares its registers one per line
// with offset, width, reset value, access policy and write mask; the bank turns guest accesses of any
// size into per-register reads and writes (little-endian byte lanes), applies the policy, calls the
// device's callbacks and counts accesses per register, so a profile shows which registers cause exits.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sc_core { class sc_object; }

namespace hvsim {

class Counter;

enum class Access : uint8_t {
  RO,   // writes ignored
  RW,   // bits in the write mask take the written value
  WO,   // like RW, but reads return 0 (command/doorbell registers)
  W1C,  // writing 1 to a bit in the write mask clears it; writing 0 leaves it
  RC,   // reading returns the value and clears the bytes read; writes as RW under the mask (default 0)
};

const char* access_name(Access a);

class Register {
 public:
  // Read callback: the value the guest sees (the stored value is ignored). The bank still applies
  // WO/RC semantics to the stored value.
  using ReadFn = std::function<uint64_t()>;
  // Write callback: called after the policy and mask were applied and the new value was stored.
  using WriteFn = std::function<void(uint64_t old_value, uint64_t new_value)>;

  Register(std::string name, uint64_t offset, unsigned width, uint64_t reset, Access access, uint64_t write_mask);
  ~Register();
  Register(const Register&) = delete;
  Register& operator=(const Register&) = delete;

  const std::string& name() const { return name_; }
  uint64_t offset() const { return offset_; }
  uint64_t end() const { return offset_ + width_; }  // one past the last byte
  unsigned width() const { return width_; }
  uint64_t reset_value() const { return reset_; }
  Access access() const { return access_; }
  uint64_t write_mask() const { return wmask_; }
  uint64_t width_mask() const { return width_ == 8 ? ~0ull : (1ull << (8 * width_)) - 1; }

  // Device-side access: no policy, no callbacks, no counting.
  uint64_t get() const { return value_; }
  void set(uint64_t v) { value_ = v & width_mask(); }
  void set_bits(uint64_t bits) { set(value_ | bits); }
  void clear_bits(uint64_t bits) { set(value_ & ~bits); }
  void reset() { value_ = reset_; }

  // Declaration modifiers, chainable: bank.add(...).mask(0x0F).on_write(...).
  Register& mask(uint64_t write_mask) { wmask_ = write_mask & width_mask(); return *this; }
  Register& reset_to(uint64_t reset) { reset_ = reset & width_mask(); return *this; }
  Register& policy(Access a) { access_ = a; return *this; }
  Register& on_read(ReadFn fn) { read_fn_ = std::move(fn); return *this; }
  Register& on_write(WriteFn fn) { write_fn_ = std::move(fn); return *this; }

  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }

 private:
  friend class RegisterBank;
  // lanes: bit mask over the register's value selecting the bytes the access covers.
  uint64_t guest_read(uint64_t lanes);
  void guest_write(uint64_t data, uint64_t lanes);

  std::string name_;
  uint64_t offset_;
  unsigned width_;
  uint64_t reset_, wmask_, value_;
  Access access_;
  ReadFn read_fn_;
  WriteFn write_fn_;
  uint64_t reads_ = 0, writes_ = 0;
  std::unique_ptr<Counter> read_stat_, write_stat_;
};

// One declaration per line, for a bank built from a table.
struct RegisterSpec {
  std::string name;
  uint64_t offset;
  unsigned width;
  uint64_t reset;
  Access access;
  std::optional<uint64_t> write_mask = std::nullopt;  // default: see RegisterBank::add
};

class RegisterBank {
 public:
  explicit RegisterBank(std::string name);
  RegisterBank(std::string name, std::initializer_list<RegisterSpec> regs);
  ~RegisterBank();
  RegisterBank(const RegisterBank&) = delete;
  RegisterBank& operator=(const RegisterBank&) = delete;

  // Throws std::logic_error on a bad width, an overlap or a duplicate name (a model bug, found at
  // construction). The default write mask is all ones for RW/WO/W1C and 0 for RO/RC. The reference
  // stays valid for the bank's lifetime.
  Register& add(const std::string& name, uint64_t offset, unsigned width, uint64_t reset, Access access,
                std::optional<uint64_t> write_mask = std::nullopt);
  Register& add(const RegisterSpec& spec);

  Register& reg(const std::string& name);  // throws std::logic_error if absent
  const Register& reg(const std::string& name) const;
  Register* find(uint64_t offset);  // the register covering that byte, or nullptr
  const Register* find(uint64_t offset) const;

  // Guest accesses of any size and alignment; spanning several registers is allowed (each register
  // sees the byte lanes it covers, in ascending offset order). Bytes no register covers read as the
  // fill byte and are dropped on write; the return value is false if there was any such byte, so the
  // device can apply its own hardware behaviour.
  bool read(uint64_t offset, uint8_t* data, unsigned len);
  bool write(uint64_t offset, const uint8_t* data, unsigned len);
  // Little-endian convenience for len <= 8.
  uint64_t read_value(uint64_t offset, unsigned len, bool* mapped = nullptr);
  bool write_value(uint64_t offset, uint64_t value, unsigned len);

  void set_unmapped_fill(uint8_t fill) { fill_ = fill; }
  void reset();

  // Creates Counters "<owner>.<group>.<REG>.reads" and ".writes" for every register declared so far
  // (and every later one). Call once.
  void enable_stats(const sc_core::sc_object* owner, const std::string& group);

  const std::string& name() const { return name_; }
  size_t size() const { return regs_.size(); }
  std::vector<const Register*> registers() const;  // sorted by offset
  void dump(std::ostream& os) const;               // the register table, one line per register

 private:
  void rebuild_index();
  void make_stats(Register& r);
  template <typename Fn>
  bool for_each_lane_group(uint64_t offset, unsigned len, Fn&& fn);

  std::string name_;
  std::deque<Register> regs_;      // stable addresses
  std::vector<Register*> sorted_;  // by offset, for binary search
  // Dense byte -> register index (+1, 0 = none) for small banks: one load per lookup.
  static constexpr uint64_t kDenseLimit = 4096;
  std::vector<uint16_t> dense_;
  uint8_t fill_ = 0;
  std::string stats_prefix_;
};

}  // namespace hvsim
