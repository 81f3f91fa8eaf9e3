// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_layout.c - `ptestress layout`: build PTE tables with exactly
 * chosen entry counts, say what a census of the region must find, then add
 * one-page tables on each SIGUSR1.
 *
 * The region sits at the start of a 1 GiB-aligned window, so one PMD table
 * maps all of it: building and growing add PTE tables and nothing else,
 * and VmPTE moves by exactly PTE_REF_TABLE_KB per table.
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
"ptestress layout [-f LIST] [-r R] [-g G] [-m M]\n"
"  Build PTE tables with known entry counts in one 1 GiB window, print\n"
"  'layout', 'expect' and 'ready' lines, then wait: each SIGUSR1 adds G\n"
"  tables of one page and prints 'grown tables=T'; SIGTERM/SIGINT exit.\n"
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
"  -h, --help          this help\n";

struct layout {
	int fills[LAYOUT_MAX_SLOTS];
	size_t nfills;
	unsigned long long repeat, grow, grow_max, threads, thp, hugetlb;
	unsigned long long slots;	/* nfills * repeat */
	unsigned long long grown;	/* tables added so far */
	char *start;
	struct layout_expect expect;
};

/*
 * Write one byte in each of the first k pages of a 2 MiB slot.  volatile:
 * the bytes are never read back, and the faults are the whole point.
 */
static void fill_slot(volatile char *slot, int k)
{
	int i;

	if (k == LAYOUT_HOLE)
		return;
	if (k == 0) {
		/* Fault the table in, then empty it: it stays, empty. */
		slot[0] = 1;
		madvise((void *)slot, SZ_2M, MADV_DONTNEED);
		return;
	}
	for (i = 0; i < k; i++)
		slot[i * SZ_4K] = 1;
}

static void build(struct layout *l)
{
	unsigned long long s;

	for (s = 0; s < l->slots; s++)
		fill_slot(l->start + s * SZ_2M, l->fills[s % l->nfills]);
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
		fill_slot(l->start + (l->slots + l->grown) * SZ_2M, 1);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *list = LAYOUT_DEFAULT_FILLS;
	unsigned long long *num;
	char err[96];
	int c;

	while ((c = getopt_long(argc, argv, "f:r:g:m:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			list = optarg;
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
	if (l->thp > 256 || l->hugetlb > 256) {
		ps_err("layout: at most 256 --thp or --hugetlb pages");
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
	block_signals(&set, SIGUSR1, SIGTERM, SIGINT);
	l->start = map_aligned((l->slots + l->grow_max) * SZ_2M, SZ_1G);
	if (!l->start)
		return EXIT_RUNTIME;
	layout_expect(l->fills, l->nfills, l->repeat, &l->expect);
	build(l);
	if (start_threads(l->threads))
		return EXIT_RUNTIME;
	if ((l->thp && add_thp_region(l->thp)) ||
	    (l->hugetlb && add_hugetlb_region(l->hugetlb)))
		return EXIT_RUNTIME;
	report(l);
	while ((sig = wait_signal(&set)) == SIGUSR1)
		grow(l);
	return sig < 0 ? EXIT_RUNTIME : EXIT_OK;
}
