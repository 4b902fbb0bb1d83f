// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - discover iSCSI sessions, their SCSI disks and the LUNs behind them.
 *
 * Reads (relative to the sysfs root, /sys by default):
 *   class/iscsi_session/sessionN/{targetname,state,recovery_tmo,ifacename}
 *   class/iscsi_connection/connectionN:0/{persistent_address,persistent_port,
 *                                         address,port,state,ping_tmo,recv_tmo}
 *   class/iscsi_host/hostH/{ipaddress,netdev}
 *   class/iscsi_session/sessionN/device/targetH:C:T/H:C:T:L/{wwid,vpd_pg83,state,
 *                                                            access_state}
 *   .../H:C:T:L/block/sdX/{dev,size,holders/}  (falls back to block/sdX/...)
 *   block/dm-N/dm/{name,uuid} for holders
 * Entries may be real directories or symlinks (relative or absolute).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "abpath.h"

static int name_num(const char *name, const char *prefix, int *num)
{
	size_t pl = strlen(prefix);
	unsigned long v;

	if (strncmp(name, prefix, pl))
		return -1;
	if (ab_parse_uint(name + pl, INT_MAX, &v))
		return -1;
	*num = (int)v;
	return 0;
}

int ab_dm_holder_info(const char *root, const char *dmdev, struct ab_holder *h)
{
	char dir[AB_PATH];

	memset(h, 0, sizeof(*h));
	ab_copy(h->dev, sizeof(h->dev), dmdev);
	ab_fmt(dir, sizeof(dir), "%s/block/%s/dm", root, dmdev);
	if (ab_read_attr(dir, "name", h->name, sizeof(h->name)))
		h->name[0] = '\0';
	if (ab_read_attr(dir, "uuid", h->uuid, sizeof(h->uuid)))
		h->uuid[0] = '\0';
	return 0;
}

/* Read attr from the block dir under the SCSI device, else from block/<name>. */
static int disk_attr(const char *root, const char *bdir, const char *disk,
		     const char *attr, char *buf, size_t len)
{
	char alt[AB_PATH];

	if (!ab_read_attr(bdir, attr, buf, len))
		return 0;
	ab_fmt(alt, sizeof(alt), "%s/block/%s", root, disk);
	return ab_read_attr(alt, attr, buf, len);
}

static int holders_cmp(const void *a, const void *b)
{
	return ab_devname_cmp(((const struct ab_holder *)a)->dev,
			      ((const struct ab_holder *)b)->dev);
}

static int add_holders(const char *root, const char *hdir, const char *part,
		       struct ab_disk *d)
{
	DIR *dh = opendir(hdir);
	struct dirent *de;

	if (!dh) {
		if (errno == ENOENT)
			return 0;	/* no holders dir: nothing holds it */
		ab_err("%s: cannot read %s: %s", d->name, hdir, strerror(errno));
		return AB_DATAERR;
	}
	while ((de = readdir(dh))) {
		struct ab_holder *h;

		if (de->d_name[0] == '.')
			continue;
		d->holders = ab_xrealloc(d->holders, d->nholders + 1, sizeof(*d->holders));
		h = &d->holders[d->nholders++];
		ab_dm_holder_info(root, de->d_name, h);
		ab_copy(h->part, sizeof(h->part), part);
	}
	closedir(dh);
	return 0;
}

