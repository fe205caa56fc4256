#include "platforms/platform.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <tuple>

#include "models/bus/address_router.h"
#include "models/bus/memory.h"
#include "models/core/log.h"

namespace hvsim {

namespace {
using ull = unsigned long long;

SourceLoc loc_of(const std::string& file, const YAML::Node& n, const std::string& key) {
  return SourceLoc{file, n.Mark().line >= 0 ? n.Mark().line + 1 : 0, key};
}

// Builds its children inside its constructor, so SystemC names them "<vm>.<component>".
class VmModule : public sc_core::sc_module {
 public:
  VmModule(const sc_core::sc_module_name& name, const std::function<void()>& build) : sc_module(name) { build(); }
};

std::string known_types() {
  std::string s;
  for (auto& [name, t] : Platform::types()) s += (s.empty() ? "" : ", ") + name;
  return s;
}
}  // namespace

std::map<std::string, Platform::Type>& Platform::types() {
  static std::map<std::string, Type> registry;
  return registry;
}

SourceLoc Platform::Component::at(const std::string& key) const {
  const YAML::Node& n = *node;
  if (!key.empty() && n[key]) return loc_of(file, n[key], full_name() + "." + key);
  return loc_of(file, n, full_name());
}

bool Platform::Component::has(const std::string& key) const { return static_cast<bool>((*node)[key]); }

std::string Platform::Component::str(const std::string& key) const {
  YAML::Node v = (*node)[key];
  if (!v) throw ConfigError(at(""), "component '" + full_name() + "' needs key '" + key + "'");
  if (!v.IsScalar()) throw ConfigError(at(key), "must be a single value");
  return v.Scalar();
}

uint64_t Platform::Component::u64(const std::string& key) const {
  std::string s = str(key);
  uint64_t v;
  if (!parse_u64(s, v)) throw ConfigError(at(key), "'" + s + "' is not an unsigned integer");
  return v;
}

uint64_t Platform::Component::u64_or(const std::string& key, uint64_t fallback) const {
  return has(key) ? u64(key) : fallback;
}

ExitHandler Platform::Component::path_or(ExitHandler fallback) const {
  if (!has("path")) return fallback;
  std::string p = str("path");
  if (p == "emulated") return ExitHandler::kRoot;
  if (p == "hypervisor") return ExitHandler::kHypervisor;
  if (p == "passthrough") return ExitHandler::kNone;
  throw ConfigError(at("path"), "path must be emulated, hypervisor or passthrough (got '" + p + "')");
}

sc_core::sc_signal<bool>& Platform::Vm::irq_line(unsigned n) {
  if (!isa_irq[n]) {
    lines.push_back(std::make_unique<sc_core::sc_signal<bool>>(sc_core::sc_gen_unique_name(("irq" + std::to_string(n)).c_str())));
    isa_irq[n] = lines.back().get();
  }
  return *isa_irq[n];
}

void Platform::apply_command_line() {
  for (auto& [k, v] : options_.overrides)
    ParamRegistry::instance().set_override(k, v, SourceLoc{"command line", 0, "-p " + k});
}

void Platform::load_profile(const std::string& name) {
  bool is_path = name.find('/') != std::string::npos || (name.size() > 5 && name.substr(name.size() - 5) == ".yaml");
  std::string file = is_path ? name : std::string(HVSIM_PROFILE_DIR) + "/" + name + ".yaml";
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw ConfigError(SourceLoc{"command line", 0, "--profile"}, "cannot open cost profile '" + file + "'");
  } catch (const YAML::Exception& e) {
    throw ConfigError(SourceLoc{file, e.mark.line >= 0 ? e.mark.line + 1 : 0, ""}, "YAML: " + e.msg);
  }
  const YAML::Node values = root["values"];
  if (!values || !values.IsMap()) throw ConfigError(SourceLoc{file, 1, "values"}, "a profile needs a 'values' map");
  for (const auto& kv : values) {
    std::string key = kv.first.Scalar();
    SourceLoc where = loc_of(file, kv.first, key);
    const YAML::Node& v = kv.second;
    if (!v.IsMap() || !v["value"] || !v["unit"] || !v["source"])
      throw ConfigError(where, "each profile value needs value, unit and source");
    ParamRegistry::instance().set_override("hv." + key, v["value"].Scalar(), where);
    profile_units_.emplace_back("hv." + key, v["unit"].Scalar());
    profile_locs_.push_back(where);
  }
}

