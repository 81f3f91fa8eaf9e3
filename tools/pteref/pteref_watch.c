// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_watch.c - `pteref watch PID|all`: a line per interval with the
 * process's VmPTE, its PTE tables and empty ones (mms), and how fast
 * the stats counters moved meanwhile: PTE tables freed by each path, TLB
 * flushes.
 *
 * A rate needs two reads, so the first line comes after one interval.
 * Probe-based counters only move while the module counts: a rate over an
 * interval in which it did not is unknown, and printed "-", not 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pte_ref_abi.h"
#include "pteref.h"

#define WATCH_MAX_INTERVAL	86400.0
#define COL_MIN_WIDTH		8
#define NA			(-1LL)
/* sample() found no process: no VmPTE, or no mms row. */
#define GONE_PROC		(-1)
#define GONE_MMS		(-2)

const char watch_usage[] =
"pteref watch PID|all [-i SEC] [-n N] [-c] [-o]\n"
"  A line per interval: time_s, vmpte_kb (VmPTE of /proc/PID/status; all:\n"
"  the sum of pgtables_kb), pte_tables and empty_tables (the mms row;\n"
"  all: the sums), then per second over the interval, from stats: PTE\n"
"  tables freed by munmap/exit, free_pte_table, pt_reclaim, forced\n"
"  reclaim, and TLB flushes.  n/a: this kernel has no such path; -: not\n"
"  counted (counting off).  Ends after N lines, on SIGINT or SIGTERM, or\n"
"  when the process exits.\n"
"  -i, --interval SEC  seconds between lines, decimals allowed (default 1)\n"
"  -n, --count N       lines to print (default 0: until stopped)\n"
"  -c, --csv           comma separated, after a header line\n"
"  -o, --on            write 'on' to stats first, and 'off' at the end if\n"
"                      counting was off\n"
"  -h, --help          this help\n";

struct watch {
	bool all, csv, on;
	unsigned long long pid, count;
	double interval;
	bool probed;		/* stats was read once */
	bool has_stats;		/* the module has a stats file */
	bool switched_on;	/* we wrote "on": write "off" at the end */
	bool warned;		/* the counting-off warning is out */
	double t0;
};

/* One reading of what a line shows; the rates need two. */
struct sample {
	double t;
	long long vmpte_kb, tables, empty;	/* or NA */
	struct stats st;
};

/* The rate columns: a stats counter each. */
static const struct rate_col {
	const char *name, *csv;
	size_t off;
	bool probe;		/* moves only while counting is on */
} rate_cols[] = {
	{ "frees_munmap_exit/s", "frees_munmap_exit_per_s",
	  offsetof(struct stats, frees_munmap_exit), true },
	{ "frees_free_pte_table/s", "frees_free_pte_table_per_s",
	  offsetof(struct stats, frees_free_pte_table), true },
	{ "frees_pt_reclaim/s", "frees_pt_reclaim_per_s",
	  offsetof(struct stats, frees_pt_reclaim), true },
	{ "frees_forced/s", "frees_forced_per_s",
	  offsetof(struct stats, frees_forced), false },
	{ "frees_auto/s", "frees_auto_per_s",
	  offsetof(struct stats, frees_auto), false },
	{ "tlb_flushes/s", "tlb_flushes_per_s",
	  offsetof(struct stats, tlb_flushes), true },
};

static const char *const fixed_cols[] = {
	"time_s", "vmpte_kb", "pte_tables", "empty_tables",
};

