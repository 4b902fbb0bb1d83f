// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_apply.c - abpath apply [WWID|alias...|--all] [--dry-run] [--force]:
 * create or reload the maps once every check of apply_safety.c passed, and
 * say what was (or would be) done.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <json-c/json.h>
#include "cli.h"

int ab_cmd_apply(const struct ab_cmd_ctx *c)
{
	const struct ab_opts *o = c->o;
	struct ab_lun **luns;
	struct ab_planned *p;
	int n, i, rc;
	bool live = false;
	json_object *arr = NULL;

	rc = ab_cli_plan_maps(o, c->cfg, c->inv, &luns, &p, &n);
	/* validate everything before touching device-mapper */
	if (!rc)
		rc = ab_apply_check_maps(o, c->inv, luns, p, n);
	if (!rc)
		rc = ab_apply_check_host(o, c->inv, &live);
	if (!rc && live)
		rc = ab_apply_check_dm(p, n);
	if (o->json && !rc)
		arr = json_object_new_array();
	else if (!rc && c->cfg->builtin_sides)
		printf("sides: built-in default (RackStack runbook portals; no config file)\n");
	for (i = 0; !rc && i < n; i++) {
		const char *what = p[i].reload ? "reload" : "create";

		if (!o->dry_run) {
			rc = ab_dm_load(p[i].name, p[i].uuid, p[i].table, p[i].reload);
			if (rc)
				break;
		}
		if (arr)
			json_object_array_add(arr, ab_cli_planned_json(&p[i], luns[i], what));
		else
			printf("%s %s %s (uuid %s): %s\n", o->dry_run ? "would" : "did", what,
			       p[i].name, p[i].uuid, p[i].table);
	}
	if (arr) {
		json_object *top = json_object_new_object();

		json_object_object_add(top, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(top, "maps", arr);
		ab_json_print(stdout, top);
		json_object_put(top);
	}
	free(p);
	free(luns);
	return rc;
}
