// SPDX-License-Identifier: GPL-2.0
/*
 * conf.c - multipath.conf "multipaths" snippet for hosts run by multipathd.
 *
 * multipathd writes the path_selector string and exactly one per-path arg:
 * rr_min_io_rq, multiplied by the path priority when "rr_weight priorities".
 * So weights reach least-blocks / weighted-paths as "prio weightedpath" with
 * prio_args "hbtl <regex> <prio> ...", rr_weight priorities, rr_min_io_rq 1
 * and path_grouping_policy multibus (all paths in one group).
 */
#define _GNU_SOURCE
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

struct mp {
	char selector[AB_NAME];
	char pgp[AB_NAME];
	char prio[AB_NAME];
	char prio_args[2048];
	char rr_weight[AB_NAME];
	char npr[AB_NAME];
	bool failback;		/* failover layout: back to the preferred side */
};

static int build(const struct ab_config *cfg, const struct ab_table_opts *o,
		 const struct ab_lun *l, const char *npr, struct mp *m)
{
	int i;
	size_t off = 0;
	bool weights = o->weights_given &&
		       (o->policy == POL_LEAST_BLOCKS || o->policy == POL_WEIGHTED_PATHS);

	memset(m, 0, sizeof(*m));
	/* priority mode has a name of its own so that it takes 0 selector args */
	if (o->policy == POL_WEIGHTED_PATHS && o->wp_priority)
		ab_fmt(m->selector, sizeof(m->selector), "weighted-paths-priority 0");
	else
		ab_fmt(m->selector, sizeof(m->selector), "%s 0", ab_policy_selector(o->policy));
	ab_copy(m->npr, sizeof(m->npr), npr);
	if (o->failover) {
		if (weights)
			ab_warn("%s: failover layout: prio carries the side preference, per-path weights are not written",
				ab_lun_name(l));
		/* preferred side gets the higher priority: group_by_prio puts it
		 * first; failback immediate switches back as soon as it returns */
		ab_copy(m->pgp, sizeof(m->pgp), "group_by_prio");
		m->failback = true;
		ab_copy(m->prio, sizeof(m->prio), "weightedpath");
		off = (size_t)ab_fmt(m->prio_args, sizeof(m->prio_args), "hbtl");
		for (i = 0; i < l->npaths; i++) {
			const struct ab_disk *d = l->paths[i];

			off += (size_t)ab_fmt(m->prio_args + off,
					off < sizeof(m->prio_args) ? sizeof(m->prio_args) - off : 0,
					" ^%s$ %d", d->hctl, d->sess->side == o->prefer ? 50 : 10);
		}
		return 0;
	}
	ab_copy(m->pgp, sizeof(m->pgp), "multibus");
	if (!weights)
		return 0;
	ab_copy(m->prio, sizeof(m->prio), "weightedpath");
	ab_copy(m->rr_weight, sizeof(m->rr_weight), "priorities");
	off = (size_t)ab_fmt(m->prio_args, sizeof(m->prio_args), "hbtl");
	for (i = 0; i < l->npaths; i++) {
		const struct ab_disk *d = l->paths[i];
		long w;

		ab_path_weight(cfg, d, &w);
		if (o->policy == POL_LEAST_BLOCKS && w < 1) {
			ab_err("least-blocks: weight %ld for %s is outside 1..1000", w, d->name);
			return AB_USAGE;
		}
		off += (size_t)ab_fmt(m->prio_args + off,
				off < sizeof(m->prio_args) ? sizeof(m->prio_args) - off : 0,
				" ^%s$ %ld", d->hctl, w);
	}
	if (off >= sizeof(m->prio_args)) {
		ab_err("prio_args for %s too long", ab_lun_name(l));
		return AB_SOFTWARE;
	}
	return 0;
}

/* Does any stanza carry weights as priorities? */
static bool any_prio(const struct mp *m, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].prio[0])
			return true;
	return false;
}