Platform::Platform(const std::string& path, const Options& options) : file_(path), options_(options) {
  register_builtin_components();
  YAML::Node root;
  {
    std::ifstream probe(path);
    if (!probe) throw ConfigError(SourceLoc{path, 0, ""}, "cannot open platform file");
  }
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw ConfigError(SourceLoc{path, e.mark.line >= 0 ? e.mark.line + 1 : 0, ""}, "YAML: " + e.msg);
  }
  if (!root.IsMap()) throw ConfigError(SourceLoc{path, 1, ""}, "a platform file is a map of VMs");

  // Overrides first (file, then command line), so models see them when their parameters are built.
  for (const auto& it : root) {
    std::string key = it.first.Scalar();
    if (key == "platform") {
      const YAML::Node& meta = it.second;
      if (!meta.IsMap()) throw ConfigError(loc_of(path, it.first, key), "'platform' must be a map");
      for (const auto& m : meta) {
        std::string mk = m.first.Scalar();
        if (mk == "name") name_ = m.second.Scalar();
        else if (mk == "description") description_ = m.second.Scalar();
        else throw ConfigError(loc_of(path, m.first, "platform." + mk), "unknown key (known: name, description)");
      }
      continue;
    }
    if (!it.second.IsMap())
      throw ConfigError(loc_of(path, it.first, key), "a VM must be a map of components");
  }
  if (name_.empty()) name_ = path;

  if (!options_.profile.empty()) load_profile(options_.profile);
  apply_command_line();  // before the platform-wide hv.* parameters exist
  costs_ = std::make_unique<CostProfile>();
  root_ = std::make_unique<RootPartition>();
  for (size_t i = 0; i < profile_units_.size(); ++i) {
    const ParamBase* p = ParamRegistry::instance().find(profile_units_[i].first);
    if (p && p->unit() != profile_units_[i].second)
      throw ConfigError(profile_locs_[i], "unit '" + profile_units_[i].second + "' does not match parameter " +
                                              p->name() + " (" + p->unit() + ")");
  }

  for (const auto& it : root) {
    std::string key = it.first.Scalar();
    if (key != "platform") build_vm(key, it.second);
  }
  if (vms_.empty()) throw ConfigError(SourceLoc{path, 1, ""}, "the platform has no VM");
  for (auto& vm : vms_) {
    for (auto& f : vm->on_ready) f();
    wire_vm(*vm);
  }
  for (auto [files, option, type] : {std::tuple{&options_.disks, "--disk", "ata_disk"},
                                      std::tuple{&options_.pcaps, "--pcap", "NIC"}})
    for (const auto& [component, file] : *files)
      if (!used_cli_files_.count(&file))
        throw ConfigError(SourceLoc{"command line", 0, option},
                          std::string("no ") + type + " component named '" + component + "' takes '" + file + "'");
}

const std::string* Platform::cli_file(const std::map<std::string, std::string>& files, const Component& c,
                                      std::string* option_key) {
  auto it = files.find(c.name);
  if (it == files.end()) it = files.find(c.full_name());
  if (it == files.end()) return nullptr;
  used_cli_files_.insert(&it->second);
  if (option_key) *option_key = it->first;
  return &it->second;
}

void Platform::wire_vm(Vm& vm) {
  if (vm.cpus.size() != 1) throw ConfigError(SourceLoc{file_, 0, vm.name}, "a VM needs exactly one vCPU (type x86_vcpu)");
  VirtualCpu& cpu = *vm.cpus[0];
  if (vm.intr) {  // the interrupt controller: INTR line and INTA cycle
    cpu.intr.bind(*vm.intr);
    cpu.inta.bind(*vm.inta);
  }
  if (!vm.hv) {  // bare hardware: the vCPU talks to the buses directly
    cpu.mem.bind(vm.mem->target_socket);
    cpu.io.bind(vm.io->target_socket);
    return;
  }
  Hypervisor& hv = *vm.hv;
  cpu.mem.bind(hv.guest_mem);
  cpu.io.bind(hv.guest_io);
  cpu.vmm.bind(hv.vmm);
  vm.lines.push_back(std::make_unique<sc_core::sc_signal<bool>>("sint"));
  hv.sint_irq.bind(*vm.lines.back());
  cpu.sint.bind(*vm.lines.back());
  hv.io_out.bind(vm.io->target_socket);
  hv.mem_out.bind(vm.mem->target_socket);
  hv.dma.mem_out.bind(vm.mem->target_socket);
  std::string cpu_name = cpu.name();
  hv.set_vcpu(cpu.clock_hz.get(), vm.name, cpu_name.substr(cpu_name.rfind('.') + 1));
  for (auto& m : vm.mappings) {
    try {
      hv.intercepts().add(m.space, m.entry);
    } catch (const ConfigError& e) {
      throw ConfigError(SourceLoc{file_, 0, m.entry.device}, e.what());
    }
  }
  hv.add_default_intercepts();
}

Platform::~Platform() = default;

