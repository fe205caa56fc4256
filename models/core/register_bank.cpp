#include "models/core/register_bank.h"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "models/core/log.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

const char* access_name(Access a) {
  switch (a) {
    case Access::RO: return "RO";
    case Access::RW: return "RW";
    case Access::WO: return "WO";
    case Access::W1C: return "W1C";
    case Access::RC: return "RC";
  }
  return "?";
}

Register::Register(std::string name, uint64_t offset, unsigned width, uint64_t reset, Access access,
                   uint64_t write_mask)
    : name_(std::move(name)), offset_(offset), width_(width), access_(access) {
  reset_ = reset & width_mask();
  wmask_ = write_mask & width_mask();
  value_ = reset_;
}

Register::~Register() = default;

uint64_t Register::guest_read(uint64_t lanes) {
  ++reads_;
  if (read_stat_) ++*read_stat_;
  uint64_t v = read_fn_ ? (read_fn_() & width_mask()) : value_;
  if (access_ == Access::WO) return 0;
  if (access_ == Access::RC) value_ &= ~lanes;
  return v;
}

void Register::guest_write(uint64_t data, uint64_t lanes) {
  ++writes_;
  if (write_stat_) ++*write_stat_;
  if (access_ == Access::RO) return;
  const uint64_t old = value_;
  const uint64_t m = wmask_ & lanes;
  if (access_ == Access::W1C)
    value_ = old & ~(data & m);
  else
    value_ = (old & ~m) | (data & m);
  if (write_fn_) write_fn_(old, value_);
}

namespace {
uint64_t lane_mask(unsigned first_byte, unsigned n) {
  uint64_t m = n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;
  return m << (8 * first_byte);
}
}  // namespace

RegisterBank::RegisterBank(std::string name) : name_(std::move(name)) {}

RegisterBank::RegisterBank(std::string name, std::initializer_list<RegisterSpec> regs) : name_(std::move(name)) {
  for (const RegisterSpec& r : regs) add(r);
}

RegisterBank::~RegisterBank() = default;

Register& RegisterBank::add(const RegisterSpec& s) { return add(s.name, s.offset, s.width, s.reset, s.access, s.write_mask); }

Register& RegisterBank::add(const std::string& name, uint64_t offset, unsigned width, uint64_t reset, Access access,
                            std::optional<uint64_t> write_mask) {
  const std::string where = "register bank " + name_ + ": register " + name;
  if (name.empty()) throw std::logic_error("register bank " + name_ + ": register without a name");
  if (width != 1 && width != 2 && width != 4 && width != 8)
    throw std::logic_error(where + ": width " + std::to_string(width) + " is not 1, 2, 4 or 8");
  if (offset > UINT64_MAX - width) throw std::logic_error(where + ": offset out of range");
  for (const Register& r : regs_)
    if (r.name() == name) throw std::logic_error(where + ": duplicate name");
  // Overlap: the first register ending after `offset` must start at or after offset + width.
  auto it = std::upper_bound(sorted_.begin(), sorted_.end(), offset,
                             [](uint64_t off, const Register* r) { return off < r->end(); });
  if (it != sorted_.end() && (*it)->offset() < offset + width)
    throw std::logic_error(where + strfmt(" [0x%llx, +%u) overlaps ", static_cast<unsigned long long>(offset), width) +
                           (*it)->name() +
                           strfmt(" [0x%llx, +%u)", static_cast<unsigned long long>((*it)->offset()), (*it)->width()));
  if (regs_.size() >= UINT16_MAX) throw std::logic_error(where + ": too many registers");

  uint64_t mask = write_mask ? *write_mask
                             : (access == Access::RO || access == Access::RC ? 0 : ~0ull);
  Register& r = regs_.emplace_back(name, offset, width, reset, access, mask);
  sorted_.insert(it, &r);
  rebuild_index();
  if (!stats_prefix_.empty()) make_stats(r);
  return r;
}

void RegisterBank::rebuild_index() {
  dense_.clear();
  uint64_t span = sorted_.empty() ? 0 : sorted_.back()->end();
  if (span > kDenseLimit) return;
  dense_.assign(span, 0);
  for (size_t i = 0; i < sorted_.size(); ++i)
    for (uint64_t b = sorted_[i]->offset(); b < sorted_[i]->end(); ++b) dense_[b] = static_cast<uint16_t>(i + 1);
}

Register* RegisterBank::find(uint64_t offset) {
  if (!dense_.empty() || sorted_.empty()) {
    if (offset >= dense_.size()) return nullptr;
    uint16_t i = dense_[offset];
    return i ? sorted_[i - 1] : nullptr;
  }
  auto it = std::upper_bound(sorted_.begin(), sorted_.end(), offset,
                             [](uint64_t off, const Register* r) { return off < r->end(); });
  return it != sorted_.end() && (*it)->offset() <= offset ? *it : nullptr;
}

const Register* RegisterBank::find(uint64_t offset) const { return const_cast<RegisterBank*>(this)->find(offset); }

