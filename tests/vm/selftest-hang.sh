#!/bin/bash
# Harness self-test: a test that never ends.  Run with VM_TEST_TIMEOUT, the
# runner must kill it, report "not ok" and show where it was (xtrace).
marker=selftest-hang-was-here
echo "$marker" >/dev/null
sleep 100000
