// SPDX-License-Identifier: GPL-2.0
/*
 * cli_tables.c - the table options of the command line and the config
 * (policy, layout, side preference, no_path_retry, hardware handler), and
 * the maps table and apply would build from them.
 */
#define _GNU_SOURCE
#include <string.h>
#include <json-c/json.h>
#include "cli.h"

/* The table options: the command line's, else the config's, else the defaults. */
int ab_cli_table_opts(const struct ab_opts *o, const struct ab_config *cfg,
		      struct ab_table_opts *t, bool for_conf, char *npr, size_t nlen)
{
	const char *pol = o->policy ? o->policy : cfg->policy[0] ? cfg->policy : "least-blocks";
	const char *lay = o->layout ? o->layout : cfg->layout[0] ? cfg->layout : "active-active";
	const char *n = o->npr ? o->npr : cfg->no_path_retry;
	unsigned long v;

	memset(t, 0, sizeof(*t));
	if (ab_policy_parse(pol, &t->policy)) {
		ab_err("unknown policy \"%s\"%s (least-blocks, weighted-paths, round-robin, queue-length, service-time)",
		       pol, o->policy ? "" : " in the config");
		return o->policy ? AB_USAGE : AB_DATAERR;
	}
	if (!strcmp(lay, "failover"))
		t->failover = true;
	else if (strcmp(lay, "active-active")) {
		ab_err("unknown layout \"%s\"%s (active-active, failover)", lay,
		       o->layout ? "" : " in the config");
		return o->layout ? AB_USAGE : AB_DATAERR;
	}
	t->prefer = cfg->prefer ? cfg->prefer : SIDE_A;
	if (o->prefer && ((t->prefer = ab_side_parse(o->prefer)) == SIDE_NONE || strlen(o->prefer) != 1)) {
		ab_err("--prefer must be A or B, not \"%s\"", o->prefer);
		return AB_USAGE;
	}
	if (o->wp_mode) {
		if (!strcmp(o->wp_mode, "priority"))
			t->wp_priority = true;
		else if (strcmp(o->wp_mode, "proportional")) {
			ab_err("--wp-mode must be proportional or priority");
			return AB_USAGE;
		}
		if (t->policy != POL_WEIGHTED_PATHS) {
			ab_err("--wp-mode only applies to --policy weighted-paths");
			return AB_USAGE;
		}
	}
	t->weights_given = cfg->nweights > 0;
	if (t->weights_given && !o->weight &&
	    (t->policy == POL_ROUND_ROBIN || t->policy == POL_QUEUE_LENGTH))
		t->weights_given = false;	/* config weights simply do not apply */
	ab_copy(t->hw_handler, sizeof(t->hw_handler), o->hwh ? o->hwh : cfg->hw_handler);
	if (strpbrk(t->hw_handler, " \t\"\\\n")) {
		ab_err("%s: one word, e.g. alua", o->hwh ? "--hw-handler" : "hw_handler in the config");
		return o->hwh ? AB_USAGE : AB_DATAERR;
	}
	t->queue_if_no_path = o->queue;
	npr[0] = '\0';
	if (o->queue && o->npr) {
		ab_err("--queue-if-no-path and --no-path-retry exclude each other");
		return AB_USAGE;
	}
	if (o->queue)
		ab_copy(npr, nlen, "queue");
	if (n && n[0]) {
		if (!strcmp(n, "queue")) {
			t->queue_if_no_path = true;
		} else if (!strcmp(n, "fail")) {
			t->queue_if_no_path = false;
		} else if (ab_parse_uint(n, 1000000, &v)) {
			ab_err("no_path_retry \"%s\"%s is not fail, queue or a number", n,
			       o->npr ? "" : " in the config");
			return o->npr ? AB_USAGE : AB_DATAERR;
		} else if (v == 0) {
			n = "fail";
		} else if (!for_conf) {
			ab_err("no_path_retry %lu: the kernel table cannot count retries (multipathd does).\n"
			       "  use --queue-if-no-path (queue until a path returns), --no-path-retry fail,\n"
			       "  or 'abpath conf --no-path-retry %lu' for a multipathd host", v, v);
			return AB_USAGE;
		}
		ab_copy(npr, nlen, n);
	}
	return 0;
}

/* The name, uuid and table of the map of each LUN. */
static int plan_tables(const struct ab_opts *o, struct ab_config *cfg, struct ab_lun **luns,
		       int n, struct ab_planned *p)
{
	struct ab_table_opts t;
	char npr[AB_NAME];
	int i, rc;

	rc = ab_cli_table_opts(o, cfg, &t, false, npr, sizeof(npr));
	if (rc)
		return rc;
	rc = ab_cli_validate_luns(luns, n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		ab_copy(p[i].name, sizeof(p[i].name), ab_lun_name(luns[i]));
		ab_fmt(p[i].uuid, sizeof(p[i].uuid), AB_UUID_PREFIX "%s", luns[i]->wwid);
		rc = ab_build_table(cfg, &t, luns[i], p[i].table, sizeof(p[i].table));
		if (rc)
			return rc;
	}
	return 0;
}

/* The LUNs the command line names (never all by default) and their maps.
 * The caller frees *luns and *p whatever the result (both NULL on a bad
 * selection). */
int ab_cli_plan_maps(const struct ab_opts *o, struct ab_config *cfg, struct ab_inventory *inv,
		     struct ab_lun ***luns, struct ab_planned **p, int *n)
{
	int rc;

	*p = NULL;
	rc = ab_cli_select_luns(o, inv, false, luns, n);
	if (rc)
		return rc;
	*p = ab_xcalloc((size_t)*n, sizeof(**p));
	return plan_tables(o, cfg, *luns, *n, *p);
}

/* One planned map in JSON; action ("create", "reload") may be NULL. */
json_object *ab_cli_planned_json(const struct ab_planned *p, const struct ab_lun *l,
				 const char *action)
{
	json_object *x = json_object_new_object();

	json_object_object_add(x, "map", json_object_new_string(p->name));
	json_object_object_add(x, "uuid", json_object_new_string(p->uuid));
	json_object_object_add(x, "wwid", json_object_new_string(l->wwid));
	json_object_object_add(x, "table", json_object_new_string(p->table));
	if (action)
		json_object_object_add(x, "action", json_object_new_string(action));
	return x;
}
