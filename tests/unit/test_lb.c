// SPDX-License-Identifier: GPL-2.0-only
/*
 * least-blocks: psw_ratio_cmp() and lb_select().
 */
#include "unit.h"

typedef unsigned __int128 u128;

static int ref_cmp(u64 a, u32 wa, u64 b, u32 wb)
{
	u128 l = (u128)a * wb, r = (u128)b * wa;

	return l < r ? -1 : l > r;
}

/* psw_lb_select() with the table's largest weight, as the module calls it */
static int lb_select(const struct psw_path *p, u32 n, u32 start, u64 nr)
{
	u32 i, max_w = 0;

	for (i = 0; i < n; i++)
		if (p[i].weight > max_w)
			max_w = p[i].weight;
	return psw_lb_select(p, n, max_w, start, nr);
}

static int sgn(int x)
{
	return (x > 0) - (x < 0);
}

static void check_cmp(u64 a, u32 wa, u64 b, u32 wb)
{
	int got = sgn(psw_ratio_cmp(a, wa, b, wb));
	int want = ref_cmp(a, wa, b, wb);

	if (got != want)
		fail_msg("cmp(%llu/%u, %llu/%u) = %d, want %d",
			 (unsigned long long)a, wa, (unsigned long long)b, wb,
			 got, want);
	/* antisymmetry */
	got = sgn(psw_ratio_cmp(b, wb, a, wa));
	if (got != -want)
		fail_msg("cmp(%llu/%u, %llu/%u) = %d, want %d",
			 (unsigned long long)b, wb, (unsigned long long)a, wa,
			 got, -want);
}

static void test_ratio_equal_weights(void **state)
{
	static const u32 ws[] = { 1, 2, 1000, UINT32_MAX };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ws); i++) {
		assert_int_equal(psw_ratio_cmp(5, ws[i], 5, ws[i]), 0);
		assert_true(psw_ratio_cmp(4, ws[i], 5, ws[i]) < 0);
		assert_true(psw_ratio_cmp(6, ws[i], 5, ws[i]) > 0);
		assert_int_equal(psw_ratio_cmp(0, ws[i], 0, ws[i]), 0);
		assert_true(psw_ratio_cmp(UINT64_MAX, ws[i],
					  UINT64_MAX - 1, ws[i]) > 0);
		assert_int_equal(psw_ratio_cmp(UINT64_MAX, ws[i],
					       UINT64_MAX, ws[i]), 0);
	}
}

static void test_ratio_basic(void **state)
{
	(void)state;
	assert_int_equal(psw_ratio_cmp(2000, 2, 1000, 1), 0);	/* 2:1 tie */
	assert_true(psw_ratio_cmp(1999, 2, 1000, 1) < 0);
	assert_true(psw_ratio_cmp(2001, 2, 1000, 1) > 0);
	assert_true(psw_ratio_cmp(0, 1, 1, 1000) < 0);
	assert_int_equal(psw_ratio_cmp(0, 1, 0, 1000), 0);
	assert_true(psw_ratio_cmp(999, 1000, 1, 1) < 0);
	assert_int_equal(psw_ratio_cmp(1000, 1000, 1, 1), 0);
}

