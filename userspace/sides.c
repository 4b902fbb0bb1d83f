// SPDX-License-Identifier: GPL-2.0
/*
 * sides.c - decide whether a portal is on the A or the B side.
 * A portal IP matching rules of both sides, or of none, is an error.
 * An exact portal rule wins over a subnet rule of the same side only for
 * the label; a match on both sides is always an error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "abpath.h"

static int parse_ip(const char *ip, int *family, unsigned char *addr)
{
	char tmp[AB_NAME];
	char *pct;

	ab_copy(tmp, sizeof(tmp), ip);
	/* IPv6 portals may come bracketed or with a zone */
	if (tmp[0] == '[') {
		size_t n = strlen(tmp);

		if (n < 3 || tmp[n - 1] != ']')
			return -1;
		memmove(tmp, tmp + 1, n - 2);
		tmp[n - 2] = '\0';
	}
	pct = strchr(tmp, '%');
	if (pct)
		*pct = '\0';
	if (inet_pton(AF_INET, tmp, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		/* v4-mapped v6 counts as v4 */
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (!memcmp(addr, mapped, 12)) {
			memmove(addr, addr + 12, 4);
			*family = AF_INET;
			return 0;
		}
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static bool prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		return (a[full] & mask) == (b[full] & mask);
	}
	return true;
}

bool ab_ip_in_rule(const char *ip, const struct ab_rule *r)
{
	int fam;
	unsigned char addr[16];

	if (parse_ip(ip, &fam, addr) || fam != r->family)
		return false;
	return prefix_match(addr, r->addr, r->prefix);
}

bool ab_same_subnet24(const char *a, const char *b)
{
	int fa, fb;
	unsigned char x[16], y[16];

	if (parse_ip(a, &fa, x) || parse_ip(b, &fb, y) || fa != fb)
		return false;
	return prefix_match(x, y, fa == AF_INET ? 24 : 64);
}

int ab_classify_ip(const struct ab_config *cfg, const char *ip, enum ab_side *side,
		   char *label, size_t llen, char *err, size_t elen)
{
	const struct ab_rule *hit[3] = { NULL, NULL, NULL };
	int fam, i;
	unsigned char addr[16];

	*side = SIDE_NONE;
	label[0] = '\0';
	if (parse_ip(ip, &fam, addr)) {
		ab_fmt(err, elen, "portal address \"%s\" is not an IP address", ip);
		return -1;
	}
	for (i = 0; i < cfg->nrules; i++) {
		const struct ab_rule *r = &cfg->rules[i];

		if (r->family != fam || !prefix_match(addr, r->addr, r->prefix))
			continue;
		/* prefer the most specific rule per side (exact portal, longest prefix) */
		if (!hit[r->side] || r->prefix > hit[r->side]->prefix)
			hit[r->side] = r;
	}
	if (hit[SIDE_A] && hit[SIDE_B]) {
		ab_fmt(err, elen, "portal %s matches both side A (%s) and side B (%s)",
			 ip, hit[SIDE_A]->text, hit[SIDE_B]->text);
		return -1;
	}
	if (!hit[SIDE_A] && !hit[SIDE_B]) {
		ab_fmt(err, elen, "portal %s matches no side (neither an A nor a B subnet/portal)",
			 ip);
		return -1;
	}
	*side = hit[SIDE_A] ? SIDE_A : SIDE_B;
	ab_copy(label, llen, hit[*side]->label);
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	const struct ab_disk *x = *(struct ab_disk * const *)a;
	const struct ab_disk *y = *(struct ab_disk * const *)b;

	/* A, then B, then paths without a side */
	int sx = x->sess->side == SIDE_NONE ? 3 : (int)x->sess->side;
	int sy = y->sess->side == SIDE_NONE ? 3 : (int)y->sess->side;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return ab_devname_cmp(x->name, y->name);
}

/* Assign sides and aliases. Returns the number of sessions without a side. */
int ab_classify(const struct ab_config *cfg, struct ab_inventory *inv)
{
	int i, bad = 0;

	for (i = 0; i < inv->nsessions; i++) {
		struct ab_session *s = &inv->sessions[i];

		s->side_err[0] = '\0';
		if (ab_classify_ip(cfg, s->portal_ip, &s->side, s->label, sizeof(s->label),
				   s->side_err, sizeof(s->side_err)))
			bad++;
	}
	for (i = 0; i < inv->nluns; i++) {
		const char *a = ab_config_alias(cfg, inv->luns[i].wwid);

		ab_copy(inv->luns[i].alias, sizeof(inv->luns[i].alias), a);
		qsort(inv->luns[i].paths, inv->luns[i].npaths, sizeof(struct ab_disk *), path_cmp);
	}
	return bad;
}
