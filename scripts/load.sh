#!/usr/bin/env bash
# Load figures of the HTTP server (not a test; nothing here runs in CI).
#
#   scripts/load.sh figures   calls/s and p99 at c=8 and c=64: one replica
#                             (in-process limits, then in Redis) and three stateless
#                             replicas sharing one Redis behind a
#                             round-robin proxy (scripts/rrproxy), on the
#                             dry-run path and on a path whose Query API
#                             request reaches the demo's in-process fake
#                             Mixpanel (through the limiter: a Redis lease
#                             per request with three replicas)
#   scripts/load.sh soak [MINUTES]
#                             one stateful replica, sessions opening and
#                             closing for MINUTES (default 10); prints its
#                             RSS at start and end and the live sessions
#
# Needs redis-server (figures) and mcpbench: MCPBENCH=path, default
# /tmp/mcpbench (build it with: go build -C ../shared/tools/mcpbench -o /tmp/mcpbench .).
# Everything binds loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
MCPBENCH=${MCPBENCH:-/tmp/mcpbench}
[ -x "$MCPBENCH" ] || { echo "load.sh: no mcpbench at $MCPBENCH" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/mcp-server" ./cmd/mcp-server
go build -o "$work/rrproxy" ./scripts/rrproxy

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() { # URL
	for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "load.sh: $1 did not come up" >&2; exit 1
}

# replica PORT [ARGS...]: a demo replica on PORT; its pid is in $last_pid.
replica() {
	local port=$1; shift
	MCP_LOG_LEVEL=warn "$work/mcp-server" --demo --transport http --listen "127.0.0.1:$port" "$@" 2>>"$work/replicas.log" &
	last_pid=$!
	pids+=("$last_pid")
	wait_up "http://127.0.0.1:$port/healthz"
}

DRY='{"events":["Signup"],"last":7,"dry_run":true}'
FAKE='{"events":["Signup"],"last":7}'

# bench LABEL URL ARGS C: one timed run; prints a table row.
bench() {
	local out
	out=$("$MCPBENCH" --url "$2" -n 1 --call query_insights --args "$3" --concurrency "$4" -m 4000 --duration 20s 2>&1 | tail -1)
	python3 - "$1" "$4" "$out" <<'PY'
import json, sys
label, c, line = sys.argv[1], sys.argv[2], sys.argv[3]
call = json.loads(line)["call"]
print(f"| {label} | {c} | {call['calls_per_s']:.0f} | {call['p99_ms']:.1f} | {call['errors'] + call['tool_errors']} |")
PY
}

figures() {
	command -v redis-server >/dev/null || { echo "load.sh: redis-server is not installed (apt-get install redis-server)" >&2; exit 2; }
	local rport; rport=$(free_port)
	redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
	pids+=("$!")
	for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done

	echo "| setup | c | calls/s | p99 ms | errors |"
	echo "|---|---|---|---|---|"
	local one; one=$(free_port)
	replica "$one" --stateless
	local solo=$last_pid
	for c in 8 64; do
		bench "1 replica, dry run" "http://127.0.0.1:$one/mcp" "$DRY" "$c"
		bench "1 replica, fake Mixpanel" "http://127.0.0.1:$one/mcp" "$FAKE" "$c"
	done
	kill "$solo"
	# The same replica with its limits in Redis: what the shared limiter
	# costs, apart from three replicas sharing two cores.
	one=$(free_port)
	replica "$one" --stateless --redis-url "redis://127.0.0.1:$rport/0"
	solo=$last_pid
	for c in 8 64; do
		bench "1 replica + Redis, dry run" "http://127.0.0.1:$one/mcp" "$DRY" "$c"
		bench "1 replica + Redis, fake Mixpanel" "http://127.0.0.1:$one/mcp" "$FAKE" "$c"
	done
	kill "$solo"

	local backends=()
	for _ in 1 2 3; do
		local p; p=$(free_port)
		replica "$p" --stateless --redis-url "redis://127.0.0.1:$rport/0"
		backends+=("http://127.0.0.1:$p")
	done
	local pport; pport=$(free_port)
	"$work/rrproxy" -listen "127.0.0.1:$pport" "${backends[@]}" &
	pids+=("$!")
	wait_up "http://127.0.0.1:$pport/healthz"
	for c in 8 64; do
		bench "3 replicas + Redis, dry run" "http://127.0.0.1:$pport/mcp" "$DRY" "$c"
		bench "3 replicas + Redis, fake Mixpanel" "http://127.0.0.1:$pport/mcp" "$FAKE" "$c"
	done
	echo "machine load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

soak() {
	local minutes=${1:-10}
	local port; port=$(free_port)
	replica "$port" --session-idle-timeout 1m
	local pid=$last_pid url="http://127.0.0.1:$port/mcp"
	# Warm up (first sessions, lazily built parts), then measure.
	"$MCPBENCH" --url "$url" -n 20 --call query_insights --args "$FAKE" --concurrency 8 -m 2000 --duration 20s >/dev/null 2>&1
	local start; start=$(rss_kib "$pid")
	echo "soak: RSS at start (after warm-up): $start KiB"
	local end_at=$((SECONDS + minutes * 60)) rounds=0 calls=0
	while [ $SECONDS -lt $end_at ]; do
		# Each round: 20 sessions opened (initialize + tools/list) and 8
		# calling workers, each on its own session; every one is closed
		# with DELETE at the end.
		local args=$DRY
		[ $((rounds % 2)) -eq 1 ] && args=$FAKE
		out=$("$MCPBENCH" --url "$url" -n 20 --call query_insights --args "$args" --concurrency 8 -m 2000 --duration 30s 2>&1 | tail -1)
		calls=$((calls + $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["call"]["count"])' "$out")))
		rounds=$((rounds + 1))
		echo "soak: round $rounds, $calls calls, RSS $(rss_kib "$pid") KiB"
	done
	local end; end=$(rss_kib "$pid")
	local live; live=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^mcp_sessions_live/ {print $2}')
	echo "soak: $minutes min, $rounds rounds ($((rounds * 28)) sessions opened and closed), $calls calls; RSS start $start KiB, end $end KiB; live sessions at end: $live"
}

case "${1:-figures}" in
figures) figures ;;
soak) soak "${2:-10}" ;;
*) echo "usage: scripts/load.sh figures | soak [MINUTES]" >&2; exit 2 ;;
esac
