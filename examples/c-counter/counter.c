// A stateful wasm-hotswap guest in C, built with clang --target=wasm32 (see build.sh).
//
// Its state is its own 12- or 16-byte format, little-endian:
//   "CCTR" | u32 format | i32 count | i32 calls (format 2 only)
// v1 (1.0.0) writes and reads format 1. v2 (-DCOUNTER_V2, 1.1.0) adds `calls` to the state
// and the export `calls()`, writes format 2 and reads both; a v1 reading format 2 would lose
// `calls`, so it refuses. Every buffer is static: nothing to allocate, nothing to free.
#include <stdint.h>

#ifdef COUNTER_V2
#define FORMAT 2
#ifndef VERSION
#define VERSION "1.1.0"
#endif
#else
#define FORMAT 1
#ifndef VERSION
#define VERSION "1.0.0"
#endif
#endif

// The `version` custom section: wasm-ld copies a section named `.custom_section.NAME` of an
// object file into the module as the custom section NAME. A C variable with
// __attribute__((section)) would land in a data segment instead (clang 14), so it is written
// in assembly, and `.ascii`, unlike a C string, carries no trailing NUL.
__asm__(".section .custom_section.version,\"\",@\n"
        ".ascii \"" VERSION "\"\n"
        ".text");

enum { LOAD_OK = 0, NOT_MY_STATE = 1, NEWER_FORMAT = 2 };

static uint32_t count;
#ifdef COUNTER_V2
static uint32_t call_count;
#endif

static uint8_t state[16];      // what save_state wrote
static uint32_t header[2];     // [ptr, len] of `state`, valid until the next call
static uint8_t incoming[64];   // what alloc_state hands out for load_state

static void put32(uint8_t *at, uint32_t v) { __builtin_memcpy(at, &v, 4); }
static const uint32_t MAGIC = 0x52544343; // "CCTR" read as a little-endian u32

static uint32_t get32(const uint8_t *at) {
  uint32_t v;
  __builtin_memcpy(&v, at, 4);
  return v;
}

int32_t increment(int32_t by) {
  count += (uint32_t)by;
#ifdef COUNTER_V2
  call_count++;
#endif
  return (int32_t)count;
}

int32_t get(void) { return (int32_t)count; }

#ifdef COUNTER_V2
int32_t calls(void) { return (int32_t)call_count; }
#endif

uint8_t *save_state(void) {
  put32(state, MAGIC);
  put32(state + 4, FORMAT);
  put32(state + 8, count);
  uint32_t len = 12;
#ifdef COUNTER_V2
  put32(state + 12, call_count);
  len = 16;
#endif
  header[0] = (uint32_t)(uintptr_t)state;
  header[1] = len;
  return (uint8_t *)header;
}

uint8_t *alloc_state(uint32_t len) { return len <= sizeof incoming ? incoming : 0; }

int32_t load_state(const uint8_t *at, uint32_t len) {
  if (len < 8 || get32(at) != MAGIC) return NOT_MY_STATE;
  uint32_t format = get32(at + 4);
  if (format > FORMAT) return NEWER_FORMAT;
  if (len != (format == 1 ? 12 : 16)) return NOT_MY_STATE;
  count = get32(at + 8);
#ifdef COUNTER_V2
  call_count = format == 2 ? get32(at + 12) : 0;
#endif
  return LOAD_OK;
}
