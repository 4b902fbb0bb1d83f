// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-weighted-paths: dm-multipath path selector with administrator-assigned
 * weights.
 *
 * Tables:
 *   weighted-paths          <0|1 proportional|1 priority|1 rank> <#paths>
 *                           <0|1> <dev> [<weight 0..4294967295>] ...
 *   weighted-paths-priority the same, priority mode by default
 *   weighted-paths-rank     the same, rank mode by default
 *
 * proportional: I/O in proportion to the weights, smoothly interleaved.
 * priority:     MSDSM semantics, the lowest weight wins, failover to the
 *               next lowest, failback.
 * rank:         the highest weight wins (multipathd's priorities, where
 *               higher is better), failover to the next highest, failback.
 * weight 0:     standby, used only while no weighted path is usable.
 * The other names exist so that multipath.conf can select a mode with zero
 * selector arguments, which multipathd's read-back requires.
 *
 * Concurrency: no lock in the I/O path.
 *  - select_path: one atomic64 increment (the global ticket that orders
 *    the smooth sequence; per-CPU tickets would lose cross-CPU smoothness)
 *    and one array load from an RCU-published schedule, then one read of
 *    the chosen path's active flag; start_io/end_io touch only the chosen
 *    path's own atomics (IRQ-safe; in-flight stops at 0, psw_path.h).
 *  - fail_path/reinstate_path run under dm-mpath's m->lock (interrupts off
 *    but on PREEMPT_RT): inside the write side of @state, a seqlock, they set the path's
 *    usable flag and recompute every active flag (O(n)); then they queue a
 *    rebuild of the schedule, O(W log n), which runs in a work item and is
 *    published with RCU (the old one freed after a grace period).
 *  - Until it is published, psw_wp_pick() skips entries that are no longer
 *    active and scans for an active path, so a failed path gets no new
 *    I/O and a standby path none once a weighted path is back.  That scan
 *    can straddle the flag rewrite of a fail or reinstate and find no
 *    active flag set although a path was active all along (priority mode
 *    switching tiers, a standby tier taking over); only then does select
 *    read @state and scan again until it has seen a state no writer changed
 *    (psw_wp_rescan()), so it returns NULL only when, at one instant, no
 *    path was usable.  On PREEMPT_RT that reader waits on the writer's
 *    lock instead of spinning.
 * Tested by tests/unit/race_core.c (ThreadSanitizer), tests/vm/t_storm.sh,
 * t_flap.sh (the rebuild under flapping) and, on the KCSAN kernel of make
 * torture, tests/vm/t_hotpath.sh.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <linux/overflow.h>
#include "psw_kpaths.h"
#include "psw_wp.h"

#define DM_MSG_PREFIX "multipath weighted-paths"
#ifndef PSW_VERSION
#error "PSW_VERSION is not defined: build through Kbuild (VERSION file)"
#endif
#define WP_VERSION PSW_VERSION
#define WP_DEFAULT_WEIGHT 1U

struct wp_schedule {
	u32 len;
	u16 idx[];
};

struct wp_selector {
	struct psw_ktable t;
	enum psw_wp_mode mode;
	bool mode_given;		/* echo the selector argument */
	atomic64_t ticket;
	atomic_t gen;			/* bumped on every state change */
	atomic_t build_queued;		/* first build requested */
	psw_seqlock_t state;		/* written by fail/reinstate */
	struct wp_schedule __rcu *sched;
	struct work_struct rebuild;
};

