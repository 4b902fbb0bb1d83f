// SPDX-License-Identifier: GPL-2.0
/*
 * cli_setup.c - what a command runs with: the configuration (the config
 * file or the built-in defaults, with the command line's sides and weights
 * on top) and the inventory of sysfs, sorted into sides, with every
 * --weight key naming something.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int ab_cli_load_config(const struct ab_opts *o, struct ab_config *cfg)
{
	int rc;

	ab_config_defaults(cfg);
	if (o->config && o->no_config) {
		ab_err("--config and --no-config exclude each other");
		return AB_USAGE;
	}
	if (!o->no_config) {
		const char *path = o->config ? o->config : getenv("ABPATH_CONFIG");

		rc = ab_config_load_file(cfg, path ? path : AB_DEFAULT_CONFIG, path != NULL);
		if (rc)
			return rc;
	}
	if (o->side_a && (rc = ab_config_set_side(cfg, SIDE_A, o->side_a)))
		return rc;
	if (o->side_b && (rc = ab_config_set_side(cfg, SIDE_B, o->side_b)))
		return rc;
	if (o->side_a && !o->side_b && !cfg->source[0]) {
		ab_err("--side-a replaces the built-in sides: give --side-b too");
		return AB_USAGE;
	}
	if (o->side_b && !o->side_a && !cfg->source[0]) {
		ab_err("--side-b replaces the built-in sides: give --side-a too");
		return AB_USAGE;
	}
	if (o->weight && (rc = ab_config_parse_weights(cfg, o->weight)))
		return rc;
	return 0;
}

/* Every --weight key must name something: A, B, a portal label or a portal IP. */
static int check_weight_keys(const struct ab_opts *o, const struct ab_config *cfg,
			     const struct ab_inventory *inv)
{
	struct ab_config tmp;
	int i, j, rc = 0;

	if (!o->weight)
		return 0;
	ab_config_defaults(&tmp);
	if (ab_config_parse_weights(&tmp, o->weight)) {
		ab_config_free(&tmp);
		return AB_USAGE;
	}
	for (i = 0; i < tmp.nweights && !rc; i++) {
		const char *k = tmp.weights[i].key;
		bool found = !strcmp(k, "A") || !strcmp(k, "B");

		for (j = 0; !found && j < cfg->nrules; j++)
			found = !strcmp(cfg->rules[j].label, k) || !strcmp(cfg->rules[j].text, k);
		for (j = 0; !found && j < inv->nsessions; j++)
			found = !strcmp(inv->sessions[j].label, k) || !strcmp(inv->sessions[j].portal_ip, k);
		if (!found) {
			ab_err("--weight: \"%s\" matches no side (A, B), portal label or portal IP: it would be ignored",
			       k);
			rc = AB_DATAERR;
		}
	}
	ab_config_free(&tmp);
	return rc;
}

/* Discover the sessions and LUNs under --sysfs and sort them into sides,
 * as the command needs them (need: its line of main.c's command table).
 * *bad counts the sessions whose side could not be decided.  On an error
 * the inventory is freed. */
int ab_cli_discover(const struct ab_opts *o, const struct ab_cmd_sysfs *need,
		    const struct ab_config *cfg, struct ab_inventory *inv, int *bad)
{
	int i, rc;

	rc = ab_discover(o->sysfs, inv);
	if (rc && need->optional && rc != AB_NOINPUT) {
		/* status reads device-mapper; sysfs only names the paths */
		ab_warn("sysfs discovery failed; path sides will be unknown");
		ab_inventory_free(inv);
		ab_copy(inv->root, sizeof(inv->root), o->sysfs);
		rc = 0;
	}
	if (rc)
		goto out;
	*bad = ab_classify(cfg, inv);
	rc = check_weight_keys(o, cfg, inv);
	if (rc)
		goto out;
	for (i = 0; i < inv->nskipped; i++)
		ab_warn("session%d skipped: %s", inv->skipped[i].sid, inv->skipped[i].error);
	if (inv->nskipped && need->complete && !(need->force_incomplete && o->force)) {
		ab_err("%d session(s) could not be read: the paths they carry would be missing from the %s.\n"
		       "  fix: check them (iscsiadm -m session -P 3, abpath check) and run again when they are back or gone%s",
		       inv->nskipped, need->complete,
		       need->force_incomplete ? "; --force goes on without them" : "");
		rc = AB_DATAERR;
	}
out:
	if (rc)
		ab_inventory_free(inv);
	return rc;
}
