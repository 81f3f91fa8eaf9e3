// SPDX-License-Identifier: GPL-2.0
/*
 * input.c - reading what user space writes to our debugfs files.
 *
 * Every write handler goes through pte_ref_user_input() and, when it takes
 * a process, pte_ref_parse_req(): one place decides what is valid.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "pte_ref.h"

/**
 * pte_ref_user_input - copy one command from user space
 * @ubuf:  the user's buffer
 * @count: its length
 * @ppos:  the file position of the write
 * @buf:   where to copy it
 * @size:  size of @buf
 *
 * A command is a single write of fewer than @size bytes: -EINVAL for a
 * write at an offset (the tail of a split write), -E2BIG for a long one.
 * Returns the length of the NUL-terminated, whitespace-trimmed copy.
 */
ssize_t pte_ref_user_input(const char __user *ubuf, size_t count,
			   loff_t *ppos, char *buf, size_t size)
{
	char *s;

	if (*ppos)
		return -EINVAL;
	if (count >= size)
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	memmove(buf, s, strlen(s) + 1);
	return strlen(buf);
}

static int parse_addr(const char *s, unsigned long *addr)
{
	/* kstrtoul() takes an optional 0x with base 16. */
	if (kstrtoul(s, 16, addr) || !PAGE_ALIGNED(*addr))
		return -EINVAL;
	return 0;
}

/**
 * pte_ref_parse_req - parse "PID" or "PID START-END"
 * @buf: the command, modified while parsing
 * @req: the result
 *
 * PID is decimal and positive; START and END are hex, page aligned, with
 * START < END <= TASK_SIZE_MAX.  Anything else is -EINVAL.
 */
int pte_ref_parse_req(char *buf, struct pte_ref_req *req)
{
	char *pid_s, *range, *end_s;

	memset(req, 0, sizeof(*req));
	range = skip_spaces(buf);
	pid_s = strsep(&range, " \t");
	if (kstrtoint(pid_s, 10, &req->pid) || req->pid <= 0)
		return -EINVAL;
	if (!range)
		return 0;

	range = skip_spaces(range);
	end_s = strchr(range, '-');
	if (!end_s)
		return -EINVAL;
	*end_s++ = '\0';
	if (parse_addr(range, &req->start) || parse_addr(end_s, &req->end))
		return -EINVAL;
	if (req->start >= req->end || req->end > TASK_SIZE_MAX)
		return -EINVAL;
	req->ranged = true;
	return 0;
}

/**
 * pte_ref_pid_mm - the address space of the process @pid names, pinned
 * @pid:  a pid reference held by the caller
 * @comm: if not NULL, receives the process name
 * @len:  size of @comm
 *
 * Returns the mm (release it with mmput()), ERR_PTR(-ESRCH) when the
 * process is gone or exiting, ERR_PTR(-EINVAL) for a kernel thread.
 */
struct mm_struct *pte_ref_pid_mm(struct pid *pid, char *comm, size_t len)
{
	struct task_struct *task = get_pid_task(pid, PIDTYPE_PID);
	struct mm_struct *mm;

	if (!task)
		return ERR_PTR(-ESRCH);
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		return ERR_PTR(-EINVAL);
	}
	mm = get_task_mm(task);
	if (mm && comm) {
		task_lock(task);
		strscpy(comm, task->comm, len);
		task_unlock(task);
	}
	put_task_struct(task);
	return mm ? mm : ERR_PTR(-ESRCH);
}
