# The official MCP Bundle CLI (@anthropic-ai/mcpb, pinned in
# mcpb/package-lock.json) for TestMCPBValidate. Sourced by .ci/run; never
# fails the run: without node or the package the test skips, naming it.
command -v npm >/dev/null || apt_install nodejs npm
if command -v npm >/dev/null; then
	(cd mcpb && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) ||
		echo "ci: npm ci in mcpb failed; TestMCPBValidate will skip" >&2
fi
