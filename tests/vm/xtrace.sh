# shellcheck shell=bash
# BASH_ENV of the tests run by tests/vm/runner.sh: every bash the test
# starts traces its commands (set -x) into $VM_TRACE, not into its output,
# so that a test that hangs can be told where (the runner prints the last
# lines of the trace when a test times out).
if [ -n "${VM_TRACE:-}" ] && exec {_vm_xtrace_fd}>>"$VM_TRACE"; then
	PS4='+ ${BASH_SOURCE[0]##*/}:${LINENO}: '
	BASH_XTRACEFD=$_vm_xtrace_fd
	set -x
fi
