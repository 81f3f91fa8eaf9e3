# SPDX-License-Identifier: GPL-2.0
# What every program of tools/ is built with.  The programs are linked
# statically: they run in a minimal guest that sees the host tree through
# 9p but has no matching shared libraries.

ifeq ($(origin CC),default)
CC	:= gcc
endif
CFLAGS	?= -O2
CFLAGS	+= -std=gnu11 -Wall -Wextra
TOOLS_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
CPPFLAGS += -I$(TOOLS_DIR)../include -I$(TOOLS_DIR)lib
# STATIC=0 (the Debian package) links against the system's libraries.
STATIC	?= 1
ifeq ($(STATIC),1)
LDFLAGS	+= -static
endif
LDFLAGS	+= -pthread
LIB	:= $(TOOLS_DIR)lib/libtools.a
ABI_H	:= $(TOOLS_DIR)../include/pte_ref_abi.h
