/* SPDX-License-Identifier: GPL-2.0 */
/*
 * command.h - the "PROGRAM COMMAND [OPTIONS]" front pteref and ptestress
 * share: --help with every command's usage, --version, the dispatch, and
 * the exit status.
 */
#ifndef PTE_REF_COMMAND_H
#define PTE_REF_COMMAND_H

#include <stddef.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0]: "PROGRAM NAME" */
	const char *usage;
};

struct program {
	const char *name;
	const char *usage;		/* before the commands' */
	const char *version;		/* NULL: no --version */
	const struct command *cmds;
	size_t ncmds;
};

/*
 * Run the command argv names; its exit status.  EXIT_USAGE adds a "Try
 * 'PROGRAM CMD --help'" line, EXIT_BAD_FILE exits EXIT_USAGE without it,
 * and a failed write of stdout is EXIT_RUNTIME.
 */
int command_main(const struct program *p, int argc, char **argv);

#endif /* PTE_REF_COMMAND_H */
