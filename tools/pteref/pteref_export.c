// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_export.c - `pteref export --prom`: pte_ref's figures in the text
 * format of Prometheus (version 0.0.4), for node_exporter's textfile
 * collector: the machine's totals, the top N mms by empty kB, and every
 * counter of the stats file.
 *
 * Names follow Prometheus' conventions: a pte_ref_ prefix, base units
 * (_bytes, _seconds), _total on counters, one family per quantity with
 * labels for its parts (path, reason, pid and comm).  An "n/a" counter (a
 * path this kernel does not have) has no sample: Prometheus has no n/a,
 * and a 0 would claim the path was watched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pte_ref_abi.h"
#include "pteref.h"

#define EXPORT_DEFAULT_TOP	10

const char export_usage[] =
"pteref export --prom [--top N] [-o FILE]\n"
"  pte_ref's figures in Prometheus' text format (node_exporter's textfile\n"
"  collector): machine totals, the top N mms by empty kB, every stats\n"
"  counter.\n"
"  --prom              the format (the only one, and required)\n"
"  -n, --top N         mms to export by empty kB (default 10; 0: all)\n"
"  -o, --output FILE   write FILE atomically (a file beside it, renamed)\n"
"  -h, --help          this help\n";

/* A column of the mms file as a metric: per mm, and summed as a total. */
static const struct mm_metric {
	const char *col;	/* column of the mms file */
	const char *name;	/* after pte_ref_ (total) or pte_ref_mm_ */
	unsigned int scale;	/* 1024: a kB column exported in bytes */
	const char *help;
} mm_metrics[] = {
	{ "pte_tables", "pte_tables", 1, "PTE tables" },
	{ "pte_kb", "pte_table_bytes", 1024, "Memory in PTE tables" },
	{ "pgtables_kb", "page_table_bytes", 1024,
	  "Memory in page tables of every level (VmPTE)" },
	{ "empty_tables", "empty_pte_tables", 1,
	  "PTE tables with no entry: what reclaim would free" },
	{ "empty_kb", "empty_pte_table_bytes", 1024,
	  "Memory in PTE tables with no entry" },
	{ "present", "present_ptes", 1, "Present PTEs" },
	{ "swap", "swap_ptes", 1, "Swap and other non-present PTEs" },
	{ "pmd_tables", "pmd_tables", 1, "PMD tables" },
	{ "empty_pmd_tables", "empty_pmd_tables", 1,
	  "PMD tables with no entry: what reclaim would free" },
};

/*
 * A counter of the stats file as a metric.  Entries of one family are
 * adjacent: the format wants a family's samples together.
 */
static const struct stat_metric {
	const char *key;	/* key in the stats file */
	const char *name;	/* after pte_ref_ */
	const char *label;	/* label="value", or NULL */
	const char *help;
} stat_metrics[] = {
	{ "elapsed_ns", "counting_seconds_total", NULL,
	  "Time the probes have counted since the last reset" },
	{ "frees_munmap_exit", "pte_table_frees_total", "path=\"munmap_exit\"",
	  "PTE tables freed, by the path that freed them" },
	{ "frees_free_pte_table", "pte_table_frees_total",
	  "path=\"free_pte_table\"", NULL },
	{ "frees_pt_reclaim", "pte_table_frees_total", "path=\"pt_reclaim\"",
	  NULL },
	{ "frees_forced", "pte_table_frees_total", "path=\"forced\"", NULL },
	{ "frees_auto", "pte_table_frees_total", "path=\"auto\"", NULL },
	{ "frees_pmd", "pmd_table_frees_total", NULL,
	  "PMD tables freed by reclaim and the automatic policy" },
	{ "tlb_flushes", "tlb_flushes_total", NULL,
	  "TLB flushes (tlb:tlb_flush events)" },
	{ "tlb_flush_task_switch", "tlb_flushes_by_reason_total",
	  "reason=\"task_switch\"", "TLB flushes, by the kernel's reason" },
	{ "tlb_flush_remote_shootdown", "tlb_flushes_by_reason_total",
	  "reason=\"remote_shootdown\"", NULL },
	{ "tlb_flush_local_shootdown", "tlb_flushes_by_reason_total",
	  "reason=\"local_shootdown\"", NULL },
	{ "tlb_flush_local_mm_shootdown", "tlb_flushes_by_reason_total",
	  "reason=\"local_mm_shootdown\"", NULL },
	{ "tlb_flush_remote_send_ipi", "tlb_flushes_by_reason_total",
	  "reason=\"remote_send_ipi\"", NULL },
	{ "tlb_flush_remote_wrong_cpu", "tlb_flushes_by_reason_total",
	  "reason=\"remote_wrong_cpu\"", NULL },
	{ "tlb_flush_pages", "tlb_flushed_pages_total", NULL,
	  "Pages of ranged TLB flushes" },
	{ "tlb_flush_full", "tlb_full_flushes_total", NULL,
	  "Full TLB flushes" },
	{ "censuses", "censuses_total", NULL, "Censuses the module made" },
	{ "auto_passes", "auto_passes_total", NULL,
	  "Passes of the automatic policy" },
	{ "auto_mms_visited", "auto_mms_visited_total", NULL,
	  "Mms the automatic policy visited" },
	{ "auto_tables_scanned", "auto_tables_scanned_total", NULL,
	  "PTE tables the automatic policy scanned" },
	{ "auto_contended", "auto_contended_total", NULL,
	  "Mms the automatic policy left for a contended lock" },
	{ "auto_ns", "auto_seconds_total", NULL,
	  "CPU time of the automatic policy's passes" },
};

