// SPDX-License-Identifier: GPL-2.0
/*
 * cli_luns.c - the LUNs a command names: WWIDs or aliases on the command
 * line, or --all; and the check that each can become a map.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "cli.h"

/* Select LUNs by WWID/alias arguments or --all. */
int ab_cli_select_luns(const struct ab_opts *o, struct ab_inventory *inv, bool default_all,
		       struct ab_lun ***out, int *n)
{
	int i;

	*out = NULL;
	*n = 0;
	if (o->all && o->nargs) {
		ab_err("give WWIDs/aliases or --all, not both");
		return AB_USAGE;
	}
	if (o->all || (!o->nargs && default_all)) {
		if (!inv->nluns) {
			ab_err("no LUNs found under %s (no iSCSI disks)", inv->root);
			return AB_UNAVAIL;
		}
		*out = ab_xcalloc((size_t)inv->nluns, sizeof(**out));
		for (i = 0; i < inv->nluns; i++)
			(*out)[i] = &inv->luns[i];
		*n = inv->nluns;
		return 0;
	}
	if (!o->nargs) {
		ab_err("name the LUN (WWID or alias) or use --all");
		return AB_USAGE;
	}
	*out = ab_xcalloc((size_t)o->nargs, sizeof(**out));
	for (i = 0; i < o->nargs; i++) {
		struct ab_lun *l = ab_find_lun(inv, o->args[i]);
		int j;

		if (!l) {
			ab_err("no LUN with WWID or alias \"%s\" under %s", o->args[i], inv->root);
			free(*out);
			*out = NULL;
			return AB_NOINPUT;
		}
		for (j = 0; j < *n; j++)
			if ((*out)[j] == l)
				break;
		if (j == *n)
			(*out)[(*n)++] = l;
	}
	return 0;
}

/* Each LUN must be able to become a map: the first that cannot is reported. */
int ab_cli_validate_luns(struct ab_lun **luns, int n)
{
	char err[1024];
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = ab_validate_lun(luns[i], err, sizeof(err));
		if (rc) {
			ab_err("%s", err);
			return rc;
		}
	}
	return 0;
}
