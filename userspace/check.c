// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - redundancy and sanity checks with a severity and a fix each.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "abpath.h"

/* Timeouts we call sane for dm-multipath over iSCSI (seconds). */
#define TMO_MAX_REPLACEMENT 30
#define TMO_MAX_NOOP 15

struct ctx {
	struct ab_finding *f;
	int n;
};

static void add(struct ctx *c, enum ab_sev sev, const char *subject, const char *code,
		const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add(struct ctx *c, enum ab_sev sev, const char *subject, const char *code,
		const char *fix, const char *fmt, ...)
{
	struct ab_finding *x;
	va_list ap;

	c->f = ab_xrealloc(c->f, c->n + 1, sizeof(*c->f));
	x = &c->f[c->n++];
	memset(x, 0, sizeof(*x));
	x->sev = sev;
	ab_copy(x->subject, sizeof(x->subject), subject);
	ab_copy(x->code, sizeof(x->code), code);
	ab_copy(x->fix, sizeof(x->fix), fix);
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
}

const char *ab_sev_name(enum ab_sev s)
{
	static const char *n[] = { "info", "warning", "error", "critical" };

	return s <= SEV_CRITICAL ? n[s] : "?";
}

static bool usable(const struct ab_disk *d)
{
	return ab_session_usable(d->sess) && (!d->state[0] || !strcmp(d->state, "running"));
}

static void check_sessions(const struct ab_config *cfg, const struct ab_inventory *inv,
			   struct ctx *c)
{
	int i, r;
	char subj[AB_NAME], fix[512];

	for (i = 0; i < inv->nsessions; i++) {
		const struct ab_session *s = &inv->sessions[i];

		ab_fmt(subj, sizeof(subj), "session%d", s->sid);
		if (s->side == SIDE_NONE) {
			ab_fmt(fix, sizeof(fix),
				 "add %s (or its subnet) to exactly one side in the config (\"sides\") or with --side-a/--side-b",
				 s->portal_ip);
			add(c, SEV_ERROR, subj, "unknown-side", fix, "%s", s->side_err);
		}
		if (!ab_session_usable(s))
		{
			ab_fmt(fix, sizeof(fix),
			       "check the link/switch of side %s; iscsid logs in again by itself, or: iscsiadm -m node -T %s -p %s:%d --login",
			       ab_side_name(s->side), s->targetname, s->portal_ip, s->portal_port);
			add(c, SEV_ERROR, subj, "session-down", fix,
			    "session to %s:%d (%s, side %s) is %s, connection %s", s->portal_ip,
			    s->portal_port, s->targetname, ab_side_name(s->side), s->state,
			    s->conn_state[0] ? s->conn_state : "unknown");
		}
		if (!s->ndisks)
			add(c, SEV_INFO, subj, "no-disks", "check the target's LUN mapping/ACL for this initiator",
			    "session to %s:%d (%s) has no SCSI disks", s->portal_ip, s->portal_port,
			    s->targetname);
		if (s->recovery_tmo == AB_UNKNOWN_TMO)
			add(c, SEV_INFO, subj, "tmo-unknown", "none (recovery_tmo not in sysfs)",
			    "replacement_timeout (recovery_tmo) not readable");
		else if (s->recovery_tmo < 0)
			add(c, SEV_ERROR, subj, "tmo-infinite",
			    "set node.session.timeo.replacement_timeout = 5 (5..30) in /etc/iscsi/iscsid.conf and the node records, then log in again",
			    "replacement_timeout %ld: I/O on a dead path is held forever and multipath never fails over",
			    s->recovery_tmo);
		else if (s->recovery_tmo == 0)
			add(c, SEV_WARNING, subj, "tmo-zero",
			    "set node.session.timeo.replacement_timeout = 5 (5..30)",
			    "replacement_timeout 0: every short network blip fails the path at once");
		else if (s->recovery_tmo > TMO_MAX_REPLACEMENT)
			add(c, SEV_WARNING, subj, "tmo-long",
			    "set node.session.timeo.replacement_timeout = 5 (5..30) in /etc/iscsi/iscsid.conf and the node records, then log in again",
			    "replacement_timeout %ld s: I/O stalls that long before multipath can fail the path over",
			    s->recovery_tmo);
		for (r = 0; r < 2; r++) {
			long v = r ? s->noop_timeout : s->noop_interval;
			const char *nm = r ? "noop_out_timeout" : "noop_out_interval";
			char fx[256];

			if (v == AB_UNKNOWN_TMO)
				continue;
			ab_fmt(fx, sizeof(fx), "set node.conn[0].timeo.%s = 5 (1..%d) and log in again",
				 nm, TMO_MAX_NOOP);
			if (v <= 0)
				add(c, SEV_WARNING, subj, "noop-off", fx,
				    "%s is %ld: NOP-Out pings are off, a dead path is noticed only by SCSI command timeouts",
				    nm, v);
			else if (v > TMO_MAX_NOOP)
				add(c, SEV_WARNING, subj, "noop-long", fx,
				    "%s is %ld s: a dead path is noticed late", nm, v);
		}
		if (s->side != SIDE_NONE && !s->local_ip[0])
			add(c, SEV_INFO, subj, "local-ip-unknown",
			    "none (iscsi_host ipaddress not in sysfs)",
			    "local source address of the session is unknown");
	}
	(void)cfg;
}

/* RackStack's cabling check: which sides each local address reaches. */
static void check_adapters(const struct ab_config *cfg, const struct ab_inventory *inv,
			   struct ctx *c)
{
	char ips[64][AB_NAME];
	unsigned sides[64];
	int nip = 0, i, j;

	for (i = 0; i < inv->nsessions; i++) {
		const struct ab_session *s = &inv->sessions[i];

		if (!s->local_ip[0] || s->side == SIDE_NONE)
			continue;
		for (j = 0; j < nip; j++)
			if (!strcmp(ips[j], s->local_ip))
				break;
		if (j == nip) {
			if (nip == 64)
				continue;
			ab_copy(ips[nip], AB_NAME, s->local_ip);
			sides[nip++] = 0;
		}
		sides[j] |= 1u << s->side;
	}
	for (j = 0; j < nip; j++)
		if (sides[j] == ((1u << SIDE_A) | (1u << SIDE_B)))
			add(c, SEV_ERROR, "host", "adapter-both-sides",
			    "bind each side to its own NIC (iscsiadm iface with iface.net_ifacename / iface.ipaddress) or put each side in its own subnet",
			    "local address %s reaches both side A and side B: one adapter carries both paths (no NIC/switch redundancy)",
			    ips[j]);
	if (nip >= 2) {
		unsigned all = 0, common = ~0u;

		for (j = 0; j < nip; j++) {
			all |= sides[j];
			common &= sides[j];
		}
		if (all == common && (all == (1u << SIDE_A) || all == (1u << SIDE_B)))
			add(c, SEV_ERROR, "host", "adapters-same-side",
			    "check cabling: the two iSCSI NICs must go to different switches (A and B)",
			    "both adapters reach the same side (%s): %d local addresses, all on side %s",
			    all == (1u << SIDE_A) ? "A" : "B", nip, all == (1u << SIDE_A) ? "A" : "B");
	}
	/* one subnet per side (XenServer layout): the source address must be in its side's subnet */
	for (i = 0; i < inv->nsessions; i++) {
		const struct ab_session *s = &inv->sessions[i];
		bool have_cidr = false, in = false;
		char subj[AB_NAME];

		if (!s->local_ip[0] || s->side == SIDE_NONE)
			continue;
		for (j = 0; j < cfg->nrules; j++) {
			const struct ab_rule *r = &cfg->rules[j];

			if (r->side != s->side || !r->cidr)
				continue;
			have_cidr = true;
			in |= ab_ip_in_rule(s->local_ip, r);
		}
		ab_fmt(subj, sizeof(subj), "session%d", s->sid);
		if (have_cidr && !in)
			add(c, SEV_WARNING, subj, "source-off-subnet",
			    "give the NIC of this side an address in the side's subnet, or bind the session to that iface",
			    "side %s portal %s is reached from %s, which is not in side %s's subnet (traffic crosses sides or is routed)",
			    ab_side_name(s->side), s->portal_ip, s->local_ip, ab_side_name(s->side));
	}
}

static void check_lun(const struct ab_inventory *inv, const struct ab_lun *l, struct ctx *c)
{
	char subj[AB_STR + 8], fix[512], held_by[AB_STR] = "", heldname[AB_STR] = "";
	int i, j, k, side, present[3] = { 0 }, up[3] = { 0 }, nheld = 0, nmaps = 0;
	char lip[3][AB_NAME] = { "", "", "" };
	bool shared_nic = false;

	if (l->alias[0])
		ab_fmt(subj, sizeof(subj), "LUN %s (%s)", l->wwid, l->alias);
	else
		ab_fmt(subj, sizeof(subj), "LUN %s", l->wwid);
	for (i = 0; i < l->npaths; i++) {
		const struct ab_disk *d = l->paths[i];

		present[d->sess->side]++;
		up[d->sess->side] += usable(d);
		if (d->sess->side != SIDE_NONE && d->sess->local_ip[0] && usable(d)) {
			for (j = 0; j < l->npaths; j++) {
				const struct ab_disk *e = l->paths[j];

				if (e->sess->side != SIDE_NONE && e->sess->side != d->sess->side &&
				    usable(e) && !strcmp(e->sess->local_ip, d->sess->local_ip)) {
					shared_nic = true;
					ab_copy(lip[0], AB_NAME, d->sess->local_ip);
				}
			}
		}
		if (d->sectors != l->sectors)
			add(c, SEV_ERROR, subj, "size-mismatch",
			    "rescan the disks (echo 1 > /sys/block/sdX/device/rescan) and check the target",
			    "%s has %llu sectors, other paths %llu", d->name, d->sectors, l->sectors);
	}
	if (!up[SIDE_A] && !up[SIDE_B])
		add(c, SEV_CRITICAL, subj, "no-path",
		    "restore at least one side (links, switches, iSCSI logins) now",
		    "no usable path on either side (%d path(s) known, none logged in and running)",
		    l->npaths);
	for (side = SIDE_A; side <= SIDE_B; side++) {
		if (!present[side]) {
			ab_fmt(fix, sizeof(fix),
				 "log in to a side-%s portal of this target (iscsiadm -m discovery -t st -p PORTAL; iscsiadm -m node -p PORTAL --login)",
				 ab_side_name(side));
			add(c, SEV_ERROR, subj, "side-missing", fix,
			    "no path through side %s: the LUN is not redundant", ab_side_name(side));
		} else if (!up[side] && (up[SIDE_A] || up[SIDE_B])) {
			add(c, SEV_ERROR, subj, "side-down",
			    "check that side's switch, cabling and portal; iscsid logs back in once it is reachable",
			    "side %s has %d path(s) but none is logged in and running", ab_side_name(side),
			    present[side]);
		}
	}
	if (shared_nic)
		add(c, SEV_ERROR, subj, "same-nic",
		    "use one local NIC/subnet per side (iscsiadm ifaces bound to the A and B NICs)",
		    "paths of side A and side B leave from the same local address %s", lip[0]);
	/* maps holding the disks */
	for (i = 0; i < l->npaths; i++) {
		const struct ab_disk *d = l->paths[i];

		if (d->nholders > 1)
			add(c, SEV_ERROR, subj, "held-twice",
			    "remove the stray map with 'dmsetup remove NAME' after checking nothing uses it",
			    "%s is held by %d devices (%s and %s)", d->name, d->nholders,
			    d->holders[0].name[0] ? d->holders[0].name : d->holders[0].dev,
			    d->holders[1].name[0] ? d->holders[1].name : d->holders[1].dev);
		for (k = 0; k < d->nholders; k++) {
			const struct ab_holder *h = &d->holders[k];
			char want[AB_STR + 8];

			char want2[AB_STR + 8];
			bool mp = !strncmp(h->uuid, AB_UUID_PREFIX, strlen(AB_UUID_PREFIX)) ||
				  !strncmp(h->uuid, AB_MPATHD_PREFIX, strlen(AB_MPATHD_PREFIX));

			ab_fmt(want, sizeof(want), AB_UUID_PREFIX "%s", l->wwid);
			ab_fmt(want2, sizeof(want2), AB_MPATHD_PREFIX "%s", l->wwid);
			if (!mp)
				add(c, SEV_ERROR, subj, "held-not-mpath",
				    "stop using the path device directly; remove that map and build it on the multipath device",
				    "%s%s%s%s is held by %s (%s, uuid %s), which is not a multipath map",
				    h->part[0] ? h->part : d->name, h->part[0] ? " (partition of " : "",
				    h->part[0] ? d->name : "", h->part[0] ? ")" : "", h->dev, h->name[0] ? h->name : "?", h->uuid[0] ? h->uuid : "none");
			else if (h->uuid[0] && strcmp(h->uuid, want) && strcmp(h->uuid, want2))
				add(c, SEV_ERROR, subj, "held-wrong-map",
				    "remove the map (dmsetup remove NAME) and rebuild with abpath apply",
				    "%s is held by multipath map %s (uuid %s) of another WWID", d->name,
				    h->name[0] ? h->name : h->dev, h->uuid);
			if (!mp)
				continue;
			if (strcmp(held_by, h->dev)) {
				if (held_by[0])
					nmaps++;
				else
					nmaps = 1;
				ab_copy(held_by, sizeof(held_by), h->dev);
				ab_copy(heldname, sizeof(heldname), h->name[0] ? h->name : h->dev);
			}
		}
		for (k = 0; k < d->nholders; k++)
			if (!strncmp(d->holders[k].uuid, AB_UUID_PREFIX, strlen(AB_UUID_PREFIX)) ||
			    !strncmp(d->holders[k].uuid, AB_MPATHD_PREFIX, strlen(AB_MPATHD_PREFIX)))
				break;
		nheld += k < d->nholders;
	}
	if (nmaps > 1)
		add(c, SEV_ERROR, subj, "several-maps",
		    "keep one map per LUN: remove the extra maps, then abpath apply",
		    "the LUN's paths are spread over %d maps", nmaps);
	if (!nheld)
		add(c, SEV_INFO, subj, "no-map", "abpath apply WWID (or multipathd)",
		    "no multipath map holds this LUN yet");
	else if (nheld < l->npaths)
		for (i = 0; i < l->npaths; i++)
			if (!l->paths[i]->nholders)
				add(c, SEV_WARNING, subj, "path-not-in-map",
				    "reload the map with abpath apply so it uses every path",
				    "%s (side %s) is not in map %s", l->paths[i]->name,
				    ab_side_name(l->paths[i]->sess->side), heldname);
	(void)inv;
}

/* ---- maps: weighted-paths failover modes against the ALUA states ---- */

/* The modes of weighted-paths (Documentation/dm-weighted-paths.rst). */
enum wp_mode { WP_NONE, WP_PROPORTIONAL, WP_PRIORITY, WP_RANK };

static const char *const wp_words[] = {
	[WP_PROPORTIONAL] = "proportional", [WP_PRIORITY] = "priority", [WP_RANK] = "rank",
};

/* A group's mode: its selector name's default, or the one word of its args. */
static enum wp_mode wp_mode(const char *selector, const char *args)
{
	static const struct {
		const char *name;
		enum wp_mode mode;
	} names[] = {
		{ "weighted-paths", WP_PROPORTIONAL },
		{ "weighted-paths-priority", WP_PRIORITY },
		{ "weighted-paths-rank", WP_RANK },
	};
	size_t i;
	int m;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(selector, names[i].name))
			continue;
		if (!args[0])
			return names[i].mode;
		for (m = WP_PROPORTIONAL; m <= WP_RANK; m++)
			if (!strcmp(args, wp_words[m]))
				return (enum wp_mode)m;
		return WP_NONE;		/* a table the kernel refuses */
	}
	return WP_NONE;
}

