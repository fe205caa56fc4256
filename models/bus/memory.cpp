#include "models/bus/memory.h"

#include <algorithm>
#include <cstring>

#include "models/core/log.h"

namespace hvsim {

Memory::Memory(sc_core::sc_module_name name, uint64_t default_size)
    : sc_module(name),
      socket("socket"),
      size(this, "size", default_size, "bytes", "guest RAM size; default set by the platform description"),
      read_latency(this, "read_latency", 0, "ps",
                   "latency of a b_transport read; 0 because the vCPU reaches RAM through DMI and device DMA "
                   "costs are charged by the DMA engines"),
      write_latency(this, "write_latency", 0, "ps", "latency of a b_transport write; 0 for the same reason"),
      reads(this, "reads", "transactions", "b_transport reads (device DMA, not the vCPU's DMI accesses)"),
      writes(this, "writes", "transactions", "b_transport writes (device DMA, not the vCPU's DMI accesses)"),
      bytes_read(this, "bytes_read", "bytes", "bytes read through b_transport"),
      bytes_written(this, "bytes_written", "bytes", "bytes written through b_transport"),
      size_(size) {
  if (size_ == 0) throw ConfigError(std::string(this->name()) + ".size: RAM size must not be 0");
  // calloc: the host OS hands out zero pages lazily, so a large guest RAM costs nothing until touched.
  storage_.reset(static_cast<uint8_t*>(std::calloc(size_, 1)));
  if (!storage_)
    throw ConfigError(strfmt("%s.size: cannot allocate %llu bytes of guest RAM", this->name(),
                             static_cast<unsigned long long>(size_)));
  socket.register_b_transport(this, &Memory::b_transport);
  socket.register_transport_dbg(this, &Memory::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
}

void Memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (addr >= size_ || len > size_ - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint8_t* mem = storage_.get() + addr;
  uint8_t* data = trans.get_data_ptr();
  const uint8_t* be = trans.get_byte_enable_ptr();
  const unsigned be_len = trans.get_byte_enable_length();
  if (trans.is_read()) {
    if (be) {
      for (unsigned i = 0; i < len; ++i)
        if (be[i % be_len] == TLM_BYTE_ENABLED) data[i] = mem[i];
    } else {
      std::memcpy(data, mem, len);
    }
    delay += sc_core::sc_time(static_cast<double>(read_latency.get()), sc_core::SC_PS);
    ++reads;
    bytes_read += len;
  } else if (trans.is_write()) {
    if (be) {
      for (unsigned i = 0; i < len; ++i)
        if (be[i % be_len] == TLM_BYTE_ENABLED) mem[i] = data[i];
    } else {
      std::memcpy(mem, data, len);
    }
    delay += sc_core::sc_time(static_cast<double>(write_latency.get()), sc_core::SC_PS);
    ++writes;
    bytes_written += len;
  }
  trans.set_dmi_allowed(true);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  if (addr >= size_) return 0;
  const unsigned len = static_cast<unsigned>(std::min<uint64_t>(trans.get_data_length(), size_ - addr));
  if (trans.is_read())
    std::memcpy(trans.get_data_ptr(), storage_.get() + addr, len);
  else if (trans.is_write())
    std::memcpy(storage_.get() + addr, trans.get_data_ptr(), len);
  else
    return 0;
  return len;
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  if (trans.get_address() >= size_) {
    dmi.set_start_address(size_);
    dmi.set_end_address(~0ull);
    return false;
  }
  dmi.set_dmi_ptr(storage_.get());
  dmi.set_start_address(0);
  dmi.set_end_address(size_ - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_core::sc_time(static_cast<double>(read_latency.get()), sc_core::SC_PS));
  dmi.set_write_latency(sc_core::sc_time(static_cast<double>(write_latency.get()), sc_core::SC_PS));
  return true;
}

}  // namespace hvsim
