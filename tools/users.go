package tools

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// query_user: user profiles through Engage, filtered by the same Filter
// objects as the query engines (translated to Engage selector strings), a
// cohort, ids or a search, or aggregated (count, extremes, percentile,
// numeric summary), optionally per cohort.
func usersTools() []*Tool {
	return []*Tool{New("query_user", ToolsetUsers,
		"Query user profiles: filter (where/cohort/distinct ids/search), pick properties, sort, limit; or mode=aggregate for count, extremes, percentile or numeric_summary of a property, optionally per cohort (segment_by).",
		ReadOnly, queryUser),
	}
}

// Bounds of query_user.
const (
	userDefaultLimit = 20
	userMaxLimit     = 1000
	userTextRows     = 100
)

// UserWhere is a raw Engage selector string or Filter objects (ANDed).
type UserWhere struct {
	Selector string
	Filters  query.FilterList
}

// UnmarshalJSON takes a string as a selector and anything else as filters.
func (w *UserWhere) UnmarshalJSON(b []byte) error {
	*w = UserWhere{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &w.Selector)
	}
	return w.Filters.UnmarshalJSON(b)
}

// AsOf is a past date (YYYY-MM-DD) or a Unix timestamp in seconds.
type AsOf struct {
	Date string
	Unix int64
}

// UnmarshalJSON accepts a date string or an integer (also as a string).
func (a *AsOf) UnmarshalJSON(b []byte) error {
	*a = AsOf{}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			a.Unix = n
			return nil
		}
		a.Date = s
		return nil
	}
	if err := json.Unmarshal(b, &a.Unix); err != nil {
		return fmt.Errorf("as_of must be a YYYY-MM-DD date or a Unix timestamp")
	}
	return nil
}

// QueryUserInput is the reference's query_user arguments.
type QueryUserInput struct {
	Mode            string           `json:"mode,omitempty" jsonschema:"enum=profiles,enum=aggregate,default=profiles"`
	Where           UserWhere        `json:"where,omitempty"`
	Cohort          *query.CohortRef `json:"cohort,omitempty" jsonschema:"description=Only this cohort's members"`
	DistinctID      string           `json:"distinct_id,omitempty" jsonschema:"description=One user"`
	DistinctIDs     []string         `json:"distinct_ids,omitempty" jsonschema:"description=Several users (at most 2000)"`
	Search          string           `json:"search,omitempty" jsonschema:"description=Full-text search over profile values"`
	Properties      []string         `json:"properties,omitempty" jsonschema:"description=Properties to return and show as columns"`
	SortBy          string           `json:"sort_by,omitempty" jsonschema:"description=Property to sort by such as $last_seen"`
	SortOrder       string           `json:"sort_order,omitempty" jsonschema:"enum=ascending,enum=descending,default=descending"`
	Limit           *int             `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=20,description=Most profiles to return"`
	AsOf            *AsOf            `json:"as_of,omitempty"`
	GroupID         string           `json:"group_id,omitempty" jsonschema:"description=Data group id for group profiles"`
	IncludeAllUsers bool             `json:"include_all_users,omitempty" jsonschema:"description=With a cohort: also return non-members"`
	Aggregate       string           `json:"aggregate,omitempty" jsonschema:"enum=count,enum=extremes,enum=percentile,enum=numeric_summary,default=count"`
	AggregateProp   string           `json:"aggregate_property,omitempty" jsonschema:"description=Numeric property for extremes/percentile/numeric_summary"`
	Percentile      *float64         `json:"percentile,omitempty" jsonschema:"exclusiveMinimum=0,exclusiveMaximum=100,description=For aggregate=percentile"`
	SegmentBy       []int64          `json:"segment_by,omitempty" jsonschema:"description=Cohort ids to aggregate per cohort"`
	DryRun          bool             `json:"dry_run,omitempty" jsonschema:"description=Only build the Engage request body; send nothing"`
}