void Platform::build_vm(const std::string& vm_name, const YAML::Node& node) {
  auto vm = std::make_unique<Vm>();
  vm->name = vm_name;

  // Two passes: parameter overrides for all components, then construction (a component may look up
  // another's parameters, e.g. the vCPU needs RAM's size).
  struct Pending {
    Component c;
    const Type* type;
    YAML::Node node;
  };
  std::vector<Pending> pending;
  for (const auto& it : node) {
    std::string cname = it.first.Scalar();
    std::string full = vm_name + "." + cname;
    const YAML::Node& cn = it.second;
    if (!cn.IsMap()) throw ConfigError(loc_of(file_, it.first, full), "a component must be a map with a 'type'");
    if (!cn["type"]) throw ConfigError(loc_of(file_, it.first, full), "component has no 'type'");
    std::string type = cn["type"].Scalar();
    auto t = types().find(type);
    if (t == types().end())
      throw ConfigError(loc_of(file_, cn["type"], full + ".type"),
                        "unknown component type '" + type + "' (known: " + known_types() + ")");
    std::set<std::string> placement(t->second.placement_keys.begin(), t->second.placement_keys.end());
    for (const auto& kv : cn) {
      std::string k = kv.first.Scalar();
      if (k == "type" || k == "path" || placement.count(k)) continue;
      if (!kv.second.IsScalar())
        throw ConfigError(loc_of(file_, kv.first, full + "." + k), "a parameter value must be a single value");
      ParamRegistry::instance().set_override(full + "." + k, kv.second.Scalar(), loc_of(file_, kv.first, full + "." + k));
    }
    pending.push_back({Component{vm_name, cname, type, file_, nullptr}, &t->second, cn});
  }
  for (auto& p : pending)
    if (p.type == &types().at("x86_vcpu") && !options_.kernel.empty())
      ParamRegistry::instance().set_override(p.c.full_name() + ".kernel", options_.kernel,
                                             SourceLoc{"command line", 0, "--kernel"});
  apply_command_line();  // again after this VM's file values: the command line wins

  Vm& v = *vm;
  v.module = std::make_unique<VmModule>(vm_name.c_str(), [&] {
    v.io = std::make_unique<AddressRouter>("io");
    v.mem = std::make_unique<AddressRouter>("mem");
    for (auto& p : pending) {
      p.c.node = &p.node;
      try {
        auto obj = p.type->create(p.c, v, *this);
        if (obj) v.components.push_back(std::move(obj));
      } catch (const ConfigError& e) {
        std::string what = e.what();
        if (what.rfind(file_, 0) == 0 || what.rfind("command line", 0) == 0) throw;
        throw ConfigError(p.c.at(""), what);  // add file and line to errors raised by models
      }
      component_lines_.push_back(strfmt("  %-20s %s", p.c.full_name().c_str(), p.c.type.c_str()));
    }
  });
  vms_.push_back(std::move(vm));
}

void Platform::prepare() {
  for (auto& vm : vms_) {
    if (vm->cpus.empty()) throw ConfigError(SourceLoc{file_, 0, vm->name}, "VM has no vCPU (type x86_vcpu)");
    if (!vm->ram) throw ConfigError(SourceLoc{file_, 0, vm->name}, "VM has no RAM (type memory)");
    for (VirtualCpu* cpu : vm->cpus) cpu->prepare(vm->ram->size_bytes());
  }
  ParamRegistry::instance().check_all_consumed();
}

std::vector<VirtualCpu*> Platform::cpus() const {
  std::vector<VirtualCpu*> out;
  for (auto& vm : vms_) out.insert(out.end(), vm->cpus.begin(), vm->cpus.end());
  return out;
}

RunOutcome Platform::outcome() const {
  RunOutcome result;
  for (VirtualCpu* cpu : cpus()) {
    const RunOutcome& o = cpu->outcome();
    if (result.kind == RunOutcome::Kind::kRunning || result.kind == RunOutcome::Kind::kHalted) result = o;
  }
  return result;
}

void Platform::dump(std::ostream& os) const {
  auto dump_intercepts = [&](const Vm& vm) {
    if (!vm.hv) {
      os << "intercept map " << vm.name << ": none (no hypervisor: bare hardware)\n";
      return;
    }
    for (auto space : {InterceptMap::Space::kPort, InterceptMap::Space::kMemory, InterceptMap::Space::kMsr,
                       InterceptMap::Space::kCpuid}) {
      os << "intercept map " << vm.name << " (" << space_name(space) << "):\n";
      for (auto& e : vm.hv->intercepts().entries(space))
        os << strfmt("  0x%012llx-0x%012llx  %-10s %s%s\n", (ull)e.base, (ull)(e.base + e.size - 1),
                     exit_handler_name(e.handler), e.device.c_str(), e.eoi_register ? " (EOI register)" : "");
      auto& d = vm.hv->intercepts().default_entry(space);
      os << "  (everything else)             " << strfmt("%-10s %s\n", exit_handler_name(d.handler), d.device.c_str());
    }
  };
  os << "platform " << name_ << (description_.empty() ? "" : " - " + description_) << "\n";
  os << "components:\n";
  for (auto& l : component_lines_) os << l << "\n";
  for (auto& vm : vms_) {
    for (auto* space : {vm->io.get(), vm->mem.get()}) {
      os << "address map " << space->name() << (space == vm->io.get() ? " (port I/O)" : " (physical)") << ":\n";
      for (auto& r : space->regions())
        os << strfmt("  0x%012llx-0x%012llx  %s\n", (ull)r.base, (ull)(r.end() - 1), r.name.c_str());
      if (space->has_default_target()) os << "  (everything else)             " << space->default_target_name() << "\n";
    }
    dump_intercepts(*vm);
  }
}

}  // namespace hvsim
