// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_headline.c - `ptestress headline`: the test of the series'
 * cover letter.  Map SIZE, and for each 2 MiB chunk touch it and give it
 * back with MADV_DONTNEED: the pages go, and on a kernel that does not
 * free empty PTE tables every chunk leaves one behind (50 GiB: 25,600
 * tables, VmPTE about 100 MB for a few MB of RSS).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptestress.h"

const char headline_usage[] =
"ptestress headline [-s SIZE] [-t STRIDE] [-S | -U] [-w] [-u]\n"
"  Map SIZE; for each 2 MiB chunk write one byte every STRIDE bytes, then\n"
"  MADV_DONTNEED the chunk.  Prints 'headline', 'before' and 'after'\n"
"  lines with VmSize, VmRSS and VmPTE in kB.\n"
"  -s, --size SIZE     bytes to map, K/M/G suffixes, a multiple of 4K\n"
"                      (default 50G)\n"
"  -t, --stride STRIDE distance between writes in a chunk (default 4K;\n"
"                      2M = one page per chunk, the same tables, faster)\n"
"  -S, --split         give each chunk back as two 1 MiB MADV_DONTNEEDs,\n"
"                      which PT_RECLAIM (6.14+) frees no table for\n"
"  -U, --unaligned     give the chunks back as 2 MiB MADV_DONTNEEDs shifted\n"
"                      by 1 MiB (each across two tables), which PT_RECLAIM\n"
"                      frees no table for either\n"
"  -w, --wait          then print 'ready' and wait for SIGTERM or SIGINT\n"
"  -u, --munmap        then munmap the region, print 'munmap ns=N vmpte_kb=P'\n"
"                      (the kernel's own way of freeing those tables)\n"
"  -h, --help          this help\n";

struct headline {
	unsigned long long size, stride, chunks;
	int wait, munmap, split, unaligned;
	char *start;
};

static int parse_opts(struct headline *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "stride", required_argument, NULL, 't' },
		{ "wait", no_argument, NULL, 'w' },
		{ "munmap", no_argument, NULL, 'u' },
		{ "split", no_argument, NULL, 'S' },
		{ "unaligned", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:t:wuSUh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (ps_size_arg("--size", optarg, &h->size))
				return -1;
			break;
		case 't':
			if (ps_size_arg("--stride", optarg, &h->stride))
				return -1;
			break;
		case 'w':
			h->wait = 1;
			break;
		case 'u':
			h->munmap = 1;
			break;
		case 'S':
			h->split = 1;
			break;
		case 'U':
			h->unaligned = 1;
			break;
		case 'h':
			fputs(headline_usage, stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		ps_err("headline: unexpected '%s'", argv[optind]);
		return -1;
	}
	if (!h->size || h->size % SZ_4K || !h->stride) {
		ps_err("headline: want a size that is a non-zero multiple of "
		       "4K and a non-zero stride");
		return -1;
	}
	if (h->split && h->unaligned) {
		ps_err("headline: --split or --unaligned, choose one");
		return -1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dontneed(volatile char *p, unsigned long long len)
{
	if (len && madvise((void *)p, len, MADV_DONTNEED)) {
		ps_err("madvise(MADV_DONTNEED): %m");
		return -1;
	}
	return 0;
}

/*
 * Touch a chunk every stride bytes, then drop its pages: in 1 call, or 2
 * (--split); or (--unaligned) drop from where the last call stopped to the
 * middle of this chunk, so that after the first 1 MiB every call is 2 MiB
 * across two tables and none covers a whole one.
 */
static int churn(const struct headline *h)
{
	unsigned long long off, len, half, i, done = 0, cut;
	volatile char *chunk;	/* written, never read: faults are the point */

	for (off = 0; off < h->size; off += SZ_2M) {
		chunk = h->start + off;
		len = h->size - off < SZ_2M ? h->size - off : SZ_2M;
		for (i = 0; i < len; i += h->stride)
			chunk[i] = 1;
		if (h->unaligned) {
			cut = off + (len > SZ_1M ? SZ_1M : len);
			if (dontneed(h->start + done, cut - done))
				return -1;
			done = cut;
			continue;
		}
		half = h->split && len > SZ_1M ? SZ_1M : len;
		if (dontneed(chunk, half) || dontneed(chunk + half, len - half))
			return -1;
	}
	/* --unaligned: the second half of the last chunk. */
	return h->unaligned ? dontneed(h->start + done, h->size - done) : 0;
}

static void print_vm(const char *what, const struct vm_kb *vm)
{
	printf("%s virt_kb=%llu rss_kb=%llu vmpte_kb=%llu", what, vm->virt,
	       vm->rss, vm->pte);
}

int cmd_headline(int argc, char **argv)
{
	struct headline h = { .size = 50 * SZ_1G, .stride = SZ_4K };
	struct vm_kb vm;
	sigset_t set;
	double t0;
	int ret;

	ret = parse_opts(&h, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	/* Blocked only with --wait: otherwise SIGTERM must still kill us. */
	if (h.wait)
		block_signals(&set, SIGTERM, SIGINT, 0);
	/* 2 MiB aligned: chunk i is exactly PTE table i. */
	h.start = map_aligned(h.size, SZ_2M);
	if (!h.start)
		return EXIT_RUNTIME;
	h.chunks = (h.size + SZ_2M - 1) / SZ_2M;
	printf("headline pid=%d size=%llu stride=%llu chunks=%llu split=%d "
	       "unaligned=%d start=0x%llx end=0x%llx\n", getpid(), h.size,
	       h.stride, h.chunks, h.split, h.unaligned,
	       (unsigned long long)(uintptr_t)h.start,
	       (unsigned long long)(uintptr_t)h.start + h.size);
	if (read_vm_kb(&vm))
		return EXIT_RUNTIME;
	print_vm("before", &vm);
	putchar('\n');
	fflush(stdout);
	t0 = now();
	if (churn(&h))
		return EXIT_RUNTIME;
	t0 = now() - t0;
	if (read_vm_kb(&vm))
		return EXIT_RUNTIME;
	print_vm("after", &vm);
	printf(" seconds=%.3f\n", t0);
	if (h.munmap) {
		t0 = now();
		if (munmap(h.start, h.size)) {
			ps_err("munmap: %m");
			return EXIT_RUNTIME;
		}
		t0 = now() - t0;
		if (read_vm_kb(&vm))
			return EXIT_RUNTIME;
		printf("munmap ns=%.0f vmpte_kb=%llu\n", t0 * 1e9, vm.pte);
	}
	fflush(stdout);
	if (!h.wait)
		return EXIT_OK;
	puts("ready");
	fflush(stdout);
	return wait_signal(&set) < 0 ? EXIT_RUNTIME : EXIT_OK;
}
