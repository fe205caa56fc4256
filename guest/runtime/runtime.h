/* Umbrella header of the guest runtime. Every guest provides:
 *   int kmain(uint32_t magic, const struct multiboot_info* mbi);
 * The entry code calls it with the Multiboot magic (EAX) and info pointer (EBX) on a 16 KiB stack, with
 * its own flat GDT loaded (0x08 code, 0x10 data) and interrupts off; a return value v ends the run
 * through debug_exit(v). */
#ifndef HVSIM_GUEST_RUNTIME_H
#define HVSIM_GUEST_RUNTIME_H

#include "console.h"
#include "hvsim.h"
#include "idt.h"
#include "io.h"
#include "lib.h"
#include "multiboot.h"
#include "pci.h"

int kmain(uint32_t magic, const struct multiboot_info* mbi);

#endif
