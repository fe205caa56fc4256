#include "console.h"

#include "io.h"

/* 16550 registers (offsets from the base), spec devices.md 9.1. */
#define UART_THR 0 /* DLAB=0 write */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1
#define UART_DLM 1 /* DLAB=1 */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void console_init(void) {
  outb(COM1_BASE + UART_IER, 0x00); /* no interrupts: the console is polled */
  outb(COM1_BASE + UART_LCR, 0x80); /* DLAB = 1 */
  outb(COM1_BASE + UART_DLL, 0x01); /* divisor 1 = 115200 baud */
  outb(COM1_BASE + UART_DLM, 0x00);
  outb(COM1_BASE + UART_LCR, 0x03); /* DLAB = 0, 8 data bits, no parity, 1 stop bit */
  outb(COM1_BASE + UART_FCR, 0xC7); /* FIFO enable, clear RX and TX FIFOs, RX trigger 14 */
  outb(COM1_BASE + UART_MCR, 0x03); /* DTR, RTS; OUT2 stays 0 (IRQ not gated onto the bus) */
}

void console_putc(char c) {
  /* Poll THRE; bounded so a broken UART model cannot hang the guest forever. */
  for (uint32_t i = 0; i < 1000000u; ++i) {
    if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE) break;
    pause();
  }
  outb(COM1_BASE + UART_THR, (uint8_t)c);
}

void console_puts(const char* s) {
  while (*s) console_putc(*s++);
}

uint64_t udivmod64_32(uint64_t n, uint32_t d, uint32_t* rem) {
  uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
  uint32_t qhi = hi / d;
  uint32_t r = hi % d;
  uint32_t qlo;
  /* (r:lo) / d with r < d: the quotient fits in 32 bits. */
  __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
  if (rem) *rem = r;
  return ((uint64_t)qhi << 32) | qlo;
}

/* Output sink: either the console or a bounded buffer. */
struct sink {
  char* buf;
  size_t size;
  size_t len; /* characters produced so far (may exceed size) */
};

static void sink_put(struct sink* s, char c) {
  if (s->buf) {
    if (s->len + 1 < s->size) s->buf[s->len] = c;
  } else {
    console_putc(c);
  }
  s->len++;
}

static void sink_pad(struct sink* s, char c, int n) {
  while (n-- > 0) sink_put(s, c);
}

/* Emits a number already rendered into digits (most significant first), with sign, width and padding. */
static void emit_number(struct sink* s, const char* digits, int ndigits, int negative, const char* prefix, int width,
                        int left, int zero) {
  int plen = 0;
  while (prefix && prefix[plen]) plen++;
  int total = ndigits + (negative ? 1 : 0) + plen;
  int pad = width > total ? width - total : 0;
  if (!left && !zero) sink_pad(s, ' ', pad);
  if (negative) sink_put(s, '-');
  for (int i = 0; i < plen; ++i) sink_put(s, prefix[i]);
  if (!left && zero) sink_pad(s, '0', pad);
  for (int i = 0; i < ndigits; ++i) sink_put(s, digits[i]);
  if (left) sink_pad(s, ' ', pad);
}

static int render_u64(char* out, uint64_t v, uint32_t base, int upper) {
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char tmp[24];
  int n = 0;
  do {
    uint32_t r;
    if (base == 16) {
      r = (uint32_t)(v & 0xF);
      v >>= 4;
    } else {
      v = udivmod64_32(v, base, &r);
    }
    tmp[n++] = set[r];
  } while (v);
  for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

static void format(struct sink* s, const char* fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      sink_put(s, *fmt);
      continue;
    }
    const char* start = fmt++;
    int left = 0, zero = 0, width = 0, lng = 0;
    for (;; ++fmt) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      lng++;
      fmt++;
    }
    char digits[24];
    int nd;
    switch (*fmt) {
      case 'd':
      case 'i': {
        int64_t v = lng >= 2 ? va_arg(ap, long long) : (int64_t)va_arg(ap, int);
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        nd = render_u64(digits, mag, 10, 0);
        emit_number(s, digits, nd, v < 0, 0, width, left, zero);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long) : (uint64_t)va_arg(ap, unsigned int);
        nd = render_u64(digits, v, *fmt == 'u' ? 10 : 16, *fmt == 'X');
        emit_number(s, digits, nd, 0, 0, width, left, zero);
        break;
      }
      case 'p': {
        uint32_t v = (uint32_t)(uintptr_t)va_arg(ap, void*);
        nd = render_u64(digits, v, 16, 0);
        char padded[8];
        for (int i = 0; i < 8; ++i) padded[i] = i < 8 - nd ? '0' : digits[i - (8 - nd)];
        emit_number(s, padded, 8, 0, "0x", width, left, 0);
        break;
      }
      case 's': {
        const char* str = va_arg(ap, const char*);
        if (!str) str = "(null)";
        int len = 0;
        while (str[len]) len++;
        if (!left) sink_pad(s, ' ', width - len);
        for (int i = 0; i < len; ++i) sink_put(s, str[i]);
        if (left) sink_pad(s, ' ', width - len);
        break;
      }
      case 'c': {
        char c = (char)va_arg(ap, int);
        if (!left) sink_pad(s, ' ', width - 1);
        sink_put(s, c);
        if (left) sink_pad(s, ' ', width - 1);
        break;
      }
      case '%':
        sink_put(s, '%');
        break;
      default: /* unknown conversion (or end of string): print it verbatim */
        for (const char* p = start; p <= fmt && *p; ++p) sink_put(s, *p);
        if (!*fmt) return;
        break;
    }
  }
}

int kvprintf(const char* fmt, va_list ap) {
  struct sink s = {0, 0, 0};
  format(&s, fmt, ap);
  return (int)s.len;
}

int kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = kvprintf(fmt, ap);
  va_end(ap);
  return n;
}

int kvsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  static char dummy;
  struct sink s = {size ? buf : &dummy, size, 0};
  format(&s, fmt, ap);
  if (size) buf[s.len < size ? s.len : size - 1] = '\0';
  return (int)s.len;
}

int ksnprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = kvsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
