// DEC 21140A "Tulip" 10/100 Ethernet controller (PCI 1011:0009) with its 93C46 SROM and an MII PHY
// (shared/specs/devices.md 4; register map in tulip_regs.h).
//
// Guest side: CSR0-CSR15 at 8-byte stride in BAR0 (I/O, 128 bytes) and BAR1 (memory, 128 bytes);
// 32-bit accesses. INTA# = (CSR5.NIS & CSR7.NIM) | (CSR5.AIS & CSR7.AIM), through PciFunction::intx.
// Descriptors and buffers move through PciFunction::dma_read/dma_write (Bus Master Enable gated); a
// refused or failed DMA is a fatal bus error (CSR5.FBE, both processes stop).
//
// Network side: attach(link) once; each transmitted frame (no FCS) goes to link.transmit(frame, ready)
// and the frame's descriptor is closed at the returned end time. The link calls eth_receive() at each
// frame's arrival time and eth_link_changed() on carrier changes.
//
// Engines: one SC_THREAD per direction, woken by events (CSR6 start, poll demands, frame arrival).
// TX keeps at most one frame queued behind the one on the wire (the chip's FIFO): it prepares frame
// k+1 while frame k is on the wire, hands it to the link, then closes frame k at its end time. RX
// writes a frame into as many descriptors as it needs, with the CRC-32 after the data. Every DMA
// waits its returned delay plus the PCI burst model (pci_access_overhead + bytes / pci_bandwidth).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <systemc>
#include <vector>

#include "models/bus/pci_function.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/net/eth.h"
#include "models/tulip/mii_phy.h"
#include "models/tulip/srom93c46.h"
#include "models/tulip/tulip_regs.h"

namespace hvsim {

class Tulip21140 : public PciFunction, public net::EthEndpoint {
 public:
  Param<std::string> mac;           // station address in the SROM, "52:54:00:12:34:56"
  Param<uint64_t> phy_address;      // MII management address of the PHY (0-31)
  Param<double> pci_bandwidth;      // bytes/s of a bus-master burst
  Param<uint64_t> pci_access_overhead;  // ps per bus-master transaction (arbitration, address phase)
  Param<uint64_t> gp_timer_tick;    // ps per CSR11 count
  Param<uint64_t> rx_fifo_frames;   // frames that may wait for the RX engine before one is missed
  Param<uint64_t> loopback_bps;     // bit/s of internal loopback when no link is attached

  Counter tx_frames, tx_bytes, rx_frames, rx_bytes, missed_frames, setup_frames, interrupts,
      filtered_frames, rx_ignored_frames, tx_carrier_errors;

  SC_HAS_PROCESS(Tulip21140);
  explicit Tulip21140(sc_core::sc_module_name name);

  // Connect the link (once, before or during simulation). The PHY takes its partner's speed and
  // duplex and the carrier state from it.
  void attach(net::EthLink& link);

  // net::EthEndpoint
  void eth_receive(net::EthFramePtr frame) override;
  void eth_link_changed(bool up) override;

  // ---- State queries (benches, --dump-platform) ---------------------------------------------------
  uint32_t csr(unsigned n) const;  // the value a guest read would return, without side effects
  const std::array<uint8_t, 6>& station_address() const { return mac_bytes_; }
  const tulip::Srom93c46& srom() const { return srom_; }
  tulip::MiiPhy& phy() { return phy_; }

 protected:
  bool bar_read(unsigned bar, uint64_t offset, uint8_t* data, unsigned len, sc_core::sc_time& delay) override;
  bool bar_write(unsigned bar, uint64_t offset, const uint8_t* data, unsigned len,
                 sc_core::sc_time& delay) override;

 private:
  // Registers
  uint32_t read_csr(unsigned n);
  void write_csr(unsigned n, uint32_t v);
  void software_reset();
  void write_csr6(uint32_t v);
  void write_csr9(uint32_t v);
  void update_irq();
  void raise(uint32_t csr5_bits);
  uint32_t csr5_value() const;
  uint32_t timer_count() const;
  void timer_expired();

