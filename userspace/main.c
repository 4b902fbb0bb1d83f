// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command line of abpath.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

#define DEFAULT_CONFIG "/etc/abpath.json"

struct opts {
	const char *sysfs;
	const char *config;
	bool no_config;
	const char *side_a, *side_b;
	bool json, all, dry_run, force, help;
	unsigned long given;	/* OB() of every option on the command line */
	const char *policy, *weight, *layout, *prefer, *wp_mode, *npr, *hwh;
	bool queue;
	long host;
	bool have_host;
	char **args;
	int nargs;
};

enum { O_SYSFS = 256, O_CONFIG, O_NOCONFIG, O_SIDEA, O_SIDEB, O_JSON, O_ALL, O_DRY,
       O_POLICY, O_WEIGHT, O_LAYOUT, O_PREFER, O_WPMODE, O_QUEUE, O_NPR, O_HWH, O_HOST,
       O_VERSION, O_FORCE };

#define OB(x) (1UL << ((x) - O_SYSFS))
/* options every command takes */
#define OPT_COMMON (OB(O_SYSFS) | OB(O_CONFIG) | OB(O_NOCONFIG) | OB(O_SIDEA) | OB(O_SIDEB) | \
		    OB(O_JSON))
#define OPT_TABLE (OB(O_ALL) | OB(O_POLICY) | OB(O_WEIGHT) | OB(O_LAYOUT) | OB(O_PREFER) | \
		   OB(O_WPMODE) | OB(O_QUEUE) | OB(O_NPR) | OB(O_HWH))

static const struct cmd_def {
	const char *name, *args, *what;
	unsigned long opts;
} cmd_defs[] = {
	{ "show", "", "sessions and LUNs with side, state and paths", OPT_COMMON },
	{ "table", "[WWID|alias...|--all]", "print dm-multipath table lines", OPT_COMMON | OPT_TABLE },
	{ "apply", "[WWID|alias...|--all]", "create or reload the maps",
	  OPT_COMMON | OPT_TABLE | OB(O_DRY) | OB(O_FORCE) },
	{ "check", "", "redundancy and timeout checks (exit 0/1/2)", OPT_COMMON },
	{ "status", "[MAP...]", "per-path dm state and selector counters", OPT_COMMON },
	{ "reinstate", "[MAP...]", "reinstate failed paths whose session is back, fail back",
	  OPT_COMMON | OB(O_DRY) },
	{ "conf", "[WWID|alias...]", "multipath.conf snippet for multipathd",
	  OPT_COMMON | (OPT_TABLE & ~OB(O_ALL)) },
	{ "plan", "--host N", "RackStack pair assignment and retry order",
	  OB(O_CONFIG) | OB(O_NOCONFIG) | OB(O_SIDEA) | OB(O_SIDEB) | OB(O_JSON) | OB(O_HOST) },
};
#define NCMDS (sizeof(cmd_defs) / sizeof(cmd_defs[0]))

