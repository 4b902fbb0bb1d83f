// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmtool - guest-side helper of the issue-8 VM tests (t_flap, t_badtables).
 * Each exec costs 0.1-2 s in a loaded TCG guest, so loops that must run at
 * a fixed pace (flapping every 100-300 ms) or hundreds of times (bad
 * tables) talk to device-mapper through libdevmapper - the library dmsetup
 * itself uses, the same ioctls - from one process.
 *
 *   dmtool flap MAP SECS MIN_MS MAX_MS DEV...
 *	every MIN..MAX ms pick a random path: reinstate it if failed, else
 *	fail it unless it is the last one up (never all down); reinstate all
 *	at the end.  Prints "<fails> <reinstates>".  Exit 1 on any error.
 *   dmtool reloads MAP FILE
 *	FILE lines "TABLE|EXPECTED": for line N, odd N as "dmsetup reload +
 *	suspend + resume", even N as "dmsetup load + resume" (resume swaps
 *	in the inactive table, suspending first); then the live table must
 *	end with EXPECTED (as "dmsetup table" prints it, trailing blank
 *	dropped).  Sleeps 0-200 ms between reloads.  Exit 1 on any error.
 *   dmtool badbatch FILE TAG
 *	FILE lines "FEATURES|SELECTOR AND PATHS|expected message": create a
 *	map "bad" with "0 SECTORS multipath FEATURES 0 1 1 SELECTOR..." (the
 *	SECTORS come from env DMTOOL_SECTORS), as "dmsetup create" does:
 *	create, load (must fail), remove.  Writes "psw-badtables: TAG.N" to
 *	/dev/kmsg before line N.  Prints the lines that were accepted (each
 *	removed again); exit 1 if any was.
 * Build: make -C tests/vm tools (host; the guest sees the repo read-only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void quiet_log(int level, const char *file, int line, int dm_errno,
		      const char *f, ...)
{
	(void)level; (void)file; (void)line; (void)dm_errno; (void)f;
}

static int run_task(int type, const char *name, const char *params)
{
	struct dm_task *dmt = dm_task_create(type);
	int ok;

	if (!dmt)
		return 0;
	ok = dm_task_set_name(dmt, name);
	if (ok && type == DM_DEVICE_TARGET_MSG)
		ok = dm_task_set_sector(dmt, 0) && dm_task_set_message(dmt, params);
	if (ok && type == DM_DEVICE_RELOAD) {
		/* params: "START SIZE TYPE ARGS" */
		unsigned long long start, size;
		char ttype[32];
		int n = 0;

		ok = sscanf(params, "%llu %llu %31s %n", &start, &size, ttype, &n) == 3 &&
		     dm_task_add_target(dmt, start, size, ttype, params + n);
	}
	ok = ok && dm_task_run(dmt);
	dm_task_destroy(dmt);
	return ok;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flap(int argc, char **argv)
{
	const char *map = argv[0];
	double end = now() + atof(argv[1]);
	long lo = atol(argv[2]), hi = atol(argv[3]);
	int n = argc - 4, i, nup, fails = 0, reinst = 0;
	char **dev = argv + 4, msg[128];
	int *up;

	if (n < 2 || lo < 1 || hi < lo) {
		fprintf(stderr, "dmtool flap: need 2+ paths and 1 <= MIN_MS <= MAX_MS\n");
		return 1;
	}
	up = calloc((size_t)n, sizeof(*up));
	if (!up)
		return 1;
	for (i = 0; i < n; i++)
		up[i] = 1;
	nup = n;
	srandom((unsigned int)getpid() ^ (unsigned int)time(NULL));
	while (now() < end) {
		i = (int)(random() % n);
		if (up[i]) {
			if (nup > 1) {
				snprintf(msg, sizeof(msg), "fail_path %s", dev[i]);
				if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
					fprintf(stderr, "dmtool: %s: %s failed\n", map, msg);
					return 1;
				}
				up[i] = 0;
				nup--;
				fails++;
			}
		} else {
			snprintf(msg, sizeof(msg), "reinstate_path %s", dev[i]);
			if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
				fprintf(stderr, "dmtool: %s: %s failed\n", map, msg);
				return 1;
			}
			up[i] = 1;
			nup++;
			reinst++;
		}
		msleep(lo + random() % (hi - lo + 1));
	}
	for (i = 0; i < n; i++) {
		if (up[i])
			continue;
		snprintf(msg, sizeof(msg), "reinstate_path %s", dev[i]);
		if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
			fprintf(stderr, "dmtool: %s: final %s failed\n", map, msg);
			return 1;
		}
		reinst++;
	}
	printf("%d %d\n", fails, reinst);
	free(up);
	return 0;
}