// mode is the effective mode.
func (in *QueryUserInput) mode() string { return cmp.Or(in.Mode, "profiles") }

func (in *QueryUserInput) aggregate() string { return cmp.Or(in.Aggregate, "count") }

// cohortFilters are the in_cohort filters of where: Engage takes a cohort
// as filter_by_cohort, not in the selector.
func (in *QueryUserInput) cohortFilters() []query.Filter {
	var cohorts []query.Filter
	for _, f := range in.Where.Filters {
		if f.Operator == "in_cohort" {
			cohorts = append(cohorts, f)
		}
	}
	return cohorts
}

// Validate applies the reference's rules U1-U30 (those that concern this
// tool's arguments) and translates the filters, so a filter the Engage
// selector cannot express fails before any request.
func (in *QueryUserInput) Validate() error {
	var iss query.Issues
	mode, agg := in.mode(), in.aggregate()
	checkEnum(&iss, "mode", in.Mode, "profiles", "aggregate")
	checkEnum(&iss, "aggregate", in.Aggregate, "count", "extremes", "percentile", "numeric_summary")
	cohortFilters := in.cohortFilters()
	if in.DistinctID != "" && in.DistinctIDs != nil {
		iss.Add("U1", "distinct_id", "distinct_id and distinct_ids are mutually exclusive; provide one or the other, not both")
	}
	if in.Cohort != nil && len(cohortFilters) > 0 {
		iss.Add("U2", "cohort", "cohort and an in_cohort filter in where are mutually exclusive; use one or the other")
	}
	if in.Limit != nil && (*in.Limit <= 0 || *in.Limit > userMaxLimit) {
		iss.Add("U3", "limit", "limit must be a positive integer up to %d (got %d)", userMaxLimit, *in.Limit)
	}
	if in.DistinctIDs != nil && len(in.DistinctIDs) == 0 {
		iss.Add("U4", "distinct_ids", "distinct_ids must be a non-empty list; omit it or pass at least one id")
	}
	if len(in.DistinctIDs) > mixpanel.MaxDistinctIDs {
		iss.Add("U4", "distinct_ids", "distinct_ids accepts at most %d ids (got %d); split the list", mixpanel.MaxDistinctIDs, len(in.DistinctIDs))
	}
	if in.SortBy != "" && strings.TrimSpace(in.SortBy) == "" {
		iss.Add("U5", "sort_by", "sort_by must be a non-empty property name such as \"$last_seen\"")
	}
	if in.AsOf != nil && in.AsOf.Date != "" {
		if d, ok := iss.Date(query.DateCodes{Format: "U6", Invalid: "U6"}, "as_of", in.AsOf.Date); ok && d.After(time.Now().UTC()) {
			iss.Add("U8", "as_of", "as_of must not be in the future (got %s)", in.AsOf.Date)
		}
	}
	if in.IncludeAllUsers && in.Cohort == nil && len(cohortFilters) == 0 {
		iss.Add("U7", "include_all_users", "include_all_users=true requires a cohort parameter")
	}
	for i, f := range in.Where.Filters {
		if f.Operator == "not_in_cohort" {
			iss.Add("U12", fmt.Sprintf("where[%d]", i), "not_in_cohort is not supported by query_user; select the cohort's complement with a property filter or use the cohort parameter")
		}
	}
	if len(cohortFilters) > 1 {
		iss.Add("U13", "where", "at most one in_cohort filter is allowed in where (found %d)", len(cohortFilters))
	}
	if in.Properties != nil && len(in.Properties) == 0 {
		iss.Add("U29", "properties", "properties must be a non-empty list; omit it to return every property")
	}
	for i, p := range in.Properties {
		if strings.TrimSpace(p) == "" {
			iss.Add("U11", fmt.Sprintf("properties[%d]", i), "property name must be a non-empty string")
		}
	}
	if mode == "aggregate" {
		if agg != "count" && in.AggregateProp == "" {
			iss.Add("U14", "aggregate_property", "aggregate_property is required when aggregate is %q; set it to a numeric profile property such as \"lifetime_value\"", agg)
		}
		if agg == "count" && in.AggregateProp != "" {
			iss.Add("U15", "aggregate_property", "aggregate_property must not be set when aggregate is 'count'")
		}
		if agg == "percentile" && in.Percentile == nil {
			iss.Add("U26", "percentile", "percentile is required when aggregate is 'percentile', e.g. 90")
		}
		if agg != "percentile" && in.Percentile != nil {
			iss.Add("U27", "percentile", "percentile must not be set when aggregate is %q (only valid for aggregate='percentile')", agg)
		}
	} else if in.SegmentBy != nil {
		iss.Add("U16", "segment_by", "segment_by requires mode='aggregate'")
	}
	if in.Percentile != nil && (*in.Percentile <= 0 || *in.Percentile >= 100) {
		iss.Add("U28", "percentile", "percentile must be between 0 and 100 exclusive (got %s)", Num(*in.Percentile))
	}
	for i, id := range in.SegmentBy {
		if id <= 0 {
			iss.Add("U17", fmt.Sprintf("segment_by[%d]", i), "segment_by IDs must be positive integers (got %d)", id)
		}
	}
	if mode != "profiles" {
		for _, r := range []struct {
			set         bool
			code, field string
		}{
			{in.SortBy != "", "U19", "sort_by"},
			{in.Search != "", "U20", "search"},
			{in.DistinctID != "" || in.DistinctIDs != nil, "U21", "distinct_id"},
			{in.Properties != nil, "U22", "properties"},
			{in.AsOf != nil, "U30", "as_of"},
		} {
			if r.set {
				iss.Add(r.code, r.field, "%s only applies to mode='profiles'; remove it or set mode=profiles", r.field)
			}
		}
	}
	checkEnum(&iss, "sort_order", in.SortOrder, "ascending", "descending")
	if in.Cohort != nil {
		if in.Cohort.Definition == nil && in.Cohort.ID <= 0 {
			iss.Add("CF1", "cohort", "cohort must be a positive saved cohort id (got %d) or an inline definition", in.Cohort.ID)
		} else if in.Cohort.Definition != nil {
			if _, err := in.Cohort.Definition.ToDict(); err != nil {
				iss.Add("U24", "cohort", "the inline cohort definition is invalid: %v", err)
			}
		}
	}
	if len(iss) == 0 {
		whereSelector(in.Where, &iss)
	}
	return iss.Err(query.StageArgs)
}

