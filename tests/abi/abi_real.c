// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's own declarations, from Debian's linux-source package. */
#include <linux/device-mapper.h>
#include "dm-path-selector.h"
#include "abi_fields.h"
