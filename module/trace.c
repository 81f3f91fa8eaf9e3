// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - instantiates the trace events of pte_ref_trace.h, once.
 */
#define CREATE_TRACE_POINTS
#include "pte_ref_trace.h"
