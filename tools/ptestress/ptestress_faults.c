// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_faults.c - `ptestress faults` and `ptestress churn`: the
 * multi-fault micro-benchmark of the "Free user PTE page table pages"
 * series, which asks what freeing PTE tables costs the page-fault path.
 *
 * Each thread loops over its own region: one write per 4 KiB page (one
 * fault each), then MADV_DONTNEED, which empties the PTE tables (and,
 * on a kernel that frees empty tables, frees them: the next round's
 * faults allocate them again).  churn replaces the MADV_DONTNEED of every
 * K-th round by munmap and mmap at the same address, so that the tables
 * always go through free_pgtables(), whatever the kernel.
 *
 * Every thread exists before any unmaps (a barrier lets them go), and
 * none allocates memory then: munmap leaves a hole for a moment, and
 * nothing else may land in it.  MAP_FIXED_NOREPLACE turns a landing into
 * an error instead of silently replacing someone else's mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptestress.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000	/* Linux 4.17 */
#endif

#define FAULTS_MAX_THREADS	1024
#define FAULTS_MAX_INTERVAL	86400.0
#define CACHE_LINE		64

const char faults_usage[] =
"ptestress faults [-t N] [-s S] [-z SIZE] [-i SEC]\n"
"  The multi-fault benchmark of the 'Free user PTE page table pages'\n"
"  series: N threads each own a 2 MiB-aligned region of SIZE and loop:\n"
"  write one byte per 4 KiB page (a page fault each), then MADV_DONTNEED\n"
"  the region.  Prints 'faults pid=P threads=N size=BYTES seconds=S\n"
"  interval=SEC', 'region thread=T start= end=' and 'ready'; then\n"
"  'interval t=SEC faults=N faults_per_sec=R' (of that interval) every\n"
"  SEC seconds, and at the end 'faults threads=N seconds=S faults=TOTAL\n"
"  faults_per_sec=R' (S measured, R = TOTAL / S).\n"
"  -t, --threads N     threads, 1..1024 (default 1)\n"
"  -s, --seconds S     run time (default 10; 0: until SIGTERM or SIGINT,\n"
"                      which end any run early, cleanly)\n"
"  -z, --size SIZE     region per thread, a non-zero multiple of 2M, K/M/G\n"
"                      (default 8M)\n"
"  -i, --interval SEC  seconds between interval lines, decimals allowed\n"
"                      (default 1; 0: none)\n"
"  -h, --help          this help\n";

const char churn_usage[] =
"ptestress churn [-t N] [-s S] [-z SIZE] [-i SEC] [-k K]\n"
"  faults, but every K-th round munmaps the region instead of\n"
"  MADV_DONTNEED, and maps it again at the same address: its SIZE/2M PTE\n"
"  tables are freed by free_pgtables() and allocated again.  The same\n"
"  lines, named churn; interval lines end with ' munmaps=M', and the\n"
"  last line is 'churn threads=N seconds=S faults=F munmaps=M\n"
"  faults_per_sec=R'.  The options of faults, and:\n"
"  -k, --remap-every K rounds per munmap (default 1: every round)\n";

/* One per thread, a cache line each: main reads, the thread writes. */
struct fworker {
	uint64_t faults;		/* atomic: pages written */
	uint64_t munmaps;		/* atomic */
	pthread_t thread;
	char *base;
	const char *failed;		/* the call that failed, or NULL */
	int err;			/* its errno */
} __attribute__((aligned(CACHE_LINE)));

static struct {
	bool churn;
	unsigned long long threads, seconds, size, remap_every;
	double interval;
	int stop;			/* atomic */
	pthread_barrier_t go;
	struct fworker *w;
} fr;

static const char *cmd_name(void)
{
	return fr.churn ? "churn" : "faults";
}

static int parse_num(int c, const char *arg)
{
	unsigned long long *num = c == 't' ? &fr.threads :
				  c == 's' ? &fr.seconds : &fr.remap_every;

	if (!parse_u64(arg, num))
		return 0;
	ps_err("%s: bad number '%s'", cmd_name(), arg);
	return -1;
}

static int parse_opt(int c, const char *arg)
{
	switch (c) {
	case 't':
	case 's':
	case 'k':
		return parse_num(c, arg);
	case 'z':
		return ps_size_arg("--size", arg, &fr.size);
	case 'i':
		if (!parse_seconds(arg, FAULTS_MAX_INTERVAL, &fr.interval))
			return 0;
		ps_err("%s: bad interval '%s': want seconds, at most 86400",
		       cmd_name(), arg);
		return -1;
	case 'h':
		fputs(fr.churn ? churn_usage : faults_usage, stdout);
		return 1;
	default:
		return -1;
	}
}

