// Component types of the emulated disk path: the PIIX4 IDE function and the ATA disks on its
// channels, with their host images. Where they sit (PCI slot, legacy windows, IRQs 14/15) and which
// image backs a disk are decided here; the models never see the platform.
#include <memory>
#include <string>

#include "models/bus/pci_host_bridge.h"
#include "models/ide/ata_disk.h"
#include "models/ide/disk_image.h"
#include "models/ide/piix4_ide.h"
#include "platforms/component_helpers.h"

namespace hvsim {

namespace {
using namespace placement;

constexpr uint64_t kPrimaryCmd = 0x1F0, kPrimaryCtl = 0x3F6;    // ISA-compatible windows (devices.md 2.3)
constexpr uint64_t kSecondaryCmd = 0x170, kSecondaryCtl = 0x376;
constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;

// PIIX4 IDE = function 1 of the PIIX4 (device 1 on QEMU's pc machine, 00:01.1). Legacy mode: the
// ISA-compatible windows and IRQ 14/15; native mode: BAR0-3 and INTA, routed like any PCI function.
std::unique_ptr<sc_core::sc_module> make_piix4_ide(const Platform::Component& c, Platform::Vm& vm, Platform&) {
  auto ide = std::make_unique<Piix4Ide>(c.name.c_str());
  const bool native = ide->native_mode.get();
  const PciPlacement pl = attach_pci(c, vm, *ide, 1, 1, native ? 1 : 0);
  if (native) {
    ide->irq14.bind(new_line(vm, c.name + "_irq14_unused"));
    ide->irq15.bind(new_line(vm, c.name + "_irq15_unused"));
    return ide;
  }
  // The ISA-compatible windows take the function's path, like its BARs.
  map_port_at(c, vm, ide->primary_cmd, kPrimaryCmd, 8, pl.path, c.at(""), ".primary");
  map_port_at(c, vm, ide->primary_ctl, kPrimaryCtl, 1, pl.path, c.at(""), ".primary_ctl");
  map_port_at(c, vm, ide->secondary_cmd, kSecondaryCmd, 8, pl.path, c.at(""), ".secondary");
  map_port_at(c, vm, ide->secondary_ctl, kSecondaryCtl, 1, pl.path, c.at(""), ".secondary_ctl");
  ide->irq14.bind(vm.irq_line(kPrimaryIrq));
  ide->irq15.bind(vm.irq_line(kSecondaryIrq));
  return ide;
}

bool bool_key(const Platform::Component& c, const std::string& key) {
  if (!c.has(key)) return false;
  bool v = false;
  if (!parse_bool(c.str(key), v)) throw ConfigError(c.at(key), "'" + c.str(key) + "' is not true or false");
  return v;
}

unsigned choice_key(const Platform::Component& c, const std::string& key, const char* zero, const char* one) {
  if (!c.has(key)) return 0;
  const std::string v = c.str(key);
  if (v == zero || v == "0") return 0;
  if (v == one || v == "1") return 1;
  throw ConfigError(c.at(key), "'" + v + "' must be " + zero + " (0) or " + one + " (1)");
}

// An ATA disk on a PIIX4 IDE channel. No image (and no --disk for it) = an empty bay: no drive.
std::unique_ptr<sc_core::sc_module> make_ata_disk(const Platform::Component& c, Platform::Vm& vm, Platform& p) {
  const auto& opts = p.options();
  std::string image;
  SourceLoc where = c.at("image");
  std::string option_key;
  if (const std::string* given = p.cli_file(opts.disks, c, &option_key)) {
    image = *given;
    where = SourceLoc{"command line", 0, "--disk " + option_key};
  } else if (c.has("image")) {
    image = c.str("image");
    // A relative path in a platform file is relative to that file, as an include would be.
    if (!image.empty() && image[0] != '/') {
      const size_t slash = c.file.rfind('/');
      if (slash != std::string::npos) image = c.file.substr(0, slash + 1) + image;
    }
  }
  const unsigned channel = choice_key(c, "channel", "primary", "secondary");
  const unsigned unit = choice_key(c, "unit", "master", "slave");
  const std::string controller = c.has("controller") ? c.str("controller") : "ide";
  if (image.empty()) return nullptr;

  const std::string format = c.has("format") ? c.str("format") : "auto";
  if (format != "auto" && format != "raw" && format != "vhd")
    throw ConfigError(c.at("format"), "format '" + format + "' must be auto, raw or vhd");
  const bool snapshot = opts.snapshot || bool_key(c, "snapshot");
  const bool read_only = bool_key(c, "read_only");
  std::unique_ptr<BlockBackend> backend = open_disk_image(image, format, snapshot, read_only, where);
  auto disk = std::make_unique<AtaDisk>(c.name.c_str(), backend.get(),
                                        unit ? AtaDisk::Position::kSlave : AtaDisk::Position::kMaster);
  vm.disk_images.push_back(std::move(backend));

  Platform::Vm* v = &vm;
  AtaDisk* d = disk.get();
  const SourceLoc ctl_at = c.at(c.has("controller") ? "controller" : "");
  vm.on_ready.push_back([v, d, controller, channel, unit, ctl_at] {
    Piix4Ide* ide = nullptr;
    const std::string full = v->name + "." + controller;
    for (auto& m : v->components)
      if (full == m->name()) ide = dynamic_cast<Piix4Ide*>(m.get());
    if (!ide) throw ConfigError(ctl_at, "no piix4_ide component named '" + controller + "' in " + v->name);
    try {
      ide->attach_drive(channel, unit, *d);
    } catch (const ConfigError& e) {
      throw ConfigError(ctl_at, e.what());
    }
  });
  return disk;
}
}  // namespace

void register_ide_components(std::map<std::string, Platform::Type>& t) {
  t["piix4_ide"] = {"Intel PIIX4 IDE function 8086:7111 (placement: pci D.F, default 1.1; path, default emulated; "
                    "native_mode=true moves the channels to BAR0-3 and INTA, irq). Legacy: 0x1F0/0x3F6 IRQ 14, "
                    "0x170/0x376 IRQ 15, bus-master registers at BAR4",
                    {"pci", "irq"}, make_piix4_ide};
  t["ata_disk"] = {"ATA disk on a piix4_ide channel (placement: controller, default ide; channel primary|secondary; "
                   "unit master|slave; image (raw or fixed VHD; relative to the platform file; --disk NAME=IMAGE "
                   "overrides; none = empty bay); format auto|raw|vhd; snapshot; read_only)",
                   {"controller", "channel", "unit", "image", "format", "snapshot", "read_only"}, make_ata_disk};
}

}  // namespace hvsim