static void wp_rebuild(struct work_struct *work)
{
	struct wp_selector *s = container_of(work, struct wp_selector, rebuild);
	struct psw_wp_slot *scratch;
	u32 cap = psw_wp_sched_cap(s->t.paths, s->t.nr);
	int gen;

	scratch = kvmalloc_array(s->t.nr, sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		goto nomem;
	do {
		struct wp_schedule *new, *old;
		s64 len;

		gen = atomic_read_acquire(&s->gen);
		new = kvmalloc(struct_size(new, idx, cap), GFP_KERNEL);
		if (!new) {
			kvfree(scratch);
			goto nomem;
		}
		len = psw_wp_build(s->t.paths, s->t.nr, s->mode, new->idx, cap,
				   scratch);
		new->len = len > 0 ? (u32)len : 0;
		old = rcu_replace_pointer(s->sched, new, true);
		if (old) {
			synchronize_rcu();
			kvfree(old);
		}
	} while (atomic_read_acquire(&s->gen) != gen);
	kvfree(scratch);
	return;
nomem:
	/* psw_wp_pick() still picks only active paths, just not smoothly. */
	DMWARN_LIMIT("no memory to rebuild the schedule");
}

static int wp_create_mode(struct path_selector *ps, unsigned int argc,
			  char **argv, enum psw_wp_mode dflt)
{
	struct wp_selector *s;
	enum psw_wp_mode mode;
	const char *err = NULL;

	if (psw_wp_parse_mode(argc, argv, dflt, &mode, &err)) {
		DMERR("%s", err);
		return -EINVAL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->mode = mode;
	s->mode_given = argc == 1;
	psw_seqlock_init(&s->state);
	INIT_WORK(&s->rebuild, wp_rebuild);
	ps->context = s;
	return 0;
}

static int wp_create(struct path_selector *ps, unsigned int argc, char **argv)
{
	return wp_create_mode(ps, argc, argv, PSW_WP_PROPORTIONAL);
}

static int wp_create_prio(struct path_selector *ps, unsigned int argc,
			  char **argv)
{
	return wp_create_mode(ps, argc, argv, PSW_WP_PRIORITY);
}

static int wp_create_rank(struct path_selector *ps, unsigned int argc,
			  char **argv)
{
	return wp_create_mode(ps, argc, argv, PSW_WP_RANK);
}

static void wp_destroy(struct path_selector *ps)
{
	struct wp_selector *s = ps->context;

	cancel_work_sync(&s->rebuild);
	kvfree(rcu_dereference_protected(s->sched, true));
	psw_ktable_free(&s->t);
	kfree(s);
	ps->context = NULL;
}

static const struct psw_kerrors wp_errors = {
	.nargs	= "weighted-paths ps: too many per-path arguments (expected 0 or 1: weight)",
	.syntax	= "weighted-paths ps: path weight is not a canonical decimal number",
	.range	= "weighted-paths ps: path weight out of range (0..4294967295)",
	.paths	= "weighted-paths ps: too many paths in one priority group (max 1024)",
	.nomem	= "weighted-paths ps: out of memory for the path table",
};

static int wp_add_path(struct path_selector *ps, struct dm_path *path,
		       int argc, char **argv, char **error)
{
	struct wp_selector *s = ps->context;
	u32 weight;
	int r;

	r = psw_parse_weight_args(argc, argv, 0, WP_DEFAULT_WEIGHT, &weight);
	if (!r)
		r = psw_ktable_add(&s->t, path, weight);
	if (r)
		return psw_kerror(&wp_errors, r, error);
	psw_wp_update_active(s->t.paths, s->t.nr, s->mode);
	return 0;
}

static struct dm_path *wp_select_path(struct path_selector *ps,
				      size_t nr_bytes)
{
	struct wp_selector *s = ps->context;
	struct wp_schedule *sched;
	u64 ticket = (u64)atomic64_inc_return(&s->ticket);
	int i;

	rcu_read_lock();
	sched = rcu_dereference(s->sched);
	if (unlikely(!sched) && !atomic_xchg(&s->build_queued, 1))
		schedule_work(&s->rebuild);	/* the first I/O: table complete */
	i = psw_wp_pick(s->t.paths, s->t.nr, sched ? sched->idx : NULL,
			sched ? sched->len : 0, ticket);
	rcu_read_unlock();
	if (unlikely(i < 0))
		i = psw_wp_rescan(s->t.paths, s->t.nr, ticket, &s->state);
	return i < 0 ? NULL : s->t.paths[i].owner;
}

/* Under m->lock (interrupts off, but on PREEMPT_RT): no sleeping, O(n). */
static void wp_set_usable(struct path_selector *ps, struct dm_path *path,
			  bool usable)
{
	struct wp_selector *s = ps->context;

	psw_wp_set_usable(s->t.paths, s->t.nr, psw_kidx(path), usable, s->mode,
			  &s->state);
	atomic_inc_return_release(&s->gen);
	atomic_set(&s->build_queued, 1);
	schedule_work(&s->rebuild);
}

static void wp_fail_path(struct path_selector *ps, struct dm_path *path)
{
	wp_set_usable(ps, path, false);
}

static int wp_reinstate_path(struct path_selector *ps, struct dm_path *path)
{
	wp_set_usable(ps, path, true);
	return 0;
}

static const char *const wp_mode_names[] = {
	[PSW_WP_PROPORTIONAL] = "proportional",
	[PSW_WP_PRIORITY] = "priority",
	[PSW_WP_RANK] = "rank",
};

static int wp_status(struct path_selector *ps, struct dm_path *path,
		     status_type_t type, char *result, unsigned int maxlen)
{
	struct wp_selector *s = ps->context;
	unsigned int sz = 0;

	if (!path) {
		if (type == STATUSTYPE_TABLE && s->mode_given)
			DMEMIT("1 %s ", wp_mode_names[s->mode]);
		else if (type != STATUSTYPE_IMA)
			DMEMIT("0 ");
		return sz;
	}
	return psw_kpath_status(psw_kpath(&s->t, path), type, result, maxlen);
}

static int wp_start_io(struct path_selector *ps, struct dm_path *path,
		       size_t nr_bytes)
{
	struct wp_selector *s = ps->context;

	psw_path_start(psw_kpath(&s->t, path), nr_bytes);
	return 0;
}

static int wp_end_io(struct path_selector *ps, struct dm_path *path,
		     size_t nr_bytes, u64 start_time)
{
	struct wp_selector *s = ps->context;

	if (unlikely(psw_path_end(psw_kpath(&s->t, path), nr_bytes)))
		DMWARN_LIMIT("%s: more bytes ended than in flight, count held at 0",
			     path->dev->name);
	return 0;
}

#define WP_TYPE(_name, _create) {			\
	.name		= _name,			\
	.module		= THIS_MODULE,			\
	.table_args	= PSW_TABLE_ARGS,		\
	.info_args	= PSW_INFO_ARGS,		\
	.create		= _create,			\
	.destroy	= wp_destroy,			\
	.add_path	= wp_add_path,			\
	.select_path	= wp_select_path,		\
	.fail_path	= wp_fail_path,			\
	.reinstate_path	= wp_reinstate_path,		\
	.status		= wp_status,			\
	.start_io	= wp_start_io,			\
	.end_io		= wp_end_io,			\
}

/* One module, one name per mode: multipath.conf passes no selector args. */
static struct path_selector_type wp_types[] = {
	WP_TYPE("weighted-paths", wp_create),
	WP_TYPE("weighted-paths-priority", wp_create_prio),
	WP_TYPE("weighted-paths-rank", wp_create_rank),
};

static void dm_wp_unregister(unsigned int nr)
{
	while (nr--)
		dm_unregister_path_selector(&wp_types[nr]);
}

static int __init dm_wp_init(void)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(wp_types); i++) {
		r = dm_register_path_selector(&wp_types[i]);
		if (r < 0) {
			DMERR("register of %s failed %d", wp_types[i].name, r);
			dm_wp_unregister(i);
			return r;
		}
	}
	DMINFO("version " WP_VERSION " loaded");
	return 0;
}

static void __exit dm_wp_exit(void)
{
	dm_wp_unregister(ARRAY_SIZE(wp_types));
}

module_init(dm_wp_init);
module_exit(dm_wp_exit);

MODULE_DESCRIPTION(DM_NAME " weighted-paths multipath path selector");
MODULE_AUTHOR("dm-ps-weighted developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(WP_VERSION);
MODULE_ALIAS("dm-weighted-paths");
MODULE_ALIAS("dm-weighted-paths-priority");
MODULE_ALIAS("dm-weighted-paths-rank");
