/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abpath - A/B side iSCSI multipath helper.
 * Shared types and declarations.
 */
#ifndef ABPATH_H
#define ABPATH_H

#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes (documented in abpath(8)). */
enum ab_exit {
	AB_OK = 0,		/* success */
	AB_WARN = 1,		/* check: worst finding is a warning */
	AB_CRIT = 2,		/* check: worst finding is an error/critical */
	AB_USAGE = 64,		/* bad command line */
	AB_DATAERR = 65,	/* bad input: config, sysfs, unknown side, disk in use */
	AB_NOINPUT = 66,	/* sysfs root, config file or LUN/map not found */
	AB_UNAVAIL = 69,	/* no usable paths, device-mapper unavailable/failed */
	AB_SOFTWARE = 70,	/* internal error (out of memory, ...) */
};

enum ab_side { SIDE_NONE = 0, SIDE_A = 1, SIDE_B = 2 };

#define AB_NAME 64
#define AB_STR 256
#define AB_PATH 4096

/* util.c */
void ab_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ab_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ab_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ab_read_attr(const char *dir, const char *name, char *buf, size_t len);
int ab_read_attr_long(const char *dir, const char *name, long *val);
bool ab_exists(const char *path);
int ab_devname_cmp(const char *a, const char *b);
void *ab_xcalloc(size_t n, size_t sz);
void *ab_xrealloc(void *p, size_t n, size_t sz);
char *ab_xstrdup(const char *s);
void ab_copy(char *dst, size_t len, const char *src);
const char *ab_side_name(enum ab_side s);
enum ab_side ab_side_parse(const char *s);
int ab_parse_uint(const char *s, unsigned long max, unsigned long *out);
int ab_parse_devt(const char *s, unsigned *maj, unsigned *min);
void ab_err_capture(char *buf, size_t len);

/* wwid.c */
int ab_wwid_normalise(const char *raw, char *out, size_t len);
int ab_wwid_from_vpd83(const unsigned char *buf, size_t len, char *out, size_t outlen);

/* sysfs.c: discovery */
struct ab_holder {
	char dev[AB_NAME];	/* dm-3 */
	char name[AB_STR];	/* map name from dm/name, "" if unknown */
	char uuid[AB_STR];	/* dm/uuid, "" if unknown */
	char part[AB_NAME];	/* holds this partition (sdb1), "" = the whole disk */
};

/* uuid prefix of abpath's maps: not multipathd's "mpath-", which it adopts */
#define AB_UUID_PREFIX "abpath-"
#define AB_MPATHD_PREFIX "mpath-"

struct ab_session;

struct ab_disk {
	char name[AB_NAME];	/* sdb */
	char hctl[AB_NAME];	/* 2:0:0:1 */
	unsigned major, minor;
	unsigned long long sectors;
	char raw_wwid[AB_STR];
	char wwid[AB_STR];	/* normalised (multipath uid) */
	char state[AB_NAME];	/* SCSI device state ("running"), "" if absent */
	char vendor[AB_NAME];	/* SCSI vendor / model ("LIO-ORG"), "" if absent */
	char model[AB_NAME];
	char alua[AB_NAME];	/* ALUA access_state ("active/optimized"), "" without ALUA */
	struct ab_holder *holders;
	int nholders;
	struct ab_session *sess;
};

struct ab_session {
	int sid;
	char targetname[AB_STR];
	char state[AB_NAME];		/* LOGGED_IN, FAILED, FREE */
	char conn_state[AB_NAME];	/* up, down, failed, ... */
	char portal_ip[AB_NAME];	/* persistent address */
	int portal_port;
	char cur_ip[AB_NAME];		/* current address */
	int cur_port;
	long recovery_tmo;		/* -1000 = unknown */
	long noop_interval;		/* recv_tmo, -1000 = unknown */
	long noop_timeout;		/* ping_tmo, -1000 = unknown */
	char ifacename[AB_NAME];
	int host;			/* SCSI host number, -1 unknown */
	char local_ip[AB_NAME];		/* iscsi_host ipaddress, "" unknown */
	char netdev[AB_NAME];
	enum ab_side side;
	char label[AB_NAME];
	char side_err[AB_STR];		/* non-empty: side could not be decided */
	struct ab_disk *disks;
	int ndisks;
};

#define AB_UNKNOWN_TMO (-1000)

struct ab_lun {
	char wwid[AB_STR];
	char alias[AB_STR];
	unsigned long long sectors;
	struct ab_disk **paths;
	int npaths;
};

/* a session discovery could not read: reported and skipped */
struct ab_skipped {
	int sid;
	char error[AB_PATH];
};

struct ab_inventory {
	char root[AB_PATH];
	struct ab_session *sessions;
	int nsessions;
	struct ab_skipped *skipped;
	int nskipped;
	struct ab_lun *luns;
	int nluns;
};

