#!/usr/bin/env bash
# spindle and tokio behind real load generators: wrk (HTTP/1.1), h2load (HTTP/2) and
# redis-benchmark (RESP), against the servers in bench/examples/ (hello_*, resp_*), which
# run the same code on either runtime.
#
# For each workload, every round starts a fresh server of each runtime on a free loopback
# port, runs the client against it, and stops it; the runtime that goes first alternates
# from round to round, so drift on a shared machine hits both alike. Per round it records
# the client's requests/s and p50/p99 latency, and the server's CPU time (utime + stime
# from /proc/PID/stat, before and after the client) divided by the requests served. The
# table shows the medians of the rounds and spindle/tokio ratios of medians.
#
# A second pass (skip it with --no-syscalls) runs each workload once more per runtime
# with the server's syscalls counted, and divides the counts by the requests served in
# that run: by `strace -f -c` attached to the server (--counter strace, the default), or
# by `perf stat` on the syscall tracepoints (--counter perf), which costs the server next
# to nothing, or by both in turn (--counter strace,perf). strace stops the server at every syscall, so under it the server runs
# several times slower, and the counts of the calls that depend on timing (futex,
# epoll_wait: how often a worker goes to sleep and is woken) shift with it; perf's are
# the ones to compare with the timed rounds.
#
# --futex-stacks adds a third pass: wrk on HTTP/1.1 with every futex call's stack
# recorded, once with the server started under `strace -f -k --seccomp-bpf -e trace=futex`
# (only futex calls stop the server) and once, if perf is installed, with `perf record`
# on the futex tracepoint; the calls are grouped by the spindle (or tokio) function that
# issued them. The servers are rebuilt for it with frame pointers (in target/stacks),
# since strace's unwinder stops two frames up without them.
#
# Usage: bench/real-clients.sh [--rounds N] [--seconds S] [--only w1,w2]
#                              [--counter strace|perf|strace,perf] [--no-syscalls]
#                              [--futex-stacks]
# Workloads: http1 http2 axum redis-set redis-get redis-set-p16 redis-get-p16.
# Needs wrk, h2load and redis-benchmark (Debian: apt-get install -y wrk nghttp2-client
# redis-tools strace); a workload whose client is missing is skipped with a message.
# Writes nothing but its scratch directory (printed at the end) and the build.

set -euo pipefail

ROUNDS=5
SECONDS_PER_RUN=5
ONLY=""
SYSCALL_PASS=1
COUNTER=strace
FUTEX_STACKS=0
# redis-benchmark runs a fixed number of requests; pipelined, 100 000 of them take about
# 0.1 s, too short for CPU time counted in 10 ms ticks, so -P 16 runs ten times as many.
REDIS_REQUESTS=${REDIS_REQUESTS:-100000}
REDIS_PIPELINED_REQUESTS=${REDIS_PIPELINED_REQUESTS:-1000000}
WORKERS=2

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --no-syscalls) SYSCALL_PASS=0; shift ;;
        --counter) COUNTER=$2; shift 2 ;;
        --futex-stacks) FUTEX_STACKS=1; shift ;;
        *) echo "real-clients.sh: unknown argument $1; see the usage at the top of the script" >&2
           exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$CARGO_TARGET_DIR/release/examples
SCRATCH=$(mktemp -d /tmp/real-clients.XXXXXX)
RESULTS=$SCRATCH/results.tsv
SYSCALLS=$SCRATCH/syscalls.tsv
CLOCK_TICKS=$(getconf CLK_TCK)

# The server of this script's that is running, if any, so an interrupted run stops it.
SERVER_PID=""
trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi' EXIT

ALL_WORKLOADS="http1 http2 axum redis-set redis-get redis-set-p16 redis-get-p16"
WORKLOADS=""
for workload in $ALL_WORKLOADS; do
    if [ -n "$ONLY" ] && ! [[ ",$ONLY," == *",$workload,"* ]]; then
        continue
    fi
    case $workload in
        http1|axum) client=wrk ;;
        http2) client=h2load ;;
        redis-*) client=redis-benchmark ;;
    esac
    if command -v "$client" > /dev/null; then
        WORKLOADS="$WORKLOADS $workload"
    else
        echo "skipping $workload: $client is not installed (apt-get install -y wrk nghttp2-client redis-tools)" >&2
    fi
