// SPDX-License-Identifier: GPL-2.0
/*
 * command.c - the command front of pteref and ptestress (command.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "util.h"

static void usage(const struct program *p)
{
	size_t i;

	fputs(p->usage, stdout);
	for (i = 0; i < p->ncmds; i++)
		printf("\n%s", p->cmds[i].usage);
}

/* What was written to stdout reached it: else EXIT_RUNTIME, said. */
static int flushed(const struct program *p, int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: stdout: %s\n", p->name, strerror(errno));
		return EXIT_RUNTIME;
	}
	return ret;
}

/* The command runs with argv[0] = "PROGRAM CMD", so getopt names both. */
static int run(const struct program *p, const struct command *cmd,
	       int argc, char **argv)
{
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "%s %s", p->name, cmd->name);
	argv[0] = name;
	optind = 0;	/* glibc: start a fresh getopt scan */
	ret = cmd->fn(argc, argv);
	if (ret == EXIT_USAGE)
		fprintf(stderr, "Try '%s --help'.\n", name);
	if (ret == EXIT_BAD_FILE)
		ret = EXIT_USAGE;
	return flushed(p, ret);
}

int command_main(const struct program *p, int argc, char **argv)
{
	static const struct option versioned[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	}, unversioned[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Without a version, -V and --version are unknown options. */
	const struct option *o = p->version ? versioned : unversioned;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, p->version ? "+hV" : "+h", o,
				NULL)) != -1) {
		if (c == 'h') {
			usage(p);
			return flushed(p, EXIT_OK);
		}
		if (c != 'V')
			goto bad;
		printf("%s %s\n", p->name, p->version);
		return flushed(p, EXIT_OK);
	}
	if (optind == argc) {
		fprintf(stderr, "%s: no command\n", p->name);
		goto bad;
	}
	for (i = 0; i < p->ncmds; i++)
		if (!strcmp(argv[optind], p->cmds[i].name))
			return run(p, &p->cmds[i], argc - optind, argv + optind);
	fprintf(stderr, "%s: unknown command '%s'\n", p->name, argv[optind]);
bad:
	fprintf(stderr, "Try '%s --help'.\n", p->name);
	return EXIT_USAGE;
}
