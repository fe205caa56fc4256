#include "lib.h"

#include "hvsim.h"
#include "io.h"

void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

void* memcpy(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

uint32_t crc32_update(uint32_t crc, const void* data, size_t n) {
  const unsigned char* p = data;
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void debug_exit(uint32_t v) {
  outb(DEBUG_EXIT_PORT, (uint8_t)v);
  for (;;) { /* no debug-exit device: stop here */
    cli();
    hlt();
  }
}

int hvsim_present(void) { return inl(HVSIM_MEASURE_PORT) == HVSIM_MEASURE_SIGNATURE; }

void hvsim_mark(uint32_t v) { outl(HVSIM_MEASURE_PORT, v); }

uint32_t hvsim_exit_count(void) {
  if (!hvsim_present()) return 0xFFFFFFFFu;
  return inl(HVSIM_MEASURE_PORT + HVSIM_MEASURE_EXITS_OFFSET);
}

const char* cmdline_arg(const char* cmd, const char* key) {
  for (const char* p = cmd; p && *p;) {
    while (*p == ' ') ++p;
    const char* k = key;
    const char* q = p;
    while (*k && *q == *k) ++q, ++k;
    if (!*k && *q == '=') return q + 1;
    while (*p && *p != ' ') ++p;
  }
  return 0;
}

uint32_t cmdline_u32(const char* cmd, const char* key, uint32_t fallback) {
  const char* v = cmdline_arg(cmd, key);
  if (!v) return fallback;
  uint32_t n = 0;
  while (*v >= '0' && *v <= '9') n = n * 10u + (uint32_t)(*v++ - '0');
  return n;
}

int cmdline_word_is(const char* value, const char* word) {
  if (!value) return 0;
  while (*word)
    if (*value++ != *word++) return 0;
  return *value == 0 || *value == ' ';
}
