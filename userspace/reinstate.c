// SPDX-License-Identifier: GPL-2.0
/*
 * reinstate.c - give failed dm paths back to their maps once the iSCSI
 * side is back: the host-side job multipathd's path checker does, for
 * hosts that run abpath's maps without multipathd.
 *
 * A failed path (dm state F) is reinstated only when sysfs says it works
 * again: its iSCSI session is LOGGED_IN, the connection (where sysfs shows
 * one) is up, and the SCSI device is running.  Anything else is reported
 * with the reason and left failed.  dm-mpath's "reinstate_path" message
 * does the work; an active path is never touched.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

/* true: the path can carry I/O again; else why not, in why */
static bool path_back(const struct ab_disk *d, char *why, size_t len)
{
	const struct ab_session *s = d->sess;

	if (!ab_session_usable(s)) {
		ab_fmt(why, len, "session%d is %s", s->sid, s->state[0] ? s->state : "in an unknown state");
		return false;
	}
	if (s->conn_state[0] && strcmp(s->conn_state, "up")) {
		ab_fmt(why, len, "connection%d:0 is %s", s->sid, s->conn_state);
		return false;
	}
	if (!d->state[0]) {
		ab_fmt(why, len, "%s has no SCSI device state in sysfs", d->name);
		return false;
	}
	if (strcmp(d->state, "running")) {
		ab_fmt(why, len, "%s is %s", d->name, d->state);
		return false;
	}
	ab_fmt(why, len, "session%d LOGGED_IN, %s running", s->sid, d->name);
	return true;
}

int ab_reinstate_plan(const struct ab_st_map *maps, int n, const struct ab_inventory *inv,
		      struct ab_ri_item **out, int *nout)
{
	int i, j, cnt = 0;
	struct ab_ri_item *it = NULL;

	for (i = 0; i < n; i++)
		for (j = 0; j < maps[i].npaths; j++) {
			const struct ab_st_path *p = &maps[i].paths[j];
			const struct ab_disk *d;
			struct ab_ri_item *x;

			if (p->state != 'F')
				continue;
			it = ab_xrealloc(it, (size_t)cnt + 1, sizeof(*it));
			x = &it[cnt++];
			memset(x, 0, sizeof(*x));
			ab_copy(x->map, sizeof(x->map), maps[i].name);
			x->major = p->major;
			x->minor = p->minor;
			ab_copy(x->dev, sizeof(x->dev), p->dev);
			x->side = p->side;
			d = ab_disk_by_devt(inv, p->major, p->minor);
			if (!d)
				ab_fmt(x->reason, sizeof(x->reason),
				       "not an iSCSI disk of this host: abpath cannot tell whether it works (dmsetup message %s 0 reinstate_path %u:%u)",
				       x->map, x->major, x->minor);
			else
				x->reinstate = path_back(d, x->reason, sizeof(x->reason));
		}
	/*
	 * Failback (failover layout: group 1 is the preferred side): when
	 * another group carries the I/O while group 1 has a working path
	 * (active, or one reinstated here), "switch_group 1", as multipathd
	 * does with failback immediate.  dm-mpath never switches back by
	 * itself while the current group still has a valid path.  Maps of
	 * multipathd (uuid mpath-) are left to its own failback setting.
	 */
	for (i = 0; i < n; i++) {
		const struct ab_st_map *m = &maps[i];
		int active = 0, usable = 0, g, k;
		struct ab_ri_item *x;

		if (m->npgs < 2 || !strncmp(m->uuid, AB_MPATHD_PREFIX, strlen(AB_MPATHD_PREFIX)))
			continue;
		for (g = 0; g < m->npgs; g++)
			if (m->pg_state[g] == 'A')
				active = g + 1;
		if (active <= 1)
			continue;
		for (j = 0; j < m->npaths; j++) {
			const struct ab_st_path *p = &m->paths[j];

			if (p->pg != 1)
				continue;
			if (p->state == 'A')
				usable++;
			for (k = 0; k < cnt; k++)
				if (!it[k].switch_group && it[k].reinstate && it[k].major == p->major &&
				    it[k].minor == p->minor && !strcmp(it[k].map, m->name))
					usable++;
		}
		if (!usable)
			continue;
		it = ab_xrealloc(it, (size_t)cnt + 1, sizeof(*it));
		x = &it[cnt++];
		memset(x, 0, sizeof(*x));
		ab_copy(x->map, sizeof(x->map), m->name);
		x->switch_group = 1;
		x->reinstate = true;
		for (j = 0; j < m->npaths; j++)
			if (m->paths[j].pg == 1 && m->paths[j].side)
				x->side = m->paths[j].side;
		ab_copy(x->dev, sizeof(x->dev), "-");
		ab_fmt(x->reason, sizeof(x->reason),
		       "group 1 (the preferred side) has %d working path(s) again; I/O runs on group %d",
		       usable, active);
	}
	*out = it;
	*nout = cnt;
	return 0;
}

