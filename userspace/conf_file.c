// SPDX-License-Identifier: GPL-2.0
/*
 * conf_file.c - abpath conf --output FILE [--reconfigure] and
 * abpath conf --refresh FILE [--reconfigure]: keep a multipathd
 * configuration file current.
 *
 * The weights reach multipathd as "prio weightedpath hbtl" regexes, and an
 * iSCSI session that logs in again gets a new SCSI host number: the stanza
 * no longer matches the path and multipathd falls back to weight 1.  So
 * --output records the arguments it was run with in the file, and
 * --refresh runs conf again with them (udev does, on every iSCSI disk
 * that appears: 60-abpath.rules).  The file is replaced (temporary file,
 * fsync, rename) only when its text changes, and multipathd is told to
 * read it again (--reconfigure) only then: one reload per changed disk,
 * never a loop.  udev runs rules for several disks at once: a refresh
 * holds an exclusive flock on FILE's directory from before its sysfs scan
 * until multipathd has been told, so the last writer has seen the newest
 * state.  A reconfigure that failed leaves FILE.reconfigure-pending, and
 * the next --reconfigure does it even if FILE is unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

#define ARGS_TAG "# abpath conf arguments:"
#define MAX_FILE (1 << 20)
#define PENDING ".reconfigure-pending"

extern char **environ;

/* set while a --refresh holds the directory lock (its --output runs inside) */
static bool conf_locked;

/* the options record_args writes (in this order); --refresh takes no
 * other recorded option */
static const char *const recordable[] = {
	"--sysfs", "--config", "--no-config", "--side-a", "--side-b", "--policy", "--weight",
	"--layout", "--prefer", "--wp-mode", "--queue-if-no-path", "--no-path-retry",
	"--hw-handler", NULL,
};

static const char FLAG[] = "";	/* record_args: an option without a value */

/* append " OPT VALUE" (VALUE may be NULL); -1 if VALUE cannot be recorded */
static int put(char *buf, size_t len, const char *opt, const char *val)
{
	size_t off = strlen(buf);

	if (val && (!val[0] || strpbrk(val, " \t\n\r#\"\\"))) {
		ab_err("conf --output: \"%s\" (%s) cannot be recorded for --refresh: no spaces, quotes, backslashes or #",
		       val, opt ? opt : "a LUN");
		return -1;
	}
	if (opt)
		off += (size_t)ab_fmt(buf + off, off < len ? len - off : 0, " %s", opt);
	if (val)
		off += (size_t)ab_fmt(buf + off, off < len ? len - off : 0, " %s", val);
	if (off >= len) {
		ab_err("conf --output: the arguments are too long to record");
		return -1;
	}
	return 0;
}

/* PATH made absolute, symlinks kept (a config that is a link is read
 * through the link on every refresh) */
static const char *absolute(const char *path, char *buf, size_t len)
{
	char cwd[AB_PATH];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		ab_copy(buf, len, path);
	else
		ab_fmt(buf, len, "%s/%s", cwd, path);
	return buf;
}

/* The arguments conf ran with, as --refresh will give them back. */
static int record_args(const struct ab_opts *o, char *buf, size_t len)
{
	char sys[AB_PATH], conf[AB_PATH];
	/* the config file conf read: --config, else $ABPATH_CONFIG (udev
	 * does not set it), else the default, which --refresh reads too */
	const char *cf = o->config ? o->config : o->no_config ? NULL : getenv("ABPATH_CONFIG");
	int i, r = 0;

	/* in the order of recordable[]; FLAG: an option without a value */
	const char *val[] = {
		strcmp(o->sysfs, "/sys") ? absolute(o->sysfs, sys, sizeof(sys)) : NULL,
		cf ? absolute(cf, conf, sizeof(conf)) : NULL,
		o->no_config ? FLAG : NULL, o->side_a, o->side_b, o->policy, o->weight,
		o->layout, o->prefer, o->wp_mode, o->queue ? FLAG : NULL, o->npr, o->hwh,
	};

	_Static_assert(sizeof(val) / sizeof(val[0]) == sizeof(recordable) / sizeof(recordable[0]) - 1,
		       "a value for every recordable option");
	buf[0] = '\0';
	for (i = 0; recordable[i]; i++)
		if (val[i])
			r |= put(buf, len, recordable[i], val[i] == FLAG ? NULL : val[i]);
	for (i = 0; i < o->nargs; i++)
		r |= put(buf, len, NULL, o->args[i]);
	return r ? AB_USAGE : 0;
}

