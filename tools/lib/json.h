/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - the little JSON pteref writes: escaped strings and tokens that
 * become numbers, null or strings.
 */
#ifndef PTE_REF_JSON_H
#define PTE_REF_JSON_H

#include <stdio.h>

/* A JSON number exactly as RFC 8259 spells it. */
int json_is_number(const char *s);

/* s quoted and escaped; invalid UTF-8 bytes become U+FFFD. */
void json_str(FILE *f, const char *s);

/* "n/a" -> null, a JSON number -> itself, anything else -> a string. */
void json_token(FILE *f, const char *s);

#endif /* PTE_REF_JSON_H */
