// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmtool - guest-side helper of the VM tests (t_flap, t_badtables, t_storm).
 * Each exec costs 0.1-2 s in a loaded TCG guest, so loops that must run at
 * a fixed pace (flapping every 100-300 ms) or hundreds of times (bad
 * tables) talk to device-mapper through libdevmapper - the library dmsetup
 * itself uses, the same ioctls - from one process.
 *
 *   dmtool flap MAP SECS MIN_MS MAX_MS DEV...
 *	every MIN..MAX ms pick a random path: reinstate it if failed, else
 *	fail it unless it is the last one up (never all down); reinstate all
 *	at the end.  Prints "<fails> <reinstates> <max> <over>".  Exit 1 on
 *	any error.  DEV is MAJOR:MINOR; with env DMTOOL_FLAP_BOUND=N it
 *	also reads the path disk's own counts (/sys/dev/block/DEV/stat, the
 *	disk's, not the selector's) right after it fails the path and right
 *	before it reinstates it: <max> is the most I/Os (reads + writes
 *	completed) a failed path completed while failed, <over> the number
 *	of failures in which it completed more than the I/Os the disk had in
 *	flight at the fail plus N (N covers I/O the selector had picked the
 *	path for but not yet issued to the disk: at most the submitter's
 *	queue depth).  Exit 3 if <over> is not 0: the selector kept giving
 *	new I/O to failed paths (the no-op fail_path mutant,
 *	tests/mutants/noop-fail-path.patch).
 *   dmtool storm MAP SECS DEV0 DEV...
 *	path-state storm (tests/vm/t_storm.sh): for SECS, as fast as one
 *	process can, toggle paths (fail it if up, reinstate it if down) with
 *	DM_DEVICE_TARGET_MSG, in the order of env DMTOOL_STORM:
 *	  rr   (default) 1..n-1 in turn;
 *	  hot  every other message the last path, else 1..n-2 in turn;
 *	  wave fail 1..n-1 in order, then reinstate n-1..1.
 *	hot and wave open the widest window of a selector that rewrites all
 *	flags in index order when path n-1 comes back: path 0 (the only one
 *	in use) is cleared first and n-1 set last.  DEV0 (path 0) is never
 *	failed, so a usable path always exists.  All paths are reinstated at
 *	the end.  Prints "msgs <N> secs <S> rate <N/S>".  Exit 1 on any
 *	error.
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
 * Build: scripts/build-vmtools.sh (host; the guest sees the repo read-only).
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

/*
 * Completed I/Os (reads + writes) of the disk MAJ:MIN from its own
 * /sys/dev/block/MAJ:MIN/stat, and in *@inflight its I/Os in flight;
 * -1 if unreadable.
 */
static long long disk_done(const char *dev, long long *inflight)
{
	char path[128], buf[512];
	unsigned long long f[9];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/block/%s/stat", dev);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* reads, reads merged, sectors read, ms reading, writes, ... */
	if (sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1],
		   &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8]) != 9)
		return -1;
	*inflight = (long long)f[8];
	return (long long)(f[0] + f[4]);
}

/*
 * Completions of the failed path @dev's disk since its fail (@at_fail)
 * against @allow (in flight at the fail + @bound).  Returns 1 if over.
 */
static int check_failed(const char *map, const char *dev, long long at_fail,
			long long allow, long long bound, long long *worst)
{
	long long inflight, got = disk_done(dev, &inflight) - at_fail;

	if (got > *worst)
		*worst = got;
	if (got <= allow)
		return 0;
	fprintf(stderr, "dmtool: %s: failed path %s completed %lld I/Os while failed (allowed: %lld in flight at the fail + %lld)\n",
		map, dev, got, allow - bound, bound);
	return 1;
}

