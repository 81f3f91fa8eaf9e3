// SPDX-License-Identifier: GPL-2.0
/*
 * info.c - what this build of pte_ref can do on this kernel, and why not.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/utsname.h>

#include "auto.h"
#include "compat.h"
#include "pte_ref.h"
#include "pte_ref_abi.h"
#include "reclaim.h"
#include "stats.h"
#include "symbols.h"

static void feature(struct seq_file *m, const char *name, const char *why_not)
{
	if (why_not)
		seq_printf(m, "%s unavailable: %s\n", name, why_not);
	else
		seq_printf(m, "%s available\n", name);
}

void pte_ref_info_show(struct seq_file *m)
{
	seq_printf(m, "version %s\n", PTE_REF_VERSION);
	seq_printf(m, "format %d\n", PTE_REF_FORMAT);
	seq_printf(m, "kernel %s\n", init_utsname()->release);
	seq_printf(m, "flavor %s\n", PTE_REF_FLAVOR);
	seq_printf(m, "pte_tables_rcu %s\n", PTE_REF_TABLES_RCU ? "yes" : "no");
	feature(m, "census", NULL);
	feature(m, "refcount", PTE_REF_HAVE_REFCOUNT ? NULL :
		"kernel built without CONFIG_FREE_USER_PTE");
	feature(m, "reclaim", pte_ref_reclaim_unavailable());
	feature(m, "reclaim_file", pte_ref_reclaim_file_unavailable());
	feature(m, "reclaim_pmd", pte_ref_reclaim_pmd_unavailable());
	feature(m, "auto", pte_ref_auto_unavailable());
	feature(m, "auto_pmd", pte_ref_auto_unavailable() ?:
		pte_ref_reclaim_pmd_unavailable());
	feature(m, "kallsyms_lookup", pte_ref_sym.lookup_why);
	pte_ref_stats_info(m);
}
