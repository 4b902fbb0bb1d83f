# shellcheck shell=bash
# Host-side helpers of the QEMU test harness (sourced by scripts/vm-run,
# scripts/vm-selftest).  No side effects on source.
#
#   vm_resolve_kver [SPEC]   SPEC = "" (newest 6.1) | "6.1" | "6.12" | full KVER
#                            | "debug" (the debug kernel, scripts/debug-kernel.sh;
#                            also by its release, 6.12.N-pswdebug) | "kcsan"
#                            (its KCSAN variant, scripts/debug-kernel.sh --kcsan;
#                            6.12.N-pswkcsan)
#   vm_prepare KVER          fill the cache build/vm/KVER/{vmlinux,initramfs.cpio}
#                            and set VM_VMLINUX, VM_INITRAMFS, VM_MODROOT (the
#                            dir holding lib/modules/KVER when not the host's /;
#                            empty for the Debian kernels)

VM_REPO=${VM_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
VM_BUILD=${VM_BUILD:-$VM_REPO/build/vm}
VM_DEBUG_DIR=${VM_DEBUG_DIR:-$VM_REPO/build/debug-kernel/out}
VM_KCSAN_DIR=${VM_KCSAN_DIR:-$VM_REPO/build/debug-kernel-kcsan/out}

# The cache dir of a debug kernel (SPEC or release): the KCSAN variant's or
# the KASAN one's.
vm_debug_dir() {
	case $1 in
	kcsan | *-pswkcsan) echo "$VM_KCSAN_DIR" ;;
	*) echo "$VM_DEBUG_DIR" ;;
	esac
}

vm_die() {
	echo "vm: error: $*" >&2
	exit 125
}

vm_log() {
	echo "vm: $*" >&2
}

# Newest installed kernel matching SPEC; prints the KVER.
vm_resolve_kver() {
	local spec=${1:-6.1} f k best="" dd
	local -a all=()
	case $spec in
	debug | *-pswdebug | kcsan | *-pswkcsan)
		dd=$(vm_debug_dir "$spec")
		[ -s "$dd/kernel.release" ] && [ -s "$dd/vmlinux" ] ||
			vm_die "the debug kernel is not built (scripts/debug-kernel.sh$([ "$dd" = "$VM_KCSAN_DIR" ] && echo " --kcsan") builds it into $dd)"
		k=$(cat "$dd/kernel.release")
		[ "$spec" = debug ] || [ "$spec" = kcsan ] || [ "$spec" = "$k" ] ||
			vm_die "debug kernel $spec asked for, $dd has $k"
		echo "$k"
		return ;;
	esac
	if [ -e "/boot/vmlinuz-$spec" ]; then
		[ -d "/lib/modules/$spec" ] || vm_die "kernel $spec has no /lib/modules/$spec"
		echo "$spec"
		return
	fi
	for f in /boot/vmlinuz-*; do
		[ -e "$f" ] || continue
		k=${f#/boot/vmlinuz-}
		# a series picks the generic flavour; RT guests are named in full
		case $k in *-rt-*) continue ;; esac
		case $k in
		"$spec".* | "$spec"-*) [ -d "/lib/modules/$k" ] && all+=("$k") ;;
		esac
	done
	[ ${#all[@]} -gt 0 ] && best=$(printf '%s\n' "${all[@]}" | sort -V | tail -n 1)
	[ -n "$best" ] || vm_die "no installed kernel matches '$spec' (have: $(cd /boot && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | tr '\n' ' '))"
	echo "$best"
}

# The kernel build dir (for out-of-tree modules) of KVER.
vm_kdir() {
	case $1 in
	*-pswdebug | *-pswkcsan) echo "$(vm_debug_dir "$1")/lib/modules/$1/build" ;;
	*) echo "/lib/modules/$1/build" ;;
	esac
}

