#include "models/bus/test_device.h"

#include <cstring>

#include "models/core/log.h"

namespace hvsim {

TestDevice::TestDevice(const sc_core::sc_module_name& name)
    : sc_module(name),
      port("port"),
      mmio("mmio"),
      irq("irq"),
      access_latency(this, "access_latency", 0, "ps",
                     "device-side latency per access (0: the hypervisor model supplies the path costs)"),
      reads(this, "reads", "accesses", "register reads"),
      writes(this, "writes", "accesses", "register writes") {
  port.register_b_transport(this, &TestDevice::port_b_transport);
  mmio.register_b_transport(this, &TestDevice::mmio_b_transport);
}

void TestDevice::port_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  uint64_t off = trans.get_address();
  unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  delay += sc_core::sc_time::from_value(access_latency.get());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (off + len > testdev::kPortSize) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.is_read()) {
    ++reads;
    uint8_t regs[testdev::kPortSize] = {};
    std::memcpy(regs, &scratch_, 4);
    regs[testdev::kIrqCtl] = line_ ? testdev::kIrqCtlAssert : 0;
    std::memcpy(data, regs + off, len);
    return;
  }
  ++writes;
  if (off == testdev::kScratch && len == 4) {
    std::memcpy(&scratch_, data, 4);
  } else if (off == testdev::kIrqCtl && len == 1) {
    line_ = data[0] & testdev::kIrqCtlAssert;
    irq.write(line_);
  } else {
    HVSIM_WARN(name(), "write of %u bytes at port offset 0x%llx ignored (SCRATCH is a dword at 0, IRQCTL a byte at 4)",
               len, static_cast<unsigned long long>(off));
  }
}

void TestDevice::mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  uint64_t off = trans.get_address();
  unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  delay += sc_core::sc_time::from_value(access_latency.get());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (off + len > testdev::kMmioSize || len > 8) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.is_read()) {
    ++reads;
    for (unsigned i = 0; i < len; ++i) {
      uint64_t a = off + i;
      // SCRATCH at 0..3, elsewhere each dword reads as its own offset.
      uint32_t word = a < 4 ? scratch_ : static_cast<uint32_t>(a & ~3ull);
      data[i] = static_cast<uint8_t>(word >> (8 * (a & 3)));
    }
    return;
  }
  ++writes;
  if (off == testdev::kScratch && len == 4) std::memcpy(&scratch_, data, 4);
}

}  // namespace hvsim
