// SPDX-License-Identifier: GPL-2.0
/*
 * auto.c - the automatic policy: free empty PTE tables without being asked.
 *
 * Off by default (`auto`, auto_file.c).  Its settings are khugepaged's
 * (mm/khugepaged.c): how long to sleep between passes, how many tables a
 * pass may look at; plus the least empty kB worth a reclaim, and a CPU
 * budget.
 *
 * Why a kthread of its own, as khugepaged has, and not delayed work or a
 * hook on MADV_DONTNEED: a pass visits many mms and takes their mmap
 * locks, one after the other, for as long as its budget lasts; a thread
 * is where that time shows (ps, /proc/PID/stat: how the benchmark
 * measures the budget), where the freezer and kthread_stop() reach it,
 * and it holds up no other work queued behind it.  A hook on the zap
 * path would put a probe on every MADV_DONTNEED and munmap of every
 * process: the fault- and zap-path cost this policy must not add.
 *
 * A pass visits mms in pid order from where the last one stopped (the
 * cursor: a pid and an address).  From the cursor it counts the empty
 * tables reclaim may free, read-only under the census walker's locks
 * (walk.c), over a window of at most the tables left in the pass's
 * budget; if they come to min_empty_kb or more, it reclaims that window
 * by pte_ref_reclaim_mm_try(): the protocol, locks and flush of a write
 * to `reclaim` (reclaim.c states them per kernel), except that every
 * mmap lock is only tried.  A taken lock (counted as auto_contended) ends
 * that mm's turn until the next round, or, once a window was counted, the
 * pass, which the next one takes up after that window (pass_mm()); the
 * walker also drops the lock whenever a writer waits and after each batch
 * of tables freed, so no page fault waits for the policy longer than one
 * batch.  Then the thread sleeps scan_sleep_ms,
 * or longer where the pass's time over pass plus sleep would exceed
 * max_cpu_pct of one CPU.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/wait.h>

#include "auto.h"
#include "census.h"
#include "compat.h"
#include "pte_ref_trace.h"
#include "reclaim.h"
#include "stats.h"
#include "walk.h"

static DEFINE_MUTEX(auto_lock);		/* writers of cfg; auto_thread */
static DEFINE_SPINLOCK(cfg_lock);	/* cfg, for the thread's copy */
static struct pte_ref_auto_cfg cfg = PTE_REF_AUTO_DEFAULTS;
static struct task_struct *auto_thread;
static DECLARE_WAIT_QUEUE_HEAD(auto_wait);
static bool auto_kick;			/* settings changed: pass now */

/* Where the next pass starts; the thread's own. */
static pid_t cursor_pid;
static unsigned long cursor_addr;

struct pass {
	unsigned int min_empty_kb;
	u64 budget;		/* tables the pass may still count */
	u64 mms, scanned, freed, contended;
};

/* One window of an mm: the empty tables reclaim may free in it. */
struct window {
	u64 budget, tables, empty;
	unsigned long next;	/* the end of the last table counted */
	bool refused;		/* reclaim would refuse the whole mm */
};

/* Under each mmap lock taken: nothing to count in an mm reclaim refuses. */
static void window_locked(struct mm_struct *mm, void *priv)
{
	struct window *w = priv;

	w->refused |= pte_ref_reclaim_refuses(mm);
}

static int window_vma(struct vm_area_struct *vma, unsigned long start,
		      unsigned long end, void *priv)
{
	struct window *w = priv;

	return w->refused || pte_ref_reclaim_excluded(vma) ?
	       PTE_REF_WALK_SKIP : 0;
}

static void window_table(const struct pte_ref_table *t, void *priv)
{
	struct window *w = priv;

	if (!t->first)
		return;
	w->tables++;
	w->empty += !t->present && !t->other;
	w->next = t->addr + PMD_SIZE;
}

static bool window_full(void *priv)
{
	struct window *w = priv;

	return w->tables >= w->budget;
}

/* Read-only, the census walker's locks; the mmap lock only tried. */
static const struct pte_ref_walk_ops window_ops = {
	.locked		= window_locked,
	.vma		= window_vma,
	.table		= window_table,
	.full		= window_full,
	.trylock	= true,
};

/*
 * One mm's turn, from the cursor.  Returns 1 to end the pass (the cursor
 * then says where the next one goes on), 0 to go to the next mm, or
 * -EINTR (kthread_stop()) and -ENOMEM.
 *
 * A tried mmap lock that is taken (-EBUSY) is a back-off: before anything
 * was counted, the mm's turn ends until the next round; after, the pass
 * ends at the end of what was counted, so a busy mm is still scanned,
 * a window per pass, and no mm is retried from its start for ever.
 */
