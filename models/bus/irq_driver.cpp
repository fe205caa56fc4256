#include "models/bus/irq_driver.h"

namespace hvsim {

IrqDriver::IrqDriver(sc_core::sc_out<bool>& port) : port_(port) {
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.set_sensitivity(&changed_);
  opts.dont_initialize();
  sc_core::sc_spawn(sc_bind(&IrqDriver::drive, this), sc_core::sc_gen_unique_name("irq_driver"), &opts);
}

void IrqDriver::set(bool level) {
  if (level == level_) return;
  level_ = level;
  // Immediate notification runs the driver in this evaluation phase; outside the simulation (a
  // platform presetting a level) only a delta notification is allowed.
  if (sc_core::sc_get_status() == sc_core::SC_RUNNING)
    changed_.notify();
  else
    changed_.notify(sc_core::SC_ZERO_TIME);
}

void IrqDriver::drive() { port_.write(level_); }

}  // namespace hvsim
