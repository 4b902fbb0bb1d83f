// SPDX-License-Identifier: GPL-2.0
/*
 * show.c - sessions and LUNs with side, state and paths (text and JSON).
 */
#define _GNU_SOURCE
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

/* length of the valid UTF-8 sequence at s (1..4), 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;	/* overlong, surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* JSON text with every byte that is not valid UTF-8 replaced by \ufffd
 * (sysfs strings are raw bytes; such bytes only occur inside strings). */
void ab_json_utf8(FILE *f, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;

	while (*s) {
		size_t n = utf8_len(s);

		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
}

/* Every JSON document: an object with "version" (abpath's version). */
void ab_json_print(FILE *f, struct json_object *o)
{
	if (json_object_is_type(o, json_type_object) && !json_object_object_get_ex(o, "version", NULL))
		json_object_object_add(o, "version", json_object_new_string(ABPATH_VERSION));
	ab_json_utf8(f, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	fputc('\n', f);
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static json_object *tmo(long v)
{
	return v == AB_UNKNOWN_TMO ? NULL : json_object_new_int64(v);
}

struct json_object *ab_sides_json(const struct ab_config *cfg)
{
	json_object *o = json_object_new_object(), *sides = json_object_new_object();
	int s, i;

	json_object_object_add(o, "source", str_or_null(cfg->source));
	json_object_object_add(o, "default_sides", json_object_new_boolean(cfg->builtin_sides));
	for (s = SIDE_A; s <= SIDE_B; s++) {
		json_object *sub = json_object_new_array(), *por = json_object_new_array();
		json_object *so = json_object_new_object();

		for (i = 0; i < cfg->nrules; i++) {
			const struct ab_rule *r = &cfg->rules[i];

			if (r->side != (enum ab_side)s)
				continue;
			if (r->cidr) {
				json_object_array_add(sub, json_object_new_string(r->text));
			} else {
				json_object *p = json_object_new_object();

				json_object_object_add(p, "ip", json_object_new_string(r->text));
				json_object_object_add(p, "label", str_or_null(r->label));
				json_object_array_add(por, p);
			}
		}
		json_object_object_add(so, "subnets", sub);
		json_object_object_add(so, "portals", por);
		json_object_object_add(sides, ab_side_name(s), so);
	}
	json_object_object_add(o, "sides", sides);
	return o;
}

static void sides_line(FILE *f, const struct ab_config *cfg)
{
	char desc[2048];

	ab_config_describe_sides(cfg, desc, sizeof(desc));
	if (cfg->builtin_sides)
		fprintf(f, "sides: built-in default (RackStack runbook portals; no config file): %s\n",
			desc);
	else if (cfg->source[0])
		fprintf(f, "sides: from %s: %s\n", cfg->source, desc);
	else
		fprintf(f, "sides: from the command line: %s\n", desc);
}

static json_object *disk_json(const struct ab_disk *d)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array();
	char devt[32];
	int i;

	ab_fmt(devt, sizeof(devt), "%u:%u", d->major, d->minor);
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "dev_t", json_object_new_string(devt));
	json_object_object_add(o, "hctl", json_object_new_string(d->hctl));
	json_object_object_add(o, "sectors", json_object_new_int64((int64_t)d->sectors));
	json_object_object_add(o, "wwid", json_object_new_string(d->wwid));
	json_object_object_add(o, "sysfs_wwid", json_object_new_string(d->raw_wwid));
	json_object_object_add(o, "state", str_or_null(d->state));
	json_object_object_add(o, "session", json_object_new_int(d->sess->sid));
	json_object_object_add(o, "side", d->sess->side == SIDE_NONE ? NULL :
			       json_object_new_string(ab_side_name(d->sess->side)));
	json_object_object_add(o, "label", str_or_null(d->sess->label));
	json_object_object_add(o, "portal", json_object_new_string(d->sess->portal_ip));
	json_object_object_add(o, "usable", json_object_new_boolean(
		ab_session_usable(d->sess) && (!d->state[0] || !strcmp(d->state, "running"))));
	for (i = 0; i < d->nholders; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "dev", json_object_new_string(d->holders[i].dev));
		json_object_object_add(x, "name", str_or_null(d->holders[i].name));
		json_object_object_add(x, "uuid", str_or_null(d->holders[i].uuid));
		json_object_array_add(h, x);
	}
	json_object_object_add(o, "holders", h);
	return o;
}

