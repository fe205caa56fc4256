// Measurement port (hvsim's own, default port 0x508, 4 bytes): a guest marks its region of interest
// so statistics cover exactly the measured work. Write 1 = ROI begin, 2 = ROI end, any other value =
// a marker (trace instant + counter). Reading offset 0 returns "HVSI" (0x48565349), which tells a guest
// it runs on hvsim rather than QEMU (where the port reads all ones). Reading offset 4 returns the low 32
// bits of the VM's exit count so far (from the source the platform connects), so a guest can report
// exits per request itself; 0xFFFFFFFF when no source is connected.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/warn_limiter.h"
#include "models/core/stats.h"

namespace hvsim {

namespace measure {
constexpr uint32_t kRoiBegin = 1;
constexpr uint32_t kRoiEnd = 2;
constexpr uint32_t kSignature = 0x48565349;  // "HVSI" as a little-endian dword reads "ISVH" in memory
constexpr unsigned kSignatureOffset = 0;  // read: kSignature; write: command
constexpr unsigned kExitCountOffset = 4;  // read: exits taken by this VM so far (low 32 bits)
constexpr unsigned kPortSize = 8;
}  // namespace measure

class MeasurePort : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MeasurePort> socket;  // offset 0..3

  Counter markers, roi_begins, roi_ends, misordered;

  explicit MeasurePort(sc_core::sc_module_name name);

  uint32_t last_marker() const { return last_marker_; }
  // Where the exit count read at offset 4 comes from (the VM's hypervisor statistics).
  void set_exit_source(std::function<uint64_t()> source) { exit_source_ = std::move(source); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void command(uint32_t v, const sc_core::sc_time& at);
  int track();

  std::function<uint64_t()> exit_source_;
  uint32_t last_marker_ = 0;
  int track_ = -1;
  WarnLimiter warn_;
};

}  // namespace hvsim