Register& RegisterBank::reg(const std::string& name) {
  for (Register& r : regs_)
    if (r.name() == name) return r;
  throw std::logic_error("register bank " + name_ + " has no register " + name);
}

const Register& RegisterBank::reg(const std::string& name) const { return const_cast<RegisterBank*>(this)->reg(name); }

// Calls fn(reg, first byte within reg, first byte within the access, byte count) for each run of bytes
// that one register covers, and fn(nullptr, 0, index, 1) for each byte no register covers.
template <typename Fn>
bool RegisterBank::for_each_lane_group(uint64_t offset, unsigned len, Fn&& fn) {
  bool mapped = true;
  for (unsigned i = 0; i < len;) {
    uint64_t pos = offset + i;
    Register* r = pos >= offset ? find(pos) : nullptr;  // pos < offset: wrapped past the address space
    if (!r) {
      fn(static_cast<Register*>(nullptr), 0u, i, 1u);
      mapped = false;
      ++i;
      continue;
    }
    unsigned n = static_cast<unsigned>(std::min<uint64_t>(len - i, r->end() - pos));
    fn(r, static_cast<unsigned>(pos - r->offset()), i, n);
    i += n;
  }
  return mapped;
}

bool RegisterBank::read(uint64_t offset, uint8_t* data, unsigned len) {
  return for_each_lane_group(offset, len, [&](Register* r, unsigned rb, unsigned bi, unsigned n) {
    if (!r) {
      data[bi] = fill_;
      return;
    }
    uint64_t v = r->guest_read(lane_mask(rb, n));
    for (unsigned k = 0; k < n; ++k) data[bi + k] = static_cast<uint8_t>(v >> (8 * (rb + k)));
  });
}

bool RegisterBank::write(uint64_t offset, const uint8_t* data, unsigned len) {
  return for_each_lane_group(offset, len, [&](Register* r, unsigned rb, unsigned bi, unsigned n) {
    if (!r) return;
    uint64_t v = 0;
    for (unsigned k = 0; k < n; ++k) v |= static_cast<uint64_t>(data[bi + k]) << (8 * (rb + k));
    r->guest_write(v, lane_mask(rb, n));
  });
}

uint64_t RegisterBank::read_value(uint64_t offset, unsigned len, bool* mapped) {
  uint8_t buf[8] = {};
  len = std::min(len, 8u);
  bool ok = read(offset, buf, len);
  if (mapped) *mapped = ok;
  uint64_t v = 0;
  for (unsigned k = 0; k < len; ++k) v |= static_cast<uint64_t>(buf[k]) << (8 * k);
  return v;
}

bool RegisterBank::write_value(uint64_t offset, uint64_t value, unsigned len) {
  uint8_t buf[8];
  len = std::min(len, 8u);
  for (unsigned k = 0; k < len; ++k) buf[k] = static_cast<uint8_t>(value >> (8 * k));
  return write(offset, buf, len);
}

void RegisterBank::reset() {
  for (Register& r : regs_) r.reset();
}

void RegisterBank::make_stats(Register& r) {
  r.read_stat_ = std::make_unique<Counter>(stats_prefix_ + "." + r.name() + ".reads", "accesses",
                                           "guest reads of " + r.name());
  r.write_stat_ = std::make_unique<Counter>(stats_prefix_ + "." + r.name() + ".writes", "accesses",
                                            "guest writes of " + r.name());
  // Accesses before stats were enabled still count.
  r.read_stat_->set(r.reads_);
  r.write_stat_->set(r.writes_);
}

void RegisterBank::enable_stats(const sc_core::sc_object* owner, const std::string& group) {
  if (!stats_prefix_.empty()) throw std::logic_error("register bank " + name_ + ": stats enabled twice");
  stats_prefix_ = hierarchical_name(owner, group);
  for (Register& r : regs_) make_stats(r);
}

std::vector<const Register*> RegisterBank::registers() const {
  return std::vector<const Register*>(sorted_.begin(), sorted_.end());
}

void RegisterBank::dump(std::ostream& os) const {
  os << "register bank " << name_ << " (" << regs_.size() << " registers)\n";
  os << strfmt("  %-8s %-2s %-16s %-4s %-18s %-18s %-18s %10s %10s\n", "offset", "w", "name", "acc", "reset", "mask",
               "value", "reads", "writes");
  for (const Register* r : sorted_) {
    os << strfmt("  0x%06llx %-2u %-16s %-4s 0x%016llx 0x%016llx 0x%016llx %10llu %10llu\n",
                 static_cast<unsigned long long>(r->offset()), r->width(), r->name().c_str(), access_name(r->access()),
                 static_cast<unsigned long long>(r->reset_value()), static_cast<unsigned long long>(r->write_mask()),
                 static_cast<unsigned long long>(r->get()), static_cast<unsigned long long>(r->reads()),
                 static_cast<unsigned long long>(r->writes()));
  }
}

}  // namespace hvsim
