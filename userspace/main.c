// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - abpath's command line: the options, the command table, the help
 * texts, and the dispatch.  Each command is in cmd_<name>.c; what they
 * share is in cli_*.c (cli.h).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

enum { O_SYSFS = 256, O_CONFIG, O_NOCONFIG, O_SIDEA, O_SIDEB, O_JSON, O_ALL, O_DRY,
       O_POLICY, O_WEIGHT, O_LAYOUT, O_PREFER, O_WPMODE, O_QUEUE, O_NPR, O_HWH, O_HOST,
       O_VERSION, O_FORCE, O_OUTPUT, O_REFRESH, O_RECONF };

#define OB(x) (1UL << ((x) - O_SYSFS))
/* options every command takes */
#define OPT_COMMON (OB(O_SYSFS) | OB(O_CONFIG) | OB(O_NOCONFIG) | OB(O_SIDEA) | OB(O_SIDEB) | \
		    OB(O_JSON))
#define OPT_TABLE (OB(O_ALL) | OB(O_POLICY) | OB(O_WEIGHT) | OB(O_LAYOUT) | OB(O_PREFER) | \
		   OB(O_WPMODE) | OB(O_QUEUE) | OB(O_NPR) | OB(O_HWH))

/* what a command needs of sysfs discovery (NULL in the table: reads none) */
static const struct ab_cmd_sysfs sysfs_any = { .optional = false };
static const struct ab_cmd_sysfs sysfs_optional = { .optional = true };
static const struct ab_cmd_sysfs sysfs_tables = { .complete = "tables" };
static const struct ab_cmd_sysfs sysfs_apply = { .complete = "tables", .force_incomplete = true };
static const struct ab_cmd_sysfs sysfs_conf = { .complete = "configuration" };

static const struct cmd_def {
	const char *name, *args, *what;
	unsigned long opts;		/* the options it takes */
	unsigned long required;		/* of those, the ones it cannot do without */
	const struct ab_cmd_sysfs *sysfs;
	int (*run)(const struct ab_cmd_ctx *c);
} cmd_defs[] = {
	{ .name = "show", .args = "", .what = "sessions and LUNs with side, state and paths",
	  .opts = OPT_COMMON, .sysfs = &sysfs_any, .run = ab_cmd_show },
	{ .name = "table", .args = "[WWID|alias...|--all]", .what = "print dm-multipath table lines",
	  .opts = OPT_COMMON | OPT_TABLE, .sysfs = &sysfs_tables, .run = ab_cmd_table },
	{ .name = "apply", .args = "[WWID|alias...|--all]", .what = "create or reload the maps",
	  .opts = OPT_COMMON | OPT_TABLE | OB(O_DRY) | OB(O_FORCE),
	  .sysfs = &sysfs_apply, .run = ab_cmd_apply },
	{ .name = "check", .args = "", .what = "redundancy and timeout checks (exit 0/1/2)",
	  .opts = OPT_COMMON, .sysfs = &sysfs_any, .run = ab_cmd_check },
	{ .name = "status", .args = "[MAP...]", .what = "per-path dm state and selector counters",
	  .opts = OPT_COMMON, .sysfs = &sysfs_optional, .run = ab_cmd_status },
	{ .name = "reinstate", .args = "[MAP...]",
	  .what = "reinstate failed paths whose session is back, fail back",
	  .opts = OPT_COMMON | OB(O_DRY), .sysfs = &sysfs_any, .run = ab_cmd_reinstate },
	{ .name = "conf", .args = "[WWID|alias...]", .what = "multipath.conf snippet for multipathd",
	  .opts = OPT_COMMON | (OPT_TABLE & ~OB(O_ALL)) | OB(O_OUTPUT) | OB(O_REFRESH) | OB(O_RECONF),
	  .sysfs = &sysfs_conf, .run = ab_cmd_conf },
	{ .name = "plan", .args = "--host N", .what = "RackStack pair assignment and retry order",
	  .opts = OB(O_CONFIG) | OB(O_NOCONFIG) | OB(O_SIDEA) | OB(O_SIDEB) | OB(O_JSON) | OB(O_HOST),
	  .required = OB(O_HOST), .sysfs = NULL, .run = ab_cmd_plan },
};
#define NCMDS (sizeof(cmd_defs) / sizeof(cmd_defs[0]))

