// PCI host bridge and bus 0 (Intel 440BX, PCI 8086:7192): configuration mechanism #1 at ports
// 0xCF8/0xCFC turned into configuration transactions on the attached functions' `cfg` sockets, and
// positive decode of their BARs for the port-I/O and MMIO spaces (it is the routers' default target).
// It keeps its decode table current by snooping the configuration writes it forwards and re-reading
// the function's Command and BARs through configuration transactions, so it holds no pointer to any
// function. An access no enabled BAR claims is a master abort: reads all ones, writes dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/bus/pci_function.h"
#include "models/bus/warn_limiter.h"
#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim {

class PciHostBridge : public sc_core::sc_module {
 public:
  // One BAR of one function, as the bridge decodes it.
  struct BarWindow {
    unsigned device = 0, function = 0, bar = 0;
    bool io = false;
    uint64_t base = 0, size = 0;
    bool enabled = false;  // Command decode bit set and base != 0
    std::string owner;     // the function's module name
  };

  tlm_utils::simple_target_socket<PciHostBridge> cfg_io;      // map at port 0xCF8, size 8 (offset 0 = 0xCF8)
  tlm_utils::simple_target_socket<PciHostBridge> io_window;   // default target of the port-I/O router
  tlm_utils::simple_target_socket<PciHostBridge> mem_window;  // default target of the MMIO router
  tlm_utils::multi_passthrough_initiator_socket<PciHostBridge> cfg_out;  // to each function's cfg
  tlm_utils::multi_passthrough_initiator_socket<PciHostBridge> bar_out;  // to each function's bar

  Param<uint64_t> config_latency;
  Param<bool> warn_master_abort;
  Param<bool> firmware_assign;
  Param<uint64_t> firmware_io_base;
  Param<uint64_t> firmware_mem_base;

  Counter config_reads, config_writes, master_aborts, bar_accesses;

  explicit PciHostBridge(sc_core::sc_module_name name);

  // Binds cfg_out and bar_out to the function's sockets. Device 0 function 0 is the bridge itself.
  // Throws ConfigError on a bad or already used device/function number.
  void attach(unsigned device, unsigned function, PciFunction& fn);

  // Firmware/debugger access to bus 0 configuration space, as if through mechanism #1. Writes made
  // before the simulation starts are queued and applied at start_of_simulation (sockets complete
  // binding only at the end of elaboration); reads need the simulation to have started.
  uint32_t config_read(unsigned device, unsigned function, unsigned offset, unsigned len);
  void config_write(unsigned device, unsigned function, unsigned offset, uint32_t value, unsigned len);

  // Every implemented BAR of every function, enabled or not (for --dump-platform and the intercept map).
  // BARs are sized through configuration cycles at start_of_simulation; before that the list is empty.
  std::vector<BarWindow> windows() const;
  // Called after the decode table changed (BAR or Command written); e.g. to remap vCPU MMIO regions.
  void on_windows_changed(std::function<void(const std::vector<BarWindow>&)> fn) { listener_ = std::move(fn); }

 private:
  struct Bar {
    bool present = false, io = false, is64 = false;
    uint64_t size = 0, base = 0;
  };
  struct Slot {
    unsigned device = 0, function = 0, index = 0;
    std::string name;
    uint16_t command = 0;
    Bar bars[pci::kNumBars];
  };

  void start_of_simulation() override;
  void cfg_io_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void io_window_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void mem_window_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool window_get_dmi(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void decode_and_forward(bool io, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  int slot_of(unsigned bus, unsigned device, unsigned function) const;
  // A configuration transaction to one function (offset within its 256-byte space).
  void cfg_access(Slot& s, bool write, unsigned offset, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  uint32_t cfg_read32(Slot& s, unsigned offset);
  void cfg_write32(Slot& s, unsigned offset, uint32_t value);
  // Configuration write with the decode snoop (both the guest's and the firmware's path).
  void forwarded_write(Slot& s, unsigned offset, uint8_t* data, unsigned len, sc_core::sc_time& delay);
  void probe_bars(Slot& s);
  void refresh(Slot& s);
  void rebuild_windows();
  void assign_bars();

  class HostFunction : public PciFunction {
   public:
    explicit HostFunction(sc_core::sc_module_name name);
  };

  HostFunction host_;
  sc_core::sc_signal<bool> host_intx_;  // the bridge function has no interrupt; its port needs a binding
  std::vector<Slot> slots_;
  int slot_table_[32][8];
  uint32_t config_address_ = 0;
  bool started_ = false;
  struct QueuedWrite {
    unsigned device, function, offset, len;
    uint32_t value;
  };
  std::vector<QueuedWrite> queued_;
  struct Window {
    bool io;
    uint64_t base, size;
    unsigned slot, bar;
  };
  std::vector<Window> decode_;  // enabled windows only
  tlm::tlm_generic_payload cfg_gp_;
  PciBarExtension bar_ext_;
  std::function<void(const std::vector<BarWindow>&)> listener_;
  WarnLimiter warn_cfg_, warn_abort_;
};

}  // namespace hvsim
