// SPDX-License-Identifier: GPL-2.0
/*
 * dm.c - device-mapper access through libdevmapper.
 * Create/reload use udev cookies (dm_task_set_cookie + dm_udev_wait);
 * with DM_DISABLE_UDEV=1 libdevmapper makes the /dev/mapper nodes itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdevmapper.h>
#include "abpath.h"

static bool dm_inited, dm_quiet;

static void dm_log(int level, const char *file, int line, int dm_errno_or_class,
		   const char *f, ...) __attribute__((format(printf, 5, 6)));

/* libdevmapper messages: errors only, prefixed, and none while probing. */
static void dm_log(int level, const char *file, int line, int dm_errno_or_class,
		   const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno_or_class;
	if (dm_quiet || (level & 7) > 3 || !f || !f[0])
		return;
	fputs("abpath: libdevmapper: ", stderr);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void dm_init(void)
{
	if (dm_inited)
		return;
	dm_inited = true;
	dm_log_with_errno_init(dm_log);
	/* DM_DISABLE_UDEV=1 (bare guest without udevd): libdevmapper makes the nodes */
	if (getenv("DM_DISABLE_UDEV"))
		dm_udev_set_sync_support(0);
}

int ab_dm_available(void)
{
	char buf[64];
	int ok;

	dm_init();
	dm_quiet = true;
	ok = dm_driver_version(buf, sizeof(buf));
	dm_quiet = false;
	return ok ? 0 : -1;
}

/* 1 exists, 0 no such map, -1 error. uuid gets the map's uuid. */
int ab_dm_exists(const char *name, char *uuid, size_t ulen)
{
	struct dm_task *dmt;
	struct dm_info info;
	int r = -1;

	dm_init();
	dmt = dm_task_create(DM_DEVICE_INFO);
	if (!dmt)
		return -1;
	if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt) || !dm_task_get_info(dmt, &info))
		goto out;
	r = info.exists ? 1 : 0;
	if (r && uuid) {
		const char *u = dm_task_get_uuid(dmt);

		ab_copy(uuid, ulen, u ? u : "");
	}
out:
	dm_task_destroy(dmt);
	return r;
}

static int run_with_cookie(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	int ok;

	if (!dm_task_set_cookie(dmt, &cookie, 0))
		return 0;
	ok = dm_task_run(dmt);
	/* dm_udev_wait also releases the cookie's semaphore when the task failed */
	dm_udev_wait(cookie);
	return ok;
}

/* ---- reload: the way multipath-tools does it ----
 * RELOAD puts the new table in the inactive slot; RESUME (no_flush +
 * skip_lockfs) suspends the live map without flushing queued I/O (a
 * queue_if_no_path map keeps what it queued), swaps the table and resumes.
 * When the RESUME fails the kernel may leave the map SUSPENDED (a failed
 * table swap drops the new table but does not resume): resume again, which
 * brings the old table back, and if that fails load the old table and
 * resume; never return with the map suspended while a way to resume it is
 * left.  The steps go through struct ab_dm_ops so that tests can fail any
 * of them (tests/abpath/test_abpath.c); the real ones are below.
 */

/* One or more "START LEN TYPE PARAMS" lines. */
static int add_table(struct dm_task *dmt, const char *table)
{
	const char *line = table;
	int nt = 0;

	while (*line) {
		unsigned long long start, len;
		char type[AB_NAME];
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		char *params;
		int n = 0, ok;

		if (ll) {
			char *copy = strndup(line, ll);

			if (!copy)
				return 0;
			if (sscanf(copy, "%llu %llu %63s %n", &start, &len, type, &n) != 3 || !n) {
				free(copy);
				return 0;
			}
			params = copy + n;
			ok = dm_task_add_target(dmt, start, len, type, params);
			free(copy);
			if (!ok)
				return 0;
			nt++;
		}
		line += ll + (nl ? 1 : 0);
	}
	return nt > 0;
}

static struct dm_task *named_task(int type, const char *name)
{
	struct dm_task *dmt;

	dm_init();
	dmt = dm_task_create(type);
	if (dmt && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		dmt = NULL;
	}
	return dmt;
}

static int real_load(const char *name, const char *table)
{
	struct dm_task *dmt = named_task(DM_DEVICE_RELOAD, name);
	int ok;

	if (!dmt)
		return -1;
	ok = add_table(dmt, table) && dm_task_run(dmt);
	dm_task_destroy(dmt);
	return ok ? 0 : -1;
}

#ifdef AB_FAULT_INJECT
/*
 * Test build only (userspace/abpath-fi, tests/vm/t_abpath_live.sh):
 * ABPATH_FAULT_RESUME=N fails the first N resumes of this process.  The
 * first one fails the way a failed table swap does in the kernel
 * (dm-ioctl do_resume: the map was suspended, dm_swap_table failed, the
 * new table is dropped, the map stays SUSPENDED); later ones fail without
 * doing anything (the map stays as it is).
 */
