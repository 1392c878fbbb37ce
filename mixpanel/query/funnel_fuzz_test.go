package query

import (
	"encoding/json"
	"testing"
	"time"
)

// kitchenSink returns the tool input of a shared case, for benchmarks and
// fuzz seeds.
func kitchenSink(t testing.TB, kind, id string) []byte {
	t.Helper()
	for _, c := range loadCases(t, kind) {
		if c.ID != id {
			continue
		}
		spec, err := parseOrdered(c.Spec)
		if err != nil {
			t.Fatal(err)
		}
		input, err := callToInput(spec, engines[kind].positional...)
		if err != nil {
			t.Fatal(err)
		}
		return input
	}
	t.Fatalf("no case %s", id)
	return nil
}

func benchmarkEngine(b *testing.B, kind, id string) {
	input := kitchenSink(b, kind, id)
	build := engines[kind].build
	today := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	if _, err := build(input, today); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build(input, today); err != nil {
			b.Fatal(err)
		}
	}
}

// The benchmarks decode a kitchen-sink JSON input, validate it and build
// its params: the whole spec → params path of one tool call.
func BenchmarkFunnelSpecToParams(b *testing.B) { benchmarkEngine(b, "funnels", "ex-funnels-026") }
func BenchmarkRetentionSpecToParams(b *testing.B) {
	benchmarkEngine(b, "retention", "ex-retention-017")
}
func BenchmarkFlowSpecToParams(b *testing.B) { benchmarkEngine(b, "flows", "ex-flows-021") }

// fuzzBuild checks that any JSON input either fails to decode, fails
// validation with a *ValidationError, or builds params that encode.
func fuzzBuild(f *testing.F, kind string, seedIDs ...string) {
	for _, id := range seedIDs {
		f.Add(kitchenSink(f, kind, id))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	build := engines[kind].build
	today := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, input []byte) {
		params, err := build(input, today)
		if err != nil {
			return
		}
		if _, err := json.Marshal(params); err != nil {
			t.Fatalf("built params do not encode: %v", err)
		}
	})
}

func FuzzFunnelQuery(f *testing.F) {
	fuzzBuild(f, "funnels", "ex-funnels-026", "ex-funnels-003", "ex-funnels-021", "ex-funnels-032")
}

func FuzzRetentionQuery(f *testing.F) {
	fuzzBuild(f, "retention", "ex-retention-017", "ex-retention-012", "ex-retention-019")
}

func FuzzFlowQuery(f *testing.F) {
	fuzzBuild(f, "flows", "ex-flows-021", "ex-flows-007", "ex-flows-008", "ex-flows-018", "ex-flows-026")
}

// The response parsers face whatever the server sends: they must return a
// result or an error, never panic, and the summaries drawn from a result
// must stay within it.
func FuzzParseFunnelResponse(f *testing.F) {
	f.Add([]byte(`{"series":{"F":{"count":{"1. A":{"all":10},"2. B":{"all":"4"}},"step_conv_ratio":{"2. B":{"all":0.4}}}}}`))
	f.Add([]byte(`{"series":[{"event":"A","count":1}],"date_range":{"from_date":1}}`))
	f.Add([]byte(`{"series":{"$overall":{"steps":[null]}}}`))
	f.Add([]byte(`{"error":{"x":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := ParseFunnelResponse(body, nil)
		if err != nil {
			return
		}
		_ = res.OverallConversionRate()
		d := res.BiggestDropOff()
		if (d != nil) != (len(res.StepsData) >= 2) {
			t.Fatalf("drop-off %+v for %d steps", d, len(res.StepsData))
		}
		if d != nil && (d.FromStep < 1 || d.ToStep != d.FromStep+1 || d.ToStep > len(res.StepsData) || d.Lost < 0) {
			t.Fatalf("drop-off %+v outside %d steps", d, len(res.StepsData))
		}
	})
}

func FuzzParseRetentionResponse(f *testing.F) {
	f.Add([]byte(`{"series":{"m":{"2025-01-01T00:00:00":{"first":3,"counts":[3,"1"],"rates":[1,null]},"$average":{"first":3}}}}`))
	f.Add([]byte(`{"series":{"m":{"$overall":{"d":{"first":1}},"iOS":{"$average":[]}}}}`))
	f.Add([]byte(`{"series":{"a":{},"b":{}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := ParseRetentionResponse(body, nil)
		if err != nil {
			return
		}
		rows, buckets := res.Rows(), res.BucketCount()
		if len(res.Segments) > 0 {
			return // BucketCount covers the unsegmented cohorts only
		}
		for _, row := range rows {
			if row.Bucket >= buckets {
				t.Fatalf("row %+v beyond the %d buckets", row, buckets)
			}
		}
	})
}

func FuzzParseFlowResponse(f *testing.F) {
	f.Add([]byte(`{"steps":[{"nodes":[{"event":"A","totalCount":"9","edges":[{"event":"B","step":"x","totalCount":1.5}]}]}]}`), "sankey")
	f.Add([]byte(`{"flows":[{"flowSteps":[{"event":"A","totalCount":"x"}]}]}`), "paths")
	f.Add([]byte(`{"trees":[{"root":{"step":null,"children":[{"step":{"event":"A"},"totalCount":"3","children":[{"step":{"event":"B"}}]}]}}]}`), "tree")
	f.Fuzz(func(t *testing.T, body []byte, mode string) {
		res, err := ParseFlowResponse(body, nil, mode)
		if err != nil {
			return
		}
		top := res.TopTransitions(5)
		if len(top) > 5 {
			t.Fatalf("%d top transitions, asked for 5", len(top))
		}
		for i := 1; i < len(top); i++ {
			if top[i].Count > top[i-1].Count {
				t.Fatalf("top transitions not busiest first: %+v", top)
			}
		}
		_ = res.DropOffSummary()
		_ = res.PathRows()
		_ = res.TreeRows()
		for _, tr := range res.Trees {
			_ = tr.Render()
			_ = tr.AllPaths()
		}
	})
}
