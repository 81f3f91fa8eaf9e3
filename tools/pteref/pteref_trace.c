// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_trace.c - `pteref trace NAME`: run one of pte_ref's bpftrace
 * scripts, the one written for the running kernel.
 *
 * bpftrace 0.17 refuses a script naming a probe the kernel lacks, so the
 * free paths have one script per kernel flavor; /proc/kallsyms tells which
 * flavor runs.  The scripts reading pte_ref's own trace events need the
 * module: say so before bpftrace fails less clearly.
 *
 * Test hooks: $PTE_REF_KALLSYMS (a kallsyms file), $PTE_REF_TRACEFS (a
 * tracefs directory), $PTE_REF_BPFTRACE_DIR (the scripts), $PTE_REF_BPFTRACE
 * (the bpftrace binary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pteref.h"

#define SCRIPT_DIR_SYSTEM	"/usr/share/pte_ref/bpftrace"
#define KALLSYMS		"/proc/kallsyms"
#define MODULE_DIR		"/sys/module/pte_ref"

const char trace_usage[] =
"pteref trace NAME [-n] [-- BPFTRACE_ARGS...]\n"
"  Run the bpftrace script NAME written for the running kernel, until\n"
"  Ctrl-C (needs root and bpftrace; frees and reclaim need pte_ref).\n"
"    frees    who frees PTE tables: a line of rates per second, totals\n"
"             by path, command and pid (frees.bt, frees-series.bt or\n"
"             frees-pt_reclaim.bt, from /proc/kallsyms)\n"
"    tlb      TLB flushes by reason and command, pages per flush\n"
"    reclaim  pte_ref's forced reclaims: latency, tables freed\n"
"  BPFTRACE_ARGS follow the script: SECONDS to stop after (0: Ctrl-C),\n"
"  then for frees STACKS (1: count kernel stacks too).  Scripts are in\n"
"  $PTE_REF_BPFTRACE_DIR, else bpftrace/ next to pteref or one up, else\n"
"  ../share/pte_ref/bpftrace from pteref's folder, else\n"
"  " SCRIPT_DIR_SYSTEM "; bpftrace is $PTE_REF_BPFTRACE or from $PATH.\n"
"  -n, --dry-run  print the command instead of running it\n"
"  -h, --help     this help\n";

enum flavor { STOCK, SERIES, PT_RECLAIM };

/* Which free paths this kernel has, from the names of its symbols. */
static int kernel_flavor(enum flavor *flavor)
{
	const char *env = getenv("PTE_REF_KALLSYMS");
	const char *path = env && *env ? env : KALLSYMS;
	bool series = false, free_pte = false, try_to_free_pte = false;
	bool zap_batched = false;
	char *line = NULL, name[256];
	size_t cap = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		pr_err("trace: %s: %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	/* "ADDR TYPE NAME[\t[MODULE]]": only the kernel's own symbols. */
	while (getline(&line, &cap, f) > 0) {
		if (strchr(line, '[') ||
		    sscanf(line, "%*s %*s %255s", name) != 1)
			continue;
		if (!strcmp(name, "free_pte_table"))
			series = true;
		else if (!strcmp(name, "free_pte"))
			free_pte = true;
		else if (!strcmp(name, "try_to_free_pte"))
			try_to_free_pte = true;
		else if (!strcmp(name, "zap_vma_range_batched"))
			zap_batched = true;
	}
	free(line);
	if (ferror(f)) {
		pr_err("trace: %s: read error", path);
		fclose(f);
		return EXIT_RUNTIME;
	}
	fclose(f);
	/*
	 * PT_RECLAIM: 6.14-6.19 have free_pte() and try_to_free_pte(); 7.1+
	 * inline them in zap_pte_range(), under madvise's
	 * zap_vma_range_batched() (PT_RECLAIM is always on in 7.x on x86).
	 */
	*flavor = series ? SERIES :
		  (free_pte && try_to_free_pte) || zap_batched ?
		  PT_RECLAIM : STOCK;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* pte_ref's trace events are in tracefs, or why not. */
static int need_events(const char *name)
{
	static const char *const mounts[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	const char *env = getenv("PTE_REF_TRACEFS");
	bool fake = env && *env, tracefs = false;
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mounts); i++) {
		const char *dir = fake ? env : mounts[i];

		snprintf(path, sizeof(path), "%s/events", dir);
		tracefs |= is_dir(path);
		snprintf(path, sizeof(path), "%s/events/pte_ref", dir);
		if (is_dir(path))
			return 0;
		if (fake)
			break;
	}
	if (!fake && geteuid() != 0)
		pr_err("trace %s: must be root: tracefs and bpftrace are "
		       "root-only", name);
	else if (!tracefs && !fake)
		pr_err("trace %s: tracefs is not mounted: mount -t tracefs "
		       "nodev /sys/kernel/tracing", name);
	else if (!fake && is_dir(MODULE_DIR))
		pr_err("trace %s: pte_ref is loaded but has no trace events "
		       "(an older pte_ref?): load this pte_ref first", name);
	else
		pr_err("trace %s: no pte_ref trace events in tracefs: load "
		       "pte_ref first (insmod pte_ref.ko)", name);
	return EXIT_RUNTIME;
}

/*
 * The scripts' directory: $PTE_REF_BPFTRACE_DIR, else bpftrace/ beside
 * the pteref binary or one level up (tools/pteref/pteref finds
 * tools/bpftrace in the source tree), else share/pte_ref/bpftrace next
 * to the binary's bin/ or sbin/ (make install with any PREFIX or
 * DESTDIR), else the system one.  Returned malloc'd.
 */
static char *script_dir(void)
{
	static const char *const rel[] = {
		"/bpftrace", "/../bpftrace", "/../share/pte_ref/bpftrace",
	};
	const char *env = getenv("PTE_REF_BPFTRACE_DIR");
	char exe[PATH_MAX], *slash;
	size_t i;
	ssize_t n;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe,
		     sizeof(exe) - sizeof("/../share/pte_ref/bpftrace"));
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		for (i = 0; slash && i < sizeof(rel) / sizeof(rel[0]); i++) {
			strcpy(slash, rel[i]);
			if (is_dir(exe))
				return realpath(exe, NULL) ?: strdup(exe);
		}
	}
	return strdup(SCRIPT_DIR_SYSTEM);
}

