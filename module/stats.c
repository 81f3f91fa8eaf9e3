// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the `stats` file: PTE tables freed by each path and TLB
 * flushes, counted since load or since the last reset.
 *
 * The kernel's own paths are counted by a kprobe on the function that
 * frees the table and a probe on tracepoint tlb:tlb_flush.  They are
 * registered only while counting is on (a write of "on" to `stats`, or the
 * `counting` parameter), so an idle module costs nothing on any hot path.
 * Forced reclaims and censuses are the module's own: always counted.
 *
 * Counters are per CPU and only grow; a reset records their sums as the
 * new base, so that it loses no increment that races with it.
 *
 * PT_RECLAIM (6.14+) frees tables from MADV_DONTNEED's zap.  6.14 to 6.19
 * have a function for it, free_pte(), which we probe.  7.1 inlined it in
 * zap_pte_range(): there a hit on ___pte_free_tlb() is told apart by its
 * caller (free_site.h), looked up once per call site and cached.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/capability.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "free_site.h"
#include "pte_ref.h"
#include "pte_ref_abi.h"
#include "stats.h"

struct counts {
	u64 v[PTE_REF_STAT_NR];
};

static DEFINE_PER_CPU(struct counts, counts);

struct probe {
	const char *name;	/* in `info`: probe_NAME */
	const char *symbol;
	const char *also;	/* must exist too: tells a same-named static */
	const char *why_not;	/* when the symbol cannot be probed */
	enum pte_ref_stat stat;
	bool available;		/* decided at load */
	bool on;
	struct kprobe kp;
};

enum { P_MUNMAP_EXIT, P_FREE_PTE_TABLE, P_PT_RECLAIM };

static struct probe probes[] = {
	[P_MUNMAP_EXIT] = { "munmap_exit", "___pte_free_tlb", NULL,
	  "cannot probe ___pte_free_tlb()",
	  PTE_REF_STAT_PTE_FREE_TLB },
	[P_FREE_PTE_TABLE] = { "free_pte_table", "free_pte_table", NULL,
	  "no free_pte_table() (kernel without the free_user_pte series)",
	  PTE_REF_STAT_FREE_PTE_TABLE },
	[P_PT_RECLAIM] = { "pt_reclaim", "free_pte", "try_to_free_pte",
	  IS_ENABLED(CONFIG_PT_RECLAIM) ?
	  "cannot probe free_pte() or ___pte_free_tlb()" :
	  "kernel built without CONFIG_PT_RECLAIM (Linux 6.14+)",
	  PTE_REF_STAT_PT_RECLAIM },
};

/*
 * 7.1+: PT_RECLAIM counted by the caller of ___pte_free_tlb().  Return
 * addresses already classified, hashed into one word each: a lost race
 * for a slot only costs one more lookup.
 */
static bool pt_reclaim_by_site;
#define SITE_BITS	3
static unsigned long zap_sites[1 << SITE_BITS], other_sites[1 << SITE_BITS];
static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], site_name);

static struct tracepoint *tlb_flush_tp;	/* NULL: not in this kernel */
static bool tlb_flush_on;

/* stats_lock protects everything below and the probes' state. */
static DEFINE_MUTEX(stats_lock);
static enum { LOADING, LIVE, GONE } stats_state;
static bool counting;
static bool counting_at_load;
static struct counts base;
static u64 base_ns;

void pte_ref_stat_add(enum pte_ref_stat stat, u64 n)
{
	this_cpu_add(counts.v[stat], n);
}

static int count_hit(struct kprobe *kp, struct pt_regs *regs)
{
	this_cpu_inc(counts.v[container_of(kp, struct probe, kp)->stat]);
	return 0;
}

/* Did the caller of the probed function come from the zap path? */
static bool from_zap(struct pt_regs *regs)
{
	/* At the entry, the stack's top word is the return address. */
	unsigned long ret = regs_get_kernel_stack_nth(regs, 0);
	unsigned int slot = hash_long(ret, SITE_BITS);
	char *name;
	bool zap;

	if (READ_ONCE(zap_sites[slot]) == ret)
		return true;
	if (READ_ONCE(other_sites[slot]) == ret)
		return false;
	name = this_cpu_ptr(site_name);	/* preemption is off in a kprobe */
	sprint_symbol_no_offset(name, ret);
	zap = pte_ref_free_site_is_zap(name);
	if (zap)
		WRITE_ONCE(zap_sites[slot], ret);
	else
		WRITE_ONCE(other_sites[slot], ret);
	return zap;
}

/* ___pte_free_tlb(): munmap/exit, or on 7.1+ maybe PT_RECLAIM. */
static int count_free_tlb(struct kprobe *kp, struct pt_regs *regs)
{
	if (READ_ONCE(pt_reclaim_by_site) && from_zap(regs))
		this_cpu_inc(counts.v[PTE_REF_STAT_PT_RECLAIM]);
	else
		this_cpu_inc(counts.v[PTE_REF_STAT_PTE_FREE_TLB]);
	return 0;
}

