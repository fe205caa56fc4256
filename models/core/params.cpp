#include "models/core/params.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <systemc>

namespace hvsim {

std::string SourceLoc::str() const {
  std::ostringstream os;
  os << file;
  if (line > 0) os << ":" << line;
  if (!key.empty()) os << ": key '" << key << "'";
  return os.str();
}

ConfigError::ConfigError(const SourceLoc& where, const std::string& msg)
    : std::runtime_error(where.str() + ": " + msg) {}

namespace {
std::string strip_separators(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// Splits "64KiB" into digits and multiplier. Returns false on an unknown suffix.
bool split_suffix(const std::string& s, std::string& digits, uint64_t& mult) {
  static const std::pair<const char*, uint64_t> kSuffixes[] = {
      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
      {"k", 1000ull},      {"K", 1000ull},      {"M", 1000000ull},   {"G", 1000000000ull}};
  mult = 1;
  digits = s;
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) return true;  // hex: no suffixes
  for (auto& [suf, m] : kSuffixes) {
    size_t n = std::char_traits<char>::length(suf);
    if (s.size() > n && s.compare(s.size() - n, n, suf) == 0) {
      digits = s.substr(0, s.size() - n);
      mult = m;
      return true;
    }
  }
  return true;
}
}  // namespace

bool parse_u64(const std::string& text, uint64_t& out) {
  std::string s = strip_separators(text), digits;
  uint64_t mult;
  if (s.empty() || s[0] == '-' || !split_suffix(s, digits, mult) || digits.empty()) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(digits.c_str(), &end, 0);
  if (errno || *end != '\0') return false;
  if (mult != 1 && v > UINT64_MAX / mult) return false;
  out = v * mult;
  return true;
}

bool parse_i64(const std::string& text, int64_t& out) {
  std::string s = strip_separators(text);
  bool neg = !s.empty() && s[0] == '-';
  uint64_t mag;
  if (!parse_u64(neg ? s.substr(1) : s, mag)) return false;
  if (mag > (neg ? (1ull << 63) : (1ull << 63) - 1)) return false;
  out = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  return true;
}

bool parse_double(const std::string& text, double& out) {
  std::string s = strip_separators(text);
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (errno || *end != '\0' || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_bool(const std::string& text, bool& out) {
  std::string s = strip_separators(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return out = true, true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return out = false, true;
  return false;
}

std::string hierarchical_name(const sc_core::sc_object* owner, const std::string& key) {
  return owner ? std::string(owner->name()) + "." + key : key;
}

ParamBase::ParamBase(std::string name, std::string unit, std::string doc)
    : name_(std::move(name)), unit_(std::move(unit)), doc_(std::move(doc)) {}

ParamBase::~ParamBase() { ParamRegistry::instance().remove(this); }

void ParamBase::attach() { ParamRegistry::instance().add(this); }

void ParamBase::set_from_string(const std::string& text, const SourceLoc& where) {
  if (!parse(text))
    throw ConfigError(where, "cannot parse '" + text + "' as " + type_name() + " for parameter " + name_ +
                                 (unit_.empty() ? "" : " (unit " + unit_ + ")"));
  source_ = where;
}

template <typename T>
bool Param<T>::parse(const std::string& text) {
  if constexpr (std::is_same_v<T, std::string>) {
    value_ = text;
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    return parse_bool(text, value_);
  } else if constexpr (std::is_floating_point_v<T>) {
    double d;
    if (!parse_double(text, d)) return false;
    value_ = static_cast<T>(d);
    return true;
  } else if constexpr (std::is_signed_v<T>) {
    int64_t v;
    if (!parse_i64(text, v) || v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      return false;
    value_ = static_cast<T>(v);
    return true;
  } else {
    uint64_t v;
    if (!parse_u64(text, v) || v > std::numeric_limits<T>::max()) return false;
    value_ = static_cast<T>(v);
    return true;
  }
}

template <typename T>
std::string Param<T>::to_string(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
  } else {
    return std::to_string(v);
  }
}

template <typename T>
std::string Param<T>::type_name() const {
  if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_floating_point_v<T>) return "real";
  else if constexpr (std::is_signed_v<T>) return "int";
  else return "uint";
}

template class Param<bool>;
template class Param<uint8_t>;
template class Param<uint16_t>;
template class Param<uint32_t>;
template class Param<uint64_t>;
template class Param<int32_t>;
template class Param<int64_t>;
template class Param<double>;
template class Param<std::string>;

ParamRegistry& ParamRegistry::instance() {
  static ParamRegistry reg;
  return reg;
}

void ParamRegistry::add(ParamBase* p) {
  auto [it, fresh] = params_.emplace(p->name(), p);
  if (!fresh) throw std::logic_error("duplicate parameter name " + p->name());
  auto ov = overrides_.find(p->name());
  if (ov != overrides_.end()) {
    p->set_from_string(ov->second.value, ov->second.where);
    ov->second.consumed = true;
  }
}

void ParamRegistry::remove(ParamBase* p) {
  auto it = params_.find(p->name());
  if (it != params_.end() && it->second == p) params_.erase(it);
}

void ParamRegistry::set_override(const std::string& name, const std::string& value, const SourceLoc& where) {
  Override& ov = overrides_[name];
  ov.value = value;
  ov.where = where;
  ov.consumed = false;
  auto it = params_.find(name);
  if (it != params_.end()) {
    it->second->set_from_string(value, where);
    ov.consumed = true;
  }
}

void ParamRegistry::check_all_consumed() const {
  for (auto& [name, ov] : overrides_) {
    if (ov.consumed) continue;
    // Suggest the closest existing parameter so a typo is quick to fix.
    std::string hint;
    auto dot = name.rfind('.');
    for (auto& [pname, p] : params_) {
      auto pd = pname.rfind('.');
      if (dot != std::string::npos && pd == dot && pname.compare(0, pd, name, 0, dot) == 0) hint += (hint.empty() ? "" : ", ") + pname.substr(pd + 1);
    }
    throw ConfigError(ov.where, "unknown parameter '" + name + "'" +
                                    (hint.empty() ? "" : " (parameters here: " + hint + ")"));
  }
}

const ParamBase* ParamRegistry::find(const std::string& name) const {
  auto it = params_.find(name);
  return it == params_.end() ? nullptr : it->second;
}

std::vector<const ParamBase*> ParamRegistry::list() const {
  std::vector<const ParamBase*> out;
  for (auto& [n, p] : params_) out.push_back(p);
  return out;
}

void ParamRegistry::clear_overrides() { overrides_.clear(); }

}  // namespace hvsim
