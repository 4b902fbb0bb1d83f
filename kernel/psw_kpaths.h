/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel glue shared by both selectors: the path table, add_path's
 * messages and the status output.  Static inline so that each module
 * carries its own copy.
 *
 * The path table is an array of struct psw_path that grows only in
 * add_path, i.e. while dm-mpath constructs the table in process context
 * and before any I/O can reach the selector (a table reload makes a new
 * selector).  From then on the array never moves, which is what lets the
 * I/O path read it without a lock.  dm_path->pscontext holds the index of
 * the path in the array, not a pointer, because the array may move while
 * it grows.
 */
#ifndef PSW_KPATHS_H
#define PSW_KPATHS_H

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "psw_abi.h"
#include "psw_path.h"
#include "psw_args.h"

struct psw_ktable {
	struct psw_path *paths;
	u32 nr;
	u32 cap;
};

static inline u32 psw_kidx(const struct dm_path *path)
{
	return (u32)(uintptr_t)path->pscontext;
}

static inline struct psw_path *psw_kpath(struct psw_ktable *t,
					 const struct dm_path *path)
{
	return &t->paths[psw_kidx(path)];
}

/*
 * Process context only (add_path).  Returns 0, -ENOSPC (the table holds
 * PSW_MAX_PATHS paths already) or -ENOMEM.
 */
static inline int psw_ktable_add(struct psw_ktable *t, struct dm_path *path,
				 u32 weight)
{
	if (t->nr >= PSW_MAX_PATHS)
		return -ENOSPC;
	if (t->nr == t->cap) {
		u32 cap = t->cap ? 2 * t->cap : 4;
		struct psw_path *p;

		p = kvcalloc(cap, sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		if (t->nr)
			memcpy(p, t->paths, t->nr * sizeof(*p));
		kvfree(t->paths);
		t->paths = p;
		t->cap = cap;
	}
	psw_path_init(&t->paths[t->nr], weight, path);
	path->pscontext = (void *)(uintptr_t)t->nr;
	t->nr++;
	return 0;
}

/*
 * add_path's messages.  dm-mpath hands *error to the table loader, which
 * logs it and never frees it, so each selector keeps static strings that
 * begin with its name, as in-tree selectors do ("least-blocks ps: ...").
 */
struct psw_kerrors {
	const char *nargs;	/* -E2BIG: more than one per-path argument */
	const char *syntax;	/* -EINVAL: weight not a canonical number */
	const char *range;	/* -ERANGE: weight outside the range */
	const char *paths;	/* -ENOSPC: more than PSW_MAX_PATHS paths */
	const char *nomem;	/* -ENOMEM */
};

/*
 * Set *@error for @r, a code from psw_parse_weight_args() or
 * psw_ktable_add(), and return the code for dm-mpath.
 */
static inline int psw_kerror(const struct psw_kerrors *e, int r, char **error)
{
	const char *msg;

	switch (r) {
	case -E2BIG:
		msg = e->nargs;
		break;
	case -ERANGE:
		msg = e->range;
		break;
	case -ENOSPC:
		msg = e->paths;
		break;
	case -ENOMEM:
		*error = (char *)e->nomem;
		return -ENOMEM;
	default:
		msg = e->syntax;
		break;
	}
	*error = (char *)msg;
	return -EINVAL;
}

static inline void psw_ktable_free(struct psw_ktable *t)
{
	kvfree(t->paths);
	t->paths = NULL;
	t->nr = 0;
	t->cap = 0;
}

/*
 * Per-path status, the same for both selectors:
 *   INFO:  <in-flight bytes> <completed I/Os> <completed bytes> <weight>
 *   TABLE: <weight>, the canonical number the table gave (exact echo)
 */
#define PSW_INFO_ARGS	4
#define PSW_TABLE_ARGS	1

static inline unsigned int psw_kpath_status(struct psw_path *p,
					    status_type_t type, char *result,
					    unsigned int maxlen)
{
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%llu %llu %llu %u ",
		       (unsigned long long)psw_a64_read(&p->inflight),
		       (unsigned long long)psw_a64_read(&p->ios),
		       (unsigned long long)psw_a64_read(&p->bytes),
		       p->weight);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%u ", p->weight);
		break;
	case STATUSTYPE_IMA:
		break;		/* nothing measured belongs in IMA */
	}
	return sz;
}

#endif /* PSW_KPATHS_H */