/* Holders of the disk and of each of its partitions (LVM on sdb1). */
static int read_holders(const char *root, const char *bdir, struct ab_disk *d)
{
	char hdir[AB_PATH], dir[AB_PATH], pdir[AB_PATH];
	DIR *dh;
	struct dirent *de;
	int rc;

	ab_copy(dir, sizeof(dir), bdir);
	ab_fmt(hdir, sizeof(hdir), "%s/holders", dir);
	if (!ab_exists(hdir)) {
		ab_fmt(pdir, sizeof(pdir), "%s/block/%s", root, d->name);
		if (ab_exists(pdir)) {
			ab_copy(dir, sizeof(dir), pdir);
			ab_fmt(hdir, sizeof(hdir), "%s/holders", dir);
		}
	}
	rc = add_holders(root, hdir, "", d);
	if (rc)
		return rc;
	dh = opendir(dir);
	if (!dh) {
		if (errno == ENOENT)
			return 0;
		ab_err("%s: cannot read %s: %s", d->name, dir, strerror(errno));
		return AB_DATAERR;
	}
	while ((de = readdir(dh))) {
		if (strncmp(de->d_name, d->name, strlen(d->name)) || !strcmp(de->d_name, d->name))
			continue;
		ab_fmt(pdir, sizeof(pdir), "%s/%s/partition", dir, de->d_name);
		if (!ab_exists(pdir))
			continue;
		ab_fmt(hdir, sizeof(hdir), "%s/%s/holders", dir, de->d_name);
		rc = add_holders(root, hdir, de->d_name, d);
		if (rc)
			break;
	}
	closedir(dh);
	if (d->nholders > 1)
		qsort(d->holders, d->nholders, sizeof(*d->holders), holders_cmp);
	return rc;
}

/* Names in block/DEV/slaves (the disks a dm map uses). */
int ab_dm_slaves(const char *root, const char *dmdev, char ***out, int *n)
{
	char dir[AB_PATH];
	DIR *dh;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	ab_fmt(dir, sizeof(dir), "%s/block/%s/slaves", root, dmdev);
	dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		*out = ab_xrealloc(*out, *n + 1, sizeof(char *));
		(*out)[(*n)++] = ab_xstrdup(de->d_name);
	}
	closedir(dh);
	return 0;
}

static int read_wwid(const char *root, const char *sdev, struct ab_disk *d)
{
	char buf[AB_STR], alt[AB_PATH];
	unsigned char vpd[1024];
	FILE *f;
	size_t n;
	const char *dirs[2];
	int i;

	ab_fmt(alt, sizeof(alt), "%s/block/%s/device", root, d->name);
	dirs[0] = sdev;
	dirs[1] = alt;
	for (i = 0; i < 2; i++) {
		if (!ab_read_attr(dirs[i], "wwid", buf, sizeof(buf)) && buf[0]) {
			ab_copy(d->raw_wwid, sizeof(d->raw_wwid), buf);
			if (ab_wwid_normalise(buf, d->wwid, sizeof(d->wwid))) {
				ab_err("%s: cannot read WWID \"%s\" in %s/wwid", d->name, buf, dirs[i]);
				return AB_DATAERR;
			}
			return 0;
		}
	}
	for (i = 0; i < 2; i++) {
		char p[AB_PATH];

		ab_fmt(p, sizeof(p), "%s/vpd_pg83", dirs[i]);
		f = fopen(p, "re");
		if (!f)
			continue;
		n = fread(vpd, 1, sizeof(vpd), f);
		fclose(f);
		if (ab_wwid_from_vpd83(vpd, n, d->wwid, sizeof(d->wwid))) {
			ab_err("%s: no usable LUN designator in %s", d->name, p);
			return AB_DATAERR;
		}
		ab_fmt(d->raw_wwid, sizeof(d->raw_wwid), "vpd_pg83");
		return 0;
	}
	ab_err("%s: no WWID (neither device/wwid nor device/vpd_pg83 under %s)", d->name, sdev);
	return AB_DATAERR;
}

