/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Our own declaration of dm-multipath's private path-selector interface.
 *
 * drivers/md/dm-path-selector.h and dm-mpath.h are not shipped in
 * linux-headers, so an out-of-tree selector has to declare the structures
 * itself.  dm_register_path_selector() copies struct path_selector_type by
 * value and module versioning checks only the CRCs of the two exported
 * functions, never this layout: a mismatch is a crash, not a load error.
 *
 * Every build through make, scripts/build-modules.sh, DKMS or make install
 * first runs scripts/abi-check.sh: it reads the target kernel's own
 * struct dm_path, path_selector, path_selector_type and the prototypes of
 * the two functions below from the BTF of its dm-multipath.ko, compares
 * them with this file (member order, offsets, sizes, function-pointer
 * prototypes) and refuses the build on any difference; only then is
 * PSW_ABI_BTF_CHECKED defined, and any kernel version is accepted.
 * Without it (a plain kbuild invocation) only 6.1 to 6.12 build: the range
 * whose sources tests/abi compares with this file (linux-source-6.1/6.12).
 * Keep the declarations one per line at column 0 ("struct NAME {",
 * "TYPE NAME(ARGS);"): abi-check.sh finds them that way.
 */
#ifndef PSW_ABI_H
#define PSW_ABI_H

#include <linux/version.h>
#include <linux/device-mapper.h>

#if !defined(PSW_ABI_BTF_CHECKED) && \
	(LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	 LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0))
#error "dm-ps-weighted: selector ABI unchecked outside 6.1..6.12: build with make or DKMS"
#endif

struct dm_path {
	struct dm_dev *dev;
	void *pscontext;
};

struct path_selector_type;

struct path_selector {
	struct path_selector_type *type;
	void *context;
};

#define DM_PS_USE_HR_TIMER	0x00000001

struct path_selector_type {
	char *name;
	struct module *module;

	unsigned int features;
	unsigned int table_args;
	unsigned int info_args;

	int (*create)(struct path_selector *ps, unsigned int argc, char **argv);
	void (*destroy)(struct path_selector *ps);
	int (*add_path)(struct path_selector *ps, struct dm_path *path,
			int argc, char **argv, char **error);
	struct dm_path *(*select_path)(struct path_selector *ps,
				       size_t nr_bytes);
	void (*fail_path)(struct path_selector *ps, struct dm_path *p);
	int (*reinstate_path)(struct path_selector *ps, struct dm_path *p);
	int (*status)(struct path_selector *ps, struct dm_path *path,
		      status_type_t type, char *result, unsigned int maxlen);
	int (*start_io)(struct path_selector *ps, struct dm_path *path,
			size_t nr_bytes);
	int (*end_io)(struct path_selector *ps, struct dm_path *path,
		      size_t nr_bytes, u64 start_time);
};

int dm_register_path_selector(struct path_selector_type *type);
/* Never use the return value: it is void in recent mainline. */
int dm_unregister_path_selector(struct path_selector_type *type);

#endif /* PSW_ABI_H */
