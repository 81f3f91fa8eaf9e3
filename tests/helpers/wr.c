// SPDX-License-Identifier: GPL-2.0
/*
 * wr - write one string to a file in a single write(2) and say what
 * happened, so tests can assert the exact errno of a debugfs write:
 *
 *   wr FILE STRING      prints "OK N" (bytes written) or "ERR ENAME"
 *   wr -n BYTES FILE    writes BYTES x 'x' (an oversize command)
 *   wr -t FILE STRING   also prints " ns=T", the time the write took
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ESRCH: return "ESRCH";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case E2BIG: return "E2BIG";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINTR: return "EINTR";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	default: return "EOTHER";
	}
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *path, *buf;
	char *big = NULL;
	long long t0 = 0;
	int timed = 0;
	size_t len;
	ssize_t n;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "-t")) {
		timed = 1;
		argc--;
		argv++;
	}
	if (argc == 4 && !strcmp(argv[1], "-n")) {
		len = strtoul(argv[2], NULL, 0);
		big = malloc(len + 1);
		if (!big)
			return 2;
		memset(big, 'x', len);
		buf = big;
		path = argv[3];
	} else if (argc == 3) {
		path = argv[1];
		buf = argv[2];
		len = strlen(buf);
	} else {
		fprintf(stderr, "usage: wr FILE STRING | wr -n BYTES FILE\n");
		return 2;
	}
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("ERR %s\n", errname(errno));
		return 1;
	}
	if (timed)
		t0 = now_ns();
	n = write(fd, buf, len);
	if (n < 0)
		printf("ERR %s", errname(errno));
	else
		printf("OK %zd", n);
	if (timed)
		printf(" ns=%lld", now_ns() - t0);
	putchar('\n');
	close(fd);
	free(big);
	return n < 0;
}
