// hvsim command line: `hvsim run PLATFORM --kernel ELF ...` and `hvsim params [PLATFORM]`.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <systemc>

#include "apps/summary.h"
#include "models/core/log.h"
#include "models/core/stats.h"
#include "models/core/trace.h"
#include "platforms/platform.h"

namespace {

using namespace hvsim;

constexpr int kExitUsage = 2;  // bad command line, platform file, parameter or image

const char* kUsage =
    "usage:\n"
    "  hvsim run PLATFORM.yaml --kernel ELF [options]   boot a kernel on a platform\n"
    "  hvsim params [PLATFORM.yaml]                     list every parameter (default, unit, doc)\n"
    "run options:\n"
    "  --kernel ELF          Multiboot v1 ELF32 (or x86-64 ELF64) guest kernel\n"
    "  --profile NAME        hypervisor cost profile: profiles/NAME.yaml (modern-intel, older-intel-2012) or a path\n"
    "  --disk [NAME=]IMAGE   disk image of the ata_disk component NAME (default disk0): raw or fixed VHD\n"
    "  --snapshot            every disk writes to an in-memory overlay; image files stay untouched\n"
    "  --pcap [NAME=]FILE    capture the wire of NIC component NAME (default nic0) as pcap (ns timestamps)\n"
    "  -p NAME=VALUE         set a parameter (e.g. -p vm0.cpu0.cpi=1.5); repeatable, wins over the file\n"
    "  --stats FILE.json     hierarchical statistics with units (deterministic)\n"
    "  --stats-csv FILE.csv  the same as flat CSV\n"
    "  --trace FILE.json     Chrome trace events (open in Perfetto)\n"
    "  --dump-platform       print components and address maps before running\n"
    "  --max-time T          stop at simulated time T (e.g. 10ms, 500us; plain numbers are seconds)\n"
    "  --log-level L         debug|info|warn|error (default warn)\n"
    "exit status: the guest's isa-debug-exit value v gives (v<<1)|1 as in QEMU; 0 = halted, 2 = bad input,\n"
    "  3 = guest fault, 4 = guest hang, 124 = --max-time reached\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "hvsim: " << msg << "\n" << kUsage;
  std::exit(kExitUsage);
}

