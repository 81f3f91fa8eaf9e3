/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - small helpers shared by pteref, ptestress and the unit tests:
 * strict number parsing, size suffixes, whole-file reads.
 */
#ifndef PTE_REF_UTIL_H
#define PTE_REF_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

/* Exit codes of both tools. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2
/*
 * A bad input file (or output path) rather than bad options: the program
 * exits EXIT_USAGE, the reason already printed, no "Try --help" after.
 */
#define EXIT_BAD_FILE	(EXIT_USAGE | 0x100)

/* Each returns 0 on success, -1 (errno EINVAL or ERANGE) otherwise. */
int parse_u64(const char *s, unsigned long long *out);
int parse_hex_u64(const char *s, unsigned long long *out);
int parse_hex_range(const char *s, unsigned long long *start,
		    unsigned long long *end);
int parse_size(const char *s, unsigned long long *out);
/* Seconds as an unsigned decimal ("0.5", "2"), at most max. */
int parse_seconds(const char *s, double max, double *out);

/* JSON-style unsigned decimal: 0|[1-9][0-9]* with an optional .[0-9]+ */
int is_decimal(const char *s);

/* Whole file as a NUL-terminated malloc'd string; NULL with errno set. */
char *slurp(const char *path, size_t *len);

/* realloc that never returns NULL: tools and tests have no use for OOM. */
void *xrealloc(void *p, size_t n, size_t size);

#endif /* PTE_REF_UTIL_H */
