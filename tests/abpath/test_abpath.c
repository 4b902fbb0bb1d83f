// SPDX-License-Identifier: GPL-2.0
/*
 * test_abpath.c - cmocka tests for abpath.
 *
 * Unit tests link libabpath.a; golden tests run the built binary ($ABPATH)
 * for every line of golden/cases.list and compare stdout, stderr and the
 * exit status with golden/<name>.out. Run from tests/abpath/.
 * ABPATH_REGEN=1 rewrites the golden files instead of comparing
 * (make -C userspace golden); make check never sets it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>
#include "cli.h"

static bool regen;

/* ---------- helpers ---------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Compare with golden file, or write it in regen mode. */
static void golden_compare(const char *gpath, const char *actual)
{
	char *exp;
	char apath[AB_PATH];

	if (regen) {
		spew(gpath, actual);
		return;
	}
	exp = slurp(gpath, NULL);
	if (!exp) {
		print_error("missing golden file %s (make -C userspace golden)\n", gpath);
		fail();
	}
	if (strcmp(exp, actual)) {
		const char *a = exp, *b = actual;
		int line = 1;

		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		mkdir("out", 0755);
		snprintf(apath, sizeof(apath), "out/%s", strrchr(gpath, '/') + 1);
		spew(apath, actual);
		print_error("%s differs at line %d; actual output in tests/abpath/%s\n", gpath,
			    line, apath);
		free(exp);
		fail();
	}
	free(exp);
}

static void discover(const char *fixture, const char *config, struct ab_config *cfg,
		     struct ab_inventory *inv)
{
	char root[AB_PATH];

	ab_config_defaults(cfg);
	if (config)
		assert_int_equal(ab_config_load_file(cfg, config, true), 0);
	snprintf(root, sizeof(root), "fixtures/%s", fixture);
	assert_int_equal(ab_discover(root, inv), 0);
	ab_classify(cfg, inv);
}

/* ---------- dm reload: a fake device-mapper (ab_dm_set_ops) ---------- */

/* One map as the kernel keeps it: live table, inactive slot, suspended. */
static struct fake_dm {
	char live[256], inactive[256];
	bool suspended;
	int resume_fail;	/* fail this many resumes */
	bool swap_fail;		/* a failed resume = failed table swap (map left suspended) */
	bool load_fail;
	int resumes, loads, clears;
} fdm;

static int fake_load(const char *name, const char *table)
{
	(void)name;
	fdm.loads++;
	if (fdm.load_fail)
		return -1;
	snprintf(fdm.inactive, sizeof(fdm.inactive), "%s", table);
	return 0;
}

static int fake_resume(const char *name)
{
	(void)name;
	fdm.resumes++;
	if (fdm.resume_fail > 0) {
		fdm.resume_fail--;
		if (fdm.swap_fail && fdm.inactive[0]) {
			/* dm-ioctl do_resume: suspended, dm_swap_table failed, new table dropped */
			fdm.suspended = true;
			fdm.inactive[0] = '\0';
		}
		return -1;
	}
	if (fdm.inactive[0]) {
		snprintf(fdm.live, sizeof(fdm.live), "%s", fdm.inactive);
		fdm.inactive[0] = '\0';
	}
	fdm.suspended = false;
	return 0;
}

static int fake_clear(const char *name)
{
	(void)name;
	fdm.clears++;
	fdm.inactive[0] = '\0';
	return 0;
}

static int fake_info(const char *name, struct ab_dm_state *st)
{
	(void)name;
	st->exists = true;
	st->suspended = fdm.suspended;
	st->live_table = fdm.live[0] != '\0';
	st->inactive_table = fdm.inactive[0] != '\0';
	return 0;
}

static int fake_table(const char *name, char **out)
{
	(void)name;
	*out = strdup(fdm.live);
	return *out ? 0 : -1;
}

static const struct ab_dm_ops fake_ops = {
	.load = fake_load, .resume = fake_resume, .clear = fake_clear,
	.info = fake_info, .table = fake_table,
};

static void fdm_reset(void)
{
	memset(&fdm, 0, sizeof(fdm));
	snprintf(fdm.live, sizeof(fdm.live), "0 8 multipath OLD");
}

/* Issue 16 found 2: a failed resume left the map SUSPENDED. */
static void test_dm_reload_recovery(void **state)
{
	const struct ab_dm_ops *prev = ab_dm_set_ops(&fake_ops);

	(void)state;
	/* normal reload: new table live, resumed */
	fdm_reset();
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), 0);
	assert_string_equal(fdm.live, "0 8 multipath NEW");
	assert_false(fdm.suspended);

	/* the swap fails once: resume again -> old table, live */
	fdm_reset();
	fdm.resume_fail = 1;
	fdm.swap_fail = true;
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), AB_UNAVAIL);
	assert_false(fdm.suspended);
	assert_string_equal(fdm.live, "0 8 multipath OLD");
	assert_int_equal(fdm.resumes, 2);

	/* the second resume fails too: load the old table again and resume */
	fdm_reset();
	fdm.resume_fail = 2;
	fdm.swap_fail = true;
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), AB_UNAVAIL);
	assert_false(fdm.suspended);
	assert_string_equal(fdm.live, "0 8 multipath OLD");
	assert_string_equal(fdm.inactive, "");
	assert_int_equal(fdm.loads, 2);

	/* the suspend fails (map still live, new table inactive): drop it */
	fdm_reset();
	fdm.resume_fail = 1;
	fdm.swap_fail = false;
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), AB_UNAVAIL);
	assert_false(fdm.suspended);
	assert_string_equal(fdm.live, "0 8 multipath OLD");
	assert_string_equal(fdm.inactive, "");

	/* nothing resumes: an error (the caller names 'dmsetup resume') */
	fdm_reset();
	fdm.resume_fail = 99;
	fdm.swap_fail = true;
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), AB_UNAVAIL);
	assert_int_equal(fdm.resumes, 3);

	/* the load fails: old table stays, nothing left inactive */
	fdm_reset();
	fdm.load_fail = true;
	assert_int_equal(ab_dm_reload("m", "0 8 multipath NEW"), AB_UNAVAIL);
	assert_string_equal(fdm.live, "0 8 multipath OLD");
	assert_int_equal(fdm.resumes, 0);
	ab_dm_set_ops(prev);
}

