// SPDX-License-Identifier: GPL-2.0-only
/* Our declarations, as the modules use them. */
#include "psw_abi.h"
#include "abi_fields.h"
