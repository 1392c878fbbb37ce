package promtext

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse reads text with the reference parser (prometheus/common/expfmt,
// a test-only dependency: the server binary does not link it).
func parse(t testing.TB, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	require.NoError(t, err, "%s", text)
	return fams
}

func TestExposition(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *Registry)
		want  string
	}{
		{
			name: "an unlabelled counter is written at zero",
			setup: func(r *Registry) {
				r.Counter("a_total", "As.")
			},
			want: "# HELP a_total As.\n# TYPE a_total counter\na_total 0\n",
		},
		{
			name: "a labelled family without series is left out",
			setup: func(r *Registry) {
				r.CounterVec("a_total", "As.", "x")
				r.HistogramVec("b_seconds", "Bs.", []float64{1}, "x")
			},
			want: "",
		},
		{
			name: "labels sorted by name, series by their values, families by name",
			setup: func(r *Registry) {
				c := r.CounterVec("z_total", "Zs.", "tool", "outcome")
				c.WithLabelValues("b", "ok").Inc()
				c.WithLabelValues("a", "ok").Inc()
				c.WithLabelValues("a", "error").Inc()
				c.WithLabelValues("a", "ok").Inc()
				r.GaugeFunc("a", "A gauge.", func() float64 { return 1.5 })
			},
			want: "# HELP a A gauge.\n# TYPE a gauge\na 1.5\n" +
				"# HELP z_total Zs.\n# TYPE z_total counter\n" +
				"z_total{outcome=\"error\",tool=\"a\"} 1\n" +
				"z_total{outcome=\"ok\",tool=\"a\"} 2\n" +
				"z_total{outcome=\"ok\",tool=\"b\"} 1\n",
		},
		{
			name: "label values: backslash, double quote and newline escaped; invalid UTF-8 replaced",
			setup: func(r *Registry) {
				c := r.CounterVec("e_total", "Help with \\ and\nnewline and \"quotes\".", "v")
				c.WithLabelValues("a\\b\"c\nd").Inc()
				c.WithLabelValues("x\xffy").Inc()
			},
			want: "# HELP e_total Help with \\\\ and\\nnewline and \"quotes\".\n# TYPE e_total counter\n" +
				"e_total{v=\"a\\\\b\\\"c\\nd\"} 1\n" +
				"e_total{v=\"x\uFFFDy\"} 1\n",
		},
		{
			name: "histogram: cumulative buckets, +Inf, sum and count",
			setup: func(r *Registry) {
				h := r.HistogramVec("h_seconds", "Hs.", []float64{0.005, 1, 2.5}, "tool")
				for _, v := range []float64{0.001, 0.005, 0.5, 2, 3, 100} {
					h.WithLabelValues("t").Observe(v)
				}
			},
			want: "# HELP h_seconds Hs.\n# TYPE h_seconds histogram\n" +
				"h_seconds_bucket{tool=\"t\",le=\"0.005\"} 2\n" +
				"h_seconds_bucket{tool=\"t\",le=\"1\"} 3\n" +
				"h_seconds_bucket{tool=\"t\",le=\"2.5\"} 4\n" +
				"h_seconds_bucket{tool=\"t\",le=\"+Inf\"} 6\n" +
				"h_seconds_sum{tool=\"t\"} 105.506\n" +
				"h_seconds_count{tool=\"t\"} 6\n",
		},
		{
			name: "an unlabelled histogram is written empty",
			setup: func(r *Registry) {
				r.Histogram("w_seconds", "Ws.", []float64{0.001, 60})
			},
			want: "# HELP w_seconds Ws.\n# TYPE w_seconds histogram\n" +
				"w_seconds_bucket{le=\"0.001\"} 0\n" +
				"w_seconds_bucket{le=\"60\"} 0\n" +
				"w_seconds_bucket{le=\"+Inf\"} 0\n" +
				"w_seconds_sum 0\n" +
				"w_seconds_count 0\n",
		},
		{
			name: "gauge values: large, tiny, special",
			setup: func(r *Registry) {
				r.GaugeFunc("g1", "G.", func() float64 { return 9.223372036854776e+18 })
				r.GaugeFunc("g2", "G.", func() float64 { return 1e-05 })
				r.GaugeFunc("g3", "G.", func() float64 { return math.Inf(1) })
				r.GaugeFunc("g4", "G.", func() float64 { return math.NaN() })
			},
			want: "# HELP g1 G.\n# TYPE g1 gauge\ng1 9.223372036854776e+18\n" +
				"# HELP g2 G.\n# TYPE g2 gauge\ng2 1e-05\n" +
				"# HELP g3 G.\n# TYPE g3 gauge\ng3 +Inf\n" +
				"# HELP g4 G.\n# TYPE g4 gauge\ng4 NaN\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
			tc.setup(r)
			got := r.AppendText(nil)
			assert.Equal(t, tc.want, string(got))
			parse(t, got)
		})
	}
}

