#!/bin/bash
# Harness self-test: a failing test (the runner must report "not ok").
echo "this test fails on purpose"
exit 7
