/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - the few TAP calls the C unit tests need, printed the way
 * kselftest prints them ("ok N - what", "not ok N - what", "1..N").
 * The plan comes last: the count is known only after the run.
 */
#ifndef PTE_REF_TAP_H
#define PTE_REF_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static void __attribute__((format(printf, 2, 3)))
tap_ok(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failed += !ok;
}

/* Plan line and exit code: 1 if any test failed. */
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* PTE_REF_TAP_H */
