// Which guest-physical and port ranges exit, and to whom. Built by the platform builder from each
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
  enum class Space : uint8_t { kPort, kMemory };
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
  const Entry& lookup(Space space, uint64_t address) const;
  const std::vector<Entry>& entries(Space space) const { return entries_[static_cast<int>(space)]; }
  const Entry& default_entry(Space space) const { return defaults_[static_cast<int>(space)]; }

 private:
  std::vector<Entry> entries_[2];  // sorted by base
  Entry defaults_[2];
};

const char* space_name(InterceptMap::Space s);

}  // namespace hvsim
