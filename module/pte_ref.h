/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref.h - declarations shared by the files of the module.
 */
#ifndef PTE_REF_H
#define PTE_REF_H

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/types.h>

/* A request written to a debugfs file: "PID" or "PID START-END". */
struct pte_ref_req {
	pid_t pid;
	bool ranged;
	unsigned long start, end;	/* page aligned user addresses */
};

ssize_t pte_ref_user_input(const char __user *ubuf, size_t count,
			   loff_t *ppos, char *buf, size_t size);
int pte_ref_parse_req(char *buf, struct pte_ref_req *req);
struct mm_struct *pte_ref_pid_mm(struct pid *pid, char *comm, size_t len);

/* Serialises changes of the module's state (the target). */
extern struct mutex pte_ref_mutex;

void pte_ref_info_show(struct seq_file *m);

/*
 * The fops of a file that takes commands (NAME_write) and shows a result
 * (NAME_show): pte_ref_NAME_fops.
 */
#define PTE_REF_COMMAND_FILE(name)					\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return single_open(file, name##_show, NULL);			\
}									\
const struct file_operations pte_ref_##name##_fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= name##_open,					\
	.read		= seq_read,					\
	.write		= name##_write,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

extern const struct file_operations pte_ref_info_fops;
extern const struct file_operations pte_ref_mms_fops;
extern const struct file_operations pte_ref_target_fops;
extern const struct file_operations pte_ref_census_fops;
extern const struct file_operations pte_ref_reclaim_fops;
extern const struct file_operations pte_ref_auto_fops;

void pte_ref_target_clear(void);

int pte_ref_debugfs_init(void);
void pte_ref_debugfs_exit(void);

#endif /* PTE_REF_H */
