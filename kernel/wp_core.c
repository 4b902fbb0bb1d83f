// SPDX-License-Identifier: GPL-2.0-only
/* The policy core, compiled into dm-weighted-paths.ko. */
#include "../dm-ps-weighted/psw_args.c"
#include "../dm-ps-weighted/psw_wp.c"
