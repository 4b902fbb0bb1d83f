// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_plan.c - abpath plan --host N: the RackStack pair assignment and
 * retry order of one host (plan.c), from the config alone: reads no sysfs.
 */
#define _GNU_SOURCE
#include "cli.h"

int ab_cmd_plan(const struct ab_cmd_ctx *c)
{
	if (c->o->nargs) {
		ab_err("plan takes no arguments");
		return AB_USAGE;
	}
	return ab_plan(stdout, c->cfg, c->o->host, c->o->json);
}