static void count_tlb_flush(void *data, int reason, unsigned long pages)
{
	this_cpu_inc(counts.v[PTE_REF_STAT_TLB_FLUSHES]);
	if (reason >= 0 && reason < PTE_REF_TLB_REASONS)
		this_cpu_inc(counts.v[PTE_REF_STAT_TLB_REASON + reason]);
	if (pages == TLB_FLUSH_ALL)
		this_cpu_inc(counts.v[PTE_REF_STAT_TLB_FULL]);
	else
		this_cpu_add(counts.v[PTE_REF_STAT_TLB_PAGES], pages);
}

static int probe_register(struct probe *p)
{
	memset(&p->kp, 0, sizeof(p->kp));
	p->kp.symbol_name = p->symbol;
	p->kp.pre_handler = p == &probes[P_MUNMAP_EXIT] ? count_free_tlb : count_hit;
	return register_kprobe(&p->kp);
}

/* Can @p be placed on this kernel?  Tried once, at load. */
static bool probe_possible(struct probe *p)
{
	struct kprobe also = { .symbol_name = p->also };

	if (p->also) {
		if (register_kprobe(&also))
			return false;
		unregister_kprobe(&also);
	}
	if (probe_register(p))
		return false;
	unregister_kprobe(&p->kp);
	return true;
}

static void find_tlb_flush(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "tlb_flush"))
		tlb_flush_tp = tp;
}

/* Detach every probe; on return none of them runs any more. */
static void probes_off(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (probes[i].on)
			unregister_kprobe(&probes[i].kp);
		probes[i].on = false;
	}
	if (tlb_flush_on) {
		tracepoint_probe_unregister(tlb_flush_tp, count_tlb_flush, NULL);
		tracepoint_synchronize_unregister();
	}
	tlb_flush_on = false;
	counting = false;
}

static int probes_on(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (!probes[i].available)
			continue;
		ret = probe_register(&probes[i]);
		if (ret)
			goto fail;
		probes[i].on = true;
	}
	if (tlb_flush_tp) {
		ret = tracepoint_probe_register(tlb_flush_tp, count_tlb_flush,
						NULL);
		if (ret)
			goto fail;
		tlb_flush_on = true;
	}
	counting = true;
	return 0;
fail:
	probes_off();
	return ret;
}

/* Counting on or off; before init, only remembered (module parameter). */
static int stats_switch(bool on)
{
	int ret = 0;

	mutex_lock(&stats_lock);
	if (stats_state == LOADING)
		counting_at_load = on;
	else if (stats_state == GONE)
		ret = -ENODEV;
	else if (on && !counting)
		ret = probes_on();
	else if (!on && counting)
		probes_off();
	mutex_unlock(&stats_lock);
	return ret;
}

static void sum(struct counts *c)
{
	int cpu, i;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu)
		for (i = 0; i < PTE_REF_STAT_NR; i++)
			c->v[i] += READ_ONCE(per_cpu(counts, cpu).v[i]);
}

static int stats_reset(void)
{
	mutex_lock(&stats_lock);
	sum(&base);
	base_ns = ktime_get_ns();
	mutex_unlock(&stats_lock);
	return 0;
}

static int counting_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	return ret ? ret : stats_switch(on);
}

static int counting_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%c\n", READ_ONCE(counting) ? 'Y' : 'N');
}

static const struct kernel_param_ops counting_ops = {
	.set = counting_set,
	.get = counting_get,
};
module_param_cb(counting, &counting_ops, NULL, 0600);
MODULE_PARM_DESC(counting, "count PTE-table frees and TLB flushes (stats)");

static void show_count(struct seq_file *m, const char *key, u64 v, bool avail)
{
	if (avail)
		seq_printf(m, "%s %llu\n", key, v);
	else
		seq_printf(m, "%s n/a\n", key);
}

