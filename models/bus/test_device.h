// TestDevice: a minimal device for measuring access paths (like QEMU's pc-testdev / kvm-unit-tests'
// test devices). It has no real-hardware counterpart; its registers exist so a guest can time one
// port or MMIO access, or an interrupt round trip, over whatever path the platform gives it.
//
// Port window (socket `port`, 8 bytes):
//   0x0  SCRATCH   32  reset 0x00000000  RW  last value written
//   0x4  IRQCTL     8  reset 0x00        RW  bit 0: 1 asserts the interrupt line, 0 deasserts
// MMIO window (socket `mmio`, 4 KiB):
//   0x000 SCRATCH  32  reset 0x00000000  RW  same register as port 0x0
//   other offsets      RO  read as their own offset (a known pattern), writes ignored
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

namespace testdev {
constexpr unsigned kPortSize = 8;
constexpr unsigned kMmioSize = 4096;
constexpr uint64_t kScratch = 0x0;
constexpr uint64_t kIrqCtl = 0x4;
constexpr uint8_t kIrqCtlAssert = 1u << 0;
}  // namespace testdev

class TestDevice : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket_optional<TestDevice> port;  // either window may be left unmapped
  tlm_utils::simple_target_socket_optional<TestDevice> mmio;
  sc_core::sc_out<bool> irq;

  Param<uint64_t> access_latency;
  Counter reads, writes;

  explicit TestDevice(const sc_core::sc_module_name& name);

 private:
  void port_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  uint32_t scratch_ = 0;
  bool line_ = false;
};

}  // namespace hvsim
