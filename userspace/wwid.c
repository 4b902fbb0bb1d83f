// SPDX-License-Identifier: GPL-2.0
/*
 * wwid.c - turn the kernel's SCSI device identifier into the multipath uid.
 *
 * multipath-tools uses the udev ID_SERIAL (scsi_id --page 0x83 --whitelisted)
 * as the default uid for SCSI disks. scsi_id prefixes the designator with its
 * type: "3" + hex for NAA, "2" + hex for EUI-64, "1" + text (whitespace
 * replaced by '_') for T10 vendor id, "8" + text for SCSI name strings.
 * The kernel's device/wwid attribute prints "naa.<hex>", "eui.<hex>",
 * "t10.<text>" or the bare name string; we map it the same way.
 * Hex digits are printed in lower case, as scsi_id does.
 */
#include <ctype.h>
#include <string.h>
#include "abpath.h"

static int put_hex(const char *src, size_t n, char *out, size_t len, char prefix)
{
	size_t i, o = 0;

	if (n == 0 || n + 2 > len)
		return -1;
	out[o++] = prefix;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)src[i]))
			return -1;
		out[o++] = (char)tolower((unsigned char)src[i]);
	}
	out[o] = '\0';
	return 0;
}

static int put_text(const char *src, size_t n, char *out, size_t len, char prefix)
{
	size_t i, o = 0;
	bool space = false;

	/* trim */
	while (n && isspace((unsigned char)*src)) {
		src++;
		n--;
	}
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	if (n == 0 || n + 2 > len)
		return -1;
	out[o++] = prefix;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (isspace(c)) {
			if (!space)
				out[o++] = '_';
			space = true;
			continue;
		}
		space = false;
		if (!isprint(c))
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int ab_wwid_normalise(const char *raw, char *out, size_t len)
{
	size_t n = strlen(raw);

	if (n > 4 && !strncasecmp(raw, "naa.", 4))
		return put_hex(raw + 4, n - 4, out, len, '3');
	if (n > 4 && !strncasecmp(raw, "eui.", 4))
		return put_hex(raw + 4, n - 4, out, len, '2');
	if (n > 4 && !strncasecmp(raw, "t10.", 4))
		return put_text(raw + 4, n - 4, out, len, '1');
	return put_text(raw, n, out, len, '8');
}

/*
 * Parse a binary VPD page 0x83 and pick the designator scsi_id would pick
 * for the LUN: NAA (IEEE Registered Extended > Registered > Extended),
 * then EUI-64, then T10 vendor id, then SCSI name string.
 */
int ab_wwid_from_vpd83(const unsigned char *buf, size_t len, char *out, size_t outlen)
{
	size_t off, plen;
	int best_rank = -1;
	const unsigned char *best = NULL;
	static const char hx[] = "0123456789abcdef";

	if (len < 4 || buf[1] != 0x83)
		return -1;
	plen = ((size_t)buf[2] << 8 | buf[3]) + 4;
	if (plen > len)
		plen = len;
	for (off = 4; off + 4 <= plen; off += 4 + buf[off + 3]) {
		const unsigned char *d = buf + off;
		int type = d[1] & 0x0f, assoc = (d[1] >> 4) & 3, rank = -1;

		if (off + 4 + d[3] > plen)
			return -1;
		if (assoc != 0 || d[3] == 0)
			continue;
		switch (type) {
		case 3:
			rank = 10 + (d[4] >> 4);	/* NAA 6 > 5 > 3 > 2 */
			break;
		case 2:
			rank = 8;
			break;
		case 1:
			rank = 6;
			break;
		case 8:
			rank = 4;
			break;
		}
		if (rank > best_rank) {
			best_rank = rank;
			best = d;
		}
	}
	if (!best)
		return -1;
	{
		int type = best[1] & 0x0f;
		size_t n = best[3], i, o = 0;
		char tmp[AB_STR];

		if (type == 3 || type == 2) {
			if (2 * n + 2 > outlen)
				return -1;
			out[o++] = type == 3 ? '3' : '2';
			for (i = 0; i < n; i++) {
				out[o++] = hx[best[4 + i] >> 4];
				out[o++] = hx[best[4 + i] & 15];
			}
			out[o] = '\0';
			return 0;
		}
		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, best + 4, n);
		tmp[n] = '\0';
		n = strlen(tmp);	/* name strings are NUL padded */
		return put_text(tmp, n, out, outlen, type == 1 ? '1' : '8');
	}
}
