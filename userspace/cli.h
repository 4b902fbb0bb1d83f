/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - what abpath's command line (main.c) shares with the commands
 * (cmd_*.c) and their helpers (cli_*.c, apply_safety.c).  The library
 * behind them is declared in abpath.h.
 */
#ifndef ABPATH_CLI_H
#define ABPATH_CLI_H

#include "abpath.h"

#define AB_DEFAULT_CONFIG "/etc/abpath.json"

/* The command line as parsed by main.c. */
struct ab_opts {
	const char *sysfs;
	const char *config;
	bool no_config;
	const char *side_a, *side_b;
	bool json, all, dry_run, force, help;
	unsigned long given;	/* OB() of every option on the command line */
	const char *policy, *weight, *layout, *prefer, *wp_mode, *npr, *hwh;
	bool queue;
	const char *output, *refresh;	/* conf --output FILE, --refresh FILE */
	bool reconfigure;		/* conf: multipathd reconfigure after a change */
	long host;
	char **args;
	int nargs;
};

/* What a command runs with (main.c prepares it). */
struct ab_cmd_ctx {
	const struct ab_opts *o;
	struct ab_config *cfg;
	struct ab_inventory *inv;	/* NULL for a command that reads no sysfs */
	int bad_sessions;		/* sessions whose side could not be decided */
};

/* cmd_check.c: check's output */
void ab_check_print(FILE *out, const struct ab_config *cfg, const struct ab_inventory *inv,
		    const struct ab_check_dm *dm, const struct ab_finding *f, int n, int worst,
		    bool json);

/* one per command: cmd_<name>.c; the return value is the exit status */
int ab_cmd_show(const struct ab_cmd_ctx *c);
int ab_cmd_table(const struct ab_cmd_ctx *c);
int ab_cmd_apply(const struct ab_cmd_ctx *c);
int ab_cmd_check(const struct ab_cmd_ctx *c);
int ab_cmd_status(const struct ab_cmd_ctx *c);
int ab_cmd_reinstate(const struct ab_cmd_ctx *c);
int ab_cmd_conf(const struct ab_cmd_ctx *c);
int ab_cmd_plan(const struct ab_cmd_ctx *c);

/* conf_file.c: conf --output FILE (written only when it changes, then
 * multipathd reconfigure with --reconfigure) and conf --refresh FILE (conf
 * again with the arguments FILE records) */
int ab_conf_output(const struct ab_opts *o, const struct ab_config *cfg,
		   const struct ab_table_opts *t, struct ab_lun **luns, int n, const char *npr);
int ab_conf_refresh(const struct ab_opts *o);

/* What a command needs of sysfs discovery (a line of main.c's command table). */
struct ab_cmd_sysfs {
	bool optional;		/* a failed discovery is a warning (status) */
	const char *complete;	/* every session must be read, else this would miss paths */
	bool force_incomplete;	/* ... unless --force */
};

/* cli_setup.c: the config and inventory a command runs with */
int ab_cli_load_config(const struct ab_opts *o, struct ab_config *cfg);
int ab_cli_discover(const struct ab_opts *o, const struct ab_cmd_sysfs *need,
		    const struct ab_config *cfg, struct ab_inventory *inv, int *bad);

/* cli_luns.c: the LUNs a command names */
int ab_cli_select_luns(const struct ab_opts *o, struct ab_inventory *inv, bool default_all,
		       struct ab_lun ***out, int *n);
int ab_cli_validate_luns(struct ab_lun **luns, int n);

/* cli_tables.c: table options and the maps table/apply would build */
struct ab_planned {
	char name[AB_STR];
	char uuid[AB_STR + 8];
	char table[16384];
	bool reload;
};

int ab_cli_table_opts(const struct ab_opts *o, const struct ab_config *cfg,
		      struct ab_table_opts *t, bool for_conf, char *npr, size_t nlen);
int ab_cli_plan_maps(const struct ab_opts *o, struct ab_config *cfg, struct ab_inventory *inv,
		     struct ab_lun ***luns, struct ab_planned **p, int *n);
struct json_object *ab_cli_planned_json(const struct ab_planned *p, const struct ab_lun *l,
					const char *action);

/* apply_safety.c: what apply refuses (unless --force) before touching dm */
int ab_apply_check_maps(const struct ab_opts *o, const struct ab_inventory *inv,
			struct ab_lun **luns, struct ab_planned *p, int n);
int ab_apply_check_host(const struct ab_opts *o, const struct ab_inventory *inv, bool *live);
int ab_apply_check_dm(struct ab_planned *p, int n);

#endif
