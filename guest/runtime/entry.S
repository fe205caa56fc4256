/* Multiboot v1 header and kernel entry (i386, protected mode, paging off, interrupts off). */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000002 /* bit 1: provide memory info (no modules, no video mode, no a.out kludge) */

#define GDT_CODE 0x08
#define GDT_DATA 0x10

        .section .multiboot, "a"
        .balign 4
        .globl multiboot_header
multiboot_header:
        .long MB_HEADER_MAGIC
        .long MB_FLAGS
        .long -(MB_HEADER_MAGIC + MB_FLAGS)

        .section .text.entry, "ax"
        .globl _start
        .type _start, @function
_start:
        cli
        cld
        movl    %eax, %edx              /* keep the boot magic; EBX (info pointer) is left alone */

        /* Zero .bss (the loader should have done it; doing it again is cheap). The linker script
         * aligns both ends to 16 bytes. */
        movl    $__bss_start, %edi
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl

        /* Our own flat GDT: 0x08 = 32-bit code, 0x10 = 32-bit data, limit 0x17. */
        lgdt    gdt_descriptor
        ljmp    $GDT_CODE, $1f
1:      movw    $GDT_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        movw    %ax, %ss
        movl    $boot_stack_top, %esp
        xorl    %ebp, %ebp

        pushl   %ebx                    /* kmain(magic, info) */
        pushl   %edx
        call    kmain
        pushl   %eax                    /* kmain returned: debug-exit with its value */
        call    debug_exit
2:      cli
        hlt
        jmp     2b
        .size _start, . - _start

        .section .data
        .balign 8
        .globl gdt
gdt:
        .quad 0x0000000000000000        /* null */
        .quad 0x00CF9B000000FFFF        /* 0x08: code (accessed bit preset), base 0, limit 4 GiB, 32-bit, DPL 0 */
        .quad 0x00CF93000000FFFF        /* 0x10: data (accessed bit preset), base 0, limit 4 GiB, 32-bit, DPL 0 */
gdt_end:
        .balign 4
        .word 0
gdt_descriptor:
        .word gdt_end - gdt - 1         /* limit = 0x17 */
        .long gdt

        .section .bss
        .balign 16
boot_stack:
        .skip 16384
        .globl boot_stack_top
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