static int add_disk(const char *root, struct ab_session *s, const char *sdev,
		    const char *hctl)
{
	char bdir[AB_PATH], buf[AB_STR];
	DIR *dh;
	struct dirent *de;
	struct ab_disk *d;
	unsigned long sz;
	int rc;

	ab_fmt(bdir, sizeof(bdir), "%s/block", sdev);
	dh = opendir(bdir);
	if (!dh) {
		if (errno == ENOENT)
			return 0;	/* SCSI device without a block disk (e.g. not sd) */
		ab_err("cannot read %s: %s", bdir, strerror(errno));
		return AB_DATAERR;
	}
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		s->disks = ab_xrealloc(s->disks, s->ndisks + 1, sizeof(*s->disks));
		d = &s->disks[s->ndisks];
		memset(d, 0, sizeof(*d));
		ab_copy(d->name, sizeof(d->name), de->d_name);
		ab_copy(d->hctl, sizeof(d->hctl), hctl);
		ab_fmt(bdir, sizeof(bdir), "%s/block/%s", sdev, de->d_name);
		if (disk_attr(root, bdir, d->name, "dev", buf, sizeof(buf))) {
			ab_err("%s: missing dev in %s/dev", d->name, bdir);
			closedir(dh);
			return AB_DATAERR;
		}
		if (ab_parse_devt(buf, &d->major, &d->minor)) {
			ab_err("%s: bad dev \"%s\" in %s/dev (want MAJOR:MINOR, major < 4096, minor < 1048576)",
			       d->name, buf, bdir);
			closedir(dh);
			return AB_DATAERR;
		}
		if (disk_attr(root, bdir, d->name, "size", buf, sizeof(buf))) {
			ab_err("%s: missing size in %s/size", d->name, bdir);
			closedir(dh);
			return AB_DATAERR;
		}
		if (ab_parse_uint(buf, ULONG_MAX, &sz)) {
			ab_err("%s: bad size \"%s\" in %s/size (want a number of 512-byte sectors)",
			       d->name, buf, bdir);
			closedir(dh);
			return AB_DATAERR;
		}
		d->sectors = sz;
		if (ab_read_attr(sdev, "state", d->state, sizeof(d->state)))
			d->state[0] = '\0';
		if (ab_read_attr(sdev, "vendor", d->vendor, sizeof(d->vendor)))
			d->vendor[0] = '\0';
		if (ab_read_attr(sdev, "model", d->model, sizeof(d->model)))
			d->model[0] = '\0';
		/* only with a device handler attached (scsi_dh_alua) */
		if (ab_read_attr(sdev, "access_state", d->alua, sizeof(d->alua)))
			d->alua[0] = '\0';
		rc = read_wwid(root, sdev, d);
		if (rc) {
			closedir(dh);
			return rc;
		}
		s->ndisks++;
		rc = read_holders(root, bdir, d);
		if (rc) {
			closedir(dh);
			return rc;
		}
	}
	closedir(dh);
	return 0;
}

static int scan_session_disks(const char *root, struct ab_session *s, const char *sdir)
{
	char ddir[AB_PATH], tdir[AB_PATH], ldir[AB_PATH];
	DIR *dt, *dl;
	struct dirent *te, *le;
	int rc = 0;

	ab_fmt(ddir, sizeof(ddir), "%s/device", sdir);
	dt = opendir(ddir);
	if (!dt) {
		if (errno == ENOENT)
			return 0;
		ab_err("session%d: cannot read %s: %s", s->sid, ddir, strerror(errno));
		return AB_DATAERR;
	}
	while (!rc && (te = readdir(dt))) {
		int h, c, t;

		if (sscanf(te->d_name, "target%d:%d:%d", &h, &c, &t) != 3)
			continue;
		s->host = h;
		ab_fmt(tdir, sizeof(tdir), "%s/%s", ddir, te->d_name);
		dl = opendir(tdir);
		if (!dl) {
			if (errno == ENOENT)
				continue;
			ab_err("session%d: cannot read %s: %s", s->sid, tdir, strerror(errno));
			rc = AB_DATAERR;
			break;
		}
		while (!rc && (le = readdir(dl))) {
			int a, b, e, l;
			char tail;

			if (sscanf(le->d_name, "%d:%d:%d:%d%c", &a, &b, &e, &l, &tail) != 4)
				continue;
			ab_fmt(ldir, sizeof(ldir), "%s/%s", tdir, le->d_name);
			rc = add_disk(root, s, ldir, le->d_name);
		}
		closedir(dl);
	}
	closedir(dt);
	if (!rc && s->host < 0) {
		/* no LUNs: take the host from the resolved device path (.../hostH/sessionN) */
		char *rp = realpath(ddir, NULL);
		char *p;

		if (rp) {
			for (p = strstr(rp, "/host"); p; p = strstr(p + 1, "/host")) {
				int hn;

				if (sscanf(p, "/host%d/", &hn) == 1) {
					s->host = hn;
					break;
				}
			}
			free(rp);
		}
	}
	return rc;
}

