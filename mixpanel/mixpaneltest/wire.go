package mixpaneltest

import (
	"net/http"
	"net/url"
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

// LegacyDates reads a legacy request's required parameters and its
// from_date/to_date, answering 400 (and false) as Mixpanel does when one
// is missing or bad.
func LegacyDates(w http.ResponseWriter, q url.Values, required ...string) (from, to time.Time, ok bool) {
	return legacyDates(w, q, required...)
}

// LegacyEnum answers 400 (and false) unless q[k] is empty or allowed.
func LegacyEnum(w http.ResponseWriter, q url.Values, k string, allowed ...string) bool {
	return legacyEnum(w, q, k, allowed...)
}

// PeriodKeys lists the legacy APIs' period keys of [from, to] in unit:
// days, Monday-started weeks and months as YYYY-MM-DD, hours as
// "YYYY-MM-DD HH:00:00".
func PeriodKeys(from, to time.Time, unit string) []string { return periodKeys(from, to, unit) }

// ErrorBody is Mixpanel's {"error": msg, "status": "error"} answer.
func ErrorBody(msg string) map[string]any { return errorBody(msg) }

// WireProperties is the event's properties as the export (idKey
// "distinct_id") and the activity feed ("$distinct_id") send them.
func (e RawEvent) WireProperties(idKey string) map[string]any { return e.wireProperties(idKey) }