// whereSelector turns the where argument into an Engage selector.
func whereSelector(w UserWhere, iss *query.Issues) string {
	if w.Selector != "" {
		return w.Selector
	}
	var parts []string
	for i, f := range w.Filters {
		if f.Operator == "in_cohort" {
			continue
		}
		path := fmt.Sprintf("where[%d]", i)
		if len(w.Filters) == 1 {
			path = "where"
		}
		var fiss query.Issues
		rf := f.Resolve(path, &fiss)
		if len(fiss) > 0 {
			*iss = append(*iss, fiss...)
			continue
		}
		sel, ok := filterSelector(rf, path, iss)
		if ok {
			parts = append(parts, sel)
		}
	}
	return strings.Join(parts, " and ")
}

// Seconds per unit of the relative date operators (30-day months, as the
// reference and Insights use).
var relativeSeconds = sync.OnceValue(func() map[string]int64 {
	return map[string]int64{"hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}
})

// maxRelativeSeconds is the reference's 50-year bound on relative windows,
// beyond which NOW ± n leaves the range the server reads as seconds.
const maxRelativeSeconds = 50 * 365 * 86400

// filterSelector translates one resolved Filter into the Engage selector
// grammar (wire reference §4.6), with the reference's ES rule codes for
// what that grammar cannot express.
func filterSelector(rf query.ResolvedFilter, path string, iss *query.Issues) (string, bool) {
	if rf.Property.IsCustom() {
		iss.Add("U25", path+".property", "query_user filters need a plain property name; custom properties are not supported here")
		return "", false
	}
	name := rf.Property.Name
	if strings.TrimSpace(name) == "" {
		iss.Add("U10", path+".property", "filter property name must be a non-empty string")
		return "", false
	}
	prop := `properties["` + escapeSelector(name) + `"]`
	switch rf.Operator {
	case "equals", "does not equal":
		vals, _ := rf.Value.([]any)
		var terms []string
		op := " == "
		if rf.Operator == "does not equal" {
			op = " != "
		}
		for _, v := range vals {
			terms = append(terms, prop+op+selectorValue(v))
		}
		if len(terms) == 0 {
			iss.Add("ES3", path+".value", "%s needs at least one value", rf.Method)
			return "", false
		}
		if rf.Operator == "does not equal" {
			return strings.Join(terms, " and "), true
		}
		if len(terms) > 1 {
			return "(" + strings.Join(terms, " or ") + ")", true
		}
		return terms[0], true
	case "contains":
		return selectorValue(rf.Value) + " in " + prop, true
	case "does not contain":
		return "not " + selectorValue(rf.Value) + " in " + prop, true
	case "is greater than":
		return prop + " > " + selectorValue(rf.Value), true
	case "is less than":
		return prop + " < " + selectorValue(rf.Value), true
	case "is at least":
		return prop + " >= " + selectorValue(rf.Value), true
	case "is at most":
		return prop + " <= " + selectorValue(rf.Value), true
	case "is between", "not between":
		pair, _ := rf.Value.([]any)
		if len(pair) != 2 {
			iss.Add("ES10", path+".value", "%s takes [min, max]", rf.Method)
			return "", false
		}
		lo, hi := selectorValue(pair[0]), selectorValue(pair[1])
		if rf.Operator == "is between" {
			return prop + " >= " + lo + " and " + prop + " <= " + hi, true
		}
		return "(" + prop + " < " + lo + " or " + prop + " > " + hi + ")", true
	case "is set":
		return "defined(" + prop + ")", true
	case "is not set":
		return "not defined(" + prop + ")", true
	case "true":
		return prop + " == true", true
	case "false":
		return prop + " == false", true
	case "was since", "was before", "was on", "was not on", "was between", "was not between":
		first, last := "", ""
		switch v := rf.Value.(type) {
		case string:
			first, last = v, v
		case []any:
			if len(v) == 2 {
				first, _ = v[0].(string)
				last, _ = v[1].(string)
			}
		}
		cast := "datetime(" + prop + ")"
		start := `datetime("` + first + `T00:00:00")`
		end := `datetime("` + last + `T23:59:59")`
		switch rf.Operator {
		case "was since":
			return cast + " >= " + start, true
		case "was before":
			return cast + " < " + start, true
		case "was on", "was between":
			return cast + " >= " + start + " and " + cast + " <= " + end, true
		}
		return "(" + cast + " < " + start + " or " + cast + " > " + end + ")", true
	case "was in the", "was not in the", "was in the next":
		n, _ := strconv.ParseInt(fmt.Sprint(rf.Value), 10, 64)
		secs := n * relativeSeconds()[rf.DateUnit]
		if secs > maxRelativeSeconds {
			iss.Add("ES17", path+".value", "%s can span at most 50 years (18250 days) in query_user; use since, before or date_between with explicit dates", rf.Method)
			return "", false
		}
		cast := "datetime(" + prop + ")"
		s := strconv.FormatInt(secs, 10)
		switch rf.Operator {
		case "was in the":
			return cast + " >= datetime(NOW - " + s + ") and " + cast + " < datetime(NOW)", true
		case "was not in the":
			return "(" + cast + " < datetime(NOW - " + s + ") or " + cast + " >= datetime(NOW))", true
		}
		return cast + " >= datetime(NOW) and " + cast + " < datetime(NOW + " + s + ")", true
	case "starts with", "ends with":
		iss.Add("ES14", path+".operator", "%s has no Engage selector equivalent; filter with contains %q instead and check the prefix/suffix in the returned profiles", rf.Method, fmt.Sprint(rf.Value))
		return "", false
	case "list_contains":
		iss.Add("ES14", path+".operator", "list_contains has no Engage selector equivalent; for a list of strings use contains, else fetch profiles and check the list yourself")
		return "", false
	}
	iss.Add("ES13", path+".operator", "operator %q is not supported by query_user; pass a raw selector string as where instead", rf.Method)
	return "", false
}

func escapeSelector(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// selectorValue formats a literal: strings quoted, numbers bare.
func selectorValue(v any) string {
	switch t := v.(type) {
	case string:
		return `"` + escapeSelector(t) + `"`
	case query.Number:
		return string(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// cohortFilter is the cohort of the cohort argument or the in_cohort filter.
func (in *QueryUserInput) cohortFilter() (*mixpanel.CohortFilter, error) {
	ref := in.Cohort
	if ref == nil {
		if cf := in.cohortFilters(); len(cf) == 1 {
			ref = cf[0].Cohort
		}
	}
	if ref == nil {
		return nil, nil
	}
	if ref.Definition != nil {
		if _, err := ref.Definition.ToDict(); err != nil {
			return nil, err
		}
		return &mixpanel.CohortFilter{Raw: ref.Definition.RawCohort()}, nil
	}
	return &mixpanel.CohortFilter{ID: int64(ref.ID)}, nil
}

// UserQueryOutput is the result of query_user, or with dry_run the Engage
// request it would send.
type UserQueryOutput struct {
	mixpanel.UserQueryResult
	DryRun bool `json:"dry_run,omitempty"`
	// Endpoint and Params are the Engage request of a dry run: "engage"
	// (the first page's body; later pages add page and session_id) or
	// "engage/stats".
	Endpoint string         `json:"endpoint,omitempty"`
	Params   map[string]any `json:"params,omitempty"`
	columns  []string
}

// Text renders profiles as a table of the selected properties, the
// aggregate's value, or the request a dry run built.
func (o UserQueryOutput) Text() string {
	if o.DryRun {
		raw, _ := json.MarshalIndent(o.Params, "", "  ")
		return fmt.Sprintf("Dry run: nothing sent. query_user would POST this body to Mixpanel's %s endpoint:\n%s\n", o.Endpoint, raw)
	}
	r := o.UserQueryResult
	if r.Mode == "aggregate" {
		action, _ := r.Meta["action"].(string)
		var v any
		_ = json.Unmarshal(r.AggregateData, &v)
		var b strings.Builder
		fmt.Fprintf(&b, "Profile aggregate %s", action)
		if seg, ok := v.(map[string]any); ok && r.Meta["segmented"] == true {
			b.WriteString(" per cohort\n")
			rows := make([][]string, 0, len(seg))
			for _, k := range slices.Sorted(maps.Keys(seg)) {
				rows = append(rows, []string{k, aggregateText(seg[k])})
			}
			b.WriteString(Table{Columns: []string{"cohort", "value"}, Rows: rows}.String())
			return b.String()
		}
		b.WriteString(": " + aggregateText(v) + "\n")
		return b.String()
	}
	title := fmt.Sprintf("%d profiles", len(r.Profiles))
	if m, ok := r.Meta["matching"].(int); ok && m > len(r.Profiles) {
		title += fmt.Sprintf(" of %d matching (raise limit, up to %d, or narrow the filter to see others)", m, userMaxLimit)
	}
	return profilesTable(title, r.Profiles, o.columns, userTextRows)
}

func aggregateText(v any) string {
	switch t := v.(type) {
	case float64:
		return Num(t)
	case map[string]any:
		parts := make([]string, 0, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if f, ok := t[k].(float64); ok {
				parts = append(parts, k+"="+Num(f))
			} else {
				parts = append(parts, fmt.Sprintf("%s=%v", k, t[k]))
			}
		}
		return strings.Join(parts, ", ")
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

var propNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^properties\[".*"\]$`) })

// propertyExpr is properties["name"] for a bare name, or the expression.
func propertyExpr(name string) string {
	if propNameRe().MatchString(name) {
		return name
	}
	return `properties["` + escapeSelector(name) + `"]`
}

func queryUser(ctx context.Context, env *Env, in QueryUserInput) (UserQueryOutput, error) {
	c, err := env.Client()
	if err != nil {
		return UserQueryOutput{}, err
	}
	profiles, stats, err := userRequest(env, &in)
	if err != nil {
		return UserQueryOutput{}, err
	}
	if in.DryRun {
		out := UserQueryOutput{DryRun: true, UserQueryResult: mixpanel.UserQueryResult{Mode: in.mode(), Meta: map[string]any{}}}
		if stats != nil {
			out.Endpoint = "engage/stats"
			out.Params, err = c.StatsParams(*stats)
		} else {
			out.Endpoint = "engage"
			out.Params, err = c.ProfilesParams(*profiles)
		}
		return out, err
	}
	if stats != nil {
		res, err := c.ProfileStatsAggregate(ctx, *stats)
		if err != nil {
			return UserQueryOutput{}, err
		}
		return UserQueryOutput{UserQueryResult: *res}, nil
	}
	res, err := c.QueryProfiles(ctx, *profiles)
	if err != nil {
		return UserQueryOutput{}, err
	}
	return UserQueryOutput{UserQueryResult: *res, columns: in.Properties}, nil
}

// userRequest translates the arguments into the Engage query of their
// mode: profiles, or stats for mode=aggregate (the other is nil).
func userRequest(env *Env, in *QueryUserInput) (*mixpanel.ProfileQuery, *mixpanel.StatsQuery, error) {
	var iss query.Issues
	where := whereSelector(in.Where, &iss)
	if err := iss.Err(query.StageArgs); err != nil {
		return nil, nil, err
	}
	cohort, err := in.cohortFilter()
	if err != nil {
		return nil, nil, fmt.Errorf("cohort: %w", err)
	}
	if in.mode() == "aggregate" {
		action := "count()"
		prop := propertyExpr(in.AggregateProp)
		switch in.aggregate() {
		case "extremes":
			action = "extremes(" + prop + ")"
		case "numeric_summary":
			action = "numeric_summary(" + prop + ")"
		case "percentile":
			action = "percentile(" + prop + ", " + Num(*in.Percentile) + ")"
		}
		return nil, &mixpanel.StatsQuery{Action: action, Selector: where, Cohort: cohort, SegmentByCohorts: in.SegmentBy, DataGroupID: in.GroupID, IncludeAllUsers: in.IncludeAllUsers}, nil
	}
	limit := userDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	q := &mixpanel.ProfileQuery{Where: where, Cohort: cohort, OutputProperties: in.Properties, DistinctID: in.DistinctID, DistinctIDs: in.DistinctIDs,
		DataGroupID: in.GroupID, IncludeAllUsers: in.IncludeAllUsers, SortOrder: in.SortOrder, Search: in.Search, Limit: limit}
	if in.SortBy != "" {
		q.SortKey = propertyExpr(in.SortBy)
		if q.SortOrder == "" {
			q.SortOrder = "descending"
		}
	}
	if in.AsOf != nil {
		q.AsOfTimestamp = in.AsOf.Unix
		if in.AsOf.Date != "" {
			d, _ := time.Parse("2006-01-02", in.AsOf.Date)
			q.AsOfTimestamp = min(d.Add(24*time.Hour-time.Second).Unix(), env.Now().Unix())
		}
	}
	return q, nil, nil
}