static const struct opt_help {
	int id;
	const char *name, *text;
} opt_helps[] = {
	{ O_SYSFS, "sysfs", "  --sysfs DIR          read sysfs from DIR instead of /sys\n" },
	{ O_CONFIG, "config", "  --config FILE        config file (default " AB_DEFAULT_CONFIG ")\n" },
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
	{ O_OUTPUT, "output", "  --output FILE        conf: write FILE (only when its text changes), recording\n"
			      "                       the arguments for --refresh\n" },
	{ O_REFRESH, "refresh", "  --refresh FILE       conf: write FILE again with the arguments it records\n"
				"                       (after a re-login: new SCSI host numbers)\n" },
	{ O_RECONF, "reconfigure", "  --reconfigure        conf: run \"multipathd reconfigure\" when FILE changed\n" },
};
#define NOPTS (sizeof(opt_helps) / sizeof(opt_helps[0]))

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
	for (i = 0; i < NOPTS; i++)
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
		"  --config FILE        config file (default " AB_DEFAULT_CONFIG ")\n"
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
		"  --output FILE        conf: write FILE (only when its text changes)\n"
		"  --refresh FILE       conf: write FILE again with the arguments it records\n"
		"  --reconfigure        conf: run \"multipathd reconfigure\" when FILE changed\n"
		"  -h, --help, --version\n"
		"exit: 0 ok, 1 warnings (check), 2 errors (check), 64 usage, 65 bad input,\n"
		"      66 not found, 69 unavailable, 70 internal. See abpath(8).\n");
}


static int parse_args(int argc, char **argv, struct ab_opts *o, const char **cmd)
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
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "refresh", required_argument, NULL, O_REFRESH },
		{ "reconfigure", no_argument, NULL, O_RECONF },
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
		if (c >= O_SYSFS && c != O_VERSION)
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
		case O_OUTPUT: o->output = optarg; break;
		case O_REFRESH: o->refresh = optarg; break;
		case O_RECONF: o->reconfigure = true; break;
		case O_HOST:
			if (ab_parse_uint(optarg, INT_MAX, &v)) {
				ab_err("--host: \"%s\" is not a number", optarg);
				return AB_USAGE;
			}
			o->host = (long)v;
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

/* an option the command does not take, or one it needs and did not get */
static int check_cmd_opts(const struct ab_opts *o, const struct cmd_def *cd)
{
	size_t i;

	if (o->given & ~cd->opts) {
		for (i = 0; i < NOPTS; i++)
			if (o->given & ~cd->opts & OB(opt_helps[i].id))
				break;
		ab_err("option --%s does not apply to %s (see: abpath %s --help)",
		       i < NOPTS ? opt_helps[i].name : "?", cd->name, cd->name);
		return AB_USAGE;
	}
	if (cd->required & ~o->given) {
		ab_err("%s needs %s", cd->name, cd->args);
		return AB_USAGE;
	}
	if (o->refresh && (o->given & ~(OB(O_REFRESH) | OB(O_RECONF)))) {
		ab_err("conf --refresh FILE takes its arguments from FILE: no other option but --reconfigure");
		return AB_USAGE;
	}
	if (o->reconfigure && !o->output && !o->refresh) {
		ab_err("--reconfigure needs --output FILE or --refresh FILE");
		return AB_USAGE;
	}
	return 0;
}

static void unknown_cmd(const char *cmd)
{
	char names[128] = "";
	size_t i;

	for (i = 0; i < NCMDS; i++) {
		strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
		strncat(names, cmd_defs[i].name, sizeof(names) - strlen(names) - 1);
	}
	ab_err("unknown command \"%s\" (%s)", cmd, names);
}

int ab_main(int argc, char **argv)
{
	struct ab_opts o;
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_cmd_ctx ctx = { .o = &o, .cfg = &cfg };
	const struct cmd_def *cd;
	const char *cmd = NULL;
	int rc;

	rc = parse_args(argc, argv, &o, &cmd);
	if (rc)
		return rc;
	cd = find_cmd(cmd);
	if (!cd) {
		unknown_cmd(cmd);
		return AB_USAGE;
	}
	rc = check_cmd_opts(&o, cd);
	if (rc)
		return rc;
	if (o.refresh)		/* conf again, with the arguments the file records */
		return ab_conf_refresh(&o);
	rc = ab_cli_load_config(&o, &cfg);
	if (!rc && !cd->sysfs) {
		rc = cd->run(&ctx);
	} else if (!rc) {
		rc = ab_cli_discover(&o, cd->sysfs, &cfg, &inv, &ctx.bad_sessions);
		if (!rc) {
			ctx.inv = &inv;
			rc = cd->run(&ctx);
			ab_inventory_free(&inv);
		}
	}
	ab_config_free(&cfg);
	return rc;
}
