// SPDX-License-Identifier: GPL-2.0
/*
 * notifier.c - test-only module: bind an mmu notifier to one process's mm,
 * as an IOMMU in SVA mode, KVM or VFIO do, so that the guest tests can
 * check that pte_ref's reclaim then leaves that mm alone (t11, t08).
 *
 *   insmod pte_ref_test_notifier.ko pid=1234   # the notifier is bound
 *   rmmod pte_ref_test_notifier                # and unregistered
 *
 * The pid is resolved in the loader's pid namespace.  Never load this on a
 * machine you care about: it is a test fixture, nothing more.
 */
#define pr_fmt(fmt) "pte_ref_test_notifier: " fmt

#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

static int pid;
module_param(pid, int, 0400);
MODULE_PARM_DESC(pid, "process whose mm gets the notifier");

static struct mm_struct *bound;	/* mmgrab()bed while registered */

/* No callbacks: being registered is the point. */
static const struct mmu_notifier_ops ops;
static struct mmu_notifier mn = { .ops = &ops };

static int __init notifier_init(void)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;
	int ret;

	p = find_get_pid(pid);
	task = get_pid_task(p, PIDTYPE_PID);
	put_pid(p);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -EINVAL;
	ret = mmu_notifier_register(&mn, mm);	/* takes the mmap lock */
	if (ret) {
		mmput(mm);
		return ret;
	}
	mmgrab(mm);		/* for the unregister at exit */
	mmput(mm);
	bound = mm;
	return 0;
}

static void __exit notifier_exit(void)
{
	mmu_notifier_unregister(&mn, bound);
	mmdrop(bound);
}

module_init(notifier_init);
module_exit(notifier_exit);
MODULE_DESCRIPTION("pte_ref test fixture: an mmu notifier on one process");
MODULE_LICENSE("GPL");