done
COUNTERS=""
for counter in ${COUNTER//,/ }; do
    if command -v "$counter" > /dev/null; then
        COUNTERS="$COUNTERS $counter"
    else
        echo "no syscall counts by $counter: it is not installed" >&2
    fi
done
[ -z "$COUNTERS" ] && SYSCALL_PASS=0
if [ -z "$WORKLOADS" ]; then
    echo "real-clients.sh: no workload to run" >&2
    exit 1
fi

echo "building the servers (release, with line tables) ..." >&2
(cd "$ROOT" && CARGO_PROFILE_RELEASE_DEBUG=1 cargo build --release -q -p spindle-bench \
    --example hello_spindle --example hello_tokio --example resp_spindle --example resp_tokio)
if [[ " $WORKLOADS " == *" axum "* ]]; then
    # The same axum source on spindle (ecosystem/, tokio patched to spindle) and on
    # tokio (bench/axum-tokio), each in its own workspace and target directory.
    (cd "$ROOT/ecosystem" && CARGO_TARGET_DIR="$ROOT/ecosystem/target" \
        cargo build --release -q --example axum_spindle)
    (cd "$ROOT/bench/axum-tokio" && CARGO_TARGET_DIR="$ROOT/bench/axum-tokio/target" \
        cargo build --release -q)
fi

# server_dir KIND RUNTIME: where the server binary KIND_RUNTIME was built.
server_dir() {
    case $1_$2 in
        axum_spindle) echo "$ROOT/ecosystem/target/release/examples" ;;
        axum_tokio) echo "$ROOT/bench/axum-tokio/target/release" ;;
        *) echo "$BIN" ;;
    esac
}

# start_server KIND RUNTIME [BINARY_DIR [WRAPPER...]]: starts hello_RUNTIME or
# resp_RUNTIME (under WRAPPER, e.g. strace, if given), sets SERVER_PID (the wrapper's,
# if any) and SERVER_LINE (the server's first line: the addresses it listens on).
start_server() {
    local kind=$1 runtime=$2 dir=${3:-$(server_dir "$1" "$2")}
    shift $(($# < 3 ? $# : 3))
    local out=$SCRATCH/server.out
    : > "$out"
    "$@" "$dir/${kind}_$runtime" --workers "$WORKERS" --exit-after 300 \
        > "$out" 2> "$SCRATCH/server.err" &
    SERVER_PID=$!
    for _ in $(seq 200); do
        if [ -s "$out" ]; then
            SERVER_LINE=$(head -1 "$out")
            return
        fi
        sleep 0.05
    done
    echo "real-clients.sh: ${kind}_$runtime printed no address in 10 s" >&2
    exit 1
}

# Stops the server; one started under a wrapper is stopped itself, so the wrapper
# (strace) writes its report and exits.
stop_server() {
    local server
    server=$(ps -o pid= --ppid "$SERVER_PID" | head -1 | tr -d ' ' || true)
    kill "${server:-$SERVER_PID}" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# The server's CPU time so far, in clock ticks: utime + stime, fields 14 and 15 of
# /proc/PID/stat (counted after the ")" that ends the command name, which may hold blanks).
cpu_ticks() {
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# address_for WORKLOAD: the host:port of the running server that WORKLOAD talks to.
address_for() {
    case $1 in
        http1|axum) echo "$SERVER_LINE" | sed 's/.*http1=\([^ ]*\).*/\1/' ;;
        http2) echo "$SERVER_LINE" | sed 's/.*http2=\([^ ]*\).*/\1/' ;;
        redis-*) echo "$SERVER_LINE" | sed 's/.*resp=\([^ ]*\).*/\1/' ;;
    esac
}

server_kind() {
    case $1 in
        axum) echo axum ;;
        http*) echo hello ;;
        redis-*) echo resp ;;
    esac
}

