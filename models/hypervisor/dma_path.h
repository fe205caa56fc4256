// DmaPath: what a device's bus-master DMA costs, by the device's path. An emulated device has no
// hardware behind it: its "DMA" is the root partition's device emulator copying between guest memory
// and its own buffers, so every transfer occupies a root vCPU for a setup cost (map and check the
// guest range) plus a copy cost per KiB, queued behind other root work. A device emulated inside the
// hypervisor costs the same copy without the root queue. A pass-through device writes guest memory
// itself (through the IOMMU once one is configured): no software cost here.
// The cost comes back as annotated delay on the device's transaction, so the device finishes later
// and the guest sees it; the root vCPU's busy time and trace show where the cycles went.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/core/stats.h"
#include "models/hypervisor/cost_profile.h"
#include "models/hypervisor/exit.h"
#include "models/hypervisor/root_partition.h"

namespace hvsim {

class DmaPath : public sc_core::sc_module {
 public:
  // One binding per DMA-capable device, in the order of add_source() calls (none is fine).
  tlm_utils::multi_passthrough_target_socket<DmaPath, 32, tlm::tlm_base_protocol_types, 0,
                                             sc_core::SC_ZERO_OR_MORE_BOUND>
      device_in;
  tlm_utils::simple_initiator_socket_optional<DmaPath> mem_out;  // the VM's guest-physical address space

  DmaPath(const sc_core::sc_module_name& name, CostProfile& costs, RootPartition& root);
  ~DmaPath() override;

  // Declares the device whose `dma` socket is bound next to device_in; returns its index.
  unsigned add_source(const std::string& device, ExitHandler path);
  void set_clock(uint64_t hz) { clock_hz_ = hz; }

  struct Source {
    std::string device;
    ExitHandler path = ExitHandler::kRoot;
    std::unique_ptr<Counter> bytes_from_memory, bytes_to_memory, transfers, copy_cycles;
  };
  const Source& source(unsigned index) const { return *sources_.at(index); }

 private:
  void b_transport(int index, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int index, tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(int index, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

  CostProfile& costs_;
  RootPartition& root_;
  uint64_t clock_hz_ = 1000000000;
  std::vector<std::unique_ptr<Source>> sources_;
  Counter unknown_source_;
};

}  // namespace hvsim
