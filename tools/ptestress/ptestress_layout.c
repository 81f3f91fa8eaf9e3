// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_layout.c - `ptestress layout`: build PTE tables with exactly
 * chosen entry counts, say what a census of the region must find, then add
 * one-page tables on each SIGUSR1 and check the pages' data on SIGUSR2.
 *
 * The region sits at the start of a 1 GiB-aligned window, so one PMD table
 * maps all of it: building and growing add PTE tables and nothing else,
 * and VmPTE moves by exactly PTE_REF_TABLE_KB per table.
 *
 * Each page written holds a byte of its own (layout_byte()): a reclaim
 * that freed a table under live pages would lose them, and a read then
 * faults in zeros, which SIGUSR2's check reports.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layout.h"
#include "ptestress.h"

#define GROW_MAX_DEFAULT	16

const char layout_usage[] =
"ptestress layout [-f LIST] [-r R] [-g G] [-m M] [-t N] [--thp N]\n"
"                 [--hugetlb N] [--file N] [-w]\n"
"  Build PTE tables with known entry counts in one 1 GiB window, print\n"
"  'layout', 'expect' and 'ready' lines, then wait: each SIGUSR1 adds G\n"
"  tables of one page and prints 'grown tables=T'; SIGTERM/SIGINT exit.\n"
"  Page i of slot s (its place in the window) is written the byte\n"
"  (s * 7 + i) % 251 + 1; each SIGUSR2 checks every page written (slots\n"
"  with K > 0, grown slots) and prints 'verify ok pages=N' or\n"
"  'verify bad addr=A want=W got=G' (the first page that differs).\n"
"  -f, --fills LIST    comma separated, one 2 MiB slot each: K in 0..512\n"
"                      = a table with K present pages (0: emptied by\n"
"                      MADV_DONTNEED), '-' = a hole without a table\n"
"                      (default " LAYOUT_DEFAULT_FILLS ")\n"
"  -r, --repeat R      build LIST R times (default 1)\n"
"  -g, --grow G        tables added per SIGUSR1 (default 1)\n"
"  -m, --grow-max M    slots reserved for growth (default 16);\n"
"                      LIST * R + M must be <= 512\n"
"  -t, --threads N     also start N idle threads (one mm, N+1 tasks)\n"
"      --thp N         also map N 2 MiB pages with MADV_HUGEPAGE and print\n"
"                      'thp start= end= pmds=K' (K: PMD-mapped, per smaps)\n"
"      --hugetlb N     also map N 2 MiB hugetlb pages and print\n"
"                      'hugetlb start= end=' (needs vm.nr_hugepages >= N)\n"
"      --file N        also map N 2 MiB chunks of a deleted file of $TMPDIR\n"
"                      (default /tmp), private and read-only, read a byte\n"
"                      of each, then MADV_DONTNEED them all: N empty PTE\n"
"                      tables in a file VMA; prints 'file start= end=\n"
"                      tables=N'\n"
"  -w, --window        keep the rest of the 1 GiB window reserved\n"
"                      (PROT_NONE), so no other mapping shares its PMD\n"
"                      table; prints 'window start= end='\n"
"  -h, --help          this help\n";

struct layout {
	int fills[LAYOUT_MAX_SLOTS];
	size_t nfills;
	unsigned long long repeat, grow, grow_max, threads, thp, hugetlb, file;
	int window;		/* -w: the whole 1 GiB window is ours */
	unsigned long long slots;	/* nfills * repeat */
	unsigned long long grown;	/* tables added so far */
	char *start;
	struct layout_expect expect;
};

static volatile unsigned char *page_of(const struct layout *l,
				       unsigned long long s, int i)
{
	return (volatile unsigned char *)l->start + s * SZ_2M + i * SZ_4K;
}

/* Present pages of slot s: K of the list, or 1 for a grown slot. */
static int fill_of(const struct layout *l, unsigned long long s)
{
	return s < l->slots ? l->fills[s % l->nfills] : 1;
}

