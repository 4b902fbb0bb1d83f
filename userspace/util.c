// SPDX-License-Identifier: GPL-2.0
/* util.c - small helpers: messages, sysfs attribute reads, allocation. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ctype.h>
#include "abpath.h"

static char *cap_buf;
static size_t cap_len;

void ab_err(const char *fmt, ...)
{
	va_list ap;

	if (cap_buf) {
		if (!cap_buf[0]) {
			va_start(ap, fmt);
			vsnprintf(cap_buf, cap_len, fmt, ap);
			va_end(ap);
		}
		return;
	}
	fputs("abpath: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* While buf is set, ab_err keeps its (first) message there instead of printing. */
void ab_err_capture(char *buf, size_t len)
{
	cap_buf = buf;
	cap_len = len;
	if (buf && len)
		buf[0] = '\0';
}

void ab_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("abpath: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read a one-line sysfs attribute, strip trailing whitespace. 0 ok, -1 missing. */
int ab_read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[AB_PATH];
	FILE *f;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	/*
	 * A read error is an attribute the kernel will not give now (an iSCSI
	 * connection that is down answers "address" and "port" with
	 * ENOTCONN): the same as a missing one, not an empty value.
	 */
	if (!n && ferror(f)) {
		fclose(f);
		buf[0] = '\0';
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	/* binary content ends the string at the first NUL; sysfs text never has one */
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

int ab_read_attr_long(const char *dir, const char *name, long *val)
{
	char buf[64], *end;
	long v;

	if (ab_read_attr(dir, name, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return -2;
	*val = v;
	return 0;
}

bool ab_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Order disk names the way the kernel allocates them: sdz < sdaa. */
int ab_devname_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static void oom(void)
{
	ab_err("out of memory");
	exit(AB_SOFTWARE);
}

void *ab_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

void *ab_xrealloc(void *p, size_t n, size_t sz)
{
	void *q;

	if (sz && n > ((size_t)-1) / sz)
		oom();
	q = realloc(p, (n ? n : 1) * (sz ? sz : 1));
	if (!q)
		oom();
	return q;
}

char *ab_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

void ab_copy(char *dst, size_t len, const char *src)
{
	if (!len)
		return;
	snprintf(dst, len, "%s", src ? src : "");
}

const char *ab_side_name(enum ab_side s)
{
	switch (s) {
	case SIDE_A: return "A";
	case SIDE_B: return "B";
	default: return "-";
	}
}

enum ab_side ab_side_parse(const char *s)
{
	if (!strcasecmp(s, "A"))
		return SIDE_A;
	if (!strcasecmp(s, "B"))
		return SIDE_B;
	return SIDE_NONE;
}

/* Parse a decimal unsigned number no larger than max. 0 ok, -1 bad. */
int ab_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "MAJ:MIN" exactly: decimal, major < 4096, minor < 2^20 (the kernel's dev_t). */
int ab_parse_devt(const char *s, unsigned *maj, unsigned *min)
{
	char buf[64], *colon;
	unsigned long a, b;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	ab_copy(buf, sizeof(buf), s);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (ab_parse_uint(buf, 4095, &a) || ab_parse_uint(colon + 1, 1048575, &b))
		return -1;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return 0;
}

/* snprintf that callers use for paths and messages; returns like snprintf. */
int ab_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* multipathd listens on the abstract socket @/org/kernel/linux/storage/multipathd. */
bool ab_multipathd_running(const char *proc_net_unix)
{
	FILE *f = fopen(proc_net_unix, "re");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " @/org/kernel/linux/storage/multipathd") != NULL;
	fclose(f);
	return found;
}