  // DMA with the burst model; false = fatal bus error (already reported).
  bool dma_in(uint64_t addr, void* data, unsigned len);
  bool dma_out(uint64_t addr, const void* data, unsigned len);
  sc_core::sc_time burst_time(unsigned len) const;
  void fatal_bus_error();
  bool read_desc(uint32_t addr, uint32_t d[4]);
  uint32_t next_desc(uint32_t cur, uint32_t ctl, uint32_t d3, uint32_t end_of_ring, uint32_t chain,
                     uint32_t base) const;

  // TX engine
  struct InFlight {
    bool valid = false;
    std::vector<uint32_t> descs;  // every descriptor of the frame, the last one gets the status
    uint32_t status = 0;
    bool ic = false;
    sc_core::sc_time end;
  };
  void tx_thread();
  void tx_run();  // runs until stopped or suspended
  bool tx_close_in_flight();
  void tx_setup_frame(uint32_t addr, const uint32_t d[4]);
  sc_core::sc_time tx_wire(const net::EthFramePtr& frame, uint32_t& status);
  void loopback_deliver();
  void enqueue_rx(net::EthFramePtr frame);
  sc_core::sc_time wire_time(size_t bytes, uint64_t bps) const;

  // RX engine
  void rx_thread();
  void rx_run();
  bool rx_frame(const net::EthFrame& frame);  // false: RX left the running state
  bool rx_accept(const uint8_t* da, bool& filter_fail) const;
  void count_missed();
  void discard_rx_fifo();  // drops the frames waiting for the RX engine (counted as ignored)

  void set_ts(uint32_t s) { ts_ = s; }
  void set_rs(uint32_t s) { rs_ = s; }

  // Register state
  std::array<uint32_t, tulip::kNumCsrs> csr_{};
  uint32_t csr5_sources_ = 0;  // W1C bits 14:0 (NIS/AIS are computed)
  uint32_t eb_ = 0;
  uint32_t ts_ = tulip::kTsStopped, rs_ = tulip::kRsStopped;
  uint32_t missed_ = 0;
  bool missed_overflow_ = false;
  uint32_t gp_dir_ = 0, gp_data_ = 0;
  sc_core::sc_time timer_start_;
  uint32_t timer_load_ = 0;
  sc_core::sc_event timer_ev_;
  bool irq_level_ = false;
  uint64_t generation_ = 0;  // bumped by SWR and fatal bus errors: engines abandon work begun before it
  bool fatal_ = false;       // a fatal bus error stopped both processes until the next SWR
  bool csr9_driven_ = false; // CSR9 reads its reset value until the guest first drives the pins

  // SROM, MII
  std::array<uint8_t, 6> mac_bytes_{};
  tulip::Srom93c46 srom_;
  tulip::MiiPhy phy_;
  tulip::MdioBus mdio_;

  // Filter (loaded by setup frames)
  std::array<std::array<uint8_t, 6>, tulip::kSetupPerfectEntries> perfect_{};
  std::array<uint8_t, 6> hash_perfect_{};
  std::array<uint16_t, tulip::kSetupHashBits / 16> hash_{};
  tulip::FilterType filter_ = tulip::FilterType::kPerfect;

  // Engines
  net::EthLink* link_ = nullptr;
  uint32_t tx_cur_ = 0, rx_cur_ = 0;
  bool tx_poll_ = false, rx_poll_ = false;
  sc_core::sc_event tx_kick_, rx_kick_;
  InFlight in_flight_;
  std::deque<net::EthFramePtr> rx_queue_;
  std::deque<std::pair<sc_core::sc_time, net::EthFramePtr>> loopback_;
  sc_core::sc_event_queue loopback_ev_;
  sc_core::sc_time loopback_busy_until_;
};

}  // namespace hvsim
