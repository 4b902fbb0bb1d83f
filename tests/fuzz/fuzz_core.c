// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_core.c - libFuzzer target for the policy core's argument parsers and
 * the weighted-paths schedule builder (dm-ps-weighted/, the very sources the
 * kernel modules compile).  Built with ASan + UBSan (tests/fuzz/Makefile).
 *
 * data[0] % 4 picks the operation, the rest is its input:
 *   0  psw_parse_u32(): NUL-terminated string, range from two bytes;
 *      compared against an independent reference parser
 *   1  psw_parse_weight_args(): up to 4 NUL-separated args, min 0 or 1;
 *      the error code against the reference parser
 *   2  psw_wp_parse_mode(): up to 4 NUL-separated args
 *   3  psw_wp_update_active() + psw_wp_build() + psw_wp_pick() on fuzzed
 *      weights/usable flags/mode; invariants: active set per the mode's
 *      rules, schedule fits psw_wp_sched_cap(), holds only active paths,
 *      each exactly reduced-weight times, stays within the proven
 *      smoothness bound (and deviation < 2 I/Os, i.e. floor/ceil of
 *      the share +-1, for <= 3 paths, as psw_wp.h and test_wp.c state), -ENOSPC with a too-small buffer, pick returns
 *      an active path.
 * Any violated invariant aborts (a crash for libFuzzer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "psw_args.h"
#include "psw_wp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

/* reference: canonical decimal (no sign, no leading zero, <= 10 digits) */
static int ref_parse(const char *s, u32 min, u32 max, u32 *out)
{
	size_t n = strlen(s), i;
	unsigned long long v = 0;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return i > 10 ? -ERANGE : -EINVAL;
	if (s[0] == '0' && n > 1)
		return -EINVAL;
	if (n > 10)
		return -ERANGE;
	v = strtoull(s, NULL, 10);
	if (v < min || v > max)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

static void op_u32(const uint8_t *d, size_t n)
{
	u32 min, max, out = 0xdeadbeef, rout = 0;
	char *s;
	int r, rr;

	if (n < 8)
		return;
	memcpy(&min, d, 4);
	memcpy(&max, d + 4, 4);
	s = strndup((const char *)d + 8, n - 8);
	if (!s)
		return;
	r = psw_parse_u32(s, min, max, &out);
	rr = ref_parse(s, min, max, &rout);
	CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	/*
	 * The core stops at the 11th digit (-ERANGE) before it sees a later
	 * non-digit; the reference decides -EINVAL vs -ERANGE the same way.
	 * A leading zero is -EINVAL in both, whatever follows.
	 */
	if (s[0] == '0' && s[1])
		CHECK(r == -EINVAL);
	else
		CHECK(r == rr);
	if (r == 0) {
		char buf[16];

		CHECK(out >= min && out <= max);
		CHECK(out == rout);
		snprintf(buf, sizeof(buf), "%u", out);
		CHECK(!strcmp(buf, s));		/* exact echo */
	} else {
		CHECK(out == 0xdeadbeef);	/* untouched on error */
	}
	free(s);
}

/* split d[0..n) at NULs into at most 4 strdup'ed args */
static unsigned int split(const uint8_t *d, size_t n, char **argv)
{
	unsigned int argc = 0;
	size_t i = 0;

	while (i < n && argc < 4) {
		size_t j = i;

		while (j < n && d[j])
			j++;
		argv[argc++] = strndup((const char *)d + i, j - i);
		i = j + 1;
	}
	return argc;
}

static void op_weight(const uint8_t *d, size_t n)
{
	char *argv[4];
	unsigned int argc, i;
	u32 min, w = 0xdeadbeef;
	int r;

	if (n < 1)
		return;
	min = d[0] & 1;
	argc = split(d + 1, n - 1, argv);
	r = psw_parse_weight_args((int)argc, argv, min, 7, &w);
	if (r == 0) {
		CHECK(argc <= 1);
		if (argc == 0) {
			CHECK(w == 7);
		} else {
			u32 ref = 0;

			CHECK(w >= min && w <= PSW_MAX_WEIGHT);
			CHECK(ref_parse(argv[0], min, PSW_MAX_WEIGHT, &ref) == 0 && ref == w);
		}
	} else {
		CHECK(w == 0xdeadbeef);
		/* -E2BIG exactly when there is more than one argument */
		CHECK((r == -E2BIG) == (argc > 1));
		if (argc == 1) {
			u32 ref;
			int rr = ref_parse(argv[0], min, PSW_MAX_WEIGHT, &ref);

			CHECK(rr != 0);
			/* as in op_u32: a leading zero is -EINVAL first */
			if (argv[0][0] == '0' && argv[0][1])
				CHECK(r == -EINVAL);
			else
				CHECK(r == rr);
		}
	}
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

static void op_mode(const uint8_t *d, size_t n)
{
	char *argv[4];
	unsigned int argc, i;
	enum psw_wp_mode mode = (enum psw_wp_mode)42;
	const char *err = NULL;
	int r, want_ok;

	if (n < 1)
		return;
	argc = split(d + 1, n - 1, argv);
	r = psw_wp_parse_mode(argc, argv, PSW_WP_PRIORITY, &mode, &err);
	want_ok = argc == 0 || (argc == 1 && (!strcmp(argv[0], "proportional") ||
					      !strcmp(argv[0], "priority") ||
					      !strcmp(argv[0], "rank")));
	if (want_ok) {
		CHECK(r == 0);
		if (argc == 0)
			CHECK(mode == PSW_WP_PRIORITY);
		else
			CHECK(mode == (!strcmp(argv[0], "priority") ?
				       PSW_WP_PRIORITY :
				       !strcmp(argv[0], "rank") ? PSW_WP_RANK :
				       PSW_WP_PROPORTIONAL));
	} else {
		CHECK(r == -EINVAL && err && err[0]);
		CHECK(mode == (enum psw_wp_mode)42);
	}
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

static u32 gcd(u32 a, u32 b)
{
	while (b) {
		u32 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* prefix counts from @start over 2 periods against the share */
static void check_smooth(const u16 *sched, u32 len, u32 n, const u32 *rw,
			 u32 m, u32 start, u32 *cnt)
{
	u32 k, j, i, *act = calloc(m, sizeof(*act)), na = 0;

	CHECK(act);
	for (i = 0; i < n && na < m; i++)
		if (rw[i])
			act[na++] = i;
	memset(cnt, 0, n * sizeof(*cnt));
	for (k = 1; k <= 2 * len; k++) {
		cnt[sched[(start + k - 1) % len]]++;
		for (j = 0; j < na; j++) {
			long long dev;

			i = act[j];
			/* W * (c_i - k * w_i / W) */
			dev = (long long)cnt[i] * len - (long long)k * rw[i];
			if (dev < 0)
				dev = -dev;
			/* proven: |c - k w/W| < 1 + m w/W */
			CHECK(dev < (long long)len + (long long)m * rw[i]);
			/* psw_wp.h / test_wp.c: floor/ceil +-1 for <= 3 paths */
			if (m <= 3)
				CHECK(dev < 2 * (long long)len);
		}
	}
	free(act);
}

static void op_sched(const uint8_t *d, size_t n_in)
{
	struct psw_path *p;
	struct psw_wp_slot *scratch;
	enum psw_wp_mode mode;
	u32 n, i, cap, nact, count = 0, minw = 0, maxw = 0, g = 0, m = 0;
	u32 *rw, *cnt;
	bool any_weighted = false;
	u16 *sched;
	s64 len;
	u64 ticket;
	size_t off;

	if (n_in < 11)
		return;
	mode = (enum psw_wp_mode)(d[0] % 3);
	memcpy(&ticket, d + 1, 8);
	/* mostly small tables; rarely up to the 1024-path limit, light weights */
	n = 1 + d[9] % 64;
	if (d[10] == 0xff)
		n = 1 + (d[9] * 4) % PSW_MAX_PATHS;
	off = 11;
	p = aligned_alloc(64, n * sizeof(*p));
	scratch = calloc(n, sizeof(*scratch));
	rw = calloc(n, sizeof(*rw));
	cnt = calloc(n, sizeof(*cnt));
	CHECK(p && scratch && rw && cnt);
	for (i = 0; i < n; i++) {
		u16 v = 0;

		if (off + 2 <= n_in)
			memcpy(&v, d + off, 2);
		off += 2;
		/* 0..1023: sums stay below PSW_WP_SCHED_MAX (test_wp.c covers scaling) */
		psw_path_init(&p[i], v & 0x3ff, NULL);
		if (n > 64)
			p[i].weight %= 8;
		p[i].usable = !(v & 0x8000);
		if (p[i].usable && p[i].weight) {
			if (!any_weighted || p[i].weight < minw)
				minw = p[i].weight;
			if (!any_weighted || p[i].weight > maxw)
				maxw = p[i].weight;
			any_weighted = true;
		}
	}
	nact = psw_wp_update_active(p, n, mode);
	for (i = 0; i < n; i++) {
		bool want;

		if (!p[i].usable)
			want = false;
		else if (!any_weighted)
			want = p[i].weight == 0;
		else if (mode == PSW_WP_PRIORITY)
			want = p[i].weight == minw;
		else if (mode == PSW_WP_RANK)
			want = p[i].weight == maxw;
		else
			want = p[i].weight > 0;
		CHECK(p[i].active == want);
		count += want;
		if (want) {
			rw[i] = (mode != PSW_WP_PROPORTIONAL || !p[i].weight) ? 1 : p[i].weight;
			g = gcd(g, rw[i]);
			m++;
		}
	}
	CHECK(nact == count);
	cap = psw_wp_sched_cap(p, n);
	CHECK(cap >= n);
	sched = calloc(cap + 1, sizeof(*sched));
	CHECK(sched);
	len = psw_wp_build(p, n, mode, sched, cap, scratch);
	CHECK(len >= 0 && len <= cap);
	CHECK((len == 0) == (nact == 0));
	if (len > 0) {
		u32 W = 0;

		for (i = 0; i < n; i++) {
			rw[i] = g ? rw[i] / g : 0;
			W += rw[i];
		}
		CHECK((u32)len == W);
		memset(cnt, 0, n * sizeof(*cnt));
		for (i = 0; i < (u32)len; i++) {
			CHECK(sched[i] < n);
			CHECK(p[sched[i]].active);
			cnt[sched[i]]++;
		}
		for (i = 0; i < n; i++)
			CHECK(cnt[i] == rw[i]);
		if (len <= 4096) {
			check_smooth(sched, (u32)len, n, rw, m, 0, cnt);
			check_smooth(sched, (u32)len, n, rw, m, (u32)(ticket % (u64)len), cnt);
		}
		/* too small a buffer is refused, not overrun */
		CHECK(psw_wp_build(p, n, mode, sched, (u32)len - 1, scratch) == -ENOSPC);
	}
	i = (u32)psw_wp_pick(p, n, len > 0 ? sched : NULL, (u32)len, ticket);
	if (nact)
		CHECK((int)i >= 0 && i < n && p[i].active);
	else
		CHECK((int)i == -1);
	/* a stale schedule (a path failed since the build) still picks an active one */
	if (len > 0) {
		u32 victim = sched[ticket % (u64)len];

		p[victim].usable = 0;
		nact = psw_wp_update_active(p, n, mode);
		i = (u32)psw_wp_pick(p, n, sched, (u32)len, ticket);
		if (nact)
			CHECK((int)i >= 0 && i < n && p[i].active && i != victim);
		else
			CHECK((int)i == -1);
	}
	free(sched);
	free(cnt);
	free(rw);
	free(scratch);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	switch (data[0] % 4) {
	case 0:
		op_u32(data + 1, size - 1);
		break;
	case 1:
		op_weight(data + 1, size - 1);
		break;
	case 2:
		op_mode(data + 1, size - 1);
		break;
	default:
		op_sched(data + 1, size - 1);
		break;
	}
	return 0;
}
