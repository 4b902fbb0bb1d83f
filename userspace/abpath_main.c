// SPDX-License-Identifier: GPL-2.0
/* abpath_main.c - process entry; the work is in ab_main() (main.c). */
#include "abpath.h"

int main(int argc, char **argv)
{
	return ab_main(argc, argv);
}
