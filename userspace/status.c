// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - parse a multipath map's TABLE and INFO status, show the paths
 * with their side and the selector counters.
 *
 * INFO:  <#feat> <feat...> <#hwh> <hwh...> <#pgs> <next pg>
 *        { <A|D|E> <#sel info> <sel info...> <#paths> <#path info>
 *          { <M:m> <A|F> <fail count> <path info...> } }
 * TABLE: <#feat> <feat...> <#hwh> <hwh...> <#pgs> <first pg>
 *        { <selector> <#sel args> <args...> <#paths> <#path args>
 *          { <M:m> <args...> } }
 * Per-path info is taken generically by its count; known selectors name it.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

struct toks {
	char **v;
	int n, i;
	char *buf;
};

static void tok_init(struct toks *t, const char *s)
{
	char *save = NULL, *p;

	memset(t, 0, sizeof(*t));
	t->buf = ab_xstrdup(s);
	for (p = strtok_r(t->buf, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save)) {
		t->v = ab_xrealloc(t->v, t->n + 1, sizeof(char *));
		t->v[t->n++] = p;
	}
}

static void tok_free(struct toks *t)
{
	free(t->v);
	free(t->buf);
}

static const char *tok_next(struct toks *t)
{
	return t->i < t->n ? t->v[t->i++] : NULL;
}

static int tok_uint(struct toks *t, unsigned long max, unsigned long *v)
{
	const char *s = tok_next(t);

	return s && !ab_parse_uint(s, max, v) ? 0 : -1;
}

static int tok_skip(struct toks *t, unsigned long n)
{
	if ((unsigned long)(t->n - t->i) < n)
		return -1;
	t->i += (int)n;
	return 0;
}

/* Skip n tokens, copied space-separated into out (truncated to fit). */
static int tok_take(struct toks *t, unsigned long n, char *out, size_t len)
{
	size_t off = 0;
	unsigned long k;

	out[0] = '\0';
	if ((unsigned long)(t->n - t->i) < n)
		return -1;
	for (k = 0; k < n && off < len; k++)
		off += (size_t)ab_fmt(out + off, len - off, "%s%s", k ? " " : "", t->v[t->i + (int)k]);
	t->i += (int)n;
	return 0;
}

#define FAIL(...) do { ab_fmt(err, elen, __VA_ARGS__); goto out; } while (0)