/*
 * Write their bytes to the first K pages of slot s (K of fill_of()).
 * volatile: each write is a fault to take, read back or not.
 */
static void fill_slot(const struct layout *l, unsigned long long s)
{
	int i, k = fill_of(l, s);

	if (k == LAYOUT_HOLE)
		return;
	if (k == 0) {
		/*
		 * Fault the table in, then empty it: it stays, empty, on
		 * every kernel.  The zap covers only the first 1 MiB (page
		 * 0's half): PT_RECLAIM (6.14+) frees a table only when one
		 * zap covers all of its 2 MiB.
		 */
		*page_of(l, s, 0) = layout_byte(s, 0);
		madvise(l->start + s * SZ_2M, SZ_1M, MADV_DONTNEED);
		return;
	}
	for (i = 0; i < k; i++)
		*page_of(l, s, i) = layout_byte(s, i);
}

static void build(struct layout *l)
{
	unsigned long long s;

	for (s = 0; s < l->slots; s++)
		fill_slot(l, s);
}

/*
 * Read back every page written and kept (a hole or an emptied slot has
 * none), and print the first that lost its byte, or how many were read.
 */
static void verify(const struct layout *l)
{
	unsigned long long s, pages = 0;
	unsigned char got, want;
	int i;

	for (s = 0; s < l->slots + l->grown; s++) {
		for (i = 0; i < fill_of(l, s); i++, pages++) {
			got = *page_of(l, s, i);
			want = layout_byte(s, i);
			if (got == want)
				continue;
			printf("verify bad addr=0x%llx want=%u got=%u\n",
			       (unsigned long long)(uintptr_t)page_of(l, s, i),
			       want, got);
			fflush(stdout);
			return;
		}
	}
	printf("verify ok pages=%llu\n", pages);
	fflush(stdout);
}

static void grow(struct layout *l)
{
	unsigned long long i;

	if (l->grown + l->grow > l->grow_max) {
		ps_err("grow-max %llu reached", l->grow_max);
		printf("error grow-max=%llu reached tables=%llu\n",
		       l->grow_max, l->expect.tables + l->grown);
		fflush(stdout);
		return;
	}
	for (i = 0; i < l->grow; i++, l->grown++)
		fill_slot(l, l->slots + l->grown);
	printf("grown tables=%llu\n", l->expect.tables + l->grown);
	fflush(stdout);
}

