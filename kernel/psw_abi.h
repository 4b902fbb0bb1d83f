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
 * The layout below was compared member by member (sizeof and offsetof, see
 * tests/abi/) against the real headers of Debian's 6.1 and 6.12 kernels.
 * Building for any other kernel version is refused; extend the range only
 * after tests/abi passes against that version's source.
 */
#ifndef PSW_ABI_H
#define PSW_ABI_H

#include <linux/version.h>
#include <linux/device-mapper.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "dm-ps-weighted: path selector ABI verified for Linux 6.1 to 6.12 only"
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
