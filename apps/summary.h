// The end-of-run summary printed on stdout: what a user came for, in one screen.
#pragma once

#include <ostream>

#include "platforms/platform.h"

namespace hvsim {

struct HostTiming {
  double wall_seconds = 0;
};

void print_summary(std::ostream& os, const Platform& platform, const HostTiming& host);

}  // namespace hvsim
