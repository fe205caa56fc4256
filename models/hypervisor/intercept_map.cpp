#include "models/hypervisor/intercept_map.h"

#include <algorithm>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim {

const char* space_name(InterceptMap::Space s) {
  switch (s) {
    case InterceptMap::Space::kPort: return "port";
    case InterceptMap::Space::kMemory: return "memory";
    case InterceptMap::Space::kMsr: return "msr";
    case InterceptMap::Space::kCpuid: return "cpuid";
  }
  return "?";
}

std::vector<InterceptMap::Entry> parse_intercepts(const std::string& text, const std::string& device) {
  std::vector<InterceptMap::Entry> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() : comma + 1;
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == std::string::npos) throw ConfigError("'" + item + "' needs a handler (RANGE:none|hypervisor|root)");
    std::string range = item.substr(0, colon), handler = item.substr(colon + 1);
    size_t dash = range.find('-');
    uint64_t lo, hi;
    if (!parse_u64(range.substr(0, dash), lo) || !parse_u64(dash == std::string::npos ? range.substr(0, dash) : range.substr(dash + 1), hi) || hi < lo)
      throw ConfigError("'" + range + "' is not a number or an inclusive range LO-HI");
    InterceptMap::Entry e;
    e.base = lo;
    e.size = hi - lo + 1;
    e.device = device;
    if (handler == "none") e.handler = ExitHandler::kNone;
    else if (handler == "hypervisor") e.handler = ExitHandler::kHypervisor;
    else if (handler == "root") e.handler = ExitHandler::kRoot;
    else throw ConfigError("handler '" + handler + "' must be none, hypervisor or root");
    out.push_back(e);
  }
  return out;
}

InterceptMap::InterceptMap() {
  for (auto& d : defaults_) d.device = "unclaimed";
}

void InterceptMap::add(Space space, const Entry& e) {
  auto& v = entries_[static_cast<int>(space)];
  for (auto& o : v)
    if (e.base < o.base + o.size && o.base < e.base + e.size)
      throw ConfigError(strfmt("intercept map (%s): '%s' [0x%llx, +0x%llx) overlaps '%s'", space_name(space),
                               e.device.c_str(), static_cast<unsigned long long>(e.base),
                               static_cast<unsigned long long>(e.size), o.device.c_str()));
  auto at = std::lower_bound(v.begin(), v.end(), e.base, [](const Entry& x, uint64_t b) { return x.base < b; });
  v.insert(at, e);
}

void InterceptMap::set_default(Space space, ExitHandler handler, const std::string& device) {
  auto& d = defaults_[static_cast<int>(space)];
  d.handler = handler;
  d.device = device;
}

void InterceptMap::set_dynamic(Space space, std::vector<Entry> windows) {
  dynamic_[static_cast<int>(space)] = std::move(windows);
}

const InterceptMap::Entry& InterceptMap::lookup(Space space, uint64_t address) const {
  const auto& v = entries_[static_cast<int>(space)];
  auto it = std::upper_bound(v.begin(), v.end(), address, [](uint64_t a, const Entry& x) { return a < x.base; });
  if (it != v.begin()) {
    --it;
    if (address - it->base < it->size) return *it;
  }
  for (const Entry& d : dynamic_[static_cast<int>(space)])
    if (address - d.base < d.size) return d;
  return defaults_[static_cast<int>(space)];
}

}  // namespace hvsim
