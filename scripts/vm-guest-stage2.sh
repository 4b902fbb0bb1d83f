# shellcheck shell=sh
# Stage 2 of the vm-run guest: PID 1 after switch_root into the host root.
# scripts/vm-run copies this file to OUT/.vm/stage2.sh; the initramfs /init
# runs it with the host's static /bin/busybox sh (no dynamic loading over 9p).  Runs the command from .vm/cmd.sh with its output on
# ttyS1 (the host's stdout), writes .vm/status, saves dmesg, powers off.
ctl=/run/vm/.vm
out=/run/vm

say() { echo "vm-guest: $*" >/dev/ttyS1; }
finish() {
	echo "$1" >"$ctl/status"
	/bin/busybox dmesg >"$out/dmesg.txt" 2>/dev/null
	/bin/busybox sync
	/bin/busybox poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do /bin/busybox sleep 60; done
}

read -r t_boot _ </proc/uptime
echo "$t_boot" >"$ctl/t_boot"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 DM_DISABLE_UDEV=1
# cmd.sh sets: vm_cwd, the positional parameters (the command), VM_OUT and
# the --env exports/unsets.
# shellcheck source=/dev/null
. "$ctl/cmd.sh" || { say "cannot read $ctl/cmd.sh"; finish 125; }
if ! cd "$vm_cwd" 2>/dev/null; then
	say "the working directory $vm_cwd is not visible in the guest (the host /tmp, /run, /root are not shared)"
	finish 125
fi
"$@" </dev/null >/dev/ttyS1 2>&1
rc=$?
read -r t_end _ </proc/uptime
echo "$t_end" >"$ctl/t_end"
finish "$rc"
