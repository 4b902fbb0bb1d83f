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
 * psw_lb_select() for paths that all have the same weight (the caller
 * knows it from table construction: psw_lb_uniform()).  Same result for
 * any in-flight counts, usable flags, @start and @nr_bytes; cheaper.
 * @all_usable: the caller knows that no path is failed (the per-path
 * usable flags are then not read).
 */
int psw_lb_select_uniform(const struct psw_path *paths, u32 n, u32 start,
			  u64 nr_bytes, bool all_usable);

/* The caller's choice between the two scans. */
static inline int psw_lb_pick(const struct psw_path *paths, u32 n, u32 start,
			      u64 nr_bytes, bool uniform, bool all_usable)
{
	if (uniform)
		return psw_lb_select_uniform(paths, n, start, nr_bytes,
					     all_usable);
	return psw_lb_select(paths, n, start, nr_bytes);
}

#endif /* PSW_LB_H */
