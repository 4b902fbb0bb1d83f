// SPDX-License-Identifier: GPL-2.0
/*
 * maps.c - read multipath maps (table and INFO status) from device-mapper
 * into struct ab_st_map, the paths named and sided from the inventory.
 * Shared by "status" and "reinstate".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "abpath.h"

/*
 * Maps named by args (or every multipath map when nargs is 0).  Returns 0
 * or an exit code; on error nothing is returned (*maps NULL, *n 0).
 */
int ab_maps_read(char **args, int nargs, const struct ab_inventory *inv,
		 struct ab_st_map **out, int *nout)
{
	char **names = NULL;
	int n = 0, i, rc = 0, nmaps = 0;
	struct ab_st_map *maps;

	*out = NULL;
	*nout = 0;
	if (ab_dm_available()) {
		ab_err("device-mapper is not available (need root and the dm driver)");
		return AB_UNAVAIL;
	}
	if (nargs) {
		names = ab_xcalloc((size_t)nargs, sizeof(char *));
		for (i = 0; i < nargs; i++)
			names[i] = ab_xstrdup(args[i]);
		n = nargs;
	} else if (ab_dm_list_multipath(&names, &n)) {
		ab_err("device-mapper: cannot list maps");
		return AB_UNAVAIL;
	}
	maps = ab_xcalloc((size_t)n + 1, sizeof(*maps));
	/* Named maps: any failure is the command's error.  Every map (no
	 * names): a map that vanished or cannot be parsed is reported and
	 * skipped; the others are still shown. */
	for (i = 0; i < n && !rc; i++) {
		struct ab_dm_target t, s;
		char err[256], why[512] = "", uuid[AB_STR] = "";
		struct ab_st_map *m = &maps[nmaps];
		int code = 0;

		memset(m, 0, sizeof(*m));
		ab_copy(m->name, sizeof(m->name), names[i]);
		if (ab_dm_exists(names[i], uuid, sizeof(uuid)) != 1) {
			ab_fmt(why, sizeof(why), "no device-mapper map named %s", names[i]);
			code = AB_NOINPUT;
		} else if (ab_dm_get(names[i], false, &t)) {
			ab_fmt(why, sizeof(why), "device-mapper: cannot read the table of %s", names[i]);
			code = AB_UNAVAIL;
		} else if (ab_dm_get(names[i], true, &s)) {
			ab_fmt(why, sizeof(why), "device-mapper: cannot read the status of %s", names[i]);
			free(t.params);
			code = AB_UNAVAIL;
		} else {
			ab_copy(m->uuid, sizeof(m->uuid), uuid);
			if (strcmp(t.type, "multipath")) {
				ab_fmt(why, sizeof(why), "map %s is a %s map, not multipath", names[i], t.type);
				code = AB_DATAERR;
			} else if (ab_status_parse(t.params, s.params, m, err, sizeof(err))) {
				ab_fmt(why, sizeof(why), "map %s: cannot parse: %s", names[i], err);
				code = AB_DATAERR;
			} else {
				ab_status_resolve(m, inv);
			}
			free(t.params);
			free(s.params);
		}
		if (!code) {
			nmaps++;
		} else if (nargs) {
			ab_err("%s", why);
			rc = code;
			ab_status_free(m);
		} else {
			ab_warn("%s: skipped", why);
			ab_status_free(m);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		ab_maps_free(maps, nmaps);
		return rc;
	}
	*out = maps;
	*nout = nmaps;
	return 0;
}

void ab_maps_free(struct ab_st_map *maps, int n)
{
	int i;

	for (i = 0; maps && i < n; i++)
		ab_status_free(&maps[i]);
	free(maps);
}
