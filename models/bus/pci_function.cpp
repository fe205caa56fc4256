#include "models/bus/pci_function.h"

#include <algorithm>
#include <cstring>

#include "models/core/log.h"
#include "models/core/params.h"

namespace hvsim {

using namespace pci;

namespace {
using ull = unsigned long long;
}

PciFunction::PciFunction(sc_core::sc_module_name name, const PciId& id)
    : sc_module(name),
      cfg("cfg"),
      bar("bar"),
      dma("dma"),
      intx("intx"),
      dma_bytes_read(this, "dma_bytes_read", "bytes", "bytes this function read from memory as bus master"),
      dma_bytes_written(this, "dma_bytes_written", "bytes", "bytes this function wrote to memory as bus master"),
      dma_refused(this, "dma_refused", "transactions", "DMA attempts refused because Bus Master Enable was 0"),
      config_(std::string(this->name()) + ".config"),
      intx_driver_(intx) {
  const uint64_t multi = id.multifunction ? kHdrMultifunction : 0;
  //                    name                   offset              width reset                    policy       write mask
  config_.add(         "VENDOR_ID",           kVendorId,          2, id.vendor,                  Access::RO);
  config_.add(         "DEVICE_ID",           kDeviceId,          2, id.device,                  Access::RO);
  command_ = &config_.add("COMMAND",          kCommand,           2, 0x0000,                     Access::RW,  kCmdWritable);
  status_ = &config_.add("STATUS",            kStatus,            2, kStsDevselMedium,           Access::W1C, kStsW1C);
  config_.add(         "REVISION_ID",         kRevisionId,        1, id.revision,                Access::RO);
  config_.add(         "PROG_IF",             kProgIf,            1, id.class_code & 0xFF,       Access::RO);
  config_.add(         "SUBCLASS",            kSubclass,          1, (id.class_code >> 8) & 0xFF, Access::RO);
  config_.add(         "CLASS_CODE",          kClassCode,         1, (id.class_code >> 16) & 0xFF, Access::RO);
  config_.add(         "CACHE_LINE_SIZE",     kCacheLineSize,     1, 0,                          Access::RW);
  config_.add(         "LATENCY_TIMER",       kLatencyTimer,      1, 0,                          Access::RW);
  config_.add(         "HEADER_TYPE",         kHeaderType,        1, multi,                      Access::RO);
  config_.add(         "BIST",                kBist,              1, 0,                          Access::RO);
  for (unsigned n = 0; n < kNumBars; ++n)  // unimplemented until declare_bar: reads 0, sizing reads 0
    bars_[n] = &config_.add("BAR" + std::to_string(n), bar_offset(n), 4, 0, Access::RO);
  config_.add(         "CARDBUS_CIS",         kCardbusCis,        4, 0,                          Access::RO);
  config_.add(         "SUBSYSTEM_VENDOR_ID", kSubsystemVendorId, 2, id.subsystem_vendor,        Access::RO);
  config_.add(         "SUBSYSTEM_ID",        kSubsystemId,       2, id.subsystem,               Access::RO);
  config_.add(         "EXPANSION_ROM",       kExpansionRom,      4, 0,                          Access::RO);
  config_.add(         "CAPABILITIES_PTR",    kCapabilitiesPtr,   1, 0,                          Access::RO);
  config_.add(         "INTERRUPT_LINE",      kInterruptLine,     1, 0,                          Access::RW);
  config_.add(         "INTERRUPT_PIN",       kInterruptPin,      1, id.interrupt_pin,           Access::RO);
  config_.add(         "MIN_GNT",             kMinGnt,            1, 0,                          Access::RO);
  config_.add(         "MAX_LAT",             kMaxLat,            1, 0,                          Access::RO);
  config_.set_unmapped_fill(0x00);  // reserved and unimplemented configuration registers read as 0

  command_->on_write([this](uint64_t old_value, uint64_t new_value) {
    if ((old_value ^ new_value) & kCmdIntxDisable) update_intx();
    command_written(static_cast<uint16_t>(old_value), static_cast<uint16_t>(new_value));
  });

  cfg.register_b_transport(this, &PciFunction::cfg_b_transport);
  cfg.register_transport_dbg(this, &PciFunction::cfg_transport_dbg);
  bar.register_b_transport(this, &PciFunction::bar_b_transport);
}

void PciFunction::declare_bar(unsigned n, PciBarType type, uint64_t size, bool prefetchable) {
  const std::string where = strfmt("%s: BAR%u", name(), n);
  const bool is64 = type == PciBarType::Mem64;
  if (n >= kNumBars || (is64 && n + 1 >= kNumBars)) throw ConfigError(where + ": no such BAR slot");
  if (bar_size_[n] || bar_upper_[n] || (is64 && (bar_size_[n + 1] || bar_upper_[n + 1])))
    throw ConfigError(where + ": BAR slot already used");
  if (size == 0 || (size & (size - 1)))
    throw ConfigError(where + strfmt(": size 0x%llx is not a power of two", static_cast<ull>(size)));
  if (type == PciBarType::Io && (size < kBarMinIoSize || size > kBarMaxIoSize))
    throw ConfigError(where + strfmt(": I/O BAR size %llu is outside 4..256 bytes", static_cast<ull>(size)));
  if (type != PciBarType::Io && size < kBarMinMemSize)
    throw ConfigError(where + strfmt(": memory BAR size %llu is below 16 bytes", static_cast<ull>(size)));
  if (type == PciBarType::Mem32 && size > (1ull << 31))
    throw ConfigError(where + ": a 32-bit memory BAR cannot exceed 2 GiB");

  // value = (written & ~(size - 1)) | type bits: the type bits are the reset value outside the mask.
  const uint64_t addr_bits = ~(size - 1);
  uint32_t type_bits, mask;
  if (type == PciBarType::Io) {
    type_bits = kBarIo;
    mask = static_cast<uint32_t>(addr_bits) & kBarIoAddrMask;
  } else {
    type_bits = (is64 ? kBarMemType64 : 0) | (prefetchable ? kBarMemPrefetch : 0);
    mask = static_cast<uint32_t>(addr_bits) & kBarMemAddrMask;
  }
  bars_[n]->policy(Access::RW).reset_to(type_bits).mask(mask).reset();
  bar_type_[n] = type;
  bar_size_[n] = size;
  if (is64) {
    bars_[n + 1]->policy(Access::RW).reset_to(0).mask(addr_bits >> 32).reset();
    bar_upper_[n + 1] = true;
  }
}

uint64_t PciFunction::bar_address(unsigned n) const {
  if (!bar_present(n)) return 0;
  const uint64_t v = bars_[n]->get();
  switch (bar_type_[n]) {
    case PciBarType::Io: return v & kBarIoAddrMask;
    case PciBarType::Mem32: return v & kBarMemAddrMask;
    case PciBarType::Mem64: return (bars_[n + 1]->get() << 32) | (v & kBarMemAddrMask);
  }
  return 0;
}

void PciFunction::set_capabilities_pointer(uint8_t offset) {
  config_.reg("CAPABILITIES_PTR").reset_to(offset & 0xFC).reset();
  status_->reset_to(status_->reset_value() | kStsCapList).set_bits(kStsCapList);
}

void PciFunction::set_irq(bool level) {
  irq_pending_ = level;
  if (level)
    status_->set_bits(kStsIntStatus);
  else
    status_->clear_bits(kStsIntStatus);
  update_intx();
}

void PciFunction::update_intx() {
  intx_driver_.set(irq_pending_ && !(command() & kCmdIntxDisable));
}

void PciFunction::cfg_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
  const uint64_t off = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (len == 0 || off >= kConfigSpaceSize || len > kConfigSpaceSize - off) {
    if (warn_.allow())
      HVSIM_WARN(name(), "configuration access of %u byte(s) at 0x%llx is outside the 256-byte space", len,
                 static_cast<ull>(off));
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.is_read())
    config_.read(off, trans.get_data_ptr(), len);
  else if (trans.is_write())
    config_.write(off, trans.get_data_ptr(), len);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int PciFunction::cfg_transport_dbg(tlm::tlm_generic_payload& trans) {
  // Debug reads must not count as guest accesses or trigger callbacks: read stored values directly.
  if (!trans.is_read()) return 0;
  const uint64_t off = trans.get_address();
  if (off >= kConfigSpaceSize) return 0;
  const unsigned len = static_cast<unsigned>(std::min<uint64_t>(trans.get_data_length(), kConfigSpaceSize - off));
  uint8_t* data = trans.get_data_ptr();
  for (unsigned i = 0; i < len; ++i) {
    const Register* r = config_.find(off + i);
    data[i] = r ? static_cast<uint8_t>(r->get() >> (8 * (off + i - r->offset()))) : 0;
  }
  return len;
}

void PciFunction::bar_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const PciBarExtension* ext = trans.get_extension<PciBarExtension>();
  const unsigned len = trans.get_data_length();
  if (!ext || !bar_present(ext->bar)) {
    if (warn_.allow())
      HVSIM_WARN(name(), "BAR access at offset 0x%llx without a valid BAR index", static_cast<ull>(trans.get_address()));
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  bool ok = true;
  if (trans.is_read())
    ok = bar_read(ext->bar, trans.get_address(), trans.get_data_ptr(), len, delay);
  else if (trans.is_write())
    ok = bar_write(ext->bar, trans.get_address(), trans.get_data_ptr(), len, delay);
  if (!ok) {
    status_->set_bits(kStsSigTargetAbort);
    if (trans.is_read()) std::memset(trans.get_data_ptr(), 0xFF, len);
    if (warn_.allow())
      HVSIM_WARN(name(), "BAR%u %s of %u byte(s) at offset 0x%llx refused: target abort", ext->bar,
                 trans.is_read() ? "read" : "write", len, static_cast<ull>(trans.get_address()));
  }
  // A PC host bridge completes a target-aborted access (reads as all ones); the guest sees no fault.
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool PciFunction::bar_read(unsigned, uint64_t, uint8_t*, unsigned, sc_core::sc_time&) { return false; }
bool PciFunction::bar_write(unsigned, uint64_t, const uint8_t*, unsigned, sc_core::sc_time&) { return false; }

bool PciFunction::dma_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                             sc_core::sc_time& delay) {
  const char* what = cmd == tlm::TLM_READ_COMMAND ? "read" : "write";
  if (!bus_master()) {
    ++dma_refused;
    if (warn_.allow())
      HVSIM_WARN(name(), "DMA %s of %u byte(s) at 0x%llx refused: COMMAND.BusMaster is 0", what, len,
                 static_cast<ull>(addr));
    return false;
  }
  if (dma.size() == 0) {
    if (warn_.allow()) HVSIM_WARN(name(), "DMA %s at 0x%llx: the dma socket is not bound", what, static_cast<ull>(addr));
    return false;
  }
  dma_gp_.set_command(cmd);
  dma_gp_.set_address(addr);
  dma_gp_.set_data_ptr(data);
  dma_gp_.set_data_length(len);
  dma_gp_.set_streaming_width(len);
  dma_gp_.set_byte_enable_ptr(nullptr);
  dma_gp_.set_byte_enable_length(0);
  dma_gp_.set_dmi_allowed(false);
  dma_gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  dma->b_transport(dma_gp_, delay);
  if (!dma_gp_.is_response_ok()) {
    status_->set_bits(kStsRcvMasterAbort);
    if (warn_.allow())
      HVSIM_WARN(name(), "DMA %s of %u byte(s) at 0x%llx failed: %s", what, len, static_cast<ull>(addr),
                 dma_gp_.get_response_string().c_str());
    return false;
  }
  if (cmd == tlm::TLM_READ_COMMAND)
    dma_bytes_read += len;
  else
    dma_bytes_written += len;
  return true;
}

bool PciFunction::dma_read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay) {
  return dma_access(tlm::TLM_READ_COMMAND, addr, static_cast<uint8_t*>(data), len, delay);
}

bool PciFunction::dma_write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay) {
  // TLM payloads carry a non-const pointer; a write never modifies the buffer.
  return dma_access(tlm::TLM_WRITE_COMMAND, addr, static_cast<uint8_t*>(const_cast<void*>(data)), len, delay);
}

}  // namespace hvsim