/* strict sysfs numbers (issue 16 found 4) and status with many groups */
static void test_strict_numbers(void **state)
{
	static const char *bad[] = { "99999999999:16", "-1:16", "8:16:junk", "8:", ":16", "8 :16",
				     "+8:16", "4096:0", "8:1048576", "8:-1", "", "8" };
	char table[8192], status[8192];
	struct ab_st_map m;
	char err[256];
	unsigned a, b;
	unsigned long v;
	size_t i;
	int k, tl, sl;

	(void)state;
	assert_int_equal(ab_parse_devt("8:16", &a, &b), 0);
	assert_int_equal(a, 8);
	assert_int_equal(b, 16);
	assert_int_equal(ab_parse_devt("4095:1048575", &a, &b), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(ab_parse_devt(bad[i], &a, &b), 0);
	assert_int_not_equal(ab_parse_uint("-5", ULONG_MAX, &v), 0);
	assert_int_not_equal(ab_parse_uint("5x", ULONG_MAX, &v), 0);
	assert_int_not_equal(ab_parse_uint("99999999999999999999999", ULONG_MAX, &v), 0);
	/* 20 priority groups (status used to stop at 16) */
	tl = snprintf(table, sizeof(table), "0 0 20 1");
	sl = snprintf(status, sizeof(status), "2 0 0 0 20 1");
	for (k = 0; k < 20; k++) {
		tl += snprintf(table + tl, sizeof(table) - (size_t)tl, " round-robin 0 1 1 8:%d 1", 16 * k);
		sl += snprintf(status + sl, sizeof(status) - (size_t)sl, " %s 0 1 0 8:%d A 0", k ? "E" : "A",
			       16 * k);
	}
	memset(&m, 0, sizeof(m));
	assert_int_equal(ab_status_parse(table, status, &m, err, sizeof(err)), 0);
	assert_int_equal(m.npgs, 20);
	assert_int_equal(m.npaths, 20);
	assert_string_equal(m.pg_selector[19], "round-robin");
	ab_status_free(&m);
	/* a bad path device in the table */
	memset(&m, 0, sizeof(m));
	assert_int_not_equal(ab_status_parse("0 0 1 1 round-robin 0 1 1 8:16:junk 1",
					     "2 0 0 0 1 1 A 0 1 0 8:16 A 0", &m, err, sizeof(err)), 0);
	ab_status_free(&m);
}

/* JSON is always valid UTF-8: raw sysfs bytes that are not become \ufffd */
static void test_json_utf8(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *o = json_object_new_object();

	(void)state;
	assert_non_null(f);
	json_object_object_add(o, "t", json_object_new_string("iqn.\xff\xfe-\xc3\xa9-\xed\xa0\x80-\xe2\x82"));
	ab_json_print(f, o);
	fclose(f);
	json_object_put(o);
	assert_non_null(strstr(buf, "\"iqn.\\ufffd\\ufffd-\xc3\xa9-\\ufffd\\ufffd\\ufffd-\\ufffd\\ufffd\""));
	assert_non_null(strstr(buf, "\"version\": \"" ABPATH_VERSION "\""));
	o = json_tokener_parse(buf);
	assert_non_null(o);
	json_object_put(o);
	free(buf);
}

/* apply defers to a running multipathd: its abstract socket in /proc/net/unix */
static void test_multipathd_detect(void **state)
{
	char path[] = "/tmp/abpath-unix.XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	spew(path, "Num       RefCount Protocol Flags    Type St Inode Path\n"
	     "0000000000000000: 00000002 00000000 00010000 0001 01 16545 @/org/kernel/linux/storage/multipathd\n");
	assert_true(ab_multipathd_running(path));
	spew(path, "Num       RefCount Protocol Flags    Type St Inode Path\n"
	     "0000000000000000: 00000002 00000000 00010000 0001 01 16545 @ISCSIADM_ABSTRACT_NAMESPACE\n");
	assert_false(ab_multipathd_running(path));
	unlink(path);
	assert_false(ab_multipathd_running(path));
}

/* ---------- wwid ---------- */

static void test_wwid_normalise(void **state)
{
	char out[AB_STR];

	(void)state;
	assert_int_equal(ab_wwid_normalise("naa.6001405ABCdef0123456789abcdef01", out, sizeof(out)), 0);
	assert_string_equal(out, "36001405abcdef0123456789abcdef01");
	assert_int_equal(ab_wwid_normalise("eui.0025385b71b07e2f", out, sizeof(out)), 0);
	assert_string_equal(out, "20025385b71b07e2f");
	assert_int_equal(ab_wwid_normalise("t10.LIO-ORG  disk0   serial 1  ", out, sizeof(out)), 0);
	assert_string_equal(out, "1LIO-ORG_disk0_serial_1");
	assert_int_equal(ab_wwid_normalise("iqn.2003-01.org.x:t,t,0x1", out, sizeof(out)), 0);
	assert_string_equal(out, "8iqn.2003-01.org.x:t,t,0x1");
	assert_int_not_equal(ab_wwid_normalise("naa.6001405zz", out, sizeof(out)), 0);
	assert_int_not_equal(ab_wwid_normalise("naa.600140", out, 4), 0);
}

static void test_wwid_vpd83(void **state)
{
	/* T10 designator first, then NAA 6 (must win), then a port designator */
	unsigned char vpd[] = {
		0x00, 0x83, 0x00, 0x2c,
		0x02, 0x01, 0x00, 0x08, 'L', 'I', 'O', '-', 'O', 'R', 'G', ' ',
		0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12,
		0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12,
		0x61, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
	};
	char out[AB_STR];

	(void)state;
	assert_int_equal(ab_wwid_from_vpd83(vpd, sizeof(vpd), out, sizeof(out)), 0);
	assert_string_equal(out, "36001405abcdef0123456789abcdef012");
	vpd[1] = 0x80;
	assert_int_not_equal(ab_wwid_from_vpd83(vpd, sizeof(vpd), out, sizeof(out)), 0);
	vpd[1] = 0x83;
	vpd[7] = 0x40;	/* descriptor runs past the end */
	assert_int_not_equal(ab_wwid_from_vpd83(vpd, sizeof(vpd), out, sizeof(out)), 0);
}

/* ---------- sides / config ---------- */