int ab_status_parse(const char *table, const char *status, struct ab_st_map *m,
		    char *err, size_t elen)
{
	struct toks tt, st;
	unsigned long n, npg, pg, np, na, j, k, v;
	int rc = -1;
	const char *s;

	tok_init(&tt, table);
	tok_init(&st, status);
	/* TABLE: features, hw handler */
	if (tok_uint(&tt, 64, &n) || tok_skip(&tt, n))
		FAIL("table: bad feature list");
	for (k = 0; k < n; k++)
		if (!strcmp(tt.v[tt.i - n + k], "queue_if_no_path"))
			m->queue_io = 1;
	if (tok_uint(&tt, 64, &n) || tok_skip(&tt, n))
		FAIL("table: bad hardware handler list");
	if (tok_uint(&tt, 65535, &npg) || tok_uint(&tt, 65535, &v))
		FAIL("table: bad priority group count");
	/* INFO: features, hw handler */
	if (tok_uint(&st, 64, &n) || tok_skip(&st, n))
		FAIL("status: bad feature list");
	if (tok_uint(&st, 64, &n) || tok_skip(&st, n))
		FAIL("status: bad hardware handler list");
	if (tok_uint(&st, 65535, &n) || n != npg || tok_uint(&st, 65535, &v))
		FAIL("status: priority group count differs from the table");
	m->npgs = (int)npg;
	m->pg_state = ab_xcalloc(npg + 1, 1);
	m->pg_selector = ab_xcalloc(npg + 1, sizeof(*m->pg_selector));
	m->pg_selargs = ab_xcalloc(npg + 1, sizeof(*m->pg_selargs));
	for (pg = 0; pg < npg; pg++) {
		unsigned long tnp, tna;

		s = tok_next(&tt);
		if (!s)
			FAIL("table: missing selector of group %lu", pg + 1);
		ab_copy(m->pg_selector[pg], AB_NAME, s);
		if (tok_uint(&tt, 64, &n) || tok_take(&tt, n, m->pg_selargs[pg], AB_NAME) ||
		    tok_uint(&tt, 4096, &tnp) || tok_uint(&tt, 4, &tna))
			FAIL("table: bad group %lu header", pg + 1);
		s = tok_next(&st);
		if (!s || strlen(s) != 1 || !strchr("ADE", s[0]))
			FAIL("status: bad state of group %lu", pg + 1);
		m->pg_state[pg] = s[0];
		if (tok_uint(&st, 64, &n) || tok_skip(&st, n) ||
		    tok_uint(&st, 4096, &np) || tok_uint(&st, 8, &na) || np != tnp)
			FAIL("status: bad group %lu header", pg + 1);
		for (j = 0; j < np; j++) {
			struct ab_st_path *p;
			unsigned maj, mnr;

			m->paths = ab_xrealloc(m->paths, m->npaths + 1, sizeof(*m->paths));
			p = &m->paths[m->npaths];
			memset(p, 0, sizeof(*p));
			p->pg = (int)pg + 1;
			ab_copy(p->selector, sizeof(p->selector), m->pg_selector[pg]);
			s = tok_next(&tt);
			if (ab_parse_devt(s, &maj, &mnr))
				FAIL("table: bad path device \"%s\" in group %lu", s ? s : "", pg + 1);
			p->major = maj;
			p->minor = mnr;
			if ((unsigned long)(tt.n - tt.i) < tna)
				FAIL("table: missing path args in group %lu", pg + 1);
			p->ntable = (int)tna;
			for (k = 0; k < tna; k++)
				ab_copy(p->table[k], sizeof(p->table[k]), tok_next(&tt));
			s = tok_next(&st);
			if (ab_parse_devt(s, &maj, &mnr) || maj != p->major || mnr != p->minor)
				FAIL("status: path %lu of group %lu is not %u:%u", j + 1, pg + 1,
				     p->major, p->minor);
			s = tok_next(&st);
			if (!s || (strcmp(s, "A") && strcmp(s, "F")))
				FAIL("status: bad state of path %u:%u", p->major, p->minor);
			p->state = s[0];
			if (tok_uint(&st, 0xffffffffUL, &v))
				FAIL("status: bad fail count of path %u:%u", p->major, p->minor);
			p->fail_count = (unsigned)v;
			if ((unsigned long)(st.n - st.i) < na)
				FAIL("status: missing selector info of path %u:%u", p->major, p->minor);
			p->ninfo = (int)na;
			for (k = 0; k < na; k++)
				ab_copy(p->info[k], sizeof(p->info[k]), tok_next(&st));
			ab_fmt(p->dev, sizeof(p->dev), "?");
			m->npaths++;
		}
	}
	rc = 0;
out:
	tok_free(&tt);
	tok_free(&st);
	return rc;
}

void ab_status_resolve(struct ab_st_map *m, const struct ab_inventory *inv)
{
	const struct ab_disk *d;
	int i;

	for (i = 0; i < m->npaths; i++) {
		struct ab_st_path *p = &m->paths[i];

		if (ab_devname_from_devt(inv, p->major, p->minor, p->dev, sizeof(p->dev)))
			ab_fmt(p->dev, sizeof(p->dev), "?");
		p->side = SIDE_NONE;
		d = ab_disk_by_devt(inv, p->major, p->minor);
		if (d) {
			p->side = d->sess->side;
			ab_copy(p->label, sizeof(p->label), d->sess->label);
		}
	}
}

