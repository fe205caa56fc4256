// Which guest-physical and port ranges, MSRs and CPUID leaves exit, and to whom. Built by the platform builder from each
// component's `path` (emulated -> root, hypervisor -> hypervisor, passthrough -> no exit); no device
// decides this itself. Anything no entry covers goes to the space's default (the root partition's
// PCI/ISA emulation on a PC).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/hypervisor/exit.h"

namespace hvsim {

class InterceptMap {
 public:
  enum class Space : uint8_t { kPort, kMemory, kMsr, kCpuid };
  static constexpr int kSpaces = 4;
  struct Entry {
    uint64_t base = 0, size = 0;
    ExitHandler handler = ExitHandler::kRoot;
    std::string device;
    bool eoi_register = false;  // a PIC command port: OCW2 EOI writes are EOI exits
  };

  InterceptMap();
  // Throws ConfigError if the range overlaps another entry of the same space.
  void add(Space space, const Entry& e);
  void set_default(Space space, ExitHandler handler, const std::string& device);
  // Windows that move at run time (PCI BARs the guest programs): replaces all of them in `space` at
  // once. They never override an add()ed entry (fixed windows decode first on the bus too) and may
  // overlap each other as guest-programmed BARs can (the first in `windows` wins).
  void set_dynamic(Space space, std::vector<Entry> windows);
  const Entry& lookup(Space space, uint64_t address) const;
  const std::vector<Entry>& dynamic_entries(Space space) const { return dynamic_[static_cast<int>(space)]; }
  const std::vector<Entry>& entries(Space space) const { return entries_[static_cast<int>(space)]; }
  const Entry& default_entry(Space space) const { return defaults_[static_cast<int>(space)]; }

 private:
  std::vector<Entry> entries_[kSpaces];  // sorted by base
  std::vector<Entry> dynamic_[kSpaces];  // in priority order (few: one per enabled BAR)
  Entry defaults_[kSpaces];
};

const char* space_name(InterceptMap::Space s);

// Parses "0x40000000-0x400000ff:hypervisor, 0x10:none" (ranges inclusive; handlers none, hypervisor,
// root) into entries named `device`. Throws ConfigError (without location: the caller adds it).
std::vector<InterceptMap::Entry> parse_intercepts(const std::string& text, const std::string& device);

}  // namespace hvsim