// TestParsedValues: what the reference parser reads back is what was
// recorded, escaped label values included.
func TestParsedValues(t *testing.T) {
	r := NewRegistry()
	c := r.CounterVec("c_total", "Cs.", "a", "b")
	c.WithLabelValues("q\"\\\n", "").Inc()
	h := r.Histogram("h_seconds", "Hs.", []float64{1, 2})
	h.Observe(1)
	h.Observe(1.5)
	h.Observe(7)
	fams := parse(t, r.AppendText(nil))

	m := fams["c_total"].GetMetric()
	require.Len(t, m, 1)
	assert.Equal(t, 1.0, m[0].GetCounter().GetValue())
	labels := map[string]string{}
	for _, l := range m[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	assert.Equal(t, map[string]string{"a": "q\"\\\n", "b": ""}, labels)

	hist := fams["h_seconds"].GetMetric()[0].GetHistogram()
	assert.Equal(t, uint64(3), hist.GetSampleCount())
	assert.Equal(t, 9.5, hist.GetSampleSum())
	var cum []uint64
	for _, b := range hist.GetBucket() {
		cum = append(cum, b.GetCumulativeCount())
	}
	assert.Equal(t, []uint64{1, 2, 3}, cum, "le=1 holds 1 (bounds are inclusive), le=2 adds 1.5, +Inf adds 7")
}

// TestConcurrent: increments and observations from many goroutines, with
// scrapes in between, all land (run under -race).
func TestConcurrent(t *testing.T) {
	r := NewRegistry()
	c := r.CounterVec("c_total", "Cs.", "tool")
	h := r.HistogramVec("h_seconds", "Hs.", []float64{0.5}, "tool")
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				tool := fmt.Sprint("t", i%3)
				c.WithLabelValues(tool).Inc()
				h.WithLabelValues(tool).Observe(float64(w%2) * 0.75)
				if i%100 == 0 {
					r.AppendText(nil)
				}
			}
		})
	}
	wg.Wait()
	fams := parse(t, r.AppendText(nil))
	var total float64
	var count uint64
	var sum float64
	for _, m := range fams["c_total"].GetMetric() {
		total += m.GetCounter().GetValue()
	}
	for _, m := range fams["h_seconds"].GetMetric() {
		count += m.GetHistogram().GetSampleCount()
		sum += m.GetHistogram().GetSampleSum()
	}
	assert.Equal(t, float64(workers*each), total)
	assert.Equal(t, uint64(workers*each), count)
	assert.Equal(t, workers/2*each*0.75, sum)
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.Counter("a_total", "As.").Inc()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", rec.Header().Get("Content-Type"))
	const want = "# HELP a_total As.\n# TYPE a_total counter\na_total 1\n"
	assert.Equal(t, want, rec.Body.String())
	assert.Empty(t, rec.Header().Get("Content-Encoding"))

	rec = httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/metrics", nil))
	assert.Empty(t, rec.Body.String())
	assert.Equal(t, strconv.Itoa(len(want)), rec.Header().Get("Content-Length"))

	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, req)
	assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
	zr, err := gzip.NewReader(rec.Body)
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, want, string(plain))
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"deflate, gzip;q=0.5"}, true},
		{[]string{"identity", "br, gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"*"}, true},
		{[]string{"x-gzip"}, false},
		{[]string{"br, deflate"}, false},
	} {
		assert.Equal(t, tc.want, acceptsGzip(tc.header), "%q", tc.header)
	}
}

