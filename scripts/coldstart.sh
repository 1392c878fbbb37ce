#!/usr/bin/env bash
# Cold start of the stdio server (spawn -> first tools/list answered), its
# peak RSS and tools/list size, against the one-tool mcp-go floor
# (tools/internal/floor), cold starts interleaved in one mcpbench run: the
# default selection, --toolsets all and --dynamic-toolsets. Not a test;
# nothing here runs in CI.
#
#   scripts/coldstart.sh [RUNS]     (default 40)
#
# The list round trip includes mcpbench decoding the answer, which grows
# with its size (BenchmarkClientDecodesList: ~2.8 ms for the default
# 73 KB on a 2-core machine, against ~0.3 ms for the floor's 322 B).
#
# Needs mcpbench: MCPBENCH=path, default /tmp/mcpbench (build it with:
# go build -C ../shared/tools/mcpbench -o /tmp/mcpbench .). Each cold start
# waits until other processes use < 15% of the CPU (--quiet); the figures
# of a busy machine are not comparable.
set -euo pipefail
cd "$(dirname "$0")/.."
MCPBENCH=${MCPBENCH:-/tmp/mcpbench}
[ -x "$MCPBENCH" ] || { echo "coldstart.sh: no mcpbench at $MCPBENCH" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/mcp-server" ./cmd/mcp-server
go build -o "$work/floor" ./tools/internal/floor
creds='"MP_USERNAME=u","MP_SECRET=s","MP_PROJECT_ID=1","HOME='"$work"'"'
cat > "$work/spec.json" <<SPEC
[{"label":"floor","cmd":["$work/floor"]},
 {"label":"default","cmd":["$work/mcp-server"],"env":[$creds]},
 {"label":"all","cmd":["$work/mcp-server","--toolsets","all"],"env":[$creds]},
 {"label":"dynamic","cmd":["$work/mcp-server","--dynamic-toolsets"],"env":[$creds]}]
SPEC
"$MCPBENCH" --spec "$work/spec.json" -n "${1:-40}" --quiet 15 -encoding none 2>/dev/null | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
floor = next(r for r in rows if r["label"] == "floor")["start_to_list_ms"]["median"]
for r in rows:
    m = r["start_to_list_ms"]["median"]
    init, rtt = r["start_to_init_ms"]["median"], r["list_ms"]["median"]
    label, rss = r["label"], r["rss_peak_kb"]["median"] / 1024
    tools, size, other = r["tools"]["median"], r["list_bytes"]["median"], r.get("other_cpu_pct", 0)
    print(f"{label:8} spawn->tools/list {m:6.1f} ms ({m / floor:.2f}x floor; initialize {init:5.1f}, list round trip {rtt:4.1f})  peak RSS {rss:5.1f} MiB  tools {tools:4.0f}  list {size:7.0f} B  other CPU {other:.1f}%")
'
