// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_auto.c - `pteref auto`: show the automatic policy's settings and
 * what it has done, and change them (the module's auto file).
 *
 * Settings are checked here against the bounds the module has too
 * (pte_ref_abi.h), so that a typo is a usage error naming the setting;
 * then they go to the module in one write, which takes all or none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pte_ref_abi.h"
#include "json.h"
#include "pteref.h"

const char auto_usage[] =
"pteref auto [on|off] [NAME=VALUE...] [-j]\n"
"  Show the automatic policy's settings, its thread, and what it did\n"
"  since the last stats reset (frees_auto and the auto_* counters).\n"
"  With arguments, set them first, in one write: all or nothing.\n"
"  on, off                   enabled=1, enabled=0\n"
"  scan_sleep_ms=MS          sleep between passes (10-3600000)\n"
"  tables_to_scan=N          tables one pass may count (1-1048576)\n"
"  min_empty_kb=KB           least empty kB worth a reclaim (0-1073741824)\n"
"  max_cpu_pct=P             CPU budget, percent of one CPU (1-100)\n"
"  -j, --json                one JSON object of the same keys\n"
"  -h, --help                this help\n";

/* The module's bounds (pte_ref_abi.h), in the order it shows them. */
static const struct {
	const char *name;
	unsigned long long lo, hi;
} settings[] = {
	{ "enabled", 0, PTE_REF_AUTO_ENABLED_MAX },
	{ "scan_sleep_ms", PTE_REF_AUTO_SCAN_SLEEP_MS_MIN,
	  PTE_REF_AUTO_SCAN_SLEEP_MS_MAX },
	{ "tables_to_scan", PTE_REF_AUTO_TABLES_TO_SCAN_MIN,
	  PTE_REF_AUTO_TABLES_TO_SCAN_MAX },
	{ "min_empty_kb", 0, PTE_REF_AUTO_MIN_EMPTY_KB_MAX },
	{ "max_cpu_pct", PTE_REF_AUTO_MAX_CPU_PCT_MIN,
	  PTE_REF_AUTO_MAX_CPU_PCT_MAX },
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* Append one "name=value" to cmd, checked; EXIT_USAGE after an error. */
static int add_setting(char *cmd, size_t size, const char *arg)
{
	unsigned long long v;
	const char *eq;
	size_t i, n;

	if (!strcmp(arg, "on") || !strcmp(arg, "off"))
		return add_setting(cmd, size, arg[1] == 'n' ? "enabled=1" :
							      "enabled=0");
	eq = strchr(arg, '=');
	n = eq ? (size_t)(eq - arg) : 0;
	for (i = 0; eq && i < NSETTINGS; i++)
		if (strlen(settings[i].name) == n &&
		    !strncmp(settings[i].name, arg, n))
			break;
	if (!eq || i == NSETTINGS) {
		pr_err("auto: unknown setting '%s': want on, off or NAME=VALUE",
		       arg);
		return EXIT_USAGE;
	}
	if (parse_u64(eq + 1, &v) || v < settings[i].lo || v > settings[i].hi) {
		pr_err("auto: bad value '%s' for %s: want %llu to %llu",
		       eq + 1, settings[i].name, settings[i].lo,
		       settings[i].hi);
		return EXIT_USAGE;
	}
	if (strlen(cmd) + strlen(arg) + 2 > size) {
		pr_err("auto: too many settings for one write");
		return EXIT_USAGE;
	}
	if (*cmd)
		strcat(cmd, " ");
	snprintf(cmd + strlen(cmd), size - strlen(cmd), "%s=%llu",
		 settings[i].name, v);
	return 0;
}

static void write_failed(const char *cmd, const struct info *in, int err)
{
	const struct kv *kv = kv_find(&in->kvs, "auto");

	pr_err("auto %s: %s", cmd, strerror(err));
	if (err == EOPNOTSUPP && kv && !strncmp(kv->val, "unavailable", 11))
		pr_err("auto %s", kv->val);
}

/* The stats counters of the policy, in the order the file has them. */
static const struct {
	const char *key;
	size_t off;
} counters[] = {
	{ "frees_auto", offsetof(struct stats, frees_auto) },
	{ "auto_passes", offsetof(struct stats, auto_passes) },
	{ "auto_mms_visited", offsetof(struct stats, auto_mms_visited) },
	{ "auto_tables_scanned", offsetof(struct stats, auto_tables_scanned) },
	{ "auto_contended", offsetof(struct stats, auto_contended) },
	{ "auto_ns", offsetof(struct stats, auto_ns) },
};

#define NCOUNTERS	(sizeof(counters) / sizeof(counters[0]))

static const struct stat_ctr *counter(const struct stats *st, size_t i)
{
	return (const struct stat_ctr *)((const char *)st + counters[i].off);
}

static void print_text(const struct auto_cfg *a, const struct stats *st)
{
	size_t i;

	for (i = 0; i < a->kvs.n; i++)
		printf("%-20s %s\n", a->kvs.kv[i].key, a->kvs.kv[i].val);
	for (i = 0; i < NCOUNTERS; i++) {
		if (counter(st, i)->na)
			printf("%-20s n/a\n", counters[i].key);
		else
			printf("%-20s %llu\n", counters[i].key,
			       counter(st, i)->val);
	}
}

static void print_json(const struct auto_cfg *a, const struct stats *st)
{
	size_t i;

	putchar('{');
	for (i = 0; i < a->kvs.n; i++) {
		printf("%s\n  ", i ? "," : "");
		json_str(stdout, a->kvs.kv[i].key);
		fputs(": ", stdout);
		pr_json_val(&a->kvs.kv[i]);
	}
	for (i = 0; i < NCOUNTERS; i++) {
		printf(",\n  \"%s\": ", counters[i].key);
		if (counter(st, i)->na)
			fputs("null", stdout);
		else
			printf("%llu", counter(st, i)->val);
	}
	puts("\n}");
}

static int load(struct auto_cfg *a, struct stats *st)
{
	int ret = pr_load(PTE_REF_FILE_AUTO, auto_parse, a);

	if (ret)
		return ret;
	ret = pr_load(PTE_REF_FILE_STATS, stats_parse, st);
	if (ret)
		auto_free(a);
	return ret;
}

int cmd_auto(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cmd[PTE_REF_AUTO_MAX_WRITE] = "";
	struct auto_cfg a;
	struct stats st;
	struct info in;
	int c, json = 0, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(auto_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	for (; optind < argc; optind++) {
		ret = add_setting(cmd, sizeof(cmd), argv[optind]);
		if (ret)
			return ret;
	}
	ret = pr_open(&in);
	if (ret)
		return ret;
	if (*cmd && pr_write(PTE_REF_FILE_AUTO, cmd)) {
		write_failed(cmd, &in, errno);
		info_free(&in);
		return EXIT_RUNTIME;
	}
	info_free(&in);
	ret = load(&a, &st);
	if (ret)
		return ret;
	if (json)
		print_json(&a, &st);
	else
		print_text(&a, &st);
	auto_free(&a);
	return EXIT_OK;
}
