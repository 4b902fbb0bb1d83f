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
	int n = 0, i, rc = 0;
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
	for (i = 0; i < n && !rc; i++) {
		struct ab_dm_target t, s;
		char err[256], uuid[AB_STR] = "";

		ab_copy(maps[i].name, sizeof(maps[i].name), names[i]);
		if (ab_dm_exists(names[i], uuid, sizeof(uuid)) != 1) {
			ab_err("no device-mapper map named %s", names[i]);
			rc = AB_NOINPUT;
			break;
		}
		ab_copy(maps[i].uuid, sizeof(maps[i].uuid), uuid);
		if (ab_dm_get(names[i], false, &t)) {
			ab_err("device-mapper: cannot read the table of %s", names[i]);
			rc = AB_UNAVAIL;
			break;
		}
		if (ab_dm_get(names[i], true, &s)) {
			ab_err("device-mapper: cannot read the status of %s", names[i]);
			free(t.params);
			rc = AB_UNAVAIL;
			break;
		}
		if (strcmp(t.type, "multipath")) {
			ab_err("map %s is a %s map, not multipath", names[i], t.type);
			rc = AB_DATAERR;
		} else if (ab_status_parse(t.params, s.params, &maps[i], err, sizeof(err))) {
			ab_err("map %s: cannot parse: %s", names[i], err);
			rc = AB_DATAERR;
		} else {
			ab_status_resolve(&maps[i], inv);
		}
		free(t.params);
		free(s.params);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		ab_maps_free(maps, n);
		return rc;
	}
	*out = maps;
	*nout = n;
	return 0;
}

void ab_maps_free(struct ab_st_map *maps, int n)
{
	int i;

	for (i = 0; maps && i < n; i++)
		ab_status_free(&maps[i]);
	free(maps);
}
