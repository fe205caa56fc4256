/* Freestanding helpers: memory/string functions (gcc may emit calls to memset/memcpy/memmove/memcmp
 * even with -ffreestanding), debug exit and the hvsim measure port. */
#ifndef HVSIM_GUEST_LIB_H
#define HVSIM_GUEST_LIB_H

#include <stddef.h>
#include <stdint.h>

void* memset(void* dst, int c, size_t n);
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);

/* Multiboot command lines of the form "key=value key2=value2". cmdline_arg returns the value of
 * `key` (up to the next space) or NULL when the key is absent; cmdline_u32 parses a decimal value
 * (`fallback` when absent); cmdline_word_is compares a value with a word. */
const char* cmdline_arg(const char* cmd, const char* key);
uint32_t cmdline_u32(const char* cmd, const char* key, uint32_t fallback);
int cmdline_word_is(const char* value, const char* word);

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init and final xor 0xFFFFFFFF). crc32("123456789")
 * = 0xCBF43926. Pass 0 as `crc` to start; chain by passing the previous result. */
uint32_t crc32_update(uint32_t crc, const void* data, size_t n);

/* Linker-script symbols. */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];

#endif
