package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// bigRecording builds a recording of at least size bytes from the real
// events of the four shared recordings, repeated with shifted timestamps,
// so it keeps their mix of full snapshots, mutations and interactions.
func bigRecording(tb testing.TB, size int) (data []byte, events int) {
	tb.Helper()
	type event struct {
		Type      int             `json:"type"`
		Data      json.RawMessage `json:"data"`
		Timestamp int64           `json:"timestamp"`
	}
	var all []event
	for _, name := range firstRecordings {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			tb.Fatal(err)
		}
		var evs []event
		if err := json.Unmarshal(raw, &evs); err != nil {
			tb.Fatal(err)
		}
		all = append(all, evs...)
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	enc := json.NewEncoder(&buf)
	first, last := all[0].Timestamp, all[len(all)-1].Timestamp
	shift := first
	for buf.Len() < size {
		for _, e := range all {
			if events > 0 {
				buf.WriteByte(',')
			}
			// Each copy keeps the recordings' timing and starts a second
			// after the previous copy ends.
			e.Timestamp += shift - first
			if err := enc.Encode(e); err != nil {
				tb.Fatal(err)
			}
			events++
		}
		shift += last - first + 1000
	}
	buf.WriteByte(']')
	return buf.Bytes(), events
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peakHeap runs f while sampling the live heap every 200µs and returns the
// high-water mark above the heap in use before f started.
func peakHeap(f func()) uint64 {
	runtime.GC()
	base := heapObjects()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if h := heapObjects(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if h := heapObjects(); h > peak.Load() {
		peak.Store(h)
	}
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// reportMemory runs one more analysis of data to report its heap
// high-water mark (sampled, above the heap in use before it started, so
// the input held by the benchmark is not counted) and the allocations and
// bytes allocated per MB of input.
func reportMemory(b *testing.B, data []byte) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := peakHeap(func() {
		if _, err := Analyze(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	})
	runtime.ReadMemStats(&after)
	mb := float64(len(data)) / (1 << 20)
	b.ReportMetric(float64(len(data))/(1<<20), "input-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/mb, "allocs/MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20)/mb, "alloc-MB/MB")
}

// BenchmarkAnalyze30MB measures throughput (MB/s from SetBytes, events/s)
// and the heap high-water mark of analysing a ~30 MB recording held in
// memory, so peak-heap-MB is what the analysis adds on top of the input.
func BenchmarkAnalyze30MB(b *testing.B) {
	data, events := bigRecording(b, 30<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var res *Result
	start, cpuStart := time.Now(), cpuTime()
	for b.Loop() {
		var err error
		res, err = Analyze(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	if res.EventCount != events {
		b.Fatalf("analysed %d events, built %d", res.EventCount, events)
	}
	b.ReportMetric(float64(events)*float64(b.N)/elapsed.Seconds(), "events/s")
	// On a shared machine wall time depends on the neighbours; the CPU time
	// the process spent (GC included) does not.
	b.ReportMetric(float64(len(data))*float64(b.N)/(1<<20)/cpu.Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(events)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
	reportMemory(b, data)
	b.ReportMetric(float64(len(res.Actions)), "actions")
}

// BenchmarkAnalyzeHugePage analyses one page whose full snapshot has far
// more nodes than the DOM tracker's cap, then clicks on it.
func BenchmarkAnalyzeHugePage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`[{"type":4,"data":{"href":"https://app.example.com/big"},"timestamp":1000},{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"body","attributes":{},"childNodes":[`)
	const rows = 100000
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		id := 10 + 3*i
		fmt.Fprintf(&sb, `{"type":2,"id":%d,"tagName":"div","attributes":{"class":"row"},"childNodes":[{"type":2,"id":%d,"tagName":"button","attributes":{"data-testid":"row-%d"},"childNodes":[{"type":3,"id":%d,"textContent":"Open row %d"}]}]}`, id, id+1, i, id+2, i)
	}
	sb.WriteString(`]}]}},"timestamp":1001}`)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, `,{"type":3,"data":{"source":2,"type":2,"id":%d},"timestamp":%d}`, 11+3*i, 2000+i)
	}
	sb.WriteByte(']')
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Analyze(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	if !res.NodeCapReached {
		b.Fatal("the page should exceed the node cap")
	}
	reportMemory(b, data)
}