static void test_sides_classify(void **state)
{
	struct ab_config cfg;
	enum ab_side s;
	char label[AB_NAME], err[AB_STR];

	(void)state;
	ab_config_defaults(&cfg);
	assert_int_equal(ab_classify_ip(&cfg, "172.16.1.13", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_int_equal(s, SIDE_A);
	assert_string_equal(label, "A1");
	assert_int_equal(ab_classify_ip(&cfg, "::ffff:172.16.1.16", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_int_equal(s, SIDE_B);
	assert_string_equal(label, "B2");
	assert_int_not_equal(ab_classify_ip(&cfg, "172.16.1.18", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_non_null(strstr(err, "matches no side"));
	assert_int_equal(ab_config_set_side(&cfg, SIDE_A, "10.0.1.0/24,fd00:a::/64"), 0);
	assert_int_equal(ab_config_set_side(&cfg, SIDE_B, "10.0.0.0/16"), 0);
	assert_int_not_equal(ab_classify_ip(&cfg, "10.0.1.7", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_non_null(strstr(err, "matches both side A (10.0.1.0/24) and side B (10.0.0.0/16)"));
	assert_int_equal(ab_classify_ip(&cfg, "[fd00:a::5]", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_int_equal(s, SIDE_A);
	assert_int_equal(ab_classify_ip(&cfg, "10.0.2.1", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_int_equal(s, SIDE_B);
	assert_int_not_equal(ab_classify_ip(&cfg, "not-an-ip", &s, label, sizeof(label), err, sizeof(err)), 0);
	assert_int_equal(ab_config_set_side(&cfg, SIDE_A, "10.0.1.0/33"), AB_USAGE);
	ab_config_free(&cfg);
}

static void test_config_parse(void **state)
{
	struct ab_config cfg;

	(void)state;
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg,
		"{\"sides\":{\"A\":{\"subnets\":[\"10.0.1.0/24\"]},\"B\":{\"portals\":[\"10.0.2.5\",{\"ip\":\"10.0.2.6\",\"label\":\"B1\"}]}},"
		"\"weights\":{\"A\":3,\"B1\":0},\"aliases\":{\"3600\":\"db\"},\"no_path_retry\":12,"
		"\"plan\":{\"pairs\":[[\"A0\",\"B0\"],[\"A1\",\"B1\"],[\"A2\",\"B2\"]]}}\n", "t"), 0);
	assert_false(cfg.builtin_sides);
	assert_int_equal(cfg.nrules, 3);
	assert_int_equal(cfg.nweights, 2);
	assert_string_equal(ab_config_alias(&cfg, "3600"), "db");
	assert_string_equal(cfg.no_path_retry, "12");
	assert_string_equal(ab_label_ip(&cfg, "B1"), "10.0.2.6");
	/* 3 pairs: primary, primary + 1 (n/2), then the rest */
	assert_int_equal(cfg.plan.retry[0][0], 0);
	assert_int_equal(cfg.plan.retry[0][1], 1);
	assert_int_equal(cfg.plan.retry[0][2], 2);
	assert_int_equal(cfg.plan.retry[2][1], 0);
	ab_config_free(&cfg);

	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg, "{\"sides\":{\"A\":{\"subnets\":[\"10.0.1.0/24\"]}}}", "t"), AB_DATAERR);
	ab_config_free(&cfg);
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg, "{\"weights\":{\"A\":1001}}", "t"), AB_DATAERR);
	ab_config_free(&cfg);
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg, "{\"sides\":{\"A\":{\"subnets\":[\"10.0.1.5\"]},\"B\":{\"subnets\":[\"10.0.2.0/24\"]}}}", "t"), AB_DATAERR);
	ab_config_free(&cfg);
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg, "[1,2]", "t"), AB_DATAERR);
	ab_config_free(&cfg);
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_load_string(&cfg, "{} {}", "t"), AB_DATAERR);
	ab_config_free(&cfg);
	ab_config_defaults(&cfg);
	assert_int_equal(ab_config_parse_weights(&cfg, "A=3,B=1,172.16.1.10=7"), 0);
	assert_int_equal(cfg.nweights, 3);
	assert_int_equal(ab_config_parse_weights(&cfg, "A=x"), AB_USAGE);
	assert_int_equal(ab_config_parse_weights(&cfg, "A=1001"), AB_USAGE);
	ab_config_free(&cfg);
}

/* ---------- discovery ---------- */

static void test_discover_fixtures(void **state)
{
	static const struct { const char *fx; int sessions, luns, disks; } t[] = {
		{ "two-portals", 2, 1, 2 }, { "four-portals", 4, 3, 12 },
		{ "one-side-down", 2, 1, 2 }, { "same-side", 2, 1, 2 },
		{ "multi-iqn", 4, 2, 4 }, { "held", 2, 1, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ab_config cfg;
		struct ab_inventory inv;
		int j, d = 0;

		discover(t[i].fx, NULL, &cfg, &inv);
		assert_int_equal(inv.nsessions, t[i].sessions);
		assert_int_equal(inv.nluns, t[i].luns);
		for (j = 0; j < inv.nluns; j++)
			d += inv.luns[j].npaths;
		assert_int_equal(d, t[i].disks);
		ab_inventory_free(&inv);
		ab_config_free(&cfg);
	}
}

static void test_discover_details(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	char name[AB_NAME];

	(void)state;
	discover("four-portals", "fixtures/four-portals/abpath.json", &cfg, &inv);
	assert_string_equal(inv.sessions[2].portal_ip, "10.0.2.10");
	assert_int_equal(inv.sessions[2].recovery_tmo, 120);
	assert_int_equal(inv.sessions[2].host, 4);
	assert_string_equal(inv.sessions[2].local_ip, "10.0.2.100");
	assert_string_equal(inv.sessions[2].netdev, "eth2");
	assert_int_equal(inv.sessions[2].side, SIDE_B);
	assert_string_equal(inv.luns[0].alias, "data0");
	assert_int_equal(inv.luns[0].paths[0]->nholders, 1);
	assert_string_equal(inv.luns[0].paths[0]->holders[0].name, "data0");
	assert_int_equal(ab_devname_from_devt(&inv, 8, 192, name, sizeof(name)), 0);
	assert_string_equal(name, "sdm");
	assert_non_null(ab_find_lun(&inv, "data1"));
	assert_non_null(ab_find_lun(&inv, "naa.6001405" "00000000000000000000000b2"));
	assert_null(ab_find_lun(&inv, "nope"));
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	/*
	 * a session that is down: its connection's address and port cannot be
	 * read (ENOTCONN in a real kernel); the persistent portal still names
	 * it and its side
	 */
	discover("one-side-down", NULL, &cfg, &inv);
	assert_int_equal(inv.nsessions, 2);
	assert_string_equal(inv.sessions[1].state, "FAILED");
	assert_string_equal(inv.sessions[1].cur_ip, "");
	assert_int_equal(inv.sessions[1].cur_port, 0);
	assert_string_equal(inv.sessions[1].portal_ip, "172.16.1.12");
	assert_int_equal(inv.sessions[1].portal_port, 3260);
	assert_int_equal(inv.sessions[1].side, SIDE_B);
	assert_int_equal(ab_read_attr("fixtures/one-side-down/class/iscsi_connection/connection4:0",
				      "port", name, sizeof(name)), -1);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	/* real-layout fixture: symlinked class entries, dev/block lookup, vpd_pg83 */
	discover("same-side", NULL, &cfg, &inv);
	assert_string_equal(inv.luns[0].wwid, "3600140500000000000000000000000d1");
	assert_string_equal(inv.luns[0].paths[0]->raw_wwid, "vpd_pg83");
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	assert_int_equal(ab_discover("fixtures/does-not-exist", &inv), AB_NOINPUT);
	ab_inventory_free(&inv);
	/* a bad or half-gone session is reported and skipped (issue 16 found 4) */
	assert_int_equal(ab_discover("fixtures/bad-missing", &inv), 0);
	assert_int_equal(inv.nsessions, 0);
	assert_int_equal(inv.nskipped, 1);
	assert_non_null(strstr(inv.skipped[0].error, "session1/targetname"));
	ab_inventory_free(&inv);
	assert_int_equal(ab_discover("fixtures/bad-numbers", &inv), 0);
	assert_int_equal(inv.nsessions, 2);
	assert_int_equal(inv.nskipped, 4);
	assert_non_null(strstr(inv.skipped[0].error, "\"99999999999:16\""));
	assert_non_null(strstr(inv.skipped[0].error, "/block/sdd/dev"));
	assert_non_null(strstr(inv.skipped[3].error, "/block/sdg/size"));
	ab_inventory_free(&inv);
	/* opendir failing (symlink loop) is an error, not "no disks" */
	assert_int_equal(ab_discover("fixtures/loop", &inv), 0);
	assert_int_equal(inv.nsessions, 1);
	assert_int_equal(inv.nskipped, 1);
	assert_int_equal(inv.skipped[0].sid, 2);
	ab_inventory_free(&inv);
}

/* ---------- tables ---------- */

static void test_table_weights(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_table_opts o = { 0 };
	char t[4096];

	(void)state;
	discover("four-portals", "fixtures/four-portals/abpath.json", &cfg, &inv);
	o.policy = POL_LEAST_BLOCKS;
	o.weights_given = true;
	o.prefer = SIDE_A;
	/* A=3, B=1, label A1=2 beats side A */
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), 0);
	assert_string_equal(t, "0 4194304 multipath 0 0 1 1 least-blocks 0 4 1 8:32 3 8:80 2 8:128 1 8:176 1");
	assert_int_equal(ab_config_parse_weights(&cfg, "10.0.2.11=9,B=4,A=1"), 0);
	o.failover = true;
	o.prefer = SIDE_B;
	o.queue_if_no_path = true;
	ab_copy(o.hw_handler, sizeof(o.hw_handler), "alua");
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), 0);
	assert_string_equal(t, "0 4194304 multipath 1 queue_if_no_path 1 alua 2 1 "
			    "least-blocks 0 2 1 8:128 4 8:176 9 least-blocks 0 2 1 8:32 1 8:80 1");
	o.policy = POL_WEIGHTED_PATHS;
	o.wp_priority = true;
	o.failover = false;
	o.queue_if_no_path = false;
	o.hw_handler[0] = '\0';
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), 0);
	assert_string_equal(t, "0 4194304 multipath 0 0 1 1 weighted-paths 1 priority 4 1 8:32 1 8:80 1 8:128 4 8:176 9");
	o.policy = POL_SERVICE_TIME;
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), 0);
	assert_string_equal(t, "0 4194304 multipath 0 0 1 1 service-time 0 4 2 8:32 1 1 8:80 1 1 8:128 1 4 8:176 1 9");
	assert_int_equal(ab_config_parse_weights(&cfg, "A=101"), 0);
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), AB_USAGE);
	assert_int_equal(ab_config_parse_weights(&cfg, "A=0"), 0);
	o.policy = POL_LEAST_BLOCKS;
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), AB_USAGE);
	o.policy = POL_QUEUE_LENGTH;
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), AB_USAGE);
	o.weights_given = false;
	assert_int_equal(ab_build_table(&cfg, &o, &inv.luns[1], t, sizeof(t)), 0);
	assert_string_equal(t, "0 4194304 multipath 0 0 1 1 queue-length 0 4 1 8:32 1 8:80 1 8:128 1 8:176 1");
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

