// SPDX-License-Identifier: GPL-2.0-only
/*
 * Strict parsing of selector table arguments (see psw_args.h).
 */
#include "psw_args.h"

int psw_parse_u32(const char *s, u32 min, u32 max, u32 *out)
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

int psw_parse_weight_args(int argc, char **argv, u32 min, u32 dflt,
			  u32 *weight, const char **err)
{
	u32 w;
	int r;

	if (argc == 0) {
		*weight = dflt;
		return 0;
	}
	if (argc != 1) {
		*err = "too many per-path arguments (expected 0 or 1: weight)";
		return -EINVAL;
	}
	r = psw_parse_u32(argv[0], min, PSW_MAX_WEIGHT, &w);
	if (r == -ERANGE) {
		*err = min ? "path weight out of range (1..4294967295)" :
			     "path weight out of range (0..4294967295)";
		return -EINVAL;
	}
	if (r) {
		*err = "path weight is not a canonical decimal number";
		return -EINVAL;
	}
	*weight = w;
	return 0;
}
