/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Portability layer of the policy core: the same source compiles into the
 * kernel modules and into the userspace unit tests and benchmarks.
 *
 * Only what the core needs is here: fixed-width types, error numbers and a
 * 64-bit atomic counter.  In the kernel the counter is atomic64_t; in
 * userspace it wraps the compiler's __atomic builtins.
 */
#ifndef PSW_TYPES_H
#define PSW_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/atomic.h>
#include <linux/compiler.h>

#define psw_atomic64_t atomic64_t
#define psw_a64_read(a)		((u64)atomic64_read(a))
#define psw_a64_add(a, v)	atomic64_add((s64)(v), (a))
#define psw_a64_sub(a, v)	atomic64_sub((s64)(v), (a))
#define psw_a64_set(a, v)	atomic64_set((a), (s64)(v))
#define PSW_READ_ONCE(x)	READ_ONCE(x)
#define PSW_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)
#include <asm/div64.h>

/* 64-bit remainder that also links on 32-bit kernels. */
static inline u32 psw_mod_u64(u64 x, u32 d)
{
	return do_div(x, d);
}

#include <linux/cache.h>
#define PSW_CACHELINE_ALIGNED	____cacheline_aligned_in_smp

#else
#include "psw_user.h"
#endif

#endif /* PSW_TYPES_H */