static int flap(int argc, char **argv)
{
	const char *map = argv[0];
	double end = now() + atof(argv[1]);
	long lo = atol(argv[2]), hi = atol(argv[3]);
	int n = argc - 4, i, nup, fails = 0, reinst = 0, over = 0;
	char **dev = argv + 4, msg[128];
	const char *bound_env = getenv("DMTOOL_FLAP_BOUND");
	long long bound = bound_env ? atoll(bound_env) : -1, worst = 0, *at_fail, *allow;
	int *up;

	if (n < 2 || lo < 1 || hi < lo) {
		fprintf(stderr, "dmtool flap: need 2+ paths and 1 <= MIN_MS <= MAX_MS\n");
		return 1;
	}
	up = calloc((size_t)n, sizeof(*up));
	at_fail = calloc((size_t)n, sizeof(*at_fail));
	allow = calloc((size_t)n, sizeof(*allow));
	if (!up || !at_fail || !allow)
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
				/* after the message: the path is failed now */
				if (bound >= 0 && (at_fail[i] = disk_done(dev[i], &allow[i])) < 0) {
					fprintf(stderr, "dmtool: no /sys/dev/block/%s/stat\n", dev[i]);
					return 1;
				}
				allow[i] += bound;	/* in flight at the fail + N */
				up[i] = 0;
				nup--;
				fails++;
			}
		} else {
			/* before the message: the path is still failed */
			if (bound >= 0)
				over += check_failed(map, dev[i], at_fail[i], allow[i], bound, &worst);
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
		if (bound >= 0)
			over += check_failed(map, dev[i], at_fail[i], allow[i], bound, &worst);
		snprintf(msg, sizeof(msg), "reinstate_path %s", dev[i]);
		if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
			fprintf(stderr, "dmtool: %s: final %s failed\n", map, msg);
			return 1;
		}
		reinst++;
	}
	printf("%d %d %lld %d\n", fails, reinst, worst, over);
	free(up);
	free(at_fail);
	free(allow);
	return over ? 3 : 0;
}

static int storm(int argc, char **argv)
{
	const char *map = argv[0];
	double secs = atof(argv[1]), t0, t;
	int n = argc - 2, i = 0, k, rr = 0, wave_up = 1;
	char **dev = argv + 2, msg[128];
	const char *pat = getenv("DMTOOL_STORM");
	char pattern = pat ? pat[0] : 'r';
	unsigned long long msgs = 0;
	unsigned char *up;

	if (n < 2 || secs <= 0 || (pattern == 'h' && n < 3) ||
	    !strchr("rhw", pattern)) {
		fprintf(stderr, "dmtool storm: need SECS > 0, 2+ paths (hot: 3+), DMTOOL_STORM rr|hot|wave\n");
		return 1;
	}
	up = malloc((size_t)n);
	if (!up)
		return 1;
	memset(up, 1, (size_t)n);
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		/* 64 messages between clock reads */
		for (k = 0; k < 64; k++) {
			/* which path, never path 0 */
			if (pattern == 'h' && (msgs & 1)) {
				i = n - 1;
			} else if (pattern == 'w') {
				/* fail 1..n-1, then reinstate n-1..1 */
				if (wave_up) {
					i = rr = rr + 1;
					if (rr == n - 1)
						wave_up = 0;
				} else {
					i = rr--;
					if (rr == 0)
						wave_up = 1;
				}
			} else {
				int lim = pattern == 'h' ? n - 1 : n;

				i = rr = rr + 1 < lim ? rr + 1 : 1;
			}
			snprintf(msg, sizeof(msg), "%s %s",
				 up[i] ? "fail_path" : "reinstate_path", dev[i]);
			if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
				fprintf(stderr, "dmtool: %s: %s failed after %llu messages\n",
					map, msg, msgs);
				return 1;
			}
			up[i] = !up[i];
			msgs++;
		}
		t = now();
	}
	for (i = 1; i < n; i++) {
		if (up[i])
			continue;
		snprintf(msg, sizeof(msg), "reinstate_path %s", dev[i]);
		if (!run_task(DM_DEVICE_TARGET_MSG, map, msg)) {
			fprintf(stderr, "dmtool: %s: final %s failed\n", map, msg);
			return 1;
		}
	}
	printf("msgs %llu secs %.1f rate %.0f\n", msgs, t - t0, msgs / (t - t0));
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
	if (argc >= 6 && !strcmp(argv[1], "storm"))
		return storm(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "reloads"))
		return reloads(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "badbatch"))
		return badbatch(argv[2], argv[3]);
	fprintf(stderr, "usage: dmtool flap MAP SECS MIN_MS MAX_MS DEV DEV...\n"
			"       dmtool storm MAP SECS DEV0 DEV...\n"
			"       dmtool reloads MAP FILE\n"
			"       dmtool badbatch FILE TAG\n");
	return 2;
}
