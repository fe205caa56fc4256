#include "models/bus/debug_exit.h"

#include <cstring>

#include "models/core/log.h"

namespace hvsim {

DebugExit::DebugExit(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
  socket.register_b_transport(this, &DebugExit::b_transport);
}

void DebugExit::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (trans.is_read()) {
    std::memset(data, 0, len);
    return;
  }
  if (!trans.is_write()) return;
  // QEMU accepts 1..4-byte accesses; it would split a wider one, of which the first dword counts.
  if (len > 4 && warn_.allow())
    HVSIM_WARN(name(), "%u-byte write: only the first 4 bytes are the exit value", len);
  uint32_t v = 0;
  for (unsigned i = 0; i < len && i < 4; ++i) v |= static_cast<uint32_t>(data[i]) << (8 * i);
  if (requested_) return;  // the first request wins; the guest may keep running until the platform stops
  requested_ = true;
  value_ = v;
  status_ = static_cast<int>((v << 1) | 1);
  HVSIM_INFO(name(), "guest requested exit: value 0x%x, exit status %d", v, status_ & 0xFF);
  if (on_exit_)
    on_exit_(status_);
  else
    sc_core::sc_stop();
}

}  // namespace hvsim
