// SPDX-License-Identifier: GPL-2.0
/*
 * timeread - how long opening and reading a file to its end takes.
 *
 *   timeread FILE     prints the nanoseconds of open + read to EOF + close
 *
 * Both /proc/PID/smaps_rollup and pte_ref's census do their walk between
 * open and the end of the first read, so this times the same work for both.
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	long long t0;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: timeread FILE\n");
		return 2;
	}
	t0 = now_ns();
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("%lld\n", now_ns() - t0);
	return 0;
}
