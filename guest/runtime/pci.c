#include "pci.h"

#include "io.h"

static struct pci_function g_funcs[PCI_MAX_FUNCTIONS];
static int g_nfuncs;
static uint8_t g_next_bus; /* next free bus number for unconfigured bridges */

static uint32_t cfg_address(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off) {
  return 0x80000000u | ((uint32_t)bus << 16) | ((uint32_t)(dev & 31) << 11) | ((uint32_t)(fn & 7) << 8) |
         (off & 0xFCu);
}

uint32_t pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  return inl(PCI_CONFIG_DATA);
}

uint16_t pci_cfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_cfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  outl(PCI_CONFIG_DATA, v);
}

void pci_cfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t v) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  outw(PCI_CONFIG_DATA + (off & 2), v);
}

void pci_cfg_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint8_t v) {
  outl(PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, off));
  outb(PCI_CONFIG_DATA + (off & 3), v);
}

int pci_mechanism1_present(void) {
  uint32_t saved = inl(PCI_CONFIG_ADDRESS);
  outl(PCI_CONFIG_ADDRESS, 0x80000000u);
  uint32_t v = inl(PCI_CONFIG_ADDRESS);
  outl(PCI_CONFIG_ADDRESS, saved);
  return v == 0x80000000u;
}

const char* pci_bar_kind_name(uint8_t kind) {
  switch (kind) {
    case PCI_BAR_IO: return "io";
    case PCI_BAR_MEM32: return "mem32";
    case PCI_BAR_MEM64: return "mem64";
    default: return "none";
  }
}

/* Sizes the BARs of one function (decode disabled meanwhile, except on bridges, which may route
 * legacy ranges such as the console's). */