static void test_ratio_extremes(void **state)
{
	static const u64 vals[] = {
		0, 1, 2, 999, 1000, 1001, 0xffffffffULL, 0x100000000ULL,
		0x100000001ULL, 0xfffffffffffULL, 1ULL << 63, (1ULL << 63) - 1,
		(1ULL << 63) + 1, UINT64_MAX - 1000, UINT64_MAX - 999,
		UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX,
		UINT64_MAX / 1000, UINT64_MAX / 1000 + 1,
		UINT64_MAX / 0xffffffffULL, UINT64_MAX / 0xffffffffULL + 1,
		0xffffffff00000000ULL, 0xfffffffeffffffffULL,
		0x00000000ffffffffULL * 1000,
	};
	static const u32 ws[] = {
		1, 2, 3, 999, 1000, 1001, 0x7fffffffU, 0x80000000U,
		UINT32_MAX - 1, UINT32_MAX,
	};
	unsigned int ia, ib, iwa, iwb;

	(void)state;
	for (ia = 0; ia < ARRAY_SIZE(vals); ia++)
		for (ib = 0; ib < ARRAY_SIZE(vals); ib++)
			for (iwa = 0; iwa < ARRAY_SIZE(ws); iwa++)
				for (iwb = 0; iwb < ARRAY_SIZE(ws); iwb++)
					check_cmp(vals[ia], ws[iwa],
						  vals[ib], ws[iwb]);

	/* named cases from the spec: near 2^64-1 with 1, 1000, 2^32-1 */
	assert_true(psw_ratio_cmp(UINT64_MAX, 1000, UINT64_MAX, 1) < 0);
	assert_true(psw_ratio_cmp(UINT64_MAX, UINT32_MAX, UINT64_MAX, 1000) < 0);
	assert_true(psw_ratio_cmp(UINT64_MAX, 1, UINT64_MAX / 1000, 1) > 0);
	/* exact tie only visible in > 64 bits: (2^64-1)*1000 vs x*1 */
	assert_int_equal(psw_ratio_cmp(UINT64_MAX, UINT32_MAX,
				       UINT64_MAX, UINT32_MAX), 0);
	/* (2^32-1) * (2^32+1) = 2^64-1: equal ratios across weights */
	assert_int_equal(psw_ratio_cmp(UINT64_MAX, 0xffffffffU,
				       0x100000001ULL, 1), 0);
	assert_true(psw_ratio_cmp(UINT64_MAX, 0xffffffffU,
				  0x100000000ULL, 1) > 0);
	assert_true(psw_ratio_cmp(UINT64_MAX - 1, 0xffffffffU,
				  0x100000001ULL, 1) < 0);
}

static void test_ratio_random(void **state)
{
	unsigned int i;

	(void)state;
	unit_seed(0x5eed);
	for (i = 0; i < 100000; i++) {
		u64 a, b;
		u32 wa, wb;

		switch (i % 5) {
		case 0:		/* anything */
			a = unit_rand64();
			b = unit_rand64();
			wa = (u32)unit_rand64() | 1;
			wb = (u32)unit_rand64() | 1;
			break;
		case 1:		/* realistic weights, huge loads */
			a = unit_rand64();
			b = unit_rand64();
			wa = unit_range(1, 1000);
			wb = unit_range(1, 1000);
			break;
		case 2:		/* near ties: b ~= a * wb / wa */
			wa = unit_range(1, 1000);
			wb = unit_range(1, 1000);
			a = unit_rand64() >> unit_range(10, 40);
			b = (u64)((u128)a * wb / wa) + unit_range(0, 2) - 1;
			break;
		case 3:		/* exact ties scaled up */
			wa = (u32)unit_rand64() | 1;
			wb = (u32)unit_rand64() | 1;
			a = (u64)wa * unit_range(0, UINT32_MAX);
			b = (u64)wb * (a / wa);
			break;
		default:	/* top of the range */
			a = UINT64_MAX - unit_range(0, 1U << 20);
			b = UINT64_MAX - unit_range(0, 1U << 20);
			wa = UINT32_MAX - unit_range(0, 3);
			wb = unit_range(0, 1) ? wa : UINT32_MAX - unit_range(0, 3);
			break;
		}
		check_cmp(a, wa, b, wb);
	}
}

/* ---- psw_lb_select ---- */

static void set_inflight(struct psw_path *p, u64 v)
{
	psw_a64_set(&p->inflight, v);
}

static void test_lb_fewest_bytes(void **state)
{
	struct psw_path *p = unit_paths(4, NULL);
	u32 s;

	(void)state;
	set_inflight(&p[0], 8192);
	set_inflight(&p[1], 4096);
	set_inflight(&p[2], 512);
	set_inflight(&p[3], 65536);
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), 2);
	set_inflight(&p[2], 4097);
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), 1);
	free(p);
}

