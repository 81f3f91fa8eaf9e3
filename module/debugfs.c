// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/pte_ref/ and its read-only files.
 *
 * Every file is root-only: what they show (the page tables of any
 * process) and what they do are for the machine's administrator.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/slab.h>

#include "census.h"
#include "pte_ref.h"
#include "stats.h"

/* Serialises changes of the target (and later of reclaim state). */
DEFINE_MUTEX(pte_ref_mutex);

static struct dentry *pte_ref_dir;

static int info_show(struct seq_file *m, void *v)
{
	pte_ref_info_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(info);

static void *mms_start(struct seq_file *m, loff_t *pos)
{
	struct pte_ref_mms *rows = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= rows->nr ? &rows->rows[*pos - 1] : NULL;
}

static void *mms_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return mms_start(m, pos);
}

static void mms_stop(struct seq_file *m, void *v)
{
}

static int mms_show(struct seq_file *m, void *v)
{
	const struct pte_ref_census *c = v;
	const struct pte_ref_totals *t;
	u64 fill;
	char comm[TASK_COMM_LEN];
	int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, PTE_REF_MMS_HEADER "\n");
		return 0;
	}
	t = &c->t;
	fill = pte_ref_fill_tenths(t->present + t->other, t->tables);
	/* Columns are split on blanks: keep comm one word. */
	for (i = 0; i < TASK_COMM_LEN && c->comm[i]; i++)
		comm[i] = c->comm[i] <= ' ' ? '_' : c->comm[i];
	comm[min(i, TASK_COMM_LEN - 1)] = '\0';
	seq_printf(m, "%d %s %llu %llu %lu %llu %llu %llu %llu %llu.%llu %llu %llu\n",
		   c->pid, comm[0] ? comm : "-", t->tables,
		   t->tables * PTE_REF_TABLE_KB, c->pgtables_bytes >> 10,
		   t->empty, t->empty * PTE_REF_TABLE_KB, t->present, t->other,
		   fill / 10, fill % 10, t->pmd_tables, t->empty_pmd);
	return 0;
}

static const struct seq_operations mms_seq_ops = {
	.start	= mms_start,
	.next	= mms_next,
	.stop	= mms_stop,
	.show	= mms_show,
};

/* Census every mm at open; reading serves that snapshot. */
static int mms_open(struct inode *inode, struct file *file)
{
	struct pte_ref_mms *rows = pte_ref_mms_collect();
	int ret;

	if (IS_ERR(rows))
		return PTR_ERR(rows);
	ret = seq_open(file, &mms_seq_ops);
	if (ret) {
		kvfree(rows);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = rows;
	return 0;
}

static int mms_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kvfree(m->private);
	return seq_release(inode, file);
}

const struct file_operations pte_ref_mms_fops = {
	.owner		= THIS_MODULE,
	.open		= mms_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= mms_release,
};

int pte_ref_debugfs_init(void)
{
	pte_ref_dir = debugfs_create_dir(PTE_REF_DIR, NULL);
	if (IS_ERR(pte_ref_dir))
		return PTR_ERR(pte_ref_dir);

	debugfs_create_file(PTE_REF_FILE_INFO, 0400, pte_ref_dir, NULL,
			    &info_fops);
	debugfs_create_file(PTE_REF_FILE_MMS, 0400, pte_ref_dir, NULL,
			    &pte_ref_mms_fops);
	debugfs_create_file(PTE_REF_FILE_TARGET, 0600, pte_ref_dir, NULL,
			    &pte_ref_target_fops);
	debugfs_create_file(PTE_REF_FILE_CENSUS, 0400, pte_ref_dir, NULL,
			    &pte_ref_census_fops);
	debugfs_create_file(PTE_REF_FILE_RECLAIM, 0600, pte_ref_dir, NULL,
			    &pte_ref_reclaim_fops);
	debugfs_create_file(PTE_REF_FILE_STATS, 0600, pte_ref_dir, NULL,
			    &pte_ref_stats_fops);
	debugfs_create_file(PTE_REF_FILE_AUTO, 0600, pte_ref_dir, NULL,
			    &pte_ref_auto_fops);
	return 0;
}

/* debugfs_remove_recursive() waits for readers and writers to leave. */
void pte_ref_debugfs_exit(void)
{
	debugfs_remove_recursive(pte_ref_dir);
	pte_ref_target_clear();
}
