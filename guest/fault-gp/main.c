/* fault-gp: takes a #GP on purpose by loading DS with selector 0x18, just past the runtime's GDT
 * (limit 0x17). Expected #GP error code: 0x18 (the selector). Under hvsim the simulator reports the
 * fault (vector 13, RIP = the printed instruction address). Under QEMU the guest's own IDT handler
 * prints it and ends with debug_exit(2) (status 5). If the load does not fault: debug_exit(3). */
#include "runtime.h"

#define FAULT_SELECTOR 0x18

extern char fault_gp_insn[];

static void on_trap(const struct trap_frame* f) {
  kprintf("fault-gp: caught exception vector=%u (%s) error=0x%x eip=0x%08x\n", f->vector, exception_name(f->vector),
          f->error_code, f->eip);
  debug_exit(GUEST_EXIT_FAULT_CAUGHT);
}

int kmain(uint32_t magic, const struct multiboot_info* mbi) {
  (void)mbi;
  console_init();
  kprintf("fault-gp: hvsim guest runtime: fault-gp\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("fault-gp: multiboot magic MISMATCH: 0x%08x\n", magic);
    return GUEST_EXIT_FAIL;
  }
  idt_install_exceptions(on_trap);
  struct {
    uint16_t limit;
    uint32_t base;
  } __attribute__((packed)) gdtr;
  __asm__ volatile("sgdt %0" : "=m"(gdtr));
  kprintf("fault-gp: gdt limit=0x%x, loading DS with selector 0x%x\n", gdtr.limit, FAULT_SELECTOR);
  kprintf("fault-gp: faulting instruction at 0x%08x\n", (uint32_t)(uintptr_t)fault_gp_insn);
  kprintf("fault-gp: about to fault\n");
  __asm__ volatile(
      "movl   %[sel], %%eax\n\t"
      ".globl fault_gp_insn\n"
      "fault_gp_insn:\n\t"
      "movw   %%ax, %%ds\n\t"
      "movw   %%ss, %%ax\n\t" /* only reached if the fault is not taken: restore a valid DS */
      "movw   %%ax, %%ds\n\t"
      :
      : [sel] "i"(FAULT_SELECTOR)
      : "eax", "memory");
  kprintf("fault-gp: fault NOT taken\n");
  debug_exit(GUEST_EXIT_NO_FAULT);
}
