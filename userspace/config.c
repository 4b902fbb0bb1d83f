// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - the JSON configuration (/etc/abpath.json) and built-in defaults.
 *
 * {
 *   "sides": {
 *     "A": { "subnets": ["10.0.1.0/24"], "portals": ["172.16.1.10", {"ip": "172.16.1.13", "label": "A1"}] },
 *     "B": { ... }
 *   },
 *   "prefer": "A",
 *   "policy": "least-blocks",
 *   "layout": "active-active",
 *   "weights": { "A": 3, "B": 1, "172.16.1.10": 5, "A0": 2 },
 *   "no_path_retry": "queue" | "fail" | 12,
 *   "hw_handler": "alua",
 *   "aliases": { "36001405...": "data1" },
 *   "plan": { "subnet": "172.16.1", "max_host": 24,
 *             "pairs": [["A0","B1"], ...], "retry": [[0,2,1,3], ...] }
 * }
 * Unknown keys are errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

/* RackStack runbook defaults: 172.16.1.10-17, A0..A3 / B0..B3. */
static const struct { const char *ip, *label; enum ab_side side; } rackstack[] = {
	{ "172.16.1.10", "A0", SIDE_A },
	{ "172.16.1.11", "B1", SIDE_B },
	{ "172.16.1.12", "B0", SIDE_B },
	{ "172.16.1.13", "A1", SIDE_A },
	{ "172.16.1.14", "A2", SIDE_A },
	{ "172.16.1.15", "B3", SIDE_B },
	{ "172.16.1.16", "B2", SIDE_B },
	{ "172.16.1.17", "A3", SIDE_A },
};

int ab_rule_parse(const char *text, const char *label, enum ab_side side, struct ab_rule *r)
{
	char addr[AB_NAME];
	const char *slash;
	unsigned long pfx;

	memset(r, 0, sizeof(*r));
	r->side = side;
	ab_copy(r->text, sizeof(r->text), text);
	ab_copy(r->label, sizeof(r->label), label ? label : "");
	slash = strchr(text, '/');
	if (slash) {
		if ((size_t)(slash - text) >= sizeof(addr))
			return -1;
		memcpy(addr, text, slash - text);
		addr[slash - text] = '\0';
		r->cidr = true;
	} else {
		ab_copy(addr, sizeof(addr), text);
	}
	if (inet_pton(AF_INET, addr, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, r->addr) == 1)
		r->family = AF_INET6;
	else
		return -1;
	r->prefix = r->family == AF_INET ? 32 : 128;
	if (slash) {
		if (ab_parse_uint(slash + 1, (unsigned long)r->prefix, &pfx))
			return -1;
		r->prefix = (int)pfx;
	}
	return 0;
}

static void add_rule(struct ab_config *cfg, const struct ab_rule *r)
{
	cfg->rules = ab_xrealloc(cfg->rules, cfg->nrules + 1, sizeof(*cfg->rules));
	cfg->rules[cfg->nrules++] = *r;
}

static void drop_rules(struct ab_config *cfg, enum ab_side side)
{
	int i, j = 0;

	for (i = 0; i < cfg->nrules; i++)
		if (cfg->rules[i].side != side)
			cfg->rules[j++] = cfg->rules[i];
	cfg->nrules = j;
}

static void plan_defaults(struct ab_plan_cfg *p)
{
	static const int retry[4][4] = {
		{ 0, 2, 1, 3 }, { 1, 3, 0, 2 }, { 2, 0, 3, 1 }, { 3, 1, 2, 0 },
	};
	static const char *a[4] = { "A0", "A1", "A2", "A3" };
	static const char *b[4] = { "B1", "B0", "B3", "B2" };
	int i, j;

	memset(p, 0, sizeof(*p));
	ab_copy(p->subnet, sizeof(p->subnet), "172.16.1");
	p->npairs = 4;
	p->nretry = 4;
	p->max_host = 24;
	for (i = 0; i < 4; i++) {
		ab_copy(p->pair_a[i], sizeof(p->pair_a[i]), a[i]);
		ab_copy(p->pair_b[i], sizeof(p->pair_b[i]), b[i]);
		for (j = 0; j < 4; j++)
			p->retry[i][j] = retry[i][j];
	}
}

