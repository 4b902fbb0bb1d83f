/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * least-blocks: send each I/O to the usable path with the fewest bytes in
 * flight, scaled by the path's relative weight (capacity).
 *
 * The choice minimises (inflight + nr_bytes) / weight.  The quotients are
 * compared by cross-multiplication into 96 bits, so there is no division
 * and no overflow at any in-flight total or weight.
 */
#ifndef PSW_LB_H
#define PSW_LB_H

#include "psw_path.h"

/* Default per-path weight when the table gives no per-path argument. */
#define PSW_LB_DEFAULT_WEIGHT	1U

/*
 * Compare a / wa with b / wb for wa, wb > 0.
 * Returns <0, 0 or >0 like memcmp.
 */
int psw_ratio_cmp(u64 a, u32 wa, u64 b, u32 wb);

/*
 * Choose a path among @n (n >= 1) paths.  The scan starts at index
 * @start % n and keeps the first strictly best path, so a caller that
 * rotates @start spreads ties evenly.  Returns the index, or -1 if no path
 * is usable.
 */
int psw_lb_select(const struct psw_path *paths, u32 n, u32 start,
		  u64 nr_bytes);

/* Do all @n paths have the same weight? */
bool psw_lb_uniform(const struct psw_path *paths, u32 n);

/*
 * psw_lb_select_uniform() for more than PSW_LB_INLINE_MAX paths, for
 * n = 0, and whenever some path may be failed (psw_lb.c).
 */
int psw_lb_select_uniform_scan(const struct psw_path *paths, u32 n,
			       u32 start, u64 nr_bytes, bool all_usable);

/*
 * Up to this many paths, psw_lb_select_uniform() scans inline
 * (psw_lb_scan_small()).  Its second loop may read up to n - 1 counts
 * again; above this size the rotated scan of psw_lb_select_uniform_scan(),
 * whose fixed cost no longer matters, is cheaper in that worst case.
 */
#define PSW_LB_INLINE_MAX	16U

/*
 * One path of psw_lb_scan_small(): if p[k]'s raw in-flight count is below
 * *@bl, it becomes the best so far (*@bl, index *@best).  Returns whether
 * it did.
 */
static inline bool psw_lb_lower(const struct psw_path *paths,
				const struct psw_path *p, u32 k, u64 *bl,
				u32 *best)
{
	u64 l = psw_a64_read(&p[k].inflight);

	if (__builtin_expect(l < *bl, 0)) {
		*bl = l;
		*best = (u32)(p - paths) + k;
		return true;
	}
	return false;
}

/*
 * psw_lb_select_uniform() for 1..PSW_LB_INLINE_MAX paths, all usable: the
 * common table, scanned inline in the caller, where the fixed cost of a
 * call and of splitting the rotated order into two runs would be most of
 * the work.
 *
 * The first loop goes once over [0, n) in index order, four paths per
 * trip, and finds @best, the first path with the smallest raw count @bl;
 * it stops at a new smallest count of 0, which nothing can beat.
 * psw_lb_select() keeps the first smallest path from s = @start % n in the
 * rotated order s..n-1, 0..s-1.  If @best >= s, that is @best: every path
 * in [s, @best) has more.  If @best < s, it is the first path in [s, n)
 * whose count is also @bl, or else @best (the first smallest in [0, s),
 * which the rotated order visits last); the second loop looks for it.
 *
 * Every count is a lock-free read of an independently changing atomic, as
 * in psw_lb_select(); the second loop reads some counts again.  If one
 * changed in between, the path it picks had, when read, at most the
 * smallest count the first loop saw: still a least-loaded path of the
 * snapshot the scan took, which is all a lockless scan can promise.
 */
