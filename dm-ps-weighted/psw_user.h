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
#define psw_a64_set(a, n)	__atomic_store_n(&(a)->v, (u64)(n), __ATOMIC_RELAXED)
#define PSW_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#ifndef PSW_MUTANT_PLAIN_WRITES
#define PSW_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
/* tests/unit check-race: an unmarked store that ThreadSanitizer must report */
#define PSW_WRITE_ONCE(x, v)	((x) = (v))
#endif

static inline bool psw_a64_sub_floor(psw_atomic64_t *a, u64 v)
{
	u64 old = __atomic_load_n(&a->v, __ATOMIC_RELAXED), new;

	do {
		new = old >= v ? old - v : 0;
	} while (!__atomic_compare_exchange_n(&a->v, &old, new, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return old < v;
}

/*
 * The kernel's seqlock_t, as far as the core uses it: writers serialise on
 * a spin flag and make the sequence odd while they change state; readers
 * retry when the sequence was odd or moved.  Ordering comes from the
 * sequence accesses themselves (acquire/release; an acquire-release
 * read-modify-write where a fence would do: ThreadSanitizer models no
 * fences), and every data access is a relaxed atomic (PSW_READ_ONCE /
 * PSW_WRITE_ONCE), so ThreadSanitizer sees no plain access to report.
 */
typedef struct {
	unsigned int seq;
	unsigned char busy;
} psw_seqlock_t;

static inline void psw_seqlock_init(psw_seqlock_t *l)
{
	__atomic_store_n(&l->seq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->busy, 0, __ATOMIC_RELAXED);
}

static inline void psw_write_seqlock(psw_seqlock_t *l)
{
	while (__atomic_test_and_set(&l->busy, __ATOMIC_ACQUIRE))
		;
	/* odd: no data store may move above this */
	__atomic_fetch_add(&l->seq, 1, __ATOMIC_ACQ_REL);
}

static inline void psw_write_sequnlock(psw_seqlock_t *l)
{
	__atomic_fetch_add(&l->seq, 1, __ATOMIC_RELEASE);
	__atomic_clear(&l->busy, __ATOMIC_RELEASE);
}

static inline unsigned int psw_read_seqbegin(const psw_seqlock_t *l)
{
	unsigned int s;

	while ((s = __atomic_load_n(&l->seq, __ATOMIC_ACQUIRE)) & 1)
		;
	return s;
}

static inline bool psw_read_seqretry(const psw_seqlock_t *l, unsigned int s)
{
	/* no data load may move below this */
	return __atomic_fetch_add((unsigned int *)&l->seq, 0,
				  __ATOMIC_ACQ_REL) != s;
}

#define psw_unlikely(x)		__builtin_expect(!!(x), 0)

static inline u32 psw_mod_u64(u64 x, u32 d)
{
	return (u32)(x % d);
}

static inline u64 psw_div_u64(u64 x, u64 d)
{
	return x / d;
}

#define PSW_CACHELINE_ALIGNED	__attribute__((aligned(64)))

#endif /* PSW_USER_H */