void ab_status_free(struct ab_st_map *m)
{
	free(m->pg_state);
	free(m->pg_selector);
	free(m->pg_selargs);
	m->pg_state = NULL;
	m->pg_selector = NULL;
	m->pg_selargs = NULL;
	free(m->paths);
	m->paths = NULL;
	m->npaths = 0;
}

/* Named counters of one path. Unknown fields are -1. */
struct counters {
	long long inflight, ios, bytes, weight;
	const char *inflight_unit;
};

static long long num(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *end || end == s ? -1 : v;
}

static void counters(const struct ab_st_path *p, struct counters *c)
{
	c->inflight = c->ios = c->bytes = c->weight = -1;
	c->inflight_unit = "";
	if ((!strcmp(p->selector, "least-blocks") || !strcmp(p->selector, "weighted-paths")) &&
	    p->ninfo == 4) {
		c->inflight = num(p->info[0]);
		c->ios = num(p->info[1]);
		c->bytes = num(p->info[2]);
		c->weight = num(p->info[3]);
		c->inflight_unit = "bytes";
	} else if (!strcmp(p->selector, "queue-length") && p->ninfo == 1) {
		c->inflight = num(p->info[0]);
		c->inflight_unit = "ios";
	} else if (!strcmp(p->selector, "service-time") && p->ninfo == 2) {
		c->inflight = num(p->info[0]);
		c->weight = num(p->info[1]);
		c->inflight_unit = "bytes";
	}
	if (c->weight < 0 && p->ntable >= 1 &&
	    (!strcmp(p->selector, "least-blocks") || !strcmp(p->selector, "weighted-paths")))
		c->weight = num(p->table[0]);
}

static long long total_bytes(const struct ab_st_map *m)
{
	long long t = 0;
	int i;

	for (i = 0; i < m->npaths; i++) {
		struct counters c;

		counters(&m->paths[i], &c);
		if (c.bytes > 0)
			t += c.bytes;
	}
	return t;
}

static void fmt_ll(char *b, size_t n, long long v)
{
	if (v < 0)
		ab_fmt(b, n, "-");
	else
		ab_fmt(b, n, "%lld", v);
}

void ab_status_print(FILE *f, const struct ab_st_map *maps, int n)
{
	int i, j;

	if (!n)
		fprintf(f, "no multipath maps\n");
	for (i = 0; i < n; i++) {
		const struct ab_st_map *m = &maps[i];
		long long tot = total_bytes(m);

		fprintf(f, "%smap %s  uuid %s  groups %d  queue_if_no_path %s\n", i ? "\n" : "",
			m->name, m->uuid[0] ? m->uuid : "-", m->npgs, m->queue_io ? "yes" : "no");
		fprintf(f, "  %-2s %-15s %-8s %-8s %-4s %-5s %-2s %5s %12s %10s %14s %6s %6s\n",
			"PG", "SELECTOR", "PATH", "DEV_T", "SIDE", "LABEL", "DM", "FAILS",
			"IN-FLIGHT", "IOS", "BYTES", "WEIGHT", "SHARE");
		for (j = 0; j < m->npaths; j++) {
			const struct ab_st_path *p = &m->paths[j];
			struct counters c;
			char devt[32], inf[32], ios[32], by[32], w[32], sh[16];

			counters(p, &c);
			ab_fmt(devt, sizeof(devt), "%u:%u", p->major, p->minor);
			fmt_ll(inf, sizeof(inf), c.inflight);
			fmt_ll(ios, sizeof(ios), c.ios);
			fmt_ll(by, sizeof(by), c.bytes);
			fmt_ll(w, sizeof(w), c.weight);
			if (c.bytes >= 0 && tot > 0)
				ab_fmt(sh, sizeof(sh), "%.1f%%", 100.0 * (double)c.bytes / (double)tot);
			else
				ab_fmt(sh, sizeof(sh), "-");
			fprintf(f, "  %-2d %-15s %-8s %-8s %-4s %-5s %-2c %5u %12s %10s %14s %6s %6s\n",
				p->pg, p->selector, p->dev, devt, ab_side_name(p->side),
				p->label[0] ? p->label : "-", p->state, p->fail_count,
				inf, ios, by, w, sh);
		}
	}
}