uint64_t parse_time_ps(const std::string& text) {
  static const std::pair<const char*, double> kUnits[] = {{"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
  for (auto& [suffix, scale] : kUnits) {
    size_t n = std::strlen(suffix);
    if (text.size() > n && text.compare(text.size() - n, n, suffix) == 0) {
      double v;
      if (parse_double(text.substr(0, text.size() - n), v) && v >= 0) return static_cast<uint64_t>(v * scale);
      break;
    }
  }
  double v;
  if (parse_double(text, v) && v >= 0) return static_cast<uint64_t>(v * 1e12);
  usage_error("cannot parse time '" + text + "' (examples: 10ms, 500us, 2s)");
}

struct RunArgs {
  std::string platform;
  Platform::Options options;
  std::string stats_json, stats_csv, trace;
  bool dump = false;
  uint64_t max_time_ps = 0;
};

std::string default_platform() { return std::string(HVSIM_SOURCE_DIR) + "/platforms/pc.yaml"; }

int cmd_params(int argc, char** argv) {
  std::string path = argc > 0 ? argv[0] : default_platform();
  Platform platform(path, {});
  std::cout << "parameters of " << platform.name() << " (name  type  default  [value from source]  unit  doc)\n";
  for (const ParamBase* p : ParamRegistry::instance().list()) {
    std::cout << p->name() << "  " << p->type_name() << "  " << (p->default_str().empty() ? "\"\"" : p->default_str());
    if (p->value_str() != p->default_str()) std::cout << "  [" << p->value_str() << " from " << p->source().str() << "]";
    std::cout << "  " << (p->unit().empty() ? "-" : p->unit()) << "  " << p->doc() << "\n";
  }
  std::cout << "component types:\n";
  for (auto& [name, t] : Platform::types()) std::cout << "  " << name << ": " << t.doc << "\n";
  return 0;
}

RunArgs parse_run(int argc, char** argv) {
  RunArgs a;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs " + what);
      return argv[++i];
    };
    if (arg == "--kernel") a.options.kernel = value("a file");
    else if (arg == "--profile") a.options.profile = value("a profile name");
    else if (arg == "--disk") {
      std::string d = value("[NAME=]IMAGE");
      auto eq = d.find('=');
      std::string name = eq == std::string::npos ? "disk0" : d.substr(0, eq);
      std::string image = eq == std::string::npos ? d : d.substr(eq + 1);
      if (name.empty() || image.empty()) usage_error("--disk takes [NAME=]IMAGE, got '" + d + "'");
      if (!a.options.disks.emplace(name, image).second) usage_error("--disk given twice for " + name);
    } else if (arg == "--pcap") {
      std::string d = value("[NAME=]FILE");
      auto eq = d.find('=');
      std::string name = eq == std::string::npos ? "nic0" : d.substr(0, eq);
      std::string file = eq == std::string::npos ? d : d.substr(eq + 1);
      if (name.empty() || file.empty()) usage_error("--pcap takes [NAME=]FILE, got '" + d + "'");
      if (!a.options.pcaps.emplace(name, file).second) usage_error("--pcap given twice for " + name);
    } else if (arg == "--snapshot") a.options.snapshot = true;
    else if (arg == "-p") {
      std::string kv = value("NAME=VALUE");
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) usage_error("-p takes NAME=VALUE, got '" + kv + "'");
      a.options.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (arg == "--stats") a.stats_json = value("a file");
    else if (arg == "--stats-csv") a.stats_csv = value("a file");
    else if (arg == "--trace") a.trace = value("a file");
    else if (arg == "--dump-platform") a.dump = true;
    else if (arg == "--max-time") a.max_time_ps = parse_time_ps(value("a time"));
    else if (arg == "--log-level") {
      std::string l = value("a level");
      if (l == "debug") Log::set_level(LogLevel::kDebug);
      else if (l == "info") Log::set_level(LogLevel::kInfo);
      else if (l == "warn") Log::set_level(LogLevel::kWarn);
      else if (l == "error") Log::set_level(LogLevel::kError);
      else usage_error("unknown log level '" + l + "'");
    } else if (!arg.empty() && arg[0] == '-') usage_error("unknown option " + arg);
    else if (a.platform.empty()) a.platform = arg;
    else usage_error("unexpected argument " + arg);
  }
  if (a.platform.empty()) usage_error("run needs a platform file");
  return a;
}

int cmd_run(int argc, char** argv) {
  RunArgs a = parse_run(argc, argv);
  Platform platform(a.platform, a.options);
  if (a.max_time_ps)
    for (VirtualCpu* cpu : platform.cpus())
      ParamRegistry::instance().set_override(std::string(cpu->name()) + ".max_time_ps", std::to_string(a.max_time_ps),
                                             SourceLoc{"command line", 0, "--max-time"});
  platform.prepare();
  if (!a.trace.empty()) TraceSink::instance().open(a.trace);
  if (a.dump) platform.dump(std::cout);
  std::cout.flush();

  auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::fflush(stdout);
  std::cout << "\n";
  print_summary(std::cout, platform, HostTiming{wall});
  RunOutcome end = platform.outcome();
  if (end.kind == RunOutcome::Kind::kFault || end.kind == RunOutcome::Kind::kError ||
      end.kind == RunOutcome::Kind::kHang)
    std::cerr << "hvsim: " << end.message << "\n";
  if (!a.stats_json.empty()) StatsRegistry::instance().write_json(a.stats_json);
  if (!a.stats_csv.empty()) StatsRegistry::instance().write_csv(a.stats_csv);
  TraceSink::instance().close();
  return end.exit_status;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_INSTANCE_EXISTS_, sc_core::SC_DO_NOTHING);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::cout << kUsage;
    return argc < 2 ? kExitUsage : 0;
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "run") return cmd_run(argc - 2, argv + 2);
    if (cmd == "params") return cmd_params(argc - 2, argv + 2);
    usage_error("unknown command '" + cmd + "'");
  } catch (const ConfigError& e) {
    std::cerr << "hvsim: error: " << e.what() << "\n";
    return kExitUsage;
  }
}
