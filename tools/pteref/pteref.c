// SPDX-License-Identifier: GPL-2.0
/*
 * pteref - read pte_ref's statistics of user PTE page tables from debugfs.
 *
 *   pteref info		module, kernel and feature report
 *   pteref top		mms with the most PTE tables (or any column)
 *   pteref stat PID	census of one mm: totals, occupancy, VMAs
 *   pteref reclaim PID	free the empty PTE tables of one mm (or all)
 *   pteref auto		the automatic policy: show, set, on, off
 *   pteref watch PID	PTE tables and free rates, a line per interval
 *   pteref trace NAME	run the bpftrace script NAME for this kernel
 *   pteref export --prom	the figures for Prometheus (node_exporter)
 *   pteref plot CSV	a watch --csv recording drawn by gnuplot
 *
 * The directory is /sys/kernel/debug/pte_ref, or $PTE_REF_DEBUGFS so that
 * tests can point pteref at canned files.  Exit codes: 0 ok, 1 runtime
 * error, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pte_ref_abi.h"
#include "command.h"
#include "json.h"
#include "pteref.h"

#define DEBUGFS_MNT	"/sys/kernel/debug"
#define MODULE_DIR	"/sys/module/pte_ref"
#define DIR_ENV		"PTE_REF_DEBUGFS"
#define PAGE_MASK_4K	0xfffULL

static const char main_usage[] =
"Usage: pteref [-h|--help] [-V|--version] COMMAND [OPTIONS]\n"
"Show pte_ref's statistics of user PTE page tables (needs root and the\n"
"pte_ref module; reads " DEBUGFS_MNT "/" PTE_REF_DIR ", or $" DIR_ENV ").\n"
"  -h, --help     this help, with every command's options\n"
"  -V, --version  pteref's version\n"
"Commands:\n";

void pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs("pteref: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *pr_dir(void)
{
	const char *env = getenv(DIR_ENV);

	return env && *env ? env : DEBUGFS_MNT "/" PTE_REF_DIR;
}

static char *pr_path(const char *name)
{
	const char *dir = pr_dir();
	char *path = xrealloc(NULL, strlen(dir) + strlen(name) + 2, 1);

	sprintf(path, "%s/%s", dir, name);
	return path;
}

/*
 * The directory is missing or unreadable: say which of the usual causes
 * it is, most basic first, since each hides the ones after it.
 */
static int diagnose(const char *dir, int err)
{
	struct statfs sf;
	struct stat st;

	if (getenv(DIR_ENV) && *getenv(DIR_ENV))
		pr_err("%s: %s", dir, strerror(err));
	else if (geteuid() != 0)
		pr_err("must be root: debugfs files of pte_ref are root-only");
	else if (statfs(DEBUGFS_MNT, &sf) || sf.f_type != DEBUGFS_MAGIC)
		pr_err("debugfs is not mounted on " DEBUGFS_MNT
		       ": mount -t debugfs none " DEBUGFS_MNT);
	else if (stat(MODULE_DIR, &st))
		pr_err("module pte_ref is not loaded: insmod pte_ref.ko");
	else
		pr_err("%s: %s", dir, strerror(err));
	return EXIT_RUNTIME;
}

char *pr_read_quiet(const char *name)
{
	char *path = pr_path(name), *text;
	int saved;

	text = slurp(path, NULL);
	saved = errno;
	free(path);
	errno = saved;
	return text;
}

char *pr_read(const char *name)
{
	char *path, *text = pr_read_quiet(name);

	if (!text) {
		path = pr_path(name);
		pr_err("%s: %s", path, strerror(errno));
		free(path);
	}
	return text;
}

int pr_parsed(const char *name, int ret, const char *err)
{
	if (!ret)
		return 0;
	pr_err("%s: %s", name, err);
	return EXIT_RUNTIME;
}

