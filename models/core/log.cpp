#include "models/core/log.h"

#include <cstdio>
#include <systemc>
#include <vector>

namespace hvsim {

LogLevel Log::level_ = LogLevel::kWarn;
uint64_t Log::warnings_ = 0;
uint64_t Log::errors_ = 0;

std::string vstrfmt(const char* fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap2);
  va_end(ap2);
  if (n <= 0) return {};
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string strfmt(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vstrfmt(fmt, ap);
  va_end(ap);
  return s;
}

void Log::set_level(LogLevel level) { level_ = level; }
LogLevel Log::level() { return level_; }

void Log::write(LogLevel level, const std::string& who, const std::string& msg) {
  static const char* kNames[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  if (level == LogLevel::kWarn) ++warnings_;
  if (level == LogLevel::kError) ++errors_;
  double us = sc_core::sc_time_stamp().to_seconds() * 1e6;
  std::fprintf(stderr, "[%14.6f us] %s %s: %s\n", us, kNames[static_cast<int>(level)], who.c_str(), msg.c_str());
}

}  // namespace hvsim