static void test_lb_single_and_empty(void **state)
{
	struct psw_path *p = unit_paths(1, NULL);

	(void)state;
	assert_int_equal(lb_select(p, 0, 0, 4096), -1);
	assert_int_equal(lb_select(p, 1, 0, 4096), 0);
	assert_int_equal(lb_select(p, 1, UINT32_MAX, 0), 0);
	set_inflight(&p[0], UINT64_MAX);
	assert_int_equal(lb_select(p, 1, 7, UINT64_MAX), 0);
	free(p);
}

static void test_lb_weights_scale(void **state)
{
	static const u32 w[] = { 2, 1 };
	struct psw_path *p = unit_paths(2, w);

	(void)state;
	/* 2:1 weights with 2:1 in flight: a tie, the scan start decides */
	set_inflight(&p[0], 2000);
	set_inflight(&p[1], 1000);
	assert_int_equal(lb_select(p, 2, 0, 0), 0);
	assert_int_equal(lb_select(p, 2, 1, 0), 1);
	assert_int_equal(lb_select(p, 2, 2, 0), 0);
	assert_int_equal(lb_select(p, 2, 3, 0), 1);
	/* a bit more on the heavy path breaks the tie */
	set_inflight(&p[0], 2001);
	assert_int_equal(lb_select(p, 2, 0, 0), 1);
	set_inflight(&p[0], 1999);
	assert_int_equal(lb_select(p, 2, 1, 0), 0);
	/* twice the capacity takes twice the bytes before losing */
	set_inflight(&p[0], 0);
	set_inflight(&p[1], 0);
	{
		u32 picks[2] = { 0, 0 }, k;

		for (k = 0; k < 300; k++) {
			int i = lb_select(p, 2, k, 4096);

			assert_true(i == 0 || i == 1);
			psw_path_start(&p[i], 4096);
			picks[i]++;
		}
		assert_int_equal(picks[0], 200);
		assert_int_equal(picks[1], 100);
	}
	free(p);
}

static void test_lb_nr_bytes_matters(void **state)
{
	static const u32 w[] = { 1, 4 };
	struct psw_path *p = unit_paths(2, w);

	(void)state;
	set_inflight(&p[0], 0);
	set_inflight(&p[1], 1000);
	/* small I/O: 0/1 < 1000/4 */
	assert_int_equal(lb_select(p, 2, 0, 0), 0);
	assert_int_equal(lb_select(p, 2, 1, 100), 0);
	/* large I/O: 1M/1 > (1M + 1000)/4 */
	assert_int_equal(lb_select(p, 2, 0, 1 << 20), 1);
	/* boundary: x/1 vs (1000 + x)/4 -> tie at x = 1000/3 ~ 333.3 */
	assert_int_equal(lb_select(p, 2, 0, 333), 0);
	assert_int_equal(lb_select(p, 2, 0, 334), 1);
	free(p);
}

static void test_lb_unusable_skipped(void **state)
{
	struct psw_path *p = unit_paths(4, NULL);
	u32 s;

	(void)state;
	set_inflight(&p[0], 100);
	set_inflight(&p[1], 0);		/* best but failed */
	set_inflight(&p[2], 50);
	set_inflight(&p[3], 200);
	p[1].usable = 0;
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), 2);
	p[2].usable = 0;
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), 0);
	p[0].usable = 0;
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), 3);
	p[3].usable = 0;
	for (s = 0; s < 8; s++)
		assert_int_equal(lb_select(p, 4, s, 4096), -1);
	/* reinstate: back in the game */
	p[1].usable = 1;
	assert_int_equal(lb_select(p, 4, 3, 4096), 1);
	free(p);
}

static void test_lb_tie_spreading(void **state)
{
	static const u32 ns[] = { 1, 2, 3, 7, 8, 64, 1024 };
	unsigned int t;

	(void)state;
	for (t = 0; t < ARRAY_SIZE(ns); t++) {
		u32 n = ns[t], s;
		struct psw_path *p = unit_paths(n, NULL);
		u32 *hits = calloc(n, sizeof(*hits));

		assert_non_null(hits);
		for (s = 0; s < n; s++)
			set_inflight(&p[s], 12345);
		/* any n consecutive start values, not only 0..n-1 */
		for (s = 0; s < n; s++) {
			u32 start = 1000003U * 7 + s;
			int i = lb_select(p, n, start, 4096);

			assert_in_range(i, 0, n - 1);
			assert_int_equal((u32)i, start % n);
			hits[i]++;
		}
		for (s = 0; s < n; s++)
			assert_int_equal(hits[s], 1);
		memset(hits, 0, n * sizeof(*hits));
		for (s = 0; s < n; s++)
			hits[lb_select(p, n, s, 4096)]++;
		for (s = 0; s < n; s++)
			assert_int_equal(hits[s], 1);
		free(hits);
		free(p);
	}
}