/* One path of a group, with its disk (NULL: not an iSCSI disk of this host). */
struct gpath {
	const struct ab_st_path *p;
	const struct ab_disk *d;
	unsigned long w;
};

/* Paths of group pg (1-based); -1 if a weight is not a number. */
static int group_paths(const struct ab_inventory *inv, const struct ab_st_map *m, int pg,
		       struct gpath *out)
{
	int i, n = 0;

	for (i = 0; i < m->npaths; i++) {
		const struct ab_st_path *p = &m->paths[i];

		if (p->pg != pg)
			continue;
		out[n].p = p;
		out[n].d = ab_disk_by_devt(inv, p->major, p->minor);
		out[n].w = 1;	/* a path loaded without a weight */
		if (p->ntable && ab_parse_uint(p->table[0], 0xffffffffUL, &out[n].w))
			return -1;
		n++;
	}
	return n;
}

/*
 * The weight whose paths get the I/O in priority mode (the lowest above 0
 * of the paths dm-multipath has active) or rank mode (the highest); 0 when
 * only standby paths (weight 0) are usable.
 */
static unsigned long chosen_tier(const struct gpath *g, int n, enum wp_mode mode)
{
	unsigned long tier = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (g[i].p->state != 'A' || !g[i].w)
			continue;
		if (!tier || (mode == WP_RANK ? g[i].w > tier : g[i].w < tier))
			tier = g[i].w;
	}
	return tier;
}

