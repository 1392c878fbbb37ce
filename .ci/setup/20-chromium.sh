# Browser test of the chart view (charts/browser_test.go): Debian's
# chromium, and playwright-core (no browser download) from
# charts/testdata/browser/package-lock.json. Sourced by .ci/run; never
# fails the run: without them the test skips, naming what is missing.
apt_install chromium
command -v npm >/dev/null || apt_install nodejs npm
if command -v npm >/dev/null; then
	(cd charts/testdata/browser && npm ci --no-audit --no-fund --loglevel=error) ||
		echo "ci: npm ci in charts/testdata/browser failed; the browser test will skip" >&2
fi