static void test_lb_tie_spreading_weighted(void **state)
{
	/* equal loads per weight: every path is best once per rotation */
	static const u32 w[] = { 1, 2, 4, 1000 };
	struct psw_path *p = unit_paths(4, w);
	u32 hits[4] = { 0 }, s, i;

	(void)state;
	for (i = 0; i < 4; i++)
		set_inflight(&p[i], 1000ULL * w[i]);
	for (s = 0; s < 4; s++)
		hits[lb_select(p, 4, s, 0)]++;
	for (i = 0; i < 4; i++)
		assert_int_equal(hits[i], 1);
	/* ties among a subset only: paths 1 and 3 best, 0 and 2 heavier */
	set_inflight(&p[0], 1001);
	set_inflight(&p[2], 4001);
	memset(hits, 0, sizeof(hits));
	for (s = 0; s < 400; s++)
		hits[lb_select(p, 4, s, 0)]++;
	assert_int_equal(hits[0], 0);
	assert_int_equal(hits[2], 0);
	assert_int_equal(hits[1], 200);
	assert_int_equal(hits[3], 200);
	free(p);
}

/*
 * Two paths with service capacity 4:1 and equal weights: each step
 * submits I/O up to the total capacity and each path completes bytes in
 * proportion to its capacity.  The faster path drains faster, so it must
 * receive the larger share (about 4/5).
 */
static void test_lb_sim_capacity(void **state)
{
	static const u64 cap[2] = { 4 * 4096, 4096 };
	struct psw_path *p = unit_paths(2, NULL);
	u64 picks[2] = { 0, 0 };
	u32 step, k, ticket = 0;
	double share;

	(void)state;
	for (step = 0; step < 10000; step++) {
		for (k = 0; k < 5; k++) {
			int i = lb_select(p, 2, ticket++, 4096);

			assert_true(i == 0 || i == 1);
			psw_path_start(&p[i], 4096);
			picks[i]++;
		}
		for (k = 0; k < 2; k++) {
			u64 in = psw_a64_read(&p[k].inflight);
			u64 done = in < cap[k] ? in : cap[k];

			if (done)
				psw_path_end(&p[k], done);
		}
	}
	share = (double)picks[0] / (double)(picks[0] + picks[1]);
	if (share < 0.75 || share > 0.85)
		fail_msg("fast path share %.3f, want ~0.8", share);
	/* queues stay bounded: the policy does not starve either path */
	assert_true(psw_a64_read(&p[0].inflight) <= 8 * 4096);
	assert_true(psw_a64_read(&p[1].inflight) <= 8 * 4096);
	/* drain: everything started completes, counters back to 0 */
	for (k = 0; k < 2; k++)
		psw_path_end(&p[k], psw_a64_read(&p[k].inflight));
	assert_int_equal(psw_a64_read(&p[0].inflight), 0);
	assert_int_equal(psw_a64_read(&p[1].inflight), 0);
	assert_true(psw_a64_read(&p[0].bytes) + psw_a64_read(&p[1].bytes) ==
		    (picks[0] + picks[1]) * 4096);
	free(p);
}

