// Address decoder for one address space (the port-I/O space or the MMIO space): maps [base, base+size)
// windows to targets, hands each target the offset within its window, and sends everything no window
// claims to an optional default target (subtractive decode, the PCI host bridge on a PC). DMI ranges
// and invalidations are translated between target offsets and the initiators' address space.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

using TargetSocketBase =
    tlm::tlm_base_target_socket_b<32, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>;

class AddressRouter : public sc_core::sc_module {
 public:
  struct Region {
    uint64_t base = 0, size = 0;
    std::string name;
    unsigned target = 0;  // index on initiator_socket
    uint64_t end() const { return base + size; }  // one past the last address
  };

  tlm_utils::multi_passthrough_target_socket<AddressRouter> target_socket;        // initiators bind here
  // Zero bindings allowed: a VM may have no device in one of its spaces.
  tlm_utils::multi_passthrough_initiator_socket<AddressRouter, 32, tlm::tlm_base_protocol_types, 0,
                                               sc_core::SC_ZERO_OR_MORE_BOUND>
      initiator_socket;  // bound to targets

  Param<bool> unmapped_error;
  Param<uint64_t> decode_latency;
  Counter transactions, unmapped;

  explicit AddressRouter(sc_core::sc_module_name name);

  // Binds initiator_socket to `target` (once per target socket) and returns its index.
  unsigned bind_target(TargetSocketBase& target);
  // Throws ConfigError on size 0, wrap-around or overlap (naming both regions).
  void map(uint64_t base, uint64_t size, unsigned target, const std::string& name);
  unsigned map(uint64_t base, uint64_t size, TargetSocketBase& target, const std::string& name);
  // Receives every access no region claims, with its address unchanged.
  void set_default_target(unsigned target, const std::string& name);
  void set_default_target(TargetSocketBase& target, const std::string& name);

  const Region* decode(uint64_t addr) const;
  std::vector<Region> regions() const { return regions_; }  // sorted by base; for --dump-platform
  bool has_default_target() const { return has_default_; }
  const std::string& default_target_name() const { return default_name_; }

 private:
  void end_of_elaboration() override;
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);
  void unmapped_access(tlm::tlm_generic_payload& trans);
  // The largest range around addr that no region covers.
  void gap_around(uint64_t addr, uint64_t& lo, uint64_t& hi) const;

  std::vector<Region> regions_;  // sorted by base, non-overlapping
  std::map<const void*, unsigned> bound_;
  unsigned next_index_ = 0;
  bool has_default_ = false;
  unsigned default_target_ = 0;
  std::string default_name_;
  WarnLimiter warn_;
};

}  // namespace hvsim