/* The family of the last HELP/TYPE printed, so each is printed once. */
static char family[64];

static void head(const char *name, const char *type, const char *help)
{
	if (!strcmp(family, name))
		return;
	snprintf(family, sizeof(family), "%s", name);
	printf("# HELP pte_ref_%s %s.\n# TYPE pte_ref_%s %s\n",
	       name, help, name, type);
}

/*
 * Length of the valid UTF-8 sequence at s, or 0 (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF).
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	if (*s == 0xe0)
		lo = 0xa0;
	else if (*s == 0xed)
		hi = 0x9f;
	else if (*s == 0xf0)
		lo = 0x90;
	else if (*s == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

/*
 * A label value: backslash, double quote and newline escaped, as the
 * format wants; a byte that is no valid UTF-8 (a comm cut inside a
 * character) becomes U+FFFD, since one invalid byte makes node_exporter
 * drop the whole file.
 */
static void label_value(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	putchar('"');
	while (*p) {
		n = utf8_len(p);
		if (!n) {
			fputs("\xef\xbf\xbd", stdout);
			p++;
			continue;
		}
		if (*p == '\\' || *p == '"')
			putchar('\\');
		if (*p == '\n')
			fputs("\\n", stdout);
		else
			fwrite(p, 1, n, stdout);
		p += n;
	}
	putchar('"');
}

static void export_info(const struct info *in)
{
	static const char *const keys[] = { "version", "kernel", "flavor" };
	const struct kv *kv;
	size_t i, n = 0;

	head("info", "gauge", "The module and the kernel it runs on (always 1)");
	fputs("pte_ref_info{", stdout);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		kv = kv_find(&in->kvs, keys[i]);
		if (!kv)
			continue;
		printf("%s%s=", n++ ? "," : "", keys[i]);
		label_value(kv->val);
	}
	puts("} 1");
	/* "census available", "refcount unavailable: why" ... */
	for (i = 0; i < in->kvs.n; i++) {
		kv = &in->kvs.kv[i];
		if (strcmp(kv->val, "available") &&
		    strncmp(kv->val, "unavailable", strlen("unavailable")))
			continue;
		head("feature_available", "gauge",
		     "1 if the module can use the feature on this kernel (info)");
		fputs("pte_ref_feature_available{feature=", stdout);
		label_value(kv->key);
		printf("} %d\n", !strcmp(kv->val, "available"));
	}
}

/* Column index of each mm_metrics entry in m, -1 if the file lacks it. */
static void mm_columns(const struct mms *m, int *col)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mm_metrics); i++) {
		col[i] = mms_col(m, mm_metrics[i].col);
		if (col[i] >= 0 && !m->numeric[col[i]])
			col[i] = -1;
	}
}

static unsigned long long field(const struct mms *m, size_t row, int col)
{
	unsigned long long v = 0;

	parse_u64(m->row[row][col], &v);
	return v;
}

static void export_totals(const struct mms *m, const int *col)
{
	unsigned long long sum;
	size_t i, r;

	head("mms", "gauge", "User mms (processes) the module sees");
	printf("pte_ref_mms %zu\n", m->nrow);
	for (i = 0; i < ARRAY_SIZE(mm_metrics); i++) {
		if (col[i] < 0)
			continue;
		for (sum = 0, r = 0; r < m->nrow; r++)
			sum += field(m, r, col[i]);
		head(mm_metrics[i].name, "gauge", mm_metrics[i].help);
		printf("pte_ref_%s %llu\n", mm_metrics[i].name,
		       sum * mm_metrics[i].scale);
	}
}

