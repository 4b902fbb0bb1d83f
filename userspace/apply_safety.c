// SPDX-License-Identifier: GPL-2.0
/*
 * apply_safety.c - what apply refuses before it touches device-mapper: a
 * map without a path on each side, paths held by something else (or by
 * multipathd), a reload that would drop a path, multipathd running, a
 * fixture sysfs, and a live map of that name that is not ours.  --force
 * turns the refusals about the paths and multipathd into warnings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Every holder of every path (and of its partitions) must be the map we are
 * about to create/reload.  A map of multipathd (uuid mpath-WWID) is
 * multipathd's: refused unless --force (then reloaded under its uuid). */
static int check_holders(const struct ab_opts *o, const struct ab_lun *l, struct ab_planned *p,
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
static int check_sides(const struct ab_opts *o, const struct ab_lun *l, const struct ab_planned *p)
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
static int check_drops(const struct ab_opts *o, const struct ab_inventory *inv,
		       const struct ab_lun *l, const struct ab_planned *p, const char *dmdev)
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

/* Every planned map: a unique name, both sides, no foreign holder, no dropped path. */
int ab_apply_check_maps(const struct ab_opts *o, const struct ab_inventory *inv,
			struct ab_lun **luns, struct ab_planned *p, int n)
{
	char dmdev[AB_NAME];
	int i, rc = 0;

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
	return rc;
}

/* Without --dry-run: the live sysfs, device-mapper, and no multipathd (or --force).
 * *live tells whether the maps are to be loaded. */
int ab_apply_check_host(const struct ab_opts *o, const struct ab_inventory *inv, bool *live)
{
	*live = false;
	if (o->dry_run)
		return 0;
	if (ab_sysfs_live(inv) && ab_multipathd_running("/proc/net/unix")) {
		if (o->force) {
			ab_warn("multipathd is running: applying anyway (--force)");
		} else {
			ab_err("multipathd is running: it manages the multipath maps of this host and may claim these paths; refusing.\n"
			       "  fix: let multipathd build the maps ('abpath conf > /etc/multipath/conf.d/abpath.conf',\n"
			       "  then 'multipathd reconfigure'), or stop multipathd, or blacklist these WWIDs in its\n"
			       "  multipath.conf (blacklist { wwid \"^WWID$\" }) and use --force");
			return AB_DATAERR;
		}
	}
	*live = ab_sysfs_live(inv);
	if (!*live) {
		ab_err("apply without --dry-run needs the live sysfs (--sysfs %s is not /sys)",
		       inv->root);
		return AB_USAGE;
	}
	if (ab_dm_available()) {
		ab_err("device-mapper is not available (need root and the dm driver)");
		return AB_UNAVAIL;
	}
	return 0;
}

/* A live map of a planned name must be ours (same uuid): then it is reloaded. */
int ab_apply_check_dm(struct ab_planned *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char uuid[AB_STR] = "";
		int ex = ab_dm_exists(p[i].name, uuid, sizeof(uuid));

		if (ex < 0) {
			ab_err("device-mapper: cannot query map %s", p[i].name);
			return AB_UNAVAIL;
		}
		if (ex && strcmp(uuid, p[i].uuid)) {
			ab_err("a map named %s exists with uuid \"%s\", not %s: refusing to reload it",
			       p[i].name, uuid, p[i].uuid);
			return AB_DATAERR;
		}
		p[i].reload = ex;
	}
	return 0;
}
