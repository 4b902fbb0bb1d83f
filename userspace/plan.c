// SPDX-License-Identifier: GPL-2.0
/*
 * plan.c - RackStack host-number pair assignment, retry order and host IPs.
 * Host IPs: {subnet}.{(host + 1) * 10 + port}, port 1 = A side, 2 = B side.
 * Primary pair: (host - 1) mod npairs; retry order from the config or runbook.
 */
#define _GNU_SOURCE
#include <string.h>
#include <json-c/json.h>
#include "abpath.h"

static const char *ip_of(const struct ab_config *cfg, const char *label)
{
	const char *ip = ab_label_ip(cfg, label);

	return ip ? ip : "?";
}

int ab_plan(FILE *f, const struct ab_config *cfg, long host, bool json)
{
	const struct ab_plan_cfg *p = &cfg->plan;
	int pair, i, unknown = 0;
	char ipa[AB_NAME + 8], ipb[AB_NAME + 8];

	if (host < 1 || host > p->max_host || (host + 1) * 10 + 2 > 254) {
		ab_err("--host %ld is outside 1..%d (host IP = subnet.(host+1)*10+port must stay below .255)",
		       host, p->max_host);
		return AB_USAGE;
	}
	pair = (int)((host - 1) % p->npairs);
	ab_fmt(ipa, sizeof(ipa), "%s.%ld", p->subnet, (host + 1) * 10 + 1);
	ab_fmt(ipb, sizeof(ipb), "%s.%ld", p->subnet, (host + 1) * 10 + 2);
	for (i = 0; i < p->npairs; i++)
		unknown += !ab_label_ip(cfg, p->pair_a[i]) + !ab_label_ip(cfg, p->pair_b[i]);
	if (json) {
		json_object *o = json_object_new_object(), *r = json_object_new_array();

		json_object_object_add(o, "host", json_object_new_int64(host));
		json_object_object_add(o, "port1_a_side", json_object_new_string(ipa));
		json_object_object_add(o, "port2_b_side", json_object_new_string(ipb));
		json_object_object_add(o, "prefix", json_object_new_int(24));
		json_object_object_add(o, "pair_index", json_object_new_int(pair));
		json_object_object_add(o, "default_table", json_object_new_boolean(
			!cfg->source[0] || cfg->builtin_sides));
		for (i = 0; i < p->npairs; i++) {
			int k = p->retry[pair][i];
			json_object *x = json_object_new_object();
			const char *a = ab_label_ip(cfg, p->pair_a[k]), *b = ab_label_ip(cfg, p->pair_b[k]);

			json_object_object_add(x, "order", json_object_new_int(i + 1));
			json_object_object_add(x, "a_label", json_object_new_string(p->pair_a[k]));
			json_object_object_add(x, "a_portal", a ? json_object_new_string(a) : NULL);
			json_object_object_add(x, "b_label", json_object_new_string(p->pair_b[k]));
			json_object_object_add(x, "b_portal", b ? json_object_new_string(b) : NULL);
			json_object_array_add(r, x);
		}
		json_object_object_add(o, "pairs", r);
		ab_json_print(f, o);
		json_object_put(o);
	} else {
		fprintf(f, "host %ld (RackStack pair assignment, %s)\n", host,
			cfg->source[0] ? "config" : "runbook defaults");
		fprintf(f, "  port 1 (A side): %s/24\n", ipa);
		fprintf(f, "  port 2 (B side): %s/24\n", ipb);
		fprintf(f, "  primary pair: %s/%s (host %ld mod %d)\n", p->pair_a[pair],
			p->pair_b[pair], host, p->npairs);
		fprintf(f, "  try in order:\n");
		for (i = 0; i < p->npairs; i++) {
			int k = p->retry[pair][i];

			fprintf(f, "    %d. %s/%s  A %-15s B %s%s\n", i + 1, p->pair_a[k],
				p->pair_b[k], ip_of(cfg, p->pair_a[k]), ip_of(cfg, p->pair_b[k]),
				i == 0 ? "  (primary)" : "");
		}
	}
	if (unknown) {
		ab_err("%d pair label(s) have no portal IP in the sides config", unknown);
		return AB_DATAERR;
	}
	return 0;
}
