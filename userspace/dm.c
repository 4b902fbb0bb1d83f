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

static int add_table(struct dm_task *dmt, const char *table)
{
	unsigned long long start, len;
	char type[AB_NAME];
	int n = 0;

	if (sscanf(table, "%llu %llu %63s %n", &start, &len, type, &n) != 3 || !n)
		return 0;
	return dm_task_add_target(dmt, start, len, type, table + n);
}

/* Create the map, or reload + resume it. Returns 0 or an exit code. */
int ab_dm_load(const char *name, const char *uuid, const char *table, bool reload)
{
	struct dm_task *dmt;

	dm_init();
	if (!reload) {
		dmt = dm_task_create(DM_DEVICE_CREATE);
		if (!dmt)
			return AB_UNAVAIL;
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
	dmt = dm_task_create(DM_DEVICE_RELOAD);
	if (!dmt)
		return AB_UNAVAIL;
	if (!dm_task_set_name(dmt, name) || !add_table(dmt, table) || !dm_task_run(dmt)) {
		ab_err("device-mapper: loading the new table into %s failed (old table stays active)",
		       name);
		dm_task_destroy(dmt);
		return AB_UNAVAIL;
	}
	dm_task_destroy(dmt);
	dmt = dm_task_create(DM_DEVICE_RESUME);
	if (!dmt)
		return AB_UNAVAIL;
	if (!dm_task_set_name(dmt, name) || !run_with_cookie(dmt)) {
		ab_err("device-mapper: resuming %s with the new table failed", name);
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
