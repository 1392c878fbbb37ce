package query

import (
	"testing"
)

// BenchmarkInsightsBuild measures spec -> params per query: strict JSON
// decoding, the three validation stages and the build, averaged over the
// valid golden inputs.
func BenchmarkInsightsBuild(b *testing.B) {
	var inputs [][]byte
	for _, c := range loadCases(b, "insights") {
		if c.ExpectedError != nil {
			continue
		}
		spec, err := parseOrdered(c.Spec)
		if err != nil {
			b.Fatal(err)
		}
		in, err := callToInput(spec, "events")
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var q InsightsQuery
		if err := decodeStrict(inputs[i%len(inputs)], &q); err != nil {
			b.Fatal(err)
		}
		if _, err := q.Build(testToday); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsightsBuildKitchenSink measures the largest golden query.
func BenchmarkInsightsBuildKitchenSink(b *testing.B) {
	var input []byte
	for _, c := range loadCases(b, "insights") {
		if c.ID == "ex-insights-057" {
			spec, _ := parseOrdered(c.Spec)
			input, _ = callToInput(spec, "events")
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var q InsightsQuery
		if err := decodeStrict(input, &q); err != nil {
			b.Fatal(err)
		}
		if _, err := q.Build(caseToday(bookmarkCase{})); err != nil {
			b.Fatal(err)
		}
	}
}
