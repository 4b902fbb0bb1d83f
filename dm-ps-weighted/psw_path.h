/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-path state shared by both selectors.
 *
 * Counters are 64-bit atomics updated without any lock: start_io adds to
 * @inflight, end_io (which may run in hard or soft IRQ context) subtracts
 * the same byte count and adds to the completion counters.  Nothing resets
 * them on fail or reinstate: I/O in flight on a failed path still completes
 * through end_io, so after I/O stops every @inflight is back to 0.
 * @inflight never goes below 0: dm-mpath's bio mode can call end_io twice
 * for one start_io (Documentation/dm-mpath-bio-double-end-io.rst), and a
 * plain subtraction would then wrap the count to ~2^64 and starve the
 * path until the table is reloaded.
 *
 * @usable and @active are written only between psw_write_seqlock() and
 * psw_write_sequnlock() of the selector's state lock, under dm-mpath's
 * m->lock (fail_path, reinstate_path), and read without a lock in the I/O
 * path.  One flag read alone is the old or the new value, both valid; but
 * a scan of all flags can straddle changes and find none set while some
 * path was usable all along: weighted-paths rewrites every active flag in
 * one pass (priority mode: reinstating path 1 of weight 1 clears path 0 of
 * weight 2, then sets path 1; a scan that reads path 1 before and path 0
 * after sees neither), and least-blocks can read path 1 before its
 * reinstate and path 0 after its failure.  So a scan that finds nothing
 * repeats under the state lock's sequence count until it has seen a state
 * no writer changed in between (psw_lb_rescan(), psw_wp_rescan()): a
 * selector returns no path only if, at one instant during the call, no
 * path was usable.  The common case, a scan that finds a path, reads no
 * sequence count at all.
 */
#ifndef PSW_PATH_H
#define PSW_PATH_H

#include "psw_types.h"

struct psw_path {
	psw_atomic64_t inflight;	/* bytes started and not completed */
	psw_atomic64_t ios;		/* completed I/Os */
	psw_atomic64_t bytes;		/* completed bytes */
	u32 weight;			/* per-path table argument */
	u8 usable;			/* not failed */
	u8 active;			/* weighted-paths: in the active set */
	void *owner;			/* kernel: the struct dm_path */
} PSW_CACHELINE_ALIGNED;

static inline void psw_path_init(struct psw_path *p, u32 weight, void *owner)
{
	psw_a64_set(&p->inflight, 0);
	psw_a64_set(&p->ios, 0);
	psw_a64_set(&p->bytes, 0);
	p->weight = weight;
	p->usable = 1;
	p->active = 1;
	p->owner = owner;
}

static inline void psw_path_start(struct psw_path *p, u64 nr_bytes)
{
	psw_a64_add(&p->inflight, nr_bytes);
}

/* Returns true if more bytes ended than were in flight (count held at 0). */
static inline bool psw_path_end(struct psw_path *p, u64 nr_bytes)
{
	bool floored = psw_a64_sub_floor(&p->inflight, nr_bytes);

	psw_a64_add(&p->ios, 1);
	psw_a64_add(&p->bytes, nr_bytes);
	return floored;
}

#endif /* PSW_PATH_H */
