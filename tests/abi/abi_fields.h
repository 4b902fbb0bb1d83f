/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emits "->ABI <name> <value>" markers into the assembly output, the way
 * the kernel's asm-offsets do: the size and the offset of every member of
 * the private path-selector structures, and whether each callback has the
 * signature our modules implement.  Compiled once against the real
 * drivers/md headers and once against kernel/psw_abi.h; run.sh compares.
 */
#include <linux/stddef.h>

#define ABI_VAL(name, val) \
	asm volatile("\n.ascii \"->ABI " name " %0\"" : : "i" (val))
#define ABI_SIZE(s)	ABI_VAL("sizeof." #s, sizeof(struct s))
#define ABI_OFF(s, m)	ABI_VAL(#s "." #m, offsetof(struct s, m))
#define ABI_SIG(m, t)	ABI_VAL("signature." #m, \
	__builtin_types_compatible_p(typeof(((struct path_selector_type *)0)->m), t))

void abi_dump(void);
void abi_dump(void)
{
	ABI_SIZE(dm_path);
	ABI_OFF(dm_path, dev);
	ABI_OFF(dm_path, pscontext);

	ABI_SIZE(path_selector);
	ABI_OFF(path_selector, type);
	ABI_OFF(path_selector, context);

	ABI_VAL("DM_PS_USE_HR_TIMER", DM_PS_USE_HR_TIMER);
	ABI_SIZE(path_selector_type);
	ABI_OFF(path_selector_type, name);
	ABI_OFF(path_selector_type, module);
	ABI_OFF(path_selector_type, features);
	ABI_OFF(path_selector_type, table_args);
	ABI_OFF(path_selector_type, info_args);
	ABI_OFF(path_selector_type, create);
	ABI_OFF(path_selector_type, destroy);
	ABI_OFF(path_selector_type, add_path);
	ABI_OFF(path_selector_type, select_path);
	ABI_OFF(path_selector_type, fail_path);
	ABI_OFF(path_selector_type, reinstate_path);
	ABI_OFF(path_selector_type, status);
	ABI_OFF(path_selector_type, start_io);
	ABI_OFF(path_selector_type, end_io);

	ABI_SIG(create, int (*)(struct path_selector *, unsigned int, char **));
	ABI_SIG(destroy, void (*)(struct path_selector *));
	ABI_SIG(add_path, int (*)(struct path_selector *, struct dm_path *,
				  int, char **, char **));
	ABI_SIG(select_path, struct dm_path *(*)(struct path_selector *, size_t));
	ABI_SIG(fail_path, void (*)(struct path_selector *, struct dm_path *));
	ABI_SIG(reinstate_path, int (*)(struct path_selector *, struct dm_path *));
	ABI_SIG(status, int (*)(struct path_selector *, struct dm_path *,
				status_type_t, char *, unsigned int));
	ABI_SIG(start_io, int (*)(struct path_selector *, struct dm_path *, size_t));
	ABI_SIG(end_io, int (*)(struct path_selector *, struct dm_path *, size_t, u64));
}