static const char *item_action(const struct ab_ri_item *x, bool dry_run)
{
	if (x->switch_group)
		return dry_run ? "would fail back" : x->done ? "failed back" : "failback failed";
	if (!x->reinstate)
		return "left failed";
	if (dry_run)
		return "would reinstate";
	return x->done ? "reinstated" : "reinstate failed";
}

/*
 * Carry out (send == NULL: only print) the plan.  Every path is tried even
 * when one message fails.  Returns 0, or AB_UNAVAIL if a message failed.
 */
int ab_reinstate_run(FILE *f, struct ab_ri_item *it, int n, ab_dm_msg_fn send, bool json)
{
	int i, rc = 0;
	json_object *arr = NULL;

	for (i = 0; i < n; i++) {
		char msg[64];

		if (!it[i].reinstate || !send)
			continue;
		if (it[i].switch_group)
			ab_fmt(msg, sizeof(msg), "switch_group %d", it[i].switch_group);
		else
			ab_fmt(msg, sizeof(msg), "reinstate_path %u:%u", it[i].major, it[i].minor);
		it[i].done = !send(it[i].map, msg);
		if (!it[i].done) {
			ab_err("device-mapper: %s %s failed", it[i].map, msg);
			rc = AB_UNAVAIL;
		}
	}
	if (json)
		arr = json_object_new_array();
	else if (!n)
		fprintf(f, "no failed paths\n");
	for (i = 0; i < n; i++) {
		const struct ab_ri_item *x = &it[i];
		char devt[32];

		if (x->switch_group)
			ab_fmt(devt, sizeof(devt), "group %d", x->switch_group);
		else
			ab_fmt(devt, sizeof(devt), "%u:%u", x->major, x->minor);
		if (arr) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "map", json_object_new_string(x->map));
			json_object_object_add(o, "dev_t", x->switch_group ? NULL : json_object_new_string(devt));
			if (x->switch_group)
				json_object_object_add(o, "switch_group", json_object_new_int(x->switch_group));
			json_object_object_add(o, "dev", json_object_new_string(x->dev));
			json_object_object_add(o, "side", x->side ? json_object_new_string(ab_side_name(x->side)) : NULL);
			json_object_object_add(o, "action", json_object_new_string(item_action(x, !send)));
			json_object_object_add(o, "reason", json_object_new_string(x->reason));
			json_object_array_add(arr, o);
		} else {
			fprintf(f, "%s %s %s (%s, side %s): %s\n", item_action(x, !send), x->map, devt,
				x->dev, x->side ? ab_side_name(x->side) : "-", x->reason);
		}
	}
	if (arr) {
		json_object *top = json_object_new_object();

		json_object_object_add(top, "dry_run", json_object_new_boolean(!send));
		json_object_object_add(top, "paths", arr);
		json_object_object_add(top, "exit_status", json_object_new_int(rc));
		ab_json_print(f, top);
		json_object_put(top);
	}
	return rc;
}