static void test_table_validate(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	char err[512];

	(void)state;
	discover("bad-portal", NULL, &cfg, &inv);
	assert_int_equal(ab_validate_lun(&inv.luns[0], err, sizeof(err)), AB_DATAERR);
	assert_non_null(strstr(err, "192.168.9.9 matches no side"));
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
	discover("one-side-down", NULL, &cfg, &inv);
	assert_int_equal(ab_validate_lun(&inv.luns[0], err, sizeof(err)), 0);
	inv.sessions[0].state[0] = 'X';	/* now no side is logged in */
	assert_int_equal(ab_validate_lun(&inv.luns[0], err, sizeof(err)), AB_UNAVAIL);
	assert_non_null(strstr(err, "no usable path"));
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

/* ---------- check ---------- */

static bool has_code(struct ab_finding *f, int n, const char *code, enum ab_sev sev)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].code, code) && f[i].sev == sev)
			return true;
	return false;
}

static void test_check_findings(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_finding *f;
	int n;

	(void)state;
	discover("same-side", NULL, &cfg, &inv);
	assert_int_equal(ab_check(&cfg, &inv, NULL, &f, &n), AB_CRIT);
	assert_true(has_code(f, n, "side-missing", SEV_ERROR));
	assert_true(has_code(f, n, "adapters-same-side", SEV_ERROR));
	assert_true(has_code(f, n, "tmo-long", SEV_WARNING));
	assert_true(has_code(f, n, "noop-off", SEV_WARNING));
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	discover("held", NULL, &cfg, &inv);
	assert_int_equal(ab_check(&cfg, &inv, NULL, &f, &n), AB_CRIT);
	assert_true(has_code(f, n, "held-not-mpath", SEV_ERROR));
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	discover("four-portals", "fixtures/four-portals/abpath.json", &cfg, &inv);
	assert_int_equal(ab_check(&cfg, &inv, NULL, &f, &n), AB_WARN);
	assert_true(has_code(f, n, "tmo-long", SEV_WARNING));
	free(f);
	/* one local address for both sides: same NIC */
	ab_copy(inv.sessions[2].local_ip, AB_NAME, "10.0.1.100");
	assert_int_equal(ab_check(&cfg, &inv, NULL, &f, &n), AB_CRIT);
	assert_true(has_code(f, n, "same-nic", SEV_ERROR));
	assert_true(has_code(f, n, "adapter-both-sides", SEV_ERROR));
	assert_true(has_code(f, n, "source-off-subnet", SEV_WARNING));
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);

	discover("two-portals", NULL, &cfg, &inv);
	assert_int_equal(ab_check(&cfg, &inv, NULL, &f, &n), AB_OK);
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

/* ---------- check: weighted-paths failover modes against ALUA ---------- */

/*
 * Fixture "alua": sdb (8:16, side A) is ALUA active/optimized, sdc (8:32,
 * side B) active/non-optimized; both sessions up, held by map mpatha.  A
 * map is its TABLE and INFO status as dm gives them; ST2 is the status of
 * a one-group weighted-paths map over sdb and sdc with their dm states.
 */
