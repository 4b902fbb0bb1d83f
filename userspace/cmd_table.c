// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_table.c - abpath table [WWID|alias...|--all]: print the table of
 * each map as apply would load it, with its name and uuid.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <json-c/json.h>
#include "cli.h"

int ab_cmd_table(const struct ab_cmd_ctx *c)
{
	struct ab_lun **luns;
	struct ab_planned *p;
	int n, i, rc;

	rc = ab_cli_plan_maps(c->o, c->cfg, c->inv, &luns, &p, &n);
	if (!rc) {
		if (c->o->json) {
			json_object *a = json_object_new_array();

			json_object *top = json_object_new_object();

			for (i = 0; i < n; i++)
				json_object_array_add(a, ab_cli_planned_json(&p[i], luns[i], NULL));
			json_object_object_add(top, "maps", a);
			ab_json_print(stdout, top);
			json_object_put(top);
		} else {
			if (c->cfg->builtin_sides)
				printf("# sides: built-in default (RackStack runbook portals; no config file)\n");
			for (i = 0; i < n; i++)
				printf("# map %s uuid %s\n%s\n", p[i].name, p[i].uuid, p[i].table);
		}
	}
	free(p);
	free(luns);
	return rc;
}
