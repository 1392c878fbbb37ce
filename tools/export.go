package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Raw export as tools. The export API streams every matching event; these
// tools read it line by line, stop as soon as they have limit rows and
// close the connection, so a month of events costs no more than the rows
// asked for.
func exportTools() []*Tool {
	return []*Tool{
		New("export_events", ToolsetExport,
			"Raw events (name, time, distinct id, properties) for a date range, up to limit rows; prefer query tools for counts.",
			ReadOnly, exportEvents),
		New("export_profiles", ToolsetExport,
			"Raw user profiles matching a selector or cohort, up to limit rows.",
			ReadOnly, exportProfiles),
	}
}

// maxExportRows is the server-side cap on limit: a model gets at most this
// many raw rows per call, whatever it asks for.
const maxExportRows = 2000

// exportTextRows is how many rows the text rendering shows; all rows are
// in structuredContent.
const exportTextRows = 200

// ExportEventsInput selects raw events.
type ExportEventsInput struct {
	DateRange
	Events     StringList `json:"events,omitempty" jsonschema:"description=Only these event names"`
	Where      string     `json:"where,omitempty" jsonschema:"description=Filter expression such as properties[\"country\"] == \"US\""`
	Limit      int        `json:"limit" jsonschema:"minimum=1,maximum=2000,description=Most rows to return"`
	Properties StringList `json:"properties,omitempty" jsonschema:"description=Properties to show as table columns"`
}

// Validate checks the request before it is sent.
func (in *ExportEventsInput) Validate() error {
	var iss query.Issues
	in.DateRange.check(&iss)
	checkExportLimit(&iss, in.Limit)
	for i, e := range in.Events {
		checkRequired(&iss, fmt.Sprintf("events[%d]", i), e, "Purchase")
	}
	return iss.Err(query.StageArgs)
}

func checkExportLimit(iss *query.Issues, limit int) {
	if limit < 1 || limit > maxExportRows {
		iss.Add("X1_INVALID_ENUM", "limit", "limit must be between 1 and %d (got %d); narrow the range or the filter for fewer rows", maxExportRows, limit)
	}
}

// ExportEventsOutput is the exported rows and whether more matched.
type ExportEventsOutput struct {
	FromDate string                 `json:"from_date"`
	ToDate   string                 `json:"to_date"`
	Events   []mixpanel.ExportEvent `json:"events"`
	Count    int                    `json:"count"`
	// Capped is true when more events matched than limit.
	Capped       bool `json:"capped"`
	Limit        int  `json:"limit"`
	SkippedLines int  `json:"skipped_lines,omitempty" jsonschema:"description=Blank or malformed lines of the stream"`

	columns []string
}

// Text is one row per event with the chosen (or a few) properties.
func (o ExportEventsOutput) Text() string {
	cols := append([]string{"time", "event", "distinct_id"}, o.columns...)
	if len(o.columns) == 0 {
		cols = append(cols, "properties")
	}
	rows := make([][]string, 0, min(len(o.Events), exportTextRows))
	for _, e := range o.Events[:min(len(o.Events), exportTextRows)] {
		row := []string{e.EventTime, e.EventName, e.DistinctID}
		if len(o.columns) == 0 {
			row = append(row, compactProps(e.Properties, 4))
		}
		for _, c := range o.columns {
			row = append(row, propCell(e.Properties[c]))
		}
		rows = append(rows, row)
	}
	title := fmt.Sprintf("Exported %d events, %s to %s", o.Count, o.FromDate, o.ToDate)
	var b strings.Builder
	b.WriteString(Table{Title: title, Columns: cols, Rows: rows, Total: o.Count, Hint: "every row is in structuredContent"}.String())
	if o.Capped {
		fmt.Fprintf(&b, "Capped at limit=%d: more events match. Narrow the dates, events or where, or use query tools for counts.\n", o.Limit)
	}
	if o.SkippedLines > 0 {
		fmt.Fprintf(&b, "%d blank or malformed lines of the stream were skipped.\n", o.SkippedLines)
	}
	return b.String()
}

// collect appends streamed items to *items until limit, then stops the
// stream and sets *capped: the caller asks the stream for one item more than
// limit, so capped means more matched. Progress goes out every 500 items.
func collect[T any](ctx context.Context, limit int, msg string, items *[]T, capped *bool) func(T) bool {
	return func(v T) bool {
		if len(*items) == limit {
			*capped = true
			return false
		}
		*items = append(*items, v)
		if n := len(*items); n%500 == 0 {
			Progress(ctx, n, limit, msg)
		}
		return true
	}
}

// propCell renders a property value for a table cell, cut to 60 characters.
func propCell(v any) string {
	if v == nil {
		return ""
	}
	return clip(valueText(v), 60)
}

// valueText is a string as it is and any other value as JSON.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// clip cuts s to at most n characters, marking the cut with "...", without
// splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k, cut := 0, 0
	for i := range s {
		if k == n-3 {
			cut = i
		}
		if k == n {
			return s[:cut] + "..."
		}
		k++
	}
	return s
}

