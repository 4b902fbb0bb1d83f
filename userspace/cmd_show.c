// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_show.c - abpath show: the discovered sessions and LUNs with side,
 * state and paths (the printing is show.c's).  Exit 65 when a session's
 * side could not be decided.
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include "cli.h"

int ab_cmd_show(const struct ab_cmd_ctx *c)
{
	const struct ab_inventory *inv = c->inv;
	int i;

	if (c->o->nargs) {
		ab_err("show takes no arguments");
		return AB_USAGE;
	}
	if (c->o->json) {
		json_object *j = ab_show_json(c->cfg, inv);

		ab_json_print(stdout, j);
		json_object_put(j);
	} else {
		ab_show_print(stdout, c->cfg, inv);
	}
	for (i = 0; i < inv->nsessions; i++)
		if (inv->sessions[i].side_err[0])
			ab_err("session%d: %s", inv->sessions[i].sid, inv->sessions[i].side_err);
	return c->bad_sessions ? AB_DATAERR : 0;
}
