/* Multiboot v1 (spec 0.6.96): boot information structure as handed over in EBX. */
#ifndef HVSIM_GUEST_MULTIBOOT_H
#define HVSIM_GUEST_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_BOOTDEV (1u << 1)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_AOUT_SYMS (1u << 4)
#define MULTIBOOT_INFO_ELF_SHDR (1u << 5)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)
#define MULTIBOOT_INFO_DRIVE_INFO (1u << 7)
#define MULTIBOOT_INFO_CONFIG_TABLE (1u << 8)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)
#define MULTIBOOT_INFO_APM_TABLE (1u << 10)
#define MULTIBOOT_INFO_VBE_INFO (1u << 11)
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO (1u << 12)

struct multiboot_info {
  uint32_t flags;              /* @0 */
  uint32_t mem_lower;          /* @4  [bit 0] KiB below 640 KiB */
  uint32_t mem_upper;          /* @8  [bit 0] KiB above 1 MiB up to the first hole */
  uint32_t boot_device;        /* @12 [bit 1] */
  uint32_t cmdline;            /* @16 [bit 2] physical address of a NUL-terminated string */
  uint32_t mods_count;         /* @20 [bit 3] */
  uint32_t mods_addr;          /* @24 [bit 3] */
  uint32_t syms[4];            /* @28 [bit 4/5] */
  uint32_t mmap_length;        /* @44 [bit 6] */
  uint32_t mmap_addr;          /* @48 [bit 6] */
  uint32_t drives_length;      /* @52 [bit 7] */
  uint32_t drives_addr;        /* @56 [bit 7] */
  uint32_t config_table;       /* @60 [bit 8] */
  uint32_t boot_loader_name;   /* @64 [bit 9] */
  uint32_t apm_table;          /* @68 [bit 10] */
  uint32_t vbe_control_info;   /* @72 [bit 11] */
  uint32_t vbe_mode_info;      /* @76 */
  uint16_t vbe_mode;           /* @80 */
  uint16_t vbe_interface_seg;  /* @82 */
  uint16_t vbe_interface_off;  /* @84 */
  uint16_t vbe_interface_len;  /* @86 */
  uint64_t framebuffer_addr;   /* @88 [bit 12] */
  uint32_t framebuffer_pitch;  /* @96 */
  uint32_t framebuffer_width;  /* @100 */
  uint32_t framebuffer_height; /* @104 */
  uint8_t framebuffer_bpp;     /* @108 */
  uint8_t framebuffer_type;    /* @109 */
} __attribute__((packed));

/* Memory map entry: `size` is the size of the rest of the entry (normally 20); next = this + size + 4. */
struct multiboot_mmap_entry {
  uint32_t size;
  uint64_t addr;
  uint64_t len;
  uint32_t type; /* 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad RAM */
} __attribute__((packed));

#define MULTIBOOT_MEMORY_AVAILABLE 1u
#define MULTIBOOT_MEMORY_RESERVED 2u
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3u
#define MULTIBOOT_MEMORY_NVS 4u
#define MULTIBOOT_MEMORY_BADRAM 5u

_Static_assert(sizeof(struct multiboot_info) == 110, "multiboot_info layout");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap entry layout");

/* Memory-map walking: first entry, or 0 if the loader gave no map. */
static inline const struct multiboot_mmap_entry* multiboot_mmap_first(const struct multiboot_info* mbi) {
  if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP) || mbi->mmap_length == 0) return 0;
  return (const struct multiboot_mmap_entry*)(uintptr_t)mbi->mmap_addr;
}

/* Next entry after e, or 0 at the end (also stops on a malformed size). */
static inline const struct multiboot_mmap_entry* multiboot_mmap_next(const struct multiboot_info* mbi,
                                                                     const struct multiboot_mmap_entry* e) {
  uintptr_t end = (uintptr_t)mbi->mmap_addr + mbi->mmap_length;
  if (e->size < 20) return 0;
  uintptr_t next = (uintptr_t)e + e->size + 4;
  if (next + sizeof(struct multiboot_mmap_entry) > end) return 0;
  return (const struct multiboot_mmap_entry*)next;
}

#define multiboot_mmap_foreach(mbi, e) \
  for (const struct multiboot_mmap_entry* e = multiboot_mmap_first(mbi); e; e = multiboot_mmap_next(mbi, e))

#endif
