// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_reinstate.c - abpath reinstate [MAP...] [--dry-run]: reinstate the
 * failed paths whose iSCSI session is back and fail back (the plan and the
 * messages are reinstate.c's), on the live system only.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "cli.h"

int ab_cmd_reinstate(const struct ab_cmd_ctx *c)
{
	const struct ab_opts *o = c->o;
	struct ab_st_map *maps;
	struct ab_ri_item *it;
	int n, ni, rc;

	if (!o->dry_run && !ab_sysfs_live(c->inv)) {
		ab_err("reinstate without --dry-run needs the live sysfs (--sysfs %s is not /sys)",
		       c->inv->root);
		return AB_USAGE;
	}
	rc = ab_maps_read(o->args, o->nargs, c->inv, &maps, &n);
	if (rc)
		return rc;
	ab_reinstate_plan(maps, n, c->inv, &it, &ni);
	rc = ab_reinstate_run(stdout, it, ni, o->dry_run ? NULL : ab_dm_message, o->json);
	free(it);
	ab_maps_free(maps, n);
	return rc;
}
