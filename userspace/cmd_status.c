// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_status.c - abpath status [MAP...]: per-path dm state and selector
 * counters of the multipath maps (all of them by default), read from
 * device-mapper (maps.c) and printed by status.c.
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include "cli.h"

int ab_cmd_status(const struct ab_cmd_ctx *c)
{
	const struct ab_opts *o = c->o;
	struct ab_st_map *maps;
	int n, rc;

	rc = ab_maps_read(o->args, o->nargs, c->inv, &maps, &n);
	if (rc)
		return rc;
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "maps", ab_status_json(maps, n));
		ab_json_print(stdout, j);
		json_object_put(j);
	} else {
		ab_status_print(stdout, maps, n);
	}
	ab_maps_free(maps, n);
	return 0;
}
