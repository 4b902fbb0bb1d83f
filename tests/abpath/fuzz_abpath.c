// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_abpath.c - fuzz entry for abpath's parsers.
 * The first input byte picks the parser, the rest is its input:
 *   0: JSON config   1: dm TABLE + '\n' + dm STATUS   2: sysfs wwid text
 *   3: binary VPD page 0x83   4: --weight spec   5: --side-a list
 * libFuzzer: make -C userspace fuzz-libfuzzer; without it (-DFUZZ_STANDALONE)
 * the program runs each file named on the command line once.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "abpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl, out[AB_STR], err[256];
	struct ab_config cfg;
	struct ab_st_map m;
	unsigned maj, mnr;
	unsigned long ul;

	if (size < 1 || size > 65536)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		ab_config_defaults(&cfg);
		ab_config_load_string(&cfg, s, "fuzz");
		ab_config_free(&cfg);
		break;
	case 1:
		memset(&m, 0, sizeof(m));
		nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			ab_status_parse(s, nl + 1, &m, err, sizeof(err));
		}
		ab_status_free(&m);
		break;
	case 2:
		/* one sysfs attribute: WWID, dev (MAJ:MIN), size */
		ab_wwid_normalise(s, out, sizeof(out));
		ab_parse_devt(s, &maj, &mnr);
		ab_parse_uint(s, ULONG_MAX, &ul);
		{
			/* JSON output repair of raw sysfs bytes */
			char *jb = NULL;
			size_t jl = 0;
			FILE *jf = open_memstream(&jb, &jl);

			if (jf) {
				ab_json_utf8(jf, s);
				fclose(jf);
			}
			free(jb);
		}
		break;
	case 3:
		ab_wwid_from_vpd83(data + 1, size - 1, out, sizeof(out));
		break;
	case 4:
		ab_config_defaults(&cfg);
		ab_config_parse_weights(&cfg, s);
		ab_config_free(&cfg);
		break;
	default:
		ab_config_defaults(&cfg);
		ab_config_set_side(&cfg, SIDE_A, s);
		ab_config_free(&cfg);
		break;
	}
	free(s);
	return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[65536];
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif
