/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * weighted-paths: administrator-assigned weights.
 *
 * Modes:
 *  - proportional (default): every active path gets I/O in proportion to
 *    its weight, smoothly interleaved.
 *  - priority (MSDSM "Weighted Paths"): a LOWER weight means a HIGHER
 *    priority; only the usable paths with the lowest weight get I/O, shared
 *    equally; failover to the next lowest weight, failback when it returns.
 *  - rank: the same with the order of multipathd's priorities, where a
 *    HIGHER number is better (rr_weight priorities writes rr_min_io_rq x
 *    priority, e.g. ALUA optimised 50 over non-optimised 10): only the
 *    usable paths with the highest weight get I/O.
 * In both modes weight 0 marks a standby path: it gets I/O only while no
 * path with a weight > 0 is usable (and then all usable standby paths share
 * equally).
 *
 * The smooth sequence is precomputed into a schedule: path i with reduced
 * weight w_i owns the points (k + 1/2) / w_i, k = 0..w_i-1, of the period
 * [0, 1); the schedule lists all W = sum(w_i) points in time order (ties by
 * path index), and the I/Os walk it cyclically.  Every period of W I/Os
 * holds path i exactly w_i times.  Any window of L consecutive I/Os holds
 * it L w_i / W times give or take at most 1 + (n - 2) w_i / W with n
 * paths: at most 1 with two paths, less than 2 with three (1.994 is the
 * worst tests/unit/test_wp.c finds).  With more paths a window can be off
 * by more than 2: the entries of many light paths whose points coincide
 * come in short runs (test_wp_burst_many_light; 9.47 is the worst in the
 * random test of up to 16 paths).
 * Weights whose reduced sum exceeds PSW_WP_SCHED_MAX are first scaled to
 * the sum S = PSW_WP_SCHED_MAX - n by rounding their running sum: the
 * schedule stays bounded whatever the weights.  Each path's count differs
 * from its exact share of S by less than one entry, except that a path
 * whose share rounds to no entry gets one (never dropped); with b such
 * paths the schedule is S + b long, and every path's share of the I/O is
 * within (1 + b) / S < n / S of its exact share: below 0.1 points at
 * 1024 paths, 0.001 at 8 (tests/unit/test_wp.c test_wp_big_weights checks
 * the bound against the weights, adversarial cases included).
 * Picking is one array load per I/O.
 */
#ifndef PSW_WP_H
#define PSW_WP_H

#include "psw_path.h"

enum psw_wp_mode {
	PSW_WP_PROPORTIONAL = 0,
	PSW_WP_PRIORITY = 1,
	PSW_WP_RANK = 2,
};

/* One tier at a time (priority, rank) rather than proportional sharing. */
static inline bool psw_wp_tiered(enum psw_wp_mode mode)
{
	return mode != PSW_WP_PROPORTIONAL;
}

/* The longest schedule: 2 MiB of u16 path indexes. */
#define PSW_WP_SCHED_MAX	1048576U

/* Scratch space for psw_wp_build(): one entry per path. */
struct psw_wp_slot {
	u32 idx;	/* path index */
	u32 w;		/* reduced weight */
	u32 k;		/* points already emitted */
};

/*
 * Parse the selector arguments: none (@dflt mode), or one word,
 * "proportional", "priority" or "rank".  Returns 0 or -EINVAL with *@err set.
 */
int psw_wp_parse_mode(unsigned int argc, char **argv, enum psw_wp_mode dflt,
		      enum psw_wp_mode *mode, const char **err);

/*
 * Recompute paths[i].active from usable/weight for @mode.
 * Returns the number of active paths (0: no usable path).  O(n).
 */
u32 psw_wp_update_active(struct psw_path *paths, u32 n, enum psw_wp_mode mode);

/*
 * The largest schedule any state of these paths can need:
 * max(sum of weights, n), at most PSW_WP_SCHED_MAX.
 */
u32 psw_wp_sched_cap(const struct psw_path *paths, u32 n);

/*
 * Build the schedule of the currently active paths into @out (@cap
 * entries), using @scratch (n entries).  Returns the length, 0 if no path
 * is active, or -ENOSPC if @cap is too small.  O(W log n).
 */
s64 psw_wp_build(const struct psw_path *paths, u32 n, enum psw_wp_mode mode,
		 u16 *out, u32 cap, struct psw_wp_slot *scratch);

/* psw_wp_pick() when the schedule entry is missing or stale (psw_wp.c). */
int psw_wp_pick_any(const struct psw_path *paths, u32 n, u64 ticket);

/*
 * Pick the path for the I/O with sequence number @ticket from a schedule
 * of @len entries (@sched may be NULL while none is built).  If the entry
 * names a path that is no longer active (the schedule is being rebuilt
 * after a state change), fall back to the next active path.  Returns the
 * index, or -1 if no path is active.  Inline: the schedule lookup is the
 * whole per-I/O cost, called once per I/O from the module's select_path.
 */
static inline int psw_wp_pick(const struct psw_path *paths, u32 n,
			      const u16 *sched, u32 len, u64 ticket)
{
	if (sched && len) {
		u32 idx = PSW_READ_ONCE(sched[psw_mod_u64(ticket, len)]);

		/* n = 0: no idx is below it */
		if (idx < n && PSW_READ_ONCE(paths[idx].active))
			return (int)idx;
	}
	return psw_wp_pick_any(paths, n, ticket);
}

/*
 * psw_wp_pick_any() on a state that no fail or reinstate changed while it
 * was read: the answer when psw_wp_pick() found no active path
 * (psw_path.h).  -1 only if no path was active at one instant of the call.
 */
int psw_wp_rescan(const struct psw_path *paths, u32 n, u64 ticket,
		  const psw_seqlock_t *state);

/*
 * Fail (@usable false) or reinstate path @idx and recompute the active set
 * under @state.  The caller serialises state changes (dm-mpath's m->lock).
 * Returns the number of active paths.
 */
u32 psw_wp_set_usable(struct psw_path *paths, u32 n, u32 idx, bool usable,
		      enum psw_wp_mode mode, psw_seqlock_t *state);

#endif /* PSW_WP_H */