int ab_discover(const char *root, struct ab_inventory *inv);
void ab_inventory_free(struct ab_inventory *inv);
int ab_dm_slaves(const char *root, const char *dmdev, char ***out, int *n);
bool ab_multipathd_running(const char *proc_net_unix);
int ab_dm_holder_info(const char *root, const char *dmdev, struct ab_holder *h);
const struct ab_disk *ab_disk_by_devt(const struct ab_inventory *inv, unsigned maj,
				     unsigned min);
int ab_devname_from_devt(const struct ab_inventory *inv, unsigned maj, unsigned min,
			 char *out, size_t len);
const char *ab_lun_name(const struct ab_lun *l);
struct ab_lun *ab_find_lun(struct ab_inventory *inv, const char *key);
bool ab_session_usable(const struct ab_session *s);
bool ab_sysfs_live(const struct ab_inventory *inv);

/* config.c */
struct ab_rule {
	enum ab_side side;
	bool cidr;
	int family;		/* AF_INET / AF_INET6 */
	unsigned char addr[16];
	int prefix;
	char text[AB_NAME];	/* as written */
	char label[AB_NAME];
};

struct ab_weight {
	char key[AB_NAME];	/* "A", "B", label, or portal IP */
	long value;
};

struct ab_alias {
	char wwid[AB_STR];
	char alias[AB_STR];
};

#define AB_MAX_PAIRS 16

struct ab_plan_cfg {
	char subnet[AB_NAME];
	int npairs;
	char pair_a[AB_MAX_PAIRS][AB_NAME];
	char pair_b[AB_MAX_PAIRS][AB_NAME];
	int retry[AB_MAX_PAIRS][AB_MAX_PAIRS];	/* per primary: order of pair indexes */
	int nretry;
	int max_host;
};

struct ab_config {
	char source[AB_PATH];	/* file read, or "" */
	bool builtin_sides;	/* default sides are in use */
	struct ab_rule *rules;
	int nrules;
	struct ab_weight *weights;
	int nweights;
	struct ab_alias *aliases;
	int naliases;
	char policy[AB_NAME];
	char layout[AB_NAME];
	enum ab_side prefer;
	char no_path_retry[AB_NAME];	/* "", "queue", "fail", or a number */
	char hw_handler[AB_NAME];
	struct ab_plan_cfg plan;
};

void ab_config_defaults(struct ab_config *cfg);
int ab_config_load_file(struct ab_config *cfg, const char *path, bool must_exist);
int ab_config_load_string(struct ab_config *cfg, const char *text, const char *what);
int ab_config_set_side(struct ab_config *cfg, enum ab_side side, const char *list);
int ab_config_parse_weights(struct ab_config *cfg, const char *spec);
int ab_rule_parse(const char *text, const char *label, enum ab_side side, struct ab_rule *r);
void ab_config_free(struct ab_config *cfg);
const char *ab_config_alias(const struct ab_config *cfg, const char *wwid);
const char *ab_label_ip(const struct ab_config *cfg, const char *label);
void ab_config_describe_sides(const struct ab_config *cfg, char *buf, size_t len);

/* sides.c */
int ab_classify_ip(const struct ab_config *cfg, const char *ip, enum ab_side *side,
		   char *label, size_t llen, char *err, size_t elen);
int ab_classify(const struct ab_config *cfg, struct ab_inventory *inv);
bool ab_ip_in_rule(const char *ip, const struct ab_rule *r);
bool ab_same_subnet24(const char *a, const char *b);

/* table.c */
enum ab_policy { POL_LEAST_BLOCKS, POL_WEIGHTED_PATHS, POL_ROUND_ROBIN,
		 POL_QUEUE_LENGTH, POL_SERVICE_TIME };

struct ab_table_opts {
	enum ab_policy policy;
	bool failover;
	enum ab_side prefer;
	bool wp_priority;		/* weighted-paths priority mode */
	bool queue_if_no_path;
	char hw_handler[AB_NAME];
	bool weights_given;
};

int ab_policy_parse(const char *s, enum ab_policy *p);
const char *ab_policy_selector(enum ab_policy p);
int ab_path_weight(const struct ab_config *cfg, const struct ab_disk *d, long *w);
int ab_build_table(const struct ab_config *cfg, const struct ab_table_opts *o,
		   const struct ab_lun *lun, char *out, size_t len);
int ab_validate_lun(const struct ab_lun *lun, char *err, size_t elen);

/* dm.c */
struct ab_dm_target {
	unsigned long long start, length;
	char type[AB_NAME];
	char *params;
};

/* the steps of a reload, replaceable by tests (ab_dm_set_ops) */
struct ab_dm_state {
	bool exists, suspended, live_table, inactive_table;
};

