// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - JSON output helpers.
 *
 * comm comes from the kernel and may hold any byte but NUL, so strings are
 * escaped fully and checked as UTF-8: jq and friends reject invalid UTF-8.
 */
#include <ctype.h>
#include <string.h>

#include "json.h"

static const char *skip_digits(const char *s)
{
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

int json_is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		s = skip_digits(s);
	else
		return 0;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		s = skip_digits(s);
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		s = skip_digits(s);
	}
	return *s == '\0';
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	unsigned int cp;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* One ASCII byte: a short escape where JSON has one, else a \u00XX. */
static void json_char(FILE *f, unsigned char c)
{
	static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
	const char *p = c ? strchr(from, c) : NULL;

	if (p)
		fprintf(f, "\\%c", to[p - from]);
	else if (c < 0x20)
		fprintf(f, "\\u%04x", c);
	else
		fputc(c, f);
}

void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	fputc('"', f);
	while (*s) {
		n = utf8_len(s);
		if (n == 1)
			json_char(f, *s);
		else if (n)
			fwrite(s, 1, n, f);
		else
			fputs("\\ufffd", f);
		s += n ? n : 1;
	}
	fputc('"', f);
}

void json_token(FILE *f, const char *s)
{
	if (!strcmp(s, "n/a"))
		fputs("null", f);
	else if (json_is_number(s))
		fputs(s, f);
	else
		json_str(f, s);
}
