#!/usr/bin/env bash
# Release binaries of mcp-server: static (CGO_ENABLED=0), reproducible
# (-trimpath, -ldflags "-s -w -X main.version -X main.commit", no build ID
# or VCS stamp that differs between checkouts), one per target, and their
# SHA-256 checksums in SHA256SUMS.
#
#   scripts/release.sh VERSION [OUTDIR]   build every target into OUTDIR
#                                         (default dist/) and write OUTDIR/SHA256SUMS
#   scripts/release.sh --list             print the targets (GOOS/GOARCH), one a line
#
# TARGETS="linux/amd64" builds only those (the test builds one target).
# Binaries are named mcp-server_VERSION_GOOS_GOARCH (.exe on Windows).
set -euo pipefail

ALL_TARGETS="darwin/amd64 darwin/arm64 linux/amd64 linux/arm64 windows/amd64 windows/arm64"

if [[ "${1:-}" == "--list" ]]; then
	tr ' ' '\n' <<<"$ALL_TARGETS"
	exit 0
fi
if [[ $# -lt 1 || $# -gt 2 || "$1" == -* ]]; then
	echo "usage: scripts/release.sh VERSION [OUTDIR] | --list" >&2
	exit 2
fi
version=$1
out=${2:-dist}
targets=${TARGETS:-$ALL_TARGETS}
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
if [[ "$commit" != unknown && -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
	commit="$commit-dirty"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
names=()
for t in $targets; do
	goos=${t%/*} goarch=${t#*/}
	case " $ALL_TARGETS " in *" $t "*) ;; *) echo "release.sh: unknown target $t (see --list)" >&2; exit 2 ;; esac
	name="mcp-server_${version}_${goos}_${goarch}"
	[[ $goos == windows ]] && name+=".exe"
	echo "building $name" >&2
	(cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid= -X main.version=$version -X main.commit=$commit" \
		-o "$out/$name" ./cmd/mcp-server)
	names+=("$name")
done

cd "$out"
if command -v sha256sum >/dev/null; then
	sha256sum "${names[@]}" >SHA256SUMS
else
	shasum -a 256 "${names[@]}" >SHA256SUMS
fi
echo "wrote $out/SHA256SUMS" >&2