static const struct opt_help {
	int id;
	const char *name, *text;
} opt_helps[] = {
	{ O_SYSFS, "sysfs", "  --sysfs DIR          read sysfs from DIR instead of /sys\n" },
	{ O_CONFIG, "config", "  --config FILE        config file (default " DEFAULT_CONFIG ")\n" },
	{ O_NOCONFIG, "no-config", "  --no-config          ignore the config file, use built-in defaults\n" },
	{ O_SIDEA, "side-a", "  --side-a LIST, --side-b LIST   override a side: CIDRs and IP[=LABEL], comma separated\n" },
	{ O_SIDEB, "side-b", "" },
	{ O_JSON, "json", "  --json               JSON output\n" },
	{ O_ALL, "all", "  --all                every LUN\n" },
	{ O_POLICY, "policy", "  --policy P           least-blocks|weighted-paths|round-robin|queue-length|service-time\n" },
	{ O_WEIGHT, "weight", "  --weight SPEC        KEY=W,... with KEY = A, B, a portal label or a portal IP\n" },
	{ O_LAYOUT, "layout", "  --layout L           active-active (one group) | failover (preferred side first)\n" },
	{ O_PREFER, "prefer", "  --prefer A|B         preferred side for failover (default A)\n" },
	{ O_WPMODE, "wp-mode", "  --wp-mode M          weighted-paths mode: proportional (default) | priority\n" },
	{ O_QUEUE, "queue-if-no-path", "  --queue-if-no-path   queue I/O while no path is usable\n" },
	{ O_NPR, "no-path-retry", "  --no-path-retry N    fail|queue|N (N>0 only for conf: needs multipathd)\n" },
	{ O_HWH, "hw-handler", "  --hw-handler NAME    hardware handler (e.g. alua)\n" },
	{ O_DRY, "dry-run", "  --dry-run            apply, reinstate: show what would be done, change nothing\n" },
	{ O_FORCE, "force", "  --force              apply: do what the safety checks refuse (one side only,\n"
			    "                       dropping paths, held disks, multipathd's maps)\n" },
	{ O_HOST, "host", "  --host N             plan: host number 1..24\n" },
};

static const struct cmd_def *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmd_defs[i].name, name))
			return &cmd_defs[i];
	return NULL;
}

/* abpath COMMAND --help: what the command does and the options it takes */
static void cmd_usage(FILE *f, const struct cmd_def *c)
{
	size_t i;

	fprintf(f, "usage: abpath [options] %s%s%s\n  %s\noptions:\n", c->name, c->args[0] ? " " : "",
		c->args, c->what);
	for (i = 0; i < sizeof(opt_helps) / sizeof(opt_helps[0]); i++)
		if (c->opts & OB(opt_helps[i].id))
			fputs(opt_helps[i].text, f);
	fprintf(f, "  -h, --help\nSee abpath(8).\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: abpath [options] COMMAND [args]\n"
		"commands:\n"
		"  show                         sessions and LUNs with side, state and paths\n"
		"  table [WWID|alias...|--all]  print dm-multipath table lines\n"
		"  apply [WWID|alias...|--all]  create or reload the maps (--dry-run)\n"
		"  check                        redundancy and timeout checks (exit 0/1/2)\n"
		"  status [MAP...]              per-path dm state and selector counters\n"
		"  reinstate [MAP...]           reinstate failed paths whose session is back (--dry-run)\n"
		"  conf [WWID|alias...]         multipath.conf snippet for multipathd\n"
		"  plan --host N                RackStack pair assignment and retry order\n"
		"options:\n"
		"  --sysfs DIR          read sysfs from DIR instead of /sys\n"
		"  --config FILE        config file (default " DEFAULT_CONFIG ")\n"
		"  --no-config          ignore the config file, use built-in defaults\n"
		"  --side-a LIST, --side-b LIST   override a side: CIDRs and IP[=LABEL], comma separated\n"
		"  --json               JSON output\n"
		"  --policy P           least-blocks|weighted-paths|round-robin|queue-length|service-time\n"
		"  --weight SPEC        KEY=W,... with KEY = A, B, a portal label or a portal IP\n"
		"  --layout L           active-active (one group) | failover (preferred side first)\n"
		"  --prefer A|B         preferred side for failover (default A)\n"
		"  --wp-mode M          weighted-paths mode: proportional (default) | priority\n"
		"  --queue-if-no-path   queue I/O while no path is usable\n"
		"  --no-path-retry N    fail|queue|N (N>0 only for conf: needs multipathd)\n"
		"  --hw-handler NAME    hardware handler (e.g. alua)\n"
		"  --dry-run            apply, reinstate: show what would be done, change nothing\n"
		"  --force              apply: do what the safety checks refuse (one side only,\n"
		"                       dropping paths, held disks, multipathd's maps)\n"
		"  --host N             plan: host number 1..24\n"
		"  -h, --help, --version\n"
		"exit: 0 ok, 1 warnings (check), 2 errors (check), 64 usage, 65 bad input,\n"
		"      66 not found, 69 unavailable, 70 internal. See abpath(8).\n");
}