#define ST2(a, b) "2 0 0 0 1 1 A 0 2 4 8:16 " a " 0 0 0 0 1 8:32 " b " 0 0 0 0 1"

static int alua_check(struct ab_inventory *inv, struct ab_config *cfg, const char *table,
		      const char *status, struct ab_finding **f, int *n)
{
	struct ab_check_dm dm = { .nmaps = 1 };
	struct ab_st_map m;
	char err[256];
	int worst;

	memset(&m, 0, sizeof(m));
	ab_copy(m.name, AB_STR, "mpatha");
	assert_int_equal(ab_status_parse(table, status, &m, err, sizeof(err)), 0);
	ab_status_resolve(&m, inv);
	dm.maps = &m;
	worst = ab_check(cfg, inv, &dm, f, n);
	ab_status_free(&m);
	return worst;
}

/*
 * Each case names the mutants (tests/abpath/mutants/, run by
 * tests/abpath/mutants.sh) it fails on, i.e. the bugs it catches.
 */
static const struct {
	const char *fixture, *table, *status;
	bool warn;
} alua_cases[] = {
	/*
	 * 0: priority mode, the non-optimized sdc has the lowest weight: warn.
	 * Catches the warning removed (alua-no-warning), the chosen-path rule
	 * inverted to "highest wins" (alua-priority-highest), the ALUA test
	 * inverted (alua-inverted), the selector args ignored (alua-args-ignored).
	 */
	{ "alua", "0 0 1 1 weighted-paths 1 priority 2 1 8:16 5 8:32 1", ST2("A", "A"), true },
	/*
	 * 1: the multipathd form (issue 17): weighted-paths-priority with
	 * rr_weight priorities x ALUA (50 optimized, 10 non-optimized): warn.
	 * Also catches the name's default mode ignored (alua-name-default).
	 */
	{ "alua", "0 0 1 1 weighted-paths-priority 0 2 1 8:16 50 8:32 10", ST2("A", "A"), true },
	/*
	 * 2: the same map with the optimized sdb chosen (lowest weight): no
	 * warning.  Catches alua-inverted, alua-priority-highest and the state
	 * comparison inverted (alua-strcmp-inverted).
	 */
	{ "alua", "0 0 1 1 weighted-paths 1 priority 2 1 8:16 1 8:32 5", ST2("A", "A"), false },
	/* 3: proportional (both paths get I/O by weight): no warning.
	 * Catches proportional judged as a failover mode (alua-any-mode). */
	{ "alua", "0 0 1 1 weighted-paths 0 2 1 8:16 5 8:32 1", ST2("A", "A"), false },
	/* 4: the args override the name's default: proportional, no warning.
	 * Catches alua-any-mode and alua-args-ignored. */
	{ "alua", "0 0 1 1 weighted-paths-priority 1 proportional 2 1 8:16 5 8:32 1",
	  ST2("A", "A"), false },
	/*
	 * 5: no ALUA (two-portals: no access_state, no device handler): no
	 * warning.  Catches alua-strcmp-inverted (an absent state matching
	 * both "optimized" and "non-optimized"); test_check_alua_states has
	 * the mixed case (alua-absent-bad).
	 */
	{ "two-portals", "0 0 1 1 weighted-paths 1 priority 2 1 8:16 5 8:32 1", ST2("A", "A"), false },
	/*
	 * 6: the optimized sdb failed in dm: sdc carries the I/O by right, no
	 * warning.  Catches the dm state ignored (alua-ignore-dm-state).
	 */
	{ "alua", "0 0 1 1 weighted-paths 1 priority 2 1 8:16 1 8:32 5", ST2("F", "A"), false },
	/*
	 * 7, 8: rank mode (highest wins): ranks that no longer follow the ALUA
	 * states warn, current ones do not.  Catch alua-priority-highest (rank
	 * judged by "lowest wins"), alua-inverted; 7 also alua-no-warning and
	 * alua-name-default, 8 alua-strcmp-inverted.
	 */
	{ "alua", "0 0 1 1 weighted-paths-rank 0 2 1 8:16 1000 8:32 5000", ST2("A", "A"), true },
	{ "alua", "0 0 1 1 weighted-paths-rank 0 2 1 8:16 5000 8:32 1000", ST2("A", "A"), false },
	/*
	 * 9: rr_weight uniform under multipathd: every weight 1, priority mode
	 * shares the I/O with the non-optimized path: warn.  Catches
	 * alua-no-warning, alua-name-default.
	 */
	{ "alua", "0 0 1 1 weighted-paths-priority 0 2 1 8:16 1 8:32 1", ST2("A", "A"), true },
	/*
	 * 10: one path per group: group 2 (sdc) has no optimized path of its
	 * own, the optimized one is group 1's: no warning.  Catches a group's
	 * paths taken from the whole map (alua-all-groups).
	 */
	{ "alua", "0 0 2 1 weighted-paths 1 priority 1 1 8:16 1 weighted-paths 1 priority 1 1 8:32 1",
	  "2 0 0 0 2 1 A 0 1 4 8:16 A 0 0 0 0 1 E 0 1 4 8:32 A 0 0 0 0 1", false },
};

static void test_check_alua(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_finding *f;
	size_t i;
	int n, worst, bad = 0;

	(void)state;
	/* every case runs: a mutant's log names all the cases that catch it */
	for (i = 0; i < sizeof(alua_cases) / sizeof(alua_cases[0]); i++) {
		discover(alua_cases[i].fixture, NULL, &cfg, &inv);
		worst = alua_check(&inv, &cfg, alua_cases[i].table, alua_cases[i].status, &f, &n);
		if (has_code(f, n, "alua-non-optimized", SEV_WARNING) != alua_cases[i].warn ||
		    worst != (alua_cases[i].warn ? AB_WARN : AB_OK)) {
			print_error("alua case %zu failed (%s %s): a warning %sexpected, exit %d\n", i,
				    alua_cases[i].fixture, alua_cases[i].table,
				    alua_cases[i].warn ? "" : "not ", worst);
			bad++;
		}
		free(f);
		ab_inventory_free(&inv);
		ab_config_free(&cfg);
	}
	assert_int_equal(bad, 0);
}

