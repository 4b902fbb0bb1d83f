/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace side of psw_types.h: what the kernel gives the policy core,
 * rebuilt from the C library and the compiler's atomic builtins.  Used by
 * the unit tests, fuzzers and benchmarks; never by the modules.
 */
#ifndef PSW_USER_H
#define PSW_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

typedef struct {
	u64 v;
} psw_atomic64_t;

#define psw_a64_read(a)		__atomic_load_n(&(a)->v, __ATOMIC_RELAXED)
#define psw_a64_add(a, n)	__atomic_fetch_add(&(a)->v, (u64)(n), __ATOMIC_RELAXED)
#define psw_a64_sub(a, n)	__atomic_fetch_sub(&(a)->v, (u64)(n), __ATOMIC_RELAXED)
#define psw_a64_set(a, n)	__atomic_store_n(&(a)->v, (u64)(n), __ATOMIC_RELAXED)
#define PSW_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PSW_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline u32 psw_mod_u64(u64 x, u32 d)
{
	return (u32)(x % d);
}

#define PSW_CACHELINE_ALIGNED	__attribute__((aligned(64)))

#endif /* PSW_USER_H */
