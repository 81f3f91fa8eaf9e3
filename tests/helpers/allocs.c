// SPDX-License-Identifier: GPL-2.0
/*
 * allocs - a real allocator's empty PTE tables: allocate objects of 8 KiB
 * to 1 MiB up to a total, write every byte, free all but every KEEP-th
 * (-k 0: all; default 16), then purge the way the allocator in use does
 * it, and wait.
 *
 *   [LD_PRELOAD=libjemalloc.so.2|libtcmalloc.so.4] allocs [-m MIB] [-k KEEP] [-s SEED]
 *
 * The allocator is whichever malloc the process got: jemalloc (it has
 * mallctl(): "arena.<all>.purge"), tcmalloc (MallocExtension_
 * ReleaseFreeMemory()) or glibc (malloc_trim(0)).  Prints
 * "allocator=NAME live=N live_kb=K vmpte_kb=V" and "ready", then waits:
 * SIGUSR2 checks every byte of the live objects ("verify ok objects=N" or
 * "verify bad object=I"), SIGTERM ends it.  Dynamically linked, unlike
 * the other helpers: the allocator comes in through LD_PRELOAD.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_OBJ		(8UL << 10)
#define MAX_OBJ		(1UL << 20)

struct obj {
	unsigned char *p;
	size_t size;
};

static volatile sig_atomic_t want_verify, want_exit;

static void on_signal(int sig)
{
	if (sig == SIGUSR2)
		want_verify = 1;
	else
		want_exit = 1;
}

/* Byte j of object i: never 0, so a page given back shows. */
static unsigned char pattern(size_t i, size_t j)
{
	return (unsigned char)((i * 13 + j / 4096 * 7) % 251 + 1);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static long vmpte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Give freed memory back to the kernel, as this allocator does it. */
static const char *purge(void)
{
	int (*mallctl)(const char *, void *, size_t *, void *, size_t);
	void (*release)(void);

	mallctl = (int (*)(const char *, void *, size_t *, void *, size_t))
		  dlsym(RTLD_DEFAULT, "mallctl");
	if (mallctl) {
		/* MALLCTL_ARENAS_ALL is 4096; flush this thread's cache first. */
		mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
		mallctl("arena.4096.purge", NULL, NULL, NULL, 0);
		return "jemalloc";
	}
	release = (void (*)(void))dlsym(RTLD_DEFAULT,
					"MallocExtension_ReleaseFreeMemory");
	if (release) {
		release();
		return "tcmalloc";
	}
	malloc_trim(0);
	return "glibc";
}

static int verify(const struct obj *o, size_t n)
{
	size_t i, j, live = 0;

	for (i = 0; i < n; i++) {
		if (!o[i].p)
			continue;
		for (j = 0; j < o[i].size; j++)
			if (o[i].p[j] != pattern(i, j)) {
				printf("verify bad object=%zu\n", i);
				return 1;
			}
		live++;
	}
	printf("verify ok objects=%zu\n", live);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 256, keep = 16, seed = 1;
	size_t n = 0, cap = 0, i, j, live = 0, live_kb = 0, total = 0;
	struct obj *o = NULL;
	sigset_t set, old;
	const char *name;
	uint64_t s;
	int c;

	while ((c = getopt(argc, argv, "m:k:s:")) != -1) {
		switch (c) {
		case 'm':
			mib = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			keep = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: allocs [-m MIB] [-k KEEP] [-s SEED]\n");
			return 2;
		}
	}
	if (!mib || !seed) {
		fprintf(stderr, "allocs: -m and -s want a number above 0\n");
		return 2;
	}
	s = seed;
	while (total < (mib << 20)) {
		size_t size = MIN_OBJ + rng(&s) % (MAX_OBJ - MIN_OBJ + 1);

		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			o = realloc(o, cap * sizeof(*o));
			if (!o)
				return 1;
		}
		o[n].p = malloc(size);
		if (!o[n].p) {
			perror("allocs: malloc");
			return 1;
		}
		o[n].size = size;
		/* A byte per 4 KiB of the object: one memset per page. */
		for (j = 0; j < size; j = (j | 4095) + 1)
			memset(o[n].p + j, pattern(n, j),
			       ((j | 4095) + 1 < size ? (j | 4095) + 1 : size) - j);
		total += size;
		n++;
	}
	for (i = 0; i < n; i++) {
		if (keep && i % keep == 0) {
			live++;
			live_kb += o[i].size >> 10;
			continue;
		}
		free(o[i].p);
		o[i].p = NULL;
	}
	name = purge();
	/* Blocked but while in sigsuspend(): none is lost in between. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGUSR2, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("allocator=%s objects=%zu live=%zu live_kb=%zu vmpte_kb=%ld\nready\n",
	       name, n, live, live_kb, vmpte_kb());
	fflush(stdout);
	while (!want_exit) {
		sigsuspend(&old);
		if (want_verify) {
			want_verify = 0;
			verify(o, n);
			fflush(stdout);
		}
	}
	return 0;
}
