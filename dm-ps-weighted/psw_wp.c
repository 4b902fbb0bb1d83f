// SPDX-License-Identifier: GPL-2.0-only
/*
 * weighted-paths: active set, smooth schedule and pick (see psw_wp.h).
 */
#include "psw_wp.h"
#include "psw_args.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

int psw_wp_parse_mode(unsigned int argc, char **argv, enum psw_wp_mode dflt,
		      enum psw_wp_mode *mode, const char **err)
{
	if (argc == 0) {
		*mode = dflt;
		return 0;
	}
	if (argc > 1) {
		*err = "too many selector arguments (expected 0 or 1: proportional|priority|rank)";
		return -EINVAL;
	}
	if (!strcmp(argv[0], "proportional")) {
		*mode = PSW_WP_PROPORTIONAL;
		return 0;
	}
	if (!strcmp(argv[0], "priority")) {
		*mode = PSW_WP_PRIORITY;
		return 0;
	}
	if (!strcmp(argv[0], "rank")) {
		*mode = PSW_WP_RANK;
		return 0;
	}
	*err = "unknown selector argument (expected proportional, priority or rank)";
	return -EINVAL;
}

u32 psw_wp_update_active(struct psw_path *paths, u32 n, enum psw_wp_mode mode)
{
	u32 tier_w = 0;		/* the weight of the best tier */
	bool any_weighted = false;
	u32 i, count = 0;

	for (i = 0; i < n; i++) {
		u32 w = paths[i].weight;

		if (!paths[i].usable || !w)
			continue;
		if (!any_weighted ||
		    (mode == PSW_WP_RANK ? w > tier_w : w < tier_w))
			tier_w = w;
		any_weighted = true;
	}

	for (i = 0; i < n; i++) {
		struct psw_path *p = &paths[i];
		bool on;

		if (!p->usable)
			on = false;
		else if (!any_weighted)
			on = p->weight == 0;		/* standby takes over */
		else if (psw_wp_tiered(mode))
			on = p->weight == tier_w;	/* the best tier */
		else
			on = p->weight > 0;
		PSW_WRITE_ONCE(p->active, on ? 1 : 0);
		count += on;
	}
	return count;
}

u32 psw_wp_sched_cap(const struct psw_path *paths, u32 n)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < n; i++)
		sum += paths[i].weight;
	if (sum < n)
		sum = n;
	/* n <= PSW_MAX_PATHS < PSW_WP_SCHED_MAX */
	return sum < PSW_WP_SCHED_MAX ? (u32)sum : PSW_WP_SCHED_MAX;
}

static u32 gcd_u32(u32 a, u32 b)
{
	while (b) {
		u32 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Scale the @m reduced weights (sum @total > PSW_WP_SCHED_MAX) to the sum
 * S = PSW_WP_SCHED_MAX - m by rounding the running sum: path i gets
 * round(S * P_i / total) - round(S * P_(i-1) / total), P_i the sum of the
 * weights up to i, so each differs from its exact share of S by less
 * than 1 and they add up to S.  A path whose step rounds to 0 gets 1
 * (never dropped; its exact share was below 1).  S * P_i < 2^20 * 2^42:
 * no overflow.  Returns the new sum, at most S + m = PSW_WP_SCHED_MAX.
 */
static u64 scale_weights(struct psw_wp_slot *slot, u32 m, u64 total)
{
	u64 s = PSW_WP_SCHED_MAX - m, prefix = 0, prev = 0, sum = 0;
	u32 i;

	for (i = 0; i < m; i++) {
		u64 cur;

		prefix += slot[i].w;
		cur = psw_div_u64(prefix * s + total / 2, total);
		slot[i].w = cur > prev ? (u32)(cur - prev) : 1;
		prev = cur;
		sum += slot[i].w;
	}
	return sum;
}

/*
 * Heap order: slot x's next point is at (2 k_x + 1) / (2 w_x); earlier
 * first, ties by path index.  Weights are at most PSW_WP_SCHED_MAX here:
 * the products stay below 2^42.
 */
static bool slot_before(const struct psw_wp_slot *x, const struct psw_wp_slot *y)
{
	u64 lx = (2ULL * x->k + 1) * y->w;
	u64 ly = (2ULL * y->k + 1) * x->w;

	if (lx != ly)
		return lx < ly;
	return x->idx < y->idx;
}

static void sift_down(struct psw_wp_slot *h, u32 len, u32 i)
{
	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;
		struct psw_wp_slot t;

		if (l < len && slot_before(&h[l], &h[m]))
			m = l;
		if (r < len && slot_before(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

s64 psw_wp_build(const struct psw_path *paths, u32 n, enum psw_wp_mode mode,
		 u16 *out, u32 cap, struct psw_wp_slot *scratch)
{
	u32 i, m = 0, g = 0, pos;
	u64 total = 0;

	for (i = 0; i < n; i++) {
		u32 w;

		if (!PSW_READ_ONCE(paths[i].active))
			continue;
		/* standby and priority tiers share equally */
		w = paths[i].weight;
		if (psw_wp_tiered(mode) || !w)
			w = 1;
		scratch[m].idx = i;
		scratch[m].w = w;
		scratch[m].k = 0;
		g = gcd_u32(g, w);
		m++;
	}
	if (!m)
		return 0;
	for (i = 0; i < m; i++) {
		scratch[i].w /= g;
		total += scratch[i].w;
	}
	if (total > PSW_WP_SCHED_MAX)
		total = scale_weights(scratch, m, total);
	if (total > cap)
		return -ENOSPC;

	for (i = m / 2; i-- > 0;)
		sift_down(scratch, m, i);
	for (pos = 0; pos < total; pos++) {
		out[pos] = (u16)scratch[0].idx;
		scratch[0].k++;
		if (scratch[0].k == scratch[0].w)
			scratch[0] = scratch[--m];	/* all points emitted */
		sift_down(scratch, m, 0);
	}
	return (s64)total;
}

int psw_wp_pick_any(const struct psw_path *paths, u32 n, u64 ticket)
{
	u32 i, j;

	if (!n)
		return -1;
	/*
	 * Stale or missing schedule: the state changed and the rebuild has
	 * not been published yet.  Any active path is correct; rotate by
	 * the ticket so the interim load still spreads.
	 */
	j = psw_mod_u64(ticket, n);
	for (i = 0; i < n; i++, j = (j + 1 == n) ? 0 : j + 1)
		if (PSW_READ_ONCE(paths[j].active))
			return (int)j;
	return -1;
}

int psw_wp_rescan(const struct psw_path *paths, u32 n, u64 ticket,
		  const psw_seqlock_t *state)
{
	unsigned int seq;
	int i;

	do {
		seq = psw_read_seqbegin(state);
		i = psw_wp_pick_any(paths, n, ticket);
	} while (i < 0 && psw_read_seqretry(state, seq));
	return i;
}

u32 psw_wp_set_usable(struct psw_path *paths, u32 n, u32 idx, bool usable,
		      enum psw_wp_mode mode, psw_seqlock_t *state)
{
	u32 count;

	/* dm-mpath calls only on a change; recompute anyway, it is cheap */
	psw_write_seqlock(state);
	PSW_WRITE_ONCE(paths[idx].usable, usable ? 1 : 0);
	count = psw_wp_update_active(paths, n, mode);
	psw_write_sequnlock(state);
	return count;
}