static bool alua_is(const struct ab_disk *d, const char *state)
{
	return d && !strcmp(d->alua, state);
}

static void alua_finding(const struct ab_st_map *m, int pg, enum wp_mode mode,
			 const struct gpath *bad, const struct gpath *opt, struct ctx *c)
{
	char subj[AB_STR + 8], fix[512];

	ab_fmt(subj, sizeof(subj), "map %s", m->name);
	if (mode == WP_PRIORITY)
		ab_fmt(fix, sizeof(fix),
		       "give the active/optimized paths the lowest weight (priority mode: the lowest wins); with weights from multipathd's priorities (rr_weight priorities: the highest is best) use path_selector \"weighted-paths-rank 0\", or path_grouping_policy \"group_by_prio\"");
	else
		ab_fmt(fix, sizeof(fix),
		       "reload the map so that its weights follow the ALUA states ('multipathd reload map %s', or abpath apply): multipathd does not reload a multibus map for a priority change alone; where ALUA states move, use path_grouping_policy \"group_by_prio\"",
		       m->name);
	add(c, SEV_WARNING, subj, "alua-non-optimized", fix,
	    "group %d (%s, %s mode: the %s weight wins) gives I/O to %s (%u:%u, weight %lu, ALUA %s) although %s (%u:%u, weight %lu, ALUA active/optimized) is usable",
	    pg, m->pg_selector[pg - 1], wp_words[mode], mode == WP_RANK ? "highest" : "lowest",
	    bad->d->name, bad->p->major, bad->p->minor, bad->w, bad->d->alua,
	    opt->d->name, opt->p->major, opt->p->minor, opt->w);
}