// TestRuntime: the Go figures operators use are there, typed as
// client_golang typed them, and the whole output parses.
func TestRuntime(t *testing.T) {
	r := NewRegistry()
	r.AddRuntime()
	fams := parse(t, r.AppendText(nil))
	want := map[string]dto.MetricType{
		"go_goroutines":                dto.MetricType_GAUGE,
		"go_threads":                   dto.MetricType_GAUGE,
		"go_info":                      dto.MetricType_GAUGE,
		"go_gc_duration_seconds":       dto.MetricType_SUMMARY,
		"go_memstats_heap_alloc_bytes": dto.MetricType_GAUGE,
		"go_memstats_alloc_bytes":      dto.MetricType_GAUGE,
		"go_memstats_sys_bytes":        dto.MetricType_GAUGE,
		"go_memstats_mallocs_total":    dto.MetricType_COUNTER,
	}
	for name, typ := range want {
		f, ok := fams[name]
		if assert.True(t, ok, "%s missing", name) {
			assert.Equal(t, typ, f.GetType(), name)
		}
	}
	assert.Positive(t, fams["go_goroutines"].GetMetric()[0].GetGauge().GetValue())
	assert.Positive(t, fams["go_memstats_sys_bytes"].GetMetric()[0].GetGauge().GetValue())
}

func TestMisuse(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"twice":          func(r *Registry) { r.Counter("a", ""); r.GaugeFunc("a", "", nil) },
		"bad name":       func(r *Registry) { r.Counter("a-b", "") },
		"bad label":      func(r *Registry) { r.CounterVec("a", "", "__x") },
		"repeated label": func(r *Registry) { r.CounterVec("a", "", "x", "x") },
		"le label":       func(r *Registry) { r.HistogramVec("a", "", []float64{1}, "le") },
		"no buckets":     func(r *Registry) { r.Histogram("a", "", nil) },
		"unsorted":       func(r *Registry) { r.Histogram("a", "", []float64{2, 1}) },
		"label count":    func(r *Registry) { r.CounterVec("a", "", "x", "y").WithLabelValues("1") },
	} {
		assert.Panics(t, func() { f(NewRegistry()) }, name)
	}
}

// FuzzLabelValue: any label value gives output the reference parser reads,
// and the value reads back (invalid UTF-8 as U+FFFD).
func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", "plain", "a\\b", "q\"", "line\nline", "\\n", "\xff", "é\x00\t\r", "}", "le=\"1\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := NewRegistry()
		r.CounterVec("c_total", "C.", "v").WithLabelValues(s).Inc()
		fams := parse(t, r.AppendText(nil))
		m := fams["c_total"].GetMetric()
		require.Len(t, m, 1)
		assert.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), m[0].GetLabel()[0].GetValue())
	})
}

// BenchmarkObserve is the hot path of one tool call: a labelled counter
// and histogram whose series exist.
func BenchmarkObserve(b *testing.B) {
	r := NewRegistry()
	c := r.CounterVec("c_total", "C.", "tool", "outcome")
	h := r.HistogramVec("h_seconds", "H.", []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}, "tool")
	tool := "query_insights"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.WithLabelValues(tool, "ok").Inc()
			h.WithLabelValues(tool).Observe(0.042)
		}
	})
}