# run_client WORKLOAD ADDRESS: runs the load generator, prints
# "REQUESTS REQUESTS_PER_SECOND P50_US P99_US".
run_client() {
    local workload=$1 address=$2 out=$SCRATCH/client.out
    case $workload in
        http1|axum)
            wrk -t1 -c64 -d"${SECONDS_PER_RUN}s" --latency "http://$address/" > "$out"
            awk '
                function micros(text) {
                    if (text ~ /us$/) return text + 0
                    if (text ~ /ms$/) return text * 1000
                    if (text ~ /s$/) return text * 1000000
                    return text + 0
                }
                / requests in / { requests = $1 }
                /^Requests\/sec:/ { rate = $2 }
                $1 == "50%" { p50 = micros($2) }
                $1 == "99%" { p99 = micros($2) }
                END { printf "%d %.0f %.0f %.0f\n", requests, rate, p50, p99 }
            ' "$out"
            ;;
        http2)
            # h2load prints no percentiles; its per-request log does (third column:
            # microseconds from request to response).
            local log=$SCRATCH/h2load.log
            h2load -c16 -m10 -D"$SECONDS_PER_RUN" --log-file="$log" "http://$address/" > "$out"
            local requests rate
            requests=$(awk '/^requests:/ { print $8 }' "$out")
            rate=$(awk '/^finished in/ { print $4 }' "$out")
            cut -f3 "$log" | sort -n > "$log.sorted"
            rm "$log"
            awk -v requests="$requests" -v rate="$rate" '
                { latency[NR] = $1 }
                END {
                    p50 = latency[int(NR * 0.50) > 0 ? int(NR * 0.50) : 1]
                    p99 = latency[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1]
                    printf "%d %.0f %.0f %.0f\n", requests, rate, p50, p99
                }' "$log.sorted"
            rm "$log.sorted"
            ;;
        redis-*)
            local test=${workload#redis-} requests=$REDIS_REQUESTS pipeline=""
            if [[ $test == *-p16 ]]; then
                test=${test%-p16}
                requests=$REDIS_PIPELINED_REQUESTS
                pipeline="-P 16"
            fi
            # shellcheck disable=SC2086 # $pipeline is empty or two words on purpose
            redis-benchmark -h "${address%:*}" -p "${address##*:}" -t "$test" -c 50 \
                -n "$requests" $pipeline --csv > "$out"
            # "test","rps","avg","min","p50","p95","p99","max", latencies in ms.
            tr -d '"' < "$out" | awk -F, -v requests="$requests" 'NR == 2 {
                printf "%d %.0f %.0f %.0f\n", requests, $2, $5 * 1000, $7 * 1000 }'
            ;;
    esac
}

# measure WORKLOAD RUNTIME ROUND: one timed run, appended to RESULTS.
measure() {
    local workload=$1 runtime=$2 round=$3
    start_server "$(server_kind "$workload")" "$runtime"
    local address before after
    address=$(address_for "$workload")
    before=$(cpu_ticks "$SERVER_PID")
    read -r requests rate p50 p99 < <(run_client "$workload" "$address")
    after=$(cpu_ticks "$SERVER_PID")
    stop_server
    local cpu_per_request
    cpu_per_request=$(awk -v ticks=$((after - before)) -v hz="$CLOCK_TICKS" -v n="$requests" \
        'BEGIN { printf "%.2f", (n > 0 ? ticks * 1000000 / hz / n : 0) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$runtime" "$round" "$rate" "$p50" "$p99" \
        "$cpu_per_request" >> "$RESULTS"
    printf '  %-14s %-8s round %s: %8s req/s  p50 %6s us  p99 %7s us  %6s us CPU/req\n' \
        "$workload" "$runtime" "$round" "$rate" "$p50" "$p99" "$cpu_per_request" >&2
}

# strace_attach PID OUTPUT ARGS...: attaches strace to every thread of PID in the
# background, sets STRACE_PID and returns once it is attached.
strace_attach() {
    local pid=$1 output=$2
    shift 2
    local threads=()
    for task in /proc/"$pid"/task/*; do
        threads+=(-p "${task##*/}")
    done
    strace -f "$@" -o "$output" "${threads[@]}" 2> "$SCRATCH/strace.err" &
    STRACE_PID=$!
    for _ in $(seq 100); do
        if grep -q attached "$SCRATCH/strace.err" 2> /dev/null; then
            break
        fi
        sleep 0.05
    done
    sleep 0.2
}

