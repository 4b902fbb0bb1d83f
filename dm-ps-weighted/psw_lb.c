// SPDX-License-Identifier: GPL-2.0-only
/*
 * least-blocks path choice (see psw_lb.h).
 */
#include "psw_lb.h"

/* Compare a * wb with b * wa in 96-bit arithmetic. */
int psw_ratio_cmp(u64 a, u32 wa, u64 b, u32 wb)
{
	u64 lo_a, hi_a, lo_b, hi_b;

	if (wa == wb)
		return a < b ? -1 : a > b;

	/* a * wb = (a_hi * 2^32 + a_lo) * wb = hi * 2^32 + lo, lo < 2^32 */
	lo_a = (a & 0xffffffffULL) * wb;
	hi_a = (a >> 32) * wb + (lo_a >> 32);
	lo_a &= 0xffffffffULL;
	lo_b = (b & 0xffffffffULL) * wa;
	hi_b = (b >> 32) * wa + (lo_b >> 32);
	lo_b &= 0xffffffffULL;

	if (hi_a != hi_b)
		return hi_a < hi_b ? -1 : 1;
	return lo_a < lo_b ? -1 : lo_a > lo_b;
}

static inline u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? ~0ULL : a + b;
}

/*
 * Is @load / @w strictly better than the best so far?  Equal weights (the
 * common case: the default weight is 1 everywhere) compare the loads
 * directly; only mixed weights need the 96-bit cross-multiplication.
 */
static inline bool lb_better(u64 load, u32 w, u64 best_load, u32 best_w)
{
	if (w == best_w)
		return load < best_load;
	return psw_ratio_cmp(load, w, best_load, best_w) < 0;
}

int psw_lb_select(const struct psw_path *paths, u32 n, u32 start,
		  u64 nr_bytes)
{
	const struct psw_path *p, *end, *best = NULL;
	u64 best_load = 0;
	u32 best_w = 1, i;

	if (!n)
		return -1;
	end = paths + n;
	p = paths + start % n;
	for (i = n; i; i--, p = (p + 1 == end) ? paths : p + 1) {
		u64 load;
		u32 w;

		if (!PSW_READ_ONCE(p->usable))
			continue;
		load = sat_add(psw_a64_read(&p->inflight), nr_bytes);
		w = p->weight;
		if (!best || lb_better(load, w, best_load, best_w)) {
			best = p;
			best_load = load;
			best_w = w;
		}
	}
	return best ? (int)(best - paths) : -1;
}