/* A disk's access_state: only the ALUA words count, an absent one is no ALUA. */
static void test_check_alua_states(void **state)
{
	static const char *tbl = "0 0 1 1 weighted-paths 1 priority 2 1 8:16 5 8:32 1";
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_finding *f;
	struct ab_disk *sdc;
	int n;

	(void)state;
	discover("alua", NULL, &cfg, &inv);
	assert_string_equal(inv.sessions[0].disks[0].alua, "active/optimized");
	sdc = &inv.sessions[1].disks[0];
	assert_string_equal(sdc->name, "sdc");
	assert_string_equal(sdc->alua, "active/non-optimized");
	/* standby is as bad as non-optimized (alua-no-warning, alua-inverted) */
	ab_copy(sdc->alua, sizeof(sdc->alua), "standby");
	assert_int_equal(alua_check(&inv, &cfg, tbl, ST2("A", "A"), &f, &n), AB_WARN);
	assert_non_null(strstr(f[0].msg, "ALUA standby"));
	free(f);
	/*
	 * The chosen sdc without access_state (no device handler) next to an
	 * optimized sdb: no warning.  Catches an absent state taken as
	 * non-optimized (mutant alua-absent-bad).
	 */
	sdc->alua[0] = '\0';
	assert_int_equal(alua_check(&inv, &cfg, tbl, ST2("A", "A"), &f, &n), AB_OK);
	assert_int_equal(n, 0);
	free(f);
	/* the optimized sdb's session is down although dm still has it: not
	 * usable, no warning.  Catches alua-session-ignored. */
	ab_copy(sdc->alua, sizeof(sdc->alua), "active/non-optimized");
	ab_copy(inv.sessions[0].state, sizeof(inv.sessions[0].state), "FAILED");
	assert_int_equal(alua_check(&inv, &cfg, tbl, ST2("A", "A"), &f, &n), AB_CRIT);
	assert_false(has_code(f, n, "alua-non-optimized", SEV_WARNING));
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

/* check's text and JSON output of the warning; maps not read: an info finding */
static void test_check_alua_output(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_check_dm unread = { .unread = "device-mapper needs root" };
	struct ab_finding *f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int n, worst, json;

	(void)state;
	discover("alua", NULL, &cfg, &inv);
	worst = alua_check(&inv, &cfg, alua_cases[0].table, alua_cases[0].status, &f, &n);
	assert_int_equal(worst, AB_WARN);
	for (json = 0; json < 2; json++) {
		struct ab_check_dm dm = { .nmaps = 1 };

		out = open_memstream(&buf, &len);
		assert_non_null(out);
		ab_check_print(out, &cfg, &inv, &dm, f, n, worst, json);
		fclose(out);
		golden_compare(json ? "golden/alua-check-json.out" : "golden/alua-check-text.out", buf);
		free(buf);
		buf = NULL;
	}
	free(f);
	assert_int_equal(ab_check(&cfg, &inv, &unread, &f, &n), AB_OK);
	assert_true(has_code(f, n, "maps-unread", SEV_INFO));
	out = open_memstream(&buf, &len);
	ab_check_print(out, &cfg, &inv, &unread, f, n, AB_OK, true);
	fclose(out);
	assert_non_null(strstr(buf, "\"maps_checked\": null"));
	free(buf);
	free(f);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

/* ---------- status ---------- */

static const struct {
	const char *name, *table, *status;
} st_cases[] = {
	{ "least-blocks",
	  "1 queue_if_no_path 0 1 1 least-blocks 0 2 1 8:16 3 8:32 1",
	  "2 0 0 0 1 1 A 0 2 4 8:16 A 0 4096 3000 12288000 3 8:32 A 0 0 1000 4096000 1" },
	{ "weighted-paths-failover",
	  "0 1 alua 2 1 weighted-paths 0 1 1 8:16 5 weighted-paths 0 1 1 8:32 1",
	  "2 0 0 0 2 1 A 0 1 4 8:16 A 0 0 10 40960 5 E 0 1 4 8:32 F 2 0 0 0 1" },
	{ "queue-length",
	  "0 0 1 1 queue-length 0 2 1 8:16 1 8:32 1",
	  "2 0 0 0 1 1 A 0 2 1 8:16 A 0 7 8:32 F 1 0" },
	{ "service-time",
	  "0 0 1 1 service-time 0 2 2 8:16 1 10 8:32 1 1",
	  "2 0 0 0 1 1 A 0 2 2 8:16 A 0 8192 10 8:32 A 0 0 1" },
	{ "round-robin",
	  "0 0 1 1 round-robin 0 2 1 8:16 1 8:99 1",
	  "2 0 0 0 1 1 A 0 2 0 8:16 A 0 8:99 A 0" },
};

static void test_status_parse(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_st_map maps[sizeof(st_cases) / sizeof(st_cases[0])];
	size_t i, n = sizeof(st_cases) / sizeof(st_cases[0]);
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_object *j;

	(void)state;
	discover("two-portals", NULL, &cfg, &inv);
	memset(maps, 0, sizeof(maps));
	for (i = 0; i < n; i++) {
		ab_copy(maps[i].name, AB_STR, st_cases[i].name);
		snprintf(maps[i].uuid, AB_STR, "mpath-test-%zu", i);
		assert_int_equal(ab_status_parse(st_cases[i].table, st_cases[i].status, &maps[i],
						 err, sizeof(err)), 0);
		ab_status_resolve(&maps[i], &inv);
	}
	assert_int_equal(maps[0].npaths, 2);
	assert_string_equal(maps[0].paths[0].dev, "sdb");
	assert_int_equal(maps[0].paths[0].side, SIDE_A);
	assert_string_equal(maps[0].paths[0].info[2], "12288000");
	assert_int_equal(maps[1].paths[1].fail_count, 2);
	assert_int_equal(maps[1].paths[1].state, 'F');
	assert_string_equal(maps[4].paths[1].dev, "?");
	f = open_memstream(&buf, &len);
	ab_status_print(f, maps, (int)n);
	fclose(f);
	golden_compare("golden/status-text.out", buf);
	free(buf);
	j = ab_status_json(maps, (int)n);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ab_json_print(f, j);
	fclose(f);
	json_object_put(j);
	golden_compare("golden/status-json.out", buf);
	free(buf);
	for (i = 0; i < n; i++)
		ab_status_free(&maps[i]);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

static void test_status_bad(void **state)
{
	static const struct { const char *t, *s, *msg; } bad[] = {
		{ "0 0 1 1 round-robin 0 1 1 8:16 1", "2 0 0 0 2 1 A 0 1 0 8:16 A 0", "group count" },
		{ "0 0 1 1 round-robin 0 1 1 8:16 1", "2 0 0 0 1 1 A 0 1 0 8:17 A 0", "is not 8:16" },
		{ "0 0 1 1 round-robin 0 1 1 8:16 1", "2 0 0 0 1 1 X 0 1 0 8:16 A 0", "bad state" },
		{ "0 0 1 1 least-blocks 0 1 1 8:16 1", "2 0 0 0 1 1 A 0 1 4 8:16 A 0 1 2", "missing selector info" },
		{ "0 0 1 1 round-robin 0 1 1 8:16", "2 0 0 0 1 1 A 0 1 0 8:16 A 0", "missing path args" },
		{ "9", "", "feature" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ab_st_map m;
		char err[256];

		memset(&m, 0, sizeof(m));
		assert_int_not_equal(ab_status_parse(bad[i].t, bad[i].s, &m, err, sizeof(err)), 0);
		if (!strstr(err, bad[i].msg)) {
			print_error("case %zu: \"%s\" lacks \"%s\"\n", i, err, bad[i].msg);
			fail();
		}
		ab_status_free(&m);
	}
}

/* ---------- reinstate ---------- */

static char sent[8][64];
static int nsent, fail_msg = -1;

static int fake_send(const char *map, const char *msg)
{
	assert_true(nsent < 8);
	snprintf(sent[nsent], sizeof(sent[0]), "%s %s", map, msg);
	return nsent++ == fail_msg ? -1 : 0;
}

static char *reinstate_out(struct ab_ri_item *it, int n, ab_dm_msg_fn send, bool json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = ab_reinstate_run(f, it, n, send, json);
	fclose(f);
	return buf;
}

/*
 * one-side-down: sdd (8:48) on session3 LOGGED_IN/up/running, sde (8:64)
 * on session4 FAILED.  Only a failed path that sysfs shows working is
 * reinstated; an active path is never touched.
 */
static void test_reinstate(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_st_map m[2];
	struct ab_ri_item *it;
	struct ab_disk *sdd = NULL;
	char err[256], *out;
	int n, rc, i, j;

	(void)state;
	discover("one-side-down", NULL, &cfg, &inv);
	memset(m, 0, sizeof(m));
	ab_copy(m[0].name, AB_STR, "mpc1");
	assert_int_equal(ab_status_parse("0 0 1 1 least-blocks 0 3 1 8:48 1 8:64 1 8:99 1",
					 "2 0 0 0 1 1 A 0 3 4 8:48 F 1 0 10 40960 1 8:64 F 3 0 0 0 1 8:99 F 1 0 0 0 1",
					 &m[0], err, sizeof(err)), 0);
	ab_copy(m[1].name, AB_STR, "mpall");
	assert_int_equal(ab_status_parse("0 0 1 1 round-robin 0 1 1 8:48 1",
					 "2 0 0 0 1 1 A 0 1 0 8:48 A 0", &m[1], err, sizeof(err)), 0);
	for (i = 0; i < 2; i++)
		ab_status_resolve(&m[i], &inv);

	assert_int_equal(ab_reinstate_plan(m, 2, &inv, &it, &n), 0);
	assert_int_equal(n, 3);		/* the active 8:48 of mpall is not listed */
	assert_true(it[0].reinstate);
	assert_string_equal(it[0].dev, "sdd");
	assert_false(it[1].reinstate);
	assert_non_null(strstr(it[1].reason, "session4 is FAILED"));
	assert_false(it[2].reinstate);
	assert_non_null(strstr(it[2].reason, "not an iSCSI disk"));

	/* dry run: nothing is sent */
	nsent = 0;
	out = reinstate_out(it, n, NULL, false, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(nsent, 0);
	golden_compare("golden/reinstate-dry.out", out);
	free(out);

	/* live: exactly one message, for 8:48 */
	out = reinstate_out(it, n, fake_send, true, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(nsent, 1);
	assert_string_equal(sent[0], "mpc1 reinstate_path 8:48");
	golden_compare("golden/reinstate-json.out", out);
	free(out);

	/* a refused message is reported, exit 69 */
	nsent = 0;
	fail_msg = 0;
	out = reinstate_out(it, n, fake_send, false, &rc);
	fail_msg = -1;
	assert_int_equal(rc, AB_UNAVAIL);
	assert_non_null(strstr(out, "reinstate failed mpc1 8:48"));
	free(out);
	free(it);

	/* session logged in again but the SCSI device still blocked, or the
	 * connection not up yet: left failed */
	for (i = 0; i < inv.nsessions; i++)
		for (j = 0; j < inv.sessions[i].ndisks; j++)
			if (!strcmp(inv.sessions[i].disks[j].name, "sdd"))
				sdd = &inv.sessions[i].disks[j];
	assert_non_null(sdd);
	ab_copy(sdd->state, sizeof(sdd->state), "blocked");
	assert_int_equal(ab_reinstate_plan(m, 1, &inv, &it, &n), 0);
	assert_false(it[0].reinstate);
	assert_string_equal(it[0].reason, "sdd is blocked");
	free(it);
	ab_copy(sdd->state, sizeof(sdd->state), "running");
	ab_copy(sdd->sess->conn_state, sizeof(sdd->sess->conn_state), "down");
	assert_int_equal(ab_reinstate_plan(m, 1, &inv, &it, &n), 0);
	assert_false(it[0].reinstate);
	assert_string_equal(it[0].reason, "connection3:0 is down");
	free(it);

	/* nothing failed: nothing to do */
	assert_int_equal(ab_reinstate_plan(&m[1], 1, &inv, &it, &n), 0);
	assert_int_equal(n, 0);
	out = reinstate_out(it, n, fake_send, false, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "no failed paths\n");
	free(out);
	free(it);

	for (i = 0; i < 2; i++)
		ab_status_free(&m[i]);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

/* failover layout: group 1 (preferred side) back -> switch_group 1 (issue 16 found 5) */
static void test_failback(void **state)
{
	struct ab_config cfg;
	struct ab_inventory inv;
	struct ab_st_map m;
	struct ab_ri_item *it;
	char err[256], *out;
	int n, rc;
	const char *tbl = "0 0 2 1 least-blocks 0 1 1 8:48 1 least-blocks 0 1 1 8:64 1";

	(void)state;
	discover("one-side-down", NULL, &cfg, &inv);
	/* group 1's path 8:48 (sdd, session3 LOGGED_IN) failed, group 2 active */
	memset(&m, 0, sizeof(m));
	ab_copy(m.name, AB_STR, "fo");
	ab_copy(m.uuid, AB_STR, "abpath-x");
	assert_int_equal(ab_status_parse(tbl, "2 0 0 0 2 2 E 0 1 4 8:48 F 1 0 0 0 1 A 0 1 4 8:64 A 0 0 0 0 1",
					 &m, err, sizeof(err)), 0);
	ab_status_resolve(&m, &inv);
	assert_int_equal(ab_reinstate_plan(&m, 1, &inv, &it, &n), 0);
	assert_int_equal(n, 2);
	assert_true(it[0].reinstate);
	assert_int_equal(it[1].switch_group, 1);
	nsent = 0;
	out = reinstate_out(it, n, fake_send, false, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(nsent, 2);
	assert_string_equal(sent[0], "fo reinstate_path 8:48");
	assert_string_equal(sent[1], "fo switch_group 1");
	assert_non_null(strstr(out, "failed back fo group 1"));
	free(out);
	free(it);
	ab_status_free(&m);

	/* group 1 already active again, or group 1 still failed: no switch */
	memset(&m, 0, sizeof(m));
	ab_copy(m.name, AB_STR, "fo");
	assert_int_equal(ab_status_parse(tbl, "2 0 0 0 2 1 A 0 1 4 8:48 A 0 0 0 0 1 E 0 1 4 8:64 A 0 0 0 0 1",
					 &m, err, sizeof(err)), 0);
	ab_status_resolve(&m, &inv);
	assert_int_equal(ab_reinstate_plan(&m, 1, &inv, &it, &n), 0);
	assert_int_equal(n, 0);
	free(it);
	ab_status_free(&m);
	memset(&m, 0, sizeof(m));
	ab_copy(m.name, AB_STR, "fo");
	/* 8:64 is sde, whose session4 is FAILED: group 1 = sde failed stays failed */
	assert_int_equal(ab_status_parse("0 0 2 1 least-blocks 0 1 1 8:64 1 least-blocks 0 1 1 8:48 1",
					 "2 0 0 0 2 2 E 0 1 4 8:64 F 1 0 0 0 1 A 0 1 4 8:48 A 0 0 0 0 1",
					 &m, err, sizeof(err)), 0);
	ab_status_resolve(&m, &inv);
	assert_int_equal(ab_reinstate_plan(&m, 1, &inv, &it, &n), 0);
	assert_int_equal(n, 1);
	assert_false(it[0].reinstate);
	free(it);
	ab_status_free(&m);
	/* multipathd's maps: its own failback setting decides */
	memset(&m, 0, sizeof(m));
	ab_copy(m.name, AB_STR, "mpatha");
	ab_copy(m.uuid, AB_STR, "mpath-x");
	assert_int_equal(ab_status_parse(tbl, "2 0 0 0 2 2 E 0 1 4 8:48 A 0 0 0 0 1 A 0 1 4 8:64 A 0 0 0 0 1",
					 &m, err, sizeof(err)), 0);
	assert_int_equal(ab_reinstate_plan(&m, 1, &inv, &it, &n), 0);
	assert_int_equal(n, 0);
	free(it);
	ab_status_free(&m);
	ab_inventory_free(&inv);
	ab_config_free(&cfg);
}

static void test_devname_order(void **state)
{
	(void)state;
	assert_true(ab_devname_cmp("sdz", "sdaa") < 0);
	assert_true(ab_devname_cmp("sdb", "sdc") < 0);
	assert_int_equal(ab_devname_cmp("sdb", "sdb"), 0);
}

/* ---------- golden cases: run the binary ---------- */

struct gcase {
	char name[128];
	char *argv[64];
	int argc;
	char line[1024];
};

static void run_golden(void **state)
{
	const struct gcase *g = *state;
	const char *bin = getenv("ABPATH");
	char outp[] = "/tmp/abpath-out-XXXXXX", errp[] = "/tmp/abpath-err-XXXXXX";
	int fo = mkstemp(outp), fe = mkstemp(errp), status, i;
	char *argv[70], *o, *e, *all, gpath[256];
	pid_t pid;
	size_t lo, le;

	assert_non_null(bin);
	assert_true(fo >= 0 && fe >= 0);
	argv[0] = (char *)bin;
	for (i = 0; i < g->argc; i++)
		argv[i + 1] = g->argv[i];
	argv[g->argc + 1] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("ABPATH_CONFIG");
		setenv("LC_ALL", "C", 1);
		execv(bin, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fo);
	close(fe);
	o = slurp(outp, &lo);
	e = slurp(errp, &le);
	unlink(outp);
	unlink(errp);
	assert_non_null(o);
	assert_non_null(e);
	all = malloc(lo + le + 512);
	assert_non_null(all);
	sprintf(all, "$ abpath %s\n%s--- stderr\n%s--- exit %d\n", g->line, o, e,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	snprintf(gpath, sizeof(gpath), "golden/%s.out", g->name);
	golden_compare(gpath, all);
	free(all);
	free(o);
	free(e);
}

static int load_cases(struct gcase **out)
{
	FILE *f = fopen("golden/cases.list", "re");
	char line[1024];
	struct gcase *c = NULL;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *bar, *tok, *save = NULL, *args, *pool;
		struct gcase *g;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		bar = strchr(line, '|');
		if (!bar)
			continue;
		*bar = '\0';
		args = bar + 1;
		while (*args == ' ')
			args++;
		c = realloc(c, (n + 1) * sizeof(*c));
		g = &c[n++];
		memset(g, 0, sizeof(*g));
		sscanf(line, "%127s", g->name);
		snprintf(g->line, sizeof(g->line), "%s", args);
		pool = strdup(args);
		for (tok = strtok_r(pool, " ", &save); tok && g->argc < 63;
		     tok = strtok_r(NULL, " ", &save))
			g->argv[g->argc++] = tok;
	}
	fclose(f);
	*out = c;
	return n;
}

int main(void)
{
	static const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_wwid_normalise),
		cmocka_unit_test(test_wwid_vpd83),
		cmocka_unit_test(test_sides_classify),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_discover_fixtures),
		cmocka_unit_test(test_discover_details),
		cmocka_unit_test(test_table_weights),
		cmocka_unit_test(test_table_validate),
		cmocka_unit_test(test_check_findings),
		cmocka_unit_test(test_check_alua),
		cmocka_unit_test(test_check_alua_states),
		cmocka_unit_test(test_check_alua_output),
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_status_bad),
		cmocka_unit_test(test_reinstate),
		cmocka_unit_test(test_devname_order),
		cmocka_unit_test(test_failback),
		cmocka_unit_test(test_dm_reload_recovery),
		cmocka_unit_test(test_multipathd_detect),
		cmocka_unit_test(test_strict_numbers),
		cmocka_unit_test(test_json_utf8),
	};
	size_t nu = sizeof(unit) / sizeof(unit[0]);
	struct gcase *cases = NULL;
	struct CMUnitTest *all;
	int nc, i;

	regen = getenv("ABPATH_REGEN") && !strcmp(getenv("ABPATH_REGEN"), "1");
	nc = load_cases(&cases);
	if (nc < 0) {
		fprintf(stderr, "cannot read golden/cases.list (run from tests/abpath)\n");
		return 1;
	}
	all = calloc(nu + (size_t)nc, sizeof(*all));
	if (!all)
		return 1;
	memcpy(all, unit, sizeof(unit));
	for (i = 0; i < nc; i++) {
		char *nm = malloc(strlen(cases[i].name) + 8);

		sprintf(nm, "golden/%s", cases[i].name);
		all[nu + i].name = nm;
		all[nu + i].test_func = run_golden;
		all[nu + i].initial_state = &cases[i];
	}
	return _cmocka_run_group_tests("abpath", all, nu + (size_t)nc, NULL, NULL) ? 1 : 0;
}