/*
 * A failover mode (priority, rank) that gives I/O to an ALUA non-optimized
 * or standby path while an active/optimized path of the group is usable:
 * the upside-down priority under multipathd (issue 17), or ranks older
 * than the ALUA states.  Paths without an ALUA state count as neither.
 */
static void check_group(const struct ab_inventory *inv, const struct ab_st_map *m, int pg,
			struct ctx *c)
{
	enum wp_mode mode = wp_mode(m->pg_selector[pg - 1], m->pg_selargs[pg - 1]);
	struct gpath *g, *bad = NULL, *opt = NULL;
	unsigned long tier;
	int i, n;

	if (mode != WP_PRIORITY && mode != WP_RANK)
		return;
	g = ab_xcalloc((size_t)m->npaths + 1, sizeof(*g));
	n = group_paths(inv, m, pg, g);
	if (n < 0) {
		free(g);
		return;
	}
	tier = chosen_tier(g, n, mode);
	for (i = 0; i < n; i++) {
		bool active = g[i].p->state == 'A';

		if (!bad && active && g[i].w == tier &&
		    (alua_is(g[i].d, "active/non-optimized") || alua_is(g[i].d, "standby")))
			bad = &g[i];
		if (!opt && active && alua_is(g[i].d, "active/optimized") && usable(g[i].d))
			opt = &g[i];
	}
	if (bad && opt)
		alua_finding(m, pg, mode, bad, opt, c);
	free(g);
}

