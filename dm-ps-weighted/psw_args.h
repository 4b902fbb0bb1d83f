/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict parsing of selector table arguments.
 *
 * A number is accepted only in canonical decimal form: digits only, no sign,
 * no blanks, no leading zero (except "0" itself), at most 10 digits.  This
 * keeps the TABLE status an exact echo of what the table said, which
 * multipathd relies on (it reloads a map whose read-back differs).
 *
 * Static inline: both modules parse per-path weights, and an object may be
 * linked into one module only.  The error codes say what was wrong; the
 * modules turn them into messages with their own prefix (psw_kpaths.h).
 */
#ifndef PSW_ARGS_H
#define PSW_ARGS_H

#include "psw_types.h"

/* Hard limits shared by both selectors (documented in the README). */
#define PSW_MAX_PATHS		1024U
/*
 * Any 32-bit weight: multipathd writes rr_min_io_rq x priority as the
 * per-path argument when rr_weight is "priorities" (100 x 50 = 5000 for
 * an ALUA-optimised path with rr_min_io_rq 100).
 */
#define PSW_MAX_WEIGHT		4294967295U

/*
 * Parse @s as a canonical decimal in [@min, @max].
 * Returns 0 and stores the value, or -EINVAL (not a canonical number)
 * or -ERANGE (outside the range).  @out is untouched on error.
 */
static inline int psw_parse_u32(const char *s, u32 min, u32 max, u32 *out)
{
	u64 v = 0;
	unsigned int i;

	if (!s || !s[0])
		return -EINVAL;
	if (s[0] == '0' && s[1])
		return -EINVAL;		/* leading zero: not canonical */
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (i >= 10)
			return -ERANGE;	/* more than 10 digits */
		v = v * 10 + (u64)(s[i] - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

/*
 * Parse the per-path arguments of either selector: none (the weight is
 * @dflt) or exactly one weight in [@min, PSW_MAX_WEIGHT].
 * Returns 0 and stores the weight, or -E2BIG (more than one argument),
 * -EINVAL (not a canonical number) or -ERANGE (outside the range);
 * @weight is untouched on error.
 */
static inline int psw_parse_weight_args(int argc, char **argv, u32 min,
					u32 dflt, u32 *weight)
{
	if (argc == 0) {
		*weight = dflt;
		return 0;
	}
	if (argc != 1)
		return -E2BIG;
	return psw_parse_u32(argv[0], min, PSW_MAX_WEIGHT, weight);
}

#endif /* PSW_ARGS_H */
