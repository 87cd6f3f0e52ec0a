#!/usr/bin/env bash
# Runs a chosen subset of the test suite under valgrind's memcheck and fails on any
# invalid read or write, use of uninitialised memory, or definite leak.
#
#     scripts/memcheck.sh              # the default subset below
#     scripts/memcheck.sh runtime      # only these integration tests
#
# The subset, and why: the unit tests of the four library crates (task cells, the
# owned-task list, the wheel's slab and lists with its property tests, waiter lists,
# channels, locks, the reactor's readiness); and every integration test of the
# runtime's own machinery: `runtime` (task cells, wakers, join/abort races, shutdown,
# the blocking pool), `faults` (panics unwinding through drops, hooks and waker
# clones), `soak` (the small versions: 20 000 tasks, 300 connections, abort and timer
# storms, dropping the runtime mid-IO, mid-sleep and mid-lock), `run_queue` (the queue
# property tests), `time`, `net`, `net_more`, `fs`, `structured`, `local`, `observe`,
# `block_in_place`, `slow_poll` and the `join!`/`select!` macros. That covers every
# module with `unsafe`. Left out: the `#[ignore]`d soak (the million-task run takes
# hours under valgrind), the tests of subprocesses, signals and stdio (valgrind
# intercepts signals and forks, so they test valgrind more than us), `macros_main`
# and the trybuild UI tests (compile-time behaviour). Threads are serialised under
# valgrind and everything runs 20 to 50 times slower; the whole subset takes about
# four minutes on two cores.
#
# Debug builds are checked: no optimiser-introduced false positives, and full
# stack traces in reports.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
    echo "memcheck.sh: valgrind is not installed" >&2
    exit 2
fi

integration=("$@")
if [ ${#integration[@]} -eq 0 ]; then
    integration=(runtime faults soak run_queue time net net_more fs structured local observe
        block_in_place slow_poll macros_join macros_select)
fi

# Builds the test binaries and prints the path of each executable cargo reports.
executables() {
    cargo test --no-run --message-format=json "$@" 2>/dev/null |
        jq -r 'select(.reason == "compiler-artifact" and .executable != null) | .executable'
}

binaries=()
args=()
for name in "${integration[@]}"; do args+=(--test "$name"); done
while read -r path; do binaries+=("$path"); done < <(executables -p spindle "${args[@]}")
if [ $# -eq 0 ]; then
    while read -r path; do binaries+=("$path"); done < <(executables -p spindle-sync -p spindle-timers -p spindle-executor -p spindle-reactor --lib)
fi

mkdir -p target/memcheck
status=0
for binary in "${binaries[@]}"; do
    name=$(basename "$binary")
    log="target/memcheck/$name.log"
    echo "== memcheck $name (full log: $log)"
    # The tests' hang guards assume native speed; SPINDLE_TEST_SLOW makes the guards
    # of the soak and fault tests wait longer, and tests run one at a time.
    set +e
    SPINDLE_TEST_SLOW=1 valgrind --tool=memcheck --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "$binary" --test-threads=1 >"$log" 2>&1
    code=$?
    set -e
    grep -E '^==[0-9]+== (ERROR SUMMARY|Invalid|Conditional|Use of|Mismatched|   definitely lost|   indirectly lost|   possibly lost|Process terminating)|^test result' "$log" || true
    if [ "$code" -ne 0 ]; then
        echo "!! memcheck failed for $name (exit $code)"
        status=1
    fi
done
exit $status
