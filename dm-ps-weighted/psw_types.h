/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Portability layer of the policy core: the same source compiles into the
 * kernel modules and into the userspace unit tests and benchmarks.
 *
 * Only what the core needs is here: fixed-width types, error numbers, a
 * 64-bit atomic counter and a sequence lock.  In the kernel they are
 * atomic64_t and seqlock_t; in userspace they wrap the compiler's __atomic
 * builtins (psw_user.h).
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
#define psw_a64_set(a, v)	atomic64_set((a), (s64)(v))

/*
 * Subtract @v from *@a, stopping at 0: a count of bytes in flight never
 * goes below zero or wraps, whatever the caller's pairing of start and end.
 * Returns true when it had to stop at 0 (more was ended than started).
 */
static inline bool psw_a64_sub_floor(atomic64_t *a, u64 v)
{
	s64 old = atomic64_read(a), new;

	do {
		new = (u64)old >= v ? old - (s64)v : 0;
	} while (!atomic64_try_cmpxchg(a, &old, new));
	return (u64)old < v;
}

#define PSW_READ_ONCE(x)	READ_ONCE(x)
#define PSW_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)
#include <asm/div64.h>

/* 64-bit remainder that also links on 32-bit kernels. */
static inline u32 psw_mod_u64(u64 x, u32 d)
{
	return do_div(x, d);
}

#include <linux/math64.h>
/* 64-bit quotient that also links on 32-bit kernels. */
#define psw_div_u64(x, d)	div64_u64(x, d)

#include <linux/cache.h>
#define PSW_CACHELINE_ALIGNED	____cacheline_aligned_in_smp

#include <linux/seqlock.h>
#define psw_seqlock_t		seqlock_t
#define psw_seqlock_init(l)	seqlock_init(l)
#define psw_write_seqlock(l)	write_seqlock(l)
#define psw_write_sequnlock(l)	write_sequnlock(l)
#define psw_read_seqbegin(l)	read_seqbegin(l)
#define psw_read_seqretry(l, s)	read_seqretry(l, s)
#define psw_unlikely(x)		unlikely(x)

#else
#include "psw_user.h"
#endif

#endif /* PSW_TYPES_H */
