#!/usr/bin/env bash
# Claude Desktop extensions (MCP Bundles) of mcp-server, one per target:
# mcpb/bundle (manifest.json, generated from the inventory) plus the
# target's static binary in server/, packed by the official CLI.
#
#   scripts/pack-mcpb.sh [OUTDIR]      every release target into OUTDIR (default dist/):
#                                      mixpanel-mcp_VERSION_GOOS_GOARCH.mcpb
#
# TARGETS="darwin/arm64" packs only those. Needs node and `npm ci` in mcpb/.
# A bundle holds one binary: platform_overrides select by OS only, so the
# two architectures of an OS are two bundles.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-dist}
mkdir -p "$out" && out=$(cd "$out" && pwd)
version=$(node -p 'require(process.argv[1]).version' "$root/mcpb/bundle/manifest.json")
cli="$root/mcpb/node_modules/.bin/mcpb"
[[ -x $cli ]] || (cd "$root/mcpb" && npm ci --no-audit --no-fund --ignore-scripts)
"$cli" validate "$root/mcpb/bundle/manifest.json"

bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
TARGETS=${TARGETS:-$("$root/scripts/release.sh" --list | tr '\n' ' ')} "$root/scripts/release.sh" "v$version" "$bins"
for bin in "$bins"/mcp-server_*; do
	base=$(basename "$bin")
	target=${base#mcp-server_v${version}_}
	target=${target%.exe}
	stage="$bins/stage-$target"
	mkdir -p "$stage/server"
	cp "$root/mcpb/bundle/manifest.json" "$stage/"
	exe=mcp-server
	[[ $base == *.exe ]] && exe=mcp-server.exe
	cp "$bin" "$stage/server/$exe"
	"$cli" pack "$stage" "$out/mixpanel-mcp_${version}_${target}.mcpb"
done
