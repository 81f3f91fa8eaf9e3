// SPDX-License-Identifier: GPL-2.0
/*
 * target.c - the `target` and `census` files.
 *
 * `target` takes "PID" or "PID START-END" and reads back "none", "PID"
 * or "PID 0xSTART-0xEND".  The pid is resolved in the writer's pid
 * namespace and kept as a struct pid, so a recycled number never points
 * the census at another process.
 *
 * `census` walks the target when it is opened and serves that snapshot:
 * "key value" totals, "hist BUCKET COUNT" lines, then one
 * "vma START-END KIND TABLES EMPTY ENTRIES" line per VMA (README).
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "census.h"
#include "pte_ref.h"

static struct {
	struct pid *pid;	/* NULL: no target */
	bool ranged;
	unsigned long start, end;
} target;

/* Called at unload; no file is open then. */
void pte_ref_target_clear(void)
{
	put_pid(target.pid);
	target.pid = NULL;
}

static ssize_t target_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[PTE_REF_MAX_WRITE];
	struct pte_ref_req req;
	struct mm_struct *mm;
	struct pid *pid;
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = pte_ref_user_input(ubuf, count, ppos, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	ret = pte_ref_parse_req(buf, &req);
	if (ret)
		return ret;

	pid = find_get_pid(req.pid);	/* in current's pid namespace */
	if (!pid)
		return -ESRCH;
	mm = pte_ref_pid_mm(pid, NULL, 0);
	if (IS_ERR(mm)) {
		put_pid(pid);
		return PTR_ERR(mm);
	}
	mmput(mm);

	mutex_lock(&pte_ref_mutex);
	put_pid(target.pid);
	target.pid = pid;
	target.ranged = req.ranged;
	target.start = req.start;
	target.end = req.end;
	mutex_unlock(&pte_ref_mutex);
	return count;
}

static int target_show(struct seq_file *m, void *v)
{
	mutex_lock(&pte_ref_mutex);
	if (!target.pid)
		seq_puts(m, "none\n");
	else if (!target.ranged)
		seq_printf(m, "%d\n",
			   pid_nr_ns(target.pid, task_active_pid_ns(current)));
	else
		seq_printf(m, "%d 0x%lx-0x%lx\n",
			   pid_nr_ns(target.pid, task_active_pid_ns(current)),
			   target.start, target.end);
	mutex_unlock(&pte_ref_mutex);
	return 0;
}

PTE_REF_COMMAND_FILE(target);

static void show_totals(struct seq_file *m, const struct pte_ref_census *c)
{
	static const char *const labels[] = PTE_REF_HIST_LABELS;
	const struct pte_ref_totals *t = &c->t;
	u64 entries = t->present + t->other;
	u64 fill = pte_ref_fill_tenths(entries, t->tables);
	int i;

	seq_printf(m, "pid %d\ncomm %s\n", c->pid, c->comm);
	if (c->ranged)
		seq_printf(m, "range 0x%lx-0x%lx\n", c->start, c->end);
	else
		seq_puts(m, "range all\n");
	seq_printf(m, "vmas %llu\n", t->vmas);
	seq_printf(m, "pte_tables %llu\n", t->tables);
	seq_printf(m, "pte_kb %llu\n", t->tables * PTE_REF_TABLE_KB);
	seq_printf(m, "pgtables_kb %lu\n", c->pgtables_bytes >> 10);
	seq_printf(m, "empty_tables %llu\n", t->empty);
	seq_printf(m, "empty_kb %llu\n", t->empty * PTE_REF_TABLE_KB);
	seq_printf(m, "present %llu\n", t->present);
	seq_printf(m, "swap %llu\n", t->other);
	seq_printf(m, "fill_pct %llu.%llu\n", fill / 10, fill % 10);
	seq_printf(m, "thp_pmds %llu\n", t->thp_pmds);
	seq_printf(m, "pmd_tables %llu\n", t->pmd_tables);
	seq_printf(m, "empty_pmd_tables %llu\n", t->empty_pmd);
	seq_printf(m, "hugetlb_vmas %llu\n", t->hugetlb_vmas);
	if (PTE_REF_HAVE_REFCOUNT) {
		seq_printf(m, "refcount_sum %lld\n", t->refcount_sum);
		seq_printf(m, "refcount_mismatch %llu\n", t->refcount_mismatch);
		seq_printf(m, "refcount_below %llu\n", t->refcount_below);
	} else {
		seq_puts(m, "refcount_sum n/a\nrefcount_mismatch n/a\nrefcount_below n/a\n");
	}
	seq_printf(m, "duration_ns %llu\n", c->duration_ns);
	for (i = 0; i < PTE_REF_HIST_BUCKETS; i++)
		seq_printf(m, "hist %s %llu\n", labels[i], t->hist[i]);
}

static void *census_start(struct seq_file *m, loff_t *pos)
{
	struct pte_ref_census *c = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= c->nr_lines ? &c->lines[*pos - 1] : NULL;
}

static void *census_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return census_start(m, pos);
}

static void census_stop(struct seq_file *m, void *v)
{
}

static int census_show(struct seq_file *m, void *v)
{
	const struct pte_ref_vma_line *l = v;

	if (v == SEQ_START_TOKEN) {
		show_totals(m, m->private);
		return 0;
	}
	seq_printf(m, "vma 0x%lx-0x%lx %s %u %u %llu\n", l->start, l->end,
		   pte_ref_vma_kind_name(l->kind), l->tables, l->empty,
		   l->entries);
	return 0;
}

static const struct seq_operations census_seq_ops = {
	.start	= census_start,
	.next	= census_next,
	.stop	= census_stop,
	.show	= census_show,
};

/* Walk the target now; the file then serves this snapshot. */
static int census_take(struct pte_ref_census *c)
{
	struct mm_struct *mm;
	struct pid *pid;
	int ret;

	mutex_lock(&pte_ref_mutex);
	pid = get_pid(target.pid);
	c->ranged = target.ranged;
	c->start = target.start;
	c->end = target.end;
	mutex_unlock(&pte_ref_mutex);
	if (!pid)
		return -ENODATA;

	c->pid = pid_nr_ns(pid, task_active_pid_ns(current));
	mm = pte_ref_pid_mm(pid, c->comm, sizeof(c->comm));
	put_pid(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	c->want_lines = true;
	ret = pte_ref_census_mm(mm, c);
	mmput(mm);
	return ret;
}

static int census_open(struct inode *inode, struct file *file)
{
	struct pte_ref_census *c;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ret = census_take(c);
	if (!ret)
		ret = seq_open(file, &census_seq_ops);
	if (ret) {
		pte_ref_census_free(c);
		kfree(c);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = c;
	return 0;
}

static int census_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct pte_ref_census *c = m->private;

	pte_ref_census_free(c);
	kfree(c);
	return seq_release(inode, file);
}

const struct file_operations pte_ref_census_fops = {
	.owner		= THIS_MODULE,
	.open		= census_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= census_release,
};