strace_detach() {
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true
}

# The syscalls counted, as perf tracepoints, and the column each adds to.
PERF_EVENTS="read:reads readv:reads recvfrom:reads recvmsg:reads write:writes writev:writes
    sendto:writes sendmsg:writes epoll_wait:polls epoll_pwait:polls epoll_pwait2:polls
    futex:futexes"

# count_syscalls WORKLOAD RUNTIME COUNTER: one run with the server's syscalls counted
# by COUNTER (strace or perf), per-request counts appended to SYSCALLS.
count_syscalls() {
    local workload=$1 runtime=$2 counter=$3 report=$SCRATCH/$3.$1.$2
    start_server "$(server_kind "$workload")" "$runtime"
    local address counter_pid
    address=$(address_for "$workload")
    if [ "$counter" = perf ]; then
        local events=raw_syscalls:sys_enter
        for event in $PERF_EVENTS; do events="$events,syscalls:sys_enter_${event%%:*}"; done
        perf stat -x, -e "$events" -p "$SERVER_PID" -o "$report" &
        counter_pid=$!
        sleep 0.3
    else
        strace_attach "$SERVER_PID" "$report" -c
        counter_pid=$STRACE_PID
    fi
    read -r requests _ _ _ < <(run_client "$workload" "$address")
    kill -INT "$counter_pid" 2>/dev/null || true
    wait "$counter_pid" 2>/dev/null || true
    stop_server
    # perf -x,: "COUNT,,EVENT,...". strace -c: "% time seconds usecs/call calls
    # [errors] syscall" per syscall, then a line ending in "total".
    awk -v workload="$workload" -v runtime="$runtime" -v n="$requests" \
        -v counter="$counter" -v events="$PERF_EVENTS" '
        BEGIN {
            split(events, pairs, /[ \n]+/)
            for (i in pairs) if (split(pairs[i], pair, ":") == 2) column[pair[1]] = pair[2]
        }
        counter == "perf" && /^[0-9]+,/ {
            split($0, fields, ",")
            name = fields[3]
            if (name == "raw_syscalls:sys_enter") sums["total"] += fields[1]
            sub(/^syscalls:sys_enter_/, "", name)
            if (name in column) sums[column[name]] += fields[1]
        }
        counter == "strace" && NF >= 5 {
            if ($NF == "total") sums["total"] += $4
            else if ($NF in column) sums[column[$NF]] += $4
        }
        END {
            printf "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\n", workload, runtime,
                counter, sums["reads"] / n, sums["writes"] / n, sums["polls"] / n,
                sums["futexes"] / n, sums["total"] / n, n
        }' "$report" >> "$SYSCALLS"
    echo "  $workload $runtime: $(tail -1 "$SYSCALLS" | cut -f3-)" >&2
}

# The futex traces below are first rewritten to one line per call, "CALL OPERATION",
# followed by one "FRAME FUNCTION" line per frame, innermost first; group_futex_stacks
# then reads that.

