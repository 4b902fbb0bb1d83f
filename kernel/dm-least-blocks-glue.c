// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-least-blocks: dm-multipath path selector that sends each I/O to the
 * usable path with the fewest bytes in flight, scaled by an optional
 * per-path weight (the Windows MSDSM "Least Blocks" policy).
 *
 * Table:  least-blocks 0 <#paths> <0|1> <dev> [<weight 1..4294967295>] ...
 *
 * Concurrency: no lock in the I/O path.
 *  - select_path scans the path array (stable after construction, see
 *    psw_kpaths.h) once, reading each path's usable flag and 64-bit atomic
 *    in-flight counter.  The scan is a snapshot of independently changing
 *    counters; a lock would not make it more exact, since in-flight bytes
 *    change on every completion anyway, only serialise all CPUs on one
 *    cache line.
 *  - start_io/end_io change only the chosen path's own atomics, so they
 *    are safe from any context, including hard-IRQ completion; the
 *    in-flight count stops at 0 (psw_path.h).
 *  - fail_path/reinstate_path run under dm-mpath's m->lock and change the
 *    usable flag inside the write side of @state, a seqlock.  A select
 *    racing with one change may return the path that is just failing,
 *    which dm-mpath handles as with any selector whose pick is overtaken
 *    by a failure (the clone errors and is retried).  A scan that
 *    straddles several changes can find no usable flag set although a
 *    path was usable all along (it read path 1 before its reinstate and
 *    path 0 after its failure); only then does select read @state and
 *    scan again until it has seen a state no writer changed
 *    (psw_lb_choose()), so it returns NULL only when, at one instant, no
 *    path was usable.  On PREEMPT_RT that reader waits on the writer's
 *    lock instead of spinning.
 *  - Ties rotate through a per-CPU start index: no shared counter.
 * Tested by tests/unit/race_core.c (ThreadSanitizer), tests/vm/t_storm.sh
 * and, on the KCSAN kernel of make torture, tests/vm/t_hotpath.sh.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include "psw_kpaths.h"
#include "psw_lb.h"

#define DM_MSG_PREFIX "multipath least-blocks"
#ifndef PSW_VERSION
#error "PSW_VERSION is not defined: build through Kbuild (VERSION file)"
#endif
#define LB_VERSION PSW_VERSION

struct lb_selector {
	struct psw_ktable t;
	unsigned int __percpu *rotor;
	u32 max_weight;		/* the largest path weight */
	psw_seqlock_t state;	/* written by fail/reinstate */
};

static int lb_create(struct path_selector *ps, unsigned int argc, char **argv)
{
	struct lb_selector *s;

	if (argc) {
		DMERR("takes no selector arguments (got %u)", argc);
		return -EINVAL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->rotor = alloc_percpu(unsigned int);
	if (!s->rotor) {
		kfree(s);
		return -ENOMEM;
	}
	psw_seqlock_init(&s->state);
	ps->context = s;
	return 0;
}

static void lb_destroy(struct path_selector *ps)
{
	struct lb_selector *s = ps->context;

	psw_ktable_free(&s->t);
	free_percpu(s->rotor);
	kfree(s);
	ps->context = NULL;
}

static const struct psw_kerrors lb_errors = {
	.nargs	= "least-blocks ps: too many per-path arguments (expected 0 or 1: weight)",
	.syntax	= "least-blocks ps: path weight is not a canonical decimal number",
	.range	= "least-blocks ps: path weight out of range (1..4294967295)",
	.paths	= "least-blocks ps: too many paths in one priority group (max 1024)",
	.nomem	= "least-blocks ps: out of memory for the path table",
};

static int lb_add_path(struct path_selector *ps, struct dm_path *path,
		       int argc, char **argv, char **error)
{
	struct lb_selector *s = ps->context;
	u32 weight;
	int r;

	r = psw_parse_weight_args(argc, argv, 1, PSW_LB_DEFAULT_WEIGHT,
				  &weight);
	if (!r)
		r = psw_ktable_add(&s->t, path, weight);
	if (r)
		return psw_kerror(&lb_errors, r, error);
	s->max_weight = max(s->max_weight, weight);
	return 0;
}

static struct dm_path *lb_select_path(struct path_selector *ps,
				      size_t nr_bytes)
{
	struct lb_selector *s = ps->context;
	int i;

	i = psw_lb_choose(s->t.paths, s->t.nr, s->max_weight,
			  this_cpu_inc_return(*s->rotor), nr_bytes, &s->state);
	return i < 0 ? NULL : s->t.paths[i].owner;
}

/* fail_path and reinstate_path: under dm-mpath's m->lock */
static void lb_fail_path(struct path_selector *ps, struct dm_path *path)
{
	struct lb_selector *s = ps->context;

	psw_lb_set_usable(s->t.paths, psw_kidx(path), false, &s->state);
}

static int lb_reinstate_path(struct path_selector *ps, struct dm_path *path)
{
	struct lb_selector *s = ps->context;

	psw_lb_set_usable(s->t.paths, psw_kidx(path), true, &s->state);
	return 0;
}

static int lb_status(struct path_selector *ps, struct dm_path *path,
		     status_type_t type, char *result, unsigned int maxlen)
{
	struct lb_selector *s = ps->context;
	unsigned int sz = 0;

	if (!path) {
		if (type != STATUSTYPE_IMA)
			DMEMIT("0 ");
		return sz;
	}
	return psw_kpath_status(psw_kpath(&s->t, path), type, result, maxlen);
}

static int lb_start_io(struct path_selector *ps, struct dm_path *path,
		       size_t nr_bytes)
{
	struct lb_selector *s = ps->context;

	psw_path_start(psw_kpath(&s->t, path), nr_bytes);
	return 0;
}

static int lb_end_io(struct path_selector *ps, struct dm_path *path,
		     size_t nr_bytes, u64 start_time)
{
	struct lb_selector *s = ps->context;

	if (unlikely(psw_path_end(psw_kpath(&s->t, path), nr_bytes)))
		DMWARN_LIMIT("%s: more bytes ended than in flight, count held at 0",
			     path->dev->name);
	return 0;
}

static struct path_selector_type lb_type = {
	.name		= "least-blocks",
	.module		= THIS_MODULE,
	.table_args	= PSW_TABLE_ARGS,
	.info_args	= PSW_INFO_ARGS,
	.create		= lb_create,
	.destroy	= lb_destroy,
	.add_path	= lb_add_path,
	.select_path	= lb_select_path,
	.fail_path	= lb_fail_path,
	.reinstate_path	= lb_reinstate_path,
	.status		= lb_status,
	.start_io	= lb_start_io,
	.end_io		= lb_end_io,
};

static int __init dm_lb_init(void)
{
	int r = dm_register_path_selector(&lb_type);

	if (r < 0)
		DMERR("register failed %d", r);
	else
		DMINFO("version " LB_VERSION " loaded");
	return r;
}

static void __exit dm_lb_exit(void)
{
	dm_unregister_path_selector(&lb_type);
}

module_init(dm_lb_init);
module_exit(dm_lb_exit);

MODULE_DESCRIPTION(DM_NAME " least-blocks multipath path selector");
MODULE_AUTHOR("dm-ps-weighted developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(LB_VERSION);
MODULE_ALIAS("dm-least-blocks");
