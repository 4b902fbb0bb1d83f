// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_check.c - abpath check: print the findings of the redundancy and
 * timeout checks (check.c) as text or JSON.  The exit status is the worst
 * finding's: 0 none or info, 1 warning, 2 error or critical.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <json-c/json.h>
#include "cli.h"

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

static void print_json(const struct ab_config *cfg, const struct ab_finding *f, int n, int worst)
{
	json_object *top = json_object_new_object(), *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, finding_json(&f[i]));
	json_object_object_add(top, "config", ab_sides_json(cfg));
	json_object_object_add(top, "findings", a);
	json_object_object_add(top, "exit_status", json_object_new_int(worst));
	ab_json_print(stdout, top);
	json_object_put(top);
}

static void print_text(const struct ab_config *cfg, const struct ab_inventory *inv,
		       const struct ab_finding *f, int n, int worst)
{
	char desc[2048];
	int i, cnt[4] = { 0 };

	for (i = 0; i < n; i++)
		cnt[f[i].sev]++;
	ab_config_describe_sides(cfg, desc, sizeof(desc));
	printf("sides: %s: %s\n", cfg->builtin_sides ? "built-in default" :
	       cfg->source[0] ? cfg->source : "command line", desc);
	for (i = 0; i < n; i++)
		printf("[%s] %s: %s\n    fix: %s\n", ab_sev_name(f[i].sev), f[i].subject,
		       f[i].msg, f[i].fix);
	printf("%d LUN(s), %d session(s): %d critical, %d error(s), %d warning(s), %d info -> exit %d\n",
	       inv->nluns, inv->nsessions, cnt[SEV_CRITICAL], cnt[SEV_ERROR],
	       cnt[SEV_WARNING], cnt[SEV_INFO], worst);
}

int ab_cmd_check(const struct ab_cmd_ctx *c)
{
	struct ab_finding *f;
	int n, worst;

	if (c->o->nargs) {
		ab_err("check takes no arguments");
		return AB_USAGE;
	}
	worst = ab_check(c->cfg, c->inv, &f, &n);
	if (c->o->json)
		print_json(c->cfg, f, n, worst);
	else
		print_text(c->cfg, c->inv, f, n, worst);
	free(f);
	return worst;
}
