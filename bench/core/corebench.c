// SPDX-License-Identifier: GPL-2.0-only
/*
 * corebench POLICY NPATHS ITERS
 *
 * Per-I/O cost of the policy core, for counting with callgrind:
 * ITERS select + start + end cycles at a queue depth of 16 (each
 * iteration completes the oldest of 16 outstanding I/Os, then issues one).
 *
 *   lb   least-blocks (equal weights): psw_lb_select(), the scan the
 *        module runs for every I/O, with a rotating start
 *   wp   weighted-paths (proportional, weights 1..4): psw_wp_pick() with an
 *        incrementing ticket from a prebuilt schedule
 *   rr   baseline: round robin without any policy call, only start + end
 *        and the ring bookkeeping (the harness cost to subtract)
 *
 * Setup (allocation, schedule build) is the same for any ITERS: run two
 * ITERS values and divide the difference (bench/core/run.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psw_args.h"
#include "psw_lb.h"
#include "psw_wp.h"

#define QD	16U

struct io {
	int path;
	u64 bytes;
};

static const u64 sizes[4] = { 4096, 8192, 4096, 65536 };

static int usage(void)
{
	fprintf(stderr, "usage: corebench lb|wp|rr NPATHS ITERS\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct io ring[QD];
	struct psw_path *paths;
	u16 *sched = NULL;
	u32 n, i, len = 0;
	unsigned long long iters, it, sum = 0;
	int lb, rr = 0;

	if (argc != 4)
		return usage();
	if (!strcmp(argv[1], "lb"))
		lb = 1;
	else if (!strcmp(argv[1], "wp"))
		lb = 0;
	else if (!strcmp(argv[1], "rr"))
		lb = 0, rr = 1;
	else
		return usage();
	n = (u32)strtoul(argv[2], NULL, 0);
	iters = strtoull(argv[3], NULL, 0);
	if (!n || n > PSW_MAX_PATHS)
		return usage();

	paths = aligned_alloc(64, sizeof(*paths) * n);
	if (!paths)
		return 1;
	for (i = 0; i < n; i++)
		psw_path_init(&paths[i], lb ? PSW_LB_DEFAULT_WEIGHT : 1 + i % 4,
			      &paths[i]);

	if (!lb && !rr) {
		struct psw_wp_slot *scratch = malloc(sizeof(*scratch) * n);
		u32 cap = psw_wp_sched_cap(paths, n);
		s64 r;

		sched = malloc(sizeof(*sched) * cap);
		if (!scratch || !sched)
			return 1;
		psw_wp_update_active(paths, n, PSW_WP_PROPORTIONAL);
		r = psw_wp_build(paths, n, PSW_WP_PROPORTIONAL, sched, cap,
				 scratch);
		if (r <= 0)
			return 1;
		len = (u32)r;
		free(scratch);
	}

	memset(ring, 0, sizeof(ring));
	for (i = 0; i < QD; i++)
		ring[i].path = -1;

	for (it = 0; it < iters; it++) {
		struct io *slot = &ring[it % QD];
		u64 nr = sizes[it & 3];
		int p;

		/* complete the oldest outstanding I/O */
		if (slot->path >= 0)
			psw_path_end(&paths[slot->path], slot->bytes);

		if (rr)
			p = (int)(it % n);
		else if (lb)
			p = psw_lb_select(paths, n, PSW_LB_DEFAULT_WEIGHT,
					  (u32)it, nr);
		else
			p = psw_wp_pick(paths, n, sched, len, it);
		if (p < 0)
			return 1;
		psw_path_start(&paths[p], nr);
		slot->path = p;
		slot->bytes = nr;
	}

	/* drain, and use the result so nothing is optimised away */
	for (i = 0; i < QD; i++)
		if (ring[i].path >= 0)
			psw_path_end(&paths[ring[i].path], ring[i].bytes);
	for (i = 0; i < n; i++) {
		if (psw_a64_read(&paths[i].inflight))
			return 1;
		sum += psw_a64_read(&paths[i].ios);
	}
	printf("%s n=%u iters=%llu ios=%llu\n", argv[1], n, iters, sum);
	free(sched);
	free(paths);
	return sum == iters ? 0 : 1;
}
