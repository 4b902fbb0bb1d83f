/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel glue shared by both selectors: the path table and the status
 * output.  Static inline so that each module carries its own copy.
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

/* Process context only (add_path). */
static inline int psw_ktable_add(struct psw_ktable *t, struct dm_path *path,
				 u32 weight, char **error)
{
	if (t->nr >= PSW_MAX_PATHS) {
		*error = "too many paths in one priority group (max 1024)";
		return -EINVAL;
	}
	if (t->nr == t->cap) {
		u32 cap = t->cap ? 2 * t->cap : 4;
		struct psw_path *p;

		p = kvcalloc(cap, sizeof(*p), GFP_KERNEL);
		if (!p) {
			*error = "out of memory for the path table";
			return -ENOMEM;
		}
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