# Extract the ELF vmlinux from a bzImage: find a compressed-stream magic and
# decompress from there; the first candidate that yields an ELF wins.
vm_extract_vmlinux() {
	local img=$1 out=$2 off magic tool
	local -a tries=(
		"fd377a585a00:xz -dc --single-stream"
		"28b52ffd:zstd -dcq"
		"1f8b0800:gzip -dcq"
		"1f8b0808:gzip -dcq"
	)
	local t
	for t in "${tries[@]}"; do
		magic=${t%%:*}
		tool=${t#*:}
		command -v "${tool%% *}" >/dev/null || continue
		# byte offsets of the magic (hex dump, one byte per line would be slow:
		# let grep find the raw bytes)
		local pat
		pat=$(echo "$magic" | sed 's/../\\x&/g')
		for off in $(LC_ALL=C grep -obUaP "$pat" "$img" 2>/dev/null | cut -d: -f1 | head -n 4); do
			tail -c +"$((off + 1))" "$img" | $tool >"$out.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
				mv -f "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

vm_prepare() {
	local kver=$1 dir img lockfd
	dir=$VM_BUILD/$kver
	case $kver in *-pswdebug | *-pswkcsan) vm_prepare_debug "$kver"; return ;; esac
	VM_MODROOT=
	img=/boot/vmlinuz-$kver
	[ -r "$img" ] || vm_die "no $img"
	mkdir -p "$dir"
	exec {lockfd}>"$dir/.lock"
	flock "$lockfd"
	if [ ! -s "$dir/vmlinux" ] || [ "$img" -nt "$dir/vmlinux" ]; then
		vm_log "extracting vmlinux from $img"
		vm_extract_vmlinux "$img" "$dir/vmlinux" || vm_die "could not extract an ELF vmlinux from $img"
	fi
	if [ ! -s "$dir/initramfs.cpio" ] || [ "$img" -nt "$dir/initramfs.cpio" ] ||
		[ "$VM_REPO/scripts/mkinitramfs.sh" -nt "$dir/initramfs.cpio" ] ||
		[ "/lib/modules/$kver/modules.dep" -nt "$dir/initramfs.cpio" ]; then
		vm_log "building initramfs for $kver"
		"$VM_REPO/scripts/mkinitramfs.sh" "$kver" "$dir/initramfs.cpio" ||
			vm_die "mkinitramfs.sh failed for $kver"
	fi
	exec {lockfd}>&-
	VM_VMLINUX=$dir/vmlinux
	VM_INITRAMFS=$dir/initramfs.cpio
}

# The debug kernel: vmlinux and modules from the debug-kernel cache (an ELF
# vmlinux with a PVH note already); the guest overlays
# $VM_DEBUG_DIR/lib/modules on /lib/modules (.vm/modroot, see mkinitramfs.sh).
vm_prepare_debug() {
	local kver=$1 dir lockfd md dd
	dd=$(vm_debug_dir "$kver")
	local VM_DEBUG_DIR=$dd
	dir=$VM_BUILD/$kver
	md=$VM_DEBUG_DIR/lib/modules/$kver
	[ -s "$VM_DEBUG_DIR/vmlinux" ] && [ -s "$md/modules.dep" ] ||
		vm_die "debug kernel $kver incomplete in $VM_DEBUG_DIR (scripts/debug-kernel.sh)"
	case $(cd "$VM_DEBUG_DIR" && pwd -P)/ in
	"$(cd "$VM_REPO" && pwd -P)"/*) ;;	# in the tree: vm-run shares it
	/tmp/* | /run/* | /root/*) vm_die "$VM_DEBUG_DIR is not visible in the guest (under /tmp /run /root, outside the tree)" ;;
	esac
	mkdir -p "$dir"
	exec {lockfd}>"$dir/.lock"
	flock "$lockfd"
	if [ ! -s "$dir/initramfs.cpio" ] || [ "$VM_REPO/scripts/mkinitramfs.sh" -nt "$dir/initramfs.cpio" ] ||
		[ "$md/modules.dep" -nt "$dir/initramfs.cpio" ]; then
		vm_log "building initramfs for $kver"
		"$VM_REPO/scripts/mkinitramfs.sh" "$kver" "$dir/initramfs.cpio" "$VM_DEBUG_DIR" ||
			vm_die "mkinitramfs.sh failed for $kver"
	fi
	exec {lockfd}>&-
	VM_VMLINUX=$VM_DEBUG_DIR/vmlinux
	VM_INITRAMFS=$dir/initramfs.cpio
	VM_MODROOT=$(cd "$VM_DEBUG_DIR" && pwd -P)
}