static int read_port(const char *dir, const char *name, int *port)
{
	long v;
	int r = ab_read_attr_long(dir, name, &v);

	if (r)
		return r;
	if (v < 0 || v > 65535)
		return -2;
	*port = (int)v;
	return 0;
}

static int read_session(const char *root, int sid, const char *sdir, struct ab_session *s)
{
	char cdir[AB_PATH], hdir[AB_PATH];
	long v;
	int r;

	memset(s, 0, sizeof(*s));
	s->sid = sid;
	s->host = -1;
	s->recovery_tmo = s->noop_interval = s->noop_timeout = AB_UNKNOWN_TMO;
	if (ab_read_attr(sdir, "targetname", s->targetname, sizeof(s->targetname)) ||
	    !s->targetname[0]) {
		ab_err("session%d: missing or empty %s/targetname", sid, sdir);
		return AB_DATAERR;
	}
	if (ab_read_attr(sdir, "state", s->state, sizeof(s->state)) || !s->state[0]) {
		ab_err("session%d: missing or empty %s/state", sid, sdir);
		return AB_DATAERR;
	}
	r = ab_read_attr_long(sdir, "recovery_tmo", &v);
	if (r == -2) {
		ab_err("session%d: bad number in %s/recovery_tmo", sid, sdir);
		return AB_DATAERR;
	}
	if (!r)
		s->recovery_tmo = v;
	if (ab_read_attr(sdir, "ifacename", s->ifacename, sizeof(s->ifacename)))
		s->ifacename[0] = '\0';

	ab_fmt(cdir, sizeof(cdir), "%s/class/iscsi_connection/connection%d:0", root, sid);
	if (!ab_exists(cdir)) {
		ab_err("session%d: no connection %s (cannot tell the portal)", sid, cdir);
		return AB_DATAERR;
	}
	if (ab_read_attr(cdir, "state", s->conn_state, sizeof(s->conn_state)))
		s->conn_state[0] = '\0';
	if (ab_read_attr(cdir, "address", s->cur_ip, sizeof(s->cur_ip)))
		s->cur_ip[0] = '\0';
	if (read_port(cdir, "port", &s->cur_port) == -2) {
		ab_err("session%d: bad %s/port", sid, cdir);
		return AB_DATAERR;
	}
	if (ab_read_attr(cdir, "persistent_address", s->portal_ip, sizeof(s->portal_ip)) ||
	    !s->portal_ip[0])
		ab_copy(s->portal_ip, sizeof(s->portal_ip), s->cur_ip);
	r = read_port(cdir, "persistent_port", &s->portal_port);
	if (r == -2) {
		ab_err("session%d: bad %s/persistent_port", sid, cdir);
		return AB_DATAERR;
	}
	if (r)
		s->portal_port = s->cur_port;
	if (!s->portal_ip[0]) {
		ab_err("session%d: no portal address (%s/persistent_address and address missing)",
		       sid, cdir);
		return AB_DATAERR;
	}
	if (!s->portal_port)
		s->portal_port = 3260;
	if (!ab_read_attr_long(cdir, "recv_tmo", &v))
		s->noop_interval = v;
	if (!ab_read_attr_long(cdir, "ping_tmo", &v))
		s->noop_timeout = v;

	r = scan_session_disks(root, s, sdir);
	if (r)
		return r;
	if (s->host >= 0) {
		ab_fmt(hdir, sizeof(hdir), "%s/class/iscsi_host/host%d", root, s->host);
		if (ab_read_attr(hdir, "ipaddress", s->local_ip, sizeof(s->local_ip)))
			s->local_ip[0] = '\0';
		if (ab_read_attr(hdir, "netdev", s->netdev, sizeof(s->netdev)) ||
		    !strcmp(s->netdev, "<NULL>") || !strcmp(s->netdev, "(null)"))
			s->netdev[0] = '\0';
		if (!strcmp(s->local_ip, "<NULL>") || !strcmp(s->local_ip, "(null)"))
			s->local_ip[0] = '\0';
	}
	return 0;
}

