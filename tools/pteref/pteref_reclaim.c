// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_reclaim.c - `pteref reclaim PID|all`: have the module free the
 * empty PTE tables of one process (or of every one), then print what its
 * reclaim file says was done, with the process's VmPTE before and after.
 *
 * The file keeps only the last result, and reclaims may run concurrently:
 * the result names its target, and one naming another target is not ours.
 * Unlike stat we do not retry: a second reclaim would find little left to
 * free and report that instead of what ours did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pte_ref_abi.h"
#include "json.h"
#include "pteref.h"

const char reclaim_usage[] =
"pteref reclaim PID|all [-r START-END] [-j]\n"
"  Free the empty PTE tables of a process (all: of every process) and\n"
"  print what was freed and skipped, and the process's VmPTE before and\n"
"  after (from /proc/PID/status; n/a if it cannot be read).\n"
"  -r, --range START-END  only the tables of that address range (hex,\n"
"                         0x optional, page aligned, START < END)\n"
"  -j, --json             one JSON object of the same keys\n"
"  -h, --help             this help\n";

struct reclaim_req {
	bool all, range;
	unsigned long long pid, start, end;
	/* The command written, as the module prints it back as target. */
	char cmd[PTE_REF_MAX_WRITE];
};

/* VmPTE before and after; not shown for "all". */
struct vmpte {
	bool show;
	long long before, after;
};

static int parse_args(struct reclaim_req *r, const char *who,
		      const char *range)
{
	if (!strcmp(who, "all")) {
		if (range) {
			pr_err("reclaim: --range needs a PID, not all");
			return EXIT_USAGE;
		}
		r->all = true;
		snprintf(r->cmd, sizeof(r->cmd), "all");
		return 0;
	}
	/* pid_t is an int, and pid 0 is never a process of ours. */
	if (parse_u64(who, &r->pid) || !r->pid || r->pid > INT_MAX) {
		pr_err("reclaim: bad pid '%s': want a decimal PID or all", who);
		return EXIT_USAGE;
	}
	r->range = range;
	if (r->range && pr_range_arg("reclaim", range, &r->start, &r->end))
		return EXIT_USAGE;
	if (r->range)
		snprintf(r->cmd, sizeof(r->cmd), "%llu 0x%llx-0x%llx",
			 r->pid, r->start, r->end);
	else
		snprintf(r->cmd, sizeof(r->cmd), "%llu", r->pid);
	return 0;
}

static void write_failed(const struct reclaim_req *r, const struct info *in,
			 int err)
{
	const struct kv *kv = kv_find(&in->kvs, "reclaim");

	pr_err("reclaim %s: %s", r->cmd, strerror(err));
	/* info says why: kernel too old, a symbol missing ... */
	if (err == EOPNOTSUPP && kv && !strncmp(kv->val, "unavailable", 11))
		pr_err("reclaim %s", kv->val);
}

static bool result_is_ours(const struct reclaim_result *res,
			   const struct reclaim_req *r)
{
	if (r->all)
		return res->all;
	return !res->all && res->pid == r->pid && res->ranged == r->range &&
	       (!r->range || (res->start == r->start && res->end == r->end));
}

static int result_load(struct reclaim_result *res)
{
	int ret = pr_load(PTE_REF_FILE_RECLAIM, reclaim_parse, res);

	if (ret)
		return ret;
	if (res->none) {
		/* Our write succeeded, so only a reload can explain it. */
		pr_err("%s: no result after a reclaim: was the module "
		       "reloaded?", PTE_REF_FILE_RECLAIM);
		reclaim_free(res);
		return EXIT_RUNTIME;
	}
	return 0;
}

static void text_vmpte(int w, const char *key, long long kb)
{
	if (kb == VMPTE_UNKNOWN)
		printf("%-*s  n/a\n", w, key);
	else
		printf("%-*s  %lld\n", w, key, kb);
}

/* Aligned like stat's totals; the VmPTE keys go last. */
static void print_text(const struct kv_list *kvs, const struct vmpte *v)
{
	size_t i, w = v->show ? strlen("vmpte_before_kb") : 0;

	for (i = 0; i < kvs->n; i++)
		if (strlen(kvs->kv[i].key) > w)
			w = strlen(kvs->kv[i].key);
	for (i = 0; i < kvs->n; i++)
		printf("%-*s  %s\n", (int)w, kvs->kv[i].key, kvs->kv[i].val);
	if (v->show) {
		text_vmpte(w, "vmpte_before_kb", v->before);
		text_vmpte(w, "vmpte_after_kb", v->after);
	}
}

static void json_vmpte(const char *key, long long kb)
{
	printf(",\n  \"%s\": ", key);
	if (kb == VMPTE_UNKNOWN)
		fputs("null", stdout);
	else
		printf("%lld", kb);
}

/* kvs is never empty: the parser wants a target, and so do we. */
static void print_json(const struct kv_list *kvs, const struct vmpte *v,
		       bool overwritten)
{
	size_t i;

	putchar('{');
	for (i = 0; i < kvs->n; i++) {
		printf("%s\n  ", i ? "," : "");
		json_str(stdout, kvs->kv[i].key);
		fputs(": ", stdout);
		pr_json_val(&kvs->kv[i]);
	}
	if (overwritten)
		fputs(",\n  \"overwritten\": true", stdout);
	if (v->show) {
		json_vmpte("vmpte_before_kb", v->before);
		json_vmpte("vmpte_after_kb", v->after);
	}
	puts("\n}");
}

/*
 * Ours, or a concurrent reclaim's: then say so, and print our target and
 * VmPTE, which still tell what our reclaim did to the process.
 */
static void print_result(const struct reclaim_result *res,
			 const struct reclaim_req *r, const struct vmpte *v,
			 bool json)
{
	struct kv target = { "target", r->cmd, KV_STR, 0 };
	struct kv_list only_target = { &target, 1 };
	bool ours = result_is_ours(res, r);
	const struct kv_list *kvs = ours ? &res->kvs : &only_target;

	if (!ours)
		pr_err("reclaim %s: result overwritten by a concurrent reclaim",
		       r->cmd);
	if (json)
		print_json(kvs, v, !ours);
	else
		print_text(kvs, v);
}

int cmd_reclaim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "range", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmpte v = { false, VMPTE_UNKNOWN, VMPTE_UNKNOWN };
	struct reclaim_req req = { 0 };
	struct reclaim_result res;
	const char *range = NULL;
	struct info in;
	int c, json = 0, ret;

	while ((c = getopt_long(argc, argv, "r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			range = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(reclaim_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("reclaim: want exactly one PID, or all");
		return EXIT_USAGE;
	}
	ret = parse_args(&req, argv[optind], range);
	if (!ret)
		ret = pr_open(&in);
	if (ret)
		return ret;
	v.show = !req.all;
	if (v.show)
		v.before = pr_vmpte_kb(req.pid);
	if (pr_write(PTE_REF_FILE_RECLAIM, req.cmd)) {
		write_failed(&req, &in, errno);
		info_free(&in);
		return EXIT_RUNTIME;
	}
	info_free(&in);
	ret = result_load(&res);
	if (ret)
		return ret;
	if (v.show)
		v.after = pr_vmpte_kb(req.pid);
	print_result(&res, &req, &v, json);
	reclaim_free(&res);
	return EXIT_OK;
}
