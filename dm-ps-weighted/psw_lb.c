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

int psw_lb_rescan(const struct psw_path *paths, u32 n, u32 start,
		  u64 nr_bytes, const psw_seqlock_t *state)
{
	unsigned int seq;
	int i;

	do {
		seq = psw_read_seqbegin(state);
		i = psw_lb_select(paths, n, start, nr_bytes);
	} while (i < 0 && psw_read_seqretry(state, seq));
	return i;
}

void psw_lb_set_usable(struct psw_path *paths, u32 idx, bool usable,
		       u32 *nr_failed, psw_seqlock_t *state)
{
	struct psw_path *p = &paths[idx];

	if (!p->usable == !usable)
		return;
	psw_write_seqlock(state);
	PSW_WRITE_ONCE(p->usable, usable ? 1 : 0);
	PSW_WRITE_ONCE(*nr_failed, usable ? *nr_failed - 1 : *nr_failed + 1);
	psw_write_sequnlock(state);
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
 * The first usable path in [p, end) with fewer raw in-flight bytes than
 * *best_load.
 */
static inline const struct psw_path *
lb_min_usable(const struct psw_path *p, const struct psw_path *end,
	      const struct psw_path *best, u64 *best_load)
{
	u64 bl = *best_load;

	for (; p < end; p++) {
		u64 l;

		if (!PSW_READ_ONCE(p->usable))
			continue;
		l = psw_a64_read(&p->inflight);
		if (l < bl) {
			bl = l;
			best = p;
		}
	}
	*best_load = bl;
	return best;
}

/*
 * One path of lb_run(): if p[k]'s raw in-flight count is below *bl, it
 * becomes the best so far: *bl, and path *bp + *bk.  Returns whether it
 * did.  The best path is kept as a group pointer and an offset so that
 * the unrolled loop computes no address per path.
 */
static inline bool lb_lower(const struct psw_path *p, u32 k, u64 *bl,
			    const struct psw_path **bp, u32 *bk)
{
	u64 l = psw_a64_read(&p[k].inflight);

	if (__builtin_expect(l < *bl, 0)) {
		*bl = l;
		*bp = p;
		*bk = k;
		return true;
	}
	return false;
}

/*
 * Scan [p, end) (all usable), four paths per loop trip: the first path
 * with the smallest raw in-flight count below *bl becomes the best (*bl,
 * *bp + *bk).  Returns true when it finds a count of 0: nothing can be
 * lower, so the scan may stop there.
 */
static inline bool lb_run(const struct psw_path *p, const struct psw_path *end,
			  u64 *bl, const struct psw_path **bp, u32 *bk)
{
	const struct psw_path *end4 = end - ((end - p) & 3);

	for (; p != end4; p += 4) {
		if (lb_lower(p, 0, bl, bp, bk) && !*bl)
			return true;
		if (lb_lower(p, 1, bl, bp, bk) && !*bl)
			return true;
		if (lb_lower(p, 2, bl, bp, bk) && !*bl)
			return true;
		if (lb_lower(p, 3, bl, bp, bk) && !*bl)
			return true;
	}
	for (; p != end; p++)
		if (lb_lower(p, 0, bl, bp, bk) && !*bl)
			return true;
	return false;
}

/*
 * Equal weights (see psw_lb_select_uniform()), in the rotated order as two
 * straight runs, [start, n) then [0, start), with no wrap test per path:
 * the first path in that order with the smallest raw count wins, one with
 * a count of 0 at once.  Without @all_usable each path's usable flag is
 * tested.
 *
 * Saturation: sat_add(x, nr_bytes) orders like min(x, lim) with
 * lim = ~0 - nr_bytes.  If the smallest raw count is below lim, every path
 * above lim has a larger key, so the first path with the smallest raw count
 * is exactly psw_lb_select()'s choice.  Otherwise (never with real
 * in-flight totals) and when no path is usable, the general scan decides.
 */
int psw_lb_select_uniform_scan(const struct psw_path *paths, u32 n,
			       u32 start, u64 nr_bytes, bool all_usable)
{
	const struct psw_path *first, *end = paths + n, *bp;
	u64 bl;
	u32 bk = 0;

	if (!n)
		return -1;
	first = paths + start % n;
	if (!all_usable) {
		bl = ~0ULL;
		bp = lb_min_usable(first, end, NULL, &bl);
		bp = lb_min_usable(paths, first, bp, &bl);
		/* also covers !bp: bl is then still ~0 */
	} else {
		bp = first;
		bl = psw_a64_read(&first->inflight);
		if (bl && !lb_run(first + 1, end, &bl, &bp, &bk))
			lb_run(paths, first, &bl, &bp, &bk);
	}
	/* start % n == first - paths: the same choice */
	if (bl >= ~0ULL - nr_bytes)
		return psw_lb_select(paths, n, (u32)(first - paths), nr_bytes);
	return (int)(bp - paths) + (int)bk;
}
