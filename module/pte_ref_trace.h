/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref_trace.h - the module's trace events, system "pte_ref":
 * tracefs events/pte_ref/ and bpftrace tracepoint:pte_ref:*.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pte_ref

#if !defined(PTE_REF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PTE_REF_TRACE_H

#include <linux/tracepoint.h>

struct mm_struct;

/* One PTE table freed by a forced reclaim. */
TRACE_EVENT(free_table,
	    TP_PROTO(struct mm_struct *mm, pid_t pid, unsigned long addr),
	    TP_ARGS(mm, pid, addr),
	    TP_STRUCT__entry(__field(void *, mm)
			     __field(pid_t, pid)
			     __field(unsigned long, addr)),
	    TP_fast_assign(__entry->mm = mm;
			   __entry->pid = pid;
			   __entry->addr = addr;),
	    /* %p is hashed: the text output shows no kernel address. */
	    TP_printk("mm=%p pid=%d addr=0x%lx",
		      __entry->mm, __entry->pid, __entry->addr)
);

/* One PMD table (1 GiB window at addr) freed, forced or automatic. */
TRACE_EVENT(free_pmd_table,
	    TP_PROTO(struct mm_struct *mm, pid_t pid, unsigned long addr),
	    TP_ARGS(mm, pid, addr),
	    TP_STRUCT__entry(__field(void *, mm)
			     __field(pid_t, pid)
			     __field(unsigned long, addr)),
	    TP_fast_assign(__entry->mm = mm;
			   __entry->pid = pid;
			   __entry->addr = addr;),
	    TP_printk("mm=%p pid=%d addr=0x%lx",
		      __entry->mm, __entry->pid, __entry->addr)
);

/* One process reclaimed: a write of "all" gives one per process. */
TRACE_EVENT(reclaim_done,
	    TP_PROTO(pid_t pid, u64 scanned, u64 freed, u64 busy,
		     u64 duration_ns),
	    TP_ARGS(pid, scanned, freed, busy, duration_ns),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(u64, scanned)
			     __field(u64, freed)
			     __field(u64, busy)
			     __field(u64, duration_ns)),
	    TP_fast_assign(__entry->pid = pid;
			   __entry->scanned = scanned;
			   __entry->freed = freed;
			   __entry->busy = busy;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("pid=%d scanned=%llu freed=%llu busy=%llu duration_ns=%llu",
		      __entry->pid, __entry->scanned, __entry->freed,
		      __entry->busy, __entry->duration_ns)
);

/* One census of one mm: the census file, or one row of mms. */
TRACE_EVENT(census_done,
	    TP_PROTO(pid_t pid, u64 tables, u64 empty, u64 duration_ns),
	    TP_ARGS(pid, tables, empty, duration_ns),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(u64, tables)
			     __field(u64, empty)
			     __field(u64, duration_ns)),
	    TP_fast_assign(__entry->pid = pid;
			   __entry->tables = tables;
			   __entry->empty = empty;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("pid=%d tables=%llu empty=%llu duration_ns=%llu",
		      __entry->pid, __entry->tables, __entry->empty,
		      __entry->duration_ns)
);

/* One pass of the automatic policy (auto.c). */
TRACE_EVENT(auto_pass,
	    TP_PROTO(u64 mms, u64 scanned, u64 freed, u64 contended,
		     u64 duration_ns),
	    TP_ARGS(mms, scanned, freed, contended, duration_ns),
	    TP_STRUCT__entry(__field(u64, mms)
			     __field(u64, scanned)
			     __field(u64, freed)
			     __field(u64, contended)
			     __field(u64, duration_ns)),
	    TP_fast_assign(__entry->mms = mms;
			   __entry->scanned = scanned;
			   __entry->freed = freed;
			   __entry->contended = contended;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("mms=%llu scanned=%llu freed=%llu contended=%llu duration_ns=%llu",
		      __entry->mms, __entry->scanned, __entry->freed,
		      __entry->contended, __entry->duration_ns)
);

#endif /* PTE_REF_TRACE_H */

/* define_trace.h finds this file through -I$(src)/module (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pte_ref_trace
#include <trace/define_trace.h>
