// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - build dm-multipath table lines for a LUN.
 *
 * 0 <sectors> multipath <#feat> [feat] <#hwh> [hwh] <#pgs> 1
 *   { <selector> <#sel args> [sel args] <#paths> <#path args> { <M:m> <args> } }
 */
#define _GNU_SOURCE
#include <string.h>
#include "abpath.h"

static const struct {
	const char *name;
	enum ab_policy p;
} policies[] = {
	{ "least-blocks", POL_LEAST_BLOCKS },
	{ "weighted-paths", POL_WEIGHTED_PATHS },
	{ "round-robin", POL_ROUND_ROBIN },
	{ "queue-length", POL_QUEUE_LENGTH },
	{ "service-time", POL_SERVICE_TIME },
};

int ab_policy_parse(const char *s, enum ab_policy *p)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(s, policies[i].name)) {
			*p = policies[i].p;
			return 0;
		}
	return -1;
}

const char *ab_policy_selector(enum ab_policy p)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (policies[i].p == p)
			return policies[i].name;
	return "?";
}

/* Weight of one path: portal IP, then label, then side, else 1. 1 = given, 0 = default. */
int ab_path_weight(const struct ab_config *cfg, const struct ab_disk *d, long *w)
{
	const struct ab_session *s = d->sess;
	int i, pass;

	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < cfg->nweights; i++) {
			const char *k = cfg->weights[i].key;

			if ((pass == 0 && !strcmp(k, s->portal_ip)) ||
			    (pass == 1 && s->label[0] && !strcmp(k, s->label)) ||
			    (pass == 2 && strlen(k) == 1 && ab_side_parse(k) == s->side)) {
				*w = cfg->weights[i].value;
				return 1;
			}
		}
	*w = 1;
	return 0;
}

static bool disk_usable(const struct ab_disk *d)
{
	return ab_session_usable(d->sess) &&
	       (!d->state[0] || !strcmp(d->state, "running"));
}

int ab_validate_lun(const struct ab_lun *lun, char *err, size_t elen)
{
	int i, usable = 0;

	for (i = 0; i < lun->npaths; i++) {
		const struct ab_disk *d = lun->paths[i];

		if (d->sess->side == SIDE_NONE) {
			ab_fmt(err, elen, "%s (session%d): %s", d->name, d->sess->sid,
				 d->sess->side_err);
			return AB_DATAERR;
		}
		if (d->sectors != lun->sectors) {
			ab_fmt(err, elen, "%s has %llu sectors but %s has %llu: not the same LUN?",
				 d->name, d->sectors, lun->paths[0]->name, lun->sectors);
			return AB_DATAERR;
		}
		usable += disk_usable(d);
	}
	if (!usable) {
		ab_fmt(err, elen, "LUN %s has no usable path (no logged-in session with a running disk)",
			 ab_lun_name(lun));
		return AB_UNAVAIL;
	}
	if (!lun->sectors) {
		ab_fmt(err, elen, "LUN %s has size 0", ab_lun_name(lun));
		return AB_DATAERR;
	}
	return 0;
}

#define EMIT(...) do { \
	int n_ = ab_fmt(out + o, o < len ? len - o : 0, __VA_ARGS__); \
	if (n_ < 0) return AB_SOFTWARE; \
	o += (size_t)n_; \
} while (0)

static int emit_pg(const struct ab_config *cfg, const struct ab_table_opts *opt,
		   const struct ab_lun *lun, enum ab_side side, char *out, size_t len,
		   size_t *op)
{
	size_t o = *op;
	int i, n = 0, nargs, active = 0;

	for (i = 0; i < lun->npaths; i++)
		n += side == SIDE_NONE || lun->paths[i]->sess->side == side;
	if (!n)
		return 0;
	switch (opt->policy) {
	case POL_LEAST_BLOCKS:
	case POL_ROUND_ROBIN:
	case POL_QUEUE_LENGTH:
		nargs = 1;
		break;
	case POL_WEIGHTED_PATHS:
		nargs = 1;
		break;
	default:
		nargs = 2;
		break;
	}
	EMIT(" %s %s %d %d", ab_policy_selector(opt->policy),
	     opt->policy == POL_WEIGHTED_PATHS && opt->wp_priority ? "1 priority" : "0",
	     n, nargs);
	for (i = 0; i < lun->npaths; i++) {
		const struct ab_disk *d = lun->paths[i];
		long w;

		if (side != SIDE_NONE && d->sess->side != side)
			continue;
		ab_path_weight(cfg, d, &w);
		EMIT(" %u:%u", d->major, d->minor);
		switch (opt->policy) {
		case POL_LEAST_BLOCKS:
			if (w < 1 || w > 1000) {
				ab_err("least-blocks: weight %ld for %s (%s) is outside 1..1000",
				       w, d->name, d->sess->portal_ip);
				return AB_USAGE;
			}
			EMIT(" %ld", w);
			active++;
			break;
		case POL_WEIGHTED_PATHS:
			EMIT(" %ld", w);
			active += w > 0;
			break;
		case POL_SERVICE_TIME:
			if (w > 100) {
				ab_err("service-time: relative throughput %ld for %s (%s) is outside 0..100",
				       w, d->name, d->sess->portal_ip);
				return AB_USAGE;
			}
			EMIT(" 1 %ld", w);
			active++;
			break;
		default:
			EMIT(" 1");
			active++;
			break;
		}
	}
	if (!active && opt->policy == POL_WEIGHTED_PATHS && !opt->wp_priority)
		ab_warn("weighted-paths: every path of side %s in LUN %s has weight 0 (standby)",
			ab_side_name(side), ab_lun_name(lun));
	*op = o;
	return 0;
}

int ab_build_table(const struct ab_config *cfg, const struct ab_table_opts *opt,
		   const struct ab_lun *lun, char *out, size_t len)
{
	size_t o = 0;
	int rc, npg = 0, i;
	bool has[3] = { false, false, false };
	enum ab_side first, second;

	if (opt->weights_given &&
	    (opt->policy == POL_ROUND_ROBIN || opt->policy == POL_QUEUE_LENGTH)) {
		ab_err("policy %s takes no weights (its per-path arg is a repeat count)",
		       ab_policy_selector(opt->policy));
		return AB_USAGE;
	}
	for (i = 0; i < lun->npaths; i++)
		has[lun->paths[i]->sess->side] = true;
	first = opt->prefer == SIDE_B ? SIDE_B : SIDE_A;
	second = first == SIDE_A ? SIDE_B : SIDE_A;
	npg = opt->failover ? has[first] + has[second] : 1;
	EMIT("0 %llu multipath", lun->sectors);
	if (opt->queue_if_no_path)
		EMIT(" 1 queue_if_no_path");
	else
		EMIT(" 0");
	if (opt->hw_handler[0])
		EMIT(" 1 %s", opt->hw_handler);
	else
		EMIT(" 0");
	EMIT(" %d 1", npg);
	if (opt->failover) {
		rc = emit_pg(cfg, opt, lun, first, out, len, &o);
		if (!rc)
			rc = emit_pg(cfg, opt, lun, second, out, len, &o);
	} else {
		rc = emit_pg(cfg, opt, lun, SIDE_NONE, out, len, &o);
	}
	if (rc)
		return rc;
	if (o >= len) {
		ab_err("table for %s too long", ab_lun_name(lun));
		return AB_SOFTWARE;
	}
	return 0;
}
