/* Console on the COM1 16550 (0x3F8, 115200 8N1, FIFOs on, polled) and a small printf.
 * Formats: %d %i %u %x %X %p %s %c %% with flags '-' (left-justify) and '0' (zero pad), a width, and
 * the length modifiers l (32-bit, accepted and ignored) and ll (64-bit: %lld %lli %llu %llx %llX).
 * %p prints 0x followed by 8 hex digits. Output '\n' is sent as a bare LF. */
#ifndef HVSIM_GUEST_CONSOLE_H
#define HVSIM_GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define COM1_BASE 0x3F8

void console_init(void);
void console_putc(char c);
void console_puts(const char* s); /* no newline appended */

int kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char* fmt, va_list ap);
/* Always NUL-terminates (if size > 0); returns the length the full output would have. */
int ksnprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char* buf, size_t size, const char* fmt, va_list ap);

/* 64-bit by 32-bit unsigned division without libgcc: returns n / d and stores n % d in *rem. */
uint64_t udivmod64_32(uint64_t n, uint32_t d, uint32_t* rem);

#endif