static int parse_opts(struct layout *l, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fills", required_argument, NULL, 'f' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "grow", required_argument, NULL, 'g' },
		{ "grow-max", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ "thp", required_argument, NULL, 'T' },
		{ "hugetlb", required_argument, NULL, 'H' },
		{ "file", required_argument, NULL, 'F' },
		{ "window", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *list = LAYOUT_DEFAULT_FILLS;
	unsigned long long *num;
	char err[96];
	int c;

	while ((c = getopt_long(argc, argv, "f:r:g:m:t:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			list = optarg;
			continue;
		case 'w':
			l->window = 1;
			continue;
		case 'r':
			num = &l->repeat;
			break;
		case 'g':
			num = &l->grow;
			break;
		case 'm':
			num = &l->grow_max;
			break;
		case 't':
			num = &l->threads;
			break;
		case 'T':
			num = &l->thp;
			break;
		case 'H':
			num = &l->hugetlb;
			break;
		case 'F':
			num = &l->file;
			break;
		case 'h':
			fputs(layout_usage, stdout);
			exit(EXIT_OK);
		default:
			return -1;
		}
		if (parse_u64(optarg, num)) {
			ps_err("layout: bad number '%s'", optarg);
			return -1;
		}
	}
	if (optind < argc) {
		ps_err("layout: unexpected '%s'", argv[optind]);
		return -1;
	}
	if (layout_parse(list, l->fills, LAYOUT_MAX_SLOTS, &l->nfills,
			 err, sizeof(err))) {
		ps_err("layout: --fills: %s", err);
		return -1;
	}
	return 0;
}

static int check_opts(struct layout *l)
{
	if (!l->repeat || !l->grow) {
		ps_err("layout: --repeat and --grow must be at least 1");
		return -1;
	}
	/* Checked one by one so that the product cannot overflow. */
	if (l->thp > 256 || l->hugetlb > 256 || l->file > 256) {
		ps_err("layout: at most 256 --thp, --hugetlb or --file "
		       "chunks");
		return -1;
	}
	if (l->threads > 64) {
		ps_err("layout: at most 64 --threads");
		return -1;
	}
	if (l->repeat > LAYOUT_MAX_SLOTS || l->grow_max > LAYOUT_MAX_SLOTS ||
	    l->nfills * l->repeat + l->grow_max > LAYOUT_MAX_SLOTS) {
		ps_err("layout: %zu slots x %llu repeats + %llu grow-max is "
		       "more than the %d slots of one PMD table", l->nfills,
		       l->repeat, l->grow_max, LAYOUT_MAX_SLOTS);
		return -1;
	}
	l->slots = l->nfills * l->repeat;
	return 0;
}

/* Threads share the mm: a census must still show one process. */
static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();	/* our signals are blocked: never returns */
	return NULL;
}

static int start_threads(unsigned long long n)
{
	pthread_t t;

	while (n--) {
		if (pthread_create(&t, NULL, idle_thread, NULL)) {
			ps_err("layout: cannot start a thread");
			return -1;
		}
	}
	return 0;
}

static void report(const struct layout *l)
{
	unsigned long long size = (l->slots + l->grow_max) * SZ_2M;
	char line[160];

	layout_expect_line(&l->expect, line, sizeof(line));
	if (l->window)
		printf("window start=0x%llx end=0x%llx\n",
		       (unsigned long long)(uintptr_t)l->start,
		       (unsigned long long)(uintptr_t)l->start + SZ_1G);
	printf("layout pid=%d start=0x%llx end=0x%llx\n%s\nready\n",
	       getpid(), (unsigned long long)(uintptr_t)l->start,
	       (unsigned long long)(uintptr_t)l->start + size, line);
	fflush(stdout);
}

int cmd_layout(int argc, char **argv)
{
	struct layout *l = calloc(1, sizeof(*l));
	sigset_t set;
	int sig;

	if (!l)
		return EXIT_RUNTIME;
	l->repeat = 1;
	l->grow = 1;
	l->grow_max = GROW_MAX_DEFAULT;
	if (parse_opts(l, argc, argv) || check_opts(l))
		return EXIT_USAGE;
	/* Before any work: a signal sent early must wait, not kill us. */
	block_signals(&set, SIGUSR1, SIGUSR2, SIGTERM, SIGINT, 0);
	if (l->window)
		l->start = map_over(reserve_aligned(SZ_1G, SZ_1G),
				    (l->slots + l->grow_max) * SZ_2M);
	else
		l->start = map_aligned((l->slots + l->grow_max) * SZ_2M, SZ_1G);
	if (!l->start)
		return EXIT_RUNTIME;
	layout_expect(l->fills, l->nfills, l->repeat, &l->expect);
	build(l);
	if (start_threads(l->threads))
		return EXIT_RUNTIME;
	if ((l->thp && add_thp_region(l->thp)) ||
	    (l->hugetlb && add_hugetlb_region(l->hugetlb)) ||
	    (l->file && add_file_region(l->file)))
		return EXIT_RUNTIME;
	report(l);
	for (;;) {
		sig = wait_signal(&set);
		if (sig == SIGUSR1)
			grow(l);
		else if (sig == SIGUSR2)
			verify(l);
		else
			return sig < 0 ? EXIT_RUNTIME : EXIT_OK;
	}
}