static void check_maps(const struct ab_inventory *inv, const struct ab_check_dm *dm,
		       struct ctx *c)
{
	int i, pg;

	if (dm->unread) {
		add(c, SEV_INFO, "host", "maps-unread",
		    "run abpath check as root, with device-mapper available, to check the maps' path selection too",
		    "multipath maps not checked: %s", dm->unread);
		return;
	}
	for (i = 0; i < dm->nmaps; i++)
		for (pg = 1; pg <= dm->maps[i].npgs; pg++)
			check_group(inv, &dm->maps[i], pg, c);
}

int ab_check(const struct ab_config *cfg, const struct ab_inventory *inv,
	     const struct ab_check_dm *dm, struct ab_finding **out, int *n)
{
	struct ctx c = { NULL, 0 };
	int i, worst = AB_OK;

	for (i = 0; i < inv->nskipped; i++) {
		char subj[AB_NAME];

		ab_fmt(subj, sizeof(subj), "session%d", inv->skipped[i].sid);
		add(&c, SEV_ERROR, subj, "session-unreadable",
		    "check the session (iscsiadm -m session -P 3); if it is logging out, wait and run again",
		    "skipped: %s", inv->skipped[i].error);
	}
	if (!inv->nsessions)
		add(&c, SEV_CRITICAL, "host", "no-sessions",
		    "discover and log in to the A and B portals (abpath plan shows which)",
		    "no iSCSI sessions found in %s", inv->root);
	check_sessions(cfg, inv, &c);
	check_adapters(cfg, inv, &c);
	for (i = 0; i < inv->nluns; i++)
		check_lun(inv, &inv->luns[i], &c);
	if (dm)
		check_maps(inv, dm, &c);
	for (i = 0; i < c.n; i++) {
		int e = c.f[i].sev >= SEV_ERROR ? AB_CRIT : c.f[i].sev == SEV_WARNING ? AB_WARN : AB_OK;

		if (e > worst)
			worst = e;
	}
	*out = c.f;
	*n = c.n;
	return worst;
}