static int parse_args(int argc, char **argv, struct opts *o, const char **cmd)
{
	static const struct option lo[] = {
		{ "sysfs", required_argument, NULL, O_SYSFS },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "no-config", no_argument, NULL, O_NOCONFIG },
		{ "side-a", required_argument, NULL, O_SIDEA },
		{ "side-b", required_argument, NULL, O_SIDEB },
		{ "json", no_argument, NULL, O_JSON },
		{ "all", no_argument, NULL, O_ALL },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "force", no_argument, NULL, O_FORCE },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "weight", required_argument, NULL, O_WEIGHT },
		{ "layout", required_argument, NULL, O_LAYOUT },
		{ "prefer", required_argument, NULL, O_PREFER },
		{ "wp-mode", required_argument, NULL, O_WPMODE },
		{ "queue-if-no-path", no_argument, NULL, O_QUEUE },
		{ "no-path-retry", required_argument, NULL, O_NPR },
		{ "hw-handler", required_argument, NULL, O_HWH },
		{ "host", required_argument, NULL, O_HOST },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	unsigned long v;

	memset(o, 0, sizeof(*o));
	o->sysfs = "/sys";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c >= O_SYSFS && c < O_VERSION)
			o->given |= OB(c);
		else if (c == O_FORCE)
			o->given |= OB(c);
		switch (c) {
		case O_SYSFS: o->sysfs = optarg; break;
		case O_CONFIG: o->config = optarg; break;
		case O_NOCONFIG: o->no_config = true; break;
		case O_SIDEA: o->side_a = optarg; break;
		case O_SIDEB: o->side_b = optarg; break;
		case O_JSON: o->json = true; break;
		case O_ALL: o->all = true; break;
		case O_DRY: o->dry_run = true; break;
		case O_FORCE: o->force = true; break;
		case O_POLICY: o->policy = optarg; break;
		case O_WEIGHT: o->weight = optarg; break;
		case O_LAYOUT: o->layout = optarg; break;
		case O_PREFER: o->prefer = optarg; break;
		case O_WPMODE: o->wp_mode = optarg; break;
		case O_QUEUE: o->queue = true; break;
		case O_NPR: o->npr = optarg; break;
		case O_HWH: o->hwh = optarg; break;
		case O_HOST:
			if (ab_parse_uint(optarg, INT_MAX, &v)) {
				ab_err("--host: \"%s\" is not a number", optarg);
				return AB_USAGE;
			}
			o->host = (long)v;
			o->have_host = true;
			break;
		case 'h':
			o->help = true;
			break;
		case O_VERSION:
			printf("abpath %s\n", ABPATH_VERSION);
			exit(0);
		default:
			if (optopt >= O_SYSFS)
				ab_err("option %s needs an argument", argv[optind - 1]);
			else
				ab_err("unknown option %s", argv[optind - 1]);
			fprintf(stderr, "try: abpath --help\n");
			return AB_USAGE;
		}
	}
	if (optind >= argc) {
		if (o->help) {
			usage(stdout);
			exit(0);
		}
		usage(stderr);
		return AB_USAGE;
	}
	*cmd = argv[optind];
	if (o->help) {
		const struct cmd_def *cd = find_cmd(*cmd);

		if (cd)
			cmd_usage(stdout, cd);
		else
			usage(stdout);
		exit(0);
	}
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return 0;
}

