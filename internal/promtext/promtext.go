// Package promtext exposes metrics in Prometheus's text format (version
// 0.0.4) with nothing beyond the standard library: counters and histograms,
// with or without labels, gauges read from a func at each scrape, and the
// Go runtime and process figures (see Registry.AddRuntime).
//
// It replaces github.com/prometheus/client_golang in the server binary,
// whose package inits (procfs, protobuf, client_model, expvar,
// runtime/metrics) every start paid for, although /metrics is only served
// on some binds. The hot path is one observation: an atomic add (plus a
// compare-and-swap for a histogram's sum) on a series that exists, and a
// read-locked map lookup without allocation for a labelled one.
package promtext

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// ContentType is the Content-Type of the text format that Handler serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families and writes them, sorted by name, in the
// text format. Its zero value is not usable: use NewRegistry.
type Registry struct {
	mu         sync.Mutex
	names      map[string]bool
	families   []family
	collectors []func(*emitter)
}

// family is one registered metric family; appendSamples appends its sample
// lines (none when it has no series yet).
type family struct {
	name, help, typ string
	appendSamples   func(b []byte) []byte
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{names: map[string]bool{}}
}

// register adds a family; a second family of one name, or an invalid name,
// is a programming error and panics (as the text format cannot hold it).
func (r *Registry) register(f family) {
	if !validMetricName(f.name) {
		panic(fmt.Sprintf("promtext: invalid metric name %q", f.name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[f.name] {
		panic(fmt.Sprintf("promtext: metric %q registered twice", f.name))
	}
	r.names[f.name] = true
	r.families = append(r.families, f)
}

// Counter registers and returns a counter without labels.
func (r *Registry) Counter(name, help string) *Counter {
	c := new(Counter)
	r.register(family{name: name, help: help, typ: "counter", appendSamples: func(b []byte) []byte {
		return appendUintSample(b, name, "", nil, nil, c.n.Load())
	}})
	return c
}

// CounterVec registers and returns a counter with the given label names.
func (r *Registry) CounterVec(name, help string, labels ...string) *CounterVec {
	v := &CounterVec{newVec(labels, func() *Counter { return new(Counter) })}
	r.register(family{name: name, help: help, typ: "counter", appendSamples: func(b []byte) []byte {
		for _, c := range v.sorted() {
			b = appendUintSample(b, name, "", v.outLabels, c.outValues, c.m.n.Load())
		}
		return b
	}})
	return v
}

// Histogram registers and returns a histogram without labels. buckets are
// the upper bounds, strictly increasing; +Inf is implied.
func (r *Registry) Histogram(name, help string, buckets []float64) *Histogram {
	upper := checkBuckets(name, buckets)
	h := newHistogram(upper)
	r.register(family{name: name, help: help, typ: "histogram", appendSamples: func(b []byte) []byte {
		return h.appendSamples(b, name, nil, nil)
	}})
	return h
}

// HistogramVec registers and returns a histogram with the given label
// names, each series with the same buckets.
func (r *Registry) HistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	upper := checkBuckets(name, buckets)
	if slices.Contains(labels, "le") {
		panic(fmt.Sprintf("promtext: histogram %q: label name \"le\" is reserved", name))
	}
	v := &HistogramVec{newVec(labels, func() *Histogram { return newHistogram(upper) })}
	r.register(family{name: name, help: help, typ: "histogram", appendSamples: func(b []byte) []byte {
		for _, c := range v.sorted() {
			b = c.m.appendSamples(b, name, v.outLabels, c.outValues)
		}
		return b
	}})
	return v
}

// GaugeFunc registers a gauge whose value f gives at each scrape. f must
// be safe for concurrent use.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.register(family{name: name, help: help, typ: "gauge", appendSamples: func(b []byte) []byte {
		return appendSample(b, name, "", nil, nil, f())
	}})
}

// collect registers a func that emits families of its own at each scrape
// (the runtime and process figures, whose set depends on the platform).
func (r *Registry) collect(f func(*emitter)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, f)
}

