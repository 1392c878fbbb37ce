package promtext

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// userHZ is the kernel's USER_HZ, the unit of /proc/self/stat's times: 100
// on every Linux architecture Go runs on (as procfs assumes too).
const userHZ = 100

// bootTime is /proc/stat's btime, read at the first scrape (never at
// start-up) and kept: it does not change.
var bootTime = sync.OnceValues(func() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			v, err := strconv.ParseFloat(string(bytes.TrimSpace(rest)), 64)
			return v, err == nil
		}
	}
	return 0, false
})

// processMetrics reads /proc/self; a figure it cannot read is left out.
func processMetrics(e *emitter) {
	if stat, ok := readStat(); ok {
		e.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", float64(stat.utime+stat.stime)/userHZ)
		e.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", float64(stat.vsize))
		e.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", float64(stat.rss*uint64(os.Getpagesize())))
		if btime, ok := bootTime(); ok {
			e.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", btime+float64(stat.starttime)/userHZ)
		}
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1)
		_ = d.Close()
		if err == nil {
			// Minus one: the descriptor reading the directory.
			e.gauge("process_open_fds", "Number of open file descriptors.", float64(len(names)-1))
		}
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		e.gauge("process_max_fds", "Maximum number of open file descriptors.", float64(lim.Cur))
	}
	if syscall.Getrlimit(syscall.RLIMIT_AS, &lim) == nil {
		e.gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", float64(lim.Cur))
	}
}

type procStat struct {
	utime, stime, starttime, vsize, rss uint64
}

// readStat parses /proc/self/stat: the fields after the command name (in
// parentheses, which may itself hold spaces and parentheses) from state
// (field 3) on, as proc(5) numbers them.
func readStat() (procStat, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	return parseStat(data)
}

func parseStat(data []byte) (procStat, bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(data[i+1:])
	if len(f) < 22 {
		return procStat{}, false
	}
	var s procStat
	for _, x := range []struct {
		field int
		dst   *uint64
	}{{14, &s.utime}, {15, &s.stime}, {22, &s.starttime}, {23, &s.vsize}, {24, &s.rss}} {
		v, err := strconv.ParseUint(string(f[x.field-3]), 10, 64)
		if err != nil {
			return procStat{}, false
		}
		*x.dst = v
	}
	return s, true
}
