package charts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/charts"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// The browser test's folders: the node driver (package.json,
// package-lock.json, run.mjs, host.html) and where screenshots go
// (git-ignored; each run overwrites them).
const (
	browserDir = "testdata/browser"
	outDir     = "testdata/out"
)

// fixedNow anchors relative dates: the day the fake's dataset ends.
var fixedNow = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)

// browserCase is one tool call whose real result the view must draw.
type browserCase struct {
	name, tool, args string
	kind             string
	// expect gives, from the tool's structuredContent (decoded
	// generically, not through the view's code), how many elements of
	// each selector the drawing must have.
	expect func(t *testing.T, sc map[string]any) map[string]int
}

var browserCases = []browserCase{
	{"insights-lines", "query_insights", `{"events": ["Signup", "Purchase"], "from_date": "2026-11-01", "to_date": "2026-11-14"}`, "time",
		func(t *testing.T, sc map[string]any) map[string]int {
			n, points := leafSeries(obj(t, sc, "result", "series"))
			return map[string]int{".series": n, ".legend li": n, "circle": points}
		}},
	{"insights-breakdown", "query_insights", `{"events": "Signup", "math": "unique", "from_date": "2026-11-01", "to_date": "2026-11-07", "group_by": "platform"}`, "time",
		func(t *testing.T, sc map[string]any) map[string]int {
			n, _ := leafSeries(obj(t, sc, "result", "series"))
			return map[string]int{".series": n, ".legend li": n}
		}},
	{"insights-bars", "query_insights", `{"events": ["Signup", "Purchase"], "from_date": "2026-11-01", "to_date": "2026-11-03"}`, "time",
		func(t *testing.T, sc map[string]any) map[string]int {
			n, points := leafSeries(obj(t, sc, "result", "series"))
			return map[string]int{".bar": points, ".series": 0, ".legend li": n}
		}},
	{"insights-total", "query_insights", `{"events": "Purchase", "mode": "total"}`, "total",
		func(t *testing.T, sc map[string]any) map[string]int { return map[string]int{".big": 1, ".bar": 0} }},
	{"insights-total-breakdown", "query_insights", `{"events": "Purchase", "mode": "total", "group_by": "country"}`, "total",
		func(t *testing.T, sc map[string]any) map[string]int {
			n, _ := leafSeries(obj(t, sc, "result", "series"))
			return map[string]int{".bar": min(n, 25), ".big": 0}
		}},
	{"funnel", "query_funnel", `{"steps": ["Signup", "Add To Cart", "Purchase"], "from_date": "2026-01-01", "to_date": "2026-01-31"}`, "funnel",
		func(t *testing.T, sc map[string]any) map[string]int {
			return map[string]int{".bar": len(list(t, sc, "result", "steps_data")), ".segbar": 0}
		}},
	{"funnel-segments", "query_funnel", `{"steps": ["Signup", "Purchase"], "group_by": "platform"}`, "funnel",
		func(t *testing.T, sc map[string]any) map[string]int {
			return map[string]int{".bar": len(list(t, sc, "result", "steps_data")), ".segbar": len(obj(t, sc, "result", "segment_steps"))}
		}},
	{"retention", "query_retention", `{"born_event": "Signup", "return_event": "Login", "last": 84}`, "retention",
		func(t *testing.T, sc map[string]any) map[string]int {
			cells := len(list(t, sc, "result", "average", "rates"))
			for _, c := range obj(t, sc, "result", "cohorts") {
				cells += len(c.(map[string]any)["rates"].([]any))
			}
			return map[string]int{".cell": cells, ".cell.avg": len(list(t, sc, "result", "average", "rates"))}
		}},
	{"retention-segments", "query_retention", `{"born_event": "Signup", "return_event": "Login", "group_by": "platform", "last": 21}`, "retention",
		func(t *testing.T, sc map[string]any) map[string]int {
			cells := len(list(t, sc, "result", "average", "rates"))
			for _, group := range []string{"cohorts", "segment_averages"} {
				for _, c := range obj(t, sc, "result", group) {
					cells += len(c.(map[string]any)["rates"].([]any))
				}
			}
			return map[string]int{".cell": cells}
		}},
	{"flow-sankey", "query_flow", `{"event": "Product Viewed", "forward": 3, "reverse": 1}`, "sankey",
		func(t *testing.T, sc map[string]any) map[string]int {
			return map[string]int{".link": countEdges(list(t, sc, "result", "steps"))}
		}},
	{"flow-paths", "query_flow", `{"event": "Product Viewed", "mode": "paths", "cardinality": 4}`, "paths",
		func(t *testing.T, sc map[string]any) map[string]int {
			flows := list(t, sc, "result", "flows")
			steps := 0
			for _, f := range flows {
				steps += len(f.(map[string]any)["flow_steps"].([]any))
			}
			return map[string]int{".paths li": len(flows), ".chip": steps, ".link": steps - len(flows)}
		}},
	{"flow-tree", "query_flow", `{"event": ["Product Viewed", "Signup"], "mode": "tree", "forward": 2}`, "tree",
		func(t *testing.T, sc map[string]any) map[string]int {
			nodes := list(t, sc, "tree_nodes")
			links := 0
			for _, n := range nodes {
				if n.(map[string]any)["depth"].(float64) > 0 {
					links++
				}
			}
			return map[string]int{".node": len(nodes), ".link": links}
		}},
	{"saved-insights", "query_saved_report", `{"bookmark_id": 63880001}`, "time",
		func(t *testing.T, sc map[string]any) map[string]int {
			n, _ := leafSeries(obj(t, sc, "series"))
			return map[string]int{".series": n}
		}},
	{"saved-funnel", "query_saved_report", `{"bookmark_id": 63880003, "bookmark_type": "funnels"}`, "funnel",
		func(t *testing.T, sc map[string]any) map[string]int {
			steps := 0
			for _, d := range obj(t, sc, "series") {
				steps = max(steps, len(d.(map[string]any)["steps"].([]any)))
			}
			return map[string]int{".bar": steps}
		}},
	{"saved-retention", "query_saved_report", `{"bookmark_id": 63880004, "bookmark_type": "retention"}`, "retention",
		func(t *testing.T, sc map[string]any) map[string]int {
			cells, longest := 0, 0
			for _, c := range obj(t, sc, "series") {
				n := len(c.(map[string]any)["counts"].([]any))
				cells, longest = cells+n, max(longest, n)
			}
			return map[string]int{".cell": cells + longest, ".cell.avg": longest}
		}},
	{"saved-flows", "query_saved_flows", `{"bookmark_id": 63880005}`, "sankey",
		func(t *testing.T, sc map[string]any) map[string]int {
			return map[string]int{".link": countEdges(list(t, sc, "steps"))}
		}},
	{"dry-run", "query_funnel", `{"steps": ["Signup", "Purchase"], "dry_run": true}`, "message",
		func(t *testing.T, sc map[string]any) map[string]int { return map[string]int{"svg": 0} }},
	{"invalid-input", "query_insights", `{"events": "Purchase", "mode": "bar"}`, "message",
		func(t *testing.T, sc map[string]any) map[string]int { return map[string]int{"svg": 0} }},
}

