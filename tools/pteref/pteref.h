/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pteref.h - what the pteref command files share: finding the debugfs
 * directory, reading and writing its files, reporting errors.
 */
#ifndef PTEREF_H
#define PTEREF_H

#include "parse.h"
#include "util.h"

/* VmPTE of a process we cannot read: gone, a zombie, a kernel thread. */
#define VMPTE_UNKNOWN	(-1LL)

/* Usage text of each command, also printed together by pteref --help. */
extern const char info_usage[], top_usage[], stat_usage[], reclaim_usage[],
		  auto_usage[], watch_usage[], trace_usage[], export_usage[],
		  plot_usage[];

void pr_err(const char *fmt, ...) __printf(1, 2);

/*
 * Check the debugfs directory and the info format; 0 if pteref can go on,
 * else an error has been printed and the exit code is returned.
 */
int pr_open(struct info *in);

/* A file of the directory, whole; NULL after printing why. */
char *pr_read(const char *name);
/* The same, NULL with errno and nothing printed. */
char *pr_read_quiet(const char *name);

/*
 * Read the file NAME and parse it into *OBJ with PARSE (census_parse,
 * stats_parse ...): 0, or EXIT_RUNTIME after printing why, the file
 * named.  A macro: each parser takes its own type of OBJ.
 */
#define pr_load(name, parse, obj) ({					\
	char __err[PARSE_ERR_LEN], *__text = pr_read(name);		\
	int __ret = EXIT_RUNTIME;					\
									\
	if (__text) {							\
		__ret = pr_parsed(name, parse(obj, __text, __err,	\
					      sizeof(__err)), __err);	\
		free(__text);						\
	}								\
	__ret;								\
})
/* pr_load's end: 0 if ret is, else EXIT_RUNTIME after "NAME: ERR". */
int pr_parsed(const char *name, int ret, const char *err);

/* Write buf to a file of the directory in one write(); -1 with errno. */
int pr_write(const char *name, const char *buf);

/*
 * A --range argument: START-END, hex, page aligned, START < END; 0, or
 * EXIT_USAGE after an error that names the command cmd.
 */
int pr_range_arg(const char *cmd, const char *arg, unsigned long long *start,
		 unsigned long long *end);

/* VmPTE of /proc/PID/status in kB, or VMPTE_UNKNOWN. */
long long pr_vmpte_kb(unsigned long long pid);

/* A parsed value as JSON: number, null for n/a, else a string. */
void pr_json_val(const struct kv *kv);

int cmd_info(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_reclaim(int argc, char **argv);
int cmd_auto(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif /* PTEREF_H */
