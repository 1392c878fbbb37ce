package mixpanel_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The JSON entry points of the legacy results and the export stream must
// take any input without panicking, and keep their invariants.

func FuzzParseLegacyFunnel(f *testing.F) {
	for _, s := range []string{
		`{"data":{"2026-11-01":{"steps":[{"count":10,"event":"A"},{"count":5,"goal":"B"}]}}}`,
		`{"data":{"2026-11-01":{"$overall":[{"count":1}],"x":[]}}}`,
		`{"data":{"d":{"steps":"no"}}}`, `{"data":[]}`, `{}`, `null`, `[`,
		`{"data":{"a":{"steps":[{"count":-5},{"count":1e308},{"count":null}]}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res, err := mixpanel.ParseLegacyFunnel(json.RawMessage(body))
		if err != nil {
			return
		}
		if len(res.Steps) > 0 && res.Steps[0].ConversionRate != 1 {
			t.Fatalf("first step rate %v", res.Steps[0].ConversionRate)
		}
		if _, err := json.Marshal(res); err != nil && !strings.Contains(err.Error(), "unsupported value") {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}

func FuzzParseLegacyRetention(f *testing.F) {
	for _, s := range []string{
		`{"2026-11-01":{"first":10,"counts":[9,7]}}`,
		`{"2026-11-01":{"first":0,"counts":[1]},"$average":{"first":"x"}}`,
		`{"a":[]}`, `[]`, `{}`, `"x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cohorts, err := mixpanel.ParseLegacyRetention(json.RawMessage(body))
		if err != nil {
			return
		}
		for i := 1; i < len(cohorts); i++ {
			if cohorts[i-1].Date > cohorts[i].Date {
				t.Fatalf("cohorts out of order: %q before %q", cohorts[i-1].Date, cohorts[i].Date)
			}
		}
	})
}

func FuzzReadNDJSON(f *testing.F) {
	for _, s := range []string{
		"{\"event\":\"A\",\"properties\":{\"time\":1}}\n{bad\n\n",
		"\x1f\x8b\x08\x00",
		"{\"event\":\"A\"}",
		"\r\n\r\n{}\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lines := 0
		stats, _ := mixpanel.ReadNDJSON(bytes.NewReader(body), func(line []byte) (bool, bool) {
			lines++
			if len(bytes.TrimSpace(line)) != len(line) || len(line) == 0 {
				t.Fatalf("handed an untrimmed or empty line %q", line)
			}
			var e struct {
				Event      string         `json:"event"`
				Properties map[string]any `json:"properties"`
			}
			if json.Unmarshal(line, &e) != nil {
				return false, true
			}
			_ = mixpanel.NormalizeEvent(e.Event, e.Properties)
			return true, true
		})
		if stats.Rows+stats.Skipped < lines {
			t.Fatalf("%d lines handled but %d rows + %d skipped", lines, stats.Rows, stats.Skipped)
		}
	})
}

// BenchmarkReadNDJSON measures the stream reader's throughput on export
// lines (decoding each into an event).
func BenchmarkReadNDJSON(b *testing.B) {
	var buf bytes.Buffer
	for i := range 20000 {
		buf.WriteString(`{"event":"Product Viewed","properties":{"time":1793790000,"distinct_id":"user-`)
		buf.WriteString(strings.Repeat("7", i%5+1))
		buf.WriteString(`","$insert_id":"x","category":"shoes","price":42}}` + "\n")
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, err := mixpanel.ReadNDJSON(bytes.NewReader(data), func(line []byte) (bool, bool) {
			var e struct {
				Event      string         `json:"event"`
				Properties map[string]any `json:"properties"`
			}
			return json.Unmarshal(line, &e) == nil, true
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
