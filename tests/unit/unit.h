/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the policy-core unit tests.
 */
#ifndef PSW_UNIT_H
#define PSW_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "psw_types.h"
#include "psw_args.h"
#include "psw_path.h"
#include "psw_lb.h"
#include "psw_wp.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Deterministic PRNG (splitmix64).  The seed is fixed so a failure
 * reproduces; PSW_SEED=<n> in the environment explores other seeds.
 */
static u64 unit_rng_state;

static inline void unit_seed(u64 dflt)
{
	const char *s = getenv("PSW_SEED");

	unit_rng_state = s ? strtoull(s, NULL, 0) : dflt;
}

static inline u64 unit_rand64(void)
{
	u64 z = (unit_rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (hi - lo small compared to 2^64). */
static inline u32 unit_range(u32 lo, u32 hi)
{
	return lo + (u32)(unit_rand64() % ((u64)hi - lo + 1));
}

/* Allocate n cacheline-aligned paths with the given weights. */
static inline struct psw_path *unit_paths(u32 n, const u32 *w)
{
	struct psw_path *p = aligned_alloc(64, sizeof(*p) * (n ? n : 1));
	u32 i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		psw_path_init(&p[i], w ? w[i] : 1, &p[i]);
	return p;
}

#endif /* PSW_UNIT_H */