/* FILE's text into a malloc'ed string; NULL with errno set if unreadable */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *s;

	if (!f)
		return NULL;
	s = ab_xcalloc(MAX_FILE + 1, 1);
	errno = 0;
	*n = fread(s, 1, MAX_FILE + 1, f);
	if (ferror(f) || *n > MAX_FILE) {
		int e = ferror(f) ? (errno ? errno : EIO) : EFBIG;

		fclose(f);
		free(s);
		errno = e;
		return NULL;
	}
	fclose(f);
	return s;
}

/* Replace PATH by TEXT: a temporary file beside it, fsync, rename, fsync the directory. */
static int replace_file(const char *path, const char *text, size_t n)
{
	char tmp[AB_PATH], dir[AB_PATH];
	int fd, dfd, err = 0;

	if (ab_fmt(tmp, sizeof(tmp), "%s.abpath-XXXXXX", path) >= (int)sizeof(tmp)) {
		ab_err("conf --output: path too long: %s", path);
		return AB_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ab_err("conf --output: cannot create a file beside %s: %s", path, strerror(errno));
		return AB_NOINPUT;
	}
	errno = 0;
	if (fchmod(fd, 0644) || write(fd, text, n) != (ssize_t)n || fsync(fd))
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		ab_err("conf --output: cannot write %s: %s", path, strerror(err));
		return AB_NOINPUT;
	}
	ab_copy(dir, sizeof(dir), path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Is multipathd running?  Its pid file (ABPATH_MULTIPATHD_PIDFILE: tests) */
static bool multipathd_running(void)
{
	const char *pf = getenv("ABPATH_MULTIPATHD_PIDFILE");
	FILE *f = fopen(pf ? pf : "/run/multipathd.pid", "re");
	long pid = 0;
	bool up;

	if (!f)
		return false;
	up = fscanf(f, "%ld", &pid) == 1 && pid > 0 &&
	     (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	fclose(f);
	return up;
}

/*
 * multipathd reconfigure: it reads its configuration again.  Not when it
 * is not running: it reads FILE when it starts (and a request on its
 * socket would start it where socket activation is on).
 */
static int reconfigure(void)
{
	char *argv[] = { "multipathd", "reconfigure", NULL };
	posix_spawn_file_actions_t fa;
	const char *path = getenv("PATH");
	char buf[AB_PATH];
	pid_t pid;
	int st, r;

	if (!multipathd_running()) {
		printf("multipathd is not running: it reads the file when it starts\n");
		return 0;
	}
	/* udev runs us without PATH, cron with one without sbin */
	ab_fmt(buf, sizeof(buf), "%s%s/usr/sbin:/sbin", path ? path : "/usr/bin:/bin", ":");
	setenv("PATH", buf, 1);
	posix_spawn_file_actions_init(&fa);
	/* its "ok" is not ours to print */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, "multipathd", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		ab_err("conf --reconfigure: cannot run multipathd: %s", strerror(r));
		return AB_UNAVAIL;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			ab_err("conf --reconfigure: waitpid: %s", strerror(errno));
			return AB_SOFTWARE;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		ab_err("conf --reconfigure: \"multipathd reconfigure\" failed");
		return AB_UNAVAIL;
	}
	return 0;
}

/* reconfigure, and keep FILE.reconfigure-pending while it has not worked */
static int reconfigure_file(const char *file)
{
	char pend[AB_PATH];
	int rc, fd;

	if (ab_fmt(pend, sizeof(pend), "%s" PENDING, file) >= (int)sizeof(pend)) {
		ab_err("conf --reconfigure: path too long: %s", file);
		return AB_USAGE;
	}
	rc = reconfigure();
	if (!rc) {
		unlink(pend);
		return 0;
	}
	fd = open(pend, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	ab_err("conf --reconfigure: %s is written; the next --reconfigure tries again (%s)", file, pend);
	return rc;
}

/* 0 if FILE.reconfigure-pending exists */
static int access_pending(const char *file)
{
	char pend[AB_PATH];

	ab_fmt(pend, sizeof(pend), "%s" PENDING, file);
	return access(pend, F_OK);
}

/* flock on FILE's directory; -1 after an error message */
static int lock_dir(const char *file)
{
	char dir[AB_PATH];
	int fd;

	ab_copy(dir, sizeof(dir), file);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		ab_err("conf: cannot lock the directory of %s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int ab_conf_output(const struct ab_opts *o, const struct ab_config *cfg,
		   const struct ab_table_opts *t, struct ab_lun **luns, int n, const char *npr)
{
	char args[2048];
	char *text = NULL, *old;
	size_t len = 0, oldn = 0;
	FILE *mem;
	int rc, lfd;

	if (o->json) {
		ab_err("conf --output writes multipath.conf syntax: not with --json");
		return AB_USAGE;
	}
	rc = record_args(o, args, sizeof(args));
	if (rc)
		return rc;
	mem = open_memstream(&text, &len);
	if (!mem) {
		ab_err("conf --output: %s", strerror(errno));
		return AB_SOFTWARE;
	}
	fprintf(mem, "%s%s\n", ARGS_TAG, args);
	rc = ab_conf_emit(mem, cfg, t, luns, n, npr, false);
	if (fclose(mem) && !rc) {
		ab_err("conf --output: %s", strerror(errno));
		rc = AB_SOFTWARE;
	}
	if (rc) {
		free(text);
		return rc;
	}
	/* a plain --output locks here; a --refresh has locked before its scan */
	lfd = conf_locked ? -1 : lock_dir(o->output);
	if (!conf_locked && lfd < 0) {
		free(text);
		return AB_NOINPUT;
	}
	old = slurp(o->output, &oldn);
	if (!old && errno != ENOENT) {
		ab_err("conf --output: cannot read %s: %s", o->output, strerror(errno));
		rc = AB_NOINPUT;
	} else if (old && oldn == len && !memcmp(old, text, len)) {
		printf("%s: unchanged\n", o->output);
		if (o->reconfigure && !access_pending(o->output))
			rc = reconfigure_file(o->output);
	} else {
		rc = replace_file(o->output, text, len);
		if (!rc) {
			printf("%s: written\n", o->output);
			if (o->reconfigure)
				rc = reconfigure_file(o->output);
		}
	}
	if (lfd >= 0)
		close(lfd);
	free(old);
	free(text);
	return rc;
}

int ab_conf_refresh(const struct ab_opts *o)
{
	char *text, *line, *end, *tok, *save;
	char *argv[64];
	size_t n;
	int argc = 0, rc, lfd;

	if (o->nargs) {
		ab_err("conf --refresh FILE takes its LUNs from FILE, not \"%s\"", o->args[0]);
		return AB_USAGE;
	}
	text = slurp(o->refresh, &n);
	if (!text) {
		ab_err("conf --refresh: cannot read %s: %s", o->refresh, strerror(errno));
		return AB_NOINPUT;
	}
	line = strstr(text, ARGS_TAG);
	if (!line || (line != text && line[-1] != '\n')) {
		ab_err("conf --refresh: %s was not written by abpath conf --output (no \"%s\" line)",
		       o->refresh, ARGS_TAG);
		free(text);
		return AB_DATAERR;
	}
	line += strlen(ARGS_TAG);
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	argv[argc++] = "abpath";
	argv[argc++] = "conf";
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		int k;

		for (k = 0; tok[0] == '-' && recordable[k] && strcmp(tok, recordable[k]); k++)
			;
		if (argc >= 60 || (tok[0] == '-' && !recordable[k])) {
			ab_err("conf --refresh: %s: bad recorded argument \"%s\"", o->refresh, tok);
			free(text);
			return AB_DATAERR;
		}
		argv[argc++] = tok;
	}
	argv[argc++] = "--output";
	argv[argc++] = (char *)o->refresh;
	if (o->reconfigure)
		argv[argc++] = "--reconfigure";
	argv[argc] = NULL;
	lfd = lock_dir(o->refresh);
	if (lfd < 0) {
		free(text);
		return AB_NOINPUT;
	}
	conf_locked = true;
	rc = ab_main(argc, argv);
	conf_locked = false;
	close(lfd);
	if (rc == AB_USAGE) {	/* the arguments came from FILE: bad input */
		ab_err("conf --refresh: %s: the recorded arguments are refused", o->refresh);
		rc = AB_DATAERR;
	}
	free(text);
	return rc;
}
