package mixpaneltest

import (
	"net/http"
	"time"
)

// The helpers below are the fake's wire conventions, exported so the demo
// project (mixpanel/demo), which computes its answers, writes the same
// shapes as the fake the tests use.

// InsightsRange resolves a bookmark's sections.time entry ("in the last N
// days" or "between") to its first and last day, relative to today.
func InsightsRange(entry map[string]any, today time.Time) (time.Time, time.Time, error) {
	return insightsRange(entry, today)
}

// DateKeys lists the bucket keys of [from, to] in unit as Mixpanel writes
// them (ISO with the project's offset).
func DateKeys(from, to time.Time, unit string) ([]string, error) { return dateKeys(from, to, unit) }

// SeriesLabel is the series label Mixpanel gives a metric or formula
// clause, such as "Sign Up [Unique Users]".
func SeriesLabel(clause map[string]any) string { return seriesLabel(clause) }

// ProjectOffset is the UTC offset the fake and the demo report dates in.
const ProjectOffset = insightsOffset

// Handle adds or replaces the built-in route method+path (a full path on
// the fake's host). The demo project answers its query routes this way,
// behind the fake's credential and parameter checks.
func (s *Server) Handle(method, path string, h http.HandlerFunc) { s.handle(method, path, h) }