void ab_config_defaults(struct ab_config *cfg)
{
	size_t i;
	struct ab_rule r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->builtin_sides = true;
	for (i = 0; i < sizeof(rackstack) / sizeof(rackstack[0]); i++) {
		ab_rule_parse(rackstack[i].ip, rackstack[i].label, rackstack[i].side, &r);
		add_rule(cfg, &r);
	}
	cfg->prefer = SIDE_A;
	plan_defaults(&cfg->plan);
}

void ab_config_free(struct ab_config *cfg)
{
	free(cfg->rules);
	free(cfg->weights);
	free(cfg->aliases);
	memset(cfg, 0, sizeof(*cfg));
}

static int bad(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ab_err("config %s: %s", what, msg);
	return AB_DATAERR;
}

static int parse_side(struct ab_config *cfg, const char *what, enum ab_side side,
		      json_object *o)
{
	struct ab_rule r;
	size_t i;

	if (!json_object_is_type(o, json_type_object))
		return bad(what, "side %s must be an object", ab_side_name(side));
	json_object_object_foreach(o, key, val) {
		bool subnets = !strcmp(key, "subnets");

		if (!subnets && strcmp(key, "portals"))
			return bad(what, "unknown key \"%s\" in a side (use subnets, portals)", key);
		if (!json_object_is_type(val, json_type_array))
			return bad(what, "\"%s\" must be an array", key);
		for (i = 0; i < json_object_array_length(val); i++) {
			json_object *e = json_object_array_get_idx(val, i), *ip = NULL, *lb = NULL;
			const char *txt, *label = NULL;

			if (json_object_is_type(e, json_type_string)) {
				txt = json_object_get_string(e);
			} else if (!subnets && json_object_is_type(e, json_type_object)) {
				json_object_object_foreach(e, k2, v2) {
					(void)v2;
					if (strcmp(k2, "ip") && strcmp(k2, "label"))
						return bad(what, "unknown key \"%s\" in a portal", k2);
				}
				if (!json_object_object_get_ex(e, "ip", &ip) ||
				    !json_object_is_type(ip, json_type_string))
					return bad(what, "%s", "a portal object needs \"ip\" (string)");
				txt = json_object_get_string(ip);
				if (json_object_object_get_ex(e, "label", &lb)) {
					if (!json_object_is_type(lb, json_type_string))
						return bad(what, "%s", "portal \"label\" must be a string");
					label = json_object_get_string(lb);
				}
			} else {
				return bad(what, "bad entry in \"%s\"", key);
			}
			if (ab_rule_parse(txt, label, side, &r) || (subnets != r.cidr))
				return bad(what, subnets ? "bad subnet \"%s\" (want ADDR/PREFIX)" :
					   "bad portal IP \"%s\"", txt);
			add_rule(cfg, &r);
		}
	}
	return 0;
}

