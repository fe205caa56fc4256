#include "models/hypervisor/intercept_map.h"

#include <algorithm>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim {

const char* space_name(InterceptMap::Space s) { return s == InterceptMap::Space::kPort ? "port" : "memory"; }

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

const InterceptMap::Entry& InterceptMap::lookup(Space space, uint64_t address) const {
  const auto& v = entries_[static_cast<int>(space)];
  auto it = std::upper_bound(v.begin(), v.end(), address, [](uint64_t a, const Entry& x) { return a < x.base; });
  if (it != v.begin()) {
    --it;
    if (address - it->base < it->size) return *it;
  }
  return defaults_[static_cast<int>(space)];
}

}  // namespace hvsim