static void test_lb_saturation(void **state)
{
	static const u32 w[] = { 1000, 1, 1 };
	struct psw_path *p = unit_paths(3, w);

	(void)state;
	/* inflight + nr_bytes would wrap to a tiny value on path 0 */
	set_inflight(&p[0], UINT64_MAX - 100);
	set_inflight(&p[1], 1ULL << 40);
	p[2].usable = 0;
	assert_int_equal(lb_select(p, 3, 0, 4096), 1);
	assert_int_equal(lb_select(p, 3, 2, 4096), 1);
	/* both saturated: equal weight ties, heavier weight wins */
	set_inflight(&p[1], UINT64_MAX - 5);
	assert_int_equal(lb_select(p, 3, 1, 4096), 0);
	/* weight 1 saturated vs weight 1 with nr_bytes = max */
	p[0].usable = 0;
	p[2].usable = 1;
	set_inflight(&p[2], 1);
	assert_int_equal(lb_select(p, 3, 1, UINT64_MAX), 1);
	assert_int_equal(lb_select(p, 3, 2, UINT64_MAX), 2);
	set_inflight(&p[2], 0);
	assert_int_equal(lb_select(p, 3, 1, UINT64_MAX - 1), 2);
	free(p);
}

/* Reference: first strictly smallest (inflight+nr)/w from start, 128-bit. */
static int ref_select(const struct psw_path *p, u32 n, u32 start, u64 nr)
{
	int best = -1;
	u128 bl = 0;
	u32 bw = 1, i;

	for (i = 0; i < n; i++) {
		u32 j = (u32)(((u64)start + i) % n);
		u128 load = (u128)psw_a64_read(&p[j].inflight) + nr;

		if (!p[j].usable)
			continue;
		if (load > UINT64_MAX)
			load = UINT64_MAX;
		if (best < 0 || load * bw < bl * p[j].weight) {
			best = (int)j;
			bl = load;
			bw = p[j].weight;
		}
	}
	return best;
}

static void test_lb_random_vs_reference(void **state)
{
	struct psw_path *p = unit_paths(16, NULL);
	unsigned int iter;

	(void)state;
	unit_seed(42);
	for (iter = 0; iter < 20000; iter++) {
		u32 n = unit_range(1, 16), i, start = (u32)unit_rand64();
		u64 nr = unit_range(0, 3) ? unit_range(0, 1U << 20) :
			 unit_rand64();
		int got, want;

		for (i = 0; i < n; i++) {
			p[i].weight = unit_range(0, 3) ? unit_range(1, 4) :
				      unit_range(1, 1000);
			p[i].usable = unit_range(0, 5) != 0;
			set_inflight(&p[i], unit_range(0, 2) ?
				     (u64)unit_range(0, 8) * 4096 * p[i].weight :
				     unit_rand64());
		}
		got = lb_select(p, n, start, nr);
		want = ref_select(p, n, start, nr);
		if (got != want)
			fail_msg("iter %u n=%u: got %d want %d", iter, n,
				 got, want);
	}
	free(p);
}

/* ---- equal weights (the common table): ties, saturation, edges ---- */

/* lb_select() against the 128-bit reference, for one configuration. */
static void check_ref(const struct psw_path *p, u32 n, u32 start, u64 nr)
{
	int want = ref_select(p, n, start, nr), got;

	got = lb_select(p, n, start, nr);
	if (got != want)
		fail_msg("n=%u start=%u nr=%llu: select %d, reference %d", n,
			 start, (unsigned long long)nr, got, want);
}

static void test_lb_equal_edges(void **state)
{
	struct psw_path *p = unit_paths(9, NULL);
	u32 n, s;

	(void)state;
	/* every length, every start, all ties */
	for (n = 1; n <= 9; n++)
		for (s = 0; s < 2 * n; s++)
			check_ref(p, n, s, 4096);
	/* nothing usable */
	for (n = 0; n < 9; n++)
		p[n].usable = 0;
	assert_int_equal(lb_select(p, 9, 3, 4096), -1);
	/* one usable, saturated, nr_bytes 0 and max */
	p[5].usable = 1;
	set_inflight(&p[5], UINT64_MAX);
	assert_int_equal(lb_select(p, 9, 3, 0), 5);
	assert_int_equal(lb_select(p, 9, 3, UINT64_MAX), 5);
	/* saturation ties: both clamp to ~0 with this nr_bytes */
	p[2].usable = 1;
	set_inflight(&p[2], UINT64_MAX - 10);
	set_inflight(&p[5], UINT64_MAX - 20);
	for (s = 0; s < 9; s++) {
		check_ref(p, 9, s, 5);
		check_ref(p, 9, s, 15);
		check_ref(p, 9, s, 30);
		check_ref(p, 9, s, UINT64_MAX);
	}
	free(p);
}