static int parse_plan(struct ab_config *cfg, const char *what, json_object *o)
{
	struct ab_plan_cfg *p = &cfg->plan;
	size_t i, j;

	if (!json_object_is_type(o, json_type_object))
		return bad(what, "%s", "\"plan\" must be an object");
	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "subnet")) {
			struct ab_rule r;
			char tmp[AB_NAME];

			if (!json_object_is_type(val, json_type_string))
				return bad(what, "%s", "plan.subnet must be a string like \"172.16.1\"");
			ab_fmt(tmp, sizeof(tmp), "%s.1", json_object_get_string(val));
			if (ab_rule_parse(tmp, NULL, SIDE_NONE, &r) || r.family != AF_INET)
				return bad(what, "plan.subnet \"%s\" is not three IPv4 octets",
					   json_object_get_string(val));
			ab_copy(p->subnet, sizeof(p->subnet), json_object_get_string(val));
		} else if (!strcmp(key, "max_host")) {
			if (!json_object_is_type(val, json_type_int) ||
			    json_object_get_int(val) < 1 || json_object_get_int(val) > 24)
				return bad(what, "%s", "plan.max_host must be 1..24");
			p->max_host = json_object_get_int(val);
		} else if (!strcmp(key, "pairs")) {
			if (!json_object_is_type(val, json_type_array) ||
			    json_object_array_length(val) < 1 ||
			    json_object_array_length(val) > AB_MAX_PAIRS)
				return bad(what, "%s", "plan.pairs must be an array of 1..16 [A,B] pairs");
			p->npairs = (int)json_object_array_length(val);
			for (i = 0; i < (size_t)p->npairs; i++) {
				json_object *e = json_object_array_get_idx(val, i);

				if (!json_object_is_type(e, json_type_array) ||
				    json_object_array_length(e) != 2 ||
				    !json_object_is_type(json_object_array_get_idx(e, 0), json_type_string) ||
				    !json_object_is_type(json_object_array_get_idx(e, 1), json_type_string))
					return bad(what, "%s", "each plan pair is [\"A-label\", \"B-label\"]");
				ab_copy(p->pair_a[i], AB_NAME,
					json_object_get_string(json_object_array_get_idx(e, 0)));
				ab_copy(p->pair_b[i], AB_NAME,
					json_object_get_string(json_object_array_get_idx(e, 1)));
			}
			/* default retry: primary, primary+n/2, then the rest in order */
			p->nretry = p->npairs;
			for (i = 0; i < (size_t)p->npairs; i++) {
				int k = 0;
				size_t n = p->npairs;

				p->retry[i][k++] = (int)i;
				if (n > 2)
					p->retry[i][k++] = (int)((i + n / 2) % n);
				for (j = 1; j < n; j++) {
					int c = (int)((i + j) % n), dup = 0, m;

					for (m = 0; m < k; m++)
						dup |= p->retry[i][m] == c;
					if (!dup)
						p->retry[i][k++] = c;
				}
			}
		} else if (!strcmp(key, "retry")) {
			/* handled after pairs below */
		} else {
			return bad(what, "unknown key \"%s\" in plan (subnet, max_host, pairs, retry)", key);
		}
	}
	{
		json_object *rv;

		if (json_object_object_get_ex(o, "retry", &rv)) {
			if (!json_object_is_type(rv, json_type_array) ||
			    json_object_array_length(rv) != (size_t)p->npairs)
				return bad(what, "%s", "plan.retry must have one row per pair");
			for (i = 0; i < (size_t)p->npairs; i++) {
				json_object *row = json_object_array_get_idx(rv, i);
				int seen[AB_MAX_PAIRS] = { 0 };

				if (!json_object_is_type(row, json_type_array) ||
				    json_object_array_length(row) != (size_t)p->npairs)
					return bad(what, "%s", "each plan.retry row lists every pair index once");
				for (j = 0; j < (size_t)p->npairs; j++) {
					json_object *x = json_object_array_get_idx(row, j);
					int v = json_object_get_int(x);

					if (!json_object_is_type(x, json_type_int) || v < 0 ||
					    v >= p->npairs || seen[v] || (j == 0 && v != (int)i))
						return bad(what, "%s", "plan.retry row must start with its own pair and list every pair index once");
					seen[v] = 1;
					p->retry[i][j] = v;
				}
			}
		}
	}
	return 0;
}

