// SPDX-License-Identifier: GPL-2.0
/*
 * mms.c - a census of every user mm, one row per mm (not per thread).
 *
 * Processes are gathered under RCU with only a reference on their mm
 * (mmgrab: it keeps the struct, not the address space, so a process that
 * exits meanwhile is torn down as usual).  mms shared by several processes
 * (CLONE_VM without CLONE_THREAD, vfork) are reported once, under the
 * lowest pid.  Each mm is then walked outside RCU, pinned with
 * mmget_not_zero(); one that has already exited is skipped.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "census.h"

struct mm_ref {
	struct mm_struct *mm;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

static int cmp_mm(const void *a, const void *b)
{
	const struct mm_ref *x = a, *y = b;

	if (x->mm != y->mm)
		return (unsigned long)x->mm < (unsigned long)y->mm ? -1 : 1;
	return x->pid - y->pid;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct mm_ref *x = a, *y = b;

	return x->pid - y->pid;
}

static unsigned int count_processes(void)
{
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process(p)
		n++;
	rcu_read_unlock();
	return n;
}

/* Grab the mm of every user process visible in our pid namespace. */
static unsigned int grab_mms(struct mm_ref *refs, unsigned int cap)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process(p) {
		struct mm_struct *mm;
		pid_t nr;

		if (n == cap)
			break;	/* forked since we counted: next read */
		if (p->flags & PF_KTHREAD)
			continue;
		nr = task_tgid_nr_ns(p, ns);
		if (!nr)
			continue;
		task_lock(p);
		mm = p->mm;
		if (mm) {
			mmgrab(mm);
			refs[n].mm = mm;
			refs[n].pid = nr;
			strscpy(refs[n].comm, p->comm, sizeof(refs[n].comm));
			n++;
		}
		task_unlock(p);
	}
	rcu_read_unlock();
	return n;
}

/* Keep the lowest pid of each mm; refs must be sorted by cmp_mm. */
static unsigned int drop_shared(struct mm_ref *refs, unsigned int n)
{
	unsigned int i, out = 0;

	for (i = 0; i < n; i++) {
		if (out && refs[out - 1].mm == refs[i].mm) {
			mmdrop(refs[i].mm);
			continue;
		}
		refs[out++] = refs[i];
	}
	return out;
}

/**
 * pte_ref_each_mm - call @fn on every user mm, once each, by pid order
 * @fn:   called with the mm pinned (mmget), its lowest pid in our pid
 *        namespace and that process's name; a nonzero return stops
 * @priv: passed to @fn
 *
 * Returns 0, -ENOMEM, or what @fn returned.  An mm whose process exits
 * before its turn is passed over.
 */
int pte_ref_each_mm(int (*fn)(struct mm_struct *mm, pid_t pid,
			      const char *comm, void *priv), void *priv)
{
	unsigned int cap = count_processes() + 32;
	struct mm_ref *refs;
	unsigned int i, n;
	int ret = 0;

	refs = kvmalloc_array(cap, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;

	n = grab_mms(refs, cap);
	sort(refs, n, sizeof(*refs), cmp_mm, NULL);
	n = drop_shared(refs, n);
	sort(refs, n, sizeof(*refs), cmp_pid, NULL);

	for (i = 0; i < n; i++) {
		struct mm_struct *mm = refs[i].mm;

		if (!ret && mmget_not_zero(mm)) {
			ret = fn(mm, refs[i].pid, refs[i].comm, priv);
			mmput(mm);
		}
		mmdrop(mm);
	}
	kvfree(refs);
	return ret;
}

struct mms_collect {
	struct pte_ref_mms *out;
	unsigned int cap;
};

static int census_one(struct mm_struct *mm, pid_t pid, const char *comm,
		      void *priv)
{
	struct mms_collect *mc = priv;
	struct pte_ref_mms *out = mc->out;
	struct pte_ref_census *c;

	if (out->nr == mc->cap)
		return 0;	/* more mms than counted at open: next read */
	c = &out->rows[out->nr++];
	c->pid = pid;
	strscpy(c->comm, comm, sizeof(c->comm));
	return pte_ref_census_mm(mm, c);
}

/**
 * pte_ref_mms_collect - census of every user mm, sorted by pid
 *
 * Returns the rows (free with kvfree()) or an ERR_PTR: -ENOMEM, or -EINTR
 * on a fatal signal.
 */
struct pte_ref_mms *pte_ref_mms_collect(void)
{
	struct mms_collect mc = { .cap = count_processes() + 32 };
	int ret;

	mc.out = kvzalloc(struct_size(mc.out, rows, mc.cap), GFP_KERNEL);
	if (!mc.out)
		return ERR_PTR(-ENOMEM);
	ret = pte_ref_each_mm(census_one, &mc);
	if (ret) {
		kvfree(mc.out);
		return ERR_PTR(ret);
	}
	return mc.out;
}