static int pass_mm(struct mm_struct *mm, pid_t pid, const char *comm,
		   void *priv)
{
	struct pass *p = priv;
	unsigned long start = 0;
	int ret = 0;

	if (pid < cursor_pid)
		return 0;
	if (pid == cursor_pid)
		start = cursor_addr;
	if (!p->budget)
		goto end_pass;
	p->mms++;
	while (p->budget) {
		struct window w = { .budget = p->budget };
		struct pte_ref_reclaim_result r = {};
		bool to_end;

		ret = pte_ref_walk(mm, start, TASK_SIZE_MAX, &window_ops, &w);
		p->scanned += w.tables;
		p->budget -= min(p->budget, w.tables);
		if (ret == -EBUSY && w.tables) {
			start = w.next;
			goto contended;
		}
		if (ret)
			break;
		to_end = w.tables < w.budget;	/* not stopped by ->full */
		if (to_end)
			w.next = TASK_SIZE_MAX;
		if (w.empty && w.empty * PTE_REF_TABLE_KB >= p->min_empty_kb) {
			ret = pte_ref_reclaim_mm_try(mm, pid, start, w.next, &r);
			p->freed += r.freed;
		}
		start = w.next;
		if (ret == -EBUSY)
			goto contended;
		if (ret)
			return ret;
		if (to_end)
			return 0;
	}
	if (ret == -EBUSY) {
		p->contended++;		/* nothing counted: the next round */
		return 0;
	}
	if (ret)
		return ret;
	goto end_pass;
contended:
	p->contended++;
	if (start >= TASK_SIZE_MAX)
		return 0;
end_pass:
	cursor_pid = pid;
	cursor_addr = start;
	return 1;
}

static void auto_pass(const struct pte_ref_auto_cfg *c, u64 *ns)
{
	struct pass p = {
		.min_empty_kb = c->min_empty_kb,
		.budget = c->tables_to_scan,
	};
	u64 t0 = ktime_get_ns();
	int ret;

	ret = pte_ref_each_mm(pass_mm, &p);
	if (!ret) {			/* every mm had its turn */
		cursor_pid = 0;
		cursor_addr = 0;
	}
	*ns = ktime_get_ns() - t0;
	pte_ref_stat_add(PTE_REF_STAT_AUTO_PASSES, 1);
	pte_ref_stat_add(PTE_REF_STAT_AUTO_MMS, p.mms);
	pte_ref_stat_add(PTE_REF_STAT_AUTO_SCANNED, p.scanned);
	pte_ref_stat_add(PTE_REF_STAT_AUTO_CONTENDED, p.contended);
	pte_ref_stat_add(PTE_REF_STAT_AUTO_NS, *ns);
	trace_auto_pass(p.mms, p.scanned, p.freed, p.contended, *ns);
}

/* How long to sleep after a pass of @ns: pass / (pass + sleep) <= pct. */
static unsigned long sleep_ms(const struct pte_ref_auto_cfg *c, u64 ns)
{
	u64 ms = div_u64(ns * (100 - c->max_cpu_pct),
			 c->max_cpu_pct * NSEC_PER_MSEC);

	return min_t(u64, max_t(u64, ms, c->scan_sleep_ms), 24 * 3600 * 1000);
}

static int auto_fn(void *unused)
{
	set_freezable();
	while (!kthread_should_stop()) {
		struct pte_ref_auto_cfg c;
		u64 ns;

		spin_lock(&cfg_lock);
		c = cfg;
		WRITE_ONCE(auto_kick, false);
		spin_unlock(&cfg_lock);
		auto_pass(&c, &ns);
		wait_event_freezable_timeout(auto_wait,
					     kthread_should_stop() ||
					     READ_ONCE(auto_kick),
					     msecs_to_jiffies(sleep_ms(&c, ns)));
	}
	return 0;
}

