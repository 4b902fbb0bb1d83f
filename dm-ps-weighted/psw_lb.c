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

bool psw_lb_uniform(const struct psw_path *paths, u32 n)
{
	u32 i;

	for (i = 1; i < n; i++)
		if (paths[i].weight != paths[0].weight)
			return false;
	return true;
}

/*
 * The first path in [p, end) with fewer raw in-flight bytes than *best_load,
 * skipping unusable paths unless @all_usable says there are none.  The
 * all-usable loop is unrolled by four: loop control was most of the cost
 * of a path.
 */
static inline void lb_min_step(const struct psw_path *q, u64 *bl,
			       const struct psw_path **best)
{
	u64 l = psw_a64_read(&q->inflight);

	if (l < *bl) {
		*bl = l;
		*best = q;
	}
}

static inline const struct psw_path *
lb_min_raw(const struct psw_path *p, const struct psw_path *end,
	   const struct psw_path *best, u64 *best_load, bool all_usable)
{
	u64 bl = *best_load;

	if (!all_usable) {
		for (; p < end; p++)
			if (PSW_READ_ONCE(p->usable))
				lb_min_step(p, &bl, &best);
	} else {
		for (; end - p >= 4; p += 4) {
			lb_min_step(p, &bl, &best);
			lb_min_step(p + 1, &bl, &best);
			lb_min_step(p + 2, &bl, &best);
			lb_min_step(p + 3, &bl, &best);
		}
		for (; p < end; p++)
			lb_min_step(p, &bl, &best);
	}
	*best_load = bl;
	return best;
}

/*
 * Equal weights: (inflight + nr_bytes) / w orders the paths like the raw
 * in-flight counts, so there is no weight to load and nothing to add or
 * multiply.  The rotated scan is two straight runs, [start, n) then
 * [0, start), with no wrap test per path.  @all_usable (the caller knows
 * no path is failed) drops the per-path usable test; a path failing
 * during the scan may then still be chosen, exactly as when it fails just
 * after psw_lb_select() tested its flag.
 *
 * Saturation: sat_add(x, nr_bytes) orders like min(x, lim) with
 * lim = ~0 - nr_bytes.  If the smallest raw count is below lim, every path
 * above lim has a larger key, so the first path with the smallest raw count
 * is exactly psw_lb_select()'s choice.  Otherwise (never with real
 * in-flight totals) and when no path is usable, the general scan decides.
 */
int psw_lb_select_uniform(const struct psw_path *paths, u32 n, u32 start,
			  u64 nr_bytes, bool all_usable)
{
	const struct psw_path *first, *best;
	u64 best_load = ~0ULL;

	if (!n)
		return -1;
	first = paths + start % n;
	best = lb_min_raw(first, paths + n, NULL, &best_load, all_usable);
	best = lb_min_raw(paths, first, best, &best_load, all_usable);
	/* also covers !best: best_load is then still ~0 */
	if (best_load >= ~0ULL - nr_bytes)
		return psw_lb_select(paths, n, start, nr_bytes);
	return (int)(best - paths);
}
