// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-lane self-test module: commits the bug named by bug= at load, so
 * that the debug kernel reports it and the vm test runner and scripts/vm-run
 * fail.  Never ship.
 *
 *   bug=lockorder  takes A then B, later B then A (lockdep: possible
 *                  circular locking dependency; no deadlock happens)
 *   bug=uaf        reads a byte of a kmalloc()ed buffer after kfree()
 *                  (KASAN: slab-use-after-free)
 *   bug=sleep      msleep() under a spinlock (DEBUG_ATOMIC_SLEEP: sleeping
 *                  function called from invalid context)
 *   bug=rcu        rcu_dereference() outside rcu_read_lock() (PROVE_RCU:
 *                  suspicious RCU usage)
 *   bug=odebug     kfree() of an object holding an armed timer
 *                  (DEBUG_OBJECTS: ODEBUG: free active)
 *   bug=race       two kthreads on two CPUs increment one plain counter
 *                  for 2 s (KCSAN: data-race in vm_debugmod_racer; the
 *                  KCSAN kernel only, 2+ CPUs)
 *   bug=none       nothing (the module itself loads cleanly)
 * The module always loads (init returns 0), so the command that loaded it
 * succeeds: only the kernel-log scan can fail the run.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/rcupdate.h>
#include <linux/timer.h>
#include <linux/string.h>
#include <linux/kthread.h>
#include <linux/err.h>
#include <linux/cpumask.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "lockorder, uaf, sleep, rcu, odebug, race or none");

static DEFINE_MUTEX(vm_debugmod_a);
static DEFINE_MUTEX(vm_debugmod_b);
static DEFINE_SPINLOCK(vm_debugmod_lock);

struct vm_debugmod_obj {
	int v;
	struct timer_list t;
};
static struct vm_debugmod_obj __rcu *vm_debugmod_ptr;

static void vm_debugmod_lockorder(void)
{
	mutex_lock(&vm_debugmod_a);
	mutex_lock(&vm_debugmod_b);
	mutex_unlock(&vm_debugmod_b);
	mutex_unlock(&vm_debugmod_a);

	mutex_lock(&vm_debugmod_b);
	mutex_lock(&vm_debugmod_a);
	mutex_unlock(&vm_debugmod_a);
	mutex_unlock(&vm_debugmod_b);
}

static int vm_debugmod_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, 64);
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	c = READ_ONCE(p[8]);
	pr_info("vm_debugmod: read %d after kfree\n", c);
	return 0;
}

static void vm_debugmod_sleep(void)
{
	spin_lock(&vm_debugmod_lock);
	msleep(1);
	spin_unlock(&vm_debugmod_lock);
}

static int vm_debugmod_rcu(void)
{
	struct vm_debugmod_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	rcu_assign_pointer(vm_debugmod_ptr, o);
	o = rcu_dereference(vm_debugmod_ptr);	/* no rcu_read_lock() */
	pr_info("vm_debugmod: v %d\n", o->v);
	RCU_INIT_POINTER(vm_debugmod_ptr, NULL);
	synchronize_rcu();
	kfree(o);
	return 0;
}

static void vm_debugmod_timer_fn(struct timer_list *t)
{
}

static int vm_debugmod_odebug(void)
{
	struct vm_debugmod_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	timer_setup(&o->t, vm_debugmod_timer_fn, 0);
	mod_timer(&o->t, jiffies + 3600 * HZ);
	/* freed while armed: debugobjects reports and deactivates it */
	kfree(o);
	return 0;
}

static unsigned long vm_debugmod_shared;

static int vm_debugmod_racer(void *arg)
{
	while (!kthread_should_stop()) {
		vm_debugmod_shared++;	/* plain read-modify-write: the race */
		cond_resched();
	}
	return 0;
}

static int vm_debugmod_race(void)
{
	struct task_struct *t[2];
	unsigned int cpu[2];
	int i;

	if (num_online_cpus() < 2) {
		pr_err("vm_debugmod: bug=race needs 2 online CPUs, has %u\n",
		       num_online_cpus());
		return 0;
	}
	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	for (i = 0; i < 2; i++) {
		t[i] = kthread_create(vm_debugmod_racer, NULL, "vm_debugmod/%u", cpu[i]);
		if (IS_ERR(t[i])) {
			pr_err("vm_debugmod: kthread_create: %ld\n", PTR_ERR(t[i]));
			while (i--)
				kthread_stop(t[i]);
			return 0;
		}
		kthread_bind(t[i], cpu[i]);
		wake_up_process(t[i]);
	}
	msleep(2000);
	for (i = 0; i < 2; i++)
		kthread_stop(t[i]);
	pr_info("vm_debugmod: counter %lu\n", READ_ONCE(vm_debugmod_shared));
	return 0;
}

static int __init vm_debugmod_init(void)
{
	pr_info("vm_debugmod: bug=%s\n", bug);
	if (!strcmp(bug, "lockorder"))
		vm_debugmod_lockorder();
	else if (!strcmp(bug, "uaf"))
		return vm_debugmod_uaf();
	else if (!strcmp(bug, "sleep"))
		vm_debugmod_sleep();
	else if (!strcmp(bug, "rcu"))
		return vm_debugmod_rcu();
	else if (!strcmp(bug, "odebug"))
		return vm_debugmod_odebug();
	else if (!strcmp(bug, "race"))
		return vm_debugmod_race();
	else if (strcmp(bug, "none"))
		return -EINVAL;
	return 0;
}

static void __exit vm_debugmod_exit(void)
{
}

module_init(vm_debugmod_init);
module_exit(vm_debugmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vm harness self-test: lockdep/KASAN/atomic-sleep/RCU/ODEBUG/KCSAN bugs at load");
