// SPDX-License-Identifier: GPL-2.0-only
/*
 * psw_parse_u32() and psw_parse_weight_args().
 */
#include "unit.h"

#define SENTINEL	0xdeadbeefU

static void expect_ok(const char *s, u32 min, u32 max, u32 want)
{
	u32 out = SENTINEL;
	int r = psw_parse_u32(s, min, max, &out);

	if (r || out != want)
		fail_msg("\"%s\" in [%u,%u]: r=%d out=%u, want 0/%u",
			 s, min, max, r, out, want);
}

static void expect_err(const char *s, u32 min, u32 max, int err)
{
	u32 out = SENTINEL;
	int r = psw_parse_u32(s, min, max, &out);

	if (r != err)
		fail_msg("\"%s\" in [%u,%u]: r=%d, want %d", s, min, max, r, err);
	assert_int_equal(out, SENTINEL);	/* untouched on error */
}

static void test_u32_canonical_accepted(void **state)
{
	(void)state;
	expect_ok("0", 0, 1000, 0);
	expect_ok("1", 0, 1000, 1);
	expect_ok("9", 0, 9, 9);
	expect_ok("10", 0, 1000, 10);
	expect_ok("1000", 0, 1000, 1000);
	expect_ok("4294967295", 0, UINT32_MAX, UINT32_MAX);
	expect_ok("4294967294", 0, UINT32_MAX, UINT32_MAX - 1);
	expect_ok("1000000000", 0, UINT32_MAX, 1000000000U);
	expect_ok("123456789", 123456789, 123456789, 123456789);
}

static void test_u32_not_canonical(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "01", "00", "007", "1x", "x1",
		"0x10", "0x", "1.0", "1e3", "\t1", "1\n", "-0", "+0", "1,000",
		"\xff", "1\xff",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_err(bad[i], 0, UINT32_MAX, -EINVAL);
}

static void test_u32_null(void **state)
{
	u32 out = SENTINEL;

	(void)state;
	assert_int_equal(psw_parse_u32(NULL, 0, 10, &out), -EINVAL);
	assert_int_equal(out, SENTINEL);
}

static void test_u32_too_many_digits(void **state)
{
	static const char *const big[] = {
		"10000000000", "99999999999", "12345678901234567890",
		"4294967296", "4294967300", "9999999999",
		"184467440737095516160",	/* 2^64 * 10: must not wrap */
		"18446744073709551616",		/* 2^64 */
		"18446744073709551617",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		u32 out = SENTINEL;
		int r = psw_parse_u32(big[i], 0, UINT32_MAX, &out);

		/* digits only, so "out of range" (never accepted) */
		if (r != -ERANGE && r != -EINVAL)
			fail_msg("\"%s\": r=%d out=%u", big[i], r, out);
		assert_int_equal(out, SENTINEL);
	}
	/* exactly-representable boundaries */
	expect_err("4294967296", 0, UINT32_MAX, -ERANGE);
	expect_err("9999999999", 0, UINT32_MAX, -ERANGE);
}

static void test_u32_range(void **state)
{
	(void)state;
	expect_err("0", 1, 1000, -ERANGE);
	expect_err("1001", 0, 1000, -ERANGE);
	expect_err("1001", 1, 1000, -ERANGE);
	expect_err("5", 6, 10, -ERANGE);
	expect_err("11", 6, 10, -ERANGE);
	expect_ok("6", 6, 10, 6);
	expect_ok("10", 6, 10, 10);
	expect_err("1", 0, 0, -ERANGE);
	expect_ok("0", 0, 0, 0);
}

static void test_weight_args_default(void **state)
{
	u32 w = SENTINEL;

	(void)state;
	assert_int_equal(psw_parse_weight_args(0, NULL, 1, 1, &w), 0);
	assert_int_equal(w, 1);
	w = SENTINEL;
	assert_int_equal(psw_parse_weight_args(0, NULL, 0, 7, &w), 0);
	assert_int_equal(w, 7);
}

static void test_weight_args_accepted(void **state)
{
	static const struct { const char *s; u32 min, want; } ok[] = {
		{ "1", 1, 1 }, { "1000", 1, 1000 }, { "0", 0, 0 },
		{ "1000", 0, 1000 }, { "42", 0, 42 },
		/* what multipathd writes: rr_min_io_rq x ALUA priority */
		{ "1001", 1, 1001 }, { "5000", 1, 5000 }, { "50000", 0, 50000 },
		{ "2147483647", 1, 2147483647U },
		{ "4294967295", 0, 4294967295U },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		char *argv[] = { (char *)ok[i].s };
		u32 w = SENTINEL;

		assert_int_equal(psw_parse_weight_args(1, argv, ok[i].min, 1,
						       &w), 0);
		assert_int_equal(w, ok[i].want);
	}
}

static void expect_weight_err(int argc, const char *a0, const char *a1,
			      u32 min, int want)
{
	char *argv[] = { (char *)a0, (char *)a1 };
	u32 w = SENTINEL;
	int r = psw_parse_weight_args(argc, argv, min, 1, &w);

	if (r != want)
		fail_msg("argc=%d \"%s\" min=%u: r=%d, want %d",
			 argc, a0, min, r, want);
	assert_int_equal(w, SENTINEL);	/* untouched on error */
}

/*
 * The codes the modules turn into "path weight out of range",
 * "... not a canonical decimal number" and "too many per-path arguments"
 * (kernel/psw_kpaths.h; the texts are checked in the guest, t_badargs).
 */
static void test_weight_args_rejected(void **state)
{
	(void)state;
	expect_weight_err(1, "0", NULL, 1, -ERANGE);
	expect_weight_err(1, "4294967296", NULL, 1, -ERANGE);
	expect_weight_err(1, "4294967296", NULL, 0, -ERANGE);
	expect_weight_err(1, "9999999999", NULL, 0, -ERANGE);
	expect_weight_err(1, "10000000000", NULL, 1, -ERANGE);
	expect_weight_err(1, "", NULL, 1, -EINVAL);
	expect_weight_err(1, "-1", NULL, 0, -EINVAL);
	expect_weight_err(1, "+1", NULL, 1, -EINVAL);
	expect_weight_err(1, " 1", NULL, 1, -EINVAL);
	expect_weight_err(1, "1 ", NULL, 1, -EINVAL);
	expect_weight_err(1, "01", NULL, 1, -EINVAL);
	expect_weight_err(1, "1x", NULL, 1, -EINVAL);
	expect_weight_err(1, "0x10", NULL, 0, -EINVAL);
	expect_weight_err(2, "1", "2", 1, -E2BIG);
	expect_weight_err(2, "1", "2", 0, -E2BIG);
	expect_weight_err(2, "x", "y", 0, -E2BIG);	/* the count first */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32_canonical_accepted),
		cmocka_unit_test(test_u32_not_canonical),
		cmocka_unit_test(test_u32_null),
		cmocka_unit_test(test_u32_too_many_digits),
		cmocka_unit_test(test_u32_range),
		cmocka_unit_test(test_weight_args_default),
		cmocka_unit_test(test_weight_args_accepted),
		cmocka_unit_test(test_weight_args_rejected),
	};

	return cmocka_run_group_tests_name("psw_args", tests, NULL, NULL);
}
