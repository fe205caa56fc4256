#include "models/bus/address_router.h"

#include <algorithm>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

namespace {
using ull = unsigned long long;
}

AddressRouter::AddressRouter(sc_core::sc_module_name name)
    : sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      unmapped_error(this, "unmapped_error", false, "bool",
                     "true: an access no region claims gets TLM_ADDRESS_ERROR_RESPONSE; false: reads return all "
                     "ones and writes are dropped, the master-abort behaviour of a PC chipset"),
      decode_latency(this, "decode_latency", 0, "ps",
                     "added to every routed access; 0 because decode cost is part of the exit cost model "
                     "(mmio.decode), not of the bus"),
      transactions(this, "transactions", "transactions", "accesses routed (b_transport)"),
      unmapped(this, "unmapped", "transactions", "accesses no region and no default target claimed") {
  target_socket.register_b_transport(this, &AddressRouter::b_transport);
  target_socket.register_transport_dbg(this, &AddressRouter::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &AddressRouter::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &AddressRouter::invalidate_direct_mem_ptr);
}

unsigned AddressRouter::bind_target(TargetSocketBase& target) {
  auto it = bound_.find(&target);
  if (it != bound_.end()) return it->second;
  initiator_socket.bind(target);
  bound_[&target] = next_index_;
  return next_index_++;
}

void AddressRouter::map(uint64_t base, uint64_t size, unsigned target, const std::string& name) {
  if (size == 0) throw ConfigError(strfmt("%s: region '%s' has size 0", this->name(), name.c_str()));
  const uint64_t last = base + (size - 1);
  if (last < base)
    throw ConfigError(strfmt("%s: region '%s' [0x%llx, +0x%llx) wraps around the address space", this->name(),
                             name.c_str(), static_cast<ull>(base), static_cast<ull>(size)));
  for (const Region& r : regions_) {
    const uint64_t rlast = r.base + (r.size - 1);
    if (base <= rlast && r.base <= last)
      throw ConfigError(strfmt("%s: region '%s' [0x%llx, 0x%llx] overlaps region '%s' [0x%llx, 0x%llx]", this->name(),
                               name.c_str(), static_cast<ull>(base), static_cast<ull>(last), r.name.c_str(),
                               static_cast<ull>(r.base), static_cast<ull>(rlast)));
  }
  Region reg{base, size, name, target};
  auto pos = std::upper_bound(regions_.begin(), regions_.end(), base,
                              [](uint64_t b, const Region& r) { return b < r.base; });
  regions_.insert(pos, std::move(reg));
}

unsigned AddressRouter::map(uint64_t base, uint64_t size, TargetSocketBase& target, const std::string& name) {
  unsigned index = bind_target(target);
  map(base, size, index, name);
  return index;
}

void AddressRouter::set_default_target(unsigned target, const std::string& name) {
  has_default_ = true;
  default_target_ = target;
  default_name_ = name;
}

void AddressRouter::set_default_target(TargetSocketBase& target, const std::string& name) {
  set_default_target(bind_target(target), name);
}

// Regions mapped by index may name a socket bound later; by now every index must exist.
void AddressRouter::end_of_elaboration() {
  const unsigned bound = initiator_socket.size();
  for (const Region& r : regions_)
    if (r.target >= bound)
      throw ConfigError(strfmt("%s: region '%s' names target %u, but only %u target(s) are bound", name(),
                               r.name.c_str(), r.target, bound));
  if (has_default_ && default_target_ >= bound)
    throw ConfigError(strfmt("%s: default target '%s' (%u) is not bound", name(), default_name_.c_str(),
                             default_target_));
}

const AddressRouter::Region* AddressRouter::decode(uint64_t addr) const {
  auto it = std::upper_bound(regions_.begin(), regions_.end(), addr,
                             [](uint64_t a, const Region& r) { return a < r.base; });
  if (it == regions_.begin()) return nullptr;
  --it;
  return addr - it->base < it->size ? &*it : nullptr;
}