static void test_lb_equal_random(void **state)
{
	struct psw_path *p = unit_paths(40, NULL);
	unsigned int iter;

	(void)state;
	unit_seed(7);
	for (iter = 0; iter < 100000; iter++) {
		u32 n = unit_range(1, 40), i, start = (u32)unit_rand64();
		u32 w = unit_range(0, 3) ? 1 : unit_range(1, 1000);
		u64 nr = unit_range(0, 3) ? unit_range(0, 1U << 20) :
			 unit_rand64();
		bool some_failed = unit_range(0, 1);

		for (i = 0; i < n; i++) {
			p[i].weight = w;
			p[i].usable = some_failed ? unit_range(0, 4) != 0 : 1;
			/* few distinct values: many ties */
			set_inflight(&p[i], unit_range(0, 5) ?
				     (u64)unit_range(0, 6) * 4096 :
				     UINT64_MAX - unit_range(0, 1U << 20));
		}
		check_ref(p, n, start, nr);
	}
	free(p);
}

/*
 * Load shapes for the equal-weight tests below: ties at and around the
 * rotation start, zeros, new minima at every path, saturation.
 */
enum shape {
	SHAPE_DISTINCT,		/* random, mostly distinct, no zero */
	SHAPE_FEW,		/* few values, zeros included */
	SHAPE_FEW_NONZERO,	/* few values, ties but no zero */
	SHAPE_EQUAL,		/* one value everywhere */
	SHAPE_UP,		/* increasing with the index */
	SHAPE_DOWN,		/* decreasing: every path a new minimum */
	SHAPE_MIN_DUPS,		/* one minimum, copies at random places */
	SHAPE_HUGE,		/* near 2^64: saturation with large nr */
	SHAPE_HALF,		/* around 2^63: the saturation pre-test */
	SHAPE_NR
};

static u64 shape_load(enum shape sh, u32 i, u32 n, u64 base, u64 min_at)
{
	switch (sh) {
	case SHAPE_DISTINCT:
		return 1 + (unit_rand64() >> 1);
	case SHAPE_FEW:
		return (u64)unit_range(0, 3) * 4096;
	case SHAPE_FEW_NONZERO:
		return (u64)unit_range(1, 3) * 4096;
	case SHAPE_EQUAL:
		return base;
	case SHAPE_UP:
		return base + (u64)i * 512;
	case SHAPE_DOWN:
		return base + (u64)(n - i) * 512;
	case SHAPE_MIN_DUPS:
		return i == min_at || !unit_range(0, 7) ? base : base + 4096;
	case SHAPE_HUGE:
		return UINT64_MAX - unit_range(0, 64);
	default:
		return (1ULL << 63) - 2 + unit_range(0, 4);
	}
}

static u64 random_nr(void)
{
	switch (unit_range(0, 6)) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX;
	case 2:
		return unit_rand64();
	case 3:
		return (1ULL << 63) - unit_range(0, 2);
	case 4:
		return unit_range(0, 64);
	default:
		return (u64)unit_range(1, 256) * 512;
	}
}

static void test_lb_equal_shapes(void **state)
{
	static const u32 ns[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 18, 20,
		31, 32, 33, 63, 64, 65, 1023, 1024,
	};
	struct psw_path *p = unit_paths(PSW_MAX_PATHS, NULL);
	unsigned int t, iter;

	(void)state;
	unit_seed(0xfa57);
	for (t = 0; t < ARRAY_SIZE(ns); t++) {
		u32 n = ns[t];
		unsigned int iters = n > 100 ? 300 : 3000;

		for (iter = 0; iter < iters; iter++) {
			enum shape sh = (enum shape)(iter % SHAPE_NR);
			u64 base = unit_range(0, 3) ? (u64)unit_range(1, 64) * 512 : 0;
			u64 min_at = unit_range(0, n - 1);
			bool some_failed = !unit_range(0, 4);
			u32 i, start;

			for (i = 0; i < n; i++) {
				p[i].weight = 1;
				p[i].usable = some_failed ?
					      unit_range(0, 3) != 0 : 1;
				psw_a64_set(&p[i].inflight,
					    shape_load(sh, i, n, base, min_at));
			}
			/* every start of a small table, random ones else */
			if (n <= 20 && iter % 16 == 0) {
				for (start = 0; start < 2 * n; start++)
					check_ref(p, n, start, random_nr());
			} else {
				start = iter & 1 ? (u32)unit_rand64() :
					UINT32_MAX - unit_range(0, 2 * n);
				check_ref(p, n, start, random_nr());
			}
		}
	}
	free(p);
}