/* The first rows of m (sorted by empty_kb), one family per column. */
static void export_top(const struct mms *m, const int *col, size_t rows)
{
	int comm = mms_col(m, "comm");
	char name[64], help[128];
	size_t i, r;

	for (i = 0; i < ARRAY_SIZE(mm_metrics) && rows; i++) {
		if (col[i] < 0)
			continue;
		snprintf(name, sizeof(name), "mm_%s", mm_metrics[i].name);
		snprintf(help, sizeof(help), "%s, per mm (the top mms by empty kB)",
			 mm_metrics[i].help);
		head(name, "gauge", help);
		for (r = 0; r < rows; r++) {
			printf("pte_ref_%s{pid=\"%s\",comm=", name,
			       m->row[r][m->pid_col]);
			label_value(comm >= 0 ? m->row[r][comm] : "");
			printf("} %llu\n", field(m, r, col[i]) * mm_metrics[i].scale);
		}
	}
}

static void export_stats(const struct stats *st)
{
	const struct stat_metric *sm;
	const struct stat_ctr *c;
	size_t i, k, h;

	head("counting", "gauge", "1 while the probes count (stats on)");
	printf("pte_ref_counting %d\n", st->counting);
	for (i = 0; i < ARRAY_SIZE(stat_metrics); i++) {
		sm = &stat_metrics[i];
		for (k = 0; k < stats_nkeys(); k++)
			if (!strcmp(stats_key(k), sm->key))
				break;
		if (k == stats_nkeys())
			continue;
		c = stats_get(st, k);
		if (c->na)
			continue;
		/* A labelled family's first entry carries its help. */
		for (h = i; !stat_metrics[h].help; h--)
			;
		head(sm->name, "counter", stat_metrics[h].help);
		printf("pte_ref_%s", sm->name);
		if (sm->label)
			printf("{%s}", sm->label);
		if (strlen(sm->key) > 3 && !strcmp(sm->key + strlen(sm->key) - 3, "_ns"))
			printf(" %llu.%09llu\n", c->val / 1000000000ULL,
			       c->val % 1000000000ULL);
		else
			printf(" %llu\n", c->val);
	}
}

/* Read and parse the mms and stats files; the exit code on failure. */
static int export_load(struct mms *m, struct stats *st)
{
	int ret = pr_load(PTE_REF_FILE_MMS, mms_parse, m);

	if (ret)
		return ret;
	ret = pr_load(PTE_REF_FILE_STATS, stats_parse, st);
	if (ret)
		mms_free(m);
	return ret;
}

static int export(unsigned long long top)
{
	int col[ARRAY_SIZE(mm_metrics)], empty, ret;
	struct stats st;
	struct info in;
	struct mms m;

	ret = pr_open(&in);
	if (ret)
		return ret;
	ret = export_load(&m, &st);
	if (ret) {
		info_free(&in);
		return ret;
	}
	mm_columns(&m, col);
	empty = mms_col(&m, "empty_kb");
	if (empty >= 0 && m.numeric[empty])
		mms_sort(&m, empty);
	family[0] = '\0';
	export_info(&in);
	export_totals(&m, col);
	export_top(&m, col, top && top < m.nrow ? top : m.nrow);
	export_stats(&st);
	mms_free(&m);
	info_free(&in);
	return EXIT_OK;
}

/*
 * stdout into a new file beside FILE (mkstemp: two exports at once, from
 * cron say, never share it, and no planted symlink is followed), renamed
 * over FILE when complete: the collector never reads half a file.
 */
static int export_to(const char *file, unsigned long long top)
{
	size_t n = strlen(file) + sizeof(".XXXXXX");
	char *tmp = xrealloc(NULL, n, 1);
	int fd, ret;

	snprintf(tmp, n, "%s.XXXXXX", file);
	/* A FILE that cannot be written is a bad argument, found first. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		pr_err("export: cannot write beside %s: %s", file, strerror(errno));
		free(tmp);
		return EXIT_BAD_FILE;
	}
	fflush(stdout);
	if (fchmod(fd, 0644) || dup2(fd, STDOUT_FILENO) < 0) {
		pr_err("export: %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return EXIT_RUNTIME;
	}
	close(fd);
	ret = export(top);
	if (fflush(stdout) || ferror(stdout) || fsync(STDOUT_FILENO)) {
		pr_err("export: %s: %s", tmp, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	if (!ret && rename(tmp, file)) {
		pr_err("export: rename to %s: %s", file, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prom", no_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long top = EXPORT_DEFAULT_TOP;
	const char *out = NULL;
	int c, prom = 0;

	while ((c = getopt_long(argc, argv, "n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prom = 1;
			break;
		case 'n':
			if (parse_u64(optarg, &top)) {
				pr_err("export: bad --top '%s': want a count", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			if (!*optarg) {
				pr_err("export: empty --output");
				return EXIT_USAGE;
			}
			out = optarg;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("export: unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!prom) {
		pr_err("export: say the format: --prom");
		return EXIT_USAGE;
	}
	return out ? export_to(out, top) : export(top);
}
