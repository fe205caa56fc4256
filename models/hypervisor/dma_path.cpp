#include "models/hypervisor/dma_path.h"

#include <nlohmann/json.hpp>

#include "models/core/clock.h"
#include "models/core/log.h"
#include "models/core/trace.h"

namespace hvsim {

DmaPath::DmaPath(const sc_core::sc_module_name& name, CostProfile& costs, RootPartition& root)
    : sc_module(name),
      device_in("device_in"),
      mem_out("mem_out"),
      costs_(costs),
      root_(root),
      unknown_source_(this, "unknown_source", "transfers", "DMA from a binding no add_source() declared (refused)") {
  device_in.register_b_transport(this, &DmaPath::b_transport);
  device_in.register_transport_dbg(this, &DmaPath::transport_dbg);
  device_in.register_get_direct_mem_ptr(this, &DmaPath::get_direct_mem_ptr);
}

DmaPath::~DmaPath() = default;

unsigned DmaPath::add_source(const std::string& device, ExitHandler path) {
  auto s = std::make_unique<Source>();
  s->device = device;
  s->path = path;
  const std::string p = "dma." + device + ".";
  s->bytes_from_memory = std::make_unique<Counter>(this, p + "bytes_from_memory", "bytes", "guest memory read by the device");
  s->bytes_to_memory = std::make_unique<Counter>(this, p + "bytes_to_memory", "bytes", "guest memory written by the device");
  s->transfers = std::make_unique<Counter>(this, p + "transfers", "transfers", "DMA transactions");
  s->copy_cycles = std::make_unique<Counter>(this, p + "copy_cycles", "cycles",
                                             "root/hypervisor cycles spent copying this device's DMA data");
  sources_.push_back(std::move(s));
  return static_cast<unsigned>(sources_.size() - 1);
}

void DmaPath::b_transport(int index, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (index < 0 || static_cast<size_t>(index) >= sources_.size() || mem_out.get_base_port().size() == 0) {
    ++unknown_source_;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  Source& s = *sources_[static_cast<size_t>(index)];
  const uint64_t bytes = trans.get_data_length();
  ++*s.transfers;
  (trans.is_write() ? *s.bytes_to_memory : *s.bytes_from_memory) += bytes;
  if (s.path != ExitHandler::kNone) {
    // Software moves the data: setup + copy, rounded up to whole cycles.
    const uint64_t cycles = costs_.dma_setup + (bytes * costs_.dma_copy_cycles_per_kib + 1023) / 1024;
    *s.copy_cycles += cycles;
    const sc_core::sc_time ready = sc_core::sc_time_stamp() + delay;
    const sc_core::sc_time work = clock::time_ceil(cycles, clock_hz_);
    sc_core::sc_time start = ready;
    if (s.path == ExitHandler::kRoot) {
      RootPartition::Slot slot = root_.run(ready, work);
      start = slot.start;
      TraceSink& tr = TraceSink::instance();
      if (tr.enabled()) {
        nlohmann::json args = {{"bytes", bytes}, {"to_memory", trans.is_write()}, {"cycles", cycles}};
        tr.complete(root_.track(slot.vcpu), "dma " + s.device, "root", start, work, &args);
      }
    }
    delay += (start - ready) + work;
  }
  mem_out->b_transport(trans, delay);
}

unsigned int DmaPath::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  return mem_out.get_base_port().size() ? mem_out->transport_dbg(trans) : 0;
}

bool DmaPath::get_direct_mem_ptr(int index, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  // Only a pass-through device may bypass the cost model with a direct pointer.
  if (index < 0 || static_cast<size_t>(index) >= sources_.size() ||
      sources_[static_cast<size_t>(index)]->path != ExitHandler::kNone || mem_out.get_base_port().size() == 0)
    return false;
  return mem_out->get_direct_mem_ptr(trans, dmi);
}

}  // namespace hvsim