/*
 * Ties across the rotation start: the first smallest path in index order
 * comes before the start, a later copy after it, or none does; with and
 * without a count of 0.
 */
static void test_lb_equal_rotation_ties(void **state)
{
	struct psw_path *p = unit_paths(20, NULL);
	u32 n, a, b, s;

	(void)state;
	for (n = 2; n <= 20; n++)
		for (a = 0; a < n; a++)
			for (b = a; b < n; b++) {
				u64 lo = (a + b) & 1 ? 0 : 8192;

				for (s = 0; s < n; s++)
					psw_a64_set(&p[s].inflight, lo + 4096);
				psw_a64_set(&p[a].inflight, lo);
				psw_a64_set(&p[b].inflight, lo);
				for (s = 0; s < n; s++)
					check_ref(p, n, s + n * b, 4096);
			}
	free(p);
}

/* psw_lb_choose() with psw_lb_set_usable(), single-threaded */
static void test_lb_choose_fail_reinstate(void **state)
{
	struct psw_path *p = unit_paths(3, NULL);
	psw_seqlock_t seq;

	(void)state;
	psw_seqlock_init(&seq);
	set_inflight(&p[0], 100);
	set_inflight(&p[1], 200);
	set_inflight(&p[2], 300);
	assert_int_equal(psw_lb_choose(p, 3, 1, 1, 4096, &seq), 0);
	psw_lb_set_usable(p, 0, false, &seq);
	psw_lb_set_usable(p, 0, false, &seq);	/* no change */
	assert_int_equal(psw_lb_choose(p, 3, 1, 0, 4096, &seq), 1);
	psw_lb_set_usable(p, 1, false, &seq);
	psw_lb_set_usable(p, 2, false, &seq);
	assert_int_equal(psw_lb_choose(p, 3, 1, 2, 4096, &seq), -1);
	assert_int_equal(psw_lb_choose(p, 0, 1, 2, 4096, &seq), -1);
	psw_lb_set_usable(p, 2, true, &seq);
	assert_int_equal(psw_lb_choose(p, 3, 1, 0, 4096, &seq), 2);
	/* fail and reinstate never touch the counters */
	assert_int_equal(psw_a64_read(&p[0].inflight), 100);
	assert_int_equal(psw_a64_read(&p[1].inflight), 200);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratio_equal_weights),
		cmocka_unit_test(test_ratio_basic),
		cmocka_unit_test(test_ratio_extremes),
		cmocka_unit_test(test_ratio_random),
		cmocka_unit_test(test_lb_fewest_bytes),
		cmocka_unit_test(test_lb_single_and_empty),
		cmocka_unit_test(test_lb_weights_scale),
		cmocka_unit_test(test_lb_nr_bytes_matters),
		cmocka_unit_test(test_lb_unusable_skipped),
		cmocka_unit_test(test_lb_tie_spreading),
		cmocka_unit_test(test_lb_tie_spreading_weighted),
		cmocka_unit_test(test_lb_sim_capacity),
		cmocka_unit_test(test_lb_saturation),
		cmocka_unit_test(test_lb_random_vs_reference),
		cmocka_unit_test(test_lb_equal_edges),
		cmocka_unit_test(test_lb_equal_random),
		cmocka_unit_test(test_lb_equal_shapes),
		cmocka_unit_test(test_lb_equal_rotation_ties),
		cmocka_unit_test(test_lb_choose_fail_reinstate),
	};

	return cmocka_run_group_tests_name("psw_lb", tests, NULL, NULL);
}