void AddressRouter::gap_around(uint64_t addr, uint64_t& lo, uint64_t& hi) const {
  auto it = std::upper_bound(regions_.begin(), regions_.end(), addr,
                             [](uint64_t a, const Region& r) { return a < r.base; });
  hi = it == regions_.end() ? ~0ull : it->base - 1;
  lo = it == regions_.begin() ? 0 : std::prev(it)->base + std::prev(it)->size;
}

void AddressRouter::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  ++transactions;
  delay += sc_core::sc_time(static_cast<double>(decode_latency.get()), sc_core::SC_PS);
  const uint64_t addr = trans.get_address();
  if (const Region* r = decode(addr)) {
    trans.set_address(addr - r->base);
    initiator_socket[r->target]->b_transport(trans, delay);
    trans.set_address(addr);  // the initiator may reuse the payload and log its address
    return;
  }
  if (has_default_) {
    initiator_socket[default_target_]->b_transport(trans, delay);
    return;
  }
  unmapped_access(trans);
}

void AddressRouter::unmapped_access(tlm::tlm_generic_payload& trans) {
  ++unmapped;
  const bool error = unmapped_error;
  if (warn_.allow())
    HVSIM_WARN(name(), "unmapped %s of %u byte(s) at 0x%llx: %s (occurrence %llu)", trans.is_read() ? "read" : "write",
               trans.get_data_length(), static_cast<ull>(trans.get_address()),
               error ? "address error" : (trans.is_read() ? "reads as all ones" : "write dropped"),
               static_cast<ull>(warn_.seen()));
  if (error) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.is_read()) std::memset(trans.get_data_ptr(), 0xFF, trans.get_data_length());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int AddressRouter::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  if (const Region* r = decode(addr)) {
    trans.set_address(addr - r->base);
    unsigned n = initiator_socket[r->target]->transport_dbg(trans);
    trans.set_address(addr);
    return n;
  }
  if (has_default_) return initiator_socket[default_target_]->transport_dbg(trans);
  return 0;
}

bool AddressRouter::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t addr = trans.get_address();
  if (const Region* r = decode(addr)) {
    trans.set_address(addr - r->base);
    bool ok = initiator_socket[r->target]->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);
    // The target answers in its own offsets, which start at 0 at the region base; a range past the
    // region's end would let the initiator bypass the decode of the next region.
    uint64_t end = std::min<uint64_t>(dmi.get_end_address(), r->size - 1);
    uint64_t start = std::min<uint64_t>(dmi.get_start_address(), end);
    dmi.set_start_address(r->base + start);
    dmi.set_end_address(r->base + end);
    return ok;
  }
  uint64_t lo, hi;
  gap_around(addr, lo, hi);
  if (has_default_) {
    bool ok = initiator_socket[default_target_]->get_direct_mem_ptr(trans, dmi);
    uint64_t start = dmi.get_start_address(), end = dmi.get_end_address();
    if (start < lo) {
      if (dmi.get_dmi_ptr()) dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (lo - start));
      start = lo;
    }
    dmi.set_start_address(start);
    dmi.set_end_address(std::min(end, hi));
    return ok;
  }
  dmi.set_dmi_ptr(nullptr);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  dmi.set_start_address(lo);
  dmi.set_end_address(hi);
  return false;
}

void AddressRouter::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  auto notify = [this](uint64_t s, uint64_t e) {
    for (unsigned i = 0; i < target_socket.size(); ++i) target_socket[i]->invalidate_direct_mem_ptr(s, e);
  };
  const unsigned target = static_cast<unsigned>(id);
  if (has_default_ && target == default_target_) notify(start, end);
  for (const Region& r : regions_) {
    if (r.target != target || start > r.size - 1) continue;
    notify(r.base + start, r.base + std::min<uint64_t>(end, r.size - 1));
  }
}

}  // namespace hvsim
