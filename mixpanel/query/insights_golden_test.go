package query

import (
	"testing"
	"time"
)

func TestInsightsBookmarkParamsGolden(t *testing.T) {
	runBookmarkCases(t, "insights", "events", 72, func(input []byte, today time.Time) (any, error) {
		var q InsightsQuery
		if err := decodeStrict(input, &q); err != nil {
			return nil, err
		}
		return q.Build(today)
	})
}
