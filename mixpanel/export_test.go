package mixpanel_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestExportEventsRequestAndRows(t *testing.T) {
	srv := mixpaneltest.New(t)
	var rows []mixpanel.ExportEvent
	stats, err := srv.Client(t).ExportEvents(context.Background(), mixpanel.ExportParams{
		FromDate: "2026-11-01", ToDate: "2026-11-24", Events: []string{"Purchase", "Search"},
		Where: `properties["mp_country_code"] == "US"`, Limit: 500,
	}, func(e mixpanel.ExportEvent) bool {
		rows = append(rows, e)
		return true
	})
	require.NoError(t, err)
	req := srv.LastRequest(t, mixpaneltest.ExportPrefix+"/export")
	assert.Equal(t, "GET", req.Method)
	assert.Equal(t, `["Purchase","Search"]`, req.Query.Get("event"))
	assert.Equal(t, `properties["mp_country_code"] == "US"`, req.Query.Get("where"))
	assert.Equal(t, "500", req.Query.Get("limit"))
	assert.Equal(t, "2026-11-01", req.Query.Get("from_date"))
	assert.Equal(t, mixpaneltest.ProjectID, req.Query.Get("project_id"))
	assert.Empty(t, req.Query.Get("workspace_id"), "export stays project-wide")

	require.NotEmpty(t, rows)
	assert.Equal(t, len(rows), stats.Rows)
	assert.False(t, stats.Stopped)
	for _, e := range rows {
		assert.Contains(t, []string{"Purchase", "Search"}, e.EventName)
		assert.Equal(t, "US", e.Properties["mp_country_code"])
		assert.NotEmpty(t, e.DistinctID)
		assert.NotEmpty(t, e.InsertID)
		assert.True(t, strings.HasPrefix(e.EventTime, "2026-11-"), e.EventTime)
		assert.NotContains(t, e.Properties, "time", "lifted out of the properties")
		assert.NotContains(t, e.Properties, "distinct_id")
	}
}

func TestExportLimitIsCapped(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).ExportEvents(context.Background(), mixpanel.ExportParams{FromDate: "2026-11-01", ToDate: "2026-11-02", Limit: 10_000_000}, func(mixpanel.ExportEvent) bool { return true })
	require.NoError(t, err)
	assert.Equal(t, "100000", srv.LastRequest(t, mixpaneltest.ExportPrefix+"/export").Query.Get("limit"))
}

func TestReadNDJSON(t *testing.T) {
	long := `{"event":"Big","properties":{"pad":"` + strings.Repeat("y", 200<<10) + `"}}`
	huge := `{"event":"Huge","properties":{"pad":"` + strings.Repeat("z", 9<<20) + `"}}`
	body := strings.Join([]string{
		`{"event":"A","properties":{"time":1704067200,"distinct_id":"u1","$insert_id":"i1"}}`,
		"",
		"   ",
		"{broken",
		long,
		huge,
		`{"event":"B","properties":{"time":1704067201}}`,
		`{"event":"C","properties":{}}`, // no trailing newline
	}, "\n")
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(s))
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	for name, input := range map[string][]byte{"plain": []byte(body), "gzip": gz(body), "crlf": []byte(strings.ReplaceAll(body, "\n", "\r\n"))} {
		t.Run(name, func(t *testing.T) {
			var names []string
			stats, err := mixpanel.ReadNDJSON(bytes.NewReader(input), func(line []byte) (bool, bool) {
				var e struct{ Event string }
				if json.Unmarshal(line, &e) != nil {
					return false, true
				}
				names = append(names, e.Event)
				return true, true
			})
			require.NoError(t, err)
			assert.Equal(t, []string{"A", "Big", "B", "C"}, names)
			assert.Equal(t, 4, stats.Rows)
			assert.Equal(t, 2, stats.Skipped, "the broken and the oversized line")
			assert.Equal(t, int64(len(input)), stats.BytesRead)
		})
	}
}

func TestReadNDJSONStopsAtOnce(t *testing.T) {
	var b strings.Builder
	for range 10000 {
		b.WriteString(`{"event":"E","properties":{}}` + "\n")
	}
	seen := 0
	stats, err := mixpanel.ReadNDJSON(strings.NewReader(b.String()), func([]byte) (bool, bool) {
		seen++
		return true, seen < 3
	})
	require.NoError(t, err)
	assert.Equal(t, 3, seen)
	assert.True(t, stats.Stopped)
	assert.LessOrEqual(t, stats.BytesRead, int64(64<<10), "read no more than one buffer")
}