#define SETTING(name, lo, hi) \
	{ #name, lo, hi, offsetof(struct pte_ref_auto_cfg, name) }

const struct pte_ref_auto_setting pte_ref_auto_settings[] = {
	SETTING(enabled, 0, PTE_REF_AUTO_ENABLED_MAX),
	SETTING(scan_sleep_ms, PTE_REF_AUTO_SCAN_SLEEP_MS_MIN,
		PTE_REF_AUTO_SCAN_SLEEP_MS_MAX),
	SETTING(tables_to_scan, PTE_REF_AUTO_TABLES_TO_SCAN_MIN,
		PTE_REF_AUTO_TABLES_TO_SCAN_MAX),
	SETTING(min_empty_kb, 0, PTE_REF_AUTO_MIN_EMPTY_KB_MAX),
	SETTING(max_cpu_pct, PTE_REF_AUTO_MAX_CPU_PCT_MIN,
		PTE_REF_AUTO_MAX_CPU_PCT_MAX),
	{ }
};

/* Every setting within its bounds: 0, else -EINVAL. */
int pte_ref_auto_check(const struct pte_ref_auto_cfg *c)
{
	const struct pte_ref_auto_setting *s;

	for (s = pte_ref_auto_settings; s->name; s++) {
		unsigned int v = *(const unsigned int *)((const char *)c +
							 s->offset);

		if (v < s->lo || v > s->hi)
			return -EINVAL;
	}
	return 0;
}

/*
 * The settings, and the thread's pid as the caller's pid namespace sees
 * it: 0 where it runs not, or where that namespace cannot see it.
 */
void pte_ref_auto_get(struct pte_ref_auto_cfg *c, pid_t *thread)
{
	mutex_lock(&auto_lock);
	*c = cfg;
	*thread = auto_thread ?
		  task_pid_nr_ns(auto_thread, task_active_pid_ns(current)) : 0;
	mutex_unlock(&auto_lock);
}

/* NULL, or why the policy cannot run here (reclaim's reason first). */
const char *pte_ref_auto_unavailable(void)
{
	return pte_ref_reclaim_unavailable() ?: PTE_REF_AUTO_NO;
}

static void cfg_store(const struct pte_ref_auto_cfg *c, bool kick)
{
	spin_lock(&cfg_lock);
	cfg = *c;
	if (kick)
		WRITE_ONCE(auto_kick, true);
	spin_unlock(&cfg_lock);
}

/* Called with auto_lock held. */
static int set_locked(const struct pte_ref_auto_cfg *c)
{
	struct pte_ref_auto_cfg old = cfg;
	struct task_struct *t;

	if (c->enabled && pte_ref_auto_unavailable())
		return -EOPNOTSUPP;
	if (c->enabled && !auto_thread) {
		cfg_store(c, false);	/* before the thread reads it */
		t = kthread_run(auto_fn, NULL, "pte_ref_auto");
		if (IS_ERR(t)) {
			cfg_store(&old, false);
			return PTR_ERR(t);
		}
		auto_thread = t;
	} else if (!c->enabled && auto_thread) {
		/* Stops between two tables at the latest (walk.c). */
		kthread_stop(auto_thread);
		auto_thread = NULL;
		cfg_store(c, false);
	} else {
		cfg_store(c, true);
		wake_up(&auto_wait);
	}
	return 0;
}

/**
 * pte_ref_auto_update - change some settings, all or nothing
 * @parse: sets in the settings it is given those @buf names; an errno
 *         for a bad @buf
 * @buf:   the command written to `auto`
 *
 * Reads, parses, checks and takes the settings under one lock, so that
 * two writers naming different settings both have their way.  Starts or
 * stops the thread.  Returns 0, @parse's errno, -EINVAL (out of bounds),
 * -EOPNOTSUPP (enabled where the policy is not available: `info` says
 * why) or kthread_run()'s errno; on an error nothing changed.
 */
int pte_ref_auto_update(int (*parse)(char *buf, struct pte_ref_auto_cfg *c),
			char *buf)
{
	struct pte_ref_auto_cfg c;
	int ret;

	mutex_lock(&auto_lock);
	c = cfg;
	ret = parse(buf, &c);
	if (!ret)
		ret = pte_ref_auto_check(&c);
	if (!ret)
		ret = set_locked(&c);
	mutex_unlock(&auto_lock);
	return ret;
}

/*
 * Module parameters: the settings at load (insmod pte_ref.ko auto=1).
 * Not in sysfs (perm 0): `auto` is where they are read and changed.
 * "auto" is a macro (for __auto_type, compiler_types.h), which
 * module_param_named() would expand into the parameter's name; in
 * __module_param_call() the name only meets # and ##, so it stays "auto".
 */
static struct pte_ref_auto_cfg load = PTE_REF_AUTO_DEFAULTS;
__module_param_call(MODULE_PARAM_PREFIX, auto, &param_ops_uint, &load.enabled,
		    0, -1, 0);
__MODULE_PARM_TYPE(auto, "uint");
MODULE_PARM_DESC(auto, "1: free empty PTE tables by themselves (default 0)");
module_param_named(auto_scan_sleep_ms, load.scan_sleep_ms, uint, 0);
MODULE_PARM_DESC(auto_scan_sleep_ms, "sleep between passes, ms");
module_param_named(auto_tables_to_scan, load.tables_to_scan, uint, 0);
MODULE_PARM_DESC(auto_tables_to_scan, "tables one pass may count");
module_param_named(auto_min_empty_kb, load.min_empty_kb, uint, 0);
MODULE_PARM_DESC(auto_min_empty_kb, "least empty kB worth a reclaim");
module_param_named(auto_max_cpu_pct, load.max_cpu_pct, uint, 0);
MODULE_PARM_DESC(auto_max_cpu_pct, "CPU budget, percent of one CPU");

/*
 * -EINVAL for a setting out of bounds.  auto=1 where reclaim cannot run
 * only warns: the module is still useful without it (`info` says why).
 */
int pte_ref_auto_init(void)
{
	int ret;

	if (pte_ref_auto_check(&load))
		return -EINVAL;
	if (load.enabled && pte_ref_auto_unavailable()) {
		pr_warn("auto=1 ignored: not available here (see info)\n");
		load.enabled = 0;
	}
	mutex_lock(&auto_lock);
	ret = set_locked(&load);
	mutex_unlock(&auto_lock);
	return ret;
}

void pte_ref_auto_exit(void)
{
	mutex_lock(&auto_lock);
	if (auto_thread)
		kthread_stop(auto_thread);
	auto_thread = NULL;
	mutex_unlock(&auto_lock);
}