/* "^LIO-ORG$" with regex metacharacters escaped; -1 if it cannot be quoted */
static int regex_exact(const char *s, char *out, size_t len)
{
	size_t o = 0;

	if (len < 3)
		return -1;
	out[o++] = '^';
	for (; *s; s++) {
		if (*s == '"' || (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return -1;
		if (strchr("\\.[]()*+?{}|^$", *s)) {
			if (o + 1 >= len)
				return -1;
			out[o++] = '\\';
		}
		if (o + 2 >= len)
			return -1;
		out[o++] = *s;
	}
	out[o++] = '$';
	out[o] = '\0';
	return 0;
}

struct dev_entry {
	char vendor[2 * AB_NAME + 3], product[2 * AB_NAME + 3];
};

/* distinct vendor/product of the selected LUNs' paths; 0, or -1 if one is unknown */
static int dev_entries(struct ab_lun **luns, int n, struct dev_entry **out, int *nout)
{
	int i, j, k, rc = 0;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < luns[i]->npaths; j++) {
			const struct ab_disk *d = luns[i]->paths[j];
			struct dev_entry e;

			if (!d->vendor[0] || !d->model[0] ||
			    regex_exact(d->vendor, e.vendor, sizeof(e.vendor)) ||
			    regex_exact(d->model, e.product, sizeof(e.product))) {
				rc = -1;
				continue;
			}
			for (k = 0; k < *nout; k++)
				if (!strcmp((*out)[k].vendor, e.vendor) && !strcmp((*out)[k].product, e.product))
					break;
			if (k == *nout) {
				*out = ab_xrealloc(*out, (size_t)*nout + 1, sizeof(**out));
				(*out)[(*nout)++] = e;
			}
		}
	return rc;
}

static json_object *devices_json(const struct dev_entry *e, int n, const char *hwh, bool noprio)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "vendor", json_object_new_string(e[i].vendor));
		json_object_object_add(o, "product", json_object_new_string(e[i].product));
		if (hwh[0]) {
			char h[AB_NAME + 8];

			ab_fmt(h, sizeof(h), "1 %s", hwh);
			json_object_object_add(o, "hardware_handler", json_object_new_string(h));
		}
		if (noprio)
			json_object_object_add(o, "detect_prio", json_object_new_string("no"));
		json_object_array_add(a, o);
	}
	return a;
}

int ab_conf_emit(FILE *f, const struct ab_config *cfg, const struct ab_table_opts *o,
		 struct ab_lun **luns, int n, const char *npr, bool json)
{
	struct mp *m = ab_xcalloc((size_t)n, sizeof(*m));
	int i, j, rc;
	char desc[2048];

	if (o->weights_given && o->policy == POL_SERVICE_TIME) {
		ab_err("service-time: multipathd writes one per-path arg, so relative_throughput weights cannot come from multipath.conf (use abpath apply)");
		free(m);
		return AB_USAGE;
	}
	if (o->weights_given && (o->policy == POL_ROUND_ROBIN || o->policy == POL_QUEUE_LENGTH)) {
		ab_err("policy %s takes no weights", ab_policy_selector(o->policy));
		free(m);
		return AB_USAGE;
	}
	struct dev_entry *de = NULL;
	int nde = 0;
	bool noprio, need_dev;