/* A word as the shell reads it back: quoted only when it must be. */
static void print_word(const char *s)
{
	const char *p;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_-+=./:,@%") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (p = s; *p; p++)
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	putchar('\'');
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name, *script, *bpftrace = getenv("PTE_REF_BPFTRACE");
	int c, i, nopts, nextra, dry = 0, ret;
	enum flavor flavor = STOCK;
	char **cmd, *dir, *path;

	/* Our options are before "--", bpftrace's arguments after it. */
	for (nopts = 1; nopts < argc && strcmp(argv[nopts], "--"); nopts++)
		;
	nextra = nopts < argc ? argc - nopts - 1 : 0;
	while ((c = getopt_long(nopts, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = 1;
			break;
		case 'h':
			fputs(trace_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= nopts) {
		pr_err("trace: which script? frees, tlb or reclaim");
		return EXIT_USAGE;
	}
	if (optind + 1 < nopts) {
		pr_err("trace: unexpected '%s' (bpftrace's arguments go "
		       "after --)", argv[optind + 1]);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (!strcmp(name, "frees")) {
		ret = kernel_flavor(&flavor);
		if (ret)
			return ret;
		script = flavor == SERIES ? "frees-series.bt" :
			 flavor == PT_RECLAIM ? "frees-pt_reclaim.bt" :
			 "frees.bt";
	} else if (!strcmp(name, "tlb")) {
		script = "tlb.bt";
	} else if (!strcmp(name, "reclaim")) {
		script = "reclaim.bt";
	} else {
		pr_err("trace: unknown script '%s': frees, tlb or reclaim",
		       name);
		return EXIT_USAGE;
	}
	if (strcmp(name, "tlb")) {
		ret = need_events(name);
		if (ret)
			return ret;
	}

	dir = script_dir();
	path = xrealloc(NULL, strlen(dir) + strlen(script) + 2, 1);
	sprintf(path, "%s/%s", dir, script);
	free(dir);
	if (access(path, R_OK)) {
		pr_err("trace: %s: %s (set PTE_REF_BPFTRACE_DIR to the "
		       "scripts' directory)", path, strerror(errno));
		free(path);
		return EXIT_RUNTIME;
	}
	if (!bpftrace || !*bpftrace)
		bpftrace = "bpftrace";
	cmd = xrealloc(NULL, nextra + 3, sizeof(*cmd));
	cmd[0] = (char *)bpftrace;
	cmd[1] = path;
	for (i = 0; i < nextra; i++)
		cmd[i + 2] = argv[nopts + 1 + i];
	cmd[nextra + 2] = NULL;

	if (dry) {
		for (i = 0; cmd[i]; i++) {
			if (i)
				putchar(' ');
			print_word(cmd[i]);
		}
		putchar('\n');
		free(cmd);
		free(path);
		return EXIT_OK;
	}
	if (geteuid() != 0) {
		pr_err("trace %s: must be root: bpftrace is root-only", name);
		free(cmd);
		free(path);
		return EXIT_RUNTIME;
	}
	fflush(stdout);
	execvp(cmd[0], cmd);
	pr_err("trace: cannot run %s: %s%s", cmd[0], strerror(errno),
	       errno == ENOENT ? " (apt-get install bpftrace, or set "
	       "PTE_REF_BPFTRACE)" : "");
	free(cmd);
	free(path);
	return EXIT_RUNTIME;
}