/* [{"sid": N, "error": "..."}] of the sessions discovery skipped */
struct json_object *ab_skipped_json(const struct ab_inventory *inv)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < inv->nskipped; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "sid", json_object_new_int(inv->skipped[i].sid));
		json_object_object_add(x, "error", json_object_new_string(inv->skipped[i].error));
		json_object_array_add(a, x);
	}
	return a;
}

struct json_object *ab_show_json(const struct ab_config *cfg, const struct ab_inventory *inv)
{
	json_object *o = json_object_new_object(), *ss = json_object_new_array();
	json_object *ls = json_object_new_array();
	int i, j;

	json_object_object_add(o, "sysfs", json_object_new_string(inv->root));
	json_object_object_add(o, "config", ab_sides_json(cfg));
	json_object_object_add(o, "skipped_sessions", ab_skipped_json(inv));
	for (i = 0; i < inv->nsessions; i++) {
		const struct ab_session *s = &inv->sessions[i];
		json_object *x = json_object_new_object(), *dl = json_object_new_array();

		json_object_object_add(x, "sid", json_object_new_int(s->sid));
		json_object_object_add(x, "target", json_object_new_string(s->targetname));
		json_object_object_add(x, "portal", json_object_new_string(s->portal_ip));
		json_object_object_add(x, "port", json_object_new_int(s->portal_port));
		json_object_object_add(x, "current_address", str_or_null(s->cur_ip));
		json_object_object_add(x, "side", s->side == SIDE_NONE ? NULL :
				       json_object_new_string(ab_side_name(s->side)));
		json_object_object_add(x, "label", str_or_null(s->label));
		json_object_object_add(x, "side_error", str_or_null(s->side_err));
		json_object_object_add(x, "state", json_object_new_string(s->state));
		json_object_object_add(x, "connection_state", str_or_null(s->conn_state));
		json_object_object_add(x, "recovery_tmo", tmo(s->recovery_tmo));
		json_object_object_add(x, "noop_out_interval", tmo(s->noop_interval));
		json_object_object_add(x, "noop_out_timeout", tmo(s->noop_timeout));
		json_object_object_add(x, "iface", str_or_null(s->ifacename));
		json_object_object_add(x, "host", s->host < 0 ? NULL : json_object_new_int(s->host));
		json_object_object_add(x, "local_address", str_or_null(s->local_ip));
		json_object_object_add(x, "netdev", str_or_null(s->netdev));
		for (j = 0; j < s->ndisks; j++)
			json_object_array_add(dl, json_object_new_string(s->disks[j].name));
		json_object_object_add(x, "disks", dl);
		json_object_array_add(ss, x);
	}
	json_object_object_add(o, "sessions", ss);
	for (i = 0; i < inv->nluns; i++) {
		const struct ab_lun *l = &inv->luns[i];
		json_object *x = json_object_new_object(), *pl = json_object_new_array();
		int per[3] = { 0 };

		json_object_object_add(x, "wwid", json_object_new_string(l->wwid));
		json_object_object_add(x, "alias", str_or_null(l->alias));
		json_object_object_add(x, "map_name", json_object_new_string(ab_lun_name(l)));
		json_object_object_add(x, "sectors", json_object_new_int64((int64_t)l->sectors));
		for (j = 0; j < l->npaths; j++) {
			per[l->paths[j]->sess->side]++;
			json_object_array_add(pl, disk_json(l->paths[j]));
		}
		json_object_object_add(x, "paths_a", json_object_new_int(per[SIDE_A]));
		json_object_object_add(x, "paths_b", json_object_new_int(per[SIDE_B]));
		json_object_object_add(x, "paths", pl);
		json_object_array_add(ls, x);
	}
	json_object_object_add(o, "luns", ls);
	return o;
}