/* the live table's params of target 0 into @buf */
static int table_params(const char *map, char *buf, size_t len)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TABLE);
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	int ok;

	if (!dmt)
		return 0;
	ok = dm_task_set_name(dmt, map) && dm_task_run(dmt);
	if (ok) {
		dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
		snprintf(buf, len, "%s", params ? params : "");
	}
	dm_task_destroy(dmt);
	return ok;
}

static int reloads(const char *map, const char *file)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, got[4096];
	size_t cap = 0, gl, wl;
	int n = 0;

	if (!f) {
		perror(file);
		return 1;
	}
	srandom((unsigned int)getpid());
	while (getline(&line, &cap, f) > 0) {
		char *want = strchr(line, '|'), *nl;

		if (!want)
			continue;
		*want++ = '\0';
		nl = strchr(want, '\n');
		if (nl)
			*nl = '\0';
		n++;
		if (!run_task(DM_DEVICE_RELOAD, map, line)) {
			fprintf(stderr, "dmtool: %s: reload %d refused: %s\n", map, n, line);
			return 1;
		}
		if ((n % 2) && !run_task(DM_DEVICE_SUSPEND, map, NULL)) {
			fprintf(stderr, "dmtool: %s: suspend %d failed\n", map, n);
			return 1;
		}
		if (!run_task(DM_DEVICE_RESUME, map, NULL)) {
			fprintf(stderr, "dmtool: %s: resume %d failed\n", map, n);
			return 1;
		}
		if (!table_params(map, got, sizeof(got))) {
			fprintf(stderr, "dmtool: %s: table %d unreadable\n", map, n);
			return 1;
		}
		gl = strlen(got);
		while (gl && got[gl - 1] == ' ')
			got[--gl] = '\0';
		wl = strlen(want);
		if (gl < wl || strcmp(got + gl - wl, want)) {
			fprintf(stderr, "dmtool: %s: reload %d reads back '%s', want '...%s'\n",
				map, n, got, want);
			return 1;
		}
		msleep(random() % 201);
	}
	free(line);
	fclose(f);
	printf("%d\n", n);
	return 0;
}

static int badbatch(const char *file, const char *tag)
{
	const char *sectors = getenv("DMTOOL_SECTORS");
	FILE *f = fopen(file, "r");
	char *line = NULL, table[4096];
	size_t cap = 0;
	int kmsg, n = 0, accepted = 0;

	if (!f || !sectors) {
		fprintf(stderr, "dmtool badbatch: cannot open %s or no DMTOOL_SECTORS\n", file);
		return 1;
	}
	kmsg = open("/dev/kmsg", O_WRONLY);
	if (kmsg < 0) {
		perror("/dev/kmsg");
		return 1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *feat = line, *sel, *end, mark[64];
		int ok;

		sel = strchr(feat, '|');
		if (!sel)
			continue;
		*sel++ = '\0';
		end = strchr(sel, '|');
		if (end)
			*end = '\0';
		n++;
		snprintf(mark, sizeof(mark), "psw-badtables: %s.%d\n", tag, n);
		if (write(kmsg, mark, strlen(mark)) < 0)
			return 1;
		snprintf(table, sizeof(table), "0 %s multipath %s 0 1 1 %s", sectors, feat, sel);
		if (!run_task(DM_DEVICE_CREATE, "bad", NULL)) {
			fprintf(stderr, "dmtool: create of an empty map failed (line %d)\n", n);
			return 1;
		}
		ok = run_task(DM_DEVICE_RELOAD, "bad", table);
		if (!run_task(DM_DEVICE_REMOVE, "bad", NULL)) {
			fprintf(stderr, "dmtool: remove failed (line %d)\n", n);
			return 1;
		}
		if (ok) {
			printf("accepted: %s\n", table);
			accepted++;
		}
	}
	free(line);
	fclose(f);
	close(kmsg);
	return accepted ? 1 : 0;
}

int main(int argc, char **argv)
{
	dm_udev_set_sync_support(0);
	if (!getenv("DMTOOL_DEBUG"))
		dm_log_with_errno_init(quiet_log);
	if (argc >= 7 && !strcmp(argv[1], "flap"))
		return flap(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "reloads"))
		return reloads(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "badbatch"))
		return badbatch(argv[2], argv[3]);
	fprintf(stderr, "usage: dmtool flap MAP SECS MIN_MS MAX_MS DEV DEV...\n"
			"       dmtool reloads MAP FILE\n"
			"       dmtool badbatch FILE TAG\n");
	return 2;
}
