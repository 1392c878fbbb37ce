package promtext

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcess: the process figures operators use are read from /proc/self,
// typed as client_golang typed them.
func TestProcess(t *testing.T) {
	r := NewRegistry()
	r.AddRuntime()
	fams := parse(t, r.AppendText(nil))
	for name, typ := range map[string]dto.MetricType{
		"process_resident_memory_bytes":    dto.MetricType_GAUGE,
		"process_virtual_memory_bytes":     dto.MetricType_GAUGE,
		"process_virtual_memory_max_bytes": dto.MetricType_GAUGE,
		"process_cpu_seconds_total":        dto.MetricType_COUNTER,
		"process_open_fds":                 dto.MetricType_GAUGE,
		"process_max_fds":                  dto.MetricType_GAUGE,
		"process_start_time_seconds":       dto.MetricType_GAUGE,
	} {
		f, ok := fams[name]
		if assert.True(t, ok, "%s missing", name) {
			assert.Equal(t, typ, f.GetType(), name)
		}
	}
	assert.Positive(t, fams["process_resident_memory_bytes"].GetMetric()[0].GetGauge().GetValue())
	assert.Positive(t, fams["process_open_fds"].GetMetric()[0].GetGauge().GetValue())
	start := fams["process_start_time_seconds"].GetMetric()[0].GetGauge().GetValue()
	assert.Greater(t, start, 1.6e9, "seconds since the epoch, not since boot")
}

// TestParseStat: /proc/self/stat with a command name holding spaces and
// parentheses.
func TestParseStat(t *testing.T) {
	line := "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123456 1848217600 5546 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	s, ok := parseStat([]byte(line))
	require.True(t, ok)
	assert.Equal(t, procStat{utime: 250, stime: 50, starttime: 123456, vsize: 1848217600, rss: 5546}, s)
	_, ok = parseStat([]byte("4242 (a) S 1 2"))
	assert.False(t, ok, "too few fields")
}
