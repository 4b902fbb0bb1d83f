// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test module: WARN_ON(1) in init.  Loading it must make the
 * vm test runner and scripts/vm-run fail (kernel-log scan).  Never ship.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init vm_warnmod_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit vm_warnmod_exit(void)
{
}

module_init(vm_warnmod_init);
module_exit(vm_warnmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vm harness self-test: WARN_ON(1) at load");
