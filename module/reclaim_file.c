// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim_file.c - the `reclaim` file.
 *
 * Commands, one per write:
 *   PID             free the empty PTE tables of that process
 *   PID START-END   ... of that range (hex, page aligned)
 *   all             ... of every user process
 * The write returns its length when the reclaim ran to its end, else the
 * errno: EINVAL (bad command, kernel thread), ESRCH (no such process),
 * EPERM (no CAP_SYS_ADMIN), EOPNOTSUPP (not on this kernel, see `info`),
 * EINTR (fatal signal: what was freed stays freed and is reported).
 * Reading shows the last reclaim (README: "reclaim").
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>

#include "census.h"
#include "pte_ref.h"
#include "reclaim.h"

/* The last result; reclaims themselves run concurrently. */
static DEFINE_MUTEX(last_lock);
static struct pte_ref_reclaim_result last;

static int reclaim_each(struct mm_struct *mm, pid_t pid, const char *comm,
			void *priv)
{
	return pte_ref_reclaim_mm(mm, pid, 0, TASK_SIZE_MAX, priv);
}

static int reclaim_one(struct pte_ref_req *req,
		       struct pte_ref_reclaim_result *r)
{
	struct mm_struct *mm;
	struct pid *pid;
	int ret;

	pid = find_get_pid(req->pid);	/* in current's pid namespace */
	if (!pid)
		return -ESRCH;
	mm = pte_ref_pid_mm(pid, NULL, 0);
	put_pid(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (req->ranged)
		ret = pte_ref_reclaim_mm(mm, req->pid, req->start, req->end,
					 r);
	else
		ret = pte_ref_reclaim_mm(mm, req->pid, 0, TASK_SIZE_MAX, r);
	mmput(mm);
	return ret;
}

static ssize_t reclaim_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct pte_ref_reclaim_result r = { .done = true };
	char buf[PTE_REF_MAX_WRITE];
	struct pte_ref_req req;
	u64 t0;
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (pte_ref_reclaim_unavailable())
		return -EOPNOTSUPP;
	ret = pte_ref_user_input(ubuf, count, ppos, buf, sizeof(buf));
	if (ret < 0)
		return ret;

	t0 = ktime_get_ns();
	if (!strcmp(buf, "all")) {
		r.all = true;
		ret = pte_ref_each_mm(reclaim_each, &r);
	} else {
		ret = pte_ref_parse_req(buf, &req);
		if (ret)
			return ret;	/* nothing ran: the last result stays */
		r.pid = req.pid;
		r.ranged = req.ranged;
		r.start = req.start;
		r.end = req.end;
		ret = reclaim_one(&req, &r);
		if (ret == -ESRCH || ret == -EINVAL)
			return ret;
	}
	r.duration_ns = ktime_get_ns() - t0;
	r.error = -ret;

	mutex_lock(&last_lock);
	last = r;
	mutex_unlock(&last_lock);
	return ret ? ret : count;
}

static int reclaim_show(struct seq_file *m, void *v)
{
	struct pte_ref_reclaim_result r;

	mutex_lock(&last_lock);
	r = last;
	mutex_unlock(&last_lock);

	if (!r.done) {
		seq_puts(m, "none\n");
		return 0;
	}
	if (r.all)
		seq_puts(m, "target all\n");
	else if (r.ranged)
		seq_printf(m, "target %d 0x%lx-0x%lx\n", r.pid, r.start, r.end);
	else
		seq_printf(m, "target %d\n", r.pid);
	seq_printf(m, "error %d\n", r.error);
	seq_printf(m, "processes %llu\n", r.processes);
	seq_printf(m, "scanned %llu\n", r.scanned);
	seq_printf(m, "freed %llu\n", r.freed);
	seq_printf(m, "freed_kb %llu\n", r.freed * PTE_REF_TABLE_KB);
	seq_printf(m, "skipped_not_empty %llu\n", r.skipped_not_empty);
	seq_printf(m, "skipped_excluded %llu\n", r.skipped_excluded);
	seq_printf(m, "skipped_shared %llu\n", r.skipped_shared);
	seq_printf(m, "skipped_busy %llu\n", r.skipped_busy);
	seq_printf(m, "skipped_uffd %llu\n", r.skipped_uffd);
	seq_printf(m, "skipped_notifier %llu\n", r.skipped_notifier);
	seq_printf(m, "pmd_scanned %llu\n", r.pmd_scanned);
	seq_printf(m, "pmd_freed %llu\n", r.pmd_freed);
	seq_printf(m, "pmd_freed_kb %llu\n", r.pmd_freed * PTE_REF_TABLE_KB);
	seq_printf(m, "pmd_skipped_not_empty %llu\n", r.pmd_skipped_not_empty);
	seq_printf(m, "pmd_skipped_excluded %llu\n", r.pmd_skipped_excluded);
	seq_printf(m, "duration_ns %llu\n", r.duration_ns);
	return 0;
}

PTE_REF_COMMAND_FILE(reclaim);