// TestChartsInBrowser runs the query tools against the fake Mixpanel,
// hands their results to the view in headless Chromium through the MCP
// Apps host messages (testdata/browser/host.html plays the host), and
// checks each chart kind draws the right number of series, bars, cells and
// links, in light and dark, with no console error and no request of its
// own. Screenshots land in charts/testdata/out.
func TestChartsInBrowser(t *testing.T) {
	node := requireBrowser(t)
	srv := mixpaneltest.New(t)
	srv.Data.Now = fixedNow
	env := tools.NewEnv(srv.Client(t), nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }

	type served struct {
		Tool      string          `json:"tool"`
		Arguments json.RawMessage `json:"arguments"`
		Result    json.RawMessage `json:"result"`
	}
	var results []served
	want := make([]map[string]int, len(browserCases))
	for i, c := range browserCases {
		tool := tools.Lookup(c.tool)
		if tool == nil || !tool.Chart {
			t.Fatalf("%s: %s is not a charted tool", c.name, c.tool)
		}
		res := tool.Call(context.Background(), env, json.RawMessage(c.args))
		raw, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if res.IsError != (c.name == "invalid-input") {
			t.Fatalf("%s: unexpected isError=%v: %s", c.name, res.IsError, raw)
		}
		var sc map[string]any
		if res.StructuredContent != nil {
			b, _ := json.Marshal(res.StructuredContent)
			if err := json.Unmarshal(b, &sc); err != nil {
				t.Fatal(err)
			}
		}
		want[i] = c.expect(t, sc)
		results = append(results, served{Tool: c.tool, Arguments: json.RawMessage(c.args), Result: raw})
	}

	host, err := os.ReadFile(filepath.Join(browserDir, "host.html"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /host.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(host)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /app.html", func(w http.ResponseWriter, _ *http.Request) {
		// The spec's default CSP for a view that declares no domain: a
		// fetch or an external script would be refused and logged.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' data:; connect-src 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(charts.HTML))
	})
	mux.HandleFunc("GET /case/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.PathValue("i"))
		if err != nil || i < 0 || i >= len(results) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(results[i])
	})
	web := httptest.NewServer(mux)
	defer web.Close()

	// Every case in both host themes, the OS preference set to the other
	// one (the host's theme must win); two with no host theme, where the
	// OS preference (prefers-color-scheme) decides until the host sends
	// host-context-changed with a theme.
	type specCase struct {
		Index     int      `json:"index"`
		Name      string   `json:"name"`
		Selectors []string `json:"selectors"`
	}
	type variant struct {
		Theme    string     `json:"theme,omitempty"`
		OS       string     `json:"os"`
		SwitchTo string     `json:"switchTo,omitempty"`
		Cases    []specCase `json:"cases"`
	}
	var all, osOnly []specCase
	for i, c := range browserCases {
		var sels []string
		for s := range want[i] {
			sels = append(sels, s)
		}
		all = append(all, specCase{i, c.name, sels})
		if c.name == "insights-lines" || c.name == "retention" {
			osOnly = append(osOnly, all[i])
		}
	}
	spec := struct {
		Variants []variant `json:"variants"`
	}{[]variant{{"light", "dark", "", all}, {"dark", "light", "", all}, {"", "dark", "light", osOnly}}}
	raw, _ := json.Marshal(spec)
	specFile := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(specFile, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, _ := filepath.Abs(outDir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "run.mjs", web.URL, specFile, out)
	cmd.Dir = browserDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.mjs: %v\n%s", err, stderr.String())
	}
	var got []struct {
		Theme, OS, Failure string
		Errors             []string
		Requests           []struct {
			URL string
			App bool
		}
		Cases []struct {
			Name, Kind, Title, Failure       string
			Background, SwitchedBackground   string
			Counts                           map[string]int
			Charts, UnnamedCharts, TableRows int
			FrameHeight                      float64
			HostLog                          []map[string]any
		}
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("driver output: %v\n%s", err, stdout)
	}
	if len(got) != len(spec.Variants) {
		t.Fatalf("driver ran %d of %d variants", len(got), len(spec.Variants))
	}
	for vi, v := range got {
		vlabel := fmt.Sprintf("theme %q, OS %s", v.Theme, v.OS)
		if v.Failure != "" {
			t.Errorf("%s: %s", vlabel, v.Failure)
		}
		if len(v.Errors) > 0 {
			t.Errorf("%s: console errors: %v", vlabel, v.Errors)
		}
		for _, r := range v.Requests {
			if r.App && r.URL != web.URL+"/app.html" || !strings.HasPrefix(r.URL, web.URL+"/") {
				t.Errorf("%s: a view fetched %s; it must fetch nothing", vlabel, r.URL)
			}
		}
		cases := spec.Variants[vi].Cases
		if len(v.Cases) != len(cases) {
			t.Errorf("%s: driver checked %d of %d cases", vlabel, len(v.Cases), len(cases))
			continue
		}
		for ci, g := range v.Cases {
			i := cases[ci].Index
			c := browserCases[i]
			label := fmt.Sprintf("%s (%s)", c.name, vlabel)
			if g.Failure != "" {
				t.Errorf("%s: %s", label, g.Failure)
				continue
			}
			if g.Kind != c.kind {
				t.Errorf("%s: drew %q, want %q (title %q)", label, g.Kind, c.kind, g.Title)
			}
			for sel, n := range want[i] {
				if g.Counts[sel] != n {
					t.Errorf("%s: %d elements %q, want %d", label, g.Counts[sel], sel, n)
				}
			}
			if c.kind != "message" {
				if g.TableRows == 0 {
					t.Errorf("%s: no data table fallback", label)
				}
				if g.UnnamedCharts != 0 {
					t.Errorf("%s: %d of %d charts have no accessible name (role=img + title)", label, g.UnnamedCharts, g.Charts)
				}
			}
			theme := cmpOr(v.Theme, v.OS)
			if dark := luminance(t, g.Background) < 0.4; dark != (theme == "dark") {
				t.Errorf("%s: background %s does not follow the %s theme", label, g.Background, theme)
			}
			if sw := spec.Variants[vi].SwitchTo; sw != "" {
				if dark := luminance(t, g.SwitchedBackground) < 0.4; dark != (sw == "dark") {
					t.Errorf("%s: after host-context-changed to %s the background is %s", label, sw, g.SwitchedBackground)
				}
			}
			checkHostLog(t, label, g.HostLog)
			if g.FrameHeight < 60 {
				t.Errorf("%s: the host sized the view to %.0fpx: no size-changed with the content's height", label, g.FrameHeight)
			}
		}
	}
	t.Logf("screenshots: %s", out)
}

