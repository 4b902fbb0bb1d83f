/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-path state shared by both selectors.
 *
 * Counters are 64-bit atomics updated without any lock: start_io adds to
 * @inflight, end_io (which may run in hard or soft IRQ context) subtracts
 * the same byte count and adds to the completion counters.  Nothing resets
 * them on fail or reinstate: I/O in flight on a failed path still completes
 * through end_io, so after I/O stops every @inflight is back to 0.
 *
 * @usable and @active are written only under dm-mpath's m->lock (fail_path,
 * reinstate_path) and read without a lock in the I/O path.  A reader that
 * races with a state change sees either the old or the new value; both are
 * valid paths, exactly as with a selector that takes its own lock but
 * returns just before fail_path gets it.
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

static inline void psw_path_end(struct psw_path *p, u64 nr_bytes)
{
	psw_a64_sub(&p->inflight, nr_bytes);
	psw_a64_add(&p->ios, 1);
	psw_a64_add(&p->bytes, nr_bytes);
}

#endif /* PSW_PATH_H */
