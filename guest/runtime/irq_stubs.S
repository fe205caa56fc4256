/* External interrupt entry stubs for vectors 0x20-0x2F (ISA IRQ 0-15 through the 8259 pair). Same frame
 * as the exception stubs (struct trap_frame): a dummy error code, the vector, pushal; then
 * irq_dispatch(struct trap_frame*) and iret. DS/ES are not reloaded (an interrupt, unlike a fault,
 * never arrives with a bad data segment in these guests). */
#define IRQ_STUB(n, v) \
        .globl irq_stub_##n; irq_stub_##n: pushl $0; pushl $v; jmp irq_common

        .section .text
        .balign 16
IRQ_STUB(0, 0x20)
IRQ_STUB(1, 0x21)
IRQ_STUB(2, 0x22)
IRQ_STUB(3, 0x23)
IRQ_STUB(4, 0x24)
IRQ_STUB(5, 0x25)
IRQ_STUB(6, 0x26)
IRQ_STUB(7, 0x27)
IRQ_STUB(8, 0x28)
IRQ_STUB(9, 0x29)
IRQ_STUB(10, 0x2A)
IRQ_STUB(11, 0x2B)
IRQ_STUB(12, 0x2C)
IRQ_STUB(13, 0x2D)
IRQ_STUB(14, 0x2E)
IRQ_STUB(15, 0x2F)

irq_common:
        pushal                          /* eax ecx edx ebx esp ebp esi edi */
        cld
        pushl   %esp                    /* struct trap_frame* */
        call    irq_dispatch
        addl    $4, %esp
        popal
        addl    $8, %esp                /* vector, error code */
        iret

        .section .rodata
        .balign 4
        .globl irq_stub_table
irq_stub_table:
        .long irq_stub_0, irq_stub_1, irq_stub_2, irq_stub_3, irq_stub_4, irq_stub_5, irq_stub_6, irq_stub_7
        .long irq_stub_8, irq_stub_9, irq_stub_10, irq_stub_11, irq_stub_12, irq_stub_13, irq_stub_14, irq_stub_15

        .section .note.GNU-stack, "", @progbits
