// Parameters: every cost, latency, size and switch of a model is a named Param with a default, a unit
// and a doc line. Values come from (in order, last wins) the model default, the platform file and
// `-p name=value`. Overrides are held by the ParamRegistry until the parameter of that name is
// constructed; an override no parameter consumed is an error naming its source (file, line, key).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace sc_core { class sc_object; }

namespace hvsim {

// Where a configuration value came from, for error messages: "pc.yaml:12: key 'vm0.ram.size'".
struct SourceLoc {
  std::string file;  // platform file, or "command line"
  int line = 0;      // 1-based; 0 when unknown
  std::string key;   // the key as written by the user

  std::string str() const;
};

// One clear, user-facing configuration error (bad platform file, bad -p, missing image).
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& msg) : std::runtime_error(msg) {}
  ConfigError(const SourceLoc& where, const std::string& msg);
};

// Parsing helpers shared by Param<T> and the platform builder. They accept 0x hex, '_' digit
// separators and the size suffixes KiB/MiB/GiB (binary) and k/M/G (decimal, e.g. "3G" Hz).
bool parse_u64(const std::string& text, uint64_t& out);
bool parse_i64(const std::string& text, int64_t& out);
bool parse_double(const std::string& text, double& out);
bool parse_bool(const std::string& text, bool& out);

class ParamBase {
 public:
  ParamBase(std::string name, std::string unit, std::string doc);
  virtual ~ParamBase();
  ParamBase(const ParamBase&) = delete;
  ParamBase& operator=(const ParamBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& unit() const { return unit_; }
  const std::string& doc() const { return doc_; }
  const SourceLoc& source() const { return source_; }  // where the current value came from
  virtual std::string type_name() const = 0;
  virtual std::string default_str() const = 0;
  virtual std::string value_str() const = 0;
  // Throws ConfigError (naming `where`) if the text does not parse as this parameter's type.
  void set_from_string(const std::string& text, const SourceLoc& where);

 protected:
  void attach();  // registers with the registry and applies a pending override
  virtual bool parse(const std::string& text) = 0;

 private:
  std::string name_, unit_, doc_;
  SourceLoc source_{"default", 0, ""};
};

template <typename T>
class Param : public ParamBase {
  static_assert(std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_floating_point_v<T> ||
                    std::is_same_v<T, std::string>,
                "Param<T>: T must be bool, an integer, a floating point type or std::string");

 public:
  Param(std::string full_name, T def, std::string unit, std::string doc)
      : ParamBase(std::move(full_name), std::move(unit), std::move(doc)), default_(def), value_(def) {
    attach();
  }
  // Name is "<owner's hierarchical name>.<key>", e.g. "vm0.cpu0.clock".
  Param(const sc_core::sc_object* owner, const std::string& key, T def, std::string unit, std::string doc);

  const T& get() const { return value_; }
  operator const T&() const { return value_; }
  const T& default_value() const { return default_; }

  std::string type_name() const override;
  std::string default_str() const override { return to_string(default_); }
  std::string value_str() const override { return to_string(value_); }

 private:
  bool parse(const std::string& text) override;
  static std::string to_string(const T& v);
  T default_, value_;
};

class ParamRegistry {
 public:
  static ParamRegistry& instance();

  // Stores a value for a parameter that may not exist yet; applied when it is constructed (or now,
  // if it already exists). Later calls win.
  void set_override(const std::string& name, const std::string& value, const SourceLoc& where);
  // ConfigError for the first override that no parameter consumed.
  void check_all_consumed() const;

  const ParamBase* find(const std::string& name) const;
  std::vector<const ParamBase*> list() const;  // sorted by name
  void clear_overrides();

  void add(ParamBase* p);
  void remove(ParamBase* p);

 private:
  struct Override {
    std::string value;
    SourceLoc where;
    bool consumed = false;
  };
  std::map<std::string, ParamBase*> params_;
  std::map<std::string, Override> overrides_;
};

std::string hierarchical_name(const sc_core::sc_object* owner, const std::string& key);

template <typename T>
Param<T>::Param(const sc_core::sc_object* owner, const std::string& key, T def, std::string unit,
                std::string doc)
    : Param(hierarchical_name(owner, key), def, std::move(unit), std::move(doc)) {}

}  // namespace hvsim
