// SPDX-License-Identifier: GPL-2.0-only
/* The policy core, compiled into dm-least-blocks.ko. */
#include "../dm-ps-weighted/psw_args.c"
#include "../dm-ps-weighted/psw_lb.c"
