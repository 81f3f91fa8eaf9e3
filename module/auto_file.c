// SPDX-License-Identifier: GPL-2.0
/*
 * auto_file.c - the `auto` file: the automatic policy's settings.
 *
 * Reading shows every setting, one "name value" line each, in the order
 * of pte_ref_auto_settings[], then "thread_pid N" (0: no thread runs).
 * A write sets any of them: "name=value" words separated by blanks, e.g.
 * "enabled=1 scan_sleep_ms=1000" (blanks, tabs or newlines between).  All
 * or nothing: an unknown name, a value that is not a decimal number or out
 * of its bounds, or an empty write is EINVAL and changes nothing; E2BIG
 * for PTE_REF_AUTO_MAX_WRITE bytes or more; EPERM without CAP_SYS_ADMIN;
 * EOPNOTSUPP for enabled=1 where the policy is not available (`info`).
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "auto.h"
#include "pte_ref.h"

static int set_one(struct pte_ref_auto_cfg *c, const char *name,
		   const char *val)
{
	const struct pte_ref_auto_setting *s;
	unsigned int v;

	if (kstrtouint(val, 10, &v))
		return -EINVAL;
	for (s = pte_ref_auto_settings; s->name; s++) {
		if (strcmp(s->name, name))
			continue;
		if (v < s->lo || v > s->hi)
			return -EINVAL;
		*pte_ref_auto_field(c, s) = v;
		return 0;
	}
	return -EINVAL;
}

/* Parse @buf over the current settings in @c (pte_ref_auto_update()). */
static int parse(char *buf, struct pte_ref_auto_cfg *c)
{
	unsigned int n = 0;
	char *word, *val;

	while ((word = strsep(&buf, " \t\n")) != NULL) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (set_one(c, word, val))
			return -EINVAL;
		n++;
	}
	return n ? 0 : -EINVAL;
}

static ssize_t auto_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	char buf[PTE_REF_AUTO_MAX_WRITE];
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = pte_ref_user_input(ubuf, count, ppos, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	ret = pte_ref_auto_update(parse, buf);
	return ret ? ret : count;
}

static int auto_show(struct seq_file *m, void *v)
{
	const struct pte_ref_auto_setting *s;
	struct pte_ref_auto_cfg c;
	pid_t thread;

	pte_ref_auto_get(&c, &thread);
	for (s = pte_ref_auto_settings; s->name; s++)
		seq_printf(m, "%s %u\n", s->name, *pte_ref_auto_field(&c, s));
	seq_printf(m, "thread_pid %d\n", thread);
	return 0;
}

PTE_REF_COMMAND_FILE(auto);
