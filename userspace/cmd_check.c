// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_check.c - abpath check: print the findings of the redundancy and
 * timeout checks (check.c) as text or JSON.  The exit status is the worst
 * finding's: 0 none or info, 1 warning, 2 error or critical.  On the live
 * /sys the multipath maps are read from device-mapper (maps.c) for the
 * checks of their path selection.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "cli.h"

/*
 * The maps check looks at: none for a captured sysfs tree (no
 * device-mapper behind it), else every multipath map, or why they could
 * not be read.  *maps is for ab_maps_free.
 */
static const struct ab_check_dm *read_maps(const struct ab_inventory *inv, struct ab_check_dm *dm,
					   struct ab_st_map **maps, int *n)
{
	memset(dm, 0, sizeof(*dm));
	*maps = NULL;
	*n = 0;
	if (!ab_sysfs_live(inv))
		return NULL;
	if (ab_dm_available())
		dm->unread = geteuid() ? "device-mapper needs root" :
			     "device-mapper is not available (is the dm-mod driver loaded?)";
	else if (ab_maps_read(NULL, 0, inv, maps, n))
		dm->unread = "device-mapper: cannot list the maps";
	dm->maps = *maps;
	dm->nmaps = *n;
	return dm;
}

static json_object *finding_json(const struct ab_finding *f)
{
	json_object *x = json_object_new_object();

	json_object_object_add(x, "severity", json_object_new_string(ab_sev_name(f->sev)));
	json_object_object_add(x, "subject", json_object_new_string(f->subject));
	json_object_object_add(x, "code", json_object_new_string(f->code));
	json_object_object_add(x, "message", json_object_new_string(f->msg));
	json_object_object_add(x, "fix", json_object_new_string(f->fix));
	return x;
}

static void print_json(FILE *out, const struct ab_config *cfg, const struct ab_check_dm *dm,
		       const struct ab_finding *f, int n, int worst)
{
	json_object *top = json_object_new_object(), *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, finding_json(&f[i]));
	json_object_object_add(top, "config", ab_sides_json(cfg));
	json_object_object_add(top, "findings", a);
	/* null: not read (a captured sysfs tree, or see the maps-unread finding) */
	json_object_object_add(top, "maps_checked", dm && !dm->unread ?
			       json_object_new_int(dm->nmaps) : NULL);
	json_object_object_add(top, "exit_status", json_object_new_int(worst));
	ab_json_print(out, top);
	json_object_put(top);
}

static void print_text(FILE *out, const struct ab_config *cfg, const struct ab_inventory *inv,
		       const struct ab_finding *f, int n, int worst)
{
	char desc[2048];
	int i, cnt[4] = { 0 };

	for (i = 0; i < n; i++)
		cnt[f[i].sev]++;
	ab_config_describe_sides(cfg, desc, sizeof(desc));
	fprintf(out, "sides: %s: %s\n", cfg->builtin_sides ? "built-in default" :
		cfg->source[0] ? cfg->source : "command line", desc);
	for (i = 0; i < n; i++)
		fprintf(out, "[%s] %s: %s\n    fix: %s\n", ab_sev_name(f[i].sev), f[i].subject,
			f[i].msg, f[i].fix);
	fprintf(out, "%d LUN(s), %d session(s): %d critical, %d error(s), %d warning(s), %d info -> exit %d\n",
		inv->nluns, inv->nsessions, cnt[SEV_CRITICAL], cnt[SEV_ERROR],
		cnt[SEV_WARNING], cnt[SEV_INFO], worst);
}

/* The findings as text or JSON (also for the unit tests). */
void ab_check_print(FILE *out, const struct ab_config *cfg, const struct ab_inventory *inv,
		    const struct ab_check_dm *dm, const struct ab_finding *f, int n, int worst,
		    bool json)
{
	if (json)
		print_json(out, cfg, dm, f, n, worst);
	else
		print_text(out, cfg, inv, f, n, worst);
}

int ab_cmd_check(const struct ab_cmd_ctx *c)
{
	const struct ab_check_dm *dm;
	struct ab_check_dm dmbuf;
	struct ab_st_map *maps;
	struct ab_finding *f;
	int n, nmaps, worst;

	if (c->o->nargs) {
		ab_err("check takes no arguments");
		return AB_USAGE;
	}
	dm = read_maps(c->inv, &dmbuf, &maps, &nmaps);
	worst = ab_check(c->cfg, c->inv, dm, &f, &n);
	ab_check_print(stdout, c->cfg, c->inv, dm, f, n, worst, c->o->json);
	ab_maps_free(maps, nmaps);
	free(f);
	return worst;
}
