// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sysfs.c - libFuzzer target for abpath's sysfs reader (sysfs.c):
 * the input describes a sysfs tree, the target builds it in a private
 * directory and runs ab_discover() over it, then looks up every disk by
 * device number and reads dm holder info, then frees everything.
 *
 * Input: records separated by NUL bytes, "PATH\0CONTENT\0PATH\0CONTENT...".
 * PATH is relative to the fake sysfs root ("class/iscsi_session/session1/
 * state"); a PATH starting with '@' makes a symlink whose target is
 * CONTENT (made after all files, only inside the tree, relative, no "..").  Paths are sanitised ("..", "." and empty components dropped,
 * at most 12 components, 240 characters, 96 records) so the tree stays
 * inside the private directory.  Seeds: tests/fuzz/corpus/sysfs/ (made
 * from tests/abpath/fixtures/ by tests/fuzz/mkseeds.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "abpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char base[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(base, sizeof(base), "%s/fuzz_sysfs.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (t ? t : "/tmp"));
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		abort();
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Sanitise PATH into "root/a/b/c"; 0 if nothing usable is left. */
static int make_path(const char *root, const char *in, char *out, size_t len,
		     char *parent, size_t plen)
{
	char tmp[256], *save = NULL, *c;
	size_t o;
	int n = 0;

	if (strlen(in) > 240)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s", in);
	o = (size_t)snprintf(out, len, "%s", root);
	parent[0] = '\0';
	for (c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, ".") || !strcmp(c, ".."))
			continue;
		if (++n > 12)
			return 0;
		snprintf(parent, plen, "%s", out);
		o += (size_t)snprintf(out + o, len - o, "/%s", c);
		if (o >= len)
			return 0;
	}
	return n;
}

/*
 * Link targets: relative and without "..": a link then resolves below its
 * own (real, inside the tree) directory, so no chain of links leaves the
 * tree (a link to a tty or to /proc would block or wander).
 */
static int target_ok(const char *target)
{
	const char *p = target;

	if (target[0] == '/')
		return 0;
	while ((p = strstr(p, "..")) != NULL) {
		if ((p == target || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return 0;
		p += 2;
	}
	return 1;
}

static void mkdirs(const char *dir, const char *root)
{
	char p[512];
	size_t i, r = strlen(root);

	snprintf(p, sizeof(p), "%s", dir);
	for (i = r + 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		mkdir(p, 0755);
		p[i] = '/';
	}
	mkdir(p, 0755);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char root[300], path[512], parent[512];
	struct ab_inventory inv;
	struct ab_holder h;
	size_t i;
	int recs, s, d, pass;
	char *rroot;

	if (size > 65536)
		return 0;
	snprintf(root, sizeof(root), "%s/t", base);
	rm_tree(root);
	if (mkdir(root, 0755))
		abort();
	rroot = realpath(root, NULL);
	if (!rroot)
		abort();
	/*
	 * Pass 0 writes files and directories, pass 1 makes the symlinks, and
	 * only where the link's directory really lies inside the tree: no
	 * write or mkdir ever goes through a fuzzed link.
	 */
	for (pass = 0; pass < 2; pass++) {
		i = 0;
		recs = 0;
		while (i < size && recs < 96) {
			const char *name = (const char *)data + i, *content;
			size_t nlen = strnlen(name, size - i), clen;
			char nbuf[256];

			if (i + nlen >= size)
				break;
			i += nlen + 1;
			content = (const char *)data + i;
			clen = strnlen(content, size - i);
			i += clen + 1;
			recs++;
			if (!nlen || nlen >= sizeof(nbuf))
				continue;
			memcpy(nbuf, name, nlen);
			nbuf[nlen] = '\0';
			if (nbuf[0] == '@' && pass == 1) {
				char target[256], *real;
				int inside;

				if (!make_path(root, nbuf + 1, path, sizeof(path), parent, sizeof(parent)))
					continue;
				if (clen >= sizeof(target))
					continue;
				memcpy(target, content, clen);
				target[clen] = '\0';
				if (!target_ok(target))
					continue;
				real = realpath(parent, NULL);
				inside = real && !strncmp(real, rroot, strlen(rroot)) &&
					 (real[strlen(rroot)] == '/' || !real[strlen(rroot)]);
				free(real);
				if (inside)
					(void)!symlink(target, path);
			} else if (nbuf[0] != '@' && pass == 0) {
				int fd;

				if (!make_path(root, nbuf, path, sizeof(path), parent, sizeof(parent)))
					continue;
				mkdirs(parent, root);
				fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
				if (fd < 0)
					continue;
				/* an empty or short attribute is an input too */
				(void)!write(fd, content, clen > 4096 ? 4096 : clen);
				close(fd);
			}
		}
	}

	memset(&inv, 0, sizeof(inv));
	ab_discover(root, &inv);
	for (s = 0; s < inv.nsessions; s++)
		for (d = 0; d < inv.sessions[s].ndisks; d++) {
			const struct ab_disk *k = &inv.sessions[s].disks[d];
			char name[64];

			ab_devname_from_devt(&inv, k->major, k->minor, name, sizeof(name));
		}
	for (d = 0; d < inv.nluns; d++)
		(void)ab_lun_name(&inv.luns[d]);
	ab_inventory_free(&inv);
	memset(&h, 0, sizeof(h));
	ab_dm_holder_info(root, "dm-0", &h);
	{
		/* apply's reload-drop check reads block/dm-0/slaves */
		char **sl = NULL;
		int nsl = 0;

		if (!ab_dm_slaves(root, "dm-0", &sl, &nsl))
			for (d = 0; d < nsl; d++)
				free(sl[d]);
		free(sl);
	}
	rm_tree(root);
	free(rroot);
	return 0;
}