static int fault_resume(const char *name)
{
	static int calls;
	const char *e = getenv("ABPATH_FAULT_RESUME");
	struct dm_task *dmt;

	if (!e || calls >= atoi(e))
		return 0;
	if (calls++ == 0) {
		dmt = named_task(DM_DEVICE_SUSPEND, name);
		if (dmt) {
			dm_task_no_flush(dmt);
			dm_task_skip_lockfs(dmt);
			dm_task_run(dmt);
			dm_task_destroy(dmt);
		}
		dmt = named_task(DM_DEVICE_CLEAR, name);
		if (dmt) {
			dm_task_run(dmt);
			dm_task_destroy(dmt);
		}
	}
	ab_warn("fault injection: resume of %s fails (ABPATH_FAULT_RESUME)", name);
	return 1;
}
#endif

/* Resume a live map: no flush (queued I/O stays queued), no fs freeze. */
static int real_resume(const char *name)
{
	struct dm_task *dmt;
	int ok;

#ifdef AB_FAULT_INJECT
	if (fault_resume(name))
		return -1;
#endif
	dmt = named_task(DM_DEVICE_RESUME, name);
	if (!dmt)
		return -1;
	ok = dm_task_no_flush(dmt) && dm_task_skip_lockfs(dmt) && run_with_cookie(dmt);
	dm_task_destroy(dmt);
	return ok ? 0 : -1;
}

static int real_clear(const char *name)
{
	struct dm_task *dmt = named_task(DM_DEVICE_CLEAR, name);
	int ok;

	if (!dmt)
		return -1;
	ok = dm_task_run(dmt);
	dm_task_destroy(dmt);
	return ok ? 0 : -1;
}

static int real_info(const char *name, struct ab_dm_state *st)
{
	struct dm_task *dmt = named_task(DM_DEVICE_INFO, name);
	struct dm_info info;
	int ok;

	memset(st, 0, sizeof(*st));
	if (!dmt)
		return -1;
	ok = dm_task_run(dmt) && dm_task_get_info(dmt, &info);
	if (ok) {
		st->exists = info.exists;
		st->suspended = info.exists && info.suspended;
		st->live_table = info.exists && info.live_table;
		st->inactive_table = info.exists && info.inactive_table;
	}
	dm_task_destroy(dmt);
	return ok ? 0 : -1;
}