int pr_write(const char *name, const char *buf)
{
	char *path = pr_path(name);
	size_t len = strlen(buf);
	ssize_t n;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -1;
	/* One write: the module parses each write as a whole command. */
	n = write(fd, buf, len);
	saved = errno;
	close(fd);
	if (n >= 0 && (size_t)n != len)
		saved = EIO;
	errno = saved;
	return n >= 0 && (size_t)n == len ? 0 : -1;
}

int pr_open(struct info *in)
{
	const char *dir = pr_dir();
	struct stat st;
	int ret;

	if (stat(dir, &st))
		return diagnose(dir, errno);
	if (!S_ISDIR(st.st_mode))
		return diagnose(dir, ENOTDIR);
	ret = pr_load(PTE_REF_FILE_INFO, info_parse, in);
	if (ret)
		return ret;
	if (in->format != PTE_REF_FORMAT) {
		pr_err("unknown format %llu (this pteref reads format %d)",
		       in->format, PTE_REF_FORMAT);
		info_free(in);
		return EXIT_RUNTIME;
	}
	return 0;
}

int pr_range_arg(const char *cmd, const char *arg, unsigned long long *start,
		 unsigned long long *end)
{
	if (!parse_hex_range(arg, start, end) && *start < *end &&
	    !((*start | *end) & PAGE_MASK_4K))
		return 0;
	pr_err("%s: bad range '%s': want START-END, hex, page aligned, "
	       "START < END", cmd, arg);
	return EXIT_USAGE;
}

long long pr_vmpte_kb(unsigned long long pid)
{
	unsigned long long kb;
	long long ret = VMPTE_UNKNOWN;
	char path[40], *text, *p;

	snprintf(path, sizeof(path), "/proc/%llu/status", pid);
	text = slurp(path, NULL);
	if (!text)
		return ret;
	p = strstr(text, "\nVmPTE:");
	if (p && sscanf(p + strlen("\nVmPTE:"), " %llu kB", &kb) == 1)
		ret = kb;
	free(text);
	return ret;
}

void pr_json_val(const struct kv *kv)
{
	if (kv->type == KV_INT)
		printf("%llu", kv->num);
	else if (kv->type == KV_NA)
		fputs("null", stdout);
	else if (kv->type == KV_DEC)
		fputs(kv->val, stdout);
	else
		json_str(stdout, kv->val);
}

const char info_usage[] =
"pteref info [-j]\n"
"  Print the module's info file: version, format, kernel, flavor and\n"
"  which features this kernel allows.\n"
"  -j, --json     one JSON object of the info keys\n"
"  -h, --help     this help\n";

static void info_json(const struct info *in)
{
	size_t i;

	putchar('{');
	for (i = 0; i < in->kvs.n; i++) {
		const struct kv *kv = &in->kvs.kv[i];

		printf("%s\n  ", i ? "," : "");
		json_str(stdout, kv->key);
		fputs(": ", stdout);
		if (kv->type == KV_INT)
			printf("%llu", kv->num);
		else
			json_str(stdout, kv->val);
	}
	puts("\n}");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct info in;
	int c, json = 0, ret;
	size_t i;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(info_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("info: unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	ret = pr_open(&in);
	if (ret)
		return ret;
	if (json)
		info_json(&in);
	else
		for (i = 0; i < in.kvs.n; i++)
			printf("%s %s\n", in.kvs.kv[i].key, in.kvs.kv[i].val);
	info_free(&in);
	return EXIT_OK;
}

static const struct command commands[] = {
	{ "info", cmd_info, info_usage },
	{ "top", cmd_top, top_usage },
	{ "stat", cmd_stat, stat_usage },
	{ "reclaim", cmd_reclaim, reclaim_usage },
	{ "auto", cmd_auto, auto_usage },
	{ "watch", cmd_watch, watch_usage },
	{ "trace", cmd_trace, trace_usage },
	{ "export", cmd_export, export_usage },
	{ "plot", cmd_plot, plot_usage },
};

int main(int argc, char **argv)
{
	static const struct program pteref = {
		"pteref", main_usage, PTE_REF_VERSION,
		commands, ARRAY_SIZE(commands),
	};

	return command_main(&pteref, argc, argv);
}