static int sess_cmp(const void *a, const void *b)
{
	const struct ab_session *x = a, *y = b;

	return (x->sid > y->sid) - (x->sid < y->sid);
}

static int disk_cmp(const void *a, const void *b)
{
	return ab_devname_cmp(((const struct ab_disk *)a)->name,
			      ((const struct ab_disk *)b)->name);
}

static int lun_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ab_lun *)a)->wwid, ((const struct ab_lun *)b)->wwid);
}

static int group_luns(struct ab_inventory *inv)
{
	int i, j, k;

	for (i = 0; i < inv->nsessions; i++) {
		struct ab_session *s = &inv->sessions[i];

		for (j = 0; j < s->ndisks; j++) {
			struct ab_disk *d = &s->disks[j];
			struct ab_lun *l = NULL;

			d->sess = s;
			for (k = 0; k < inv->nluns; k++)
				if (!strcmp(inv->luns[k].wwid, d->wwid))
					l = &inv->luns[k];
			if (!l) {
				inv->luns = ab_xrealloc(inv->luns, inv->nluns + 1, sizeof(*inv->luns));
				l = &inv->luns[inv->nluns++];
				memset(l, 0, sizeof(*l));
				ab_copy(l->wwid, sizeof(l->wwid), d->wwid);
				l->sectors = d->sectors;
			}
			l->paths = ab_xrealloc(l->paths, l->npaths + 1, sizeof(*l->paths));
			l->paths[l->npaths++] = d;
		}
	}
	if (inv->nluns > 1)	/* qsort(NULL, 0) is undefined */
		qsort(inv->luns, inv->nluns, sizeof(*inv->luns), lun_cmp);
	return 0;
}

static int skipped_cmp(const void *a, const void *b)
{
	const struct ab_skipped *x = a, *y = b;

	return (x->sid > y->sid) - (x->sid < y->sid);
}

int ab_discover(const char *root, struct ab_inventory *inv)
{
	char dir[AB_PATH], sdir[AB_PATH], err[AB_PATH];
	DIR *dh;
	struct dirent *de;
	int rc = 0, i;

	memset(inv, 0, sizeof(*inv));
	ab_copy(inv->root, sizeof(inv->root), root);
	if (!ab_exists(root)) {
		ab_err("sysfs root %s does not exist", root);
		return AB_NOINPUT;
	}
	ab_fmt(dir, sizeof(dir), "%s/class/iscsi_session", root);
	dh = opendir(dir);
	if (!dh) {
		if (errno == ENOENT)
			return 0;	/* iSCSI transport not loaded: no sessions */
		ab_err("cannot read %s: %s", dir, strerror(errno));
		return AB_DATAERR;
	}
	while ((de = readdir(dh))) {
		int sid;

		if (name_num(de->d_name, "session", &sid))
			continue;
		ab_fmt(sdir, sizeof(sdir), "%s/%s", dir, de->d_name);
		inv->sessions = ab_xrealloc(inv->sessions, inv->nsessions + 1,
					    sizeof(*inv->sessions));
		/* a bad or half-gone session (mid-logout) is reported and skipped */
		ab_err_capture(err, sizeof(err));
		rc = read_session(root, sid, sdir, &inv->sessions[inv->nsessions]);
		ab_err_capture(NULL, 0);
		if (rc) {
			struct ab_session *bad = &inv->sessions[inv->nsessions];
			struct ab_skipped *k;

			for (i = 0; i < bad->ndisks; i++)
				free(bad->disks[i].holders);
			free(bad->disks);
			inv->skipped = ab_xrealloc(inv->skipped, inv->nskipped + 1,
						   sizeof(*inv->skipped));
			k = &inv->skipped[inv->nskipped++];
			k->sid = sid;
			ab_copy(k->error, sizeof(k->error), err[0] ? err : "unreadable");
			continue;
		}
		inv->nsessions++;
	}
	closedir(dh);
	if (inv->nskipped > 1)
		qsort(inv->skipped, inv->nskipped, sizeof(*inv->skipped), skipped_cmp);
	if (inv->nsessions > 1)
		qsort(inv->sessions, inv->nsessions, sizeof(*inv->sessions), sess_cmp);
	for (i = 0; i < inv->nsessions; i++)
		if (inv->sessions[i].ndisks > 1)
			qsort(inv->sessions[i].disks, inv->sessions[i].ndisks,
			      sizeof(struct ab_disk), disk_cmp);
	return group_luns(inv);
}