/* The live table as "START LEN TYPE PARAMS" lines (malloc'd). */
static int real_table(const char *name, char **out)
{
	struct dm_task *dmt = named_task(DM_DEVICE_TABLE, name);
	uint64_t start, length;
	char *type, *params;
	void *next = NULL;
	char *buf = NULL;
	size_t len = 0;
	int ok;

	*out = NULL;
	if (!dmt)
		return -1;
	ok = dm_task_run(dmt);
	while (ok) {
		char *line = NULL;
		int n;

		type = params = NULL;
		next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
		if (!type)
			break;
		n = asprintf(&line, "%s%llu %llu %s %s", len ? "\n" : "", (unsigned long long)start,
			     (unsigned long long)length, type, params ? params : "");
		if (n < 0) {
			ok = 0;
			break;
		}
		buf = ab_xrealloc(buf, len + (size_t)n + 1, 1);
		memcpy(buf + len, line, (size_t)n + 1);
		len += (size_t)n;
		free(line);
		if (!next)
			break;
	}
	dm_task_destroy(dmt);
	if (!ok || !buf) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static const struct ab_dm_ops real_ops = {
	.load = real_load,
	.resume = real_resume,
	.clear = real_clear,
	.info = real_info,
	.table = real_table,
};

static const struct ab_dm_ops *cur_ops = &real_ops;

const struct ab_dm_ops *ab_dm_set_ops(const struct ab_dm_ops *ops)
{
	const struct ab_dm_ops *old = cur_ops;

	cur_ops = ops ? ops : &real_ops;
	return old;
}

/* After a failed resume: bring the map back live, with its old table. */
static int recover_resume(const struct ab_dm_ops *ops, const char *name, const char *old)
{
	struct ab_dm_state st;

	if (ops->info(name, &st)) {
		ab_err("device-mapper: cannot query %s after the failed resume: check 'dmsetup info %s' and run 'dmsetup resume %s' if it is SUSPENDED",
		       name, name, name);
		return AB_UNAVAIL;
	}
	/* a new table still in the inactive slot (the suspend failed): drop it,
	 * so that no later resume swaps it in behind our back */
	if (st.inactive_table && ops->clear(name))
		ab_warn("device-mapper: could not clear the inactive table of %s ('dmsetup clear %s')",
			name, name);
	if (!st.suspended) {
		ab_err("device-mapper: %s stays live with its previous table (nothing changed)", name);
		return AB_UNAVAIL;
	}
	/* the kernel dropped the new table: a second resume brings the old one back */
	if (!ops->resume(name) && !ops->info(name, &st) && !st.suspended) {
		ab_err("device-mapper: %s was left suspended by the failed resume; resumed it with its previous table (nothing changed)",
		       name);
		return AB_UNAVAIL;
	}
	/* last resort: load the previous table again and resume */
	if (old && !ops->load(name, old) && !ops->resume(name) && !ops->info(name, &st) &&
	    !st.suspended) {
		ab_err("device-mapper: %s was left suspended by the failed resume; reloaded its previous table and resumed it (nothing changed)",
		       name);
		return AB_UNAVAIL;
	}
	ab_err("device-mapper: %s is SUSPENDED and could not be resumed: all I/O to it waits. Run 'dmsetup resume %s' (or 'dmsetup table %s' / 'dmsetup info %s' to see why)",
	       name, name, name, name);
	return AB_UNAVAIL;
}

/* Reload a live map: RELOAD, then RESUME with no_flush + skip_lockfs. */
int ab_dm_reload(const char *name, const char *table)
{
	const struct ab_dm_ops *ops = cur_ops;
	struct ab_dm_state st;
	char *old = NULL;
	int rc;

	if (ops->table(name, &old)) {
		ab_err("device-mapper: cannot read the live table of %s: not reloading it", name);
		return AB_UNAVAIL;
	}
	if (ops->load(name, table)) {
		if (!ops->info(name, &st) && st.inactive_table)
			ops->clear(name);
		ab_err("device-mapper: loading the new table into %s failed (old table stays active)",
		       name);
		free(old);
		return AB_UNAVAIL;
	}
	if (!ops->resume(name)) {
		free(old);
		return 0;
	}
	ab_err("device-mapper: resuming %s with the new table failed", name);
	rc = recover_resume(ops, name, old);
	free(old);
	return rc;
}

/* Create the map, or reload + resume it. Returns 0 or an exit code. */
int ab_dm_load(const char *name, const char *uuid, const char *table, bool reload)
{
	struct dm_task *dmt;

	dm_init();
	if (reload)
		return ab_dm_reload(name, table);
	dmt = dm_task_create(DM_DEVICE_CREATE);
	if (!dmt)
		return AB_UNAVAIL;
	/* libdevmapper creates, loads and resumes; it removes the map again
	 * when the load or the resume fails */
	if (!dm_task_set_name(dmt, name) || !dm_task_set_uuid(dmt, uuid) ||
	    !add_table(dmt, table) || !run_with_cookie(dmt)) {
		ab_err("device-mapper: creating map %s failed (is dm-multipath and the selector module loaded?)",
		       name);
		dm_task_destroy(dmt);
		return AB_UNAVAIL;
	}
	dm_task_destroy(dmt);
	return 0;
}

/* First target of the map's TABLE (status=false) or STATUS (status=true). */
int ab_dm_get(const char *name, bool status, struct ab_dm_target *t)
{
	struct dm_task *dmt;
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	int r = -1;

	dm_init();
	memset(t, 0, sizeof(*t));
	dmt = dm_task_create(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE);
	if (!dmt)
		return -1;
	if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt))
		goto out;
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!type)
		goto out;
	t->start = start;
	t->length = length;
	ab_copy(t->type, sizeof(t->type), type);
	t->params = ab_xstrdup(params ? params : "");
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

/* "dmsetup message NAME 0 MSG". Returns 0 or -1. */
int ab_dm_message(const char *name, const char *msg)
{
	struct dm_task *dmt;
	int ok;

	dm_init();
	dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	if (!dmt)
		return -1;
	ok = dm_task_set_name(dmt, name) && dm_task_set_sector(dmt, 0) &&
	     dm_task_set_message(dmt, msg) && dm_task_run(dmt);
	dm_task_destroy(dmt);
	return ok ? 0 : -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Names of all maps whose (first) target is multipath. */
int ab_dm_list_multipath(char ***names, int *n)
{
	struct dm_task *dmt;
	struct dm_names *nm;
	unsigned next = 0;

	dm_init();
	*names = NULL;
	*n = 0;
	dmt = dm_task_create(DM_DEVICE_LIST);
	if (!dmt)
		return -1;
	if (!dm_task_run(dmt) || !(nm = dm_task_get_names(dmt))) {
		dm_task_destroy(dmt);
		return -1;
	}
	if (nm->dev) {
		do {
			struct ab_dm_target t;

			nm = (struct dm_names *)((char *)nm + next);
			if (!ab_dm_get(nm->name, false, &t)) {
				if (!strcmp(t.type, "multipath")) {
					*names = ab_xrealloc(*names, *n + 1, sizeof(char *));
					(*names)[(*n)++] = ab_xstrdup(nm->name);
				}
				free(t.params);
			}
			next = nm->next;
		} while (next);
	}
	dm_task_destroy(dmt);
	if (*n > 1)
		qsort(*names, *n, sizeof(char *), name_cmp);
	return 0;
}