static int check_opts(void)
{
	if (!fr.threads || fr.threads > FAULTS_MAX_THREADS) {
		ps_err("%s: --threads wants 1..%d", cmd_name(),
		       FAULTS_MAX_THREADS);
		return -1;
	}
	if (!fr.size || fr.size % SZ_2M) {
		ps_err("%s: --size wants a non-zero multiple of 2M",
		       cmd_name());
		return -1;
	}
	if (!fr.remap_every) {
		ps_err("churn: --remap-every wants 1 or more");
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv)
{
	static const struct option faults_opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option churn_opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "interval", required_argument, NULL, 'i' },
		{ "remap-every", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct option *opts = fr.churn ? churn_opts : faults_opts;
	const char *shorts = fr.churn ? "t:s:z:i:k:h" : "t:s:z:i:h";
	int c, ret;

	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		ret = parse_opt(c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc) {
		ps_err("%s: unexpected '%s'", cmd_name(), argv[optind]);
		return -1;
	}
	return check_opts();
}

static bool stopped(void)
{
	return __atomic_load_n(&fr.stop, __ATOMIC_RELAXED);
}

static void add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* One write per page; published, and stop looked at, per 2 MiB. */
static int touch(struct fworker *w)
{
	volatile char *p = w->base;	/* faults are the point, not data */
	unsigned long long off = 0, end;

	while (off < fr.size) {
		for (end = off + SZ_2M; off < end; off += SZ_4K)
			p[off] = 1;
		add(&w->faults, SZ_2M / SZ_4K);
		if (stopped())
			return -1;
	}
	return 0;
}

static int fail(struct fworker *w, const char *what, int err)
{
	w->failed = what;
	w->err = err;
	return -1;
}

/*
 * Unmap the region and map it again at the same address: the kernel
 * frees its PTE tables in free_pgtables().  The new VMA needs its own
 * MADV_NOHUGEPAGE.  A kernel before 4.17 takes MAP_FIXED_NOREPLACE as a
 * hint, and answers elsewhere when the hole was taken.
 */
static int remap(struct fworker *w)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			  MAP_FIXED_NOREPLACE;
	void *p;

	if (munmap(w->base, fr.size))
		return fail(w, "munmap", errno);
	add(&w->munmaps, 1);
	p = mmap(w->base, fr.size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return fail(w, "mmap(MAP_FIXED_NOREPLACE)", errno);
	if (p != w->base) {
		munmap(p, fr.size);
		return fail(w, "mmap(MAP_FIXED_NOREPLACE)", EEXIST);
	}
	if (madvise(p, fr.size, MADV_NOHUGEPAGE))
		return fail(w, "madvise(MADV_NOHUGEPAGE)", errno);
	return 0;
}

static void *worker_main(void *arg)
{
	struct fworker *w = arg;
	unsigned long long round;
	int ret;

	pthread_barrier_wait(&fr.go);
	for (round = 1; !touch(w); round++) {
		if (fr.churn && round % fr.remap_every == 0)
			ret = remap(w);
		else if (madvise(w->base, fr.size, MADV_DONTNEED))
			ret = fail(w, "madvise(MADV_DONTNEED)", errno);
		else
			ret = 0;
		if (ret) {
			/* Blocked in every thread: main's sigtimedwait. */
			__atomic_store_n(&fr.stop, 1, __ATOMIC_RELAXED);
			kill(getpid(), SIGTERM);
			break;
		}
	}
	return NULL;
}

static uint64_t total(size_t which)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < fr.threads; i++)
		n += load(which ? &fr.w[i].munmaps : &fr.w[i].faults);
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Regions, counters, threads waiting at the barrier; 'ready' last. */
static int start(void)
{
	unsigned int i;
	int err;

	fr.w = aligned_alloc(CACHE_LINE, fr.threads * sizeof(*fr.w));
	if (!fr.w) {
		ps_err("%s: no memory", cmd_name());
		return -1;
	}
	memset(fr.w, 0, fr.threads * sizeof(*fr.w));
	for (i = 0; i < fr.threads; i++) {
		/* 2 MiB aligned: the region is exactly SIZE/2M PTE tables. */
		fr.w[i].base = map_aligned(fr.size, SZ_2M);
		if (!fr.w[i].base)
			return -1;
		printf("region thread=%u start=0x%lx end=0x%lx\n", i,
		       (unsigned long)fr.w[i].base,
		       (unsigned long)(fr.w[i].base + fr.size));
	}
	pthread_barrier_init(&fr.go, NULL, fr.threads + 1);
	for (i = 0; i < fr.threads; i++) {
		err = pthread_create(&fr.w[i].thread, NULL, worker_main,
				     &fr.w[i]);
		if (err) {
			/* The others wait at the barrier: exit, not return. */
			ps_err("%s: thread: %s", cmd_name(), strerror(err));
			exit(EXIT_RUNTIME);
		}
	}
	puts("ready");
	fflush(stdout);
	return 0;
}