static void human_size(unsigned long long sectors, char *b, size_t n)
{
	double v = (double)sectors * 512.0;
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int i = 0;

	while (v >= 1024.0 && i < 5) {
		v /= 1024.0;
		i++;
	}
	ab_fmt(b, n, "%.1f %s", v, u[i]);
}

void ab_show_print(FILE *f, const struct ab_config *cfg, const struct ab_inventory *inv)
{
	int i, j, k;

	sides_line(f, cfg);
	fprintf(f, "sysfs: %s\n\n", inv->root);
	if (!inv->nsessions) {
		fprintf(f, "no iSCSI sessions\n");
		return;
	}
	fprintf(f, "SESSIONS\n");
	fprintf(f, "  %-4s %-4s %-5s %-22s %-10s %-6s %-16s %-8s %-4s %s\n", "SID", "SIDE",
		"LABEL", "PORTAL", "STATE", "CONN", "LOCAL", "IFACE", "TMO", "TARGET");
	for (i = 0; i < inv->nsessions; i++) {
		const struct ab_session *s = &inv->sessions[i];
		char portal[AB_NAME + 8], t[16];

		ab_fmt(portal, sizeof(portal), "%s:%d", s->portal_ip, s->portal_port);
		if (s->recovery_tmo == AB_UNKNOWN_TMO)
			ab_fmt(t, sizeof(t), "-");
		else
			ab_fmt(t, sizeof(t), "%ld", s->recovery_tmo);
		fprintf(f, "  %-4d %-4s %-5s %-22s %-10s %-6s %-16s %-8s %-4s %s\n", s->sid,
			ab_side_name(s->side), s->label[0] ? s->label : "-", portal, s->state,
			s->conn_state[0] ? s->conn_state : "-", s->local_ip[0] ? s->local_ip : "-",
			s->ifacename[0] ? s->ifacename : "-", t, s->targetname);
		if (s->side_err[0])
			fprintf(f, "       ! %s\n", s->side_err);
	}
	fprintf(f, "\nLUNS\n");
	if (!inv->nluns)
		fprintf(f, "  none\n");
	for (i = 0; i < inv->nluns; i++) {
		const struct ab_lun *l = &inv->luns[i];
		int per[3] = { 0 }, up[3] = { 0 };
		char sz[32];

		for (j = 0; j < l->npaths; j++) {
			const struct ab_disk *d = l->paths[j];

			per[d->sess->side]++;
			up[d->sess->side] += ab_session_usable(d->sess) &&
					     (!d->state[0] || !strcmp(d->state, "running"));
		}
		human_size(l->sectors, sz, sizeof(sz));
		fprintf(f, "  %s%s%s%s  %llu sectors (%s)  A %d/%d up  B %d/%d up%s\n", l->wwid,
			l->alias[0] ? " (" : "", l->alias, l->alias[0] ? ")" : "", l->sectors, sz,
			up[SIDE_A], per[SIDE_A], up[SIDE_B], per[SIDE_B],
			per[SIDE_NONE] ? "  (paths with unknown side!)" : "");
		for (j = 0; j < l->npaths; j++) {
			const struct ab_disk *d = l->paths[j];
			char devt[32], held[AB_STR * 2] = "-";
			size_t o = 0;

			ab_fmt(devt, sizeof(devt), "%u:%u", d->major, d->minor);
			for (k = 0; k < d->nholders; k++)
				o += ab_fmt(held + o, o < sizeof(held) ? sizeof(held) - o : 0, "%s%s(%s)",
					      k ? "," : "", d->holders[k].dev,
					      d->holders[k].name[0] ? d->holders[k].name : "?");
			fprintf(f, "    %-6s %-7s side %-2s %-4s session%-3d %-15s %-10s %-8s held by %s\n",
				d->name, devt, ab_side_name(d->sess->side),
				d->sess->label[0] ? d->sess->label : "-", d->sess->sid,
				d->sess->portal_ip, d->sess->state, d->state[0] ? d->state : "-", held);
		}
	}
}
