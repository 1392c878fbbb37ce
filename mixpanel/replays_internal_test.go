package mixpanel

import (
	"encoding/json"
	"io"
	"os"
	"slices"
	"testing"
)

func TestScanTimestamps(t *testing.T) {
	tests := []struct {
		body string
		want []float64
		ok   bool
	}{
		{`[{"type":2,"data":{"timestamp":"inner","x":[1,{"timestamp":9}]},"timestamp":3}, {"timestamp":1.5e3}]`, []float64{3, 1500}, true},
		{` [ ] `, nil, true},
		{`[{"timestamp":1,"s":"a \"timestamp\": 7 ]}"}]`, []float64{1}, true},
		{`[{"data":{}}]`, nil, false},
		{`[{"timestamp":"1"}]`, nil, false},
		{`[1,2]`, nil, false},
		{`[[{"timestamp":1}]]`, nil, false},
		{`{"timestamp":1}`, nil, false},
		{`[{"timestamp":1}] x`, nil, false},
		{`[{"timestamp":1,"timestamp":2}]`, nil, false},
		{`[{"timestamp":1}`, nil, false},
	}
	for _, tt := range tests {
		got, ok := scanTimestamps([]byte(tt.body))
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("scanTimestamps(%s) = %v, %v; want %v, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzSortedEvents(f *testing.F) {
	for _, seed := range []string{
		`[{"type":3,"data":{},"timestamp":3},{"type":3,"data":{},"timestamp":1},{"type":2,"data":{},"timestamp":2}]`,
		`[{"timestamp":1},{"timestamp":1.5},{"timestamp":1}]`,
		`[{"screen":"Home"}]`,
		`{"not":"an array"}`,
		`[1,2,3]`,
		`[]`,
		``,
		`[{"timestamp":"x"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if ts, ok := scanTimestamps(body); ok {
			var objs []map[string]json.RawMessage
			if json.Unmarshal(body, &objs) == nil {
				for i, o := range objs {
					var n json.Number
					if json.Unmarshal(o["timestamp"], &n) != nil {
						t.Fatalf("scan accepted element %d without a numeric timestamp", i)
					}
					if f, err := n.Float64(); err == nil && f != ts[i] {
						t.Fatalf("element %d: scanned %v, decoded %v", i, ts[i], f)
					}
				}
			}
		}
		out, err := io.ReadAll(sortedEvents(body))
		if err != nil {
			t.Fatal(err)
		}
		var in []struct {
			Timestamp json.Number `json:"timestamp"`
		}
		if json.Unmarshal(body, &in) != nil {
			return
		}
		var got []struct {
			Timestamp json.Number `json:"timestamp"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("sorted output is not JSON: %v\n%s", err, out)
		}
		if len(got) != len(in) {
			t.Fatalf("%d events in, %d out", len(in), len(got))
		}
		for i := 1; i < len(got); i++ {
			a, errA := got[i-1].Timestamp.Float64()
			b, errB := got[i].Timestamp.Float64()
			if errA == nil && errB == nil && a > b {
				allNumeric := true
				for _, e := range in {
					if _, err := e.Timestamp.Float64(); err != nil {
						allNumeric = false
					}
				}
				if allNumeric {
					t.Fatalf("not sorted at %d: %v > %v", i, a, b)
				}
			}
		}
	})
}

func FuzzSeriesRows(f *testing.F) {
	for _, seed := range []string{
		`{"series":{"m":{"r1":{"30":{"all":1795626044},"$overall":{"all":1795626044}},"$overall":{"all":1}}}}`,
		`{"series":{"m":{"r1":{"undefined":{"u":{"all":"1795626044"}}}}}}`,
		`{"series":{}}`,
		`{"series":{"m":{"r1":5}}}`,
		`{"series":[1,2]}`,
		`[]`,
	} {
		f.Add([]byte(seed), 2)
	}
	f.Fuzz(func(t *testing.T, raw []byte, depth int) {
		if depth < 0 || depth > 8 {
			return
		}
		rows, err := seriesRows(raw, depth)
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r.keys) != depth {
				t.Fatalf("row %v is not %d groups deep", r.keys, depth)
			}
			for _, k := range r.keys {
				if k == "$overall" {
					t.Fatalf("rollup leaked into row %v", r.keys)
				}
			}
		}
	})
}

func BenchmarkSortedEvents(b *testing.B) {
	body, err := os.ReadFile("replay/testdata/web_login_board.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := io.Copy(io.Discard, sortedEvents(body)); err != nil {
			b.Fatal(err)
		}
	}
}
