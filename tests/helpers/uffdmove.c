// SPDX-License-Identifier: GPL-2.0
/*
 * uffdmove - UFFDIO_MOVE in a loop, from a source that is not registered
 * with userfaultfd to a destination that is, for tests that race it with
 * pte_ref's reclaim (t11, t08).
 *
 * Usage: uffdmove [--seconds S] [--chunks N]
 *
 * Source and destination are N 2 MiB-aligned chunks of anonymous memory.
 * Each round moves every source chunk whole with ALLOW_SRC_HOLES (the
 * kernel then allocates empty source tables itself, the case where a
 * reclaim that frees them under the move makes move_pages_pte() WARN),
 * and one written page, whose bytes must arrive.  Then both chunks are
 * zapped again, leaving empty tables for a reclaim to find.
 *
 * Prints "ready" once set up, then at the end one line:
 *   uffdmove rounds=R moves=M ok=O einval=E eexist=X enoent=N ebusy=B other=T bad=D
 * ("bad": a moved page with the wrong bytes).  Exit 0 if every move
 * succeeded and every byte arrived, 1 otherwise, 77 if the kernel has no
 * UFFDIO_MOVE (before 6.8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.8 uapi; Debian 12's headers are 6.1's. */
#ifndef UFFDIO_MOVE
#define UFFD_FEATURE_MOVE			(1 << 10)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES	((__u64)1 << 1)
struct uffdio_move {
	__u64 dst, src, len, mode;
	__s64 move;
};
#define UFFDIO_MOVE	_IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif

#define CHUNK	(2UL << 20)
#define PAGE	4096UL

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* n chunks of anonymous memory, 2 MiB aligned. */
static char *map_chunks(unsigned long n)
{
	char *p = mmap(NULL, (n + 1) * CHUNK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + CHUNK - 1) & ~(CHUNK - 1);
	/* No THP: the test is about PTE tables. */
	madvise((void *)a, n * CHUNK, MADV_NOHUGEPAGE);
	return (char *)a;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct counts {
	unsigned long rounds, moves, ok, einval, eexist, enoent, ebusy,
		      other, bad;
};

/* Returns 1 if all of it moved. */
static int move(int uffd, char *dst, char *src, unsigned long len,
		 struct counts *c)
{
	struct uffdio_move m = {
		.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = len,
		.mode = UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES,
	};

	c->moves++;
	if (!ioctl(uffd, UFFDIO_MOVE, &m) && (unsigned long)m.move == len) {
		c->ok++;
		return 1;
	}
	switch (errno) {
	case EINVAL: c->einval++; break;
	case EEXIST: c->eexist++; break;
	case ENOENT: c->enoent++; break;
	case EBUSY: c->ebusy++; break;
	default: c->other++; break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	unsigned long n = 8, i, secs = 10;
	struct counts c = { 0 };
	struct uffdio_register reg;
	char *src, *dst;
	double end;
	int uffd, a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--seconds"))
			secs = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--chunks"))
			n = strtoul(argv[a + 1], NULL, 0);
		else
			break;
	}
	if (a != argc || !n || n > 512) {
		fprintf(stderr, "usage: uffdmove [--seconds S] [--chunks 1..512]\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		perror("userfaultfd");
		return 1;
	}
	/* Before 6.8 the feature is refused, or (6.1) not echoed back. */
	if (ioctl(uffd, UFFDIO_API, &api) || !(api.features & UFFD_FEATURE_MOVE)) {
		printf("skip: this kernel has no UFFDIO_MOVE (Linux 6.8+)\n");
		return 77;
	}
	src = map_chunks(n);
	dst = map_chunks(n);
	if (!src || !dst) {
		perror("mmap");
		return 1;
	}
	reg.range.start = (uintptr_t)dst;
	reg.range.len = n * CHUNK;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		perror("UFFDIO_REGISTER");
		return 1;
	}
	if (!(reg.ioctls & (1ULL << 0x05))) {	/* _UFFDIO_MOVE */
		printf("skip: this kernel has no UFFDIO_MOVE on this range\n");
		return 77;
	}
	printf("ready src=%p dst=%p chunks=%lu\n", (void *)src, (void *)dst, n);
	fflush(stdout);

	end = now() + secs;
	while (!stop && now() < end) {
		c.rounds++;
		for (i = 0; i < n; i++) {
			char *s = src + i * CHUNK, *d = dst + i * CHUNK;
			char *sp = s + (c.rounds % 512) * PAGE;
			char *dp = d + (c.rounds % 512) * PAGE;

			/* The whole chunk: holes only, tables made for it. */
			move(uffd, d, s, CHUNK, &c);
			madvise(d, CHUNK, MADV_DONTNEED);
			/* One written page: its bytes must arrive. */
			memset(sp, (int)(c.rounds + i) | 1, PAGE);
			/* (Never touch dst where nothing moved: it would
			 * wait for a userfault nobody serves.) */
			if (move(uffd, dp, sp, PAGE, &c) &&
			    (dp[0] != (char)((c.rounds + i) | 1) ||
			     dp[PAGE - 1] != dp[0] || sp[0] != 0))
				c.bad++;
			madvise(d, CHUNK, MADV_DONTNEED);
			madvise(s, CHUNK, MADV_DONTNEED);
		}
	}
	printf("uffdmove rounds=%lu moves=%lu ok=%lu einval=%lu eexist=%lu enoent=%lu ebusy=%lu other=%lu bad=%lu\n",
	       c.rounds, c.moves, c.ok, c.einval, c.eexist, c.enoent,
	       c.ebusy, c.other, c.bad);
	return c.ok == c.moves && !c.bad ? 0 : 1;
}