func TestReadNDJSONTruncatedGzip(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(strings.Repeat(`{"event":"E","properties":{}}`+"\n", 1000)))
	require.NoError(t, zw.Close())
	cut := b.Bytes()[:b.Len()/2]
	_, err := mixpanel.ReadNDJSON(bytes.NewReader(cut), func([]byte) (bool, bool) { return true, true })
	assert.Error(t, err, "a cut stream is an error, not a silently short export")
}

// exportRun streams a synthetic export of size bytes through the client,
// stopping after stopAfter rows, and reports the rows, the bytes the fake
// wrote and the peak heap in use while it ran.
func exportRun(tb testing.TB, size int64, gzipped bool, stopAfter int) (rows int, stats mixpanel.ExportStats, written int64, peakHeap uint64) {
	tb.Helper()
	srv := mixpaneltest.New(tb)
	x := mixpaneltest.NewSyntheticExport(size, gzipped)
	srv.Data.Export = x
	c := srv.Client(tb)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	stats, err := c.ExportEvents(context.Background(), mixpanel.ExportParams{FromDate: "2026-11-01", ToDate: "2026-11-24"}, func(mixpanel.ExportEvent) bool {
		rows++
		return stopAfter <= 0 || rows < stopAfter
	})
	close(stop)
	wg.Wait()
	require.NoError(tb, err)
	require.True(tb, x.Wait(10*time.Second), "the fake kept writing after the client closed the stream")
	p := peak.Load()
	if p > base.HeapInuse {
		peakHeap = p - base.HeapInuse
	}
	return rows, stats, x.Written(), peakHeap
}

// TestExportStopsEarlyOnHugeStream serves a 500 MB export and stops after
// 1000 rows: the fake must stop writing soon after, and the heap must stay
// small.
func TestExportStopsEarlyOnHugeStream(t *testing.T) {
	const size = 500 << 20
	for _, gzipped := range []bool{false, true} {
		name := "plain"
		if gzipped {
			name = "gzip"
		}
		t.Run(name, func(t *testing.T) {
			rows, stats, written, peak := exportRun(t, size, gzipped, 1000)
			assert.Equal(t, 1000, rows)
			assert.True(t, stats.Stopped)
			assert.Less(t, written, int64(32<<20), "the fake wrote %d bytes of a %d byte export", written, size)
			assert.Less(t, stats.BytesRead, int64(2<<20), "the client read %d bytes", stats.BytesRead)
			assert.Less(t, peak, uint64(64<<20), "heap grew by %d bytes", peak)
			t.Logf("rows=%d read=%d written=%d peak heap growth=%.1f MiB", rows, stats.BytesRead, written, float64(peak)/(1<<20))
		})
	}
}

// TestExportMemoryFlatOverWholeStream reads a whole 24 MB stream: the heap
// must not grow with the stream.
func TestExportMemoryFlatOverWholeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 24 MB")
	}
	rows, stats, written, peak := exportRun(t, 24<<20, false, 0)
	assert.Greater(t, rows, 60000)
	assert.Greater(t, stats.Skipped, 500, "malformed lines are skipped")
	assert.Equal(t, written, stats.BytesRead)
	assert.Less(t, peak, uint64(32<<20), "heap grew by %d bytes over a %d byte stream", peak, written)
}

// BenchmarkExportEvents500MBLimit1000 is the figure of the export design:
// a 500 MB export read with a 1000-row limit. It reports the peak heap
// growth and the bytes the client read and the fake wrote.
func BenchmarkExportEvents500MBLimit1000(b *testing.B) {
	var peakMax uint64
	var read, written int64
	for b.Loop() {
		_, stats, w, peak := exportRun(b, 500<<20, false, 1000)
		peakMax = max(peakMax, peak)
		read, written = stats.BytesRead, w
	}
	b.ReportMetric(float64(peakMax)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(read)/(1<<20), "read-MiB")
	b.ReportMetric(float64(written)/(1<<20), "fake-wrote-MiB")
}
