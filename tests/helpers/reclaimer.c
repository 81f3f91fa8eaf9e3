// SPDX-License-Identifier: GPL-2.0
/*
 * reclaimer - write one reclaim command to pte_ref's `reclaim` file as
 * fast as it can, for the stress tests: a shell loop spawns processes and
 * under TCG manages about one reclaim a second.
 *
 *   reclaimer FILE CMD PID     until PID is gone ("CMD" is "PID" or "all")
 *
 * Prints "reclaims=N errors=N freed_seen=N" at the end: freed_seen sums
 * the `freed` of results that were ours (another reclaimer may have
 * overwritten the file between our write and our read).  ESRCH ends the
 * loop; any other error is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long freed_if_ours(int fd, const char *cmd)
{
	char buf[1024], want[96];
	ssize_t n;
	char *p;

	/* seq_file clears FMODE_PWRITE/PREAD: seek, then read. */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "target %s\n", cmd);
	if (strncmp(buf, want, strlen(want)))
		return 0;
	p = strstr(buf, "\nfreed ");
	return p ? strtol(p + 7, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	long reclaims = 0, errors = 0, freed = 0;
	const char *cmd;
	pid_t pid;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: reclaimer FILE CMD PID\n");
		return 2;
	}
	cmd = argv[2];
	pid = atoi(argv[3]);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while (kill(pid, 0) == 0) {
		if (lseek(fd, 0, SEEK_SET) < 0 ||
		    write(fd, cmd, strlen(cmd)) < 0) {
			if (errno == ESRCH)
				break;
			if (!errors++)
				perror("reclaimer: write");
			continue;
		}
		reclaims++;
		freed += freed_if_ours(fd, cmd);
	}
	printf("reclaims=%ld errors=%ld freed_seen=%ld\n", reclaims, errors,
	       freed);
	close(fd);
	return 0;
}
