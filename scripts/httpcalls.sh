#!/usr/bin/env bash
# HTTP tool calls/s of mcp-server against the one-tool mcp-go floor
# (tools/internal/floorhttp) in one run, at concurrency 1 and 8: the
# floor's echo against build_cohort_definition and a query_insights dry
# run (neither needs Mixpanel; the server runs --demo, so nothing leaves
# the process). Rounds alternate the servers; each line is one mcpbench
# --url run. Not a test; nothing here runs in CI.
#
#   scripts/httpcalls.sh [ROUNDS]     (default 2)
#
# Needs mcpbench: MCPBENCH=path, default /tmp/mcpbench (build it with:
# go build -C ../shared/tools/mcpbench -o /tmp/mcpbench .). Run it on a
# quiet machine: the client and both servers share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
MCPBENCH=${MCPBENCH:-/tmp/mcpbench}
[ -x "$MCPBENCH" ] || { echo "httpcalls.sh: no mcpbench at $MCPBENCH" >&2; exit 2; }
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/mcp-server" ./cmd/mcp-server
go build -o "$work/floorhttp" ./tools/internal/floorhttp
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fp=$(port) op=$(port)
"$work/floorhttp" "127.0.0.1:$fp" 2>/dev/null & pids+=($!)
HOME=$work "$work/mcp-server" --transport http --listen "127.0.0.1:$op" --demo --toolsets default,cohorts --log-level error 2>/dev/null & pids+=($!)
for p in "$fp" "$op"; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
run() { # label url tool args concurrency
  "$MCPBENCH" --url "$2" --call "$3" --args "$4" -m 20000 --duration 6s --concurrency "$5" -n 1 -encoding none 2>/dev/null |
    grep '^{' | python3 -c '
import json, sys
c = json.loads(sys.stdin.read())["call"]
bad = c["errors"] + c["tool_errors"]
line = "%-24s c=%d  %7.0f calls/s  p50 %.2f ms" % (sys.argv[1], c["concurrency"], c["calls_per_s"], c["p50_ms"])
print(line + ("  %d FAILED" % bad if bad else ""))' "$1"
}
cohort='{"all_of":[{"criterion":"did_event","event":"Purchase","at_least":3,"within_days":30}]}'
dry='{"events":["Sign Up"],"last":30,"dry_run":true}'
for _ in $(seq "${1:-2}"); do
  for c in 1 8; do
    run "floor echo" "http://127.0.0.1:$fp/mcp" echo '{"text":"hi"}' "$c"
    run build_cohort_definition "http://127.0.0.1:$op/mcp" build_cohort_definition "$cohort" "$c"
    run "query_insights dry run" "http://127.0.0.1:$op/mcp" query_insights "$dry" "$c"
  done
done