void ab_inventory_free(struct ab_inventory *inv)
{
	int i, j;

	for (i = 0; i < inv->nsessions; i++) {
		for (j = 0; j < inv->sessions[i].ndisks; j++)
			free(inv->sessions[i].disks[j].holders);
		free(inv->sessions[i].disks);
	}
	free(inv->sessions);
	free(inv->skipped);
	for (i = 0; i < inv->nluns; i++)
		free(inv->luns[i].paths);
	free(inv->luns);
	memset(inv, 0, sizeof(*inv));
}

/* The discovered iSCSI disk with that device number, or NULL. */
const struct ab_disk *ab_disk_by_devt(const struct ab_inventory *inv, unsigned maj,
				     unsigned min)
{
	int i, j;

	for (i = 0; i < inv->nsessions; i++)
		for (j = 0; j < inv->sessions[i].ndisks; j++) {
			const struct ab_disk *d = &inv->sessions[i].disks[j];

			if (d->major == maj && d->minor == min)
				return d;
		}
	return NULL;
}

int ab_devname_from_devt(const struct ab_inventory *inv, unsigned maj, unsigned min,
			 char *out, size_t len)
{
	char dir[AB_PATH], link[AB_PATH];
	ssize_t n;
	const char *base;
	const struct ab_disk *d = ab_disk_by_devt(inv, maj, min);

	if (d) {
		ab_copy(out, len, d->name);
		return 0;
	}
	/* not an iSCSI disk we know: ask sysfs (dev/block/M:m -> .../block/NAME) */
	ab_fmt(dir, sizeof(dir), "%s/dev/block/%u:%u", inv->root, maj, min);
	n = readlink(dir, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	ab_copy(out, len, base ? base + 1 : link);
	return 0;
}

const char *ab_lun_name(const struct ab_lun *l)
{
	return l->alias[0] ? l->alias : l->wwid;
}

struct ab_lun *ab_find_lun(struct ab_inventory *inv, const char *key)
{
	int i;

	for (i = 0; i < inv->nluns; i++)
		if (!strcmp(inv->luns[i].wwid, key) ||
		    (inv->luns[i].alias[0] && !strcmp(inv->luns[i].alias, key)))
			return &inv->luns[i];
	/* accept the raw kernel form naa.xxxx too */
	{
		char norm[AB_STR];

		if (!ab_wwid_normalise(key, norm, sizeof(norm)) && strchr(key, '.'))
			for (i = 0; i < inv->nluns; i++)
				if (!strcmp(inv->luns[i].wwid, norm))
					return &inv->luns[i];
	}
	return NULL;
}

bool ab_session_usable(const struct ab_session *s)
{
	return !strcmp(s->state, "LOGGED_IN");
}

/* Is the inventory read from the running system's /sys (not a fixture)? */
bool ab_sysfs_live(const struct ab_inventory *inv)
{
	char *rp = realpath(inv->root, NULL);
	bool live = rp && !strcmp(rp, "/sys");

	free(rp);
	return live;
}