static void size_bars(struct pci_function* f) {
  uint8_t b = f->bus, d = f->dev, fn = f->fn;
  uint16_t cmd = pci_cfg_read16(b, d, fn, PCI_COMMAND);
  int is_bridge_class = f->class_code == 0x06;
  if (!is_bridge_class && (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
    pci_cfg_write16(b, d, fn, PCI_COMMAND, cmd & (uint16_t)~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));

  for (int i = 0; i < f->nbars; ++i) {
    struct pci_bar* bar = &f->bar[i];
    uint8_t off = (uint8_t)(PCI_BAR0 + 4 * i);
    uint32_t orig = pci_cfg_read32(b, d, fn, off);
    pci_cfg_write32(b, d, fn, off, 0xFFFFFFFFu);
    uint32_t rb = pci_cfg_read32(b, d, fn, off);
    pci_cfg_write32(b, d, fn, off, orig);
    if (rb == 0 || rb == 0xFFFFFFFFu) continue; /* not implemented */
    if (rb & 1) {
      uint32_t mask = rb & 0xFFFFFFFCu;
      if ((mask & 0xFFFFu) == 0) continue;
      mask |= 0xFFFF0000u; /* I/O BARs may implement only 16 address bits */
      bar->kind = PCI_BAR_IO;
      bar->size = (uint32_t)(~mask + 1);
      bar->addr = orig & 0xFFFFFFFCu;
    } else {
      uint32_t type = (rb >> 1) & 3;
      bar->prefetchable = (rb >> 3) & 1;
      uint64_t mask = rb & 0xFFFFFFF0u;
      uint64_t addr = orig & 0xFFFFFFF0u;
      if (type == 2 && i + 1 < f->nbars) {
        uint8_t off_hi = (uint8_t)(off + 4);
        uint32_t orig_hi = pci_cfg_read32(b, d, fn, off_hi);
        pci_cfg_write32(b, d, fn, off_hi, 0xFFFFFFFFu);
        uint32_t rb_hi = pci_cfg_read32(b, d, fn, off_hi);
        pci_cfg_write32(b, d, fn, off_hi, orig_hi);
        mask |= (uint64_t)rb_hi << 32;
        addr |= (uint64_t)orig_hi << 32;
        bar->kind = PCI_BAR_MEM64;
        f->bar[i + 1].kind = PCI_BAR_NONE; /* upper half */
      } else {
        mask |= 0xFFFFFFFF00000000ull;
        bar->kind = PCI_BAR_MEM32;
      }
      if (mask == 0xFFFFFFFF00000000ull) {
        bar->kind = PCI_BAR_NONE;
        continue;
      }
      bar->size = ~mask + 1;
      bar->addr = addr;
      if (bar->kind == PCI_BAR_MEM64) ++i; /* skip the upper half */
    }
  }
  if (!is_bridge_class) pci_cfg_write16(b, d, fn, PCI_COMMAND, cmd);
  f->command = cmd;
}

static void scan_bus(uint8_t bus, int depth);

static void probe_function(uint8_t bus, uint8_t dev, uint8_t fn, int depth) {
  uint32_t id = pci_cfg_read32(bus, dev, fn, PCI_VENDOR_ID);
  if ((id & 0xFFFF) == 0xFFFF || (id & 0xFFFF) == 0) return;
  if (g_nfuncs >= PCI_MAX_FUNCTIONS) return;
  struct pci_function* f = &g_funcs[g_nfuncs++];
  *f = (struct pci_function){0};
  f->bus = bus;
  f->dev = dev;
  f->fn = fn;
  f->vendor = (uint16_t)id;
  f->device = (uint16_t)(id >> 16);
  uint32_t cls = pci_cfg_read32(bus, dev, fn, PCI_REVISION);
  f->revision = (uint8_t)cls;
  f->prog_if = (uint8_t)(cls >> 8);
  f->subclass = (uint8_t)(cls >> 16);
  f->class_code = (uint8_t)(cls >> 24);
  f->header_type = pci_cfg_read8(bus, dev, fn, PCI_HEADER_TYPE);
  f->irq_line = pci_cfg_read8(bus, dev, fn, PCI_INTERRUPT_LINE);
  f->irq_pin = pci_cfg_read8(bus, dev, fn, PCI_INTERRUPT_PIN);
  uint8_t layout = f->header_type & 0x7F;
  f->nbars = layout == 0 ? 6 : layout == 1 ? 2 : 0;
  size_bars(f);

  if (layout == 1 && depth < 8) { /* PCI-PCI bridge */
    uint8_t secondary = pci_cfg_read8(bus, dev, fn, PCI_SECONDARY_BUS);
    if (secondary == 0 || secondary <= bus) {
      /* Unconfigured: give it the next bus number. Its I/O and memory windows are not programmed,
       * so BARs behind such a bridge are listed but not reachable. */
      secondary = g_next_bus++;
      pci_cfg_write8(bus, dev, fn, PCI_PRIMARY_BUS, bus);
      pci_cfg_write8(bus, dev, fn, PCI_SECONDARY_BUS, secondary);
      pci_cfg_write8(bus, dev, fn, PCI_SUBORDINATE_BUS, 0xFF);
      scan_bus(secondary, depth + 1);
      pci_cfg_write8(bus, dev, fn, PCI_SUBORDINATE_BUS, (uint8_t)(g_next_bus - 1));
    } else {
      if (secondary >= g_next_bus) g_next_bus = (uint8_t)(secondary + 1);
      scan_bus(secondary, depth + 1);
    }
  }
}

static void scan_bus(uint8_t bus, int depth) {
  for (uint8_t dev = 0; dev < 32; ++dev) {
    uint16_t vendor = pci_cfg_read16(bus, dev, 0, PCI_VENDOR_ID);
    if (vendor == 0xFFFF || vendor == 0) continue;
    probe_function(bus, dev, 0, depth);
    uint8_t ht = pci_cfg_read8(bus, dev, 0, PCI_HEADER_TYPE);
    if (ht & 0x80)
      for (uint8_t fn = 1; fn < 8; ++fn) probe_function(bus, dev, fn, depth);
  }
}

int pci_scan(void) {
  g_nfuncs = 0;
  g_next_bus = 1;
  scan_bus(0, 0);
  return g_nfuncs;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* First fit: the lowest address >= base, aligned to `size` (a power of two), whose range overlaps no
 * BAR of the same space that already has an address. Returns 0 if the window has no room. */
static uint64_t find_free(int io, uint64_t size, uint64_t base, uint64_t limit) {
  uint64_t a = align_up(base, size);
  for (;;) {
    if (a + size - 1 > limit || a + size < a) return 0;
    int moved = 0;
    for (int i = 0; i < g_nfuncs && !moved; ++i) {
      for (int j = 0; j < g_funcs[i].nbars; ++j) {
        const struct pci_bar* bar = &g_funcs[i].bar[j];
        if (bar->kind == PCI_BAR_NONE || bar->addr == 0 || (bar->kind == PCI_BAR_IO) != io) continue;
        if (bar->addr < a + size && a < bar->addr + bar->size) {
          a = align_up(bar->addr + bar->size, size);
          moved = 1;
          break;
        }
      }
    }
    if (!moved) return a;
  }
}

int pci_assign_bars(void) {
  int assigned = 0;
  for (int i = 0; i < g_nfuncs; ++i) {
    struct pci_function* f = &g_funcs[i];
    uint16_t want = 0;
    for (int j = 0; j < f->nbars; ++j) {
      struct pci_bar* bar = &f->bar[j];
      if (bar->kind == PCI_BAR_NONE) continue;
      int io = bar->kind == PCI_BAR_IO;
      if (bar->addr == 0) {
        uint64_t a = io ? find_free(1, bar->size, PCI_IO_WINDOW_BASE, PCI_IO_WINDOW_LIMIT)
                        : find_free(0, bar->size, PCI_MEM_WINDOW_BASE, PCI_MEM_WINDOW_LIMIT);
        if (a == 0) {
          bar->unassigned = 1;
          continue;
        }
        uint8_t off = (uint8_t)(PCI_BAR0 + 4 * j);
        uint32_t lowbits = pci_cfg_read32(f->bus, f->dev, f->fn, off) & (io ? 0x3u : 0xFu);
        pci_cfg_write32(f->bus, f->dev, f->fn, off, (uint32_t)a | lowbits);
        if (bar->kind == PCI_BAR_MEM64) pci_cfg_write32(f->bus, f->dev, f->fn, (uint8_t)(off + 4), 0);
        bar->addr = a;
        bar->assigned_by_guest = 1;
        ++assigned;
      }
      want |= io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
    }
    uint16_t cmd = pci_cfg_read16(f->bus, f->dev, f->fn, PCI_COMMAND);
    if ((cmd & want) != want) pci_cfg_write16(f->bus, f->dev, f->fn, PCI_COMMAND, (uint16_t)(cmd | want));
    f->command = pci_cfg_read16(f->bus, f->dev, f->fn, PCI_COMMAND);
  }
  return assigned;
}

int pci_function_count(void) { return g_nfuncs; }

const struct pci_function* pci_function_at(int i) { return i >= 0 && i < g_nfuncs ? &g_funcs[i] : 0; }

const struct pci_function* pci_find_device(uint16_t vendor, uint16_t device) {
  for (int i = 0; i < g_nfuncs; ++i)
    if (g_funcs[i].vendor == vendor && g_funcs[i].device == device) return &g_funcs[i];
  return 0;
}

const struct pci_function* pci_find_class(uint8_t class_code, uint8_t subclass) {
  for (int i = 0; i < g_nfuncs; ++i)
    if (g_funcs[i].class_code == class_code && g_funcs[i].subclass == subclass) return &g_funcs[i];
  return 0;
}