// checkHostLog checks the view's side of the handshake: ui/initialize
// first with the spec's protocol version, then initialized, then its size.
func checkHostLog(t *testing.T, label string, log []map[string]any) {
	t.Helper()
	var methods []string
	for _, m := range log {
		methods = append(methods, fmt.Sprint(m["method"]))
	}
	if len(log) < 3 || methods[0] != "ui/initialize" || methods[1] != "ui/notifications/initialized" {
		t.Errorf("%s: the view sent %v; want ui/initialize, ui/notifications/initialized, then size-changed", label, methods)
		return
	}
	params, _ := log[0]["params"].(map[string]any)
	if params["protocolVersion"] != "2026-01-26" || params["appInfo"] == nil || params["appCapabilities"] == nil {
		t.Errorf("%s: ui/initialize params %v", label, params)
	}
	for _, m := range methods[2:] {
		if m != "ui/notifications/size-changed" {
			t.Errorf("%s: unexpected message %s from the view", label, m)
		}
	}
}

// requireBrowser returns the node binary, or skips the test naming what
// is missing (.ci/setup/20-chromium.sh installs all of it).
func requireBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := cmpOr(os.Getenv("CHROMIUM"), "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("chromium is not installed at %s (apt-get install chromium, or set CHROMIUM); skipping the browser test", chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; skipping the browser test")
	}
	if _, err := os.Stat(filepath.Join(browserDir, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skipf("playwright-core is not installed: run `npm ci` in charts/%s; skipping the browser test", browserDir)
	}
	return node
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// luminance of a CSS rgb()/rgba() color, 0 (black) to 1 (white).
func luminance(t *testing.T, css string) float64 {
	t.Helper()
	var r, g, b float64
	s := strings.NewReplacer("rgba(", "", "rgb(", "", ")", "", ",", " ").Replace(css)
	if _, err := fmt.Sscan(s, &r, &g, &b); err != nil {
		t.Fatalf("background color %q: %v", css, err)
	}
	return (0.2126*r + 0.7152*g + 0.0722*b) / 255
}

// obj and list walk a decoded structuredContent, failing the test when
// the path is missing.
func obj(t *testing.T, v any, path ...string) map[string]any {
	t.Helper()
	m, ok := walk(t, v, path).(map[string]any)
	if !ok {
		t.Fatalf("structuredContent %v is not an object", path)
	}
	return m
}

func list(t *testing.T, v any, path ...string) []any {
	t.Helper()
	l, ok := walk(t, v, path).([]any)
	if !ok {
		t.Fatalf("structuredContent %v is not a list", path)
	}
	return l
}

func walk(t *testing.T, v any, path []string) any {
	t.Helper()
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("structuredContent has no %v", path)
		}
		v = m[p]
	}
	return v
}

// leafSeries counts the series of an Insights series map (objects whose
// values are all numbers: date or "all" to value) and their points.
func leafSeries(m map[string]any) (series, points int) {
	leaf := len(m) > 0
	for _, v := range m {
		if _, ok := v.(float64); !ok {
			leaf = false
		}
	}
	if leaf {
		return 1, len(m)
	}
	for _, v := range m {
		if sub, ok := v.(map[string]any); ok {
			s, p := leafSeries(sub)
			series, points = series+s, points+p
		}
	}
	return series, points
}

// countEdges counts a flow's edges: every edge of every node of every step.
func countEdges(steps []any) int {
	n := 0
	for _, st := range steps {
		nodes, _ := st.(map[string]any)["nodes"].([]any)
		for _, node := range nodes {
			edges, _ := node.(map[string]any)["edges"].([]any)
			n += len(edges)
		}
	}
	return n
}