static int stats_show(struct seq_file *m, void *v)
{
	static const char * const reasons[] = {
		"task_switch", "remote_shootdown", "local_shootdown",
		"local_mm_shootdown", "remote_send_ipi", "remote_wrong_cpu",
	};

	struct counts now;
	u64 d[PTE_REF_STAT_NR], ns, munmap;
	bool on, tlb = tlb_flush_tp;
	char key[40];
	int i;

	mutex_lock(&stats_lock);
	sum(&now);
	for (i = 0; i < PTE_REF_STAT_NR; i++)
		d[i] = now.v[i] - base.v[i];
	ns = ktime_get_ns() - base_ns;
	on = counting;
	mutex_unlock(&stats_lock);

	/* free_pte()'s free goes through ___pte_free_tlb() too. */
	munmap = d[PTE_REF_STAT_PTE_FREE_TLB];
	if (probes[P_PT_RECLAIM].available)
		munmap -= min(munmap, d[PTE_REF_STAT_PT_RECLAIM]);

	seq_printf(m, "counting %s\n", on ? "on" : "off");
	seq_printf(m, "elapsed_ns %llu\n", ns);
	show_count(m, "frees_munmap_exit", munmap,
		   probes[P_MUNMAP_EXIT].available);
	show_count(m, "frees_free_pte_table", d[PTE_REF_STAT_FREE_PTE_TABLE],
		   probes[P_FREE_PTE_TABLE].available);
	show_count(m, "frees_pt_reclaim", d[PTE_REF_STAT_PT_RECLAIM],
		   probes[P_PT_RECLAIM].available || pt_reclaim_by_site);
	seq_printf(m, "frees_forced %llu\n", d[PTE_REF_STAT_FORCED]);
	seq_printf(m, "frees_auto %llu\n", d[PTE_REF_STAT_AUTO_FREED]);
	seq_printf(m, "frees_pmd %llu\n", d[PTE_REF_STAT_PMD_FREED]);
	show_count(m, "tlb_flushes", d[PTE_REF_STAT_TLB_FLUSHES], tlb);
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		snprintf(key, sizeof(key), "tlb_flush_%s", reasons[i]);
		show_count(m, key, d[PTE_REF_STAT_TLB_REASON + i],
			   tlb && i < PTE_REF_TLB_REASONS);
	}
	show_count(m, "tlb_flush_pages", d[PTE_REF_STAT_TLB_PAGES], tlb);
	show_count(m, "tlb_flush_full", d[PTE_REF_STAT_TLB_FULL], tlb);
	seq_printf(m, "censuses %llu\n", d[PTE_REF_STAT_CENSUS]);
	seq_printf(m, "auto_passes %llu\n", d[PTE_REF_STAT_AUTO_PASSES]);
	seq_printf(m, "auto_mms_visited %llu\n", d[PTE_REF_STAT_AUTO_MMS]);
	seq_printf(m, "auto_tables_scanned %llu\n", d[PTE_REF_STAT_AUTO_SCANNED]);
	seq_printf(m, "auto_contended %llu\n", d[PTE_REF_STAT_AUTO_CONTENDED]);
	seq_printf(m, "auto_ns %llu\n", d[PTE_REF_STAT_AUTO_NS]);
	return 0;
}

static ssize_t stats_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[PTE_REF_MAX_WRITE];
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = pte_ref_user_input(ubuf, count, ppos, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!strcmp(buf, "on"))
		ret = stats_switch(true);
	else if (!strcmp(buf, "off"))
		ret = stats_switch(false);
	else if (!strcmp(buf, "0"))
		ret = stats_reset();
	else
		ret = -EINVAL;
	return ret ? ret : count;
}

PTE_REF_COMMAND_FILE(stats);

/* The `info` lines: which probes this kernel has, and why not. */
void pte_ref_stats_info(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (probes[i].available)
			seq_printf(m, "probe_%s available\n", probes[i].name);
		else if (i == P_PT_RECLAIM && pt_reclaim_by_site)
			seq_puts(m, "probe_pt_reclaim available: no free_pte() (7.1+), ___pte_free_tlb() called from the zap path\n");
		else
			seq_printf(m, "probe_%s unavailable: %s\n",
				   probes[i].name, probes[i].why_not);
	if (tlb_flush_tp)
		seq_puts(m, "probe_tlb_flush available\n");
	else
		seq_puts(m, "probe_tlb_flush unavailable: no tracepoint tlb:tlb_flush\n");
	seq_printf(m, "counting %s\n", READ_ONCE(counting) ? "on" : "off");
}

/* Which probes can be placed here: try each once, at load. */
void pte_ref_stats_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		probes[i].available = probe_possible(&probes[i]);
	pt_reclaim_by_site = IS_ENABLED(CONFIG_PT_RECLAIM) &&
			     !probes[P_PT_RECLAIM].available &&
			     probes[P_MUNMAP_EXIT].available;
	for_each_kernel_tracepoint(find_tlb_flush, NULL);

	mutex_lock(&stats_lock);
	stats_state = LIVE;
	base_ns = ktime_get_ns();
	if (counting_at_load)
		ret = probes_on();
	mutex_unlock(&stats_lock);
	if (ret)
		pr_warn("counting=1: probes not attached (%d)\n", ret);
}

void pte_ref_stats_exit(void)
{
	mutex_lock(&stats_lock);
	stats_state = GONE;	/* a late write of the parameter fails */
	if (counting)
		probes_off();
	mutex_unlock(&stats_lock);
}