static int parse_root(struct ab_config *cfg, const char *what, json_object *root)
{
	bool have_sides = false;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return bad(what, "%s", "top level must be a JSON object");
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "sides")) {
			have_sides = true;
			if (!json_object_is_type(val, json_type_object))
				return bad(what, "%s", "\"sides\" must be an object with A and B");
			cfg->nrules = 0;
			json_object_object_foreach(val, sk, sv) {
				enum ab_side s = ab_side_parse(sk);

				if (s == SIDE_NONE || strlen(sk) != 1)
					return bad(what, "unknown side \"%s\" (only A and B)", sk);
				rc = parse_side(cfg, what, s, sv);
				if (rc)
					return rc;
			}
		} else if (!strcmp(key, "prefer")) {
			if (!json_object_is_type(val, json_type_string) ||
			    (cfg->prefer = ab_side_parse(json_object_get_string(val))) == SIDE_NONE)
				return bad(what, "%s", "\"prefer\" must be \"A\" or \"B\"");
		} else if (!strcmp(key, "policy") || !strcmp(key, "layout") ||
			   !strcmp(key, "hw_handler")) {
			char *dst = key[0] == 'p' ? cfg->policy : key[0] == 'l' ? cfg->layout :
				    cfg->hw_handler;

			if (!json_object_is_type(val, json_type_string))
				return bad(what, "\"%s\" must be a string", key);
			ab_copy(dst, AB_NAME, json_object_get_string(val));
		} else if (!strcmp(key, "no_path_retry")) {
			if (json_object_is_type(val, json_type_int) && json_object_get_int(val) >= 0)
				ab_fmt(cfg->no_path_retry, sizeof(cfg->no_path_retry), "%d",
					 json_object_get_int(val));
			else if (json_object_is_type(val, json_type_string) &&
				 (!strcmp(json_object_get_string(val), "queue") ||
				  !strcmp(json_object_get_string(val), "fail")))
				ab_copy(cfg->no_path_retry, AB_NAME, json_object_get_string(val));
			else
				return bad(what, "%s", "\"no_path_retry\" must be \"queue\", \"fail\" or a number >= 0");
		} else if (!strcmp(key, "weights")) {
			if (!json_object_is_type(val, json_type_object))
				return bad(what, "%s", "\"weights\" must be an object {\"A\": 3, ...}");
			cfg->nweights = 0;
			json_object_object_foreach(val, wk, wv) {
				if (!json_object_is_type(wv, json_type_int) ||
				    json_object_get_int64(wv) < 0 || json_object_get_int64(wv) > 1000)
					return bad(what, "weight of \"%s\" must be an integer 0..1000", wk);
				cfg->weights = ab_xrealloc(cfg->weights, cfg->nweights + 1,
							   sizeof(*cfg->weights));
				ab_copy(cfg->weights[cfg->nweights].key, AB_NAME, wk);
				cfg->weights[cfg->nweights++].value = (long)json_object_get_int64(wv);
			}
		} else if (!strcmp(key, "aliases")) {
			if (!json_object_is_type(val, json_type_object))
				return bad(what, "%s", "\"aliases\" must be an object {\"WWID\": \"alias\"}");
			json_object_object_foreach(val, ak, av) {
				const char *s;

				if (!json_object_is_type(av, json_type_string))
					return bad(what, "alias of \"%s\" must be a string", ak);
				s = json_object_get_string(av);
				if (!s[0] || strlen(s) > 127 || s[0] == '-' || s[0] == '.' ||
				    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					      "0123456789_.+:-") != strlen(s))
					return bad(what, "alias \"%s\" is not a valid map name (1..127 of A-Z a-z 0-9 _ . + : -, not starting with - or .)",
						   s);
				cfg->aliases = ab_xrealloc(cfg->aliases, cfg->naliases + 1,
							   sizeof(*cfg->aliases));
				ab_copy(cfg->aliases[cfg->naliases].wwid, AB_STR, ak);
				ab_copy(cfg->aliases[cfg->naliases++].alias, AB_STR, s);
			}
		} else if (!strcmp(key, "plan")) {
			rc = parse_plan(cfg, what, val);
			if (rc)
				return rc;
		} else {
			return bad(what, "unknown key \"%s\"", key);
		}
	}
	if (have_sides) {
		int na = 0, nb = 0, i;

		for (i = 0; i < cfg->nrules; i++) {
			na += cfg->rules[i].side == SIDE_A;
			nb += cfg->rules[i].side == SIDE_B;
		}
		if (!na || !nb)
			return bad(what, "%s", "\"sides\" must give both A and B at least one subnet or portal");
		cfg->builtin_sides = false;
	}
	return 0;
}

int ab_config_load_string(struct ab_config *cfg, const char *text, const char *what)
{
	json_tokener *tok = json_tokener_new();
	json_object *root;
	enum json_tokener_error jerr;
	int rc;

	if (!tok)
		return AB_SOFTWARE;
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success ||
	    tok->char_offset < (int)strlen(text)) {
		/* allow trailing whitespace */
		size_t off = (size_t)tok->char_offset;

		while (root && jerr == json_tokener_success && text[off] &&
		       strchr(" \t\r\n", text[off]))
			off++;
		if (!root || jerr != json_tokener_success || text[off]) {
			ab_err("config %s: invalid JSON near offset %d: %s", what,
			       tok->char_offset,
			       jerr == json_tokener_continue ? "incomplete document (unexpected end)" :
			       jerr != json_tokener_success ? json_tokener_error_desc(jerr) :
			       root ? "trailing data" : "incomplete document");
			json_object_put(root);
			json_tokener_free(tok);
			return AB_DATAERR;
		}
	}
	json_tokener_free(tok);
	rc = parse_root(cfg, what, root);
	json_object_put(root);
	return rc;
}