static unsigned long long per_sec(uint64_t n, double secs)
{
	return secs > 0 ? (unsigned long long)(n / secs + 0.5) : 0;
}

static void interval_line(double t, double dt, uint64_t faults,
			  uint64_t munmaps)
{
	printf("interval t=%.3f faults=%llu faults_per_sec=%llu", t,
	       (unsigned long long)faults, per_sec(faults, dt));
	if (fr.churn)
		printf(" munmaps=%llu", (unsigned long long)munmaps);
	putchar('\n');
	fflush(stdout);
}

/* Until --seconds pass, a signal, or a worker fails: interval lines. */
static void run(const sigset_t *set, double t0)
{
	double t, last = 0, next = fr.interval, wake;
	uint64_t faults = 0, munmaps = 0, f, m;
	struct timespec ts;

	for (;;) {
		t = now() - t0;
		/* The interval that ends with the run is printed too. */
		if (fr.interval && t >= next &&
		    (!fr.seconds || next <= fr.seconds)) {
			f = total(0);
			m = total(1);
			interval_line(t, t - last, f - faults, m - munmaps);
			faults = f;
			munmaps = m;
			last = t;
			while (next <= t)
				next += fr.interval;
			continue;
		}
		if (fr.seconds && t >= fr.seconds)
			return;
		wake = fr.seconds ? fr.seconds - t : 3600;
		if (fr.interval && next - t < wake)
			wake = next - t;
		ts.tv_sec = (time_t)wake;
		ts.tv_nsec = (long)((wake - ts.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &ts) > 0)
			return;
	}
}

/* The last line, then why a worker stopped if one failed; exit code. */
static int finish(double secs)
{
	uint64_t faults = total(0);
	int ret = EXIT_OK;
	unsigned int i;

	printf("%s threads=%llu seconds=%.3f faults=%llu", cmd_name(),
	       fr.threads, secs, (unsigned long long)faults);
	if (fr.churn)
		printf(" munmaps=%llu", (unsigned long long)total(1));
	printf(" faults_per_sec=%llu\n", per_sec(faults, secs));
	fflush(stdout);
	for (i = 0; i < fr.threads; i++) {
		if (!fr.w[i].failed)
			continue;
		ps_err("%s: thread %u: %s at 0x%lx: %s", cmd_name(), i,
		       fr.w[i].failed, (unsigned long)fr.w[i].base,
		       strerror(fr.w[i].err));
		ret = EXIT_RUNTIME;
	}
	return ret;
}

static int cmd_faults_churn(bool churn, int argc, char **argv)
{
	sigset_t set;
	unsigned int i;
	double t0;
	int ret;

	fr.churn = churn;
	fr.threads = 1;
	fr.seconds = 10;
	fr.size = 8ULL << 20;
	fr.interval = 1;
	fr.remap_every = 1;
	ret = parse_opts(argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	/* Blocked in every thread: main alone takes them, in run(). */
	block_signals(&set, SIGTERM, SIGINT, 0);
	printf("%s pid=%d threads=%llu size=%llu seconds=%llu interval=%g",
	       cmd_name(), getpid(), fr.threads, fr.size, fr.seconds,
	       fr.interval);
	if (churn)
		printf(" remap_every=%llu", fr.remap_every);
	putchar('\n');
	if (start())
		return EXIT_RUNTIME;
	t0 = now();
	pthread_barrier_wait(&fr.go);
	run(&set, t0);
	__atomic_store_n(&fr.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < fr.threads; i++)
		pthread_join(fr.w[i].thread, NULL);
	return finish(now() - t0);
}

int cmd_faults(int argc, char **argv)
{
	return cmd_faults_churn(false, argc, argv);
}

int cmd_churn(int argc, char **argv)
{
	return cmd_faults_churn(true, argc, argv);
}
