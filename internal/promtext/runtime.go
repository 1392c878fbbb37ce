package promtext

import (
	"runtime"
	"runtime/debug"
	"time"
)

// AddRuntime registers the Go runtime figures (go_*: goroutines, threads,
// GC pauses, the memstats) and, where the platform gives them, the
// process's (process_*: CPU, memory, file descriptors, start time), under
// the names and types client_golang's Go and process collectors used.
func (r *Registry) AddRuntime() {
	r.collect(goMetrics)
	r.collect(processMetrics)
}

func goMetrics(e *emitter) {
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	e.family("go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", "summary")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		e.buf = appendSample(e.buf, "go_gc_duration_seconds", "", []string{"quantile"}, []string{q}, gc.PauseQuantiles[i].Seconds())
	}
	e.buf = appendSample(e.buf, "go_gc_duration_seconds", "_sum", nil, nil, gc.PauseTotal.Seconds())
	e.buf = appendUintSample(e.buf, "go_gc_duration_seconds", "_count", nil, nil, uint64(gc.NumGC))

	e.gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	e.gauge("go_threads", "Number of OS threads created.", float64(threads))
	e.family("go_info", "Information about the Go environment.", "gauge")
	e.buf = appendSample(e.buf, "go_info", "", []string{"version"}, []string{runtime.Version()}, 1)
	e.gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously.", float64(runtime.GOMAXPROCS(0)))
	e.gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function.", float64(debug.SetMemoryLimit(-1)))

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for _, m := range []struct {
		name, help string
		v          uint64
		counter    bool
	}{
		{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", ms.Alloc, false},
		{"go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already.", ms.TotalAlloc, true},
		{"go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table.", ms.BuckHashSys, false},
		{"go_memstats_frees_total", "Total number of heap objects frees.", ms.Frees, true},
		{"go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata.", ms.GCSys, false},
		{"go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes.", ms.HeapAlloc, false},
		{"go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", ms.HeapIdle, false},
		{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", ms.HeapInuse, false},
		{"go_memstats_heap_objects", "Number of currently allocated objects.", ms.HeapObjects, false},
		{"go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", ms.HeapReleased, false},
		{"go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system.", ms.HeapSys, false},
		{"go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed.", ms.Mallocs, true},
		{"go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures.", ms.MCacheInuse, false},
		{"go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system.", ms.MCacheSys, false},
		{"go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures.", ms.MSpanInuse, false},
		{"go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system.", ms.MSpanSys, false},
		{"go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", ms.NextGC, false},
		{"go_memstats_other_sys_bytes", "Number of bytes used for other system allocations.", ms.OtherSys, false},
		{"go_memstats_stack_inuse_bytes", "Number of bytes in use by the stack allocator.", ms.StackInuse, false},
		{"go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator.", ms.StackSys, false},
		{"go_memstats_sys_bytes", "Number of bytes obtained from system.", ms.Sys, false},
	} {
		if m.counter {
			e.counter(m.name, m.help, float64(m.v))
		} else {
			e.gauge(m.name, m.help, float64(m.v))
		}
	}
	e.gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9)
}
