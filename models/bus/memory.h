// Guest RAM: one flat byte array behind a TLM target socket. The vCPU maps it once through DMI
// (uc_mem_map_ptr), so b_transport only serves device DMA and debug accesses.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

class Memory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Memory> socket;  // address = offset into RAM

  Param<uint64_t> size;
  Param<uint64_t> read_latency;
  Param<uint64_t> write_latency;

  Counter reads, writes, bytes_read, bytes_written;

  Memory(sc_core::sc_module_name name, uint64_t default_size);

  // For loaders (kernel images, Multiboot info) before the simulation starts.
  uint8_t* data() { return storage_.get(); }
  uint64_t size_bytes() const { return size_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  uint64_t size_;
  std::unique_ptr<uint8_t, FreeDeleter> storage_;
};

}  // namespace hvsim
