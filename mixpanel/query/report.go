package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// Report is a query to save as a report (a dashboard card, a bookmark):
// exactly one of the four engines' queries — the arguments of
// query_insights, query_funnel, query_retention or query_flow, validated and
// built by the same rules — or the params a dry run of one of them
// returned, with the bookmark type they are for.
type Report struct {
	Insights  *InsightsQuery  `json:"insights,omitempty"`
	Funnel    *FunnelQuery    `json:"funnel,omitempty"`
	Retention *RetentionQuery `json:"retention,omitempty"`
	Flow      *FlowQuery      `json:"flow,omitempty"`
	Params    RawParams       `json:"params,omitempty"`
}

// The report types Mixpanel stores bookmarks of.
const (
	ReportInsights  = "insights"
	ReportFunnels   = "funnels"
	ReportRetention = "retention"
	ReportFlows     = "flows"
)

// RawParams are bookmark params given whole: a JSON object, or a JSON
// string holding one (the form dashboards store).
type RawParams json.RawMessage

// UnmarshalJSON accepts an object or a string holding one.
func (p *RawParams) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = bytes.TrimSpace([]byte(s))
	}
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return errors.New("params must be a JSON object (the params of a dry run), or a string holding one")
	}
	*p = append(RawParams(nil), b...)
	return nil
}

// MarshalJSON writes the params object.
func (p RawParams) MarshalJSON() ([]byte, error) {
	if len(p) == 0 {
		return []byte("null"), nil
	}
	return p, nil
}

// Build validates the report and returns its bookmark type and params.
// declared is the type the caller named, "" when none: it must match a
// query's engine, and params need it. Issue paths are relative to the
// Report ("insights.events[0].math"); see Under.
func (r *Report) Build(declared string, today time.Time) (string, Params, error) {
	type alt struct {
		field, kind string
		set         bool
	}
	alts := []alt{
		{"insights", ReportInsights, r.Insights != nil},
		{"funnel", ReportFunnels, r.Funnel != nil},
		{"retention", ReportRetention, r.Retention != nil},
		{"flow", ReportFlows, r.Flow != nil},
		{"params", declared, r.Params != nil},
	}
	var given []alt
	for _, a := range alts {
		if a.set {
			given = append(given, a)
		}
	}
	var iss Issues
	if len(given) != 1 {
		names := make([]string, len(given))
		for i, a := range given {
			names[i] = a.field
		}
		what := "none is set"
		if len(given) > 1 {
			what = strings.Join(names, " and ") + " are set"
		}
		iss.Add("X9_ONE_REPORT_QUERY", "", "a report needs exactly one of insights, funnel, retention, flow or params, but %s; give one query (the arguments of an Insights, funnel, retention or flow query) or the params of a dry run", what)
		return "", nil, iss.Err(StageConstruct)
	}
	a := given[0]
	if a.field == "params" {
		return r.buildParams(declared)
	}
	if declared != "" && declared != a.kind {
		iss.Add("X10_REPORT_TYPE", "type", "type %q does not match the %s query, which makes a %s report; drop type or set it to %q", declared, a.field, a.kind, a.kind)
		return "", nil, iss.Err(StageConstruct)
	}
	var (
		params Params
		err    error
	)
	switch a.field {
	case "insights":
		params, err = r.Insights.Build(today)
	case "funnel":
		params, err = r.Funnel.Build(today)
	case "retention":
		params, err = r.Retention.Build(today)
	case "flow":
		params, err = r.Flow.Build(today)
	}
	if err != nil {
		return "", nil, Under(err, a.field)
	}
	return a.kind, params, nil
}

// buildParams checks params given whole by the bookmark rules of their type.
func (r *Report) buildParams(declared string) (string, Params, error) {
	var iss Issues
	if !oneOfStrings(declared, ReportInsights, ReportFunnels, ReportRetention, ReportFlows) {
		got := "no type"
		if declared != "" {
			got = "type " + `"` + declared + `"`
		}
		iss.Add("X10_REPORT_TYPE", "type", "params need the report type, got %s; set type to insights, funnels, retention or flows (the engine of the dry run)", got)
		return "", nil, iss.Err(StageConstruct)
	}
	v, err := decodeAny(r.Params)
	if err != nil {
		return "", nil, err
	}
	params, _ := v.(map[string]any)
	if declared == ReportFlows {
		validateFlowBookmark(params, &iss)
	} else {
		ValidateBookmark(params, declared, &iss)
	}
	if err := iss.Err(StageBookmark); err != nil {
		return "", nil, Under(err, "params")
	}
	return declared, params, nil
}

// Under prefixes the paths of a *ValidationError's issues with prefix
// (e.g. "rows[1].contents[0].bookmark"); other errors pass unchanged.
func Under(err error, prefix string) error {
	var ve *ValidationError
	if prefix == "" || !errors.As(err, &ve) {
		return err
	}
	out := &ValidationError{Stage: ve.Stage, Issues: make([]Issue, len(ve.Issues))}
	for i, is := range ve.Issues {
		switch {
		case is.Path == "":
			is.Path = prefix
		case strings.HasPrefix(is.Path, "["):
			is.Path = prefix + is.Path
		default:
			is.Path = prefix + "." + is.Path
		}
		out.Issues[i] = is
	}
	return out
}

// intOf reads an integer from built params (int, int64) or from params
// decoded from JSON (Number, float64).
func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) {
			return int64(x), true
		}
	case Number:
		f := x.Float()
		if f == math.Trunc(f) && !strings.ContainsAny(string(x), ".eE") {
			return int64(f), true
		}
	}
	return 0, false
}
