// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress - workloads whose PTE page tables are known in advance, for
 * testing pte_ref against an exact answer and for benchmarks.
 *
 *   ptestress layout	tables with chosen entry counts, grown on SIGUSR1
 *   ptestress headline	the series' cover-letter test: touch and
 *			MADV_DONTNEED every 2 MiB of a big region
 *   ptestress stress	a target for forced reclaim: page-table churn
 *			of every kind, its data checked all the time
 *   ptestress faults	the series' multi-fault benchmark: threads fault
 *			in their regions and MADV_DONTNEED them
 *   ptestress churn	the same, unmapping and mapping the regions again
 *
 * Every region is private anonymous memory with MAP_NORESERVE (sizes far
 * beyond RAM need no commit) and MADV_NOHUGEPAGE, so that a fault maps one
 * 4 KiB page through a PTE table even where THP is "always".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pte_ref_abi.h"
#include "command.h"
#include "ptestress.h"

static const char main_usage[] =
"Usage: ptestress [-h|--help] COMMAND [OPTIONS]\n"
"Workloads with a known PTE page-table layout, for pte_ref's tests.\n"
"  -h, --help     this help, with every command's options\n"
"Commands:\n";

void ps_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ptestress: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ps_size_arg(const char *opt, const char *arg, unsigned long long *v)
{
	if (!parse_size(arg, v))
		return 0;
	ps_err("%s: bad size '%s': want a number with K, M or G", opt, arg);
	return -1;
}

/*
 * Reserve size + align of PROT_NONE address space and give back all but
 * the aligned part: mmap alone only promises page alignment.
 */
void *reserve_aligned(unsigned long long size, unsigned long long align)
{
	unsigned long long resv = size + align;
	uintptr_t base, start;
	void *p;

	p = mmap(NULL, resv, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		ps_err("reserve %llu bytes: %m", resv);
		return NULL;
	}
	base = (uintptr_t)p;
	start = (base + align - 1) & ~(uintptr_t)(align - 1);
	if (start > base)
		munmap((void *)base, start - base);
	munmap((void *)(start + size), base + resv - (start + size));
	return (void *)start;
}

void *map_aligned(unsigned long long size, unsigned long long align)
{
	return map_over(reserve_aligned(size, align), size);
}

void *map_over(void *p, unsigned long long size)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	if (!p)
		return NULL;
	p = mmap(p, size, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		ps_err("map %llu bytes: %m", size);
		return NULL;
	}
	if (madvise(p, size, MADV_NOHUGEPAGE)) {
		ps_err("madvise(MADV_NOHUGEPAGE): %m");
		return NULL;
	}
	return p;
}

static int status_field(const char *text, const char *key,
			unsigned long long *kb)
{
	const char *p = strstr(text, key);

	if (!p || sscanf(p + strlen(key), " %llu kB", kb) != 1) {
		ps_err("/proc/self/status: no %s", key);
		return -1;
	}
	return 0;
}

int read_vm_kb(struct vm_kb *vm)
{
	char *text = slurp("/proc/self/status", NULL);
	int ret;

	if (!text) {
		ps_err("/proc/self/status: %m");
		return -1;
	}
	ret = status_field(text, "\nVmSize:", &vm->virt) ||
	      status_field(text, "\nVmRSS:", &vm->rss) ||
	      status_field(text, "\nVmPTE:", &vm->pte);
	free(text);
	return ret ? -1 : 0;
}

void block_signals(sigset_t *set, ...)
{
	va_list ap;
	int sig;

	sigemptyset(set);
	va_start(ap, set);
	while ((sig = va_arg(ap, int)))
		sigaddset(set, sig);
	va_end(ap);
	sigprocmask(SIG_BLOCK, set, NULL);
}

int wait_signal(const sigset_t *set)
{
	int sig;

	do
		sig = sigwaitinfo(set, NULL);
	while (sig < 0 && errno == EINTR);
	if (sig < 0)
		ps_err("sigwaitinfo: %m");
	return sig;
}

static const struct command commands[] = {
	{ "layout", cmd_layout, layout_usage },
	{ "headline", cmd_headline, headline_usage },
	{ "stress", cmd_stress, stress_usage },
	{ "faults", cmd_faults, faults_usage },
	{ "churn", cmd_churn, churn_usage },
	{ "files", cmd_files, files_usage },
};

int main(int argc, char **argv)
{
	static const struct program ptestress = {
		"ptestress", main_usage, NULL, commands, ARRAY_SIZE(commands),
	};

	return command_main(&ptestress, argc, argv);
}