	for (i = 0; i < n; i++) {
		rc = build(cfg, o, luns[i], npr, &m[i]);
		if (rc) {
			free(m);
			return rc;
		}
	}
	/* hardware_handler and detect_prio are device settings (multipathd
	 * 0.9.4 rejects hardware_handler in multipaths{}): one devices{} entry
	 * per vendor/product of our LUNs, so other arrays keep their defaults */
	noprio = any_prio(m, n);
	need_dev = noprio || o->hw_handler[0];
	if (need_dev && dev_entries(luns, n, &de, &nde)) {
		ab_err("conf: a path's SCSI vendor/model is unknown or cannot be quoted (device/vendor, device/model in sysfs): cannot write the devices{} entry for %s",
		       o->hw_handler[0] ? "hardware_handler" : "detect_prio no");
		free(de);
		free(m);
		return AB_DATAERR;
	}
	if (json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "wwid", json_object_new_string(luns[i]->wwid));
			json_object_object_add(x, "alias", luns[i]->alias[0] ?
					       json_object_new_string(luns[i]->alias) : NULL);
			json_object_object_add(x, "path_selector", json_object_new_string(m[i].selector));
			json_object_object_add(x, "path_grouping_policy", json_object_new_string(m[i].pgp));
			json_object_object_add(x, "prio", m[i].prio[0] ? json_object_new_string(m[i].prio) : NULL);
			json_object_object_add(x, "prio_args", m[i].prio_args[0] ?
					       json_object_new_string(m[i].prio_args) : NULL);
			json_object_object_add(x, "rr_weight", m[i].rr_weight[0] ?
					       json_object_new_string(m[i].rr_weight) : NULL);
			json_object_object_add(x, "rr_min_io_rq", m[i].rr_weight[0] ?
					       json_object_new_int(1) : NULL);
			json_object_object_add(x, "no_path_retry", m[i].npr[0] ?
					       json_object_new_string(m[i].npr) : NULL);
			json_object_object_add(x, "failback", m[i].failback ?
					       json_object_new_string("immediate") : NULL);
			json_object_array_add(arr, x);
		}
		{
			json_object *top = json_object_new_object();

			const char *mod = o->policy == POL_LEAST_BLOCKS ? "dm-least-blocks" :
					  o->policy == POL_WEIGHTED_PATHS ? "dm-weighted-paths" : NULL;

			json_object_object_add(top, "module", mod ? json_object_new_string(mod) : NULL);
			json_object_object_add(top, "devices", need_dev ?
					       devices_json(de, nde, o->hw_handler, noprio) : NULL);
			json_object_object_add(top, "multipaths", arr);
			ab_json_print(f, top);
			json_object_put(top);
		}
		free(de);
		free(m);
		return 0;
	}
	ab_config_describe_sides(cfg, desc, sizeof(desc));
	fprintf(f, "# multipath.conf snippet written by abpath conf\n");
	fprintf(f, "# policy %s, layout %s; sides (%s): %s\n", ab_policy_selector(o->policy),
		o->failover ? "failover" : "active-active",
		cfg->builtin_sides ? "built-in default" : "configured", desc);
	if (o->policy == POL_LEAST_BLOCKS || o->policy == POL_WEIGHTED_PATHS)
		fprintf(f, "# multipathd does not load the selector: add \"dm-%s\" to /etc/modules-load.d/\n",
			ab_policy_selector(o->policy));
	for (i = 0; i < n; i++)
		if (m[i].prio_args[0]) {
			fprintf(f, "# prio_args match SCSI H:C:T:L, which change when a session logs in\n"
				"# again: written by abpath conf --output /etc/multipath/conf.d/abpath.conf,\n"
				"# abpath's udev rule keeps that file current (conf --refresh).\n");
			break;
		}
	fprintf(f, "multipaths {\n");
	for (i = 0; i < n; i++) {
		const struct ab_lun *l = luns[i];

		fprintf(f, "\tmultipath {\n");
		fprintf(f, "\t\twwid \"%s\"\n", l->wwid);
		if (l->alias[0])
			fprintf(f, "\t\talias \"%s\"\n", l->alias);
		fprintf(f, "\t\tpath_selector \"%s\"\n", m[i].selector);
		fprintf(f, "\t\tpath_grouping_policy \"%s\"\n", m[i].pgp);
		if (m[i].prio[0]) {
			fprintf(f, "\t\tprio \"%s\"\n", m[i].prio);
			fprintf(f, "\t\tprio_args \"%s\"\n", m[i].prio_args);
		}
		if (m[i].rr_weight[0]) {
			fprintf(f, "\t\trr_weight \"%s\"\n", m[i].rr_weight);
			fprintf(f, "\t\trr_min_io_rq 1\n");
		}
		if (m[i].npr[0])
			fprintf(f, "\t\tno_path_retry %s\n", m[i].npr);
		if (m[i].failback)
			fprintf(f, "\t\tfailback immediate\n");
		for (j = 0; j < l->npaths; j++)
			fprintf(f, "\t\t# path %s %s side %s%s%s portal %s\n", l->paths[j]->name,
				l->paths[j]->hctl, ab_side_name(l->paths[j]->sess->side),
				l->paths[j]->sess->label[0] ? " " : "", l->paths[j]->sess->label,
				l->paths[j]->sess->portal_ip);
		fprintf(f, "\t}\n");
	}
	fprintf(f, "}\n");
	if (need_dev) {
		if (noprio)
			fprintf(f, "# detect_prio (on by default) replaces prio weightedpath with ALUA\n"
				"# priorities on ALUA arrays such as LIO, and the weights never arrive:\n"
				"# off for these LUNs' vendor/product only.\n");
		fprintf(f, "devices {\n");
		for (i = 0; i < nde; i++) {
			fprintf(f, "\tdevice {\n\t\tvendor \"%s\"\n\t\tproduct \"%s\"\n", de[i].vendor,
				de[i].product);
			if (o->hw_handler[0])
				fprintf(f, "\t\thardware_handler \"1 %s\"\n", o->hw_handler);
			if (noprio)
				fprintf(f, "\t\tdetect_prio \"no\"\n");
			fprintf(f, "\t}\n");
		}
		fprintf(f, "}\n");
	}
	free(de);
	free(m);
	return 0;
}
