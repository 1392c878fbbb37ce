# The official MCP conformance suite (cmd/mcp-server/conformance_test.go),
# pinned in .ci/conformance/package-lock.json (0.1.13, the newest that runs
# on Node 20). Sourced by .ci/run; never fails the run: without node or the
# installed suite the test skips, naming what is missing.
command -v npm >/dev/null || apt_install nodejs npm
if command -v npm >/dev/null; then
	(cd .ci/conformance && npm ci --no-audit --no-fund --loglevel=error) ||
		echo "ci: npm ci in .ci/conformance failed; the conformance test will skip" >&2
fi
