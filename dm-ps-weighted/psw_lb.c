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

int psw_lb_select(const struct psw_path *paths, u32 n, u32 start,
		  u64 nr_bytes)
{
	u64 best_load = 0;
	u32 best_w = 1;
	int best = -1;
	u32 i, j;

	if (!n)
		return -1;
	j = start % n;
	for (i = 0; i < n; i++, j = (j + 1 == n) ? 0 : j + 1) {
		const struct psw_path *p = &paths[j];
		u64 load;

		if (!PSW_READ_ONCE(p->usable))
			continue;
		load = sat_add(psw_a64_read(&p->inflight), nr_bytes);
		if (best < 0 ||
		    psw_ratio_cmp(load, p->weight, best_load, best_w) < 0) {
			best = (int)j;
			best_load = load;
			best_w = p->weight;
		}
	}
	return best;
}
