#include "apps/summary.h"

#include <map>
#include <systemc>

#include "models/core/log.h"
#include "models/core/stats.h"

namespace hvsim {

namespace {
using ull = unsigned long long;

std::string grouped(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

const Counter* counter(const std::string& name) {
  return dynamic_cast<const Counter*>(StatsRegistry::instance().find(name));
}
// Exits by reason and handler, from the hypervisors' counters "<vm>.hv.exits_by.R.H.device" and
// "<vm>.hv.exit_cycles_by.R.H".
void print_exit_table(std::ostream& os) {
  struct Row {
    uint64_t count = 0, cycles = 0;
  };
  std::map<std::string, Row> rows;  // "vm R H"
  uint64_t all = 0;
  for (const StatBase* st : StatsRegistry::instance().list()) {
    auto* c = dynamic_cast<const Counter*>(st);
    if (!c) continue;
    const std::string& n = c->name();
    auto at = n.find(".exits_by.");
    auto cy = n.find(".exit_cycles_by.");
    if (at != std::string::npos) {
      std::string rest = n.substr(at + 10);              // R.H.device
      auto second = rest.find('.', rest.find('.') + 1);  // end of R.H
      rows[n.substr(0, at) + " " + rest.substr(0, second)].count += c->value();
    } else if (cy != std::string::npos) {
      rows[n.substr(0, cy) + " " + n.substr(cy + 16)].cycles += c->value();
      all += c->value();
    }
  }
  if (rows.empty()) return;
  os << strfmt("%-22s %-36s %10s %12s %8s\n", "exits", "reason.handler", "count", "cycles/exit", "share");
  for (auto& [key, r] : rows) {
    auto sp = key.find(' ');
    os << strfmt("  %-20s %-36s %10s %12s %7.1f%%\n", key.substr(0, sp).c_str(), key.substr(sp + 1).c_str(),
                 grouped(r.count).c_str(), grouped(r.count ? r.cycles / r.count : 0).c_str(),
                 all ? 100.0 * static_cast<double>(r.cycles) / static_cast<double>(all) : 0.0);
  }
}
}  // namespace

void print_summary(std::ostream& os, const Platform& platform, const HostTiming& host) {
  RunOutcome end = platform.outcome();
  double sim_s = sc_core::sc_time_stamp().to_seconds();
  os << "=== hvsim summary: " << platform.name() << " ===\n";
  os << strfmt("%-22s %s: %s (exit status %d)\n", "end", RunOutcome::name(end.kind), end.message.c_str(),
               end.exit_status);
  os << strfmt("%-22s %.6f us\n", "simulated time", sim_s * 1e6);
  uint64_t total_insns = 0;
  for (VirtualCpu* cpu : platform.cpus()) {
    uint64_t insns = cpu->instructions(), cyc = cpu->cycles(), idle = cpu->idle_cycles();
    total_insns += insns;
    const Counter* ex = counter(std::string(cpu->name()) + ".exit_cycles");
    uint64_t exit_cyc = ex ? ex->value() : 0;
    os << strfmt("%-22s %s instructions, %s cycles (%.3f cycles/instruction; exits %.1f%%, idle %.1f%%)\n",
                 cpu->name(), grouped(insns).c_str(), grouped(cyc).c_str(),
                 insns ? static_cast<double>(cyc - idle) / static_cast<double>(insns) : 0.0,
                 cyc ? 100.0 * static_cast<double>(exit_cyc) / static_cast<double>(cyc) : 0.0,
                 cyc ? 100.0 * static_cast<double>(idle) / static_cast<double>(cyc) : 0.0);
    const std::string n = cpu->name();
    if (auto* roi = counter(n + ".instructions"); roi && StatsRegistry::instance().roi_count()) {
      const Counter* rc = counter(n + ".cycles");
      os << strfmt("%-22s %s instructions, %s cycles (%u region%s marked by the guest)\n", "  region of interest",
                   grouped(roi->roi_value()).c_str(), grouped(rc ? rc->roi_value() : 0).c_str(),
                   StatsRegistry::instance().roi_count(), StatsRegistry::instance().roi_count() == 1 ? "" : "s");
    }
    auto pr = counter(n + ".port_reads"), pw = counter(n + ".port_writes"), mr = counter(n + ".mmio_reads"),
         mw = counter(n + ".mmio_writes");
    if (pr && pw && mr && mw)
      os << strfmt("%-22s %s port I/O, %s MMIO accesses\n", "  device accesses",
                   grouped(pr->value() + pw->value()).c_str(), grouped(mr->value() + mw->value()).c_str());
  }
  print_exit_table(os);
  for (unsigned v = 0;; ++v) {  // root partition: how busy forwarded exits kept each root vCPU
    const Counter* busy = counter("root.vcpu" + std::to_string(v) + ".busy_ps");
    const Counter* queued = counter("root.vcpu" + std::to_string(v) + ".queued_ps");
    if (!busy) break;
    double share = sim_s > 0 ? static_cast<double>(busy->value()) * 1e-12 / sim_s * 100.0 : 0.0;
    os << strfmt("%-22s %.1f%% busy, %s jobs, %.3f us queued\n", ("root vcpu" + std::to_string(v)).c_str(), share,
                 grouped(counter("root.vcpu" + std::to_string(v) + ".jobs")->value()).c_str(),
                 queued ? static_cast<double>(queued->value()) * 1e-6 : 0.0);
  }
  double mips = host.wall_seconds > 0 ? static_cast<double>(total_insns) / host.wall_seconds / 1e6 : 0.0;
  os << strfmt("%-22s %.3f s (%.1f guest MIPS, simulated/host time %.3g)\n", "host wall time", host.wall_seconds,
               mips, host.wall_seconds > 0 ? sim_s / host.wall_seconds : 0.0);
  if (Log::warnings()) os << strfmt("%-22s %llu (see stderr)\n", "warnings", static_cast<ull>(Log::warnings()));
}

}  // namespace hvsim
