// Logging that carries simulated time: "[   1.234567 us] WARN  vm0.ide0: ..." on stderr.
// Warnings are counted so a run's summary can say how many protocol violations a guest caused.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>

namespace hvsim {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// printf-style formatting into a std::string.
std::string strfmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string vstrfmt(const char* fmt, va_list ap);

class Log {
 public:
  static void set_level(LogLevel level);
  static LogLevel level();
  static bool enabled(LogLevel level) { return level >= level_; }
  static void write(LogLevel level, const std::string& who, const std::string& msg);
  static uint64_t warnings() { return warnings_; }
  static uint64_t errors() { return errors_; }

 private:
  static LogLevel level_;
  static uint64_t warnings_, errors_;
};

#define HVSIM_LOG(lvl, who, ...)                                                     \
  do {                                                                               \
    if (::hvsim::Log::enabled(lvl)) ::hvsim::Log::write(lvl, who, ::hvsim::strfmt(__VA_ARGS__)); \
  } while (0)
#define HVSIM_DEBUG(who, ...) HVSIM_LOG(::hvsim::LogLevel::kDebug, who, __VA_ARGS__)
#define HVSIM_INFO(who, ...) HVSIM_LOG(::hvsim::LogLevel::kInfo, who, __VA_ARGS__)
#define HVSIM_WARN(who, ...) HVSIM_LOG(::hvsim::LogLevel::kWarn, who, __VA_ARGS__)
#define HVSIM_ERROR(who, ...) HVSIM_LOG(::hvsim::LogLevel::kError, who, __VA_ARGS__)

}  // namespace hvsim
