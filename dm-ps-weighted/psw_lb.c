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

/* a + b, held at 2^64 - 1 instead of wrapping */
static inline u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? ~0ULL : a + b;
}

/*
 * Is @load / @w below @best_load / @best_w?  Equal weights (the default
 * weight is 1 everywhere) compare the loads directly, inline; only mixed
 * weights call the cross-multiplication.
 */
static inline bool lb_less(u64 load, u32 w, u64 best_load, u32 best_w)
{
	if (w == best_w)
		return load < best_load;
	return psw_ratio_cmp(load, w, best_load, best_w) < 0;
}

int psw_lb_select(const struct psw_path *paths, u32 n, u32 max_weight,
		  u32 start, u64 nr_bytes)
{
	const struct psw_path *p;
	u64 load, best_load = 0;
	u32 i, j, best_w = 0;
	int best = -1;

	if (!n)
		return -1;
	/* paths start % n, ..., n - 1, 0, ..., start % n - 1 */
	for (i = 0, j = start % n; i < n; i++, j = j + 1 < n ? j + 1 : 0) {
		p = &paths[j];
		if (!PSW_READ_ONCE(p->usable))
			continue;
		load = sat_add(psw_a64_read(&p->inflight), nr_bytes);
		if (best < 0 || lb_less(load, p->weight, best_load, best_w)) {
			best = (int)j;
			best_load = load;
			best_w = p->weight;
			/* idle, and no path weighs more: none can do better */
			if (load == nr_bytes && best_w == max_weight)
				break;
		}
	}
	return best;
}

int psw_lb_rescan(const struct psw_path *paths, u32 n, u32 max_weight,
		  u32 start, u64 nr_bytes, const psw_seqlock_t *state)
{
	unsigned int seq;
	int i;

	do {
		seq = psw_read_seqbegin(state);
		i = psw_lb_select(paths, n, max_weight, start, nr_bytes);
	} while (i < 0 && psw_read_seqretry(state, seq));
	return i;
}

void psw_lb_set_usable(struct psw_path *paths, u32 idx, bool usable,
		       psw_seqlock_t *state)
{
	struct psw_path *p = &paths[idx];

	if (!p->usable == !usable)
		return;
	psw_write_seqlock(state);
	PSW_WRITE_ONCE(p->usable, usable ? 1 : 0);
	psw_write_sequnlock(state);
}
