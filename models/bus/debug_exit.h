// QEMU isa-debug-exit (port 0x501, iosize 2): a guest write of v ends the simulation with process
// exit status (v << 1) | 1, so the same guest reports pass/fail under QEMU and hvsim. Reads return 0,
// as QEMU's debug_exit_read does.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/warn_limiter.h"

namespace hvsim {

class DebugExit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<DebugExit> socket;  // offset within the port range; 1..4-byte accesses

  explicit DebugExit(sc_core::sc_module_name name);

  // The platform decides how the run ends (flush stats, then exit). Without a callback the model
  // calls sc_core::sc_stop().
  void on_exit(std::function<void(int status)> fn) { on_exit_ = std::move(fn); }

  bool exit_requested() const { return requested_; }
  int exit_status() const { return status_; }  // (v << 1) | 1; only meaningful once requested
  uint32_t written_value() const { return value_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  std::function<void(int)> on_exit_;
  bool requested_ = false;
  int status_ = 0;
  uint32_t value_ = 0;
  WarnLimiter warn_;
};

}  // namespace hvsim