#define NFIXED	ARRAY_SIZE(fixed_cols)
#define NRATES	ARRAY_SIZE(rate_cols)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_opts(struct watch *w, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "csv", no_argument, NULL, 'c' },
		{ "on", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:n:coh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_seconds(optarg, WATCH_MAX_INTERVAL,
					  &w->interval) || w->interval <= 0) {
				pr_err("watch: bad interval '%s': want seconds "
				       "above 0, at most 86400", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_u64(optarg, &w->count)) {
				pr_err("watch: bad count '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			w->csv = true;
			break;
		case 'o':
			w->on = true;
			break;
		case 'h':
			fputs(watch_usage, stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int parse_who(struct watch *w, int argc, char **argv)
{
	const char *who = argv[optind];

	if (argc - optind != 1) {
		pr_err("watch: want exactly one PID, or all");
		return EXIT_USAGE;
	}
	w->all = !strcmp(who, "all");
	if (!w->all && (parse_u64(who, &w->pid) || !w->pid ||
			w->pid > INT_MAX)) {
		pr_err("watch: bad pid '%s': want a decimal PID or all", who);
		return EXIT_USAGE;
	}
	return 0;
}

static long long field_num(const char *s)
{
	unsigned long long v;

	return parse_u64(s, &v) || v > LLONG_MAX ? NA : (long long)v;
}

/* Column col summed over pid's row (all rows: pid NULL); NA if not counts. */
static long long mms_sum(const struct mms *m, int col, const char *pid)
{
	long long sum = 0, v;
	size_t i;

	if (col < 0)
		return NA;
	for (i = 0; i < m->nrow; i++) {
		if (pid && strcmp(m->row[i][m->pid_col], pid))
			continue;
		v = field_num(m->row[i][col]);
		if (v == NA)
			return NA;
		sum += v;
	}
	return sum;
}

/* The process's mms row into s; GONE_MMS if none, or the exit code. */
static int read_mms(const struct watch *w, struct sample *s)
{
	bool found = w->all;
	struct mms m;
	char pid[24];
	size_t i;

	if (pr_load(PTE_REF_FILE_MMS, mms_parse, &m))
		return EXIT_RUNTIME;
	snprintf(pid, sizeof(pid), "%llu", w->pid);
	for (i = 0; i < m.nrow && !found; i++)
		found = !strcmp(m.row[i][m.pid_col], pid);
	s->tables = mms_sum(&m, mms_col(&m, "pte_tables"), w->all ? NULL : pid);
	s->empty = mms_sum(&m, mms_col(&m, "empty_tables"),
			   w->all ? NULL : pid);
	if (w->all)
		s->vmpte_kb = mms_sum(&m, mms_col(&m, "pgtables_kb"), NULL);
	mms_free(&m);
	return found ? 0 : GONE_MMS;
}

/*
 * The stats file into s, and the time of the read, which the rates
 * divide by.  A module before stats has none: the first read finds that
 * out, and the rates are n/a.
 */
static int read_stats(struct watch *w, struct sample *s)
{
	char err[PARSE_ERR_LEN], *text;
	bool first = !w->probed;
	int ret;

	s->t = now() - w->t0;
	if (first) {
		w->probed = true;
		w->has_stats = true;
	}
	if (!w->has_stats)
		return 0;
	text = first ? pr_read_quiet(PTE_REF_FILE_STATS) :
		       pr_read(PTE_REF_FILE_STATS);
	if (!text && first && errno == ENOENT) {
		pr_err("watch: %sthis pte_ref has no %s file%s",
		       w->on ? "--on: " : "", PTE_REF_FILE_STATS,
		       w->on ? "" : ": rates are n/a");
		w->has_stats = false;
		return w->on ? EXIT_RUNTIME : 0;
	}
	if (!text && first)
		pr_err("%s: %s", PTE_REF_FILE_STATS, strerror(errno));
	if (!text)
		return EXIT_RUNTIME;
	ret = pr_parsed(PTE_REF_FILE_STATS,
			stats_parse(&s->st, text, err, sizeof(err)), err);
	free(text);
	return ret;
}

/*
 * Everything a line shows; 0, GONE_* when the process is gone (an exited
 * process, or a zombie whose mm is gone), or the exit code.
 */
static int sample(struct watch *w, struct sample *s)
{
	int ret;

	if (!w->all) {
		s->vmpte_kb = pr_vmpte_kb(w->pid);
		if (s->vmpte_kb == VMPTE_UNKNOWN)
			return GONE_PROC;
	}
	ret = read_mms(w, s);
	return ret ? ret : read_stats(w, s);
}

static const struct stat_ctr *ctr(const struct sample *s,
				  const struct rate_col *c)
{
	return (const struct stat_ctr *)((const char *)&s->st + c->off);
}

/* The rate of column c between samples a and b, as text in buf. */
static void rate(const struct watch *w, const struct sample *a,
		 const struct sample *b, const struct rate_col *c,
		 char *buf, size_t len)
{
	const struct stat_ctr *x = ctr(a, c), *y = ctr(b, c);
	unsigned long long d;
	bool reset;

	if (!w->has_stats || x->na || y->na) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (c->probe && !(a->st.counting && b->st.counting)) {
		snprintf(buf, len, "-");
		return;
	}
	/* A write of 0 to stats zeroes every counter and elapsed_ns. */
	reset = y->val < x->val ||
		(!a->st.elapsed_ns.na && !b->st.elapsed_ns.na &&
		 b->st.elapsed_ns.val < a->st.elapsed_ns.val);
	d = reset ? y->val : y->val - x->val;
	snprintf(buf, len, "%.1f", b->t > a->t ? d / (b->t - a->t) : 0.0);
}

static void count_cell(long long v, char *buf, size_t len)
{
	if (v == NA)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%lld", v);
}

static int col_width(const char *name)
{
	int n = strlen(name);

	return n > COL_MIN_WIDTH ? n : COL_MIN_WIDTH;
}

static void print_cell(const struct watch *w, size_t i, const char *name,
		       const char *text)
{
	if (w->csv)
		printf("%s%s", i ? "," : "", text);
	else
		printf("%s%*s", i ? "  " : "", col_width(name), text);
}

static void print_header(const struct watch *w)
{
	size_t i;

	for (i = 0; i < NFIXED; i++)
		print_cell(w, i, fixed_cols[i], fixed_cols[i]);
	for (i = 0; i < NRATES; i++)
		print_cell(w, NFIXED + i, rate_cols[i].name,
			   w->csv ? rate_cols[i].csv : rate_cols[i].name);
	putchar('\n');
	fflush(stdout);
}

static void print_line(const struct watch *w, const struct sample *a,
		       const struct sample *b)
{
	long long fixed[] = { 0, b->vmpte_kb, b->tables, b->empty };
	char buf[32];
	size_t i;

	snprintf(buf, sizeof(buf), "%.1f", b->t);
	print_cell(w, 0, fixed_cols[0], buf);
	for (i = 1; i < NFIXED; i++) {
		count_cell(fixed[i], buf, sizeof(buf));
		print_cell(w, i, fixed_cols[i], buf);
	}
	for (i = 0; i < NRATES; i++) {
		rate(w, a, b, &rate_cols[i], buf, sizeof(buf));
		print_cell(w, NFIXED + i, rate_cols[i].name, buf);
	}
	putchar('\n');
	fflush(stdout);
}

/* Once per run, since the rates say it too ("-") on every line. */
static void warn_off(struct watch *w, const struct sample *s)
{
	if (!w->has_stats || s->st.counting || w->warned)
		return;
	pr_err("counting is off: write 'on' to %s (or use --on)",
	       PTE_REF_FILE_STATS);
	w->warned = true;
}

static int write_stats(const char *cmd)
{
	if (!pr_write(PTE_REF_FILE_STATS, cmd))
		return 0;
	pr_err("watch: write '%s' to %s: %s", cmd, PTE_REF_FILE_STATS,
	       strerror(errno));
	return EXIT_RUNTIME;
}

/* The first sample: the process must be there; --on switches on. */
static int start(struct watch *w, struct sample *s)
{
	int ret;

	w->t0 = now();
	ret = sample(w, s);
	if (ret == GONE_PROC)
		pr_err("watch: pid %llu: no such process, or one without an "
		       "mm (no VmPTE in /proc/%llu/status)", w->pid, w->pid);
	if (ret == GONE_MMS)
		pr_err("watch: pid %llu is not in %s", w->pid,
		       PTE_REF_FILE_MMS);
	if (ret < 0)
		return EXIT_RUNTIME;
	if (ret || !w->on || !w->has_stats || s->st.counting)
		return ret;
	ret = write_stats("on");
	if (ret)
		return ret;
	w->switched_on = true;
	/* A closed pipe (watch | head) must not kill us before "off". */
	signal(SIGPIPE, SIG_IGN);
	/* Counting starts now: the first interval is a counted one. */
	return read_stats(w, s);
}

static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/* Until the deadline, t seconds after the start; false on a signal. */
static bool sleep_until(const struct watch *w, double t,
			const sigset_t *set)
{
	struct timespec ts;
	double left;

	for (;;) {
		left = t - (now() - w->t0);
		if (left <= 0)
			return true;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &ts) > 0)
			return false;
	}
}

static int loop(struct watch *w, struct sample *prev, const sigset_t *set)
{
	struct sample cur;
	double next = 0;
	unsigned long long n;
	int ret;

	warn_off(w, prev);
	print_header(w);
	for (n = 0; !w->count || n < w->count; n++) {
		/* Behind (slow reads): the next line as soon as it can. */
		next += w->interval;
		if (next < now() - w->t0)
			next = now() - w->t0;
		if (!sleep_until(w, next, set))
			return 0;
		ret = sample(w, &cur);
		if (ret < 0) {
			pr_err("watch: pid %llu exited", w->pid);
			return 0;
		}
		if (ret)
			return ret;
		warn_off(w, &cur);
		print_line(w, prev, &cur);
		if (ferror(stdout))
			return EXIT_RUNTIME;	/* run() says why */
		*prev = cur;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .interval = 1 };
	struct sample s;
	struct info in;
	sigset_t set;
	int ret;

	ret = parse_opts(&w, argc, argv);
	if (!ret)
		ret = parse_who(&w, argc, argv);
	if (!ret)
		ret = pr_open(&in);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	info_free(&in);
	/* Taken by sigtimedwait() alone, so that --on is undone after. */
	block_signals(&set);
	ret = start(&w, &s);
	if (!ret)
		ret = loop(&w, &s, &set);
	if (w.switched_on && write_stats("off"))
		ret = EXIT_RUNTIME;
	return ret;
}