# strace -k: "TID futex(ADDRESS, FUTEX_WAKE_PRIVATE, ...) = 1" then " > DSO(FUNCTION+0xOFFSET)
# [ADDRESS]" lines. A call that blocked is printed as "<unfinished ...>" without a stack,
# and its stack follows the "<... futex resumed>" line of the same thread, printed after
# lines of other threads.
normalize_strace_futex() {
    awk '
        /^[0-9]+ +futex\(/ {
            operation = $3
            sub(/,$/, "", operation)
            sub(/_PRIVATE/, "", operation)
            if ($0 ~ /<unfinished \.\.\.>$/) { pending[$1] = operation; next }
            print "CALL " operation
            next
        }
        /^[0-9]+ +<\.\.\. futex resumed>/ { print "CALL " pending[$1]; delete pending[$1]; next }
        /^ > .*\(.*\+0x/ {
            frame = $0
            sub(/^[^(]*\(/, "", frame)
            sub(/\+0x[0-9a-f]+\).*/, "", frame)
            print "FRAME " frame
        }' "$1"
}

# perf script: "COMM TID [CPU] TIME: syscalls:sys_enter_futex: uaddr: ..., op: 0x00000081,
# ..." then "\tADDRESS FUNCTION+0xOFFSET (DSO)" lines.
normalize_perf_futex() {
    perf script -i "$1" 2> /dev/null | awk '
        BEGIN {
            split("WAIT WAKE FD REQUEUE CMP_REQUEUE WAKE_OP LOCK_PI UNLOCK_PI TRYLOCK_PI WAIT_BITSET WAKE_BITSET", names, " ")
        }
        /sys_enter_futex:/ {
            match($0, /op: 0x[0-9a-f]+/)
            code = 0
            digits = substr($0, RSTART + 6, RLENGTH - 6)
            for (i = 1; i <= length(digits); i++)
                code = code * 16 + index("0123456789abcdef", substr(digits, i, 1)) - 1
            code = code % 128   # FUTEX_PRIVATE_FLAG
            print "CALL FUTEX_" (code + 1 in names ? names[code + 1] : code)
            next
        }
        /^\t/ {
            frame = $0
            sub(/^[ \t]*[0-9a-f]+ /, "", frame)
            sub(/\+0x[0-9a-f]+ \(.*$/, "", frame)
            sub(/ \(.*$/, "", frame)
            print "FRAME " frame
        }'
}

# group_futex_stacks REQUESTS CRATE_PATTERN: counts the calls by operation, by how they
# reached the kernel (the first frame above the raw syscall: a condvar wait or notify,
# glibc malloc's arena lock "in" the allocator function) and by the first frame in the
# runtime's own crates, with the frame it called ("->").
group_futex_stacks() {
    awk -v n="$1" -v crates="$2" '
        function flush() {
            if (operation == "") return
            key = operation "  " mechanism "  |  " (site == "" ? "(no " crates " frame)" : site)
            count[key]++
            calls++
            operation = ""
        }
        $1 == "CALL" {
            flush()
            operation = $2; mechanism = ""; site = ""; previous = ""
            next
        }
        $1 == "FRAME" && operation != "" {
            frame = substr($0, 7)
            if (frame == "syscall") next
            if (mechanism == "") mechanism = frame
            else if (mechanism ~ /^__lll_lock/ && mechanism !~ / in /) mechanism = mechanism " in " frame
            if (site == "" && frame ~ crates) site = frame (previous == "" ? "" : "  -> " previous)
            previous = frame
        }
        END {
            flush()
            for (key in count) printf "%8d  %6.4f/req  %s\n", count[key], count[key] / n, key
            printf "%8d  %6.4f/req  all futex calls\n", calls, calls / n
        }' | sort -rn
}

# futex_stacks RUNTIME TRACER: wrk on HTTP/1.1 against the frame-pointer build, with
# every futex call's stack recorded: by strace (the server started under
# `strace -f -k --seccomp-bpf -e trace=futex`, so only futex calls stop it, but each one
# costs an unwind) or by perf (`perf record --call-graph fp` on the futex tracepoint,
# next to free), then grouped by call site.
futex_stacks() {
    local runtime=$1 tracer=$2 trace=$SCRATCH/futex.$1.$2
    local dir=$CARGO_TARGET_DIR/stacks/release/examples requests
    if [ "$tracer" = strace ]; then
        start_server hello "$runtime" "$dir" strace -f -k --seccomp-bpf -e trace=futex -o "$trace"
        read -r requests _ _ _ < <(run_client http1 "$(address_for http1)")
        stop_server
    else
        start_server hello "$runtime" "$dir"
        perf record -q -e syscalls:sys_enter_futex --call-graph fp -p "$SERVER_PID" \
            -o "$trace" 2> "$SCRATCH/perf.err" &
        local recorder=$!
        sleep 0.5
        read -r requests _ _ _ < <(run_client http1 "$(address_for http1)")
        kill -INT "$recorder" 2>/dev/null || true
        wait "$recorder" 2>/dev/null || true
        stop_server
    fi
    local crate_pattern='^spindle'
    [ "$runtime" = tokio ] && crate_pattern='^tokio'
    echo "futex calls of $runtime under wrk HTTP/1.1, stacks by $tracer ($requests requests):"
    echo
    echo '```text'
    "normalize_${tracer}_futex" "$trace" | group_futex_stacks "$requests" "$crate_pattern"
    echo '```'
}

echo "scratch directory: $SCRATCH" >&2
for workload in $WORKLOADS; do
    echo "$workload: $ROUNDS rounds" >&2
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then order="spindle tokio"; else order="tokio spindle"; fi
        for runtime in $order; do
            measure "$workload" "$runtime" "$round"
        done
    done
done

if [ "$SYSCALL_PASS" = 1 ]; then
    echo "syscall counts ($COUNTERS ) ..." >&2
    for counter in $COUNTERS; do
        for workload in $WORKLOADS; do
            for runtime in spindle tokio; do
                count_syscalls "$workload" "$runtime" "$counter"
            done
        done
    done
fi

if [ "$ROUNDS" -gt 0 ]; then
    echo
    echo "Medians of $ROUNDS rounds, $WORKERS workers; ratio = spindle / tokio (below 1.00 spindle"
    echo "is faster for latency and CPU, slower for req/s)."
    echo
    echo "| workload | req/s spindle | req/s tokio | ratio | p50 us spindle | p50 us tokio | ratio | p99 us spindle | p99 us tokio | ratio | CPU us/req spindle | CPU us/req tokio | ratio |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' '
        function median(list,    values, count, i, j, swap) {
            count = split(list, values, " ")
            for (i = 2; i <= count; i++)
                for (j = i; j > 1 && values[j - 1] + 0 > values[j] + 0; j--) {
                    swap = values[j]; values[j] = values[j - 1]; values[j - 1] = swap
                }
            return count % 2 ? values[(count + 1) / 2] : (values[count / 2] + values[count / 2 + 1]) / 2
        }
        function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
        {
            if (!($1 in seen)) { seen[$1] = 1; order[++workloads] = $1 }
            for (column = 4; column <= 7; column++) samples[$1, $2, column] = samples[$1, $2, column] " " $column
        }
        END {
            for (w = 1; w <= workloads; w++) {
                name = order[w]
                line = "| " name
                for (column = 4; column <= 7; column++) {
                    s = median(samples[name, "spindle", column])
                    t = median(samples[name, "tokio", column])
                    line = line sprintf(" | %s | %s | %s", s, t, ratio(s, t))
                }
                print line " |"
            }
        }' "$RESULTS"
fi

if [ "$SYSCALL_PASS" = 1 ]; then
    echo
    echo "Syscalls per request (one run per counter, workload and runtime)."
    echo
    echo "| workload | runtime | counted by | read/recv | write/send | epoll_wait | futex | total | requests |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' \
        "$SYSCALLS"
fi

if [ "$FUTEX_STACKS" = 1 ]; then
    echo "building the HTTP servers with frame pointers for the futex stacks ..." >&2
    (cd "$ROOT" && CARGO_TARGET_DIR=$CARGO_TARGET_DIR/stacks CARGO_PROFILE_RELEASE_DEBUG=1 \
        RUSTFLAGS="-C force-frame-pointers=yes" cargo build --release -q -p spindle-bench \
        --example hello_spindle --example hello_tokio)
    for tracer in strace perf; do
        if ! command -v "$tracer" > /dev/null; then
            echo "no futex stacks by $tracer: it is not installed" >&2
            continue
        fi
        for runtime in spindle tokio; do
            echo
            futex_stacks "$runtime" "$tracer"
        done
    done
fi

echo >&2
echo "raw results and traces: $SCRATCH" >&2
