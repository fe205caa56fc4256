// Drives an interrupt output from a process of its own, so the signal behind it has exactly one
// writer however many processes change the level (a vCPU's b_transport, the device's own timers).
// SystemC rejects a plain sc_signal written by two processes (E115).
#pragma once

#include <systemc>

namespace hvsim {

class IrqDriver {
 public:
  // Construct during elaboration, inside the owning module's constructor.
  explicit IrqDriver(sc_core::sc_out<bool>& port);
  IrqDriver(const IrqDriver&) = delete;
  IrqDriver& operator=(const IrqDriver&) = delete;

  // The new level reaches the signal in the same delta cycle as a direct write would.
  void set(bool level);
  bool level() const { return level_; }

 private:
  void drive();

  sc_core::sc_out<bool>& port_;
  sc_core::sc_event changed_;
  bool level_ = false;
};

}  // namespace hvsim