struct ab_dm_ops {
	int (*load)(const char *name, const char *table);	/* RELOAD: 0 ok */
	int (*resume)(const char *name);			/* RESUME noflush+nolockfs */
	int (*clear)(const char *name);				/* CLEAR inactive table */
	int (*info)(const char *name, struct ab_dm_state *st);
	int (*table)(const char *name, char **out);		/* live table, malloc'd */
};

const struct ab_dm_ops *ab_dm_set_ops(const struct ab_dm_ops *ops);
int ab_dm_reload(const char *name, const char *table);
int ab_dm_available(void);
int ab_dm_exists(const char *name, char *uuid, size_t ulen);
int ab_dm_load(const char *name, const char *uuid, const char *table, bool reload);
int ab_dm_get(const char *name, bool status, struct ab_dm_target *t);
int ab_dm_list_multipath(char ***names, int *n);
int ab_dm_message(const char *name, const char *msg);

/* status.c */
struct ab_st_path {
	unsigned major, minor;
	char dev[AB_NAME];	/* resolved sdX or "?" */
	char state;		/* A / F */
	unsigned fail_count;
	int ninfo;
	char info[8][32];
	int ntable;
	char table[4][32];
	int pg;
	char selector[AB_NAME];
	enum ab_side side;
	char label[AB_NAME];
};

struct ab_st_map {
	char name[AB_STR];
	char uuid[AB_STR];
	int npgs;
	char *pg_state;			/* npgs entries */
	char (*pg_selector)[AB_NAME];	/* npgs entries */
	char (*pg_selargs)[AB_NAME];	/* npgs entries: selector args ("priority"), "" none */
	int queue_io;
	struct ab_st_path *paths;
	int npaths;
};

int ab_status_parse(const char *table, const char *status, struct ab_st_map *m,
		    char *err, size_t elen);
void ab_status_resolve(struct ab_st_map *m, const struct ab_inventory *inv);
void ab_status_print(FILE *f, const struct ab_st_map *maps, int n);
struct json_object *ab_status_json(const struct ab_st_map *maps, int n);
void ab_status_free(struct ab_st_map *m);

/* maps.c */
int ab_maps_read(char **args, int nargs, const struct ab_inventory *inv,
		 struct ab_st_map **maps, int *n);
void ab_maps_free(struct ab_st_map *maps, int n);

/* reinstate.c */
struct ab_ri_item {
	char map[AB_STR];
	unsigned major, minor;
	char dev[AB_NAME];
	enum ab_side side;
	bool reinstate;		/* sysfs says the path works again */
	bool done;		/* the message succeeded */
	int switch_group;	/* >0: a failback item: "switch_group N", not a path */
	char reason[AB_STR + 128];
};

/* sends a target message to sector 0 of map; 0 ok */
typedef int (*ab_dm_msg_fn)(const char *map, const char *msg);
int ab_reinstate_plan(const struct ab_st_map *maps, int n, const struct ab_inventory *inv,
		      struct ab_ri_item **out, int *nout);
int ab_reinstate_run(FILE *f, struct ab_ri_item *it, int n, ab_dm_msg_fn send, bool json);

/* check.c */
enum ab_sev { SEV_INFO = 0, SEV_WARNING = 1, SEV_ERROR = 2, SEV_CRITICAL = 3 };
struct ab_finding {
	enum ab_sev sev;
	char subject[AB_STR];	/* "LUN <wwid>", "session3", "host" */
	char code[AB_NAME];
	char msg[512];
	char fix[512];
};
/* The device-mapper maps check looks at (cmd_check.c reads them on the live /sys). */
struct ab_check_dm {
	const struct ab_st_map *maps;
	int nmaps;
	const char *unread;	/* non-NULL: the maps could not be read, and why */
};
int ab_check(const struct ab_config *cfg, const struct ab_inventory *inv,
	     const struct ab_check_dm *dm, struct ab_finding **out, int *n);
const char *ab_sev_name(enum ab_sev s);

/* output helpers: show.c, conf.c, plan.c */
struct json_object;
void ab_json_print(FILE *f, struct json_object *o);
void ab_json_utf8(FILE *f, const char *text);
#ifndef ABPATH_VERSION
#define ABPATH_VERSION "unknown"
#endif
void ab_show_print(FILE *f, const struct ab_config *cfg, const struct ab_inventory *inv);
struct json_object *ab_show_json(const struct ab_config *cfg, const struct ab_inventory *inv);
struct json_object *ab_sides_json(const struct ab_config *cfg);
struct json_object *ab_skipped_json(const struct ab_inventory *inv);
int ab_conf_emit(FILE *f, const struct ab_config *cfg, const struct ab_table_opts *o,
		 struct ab_lun **luns, int n, const char *no_path_retry, bool json);
int ab_plan(FILE *f, const struct ab_config *cfg, long host, bool json);

/* main.c entry (also used by fuzz / tests) */
int ab_main(int argc, char **argv);

#endif