static inline int psw_lb_scan_small(const struct psw_path *paths, u32 n,
				    u32 start, u64 nr_bytes)
{
	const struct psw_path *p = paths, *end = paths + n;
	u32 best = 0, s;
	u64 bl = psw_a64_read(&paths->inflight);

	if (n >= 4) {
		const struct psw_path *last = end - 4;

		if ((psw_lb_lower(paths, p, 1, &bl, &best) && !bl) ||
		    (psw_lb_lower(paths, p, 2, &bl, &best) && !bl) ||
		    (psw_lb_lower(paths, p, 3, &bl, &best) && !bl))
			goto scanned;
		for (p += 4; p <= last; p += 4)
			if ((psw_lb_lower(paths, p, 0, &bl, &best) && !bl) ||
			    (psw_lb_lower(paths, p, 1, &bl, &best) && !bl) ||
			    (psw_lb_lower(paths, p, 2, &bl, &best) && !bl) ||
			    (psw_lb_lower(paths, p, 3, &bl, &best) && !bl))
				goto scanned;
	} else {
		p++;
	}
	for (; p != end; p++)
		if (psw_lb_lower(paths, p, 0, &bl, &best) && !bl)
			goto scanned;
scanned:
	s = start % n;
	if (best < s) {
		for (p = paths + s; p != end; p++)
			if (psw_a64_read(&p->inflight) <= bl) {
				best = (u32)(p - paths);
				break;
			}
	}
	/*
	 * Saturation, see psw_lb_select_uniform_scan(); the first test is
	 * false unless a count or @nr_bytes reaches 2^63.
	 */
	if (__builtin_expect((s64)(bl | nr_bytes) < 0, 0) &&
	    bl >= ~0ULL - nr_bytes)
		return psw_lb_select(paths, n, start, nr_bytes);
	return (int)best;
}

/*
 * psw_lb_select() for paths that all have the same weight (the caller
 * knows it from table construction: psw_lb_uniform()).  Same result for
 * any in-flight counts, usable flags, @start and @nr_bytes; cheaper.
 * @all_usable: the caller knows that no path is failed (the per-path
 * usable flags are then not read; a path failing during the scan may then
 * still be chosen, exactly as when it fails just after psw_lb_select()
 * tested its flag).
 *
 * Equal weights: (inflight + nr_bytes) / w orders the paths like the raw
 * in-flight counts, so there is no weight to load and nothing to add or
 * multiply.
 */
static inline int psw_lb_select_uniform(const struct psw_path *paths, u32 n,
					u32 start, u64 nr_bytes,
					bool all_usable)
{
	/* n - 1 wraps for n = 0 */
	if (all_usable && n - 1 < PSW_LB_INLINE_MAX)
		return psw_lb_scan_small(paths, n, start, nr_bytes);
	return psw_lb_select_uniform_scan(paths, n, start, nr_bytes,
					  all_usable);
}

/* The caller's choice between the two scans. */
static inline int psw_lb_pick(const struct psw_path *paths, u32 n, u32 start,
			      u64 nr_bytes, bool uniform, bool all_usable)
{
	if (uniform)
		return psw_lb_select_uniform(paths, n, start, nr_bytes,
					     all_usable);
	return psw_lb_select(paths, n, start, nr_bytes);
}

/*
 * psw_lb_select() on a state that no fail or reinstate changed while it
 * was read: the answer when a lockless scan found no usable path
 * (psw_path.h).  -1 only if no path was usable at one instant of the call.
 */
int psw_lb_rescan(const struct psw_path *paths, u32 n, u32 start,
		  u64 nr_bytes, const psw_seqlock_t *state);

/*
 * The path for one I/O.  @nr_failed counts the paths with usable == 0;
 * while it is 0 the uniform scan reads no usable flag.  Fail and reinstate
 * change flags and count through psw_lb_set_usable() under @state.
 */
static inline int psw_lb_choose(const struct psw_path *paths, u32 n,
				u32 start, u64 nr_bytes, bool uniform,
				const u32 *nr_failed,
				const psw_seqlock_t *state)
{
	int i = psw_lb_pick(paths, n, start, nr_bytes, uniform,
			    !PSW_READ_ONCE(*nr_failed));

	if (psw_unlikely(i < 0))
		i = psw_lb_rescan(paths, n, start, nr_bytes, state);
	return i;
}

/*
 * Fail (@usable false) or reinstate path @idx.  The caller serialises
 * state changes (dm-mpath's m->lock); readers need no lock.
 */
void psw_lb_set_usable(struct psw_path *paths, u32 idx, bool usable,
		       u32 *nr_failed, psw_seqlock_t *state);

#endif /* PSW_LB_H */