/* A share in percent with one decimal, serialised as written ("74.9"). */
static json_object *share_json(long long part, long long tot)
{
	long long pm = (long long)((double)part * 1000.0 / (double)tot);
	char txt[32];

	snprintf(txt, sizeof(txt), "%lld.%lld", pm / 10, pm % 10);
	return json_object_new_double_s((double)pm / 10.0, txt);
}

static void put_ll(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, v < 0 ? NULL : json_object_new_int64(v));
}

struct json_object *ab_status_json(const struct ab_st_map *maps, int n)
{
	json_object *arr = json_object_new_array();
	int i, j, k;

	for (i = 0; i < n; i++) {
		const struct ab_st_map *m = &maps[i];
		json_object *jm = json_object_new_object(), *jp = json_object_new_array();
		json_object *jg = json_object_new_array();
		long long tot = total_bytes(m);

		json_object_object_add(jm, "map", json_object_new_string(m->name));
		json_object_object_add(jm, "uuid", json_object_new_string(m->uuid));
		json_object_object_add(jm, "queue_if_no_path", json_object_new_boolean(m->queue_io));
		for (k = 0; k < m->npgs; k++) {
			json_object *g = json_object_new_object();
			char st[2] = { m->pg_state[k], 0 };

			json_object_object_add(g, "group", json_object_new_int(k + 1));
			json_object_object_add(g, "selector", json_object_new_string(m->pg_selector[k]));
			json_object_object_add(g, "state", json_object_new_string(st));
			json_object_array_add(jg, g);
		}
		json_object_object_add(jm, "groups", jg);
		for (j = 0; j < m->npaths; j++) {
			const struct ab_st_path *p = &m->paths[j];
			json_object *o = json_object_new_object(), *ri = json_object_new_array();
			json_object *ta = json_object_new_array();
			struct counters c;
			char devt[32];

			counters(p, &c);
			ab_fmt(devt, sizeof(devt), "%u:%u", p->major, p->minor);
			json_object_object_add(o, "group", json_object_new_int(p->pg));
			json_object_object_add(o, "selector", json_object_new_string(p->selector));
			json_object_object_add(o, "path", json_object_new_string(p->dev));
			json_object_object_add(o, "dev_t", json_object_new_string(devt));
			json_object_object_add(o, "side", p->side == SIDE_NONE ? NULL :
					       json_object_new_string(ab_side_name(p->side)));
			json_object_object_add(o, "label", p->label[0] ?
					       json_object_new_string(p->label) : NULL);
			json_object_object_add(o, "dm_state", json_object_new_string(
						       p->state == 'A' ? "active" : "failed"));
			json_object_object_add(o, "fail_count", json_object_new_int64(p->fail_count));
			put_ll(o, "in_flight", c.inflight);
			json_object_object_add(o, "in_flight_unit", c.inflight < 0 ? NULL :
					       json_object_new_string(c.inflight_unit));
			put_ll(o, "completed_ios", c.ios);
			put_ll(o, "completed_bytes", c.bytes);
			put_ll(o, "weight", c.weight);
			json_object_object_add(o, "share_percent", c.bytes >= 0 && tot > 0 ?
					       share_json(c.bytes, tot) :
					       NULL);
			for (k = 0; k < p->ninfo; k++)
				json_object_array_add(ri, json_object_new_string(p->info[k]));
			for (k = 0; k < p->ntable; k++)
				json_object_array_add(ta, json_object_new_string(p->table[k]));
			json_object_object_add(o, "selector_info", ri);
			json_object_object_add(o, "table_args", ta);
			json_object_array_add(jp, o);
		}
		json_object_object_add(jm, "paths", jp);
		json_object_array_add(arr, jm);
	}
	return arr;
}