// Handler serves the registry in the text format, gzipped when the
// request accepts gzip (as Prometheus's scraper does, and as client_golang's
// handler answered it).
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := r.AppendText(nil)
		h := w.Header()
		h.Set("Content-Type", ContentType)
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(req.Header.Values("Accept-Encoding")) {
			zw := gzipWriters.Get().(*gzip.Writer)
			var zbuf bytes.Buffer
			zw.Reset(&zbuf)
			_, _ = zw.Write(body)
			_ = zw.Close()
			gzipWriters.Put(zw)
			body = zbuf.Bytes()
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if req.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// gzipWriters keeps compressors between scrapes (each holds several
// hundred KB of state).
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// acceptsGzip reports whether Accept-Encoding values name gzip (or *)
// with a q-value other than 0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "*" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}

// AppendText appends every family with at least one series to b, sorted
// by name, each with its # HELP and # TYPE lines, and returns the result.
func (r *Registry) AppendText(b []byte) []byte {
	r.mu.Lock()
	families := slices.Clone(r.families)
	collectors := slices.Clone(r.collectors)
	r.mu.Unlock()

	e := &emitter{}
	for _, f := range families {
		e.family(f.name, f.help, f.typ)
		e.buf = f.appendSamples(e.buf)
	}
	for _, c := range collectors {
		c(e)
	}
	e.end()
	sort.Slice(e.chunks, func(i, j int) bool { return e.chunks[i].name < e.chunks[j].name })
	for _, c := range e.chunks {
		b = append(b, e.buf[c.start:c.end]...)
	}
	return b
}

// emitter gathers families as chunks of one buffer, to be sorted by name.
type emitter struct {
	buf    []byte
	chunks []chunk
	// open is the family being written: its name and where its samples
	// start (a family that wrote no sample is dropped).
	open    string
	header  int
	samples int
	hasOpen bool
}

type chunk struct {
	name       string
	start, end int
}

func (e *emitter) family(name, help, typ string) {
	e.end()
	e.open, e.header, e.hasOpen = name, len(e.buf), true
	e.buf = append(e.buf, "# HELP "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, ' ')
	e.buf = appendEscaped(e.buf, help, false)
	e.buf = append(e.buf, "\n# TYPE "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, typ...)
	e.buf = append(e.buf, '\n')
	e.samples = len(e.buf)
}

// end closes the open family: kept if it has samples, cut otherwise.
func (e *emitter) end() {
	if !e.hasOpen {
		return
	}
	e.hasOpen = false
	if len(e.buf) == e.samples {
		e.buf = e.buf[:e.header]
		return
	}
	e.chunks = append(e.chunks, chunk{name: e.open, start: e.header, end: len(e.buf)})
}

// gauge and counter emit a family of one unlabelled sample.
func (e *emitter) gauge(name, help string, v float64) {
	e.family(name, help, "gauge")
	e.buf = appendSample(e.buf, name, "", nil, nil, v)
}

func (e *emitter) counter(name, help string, v float64) {
	e.family(name, help, "counter")
	e.buf = appendSample(e.buf, name, "", nil, nil, v)
}

// Counter is a monotonically increasing count.
type Counter struct{ n atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.n.Add(1) }

// Histogram counts observations in buckets and sums them.
type Histogram struct {
	upper []float64
	// counts are per bucket (not cumulative); the last is +Inf's.
	counts  []atomic.Uint64
	sumBits atomic.Uint64
}

func newHistogram(upper []float64) *Histogram {
	return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
}

// Observe adds one observation of v.
func (h *Histogram) Observe(v float64) {
	h.counts[sort.SearchFloat64s(h.upper, v)].Add(1)
	for {
		old := h.sumBits.Load()
		if h.sumBits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// appendSamples writes the cumulative buckets, +Inf included, the sum and
// the count. The count is the +Inf bucket's, so the two always agree even
// while observations land during a scrape.
func (h *Histogram) appendSamples(b []byte, name string, labels, values []string) []byte {
	var cum uint64
	le := make([]byte, 0, 24)
	for i := range h.counts {
		cum += h.counts[i].Load()
		le = le[:0]
		if i < len(h.upper) {
			le = appendFloat(le, h.upper[i])
		} else {
			le = append(le, "+Inf"...)
		}
		b = appendUintSample(b, name, "_bucket", append(labels[:len(labels):len(labels)], "le"), append(values[:len(values):len(values)], string(le)), cum)
	}
	b = appendSample(b, name, "_sum", labels, values, math.Float64frombits(h.sumBits.Load()))
	return appendUintSample(b, name, "_count", labels, values, cum)
}

func checkBuckets(name string, buckets []float64) []float64 {
	if len(buckets) == 0 {
		panic(fmt.Sprintf("promtext: histogram %q has no buckets", name))
	}
	for i, u := range buckets {
		if math.IsNaN(u) || math.IsInf(u, 0) || (i > 0 && u <= buckets[i-1]) {
			panic(fmt.Sprintf("promtext: histogram %q: buckets must be finite and strictly increasing, got %v", name, buckets))
		}
	}
	return slices.Clone(buckets)
}

// CounterVec is a counter family partitioned by label values.
type CounterVec struct{ *vec[Counter] }

// WithLabelValues returns the counter of these label values (in the order
// the label names were given), made on first use. A wrong number of values
// panics.
func (v *CounterVec) WithLabelValues(values ...string) *Counter { return v.get(values) }

// HistogramVec is a histogram family partitioned by label values.
type HistogramVec struct{ *vec[Histogram] }

// WithLabelValues returns the histogram of these label values, made on
// first use. A wrong number of values panics.
func (v *HistogramVec) WithLabelValues(values ...string) *Histogram { return v.get(values) }

// vec maps label values to series. Lookups of an existing series take a
// read lock and allocate nothing: series are found by a hash of the values
// and compared value by value.
type vec[T any] struct {
	labels []string
	// outLabels are the label names sorted, as the series are written;
	// order maps each to its index in labels.
	outLabels []string
	order     []int
	newT      func() *T

	mu     sync.RWMutex
	series map[uint64][]*series[T]
}

type series[T any] struct {
	values    []string
	outValues []string
	m         *T
}

func newVec[T any](labels []string, newT func() *T) *vec[T] {
	for i, l := range labels {
		if !validLabelName(l) || slices.Contains(labels[:i], l) {
			panic(fmt.Sprintf("promtext: invalid or repeated label name %q", l))
		}
	}
	v := &vec[T]{labels: slices.Clone(labels), newT: newT, series: map[uint64][]*series[T]{}}
	v.order = sortedOrder(labels)
	for _, i := range v.order {
		v.outLabels = append(v.outLabels, labels[i])
	}
	return v
}

// sortedOrder is the indices of labels in the order of their names.
func sortedOrder(labels []string) []int {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return labels[order[a]] < labels[order[b]] })
	return order
}

func (v *vec[T]) get(values []string) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("promtext: %d label values for labels %v", len(values), v.labels))
	}
	h := hashValues(values)
	v.mu.RLock()
	for _, s := range v.series[h] {
		if slices.Equal(s.values, values) {
			v.mu.RUnlock()
			return s.m
		}
	}
	v.mu.RUnlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, s := range v.series[h] {
		if slices.Equal(s.values, values) {
			return s.m
		}
	}
	s := &series[T]{values: slices.Clone(values), m: v.newT()}
	for _, i := range v.order {
		s.outValues = append(s.outValues, values[i])
	}
	v.series[h] = append(v.series[h], s)
	return s.m
}

