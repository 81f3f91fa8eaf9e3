// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - strict parsing and file helpers.
 *
 * strtoull() alone accepts leading blanks, signs ("-1" wraps to a huge
 * value) and trailing garbage; every parser here rejects all three, so
 * that a typo is a usage error and not a surprising number.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int parse_base(const char *s, int base, unsigned long long *out)
{
	unsigned long long v;
	const char *c;

	/* Digits only: no blanks, no sign, no second 0x for strtoull. */
	for (c = s; c && *c; c++)
		if (base == 10 ? !isdigit((unsigned char)*c) :
				 !isxdigit((unsigned char)*c))
			break;
	if (!s || c == s || *c) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, NULL, base);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, unsigned long long *out)
{
	return parse_base(s, 10, out);
}

/* Hex with or without 0x, as the module's target file accepts it. */
int parse_hex_u64(const char *s, unsigned long long *out)
{
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return parse_base(s, 16, out);
}

/* "START-END", both hex; START < END is the caller's business. */
int parse_hex_range(const char *s, unsigned long long *start,
		    unsigned long long *end)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	size_t n = dash ? (size_t)(dash - s) : 0;
	char buf[40];

	if (!dash || n >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_hex_u64(buf, start))
		return -1;
	return parse_hex_u64(dash + 1, end);
}

/* Bytes, or K/M/G (any case) for KiB/MiB/GiB. */
int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char buf[32];
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, s, n + 1);
	switch (toupper((unsigned char)buf[n - 1])) {
	case 'G':
		mult <<= 10;
		/* fall through */
	case 'M':
		mult <<= 10;
		/* fall through */
	case 'K':
		mult <<= 10;
		buf[n - 1] = '\0';
	}
	if (parse_u64(buf, &v))
		return -1;
	if (v > UINT64_MAX / mult) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mult;
	return 0;
}

int parse_seconds(const char *s, double max, double *out)
{
	double v;

	/* is_decimal() first: strtod() would take "1e3", "inf" and " 1". */
	if (!s || !is_decimal(s)) {
		errno = EINVAL;
		return -1;
	}
	v = strtod(s, NULL);
	if (v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int is_decimal(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return 0;
	if (*s == '0' && isdigit((unsigned char)s[1]))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_RUNTIME);
	}
	/* realloc(p, 0) may free p and return NULL: ask for a byte. */
	p = realloc(p, n && size ? n * size : 1);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_RUNTIME);
	}
	return p;
}

/*
 * debugfs and procfs files report st_size 0, so read until EOF instead of
 * trusting fstat().
 */
char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t r;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xrealloc(NULL, cap, 1);
	for (;;) {
		if (cap - n < 2)
			buf = xrealloc(buf, cap *= 2, 1);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	saved = errno;
	close(fd);
	if (r < 0) {
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
