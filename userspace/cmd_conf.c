// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_conf.c - abpath conf [WWID|alias...]: the multipath.conf snippet
 * that lets multipathd build the maps (every LUN by default; the text is
 * conf.c's), on stdout or into a file (conf_file.c).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "cli.h"

int ab_cmd_conf(const struct ab_cmd_ctx *c)
{
	const struct ab_opts *o = c->o;
	struct ab_lun **luns;
	struct ab_table_opts t;
	char npr[AB_NAME];
	int n, rc;

	rc = ab_cli_table_opts(o, c->cfg, &t, true, npr, sizeof(npr));
	if (rc)
		return rc;
	rc = ab_cli_select_luns(o, c->inv, true, &luns, &n);
	if (rc)
		return rc;
	rc = ab_cli_validate_luns(luns, n);
	if (!rc && o->output)
		rc = ab_conf_output(o, c->cfg, &t, luns, n, npr);
	else if (!rc)
		rc = ab_conf_emit(stdout, c->cfg, &t, luns, n, npr, o->json);
	free(luns);
	return rc;
}