static int load_config(const struct opts *o, struct ab_config *cfg)
{
	int rc;

	ab_config_defaults(cfg);
	if (o->config && o->no_config) {
		ab_err("--config and --no-config exclude each other");
		return AB_USAGE;
	}
	if (!o->no_config) {
		const char *path = o->config ? o->config : getenv("ABPATH_CONFIG");

		rc = ab_config_load_file(cfg, path ? path : DEFAULT_CONFIG, path != NULL);
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

static int table_opts(const struct opts *o, const struct ab_config *cfg,
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

/* Every --weight key must name something: A, B, a portal label or a portal IP. */
static int check_weight_keys(const struct opts *o, const struct ab_config *cfg,
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

/* Select LUNs by WWID/alias arguments or --all. */
static int select_luns(const struct opts *o, struct ab_inventory *inv, bool default_all,
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

static int validate(struct ab_lun **luns, int n)
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

static int cmd_show(const struct opts *o, struct ab_config *cfg, struct ab_inventory *inv,
		    int bad)
{
	int i;

	if (o->nargs) {
		ab_err("show takes no arguments");
		return AB_USAGE;
	}
	if (o->json) {
		json_object *j = ab_show_json(cfg, inv);

		ab_json_print(stdout, j);
		json_object_put(j);
	} else {
		ab_show_print(stdout, cfg, inv);
	}
	for (i = 0; i < inv->nsessions; i++)
		if (inv->sessions[i].side_err[0])
			ab_err("session%d: %s", inv->sessions[i].sid, inv->sessions[i].side_err);
	return bad ? AB_DATAERR : 0;
}

struct planned {
	char name[AB_STR];
	char uuid[AB_STR + 8];
	char table[16384];
	bool reload;
};

static int plan_tables(const struct opts *o, struct ab_config *cfg, struct ab_lun **luns,
		       int n, struct planned *p)
{
	struct ab_table_opts t;
	char npr[AB_NAME];
	int i, rc;

	rc = table_opts(o, cfg, &t, false, npr, sizeof(npr));
	if (rc)
		return rc;
	rc = validate(luns, n);
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

static json_object *planned_json(const struct planned *p, const struct ab_lun *l,
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

static int cmd_table(const struct opts *o, struct ab_config *cfg, struct ab_inventory *inv)
{
	struct ab_lun **luns;
	struct planned *p;
	int n, i, rc;

	rc = select_luns(o, inv, false, &luns, &n);
	if (rc)
		return rc;
	p = ab_xcalloc((size_t)n, sizeof(*p));
	rc = plan_tables(o, cfg, luns, n, p);
	if (!rc) {
		if (o->json) {
			json_object *a = json_object_new_array();

			json_object *top = json_object_new_object();

			for (i = 0; i < n; i++)
				json_object_array_add(a, planned_json(&p[i], luns[i], NULL));
			json_object_object_add(top, "maps", a);
			ab_json_print(stdout, top);
			json_object_put(top);
		} else {
			if (cfg->builtin_sides)
				printf("# sides: built-in default (RackStack runbook portals; no config file)\n");
			for (i = 0; i < n; i++)
				printf("# map %s uuid %s\n%s\n", p[i].name, p[i].uuid, p[i].table);
		}
	}
	free(p);
	free(luns);
	return rc;
}

/* Is the inventory read from the running system's /sys (not a fixture)? */
static bool live_sysfs(const struct ab_inventory *inv)
{
	char *rp = realpath(inv->root, NULL);
	bool live = rp && !strcmp(rp, "/sys");

	free(rp);
	return live;
}

/* Every holder of every path (and of its partitions) must be the map we are
 * about to create/reload.  A map of multipathd (uuid mpath-WWID) is
 * multipathd's: refused unless --force (then reloaded under its uuid). */
static int check_holders(const struct opts *o, const struct ab_lun *l, struct planned *p,
			 bool *held_by_us, char *ourdev, size_t dlen)
{
	char mpd[AB_STR + 8];
	int i, k;

	*held_by_us = false;
	ourdev[0] = '\0';
	ab_fmt(mpd, sizeof(mpd), AB_MPATHD_PREFIX "%s", l->wwid);
	for (i = 0; i < l->npaths; i++) {
		const struct ab_disk *d = l->paths[i];

		for (k = 0; k < d->nholders; k++) {
			const struct ab_holder *h = &d->holders[k];
			bool ours = !h->part[0] && (!strcmp(h->uuid, p->uuid) ||
						    (!h->uuid[0] && !strcmp(h->name, p->name)));

			if (!h->part[0] && !strcmp(h->uuid, mpd)) {
				if (!o->force) {
					ab_err("%s is in map \"%s\" (uuid %s), a map of multipathd (which adopts every mpath- map): refusing to change it.\n"
					       "  fix: manage this LUN with multipathd ('abpath conf' writes its multipath.conf snippet),\n"
					       "  or remove the map when nothing uses it ('dmsetup remove %s') and apply again; --force reloads it as it is",
					       d->name, h->name[0] ? h->name : h->dev, h->uuid, h->name[0] ? h->name : h->dev);
					return AB_DATAERR;
				}
				ab_copy(p->uuid, sizeof(p->uuid), h->uuid);
				if (h->name[0])
					ab_copy(p->name, sizeof(p->name), h->name);
				ours = true;
			}
			if (!h->part[0] && !strcmp(h->uuid, p->uuid) && h->name[0] &&
			    strcmp(h->name, p->name)) {
				ab_err("%s is in map \"%s\" (uuid %s), which should now be named %s: run 'dmsetup rename %s %s' (or remove the map) first",
				       d->name, h->name, h->uuid, p->name, h->name, p->name);
				return AB_DATAERR;
			}
			if (ours) {
				*held_by_us = true;
				ab_copy(ourdev, dlen, h->dev);
				continue;
			}
			if (o->force) {
				ab_warn("%s%s%s is held by %s (\"%s\"): going on (--force)", h->part[0] ? h->part : d->name,
					h->part[0] ? " of " : "", h->part[0] ? d->name : "", h->dev,
					h->name[0] ? h->name : "?");
				continue;
			}
			if (h->part[0])
				ab_err("%s (a partition of %s) is held by %s (\"%s\", uuid \"%s\"): refusing to put %s into %s.\n"
				       "  fix: stop using the partition (e.g. vgchange -an, umount) and remove %s, or --force",
				       h->part, d->name, h->dev, h->name[0] ? h->name : "?",
				       h->uuid[0] ? h->uuid : "?", d->name, p->name, h->dev);
			else
				ab_err("%s is already held by %s (map \"%s\", uuid \"%s\"): refusing to put it into %s.\n"
				       "  fix: stop using the disk directly and remove %s (dmsetup remove), or --force",
				       d->name, h->dev, h->name[0] ? h->name : "?", h->uuid[0] ? h->uuid : "?",
				       p->name, h->dev);
			return AB_DATAERR;
		}
	}
	return 0;
}

/* A map must have a path on side A and one on side B. */
static int check_sides(const struct opts *o, const struct ab_lun *l, const struct planned *p)
{
	bool has[3] = { false, false, false };
	int i;

	for (i = 0; i < l->npaths; i++)
		has[l->paths[i]->sess->side] = true;
	if (has[SIDE_A] && has[SIDE_B])
		return 0;
	if (o->force) {
		ab_warn("%s: no path on side %s: building it anyway (--force)", p->name,
			has[SIDE_A] ? "B" : "A");
		return 0;
	}
	ab_err("%s: no path on side %s (%d path(s), all on side %s): the map would not survive a side's outage; refusing.\n"
	       "  fix: log in to a side %s portal (iscsiadm -m node -p PORTAL --login), check the side rules\n"
	       "  ('abpath check', --side-a/--side-b), or --force",
	       p->name, has[SIDE_A] ? "B" : "A", l->npaths, has[SIDE_A] ? "A" : "B",
	       has[SIDE_A] ? "B" : "A");
	return AB_DATAERR;
}

/* A reload must keep every path the map has now (block/DM/slaves). */
static int check_drops(const struct opts *o, const struct ab_inventory *inv,
		       const struct ab_lun *l, const struct planned *p, const char *dmdev)
{
	char **sl;
	int n, i, j, rc = 0;

	if (!dmdev[0])
		return 0;
	if (ab_dm_slaves(inv->root, dmdev, &sl, &n)) {
		ab_err("cannot read %s/block/%s/slaves: %s", inv->root, dmdev, strerror(errno));
		return AB_DATAERR;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < l->npaths; j++)
			if (!strcmp(sl[i], l->paths[j]->name))
				break;
		if (j < l->npaths)
			continue;
		if (o->force) {
			ab_warn("%s: the reload drops path %s (--force)", p->name, sl[i]);
		} else if (!rc) {
			ab_err("%s: the reload would drop path %s (in the map now, not among the LUN's discovered paths): refusing.\n"
			       "  fix: wait until its session is back ('abpath show'), or --force to drop it",
			       p->name, sl[i]);
			rc = AB_DATAERR;
		}
	}
	for (i = 0; i < n; i++)
		free(sl[i]);
	free(sl);
	return rc;
}

static int cmd_apply(const struct opts *o, struct ab_config *cfg, struct ab_inventory *inv)
{
	struct ab_lun **luns;
	struct planned *p;
	char dmdev[AB_NAME];
	int n, i, rc;
	bool live = false;
	json_object *arr = NULL;

	rc = select_luns(o, inv, false, &luns, &n);
	if (rc)
		return rc;
	p = ab_xcalloc((size_t)n, sizeof(*p));
	rc = plan_tables(o, cfg, luns, n, p);
	/* validate everything before touching device-mapper */
	for (i = 0; !rc && i < n; i++) {
		int j;

		for (j = 0; j < i; j++)
			if (!strcmp(p[j].name, p[i].name)) {
				ab_err("two LUNs map to the same name %s (alias clash)", p[i].name);
				rc = AB_DATAERR;
			}
		if (!rc)
			rc = check_sides(o, luns[i], &p[i]);
		if (!rc)
			rc = check_holders(o, luns[i], &p[i], &p[i].reload, dmdev, sizeof(dmdev));
		if (!rc && p[i].reload)
			rc = check_drops(o, inv, luns[i], &p[i], dmdev);
	}
	if (!rc && !o->dry_run && live_sysfs(inv) && ab_multipathd_running("/proc/net/unix")) {
		if (o->force) {
			ab_warn("multipathd is running: applying anyway (--force)");
		} else {
			ab_err("multipathd is running: it manages the multipath maps of this host and may claim these paths; refusing.\n"
			       "  fix: let multipathd build the maps ('abpath conf > /etc/multipath/conf.d/abpath.conf',\n"
			       "  then 'multipathd reconfigure'), or stop multipathd, or blacklist these WWIDs in its\n"
			       "  multipath.conf (blacklist { wwid \"^WWID$\" }) and use --force");
			rc = AB_DATAERR;
		}
	}
	if (!rc && !o->dry_run) {
		live = live_sysfs(inv);
		if (!live) {
			ab_err("apply without --dry-run needs the live sysfs (--sysfs %s is not /sys)",
			       inv->root);
			rc = AB_USAGE;
		} else if (ab_dm_available()) {
			ab_err("device-mapper is not available (need root and the dm driver)");
			rc = AB_UNAVAIL;
		}
	}
	if (!rc && live) {
		for (i = 0; !rc && i < n; i++) {
			char uuid[AB_STR] = "";
			int ex = ab_dm_exists(p[i].name, uuid, sizeof(uuid));

			if (ex < 0) {
				ab_err("device-mapper: cannot query map %s", p[i].name);
				rc = AB_UNAVAIL;
			} else if (ex && strcmp(uuid, p[i].uuid)) {
				ab_err("a map named %s exists with uuid \"%s\", not %s: refusing to reload it",
				       p[i].name, uuid, p[i].uuid);
				rc = AB_DATAERR;
			} else {
				p[i].reload = ex;
			}
		}
	}
	if (o->json && !rc)
		arr = json_object_new_array();
	else if (!rc && cfg->builtin_sides)
		printf("sides: built-in default (RackStack runbook portals; no config file)\n");
	for (i = 0; !rc && i < n; i++) {
		const char *what = p[i].reload ? "reload" : "create";

		if (!o->dry_run) {
			rc = ab_dm_load(p[i].name, p[i].uuid, p[i].table, p[i].reload);
			if (rc)
				break;
		}
		if (arr)
			json_object_array_add(arr, planned_json(&p[i], luns[i], what));
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

static int cmd_check(const struct opts *o, struct ab_config *cfg, struct ab_inventory *inv)
{
	struct ab_finding *f;
	int n, i, worst, cnt[4] = { 0 };

	if (o->nargs) {
		ab_err("check takes no arguments");
		return AB_USAGE;
	}
	worst = ab_check(cfg, inv, &f, &n);
	for (i = 0; i < n; i++)
		cnt[f[i].sev]++;
	if (o->json) {
		json_object *top = json_object_new_object(), *a = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "severity", json_object_new_string(ab_sev_name(f[i].sev)));
			json_object_object_add(x, "subject", json_object_new_string(f[i].subject));
			json_object_object_add(x, "code", json_object_new_string(f[i].code));
			json_object_object_add(x, "message", json_object_new_string(f[i].msg));
			json_object_object_add(x, "fix", json_object_new_string(f[i].fix));
			json_object_array_add(a, x);
		}
		json_object_object_add(top, "config", ab_sides_json(cfg));
		json_object_object_add(top, "findings", a);
		json_object_object_add(top, "exit_status", json_object_new_int(worst));
		ab_json_print(stdout, top);
		json_object_put(top);
	} else {
		char desc[2048];

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
	free(f);
	return worst;
}

static int cmd_status(const struct opts *o, struct ab_inventory *inv)
{
	struct ab_st_map *maps;
	int n, rc;

	rc = ab_maps_read(o->args, o->nargs, inv, &maps, &n);
	if (rc)
		return rc;
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "maps", ab_status_json(maps, n));
		ab_json_print(stdout, j);
		json_object_put(j);
	} else {
		ab_status_print(stdout, maps, n);
	}
	ab_maps_free(maps, n);
	return 0;
}

static int cmd_reinstate(const struct opts *o, struct ab_inventory *inv)
{
	struct ab_st_map *maps;
	struct ab_ri_item *it;
	int n, ni, rc;

	if (!o->dry_run && !live_sysfs(inv)) {
		ab_err("reinstate without --dry-run needs the live sysfs (--sysfs %s is not /sys)",
		       inv->root);
		return AB_USAGE;
	}
	rc = ab_maps_read(o->args, o->nargs, inv, &maps, &n);
	if (rc)
		return rc;
	ab_reinstate_plan(maps, n, inv, &it, &ni);
	rc = ab_reinstate_run(stdout, it, ni, o->dry_run ? NULL : ab_dm_message, o->json);
	free(it);
	ab_maps_free(maps, n);
	return rc;
}

static int cmd_conf(const struct opts *o, struct ab_config *cfg, struct ab_inventory *inv)
{
	struct ab_lun **luns;
	struct ab_table_opts t;
	char npr[AB_NAME];
	int n, rc;

	rc = table_opts(o, cfg, &t, true, npr, sizeof(npr));
	if (rc)
		return rc;
	rc = select_luns(o, inv, true, &luns, &n);
	if (rc)
		return rc;
	rc = validate(luns, n);
	if (!rc)
		rc = ab_conf_emit(stdout, cfg, &t, luns, n, npr, o->json);
	free(luns);
	return rc;
}

int ab_main(int argc, char **argv)
{
	struct opts o;
	struct ab_config cfg;
	struct ab_inventory inv;
	const char *cmd = NULL;
	int rc, bad = 0;
	const struct cmd_def *cd;
	size_t i;

	rc = parse_args(argc, argv, &o, &cmd);
	if (rc)
		return rc;
	cd = find_cmd(cmd);
	if (!cd) {
		ab_err("unknown command \"%s\" (show, table, apply, check, status, reinstate, conf, plan)",
		       cmd);
		return AB_USAGE;
	}
	/* per-command option sets: an option the command does not take is an error */
	if (o.given & ~cd->opts) {
		for (i = 0; i < sizeof(opt_helps) / sizeof(opt_helps[0]); i++)
			if (o.given & ~cd->opts & OB(opt_helps[i].id))
				break;
		ab_err("option --%s does not apply to %s (see: abpath %s --help)",
		       i < sizeof(opt_helps) / sizeof(opt_helps[0]) ? opt_helps[i].name : "?", cmd, cmd);
		return AB_USAGE;
	}
	if (!strcmp(cmd, "plan") && !o.have_host) {
		ab_err("plan needs --host N");
		return AB_USAGE;
	}
	rc = load_config(&o, &cfg);
	if (rc) {
		ab_config_free(&cfg);
		return rc;
	}
	if (!strcmp(cmd, "plan")) {
		if (o.nargs) {
			ab_err("plan takes no arguments");
			rc = AB_USAGE;
		} else {
			rc = ab_plan(stdout, &cfg, o.host, o.json);
		}
		ab_config_free(&cfg);
		return rc;
	}
	rc = ab_discover(o.sysfs, &inv);
	if (rc && !strcmp(cmd, "status") && rc != AB_NOINPUT) {
		/* status reads device-mapper; sysfs only names the paths */
		ab_warn("sysfs discovery failed; path sides will be unknown");
		ab_inventory_free(&inv);
		ab_copy(inv.root, sizeof(inv.root), o.sysfs);
		rc = 0;
	}
	if (rc) {
		ab_inventory_free(&inv);
		ab_config_free(&cfg);
		return rc;
	}
	bad = ab_classify(&cfg, &inv);
	rc = check_weight_keys(&o, &cfg, &inv);
	if (rc) {
		ab_inventory_free(&inv);
		ab_config_free(&cfg);
		return rc;
	}
	for (i = 0; i < (size_t)inv.nskipped; i++)
		ab_warn("session%d skipped: %s", inv.skipped[i].sid, inv.skipped[i].error);
	if (inv.nskipped && (!strcmp(cmd, "table") || !strcmp(cmd, "conf") ||
			     (!strcmp(cmd, "apply") && !o.force))) {
		ab_err("%d session(s) could not be read: the paths they carry would be missing from the %s.\n"
		       "  fix: check them (iscsiadm -m session -P 3, abpath check) and run again when they are back or gone%s",
		       inv.nskipped, strcmp(cmd, "conf") ? "tables" : "configuration",
		       strcmp(cmd, "apply") ? "" : "; --force goes on without them");
		ab_inventory_free(&inv);
		ab_config_free(&cfg);
		return AB_DATAERR;
	}
	if (!strcmp(cmd, "show"))
		rc = cmd_show(&o, &cfg, &inv, bad);
	else if (!strcmp(cmd, "table"))
		rc = cmd_table(&o, &cfg, &inv);
	else if (!strcmp(cmd, "apply"))
		rc = cmd_apply(&o, &cfg, &inv);
	else if (!strcmp(cmd, "check"))
		rc = cmd_check(&o, &cfg, &inv);
	else if (!strcmp(cmd, "status"))
		rc = cmd_status(&o, &inv);
	else if (!strcmp(cmd, "reinstate"))
		rc = cmd_reinstate(&o, &inv);
	else
		rc = cmd_conf(&o, &cfg, &inv);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
	return rc;
}