// sorted returns every series, ordered by their values in output order.
func (v *vec[T]) sorted() []*series[T] {
	v.mu.RLock()
	var all []*series[T]
	for _, ss := range v.series {
		all = append(all, ss...)
	}
	v.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return slices.Compare(all[i].outValues, all[j].outValues) < 0 })
	return all
}

// hashValues is FNV-1a over the values, each followed by 0xff (a byte no
// UTF-8 text holds, so ("a","b") and ("ab","") differ).
func hashValues(values []string) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range values {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return h
}

func appendSample(b []byte, name, suffix string, labels, values []string, v float64) []byte {
	b = appendSeries(b, name, suffix, labels, values)
	return append(appendFloat(b, v), '\n')
}

func appendUintSample(b []byte, name, suffix string, labels, values []string, v uint64) []byte {
	b = appendSeries(b, name, suffix, labels, values)
	return append(strconv.AppendUint(b, v, 10), '\n')
}

// appendSeries writes name+suffix and the label set, then a space.
func appendSeries(b []byte, name, suffix string, labels, values []string) []byte {
	b = append(b, name...)
	b = append(b, suffix...)
	if len(labels) > 0 {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, `="`...)
			b = appendEscaped(b, values[i], true)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, ' ')
}

// appendFloat formats v as the text format reads it: shortest exact
// decimal, +Inf, -Inf or NaN.
func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendEscaped escapes backslash and newline (HELP text), and double
// quote too in a label value. Invalid UTF-8 becomes U+FFFD: the format is
// UTF-8 text.
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func validMetricName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func validLabelName(s string) bool {
	if strings.HasPrefix(s, "__") || strings.Contains(s, ":") {
		return false
	}
	return validMetricName(s)
}
