#include "models/bus/pci_host_bridge.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/core/log.h"

namespace hvsim {

using namespace pci;

namespace {
using ull = unsigned long long;

uint32_t load_le(const uint8_t* p, unsigned len) {
  uint32_t v = 0;
  for (unsigned i = 0; i < len && i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

void store_le(uint8_t* p, uint32_t v, unsigned len) {
  for (unsigned i = 0; i < len && i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
}  // namespace

// 82443BX with AGP disabled, revision 03 (C-1 stepping): what lspci shows on a Hyper-V generation-1 VM.
PciHostBridge::HostFunction::HostFunction(sc_core::sc_module_name name)
    : PciFunction(name, PciId{0x8086, 0x7192, 0x03, 0x060000, 0, 0, 0, false}) {
  // 82443BX PCICMD reset value: memory decode and bus master are on from reset.
  config().reg("COMMAND").reset_to(kCmdMemSpace | kCmdBusMaster).reset();
}

PciHostBridge::PciHostBridge(sc_core::sc_module_name name)
    : sc_module(name),
      cfg_io("cfg_io"),
      io_window("io_window"),
      mem_window("mem_window"),
      cfg_out("cfg_out"),
      bar_out("bar_out"),
      config_latency(this, "config_latency", 0, "ps",
                     "added to every CONFIG_ADDRESS/CONFIG_DATA access; 0 because the exit cost model charges "
                     "the emulation of configuration cycles"),
      warn_master_abort(this, "warn_master_abort", true, "bool",
                        "warn (rate-limited) when an access reaches no BAR; probing absent legacy hardware "
                        "(port 0x80 delays) is common, so a platform may turn it off"),
      firmware_assign(this, "firmware_assign", false, "bool",
                      "at start of simulation, assign every BAR an address and enable I/O and memory decode, "
                      "as a BIOS would"),
      firmware_io_base(this, "firmware_io_base", 0xC000, "address",
                       "first I/O address for firmware BAR assignment (SeaBIOS starts PCI I/O at 0xC000)"),
      firmware_mem_base(this, "firmware_mem_base", 0xE0000000ull, "address",
                        "first MMIO address for firmware BAR assignment (QEMU i440FX PCI hole at 0xE0000000)"),
      config_reads(this, "config_reads", "transactions", "configuration reads forwarded to a function"),
      config_writes(this, "config_writes", "transactions", "configuration writes forwarded to a function"),
      master_aborts(this, "master_aborts", "transactions", "I/O or memory accesses no enabled BAR claimed"),
      bar_accesses(this, "bar_accesses", "transactions", "I/O or memory accesses forwarded to a function's BAR"),
      host_("host"),
      host_intx_("host_intx") {
  for (auto& row : slot_table_) std::fill(std::begin(row), std::end(row), -1);
  cfg_io.register_b_transport(this, &PciHostBridge::cfg_io_b_transport);
  io_window.register_b_transport(this, &PciHostBridge::io_window_b_transport);
  mem_window.register_b_transport(this, &PciHostBridge::mem_window_b_transport);
  mem_window.register_get_direct_mem_ptr(this, &PciHostBridge::window_get_dmi);
  host_.intx.bind(host_intx_);
  attach(0, 0, host_);
}

void PciHostBridge::attach(unsigned device, unsigned function, PciFunction& fn) {
  if (device >= 32 || function >= 8)
    throw ConfigError(strfmt("%s: cannot attach %s at %u.%u: device must be < 32 and function < 8", name(), fn.name(),
                             device, function));
  if (slot_table_[device][function] >= 0)
    throw ConfigError(strfmt("%s: cannot attach %s at %u.%u: already taken by %s", name(), fn.name(), device, function,
                             slots_[slot_table_[device][function]].name.c_str()));
  Slot s;
  s.device = device;
  s.function = function;
  s.index = static_cast<unsigned>(slots_.size());
  s.name = fn.name();
  cfg_out.bind(fn.cfg);
  bar_out.bind(fn.bar);
  slot_table_[device][function] = static_cast<int>(s.index);
  slots_.push_back(std::move(s));
}

int PciHostBridge::slot_of(unsigned bus, unsigned device, unsigned function) const {
  if (bus != 0 || device >= 32 || function >= 8) return -1;  // no PCI-to-PCI bridges: only bus 0 exists
  return slot_table_[device][function];
}

void PciHostBridge::start_of_simulation() {
  started_ = true;
  for (Slot& s : slots_) probe_bars(s);
  if (firmware_assign) assign_bars();
  std::vector<QueuedWrite> queued;
  queued.swap(queued_);
  for (const QueuedWrite& w : queued) config_write(w.device, w.function, w.offset, w.value, w.len);
  for (Slot& s : slots_) refresh(s);
}

void PciHostBridge::cfg_access(Slot& s, bool write, unsigned offset, uint8_t* data, unsigned len,
                               sc_core::sc_time& delay) {
  cfg_gp_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  cfg_gp_.set_address(offset);
  cfg_gp_.set_data_ptr(data);
  cfg_gp_.set_data_length(len);
  cfg_gp_.set_streaming_width(len);
  cfg_gp_.set_byte_enable_ptr(nullptr);
  cfg_gp_.set_byte_enable_length(0);
  cfg_gp_.set_dmi_allowed(false);
  cfg_gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  cfg_out[s.index]->b_transport(cfg_gp_, delay);
  if (!cfg_gp_.is_response_ok() && !write) std::memset(data, 0xFF, len);
}

uint32_t PciHostBridge::cfg_read32(Slot& s, unsigned offset) {
  uint8_t buf[4];
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  cfg_access(s, false, offset, buf, 4, d);
  return load_le(buf, 4);
}

void PciHostBridge::cfg_write32(Slot& s, unsigned offset, uint32_t value) {
  uint8_t buf[4];
  store_le(buf, value, 4);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  cfg_access(s, true, offset, buf, 4, d);
}

void PciHostBridge::forwarded_write(Slot& s, unsigned offset, uint8_t* data, unsigned len, sc_core::sc_time& delay) {
  ++config_writes;
  cfg_access(s, true, offset, data, len, delay);
  const unsigned end = offset + len;
  const bool command = offset < kCommand + 2u && end > kCommand;
  const bool bars = offset < bar_offset(kNumBars) && end > kBar0;
  if (command || bars) refresh(s);
}

// The sizing protocol a BIOS runs once: save, write all ones, read back, restore.
void PciHostBridge::probe_bars(Slot& s) {
  for (unsigned n = 0; n < kNumBars; ++n) {
    s.bars[n] = Bar{};
    const unsigned off = bar_offset(n);
    const uint32_t orig = cfg_read32(s, off);
    cfg_write32(s, off, 0xFFFFFFFFu);
    uint32_t rb = cfg_read32(s, off);
    cfg_write32(s, off, orig);
    if (rb == 0) continue;
    Bar& b = s.bars[n];
    b.present = true;
    if (rb & kBarIo) {
      b.io = true;
      if ((rb & 0xFFFF0000u) == 0) rb |= 0xFFFF0000u;  // 16-bit I/O decoders leave the upper half 0
      b.size = static_cast<uint32_t>(~(rb & kBarIoAddrMask) + 1);
    } else if ((rb & kBarMemType64) && n + 1 < kNumBars) {
      const unsigned hi_off = bar_offset(n + 1);
      const uint32_t orig_hi = cfg_read32(s, hi_off);
      cfg_write32(s, hi_off, 0xFFFFFFFFu);
      const uint32_t rb_hi = cfg_read32(s, hi_off);
      cfg_write32(s, hi_off, orig_hi);
      b.is64 = true;
      b.size = ~((static_cast<uint64_t>(rb_hi) << 32) | (rb & kBarMemAddrMask)) + 1;
      ++n;
    } else {
      b.size = static_cast<uint32_t>(~(rb & kBarMemAddrMask) + 1);
    }
  }
}

void PciHostBridge::refresh(Slot& s) {
  uint8_t buf[2];
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  cfg_access(s, false, kCommand, buf, 2, d);
  s.command = static_cast<uint16_t>(load_le(buf, 2));
  for (unsigned n = 0; n < kNumBars; ++n) {
    Bar& b = s.bars[n];
    if (!b.present) continue;
    const uint32_t v = cfg_read32(s, bar_offset(n));
    b.base = v & (b.io ? kBarIoAddrMask : kBarMemAddrMask);
    if (b.is64) b.base |= static_cast<uint64_t>(cfg_read32(s, bar_offset(n + 1))) << 32;
  }
  rebuild_windows();
}

void PciHostBridge::rebuild_windows() {
  decode_.clear();
  for (const Slot& s : slots_)
    for (unsigned n = 0; n < kNumBars; ++n) {
      const Bar& b = s.bars[n];
      // Base 0 means unassigned (as in QEMU): a BAR left at 0 must not shadow legacy devices.
      const bool on = b.present && b.base != 0 && (s.command & (b.io ? kCmdIoSpace : kCmdMemSpace));
      if (on) decode_.push_back(Window{b.io, b.base, b.size, s.index, n});
    }
  if (listener_) listener_(windows());
}

std::vector<PciHostBridge::BarWindow> PciHostBridge::windows() const {
  std::vector<BarWindow> out;
  for (const Slot& s : slots_)
    for (unsigned n = 0; n < kNumBars; ++n) {
      const Bar& b = s.bars[n];
      if (!b.present) continue;
      BarWindow w;
      w.device = s.device;
      w.function = s.function;
      w.bar = n;
      w.io = b.io;
      w.base = b.base;
      w.size = b.size;
      w.enabled = b.base != 0 && (s.command & (b.io ? kCmdIoSpace : kCmdMemSpace));
      w.owner = s.name;
      out.push_back(std::move(w));
    }
  return out;
}

void PciHostBridge::assign_bars() {
  uint64_t io_next = firmware_io_base, mem_next = firmware_mem_base;
  for (unsigned dev = 0; dev < 32; ++dev) {  // bus scan order, as a BIOS enumerates, not attach order
    for (unsigned fn = 0; fn < 8; ++fn) {
      if (slot_table_[dev][fn] < 0) continue;
      Slot& s = slots_[slot_table_[dev][fn]];
      uint16_t enable = 0;
      for (unsigned n = 0; n < kNumBars; ++n) {
        const Bar& b = s.bars[n];
        if (!b.present) continue;
        if (b.io) {
          const uint64_t base = align_up(io_next, b.size);
          io_next = base + b.size;
          cfg_write32(s, bar_offset(n), static_cast<uint32_t>(base));
          enable |= kCmdIoSpace;
        } else {
          const uint64_t base = align_up(mem_next, std::max<uint64_t>(b.size, 4096));  // page-aligned, as SeaBIOS
          mem_next = base + b.size;
          cfg_write32(s, bar_offset(n), static_cast<uint32_t>(base));
          if (b.is64) cfg_write32(s, bar_offset(n + 1), static_cast<uint32_t>(base >> 32));
          enable |= kCmdMemSpace;
        }
      }
      if (!enable) continue;
      uint8_t buf[2];
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      cfg_access(s, false, kCommand, buf, 2, d);
      store_le(buf, load_le(buf, 2) | enable, 2);
      cfg_access(s, true, kCommand, buf, 2, d);
    }
  }
}

uint32_t PciHostBridge::config_read(unsigned device, unsigned function, unsigned offset, unsigned len) {
  if (!started_) throw std::logic_error(std::string(name()) + ": config_read before the simulation started");
  len = std::min(len, 4u);
  const int si = slot_of(0, device, function);
  if (si < 0 || offset >= kConfigSpaceSize) return len >= 4 ? 0xFFFFFFFFu : (1u << (8 * len)) - 1;
  uint8_t buf[4];
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  ++config_reads;
  cfg_access(slots_[si], false, offset, buf, len, d);
  return load_le(buf, len);
}

void PciHostBridge::config_write(unsigned device, unsigned function, unsigned offset, uint32_t value, unsigned len) {
  len = std::min(len, 4u);
  if (!started_) {
    queued_.push_back(QueuedWrite{device, function, offset, len, value});
    return;
  }
  const int si = slot_of(0, device, function);
  if (si < 0 || offset >= kConfigSpaceSize) return;
  uint8_t buf[4];
  store_le(buf, value, len);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  forwarded_write(slots_[si], offset, buf, len, d);
}

void PciHostBridge::cfg_io_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += sc_core::sc_time(static_cast<double>(config_latency.get()), sc_core::SC_PS);
  const uint64_t off = trans.get_address();  // 0 = port 0xCF8
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  const bool read = trans.is_read();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (read) std::memset(data, 0xFF, len);  // whatever no one drives reads as all ones
  if (len == 0 || off >= 8) return;

  if (off < 4) {
    if (off == 0 && len == 4) {
      if (read)
        store_le(data, config_address_, 4);
      else
        config_address_ = load_le(data, 4) & kCfgAddrWritable;
      return;
    }
    if (warn_cfg_.allow())
      HVSIM_WARN(name(), "%u-byte %s at port 0x%llx is not a CONFIG_ADDRESS access (32-bit at 0xCF8 only): %s", len,
                 read ? "read" : "write", static_cast<ull>(kConfigAddressPort + off),
                 read ? "reads as all ones" : "dropped");
    return;
  }

  const unsigned lane = static_cast<unsigned>(off - 4);
  const unsigned n = std::min(len, 4 - lane);  // bytes past 0xCFF are not CONFIG_DATA
  if (!(config_address_ & kCfgAddrEnable)) {
    if (warn_cfg_.allow())
      HVSIM_WARN(name(), "CONFIG_DATA %s at port 0x%llx with CONFIG_ADDRESS.Enable clear (0x%08x): %s",
                 read ? "read" : "write", static_cast<ull>(kConfigAddressPort + off), config_address_,
                 read ? "reads as all ones" : "dropped");
    return;
  }
  const int si = slot_of(cfg_addr_bus(config_address_), cfg_addr_device(config_address_),
                         cfg_addr_function(config_address_));
  if (si < 0) return;  // absent function: reads 0xFFFFFFFF, the probe's "vendor 0xFFFF"
  const unsigned reg = cfg_addr_register(config_address_) + lane;
  if (read) {
    ++config_reads;
    cfg_access(slots_[si], false, reg, data, n, delay);
  } else {
    forwarded_write(slots_[si], reg, data, n, delay);
  }
}

void PciHostBridge::io_window_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  decode_and_forward(true, trans, delay);
}

void PciHostBridge::mem_window_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  decode_and_forward(false, trans, delay);
}

void PciHostBridge::decode_and_forward(bool io, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  for (const Window& w : decode_) {
    if (w.io != io || addr - w.base >= w.size) continue;
    ++bar_accesses;
    // On the stack: a BAR handler may start DMA that comes back through this bridge (peer-to-peer).
    PciBarExtension ext;
    ext.bar = w.bar;
    PciBarExtension* prev = trans.set_extension(&ext);
    trans.set_address(addr - w.base);
    bar_out[slots_[w.slot].index]->b_transport(trans, delay);
    trans.set_address(addr);
    if (prev)
      trans.set_extension(prev);
    else
      trans.clear_extension(&ext);
    return;
  }
  ++master_aborts;
  if (warn_master_abort && warn_abort_.allow())
    HVSIM_WARN(name(), "master abort: %s %s of %u byte(s) at 0x%llx claimed by no enabled BAR (occurrence %llu)",
               io ? "I/O" : "memory", trans.is_read() ? "read" : "write", trans.get_data_length(),
               static_cast<ull>(addr), static_cast<ull>(warn_abort_.seen()));
  if (trans.is_read()) std::memset(trans.get_data_ptr(), 0xFF, trans.get_data_length());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool PciHostBridge::window_get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  // BARs are registers, never plain memory: every access has to reach the device model.
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  return false;
}

}  // namespace hvsim