func exportEvents(ctx context.Context, env *Env, in ExportEventsInput) (ExportEventsOutput, error) {
	c, err := env.Client()
	if err != nil {
		return ExportEventsOutput{}, err
	}
	from, to := in.DateRange.resolve(env.Now())
	out := ExportEventsOutput{FromDate: from, ToDate: to, Limit: in.Limit, Events: []mixpanel.ExportEvent{}, columns: in.Properties}
	// One row more than asked tells whether the export was capped.
	stats, err := c.ExportEvents(ctx, mixpanel.ExportParams{FromDate: from, ToDate: to, Events: in.Events, Where: in.Where, Limit: in.Limit + 1}, collect(ctx, in.Limit, "exporting events", &out.Events, &out.Capped))
	if err != nil {
		return ExportEventsOutput{}, err
	}
	out.Count, out.SkippedLines = len(out.Events), stats.Skipped
	return out, nil
}

// ExportProfilesInput selects raw profiles.
type ExportProfilesInput struct {
	Where      string     `json:"where,omitempty" jsonschema:"description=Engage selector such as properties[\"plan\"] == \"pro\""`
	CohortID   query.Int  `json:"cohort_id,omitempty" jsonschema:"description=Only members of this saved cohort"`
	Properties StringList `json:"properties,omitempty" jsonschema:"description=Only these profile properties (and table columns)"`
	Limit      int        `json:"limit" jsonschema:"minimum=1,maximum=2000,description=Most profiles to return"`
}

// Validate checks the request before it is sent.
func (in *ExportProfilesInput) Validate() error {
	var iss query.Issues
	checkExportLimit(&iss, in.Limit)
	if in.CohortID < 0 {
		iss.Add("X1_INVALID_ENUM", "cohort_id", "cohort_id must be a positive saved cohort id (got %d)", in.CohortID)
	}
	for i, p := range in.Properties {
		if strings.TrimSpace(p) == "" {
			iss.Add("U11", fmt.Sprintf("properties[%d]", i), "property name must be a non-empty string")
		}
	}
	return iss.Err(query.StageArgs)
}

// ExportProfilesOutput is the exported profiles and whether more matched.
type ExportProfilesOutput struct {
	Profiles []mixpanel.Profile `json:"profiles"`
	Count    int                `json:"count"`
	Matching int                `json:"matching,omitempty" jsonschema:"description=Profiles matching in all, when Mixpanel says"`
	Capped   bool               `json:"capped"`
	Limit    int                `json:"limit"`

	columns []string
}

// Text is one row per profile with the chosen (or a few) properties.
func (o ExportProfilesOutput) Text() string {
	title := fmt.Sprintf("Exported %d profiles", o.Count)
	if o.Matching > 0 {
		title += fmt.Sprintf(" of %d matching", o.Matching)
	}
	var b strings.Builder
	b.WriteString(profilesTable(title, o.Profiles, o.columns, exportTextRows))
	if o.Capped {
		fmt.Fprintf(&b, "Capped at limit=%d: more profiles match. Narrow where or the cohort, or use query_user with mode=aggregate for counts.\n", o.Limit)
	}
	return b.String()
}

// profilesTable renders profiles as distinct_id, last_seen (when any
// profile has it) and the chosen properties, or a compact summary of each
// profile's properties.
func profilesTable(title string, profiles []mixpanel.Profile, columns []string, maxRows int) string {
	withLastSeen := false
	for _, p := range profiles {
		withLastSeen = withLastSeen || p.LastSeen != nil
	}
	cols := []string{"distinct_id"}
	if withLastSeen {
		cols = append(cols, "last_seen")
	}
	cols = append(cols, columns...)
	if len(columns) == 0 {
		cols = append(cols, "properties")
	}
	rows := make([][]string, 0, min(len(profiles), maxRows))
	for _, p := range profiles[:min(len(profiles), maxRows)] {
		row := []string{p.DistinctID}
		if withLastSeen {
			last := ""
			if p.LastSeen != nil {
				last = *p.LastSeen
			}
			row = append(row, last)
		}
		if len(columns) == 0 {
			row = append(row, compactProps(p.Properties, 5, "$last_seen"))
		}
		for _, c := range columns {
			row = append(row, propCell(p.Properties[c]))
		}
		rows = append(rows, row)
	}
	return Table{Title: title, Columns: cols, Rows: rows, Total: len(profiles), Hint: "every row is in structuredContent"}.String()
}

func exportProfiles(ctx context.Context, env *Env, in ExportProfilesInput) (ExportProfilesOutput, error) {
	c, err := env.Client()
	if err != nil {
		return ExportProfilesOutput{}, err
	}
	q := mixpanel.ProfileQuery{Where: in.Where, OutputProperties: in.Properties, Limit: in.Limit + 1}
	if in.CohortID > 0 {
		q.Cohort = &mixpanel.CohortFilter{ID: int64(in.CohortID)}
	}
	out := ExportProfilesOutput{Limit: in.Limit, Profiles: []mixpanel.Profile{}, columns: in.Properties}
	st, err := c.StreamProfiles(ctx, q, collect(ctx, in.Limit, "exporting profiles", &out.Profiles, &out.Capped))
	if err != nil {
		return ExportProfilesOutput{}, fmt.Errorf("export profiles: %w", err)
	}
	out.Count, out.Matching = len(out.Profiles), st.Total
	out.Capped = out.Capped || st.Total > out.Count
	return out, nil
}