int ab_config_load_file(struct ab_config *cfg, const char *path, bool must_exist)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n, cap = 65536;
	int rc;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		ab_err("config %s: %s", path, strerror(errno));
		return errno == ENOENT ? AB_NOINPUT : AB_DATAERR;
	}
	buf = ab_xcalloc(cap + 1, 1);
	n = fread(buf, 1, cap, f);
	if (n == cap && fgetc(f) != EOF) {
		fclose(f);
		free(buf);
		ab_err("config %s: larger than 64 KiB", path);
		return AB_DATAERR;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		ab_err("config %s: contains NUL bytes", path);
		return AB_DATAERR;
	}
	rc = ab_config_load_string(cfg, buf, path);
	free(buf);
	if (!rc)
		ab_copy(cfg->source, sizeof(cfg->source), path);
	return rc;
}

/* --side-a / --side-b: "10.0.1.0/24,172.16.1.10=A0" replaces that side's rules */
int ab_config_set_side(struct ab_config *cfg, enum ab_side side, const char *list)
{
	char *dup = ab_xstrdup(list), *tok, *save = NULL;
	struct ab_rule r;
	int n = 0;

	if (cfg->builtin_sides) {
		/* the built-in default is all-or-nothing: replace both sides */
		cfg->nrules = 0;
		cfg->builtin_sides = false;
	}
	drop_rules(cfg, side);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq++ = '\0';
		if (ab_rule_parse(tok, eq, side, &r)) {
			ab_err("--side-%c: bad subnet or portal IP \"%s\"",
			       side == SIDE_A ? 'a' : 'b', tok);
			free(dup);
			return AB_USAGE;
		}
		add_rule(cfg, &r);
		n++;
	}
	free(dup);
	if (!n) {
		ab_err("--side-%c: empty list", side == SIDE_A ? 'a' : 'b');
		return AB_USAGE;
	}
	return 0;
}

/* --weight A=3,B=1 or 172.16.1.10=5,A0=2: replaces the config's weights */
int ab_config_parse_weights(struct ab_config *cfg, const char *spec)
{
	char *dup = ab_xstrdup(spec), *tok, *save = NULL;
	unsigned long v;

	cfg->nweights = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || ab_parse_uint(eq + 1, 1000, &v)) {
			ab_err("--weight: \"%s\" is not KEY=0..1000 (KEY: A, B, a label or a portal IP)",
			       tok);
			free(dup);
			return AB_USAGE;
		}
		*eq = '\0';
		cfg->weights = ab_xrealloc(cfg->weights, cfg->nweights + 1, sizeof(*cfg->weights));
		ab_copy(cfg->weights[cfg->nweights].key, AB_NAME, tok);
		cfg->weights[cfg->nweights++].value = (long)v;
	}
	free(dup);
	if (!cfg->nweights) {
		ab_err("--weight: empty list");
		return AB_USAGE;
	}
	return 0;
}

const char *ab_config_alias(const struct ab_config *cfg, const char *wwid)
{
	int i;

	for (i = 0; i < cfg->naliases; i++)
		if (!strcmp(cfg->aliases[i].wwid, wwid))
			return cfg->aliases[i].alias;
	return NULL;
}

const char *ab_label_ip(const struct ab_config *cfg, const char *label)
{
	int i;

	for (i = 0; i < cfg->nrules; i++)
		if (!cfg->rules[i].cidr && !strcmp(cfg->rules[i].label, label))
			return cfg->rules[i].text;
	return NULL;
}

void ab_config_describe_sides(const struct ab_config *cfg, char *buf, size_t len)
{
	size_t o = 0;
	int s, i;

	buf[0] = '\0';
	for (s = SIDE_A; s <= SIDE_B; s++) {
		o += ab_fmt(buf + o, o < len ? len - o : 0, "%s%s=", s == SIDE_B ? "; " : "",
			      ab_side_name(s));
		for (i = 0; i < cfg->nrules && o < len; i++) {
			const struct ab_rule *r = &cfg->rules[i];

			if (r->side != (enum ab_side)s)
				continue;
			o += ab_fmt(buf + o, o < len ? len - o : 0, "%s%s%s%s",
				      buf[o - 1] == '=' ? "" : ",", r->text,
				      r->label[0] ? "=" : "", r->label);
		}
	}
}
