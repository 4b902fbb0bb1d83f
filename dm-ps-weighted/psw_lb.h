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
 * Choose a path among @n paths: one lockless scan.  The scan starts at
 * index @start % n and keeps the first strictly best path, so a caller that
 * rotates @start spreads ties evenly.  It stops early at a path with
 * nothing in flight and @max_weight, the largest weight of the n paths:
 * no path can do better.  Returns the index, or -1 if it saw no usable
 * path (n = 0, or every usable flag it read was clear).
 */
int psw_lb_select(const struct psw_path *paths, u32 n, u32 max_weight,
		  u32 start, u64 nr_bytes);

/*
 * psw_lb_select() on a state that no fail or reinstate changed while it
 * was read: the answer when a lockless scan found no usable path
 * (psw_path.h).  -1 only if no path was usable at one instant of the call.
 */
int psw_lb_rescan(const struct psw_path *paths, u32 n, u32 max_weight,
		  u32 start, u64 nr_bytes, const psw_seqlock_t *state);

/*
 * The path for one I/O.  A scan that straddles fail/reinstate changes can
 * find every flag it read clear while some path was usable all along;
 * only then is @state read, and the scan repeated until it has seen a
 * state no writer changed (psw_lb_rescan()).
 */
static inline int psw_lb_choose(const struct psw_path *paths, u32 n,
				u32 max_weight, u32 start, u64 nr_bytes,
				const psw_seqlock_t *state)
{
	int i = psw_lb_select(paths, n, max_weight, start, nr_bytes);

	if (psw_unlikely(i < 0))
		i = psw_lb_rescan(paths, n, max_weight, start, nr_bytes,
				  state);
	return i;
}

/*
 * Fail (@usable false) or reinstate path @idx.  The caller serialises
 * state changes (dm-mpath's m->lock); readers need no lock.
 */
void psw_lb_set_usable(struct psw_path *paths, u32 idx, bool usable,
		       psw_seqlock_t *state);

#endif /* PSW_LB_H */
