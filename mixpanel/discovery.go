package mixpanel

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Limits and defaults of the discovery endpoints (wire reference §3.3, §4.2).
const (
	// EventNamesMaxLimit is the server's ceiling on /events/names' limit.
	EventNamesMaxLimit = 5000
	// EventNamesEarliestDate is the earliest from_date the API accepts.
	EventNamesEarliestDate = "2000-01-01"
	// DefaultPropertyValuesLimit is the reference's default sample size.
	DefaultPropertyValuesLimit = 100
	// DefaultSubpropertySample is how many values subproperty inference reads.
	DefaultSubpropertySample = 50
	// MaxSubpropertySamples caps the distinct sample values kept per subproperty.
	MaxSubpropertySamples = 5
)

// BookmarkTypes are the report types list_bookmarks can filter by.
var BookmarkTypes = []string{"insights", "funnels", "retention", "flows", "launch-analysis"}

// LexiconEntityTypes are the entity types Lexicon schemas exist for.
var LexiconEntityTypes = []string{"event", "profile", "custom_event"}

// TopEventTypes are the counting methods of /events/top.
var TopEventTypes = []string{"general", "unique", "average"}

// EventsOptions narrows /events/names. Zero values take the widest window
// the endpoint accepts.
type EventsOptions struct {
	Limit    int    // 0 or more than 5000: 5000
	FromDate string // YYYY-MM-DD; "" means 2000-01-01, narrowed on a 403 gate
	ToDate   string // YYYY-MM-DD; "" means today
	// Now is "today" for the defaults and the retry; zero means time.Now.
	Now time.Time
}

var exceedsDays = regexp.MustCompile(`exceeds\s+(\d+)\s+days`)

// Events lists the project's event names, sorted. Projects with a limited
// data history answer a wide from_date with 403 "Date range exceeds N days
// into the past"; when the caller left from_date to the default, Events
// retries once from today − N days (wire reference §3.3).
func (c *Client) Events(ctx context.Context, o EventsOptions) ([]string, error) {
	today := o.Now
	if today.IsZero() {
		today = time.Now()
	}
	limit := o.Limit
	if limit <= 0 || limit > EventNamesMaxLimit {
		limit = EventNamesMaxLimit
	}
	q := url.Values{
		"type":      {"general"},
		"limit":     {strconv.Itoa(limit)},
		"from_date": {cmp.Or(o.FromDate, EventNamesEarliestDate)},
		"to_date":   {cmp.Or(o.ToDate, today.Format(time.DateOnly))},
	}
	req := Request{Family: Query, Path: "/events/names", Query: q, Cacheable: true}
	var raw []json.RawMessage
	err := c.JSON(ctx, req, &raw)
	var apiErr *APIError
	if err != nil && o.FromDate == "" && errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden {
		if m := exceedsDays.FindStringSubmatch(apiErr.Message); m != nil {
			days, _ := strconv.Atoi(m[1])
			q.Set("from_date", today.AddDate(0, 0, -days).Format(time.DateOnly))
			err = c.JSON(ctx, req, &raw)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	names := scalarStrings(raw)
	sort.Strings(names)
	return names, nil
}

// scalarStrings turns a JSON array into strings: strings as they are, any
// other value as its JSON text.
func scalarStrings(raw []json.RawMessage) []string {
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		var s string
		if r[0] == '"' && json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		out = append(out, string(bytes.TrimSpace(r)))
	}
	return out
}

// PropertyCount is an event property and how often it was seen.
type PropertyCount struct {
	Name  string  `json:"name"`
	Count float64 `json:"count"`
}

// EventNotFoundError is a property lookup for an event Mixpanel does not
// know, with the project's events that look like it.
type EventNotFoundError struct {
	Event   string
	Similar []string
	Err     error
}

func (e *EventNotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "event %q not found in the project", e.Event)
	if len(e.Similar) > 0 {
		quoted := make([]string, len(e.Similar))
		for i, s := range e.Similar {
			quoted[i] = strconv.Quote(s)
		}
		fmt.Fprintf(&b, "; did you mean %s?", strings.Join(quoted, ", "))
	} else {
		b.WriteString("; list_events shows the event names")
	}
	if e.Err != nil {
		b.WriteString(" (" + e.Err.Error() + ")")
	}
	return b.String()
}

func (e *EventNotFoundError) Unwrap() error { return e.Err }

// EventProperties lists the most seen properties of an event with their
// counts, most seen first (ties by name). limit > 0 asks Mixpanel for that
// many (its own default is small). An unknown event is an
// *EventNotFoundError carrying similar event names.
func (c *Client) EventProperties(ctx context.Context, event string, limit int) ([]PropertyCount, error) {
	q := url.Values{"event": {event}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var raw map[string]propertyCountValue
	if err := c.JSON(ctx, Request{Family: Query, Path: "/events/properties/top", Query: q, Cacheable: true}, &raw); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
			nf := &EventNotFoundError{Event: event, Err: err}
			if names, lerr := c.Events(ctx, EventsOptions{}); lerr == nil {
				nf.Similar = FindSimilarEvents(event, names)
			}
			return nil, nf
		}
		return nil, fmt.Errorf("list properties of %q: %w", event, err)
	}
	return sortPropertyCounts(raw), nil
}

// DecodePropertyCounts decodes an /events/properties/top answer, whose
// values are a count or {"count": n}, most seen first.
func DecodePropertyCounts(raw []byte) ([]PropertyCount, error) {
	var m map[string]propertyCountValue
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode property counts: %w", err)
	}
	return sortPropertyCounts(m), nil
}

func sortPropertyCounts(m map[string]propertyCountValue) []PropertyCount {
	out := make([]PropertyCount, 0, len(m))
	for name, v := range m {
		out = append(out, PropertyCount{Name: name, Count: float64(v)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// propertyCountValue accepts the two shapes Mixpanel and its documentation
// use for a property's count: a bare number or {"count": n}. Anything else
// counts 0, since the property name is still worth listing.
type propertyCountValue float64

func (v *propertyCountValue) UnmarshalJSON(b []byte) error {
	var n float64
	if json.Unmarshal(b, &n) == nil {
		*v = propertyCountValue(n)
		return nil
	}
	var obj struct {
		Count float64 `json:"count"`
	}
	if json.Unmarshal(b, &obj) == nil {
		*v = propertyCountValue(obj.Count)
		return nil
	}
	*v = 0
	return nil
}

var wordSplit = regexp.MustCompile(`[\s_\-]+`)

// FindSimilarEvents suggests events for a name that was not found: exact
// matches ignoring case, else up to 5 names containing it (shortest first),
// else up to 5 sharing the most words, else up to 5 within a few typos.
func FindSimilarEvents(query string, events []string) []string {
	ql := strings.ToLower(query)
	var exact, contains []string
	for _, e := range events {
		el := strings.ToLower(e)
		if el == ql {
			exact = append(exact, e)
		} else if strings.Contains(el, ql) {
			contains = append(contains, e)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	if len(contains) > 0 {
		sort.SliceStable(contains, func(i, j int) bool { return len(contains[i]) < len(contains[j]) })
		return contains[:min(5, len(contains))]
	}
	words := map[string]bool{}
	for _, w := range wordSplit.Split(ql, -1) {
		if w != "" {
			words[w] = true
		}
	}
	type match struct {
		name    string
		overlap int
	}
	var matches []match
	for _, e := range events {
		seen := map[string]bool{}
		n := 0
		for _, w := range wordSplit.Split(strings.ToLower(e), -1) {
			if words[w] && !seen[w] {
				seen[w] = true
				n++
			}
		}
		if n > 0 {
			matches = append(matches, match{e, n})
		}
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].overlap != matches[j].overlap {
			return matches[i].overlap > matches[j].overlap
		}
		return len(matches[i].name) < len(matches[j].name)
	})
	var out []string
	for _, m := range matches[:min(5, len(matches))] {
		out = append(out, m.name)
	}
	if len(out) == 0 {
		out = closeSpellings(ql, events)
	}
	return out
}

// closeSpellings returns up to 5 events within edit distance
// max(2, len/4) of the lowercased query, closest first. The reference
// stops at word overlap; a typo ("Purchse") is the commonest miss of a
// model, so this last step catches it.
func closeSpellings(ql string, events []string) []string {
	maxDist := max(2, len([]rune(ql))/4)
	type match struct {
		name string
		dist int
	}
	var matches []match
	for _, e := range events {
		if d := editDistance(ql, strings.ToLower(e), maxDist); d <= maxDist {
			matches = append(matches, match{e, d})
		}
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].dist < matches[j].dist })
	var out []string
	for _, m := range matches[:min(5, len(matches))] {
		out = append(out, m.name)
	}
	return out
}

// editDistance is the Levenshtein distance of a and b in runes, or
// limit+1 as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// PropertyValuesOptions selects sample values of a property.
type PropertyValuesOptions struct {
	Property string
	Event    string // optional: only values sent with this event
	Limit    int    // 0: DefaultPropertyValuesLimit
}

// PropertyValues lists sample values of a property as strings, in
// Mixpanel's order (most common first).
func (c *Client) PropertyValues(ctx context.Context, o PropertyValuesOptions) ([]string, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = DefaultPropertyValuesLimit
	}
	q := url.Values{"name": {o.Property}, "limit": {strconv.Itoa(limit)}}
	if o.Event != "" {
		q.Set("event", o.Event)
	}
	var raw []json.RawMessage
	if err := c.JSON(ctx, Request{Family: Query, Path: "/events/properties/values", Query: q, Cacheable: true}, &raw); err != nil {
		return nil, fmt.Errorf("list values of %q: %w", o.Property, err)
	}
	return scalarStrings(raw), nil
}

// SubPropertyInfo is an inferred key of a list-of-object property such as
// cart items (the reference's SubPropertyInfo). Type is string, number,
// boolean or datetime.
type SubPropertyInfo struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	SampleValues []any  `json:"sample_values"`
}

// Subproperties samples a list-of-object property's values and infers the
// type of each key inside its objects. The warnings say which keys were
// mixed-typed (reported as string), only null, or both scalar and nested.
func (c *Client) Subproperties(ctx context.Context, property, event string, sampleSize int) ([]SubPropertyInfo, []string, error) {
	if sampleSize <= 0 {
		sampleSize = DefaultSubpropertySample
	}
	raw, err := c.PropertyValues(ctx, PropertyValuesOptions{Property: property, Event: event, Limit: sampleSize})
	if err != nil {
		return nil, nil, fmt.Errorf("subproperties: %w", err)
	}
	subs, warnings := InferSubproperties(raw)
	return subs, warnings, nil
}

// InferSubproperties parses raw property values (each a JSON object or a
// list of objects; others are skipped) and infers a scalar type per key,
// sorted by name. Null values are missing data, not a type; nested
// objects and lists are out of scope, since list_item breakdowns and
// list_contains filters only work on scalar keys.
func InferSubproperties(raw []string) ([]SubPropertyInfo, []string) {
	type keyInfo struct {
		values                       []any
		scalar, nested, nonNull, any bool
	}
	keys := map[string]*keyInfo{}
	for _, row := range objectRows(raw) {
		for k, v := range row {
			ki := keys[k]
			if ki == nil {
				ki = &keyInfo{}
				keys[k] = ki
			}
			ki.any = true
			if v == nil {
				continue
			}
			ki.nonNull = true
			switch v.(type) {
			case map[string]any, []any:
				ki.nested = true
			default:
				ki.scalar = true
				ki.values = append(ki.values, v)
			}
		}
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var warnings []string
	for _, k := range names {
		if ki := keys[k]; ki.scalar && ki.nested {
			warnings = append(warnings, fmt.Sprintf("subproperty %q is a scalar in some rows and a nested object or list in others; reporting the scalar form", k))
		}
	}
	for _, k := range names {
		if !keys[k].nonNull {
			warnings = append(warnings, fmt.Sprintf("subproperty %q was null in every sampled row; its type is unknown", k))
		}
	}
	var out []SubPropertyInfo
	for _, k := range names {
		ki := keys[k]
		if len(ki.values) == 0 {
			continue
		}
		typ, mixed := inferScalarType(ki.values)
		if mixed {
			warnings = append(warnings, fmt.Sprintf("subproperty %q has mixed value types across sampled rows; reporting it as string", k))
		}
		out = append(out, SubPropertyInfo{Name: k, Type: typ, SampleValues: distinctSamples(ki.values)})
	}
	return out, warnings
}

// objectRows decodes each raw value as a JSON object (one row) or a list
// of objects (one row per object), keeping numbers exact.
func objectRows(raw []string) []map[string]any {
	var rows []map[string]any
	for _, r := range raw {
		dec := json.NewDecoder(strings.NewReader(r))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil || dec.More() {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			rows = append(rows, v)
		case []any:
			for _, item := range v {
				if obj, ok := item.(map[string]any); ok {
					rows = append(rows, obj)
				}
			}
		}
	}
	return rows
}

// inferScalarType types a key's non-null scalar values; mixed is true when
// they disagree, and the type is then string.
func inferScalarType(values []any) (typ string, mixed bool) {
	var bools, nums, strs int
	allDates := true
	for _, v := range values {
		switch v := v.(type) {
		case bool:
			bools++
		case json.Number:
			nums++
		case string:
			strs++
			if allDates && !IsISODate(v) {
				allDates = false
			}
		}
	}
	switch len(values) {
	case bools:
		return "boolean", false
	case nums:
		return "number", false
	case strs:
		if allDates {
			return "datetime", false
		}
		return "string", false
	}
	return "string", true
}

// distinctSamples keeps the first MaxSubpropertySamples distinct values in
// the order seen; numbers compare by value, so 5 and 5.0 are one sample.
func distinctSamples(values []any) []any {
	seen := map[string]bool{}
	var out []any
	for _, v := range values {
		key := fmt.Sprintf("%T:%v", v, v)
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				key = "n:" + strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v)
		if len(out) == MaxSubpropertySamples {
			break
		}
	}
	return out
}

var isoDate = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$`)

// IsISODate reports whether s is an ISO-8601 date or date-time with a real
// calendar date and clock time ("2025-13-99" is not).
func IsISODate(s string) bool {
	m := isoDate.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	num := func(i int) int { n, _ := strconv.Atoi(m[i]); return n }
	y, mo, d := num(1), num(2), num(3)
	if y < 1 || mo < 1 || mo > 12 || d < 1 || d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return false
	}
	if m[4] != "" && (num(4) > 23 || num(5) > 59 || (m[6] != "" && num(6) > 59)) {
		return false
	}
	if m[8] != "" && (num(8) > 23 || num(9) > 59) {
		return false
	}
	return true
}

// TopEvent is today's activity of one event (the reference's TopEvent;
// Mixpanel calls the count "amount").
type TopEvent struct {
	Event         string  `json:"event"`
	Count         float64 `json:"count"`
	PercentChange float64 `json:"percent_change"`
}

// TopEvents lists today's most frequent events with their change since
// yesterday. typ is general (default), unique or average; limit 0 leaves
// Mixpanel's default (100).
func (c *Client) TopEvents(ctx context.Context, typ string, limit int) ([]TopEvent, error) {
	q := url.Values{"type": {cmp.Or(typ, "general")}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var raw struct {
		Events []struct {
			Amount        float64 `json:"amount"`
			Event         string  `json:"event"`
			PercentChange float64 `json:"percent_change"`
		} `json:"events"`
	}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/events/top", Query: q, Cacheable: true}, &raw); err != nil {
		return nil, fmt.Errorf("top events: %w", err)
	}
	out := make([]TopEvent, 0, len(raw.Events))
	for _, e := range raw.Events {
		out = append(out, TopEvent{Event: e.Event, Count: e.Amount, PercentChange: e.PercentChange})
	}
	return out, nil
}

// FunnelInfo is a saved funnel (the reference's FunnelInfo).
type FunnelInfo struct {
	FunnelID int64  `json:"funnel_id"`
	Name     string `json:"name"`
}

// Funnels lists the saved funnels, sorted by name.
func (c *Client) Funnels(ctx context.Context) ([]FunnelInfo, error) {
	var raw []struct {
		FunnelID FlexInt `json:"funnel_id"`
		Name     string  `json:"name"`
	}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/funnels/list", Cacheable: true}, &raw); err != nil {
		return nil, fmt.Errorf("list funnels: %w", err)
	}
	out := make([]FunnelInfo, 0, len(raw))
	for _, f := range raw {
		out = append(out, FunnelInfo{FunnelID: int64(f.FunnelID), Name: f.Name})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SavedCohort is a saved cohort (the reference's SavedCohort).
type SavedCohort struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Count       int64  `json:"count"`
	Description string `json:"description"`
	Created     string `json:"created"`
	IsVisible   bool   `json:"is_visible"`
}

// Cohorts lists the saved cohorts, sorted by name. Mixpanel serves this
// read as a POST without a body, so it is marked safe to repeat.
func (c *Client) Cohorts(ctx context.Context) ([]SavedCohort, error) {
	return rawDecoded(ctx, c, Request{Family: Query, Method: http.MethodPost, Path: "/cohorts/list", Safe: true, Cacheable: true}, "list cohorts", DecodeCohortList)
}

// DecodeCohortList decodes /cohorts/list, where is_visible is 0/1 (or a
// boolean) and description may be null; sorted by name.
func DecodeCohortList(raw []byte) ([]SavedCohort, error) {
	var wire []struct {
		ID          FlexInt  `json:"id"`
		Name        string   `json:"name"`
		Count       FlexInt  `json:"count"`
		Description *string  `json:"description"`
		Created     string   `json:"created"`
		IsVisible   FlexBool `json:"is_visible"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, fmt.Errorf("decode cohorts: %w", err)
	}
	out := make([]SavedCohort, 0, len(wire))
	for _, w := range wire {
		out = append(out, SavedCohort{ID: int64(w.ID), Name: w.Name, Count: int64(w.Count), Description: deref(w.Description), Created: w.Created, IsVisible: bool(w.IsVisible)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// BookmarkInfo is a saved report's metadata (the reference's BookmarkInfo).
type BookmarkInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	ProjectID   int64  `json:"project_id"`
	Created     string `json:"created"`
	Modified    string `json:"modified"`
	WorkspaceID *int64 `json:"workspace_id,omitempty"`
	DashboardID *int64 `json:"dashboard_id,omitempty"`
	Description string `json:"description,omitempty"`
	CreatorID   *int64 `json:"creator_id,omitempty"`
	CreatorName string `json:"creator_name,omitempty"`
}

// ListBookmarks lists the saved reports, optionally of one type (see
// BookmarkTypes).
func (c *Client) ListBookmarks(ctx context.Context, typ string) ([]BookmarkInfo, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return nil, err
	}
	q := url.Values{"v": {"2"}, "project_id": {pid}}
	if typ != "" {
		q.Set("type", typ)
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: "/projects/" + url.PathEscape(pid) + "/bookmarks", Query: q, Cacheable: true}, "list bookmarks", DecodeBookmarkList)
}

// DecodeBookmarkList accepts every shape the bookmarks list comes in:
// {"results": {"results": [...]}}, {"results": [...]} or a bare list.
func DecodeBookmarkList(raw []byte) ([]BookmarkInfo, error) {
	items := json.RawMessage(bytes.TrimSpace(raw))
	for range 2 {
		if len(items) > 0 && items[0] == '[' {
			break
		}
		var env struct {
			Results json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(items, &env); err != nil || len(env.Results) == 0 {
			return nil, errors.New("bookmarks: expected a list under \"results\"")
		}
		items = bytes.TrimSpace(env.Results)
	}
	var wire []struct {
		ID          FlexInt  `json:"id"`
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		ProjectID   FlexInt  `json:"project_id"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		WorkspaceID *FlexInt `json:"workspace_id"`
		DashboardID *FlexInt `json:"dashboard_id"`
		Description *string  `json:"description"`
		CreatorID   *FlexInt `json:"creator_id"`
		CreatorName *string  `json:"creator_name"`
	}
	if err := json.Unmarshal(items, &wire); err != nil {
		return nil, fmt.Errorf("decode bookmarks: %w", err)
	}
	out := make([]BookmarkInfo, 0, len(wire))
	for _, w := range wire {
		out = append(out, BookmarkInfo{ID: int64(w.ID), Name: w.Name, Type: w.Type, ProjectID: int64(w.ProjectID), Created: w.Created, Modified: w.Modified,
			WorkspaceID: w.WorkspaceID.ptr(), DashboardID: w.DashboardID.ptr(), Description: deref(w.Description), CreatorID: w.CreatorID.ptr(), CreatorName: deref(w.CreatorName)})
	}
	return out, nil
}

// LexiconSchema is a documented event or profile of the Lexicon.
type LexiconSchema struct {
	EntityType string            `json:"entity_type"`
	Name       string            `json:"name"`
	SchemaJSON LexiconDefinition `json:"schema_json"`
}

// LexiconDefinition is a Lexicon schema's body.
type LexiconDefinition struct {
	Description string                     `json:"description,omitempty"`
	Properties  map[string]LexiconProperty `json:"properties"`
	Metadata    *LexiconMetadata           `json:"metadata,omitempty"`
}

// LexiconProperty documents one property; Type is a JSON Schema type.
type LexiconProperty struct {
	Type        string           `json:"type"`
	Description string           `json:"description,omitempty"`
	Metadata    *LexiconMetadata `json:"metadata,omitempty"`
}

// LexiconMetadata is the Mixpanel part ("com.mixpanel") of Lexicon metadata.
type LexiconMetadata struct {
	Source       string   `json:"source,omitempty"`
	DisplayName  string   `json:"display_name,omitempty"`
	Tags         []string `json:"tags"`
	Hidden       bool     `json:"hidden"`
	Dropped      bool     `json:"dropped"`
	Contacts     []string `json:"contacts"`
	TeamContacts []string `json:"team_contacts"`
}

type lexiconSchemaWire struct {
	EntityType string                `json:"entityType"`
	Name       string                `json:"name"`
	SchemaJSON lexiconDefinitionWire `json:"schemaJson"`
}

type lexiconDefinitionWire struct {
	Description *string                        `json:"description"`
	Properties  map[string]lexiconPropertyWire `json:"properties"`
	Metadata    *lexiconMetadataWire           `json:"metadata"`
}

type lexiconPropertyWire struct {
	Type        json.RawMessage      `json:"type"`
	Description *string              `json:"description"`
	Metadata    *lexiconMetadataWire `json:"metadata"`
}

type lexiconMetadataWire struct {
	Mixpanel *struct {
		Source       *string  `json:"$source"`
		DisplayName  *string  `json:"displayName"`
		Tags         TagList  `json:"tags"`
		Hidden       FlexBool `json:"hidden"`
		Dropped      FlexBool `json:"dropped"`
		Contacts     TagList  `json:"contacts"`
		TeamContacts TagList  `json:"teamContacts"`
	} `json:"com.mixpanel"`
}

func (w *lexiconMetadataWire) convert() *LexiconMetadata {
	if w == nil || w.Mixpanel == nil {
		return nil
	}
	m := w.Mixpanel
	return &LexiconMetadata{
		Source: deref(m.Source), DisplayName: deref(m.DisplayName),
		Tags: nonNilSlice(m.Tags), Hidden: bool(m.Hidden), Dropped: bool(m.Dropped),
		Contacts: nonNilSlice(m.Contacts), TeamContacts: nonNilSlice(m.TeamContacts),
	}
}

func (w lexiconSchemaWire) convert() LexiconSchema {
	def := LexiconDefinition{
		Description: deref(w.SchemaJSON.Description),
		Properties:  make(map[string]LexiconProperty, len(w.SchemaJSON.Properties)),
		Metadata:    w.SchemaJSON.Metadata.convert(),
	}
	for name, p := range w.SchemaJSON.Properties {
		typ := "string"
		var s string
		var list []string
		switch {
		case json.Unmarshal(p.Type, &s) == nil && s != "":
			typ = s
		case json.Unmarshal(p.Type, &list) == nil && len(list) > 0:
			// JSON Schema allows ["string", "null"]: report the non-null one.
			typ = list[0]
			for _, t := range list {
				if t != "null" {
					typ = t
					break
				}
			}
		}
		def.Properties[name] = LexiconProperty{Type: typ, Description: deref(p.Description), Metadata: p.Metadata.convert()}
	}
	return LexiconSchema{EntityType: w.EntityType, Name: w.Name, SchemaJSON: def}
}

// rawDecoded sends req and decodes the body with decode: a failed request
// is wrapped with what, a body decode rejects is a badAnswer.
func rawDecoded[T any](ctx context.Context, c *Client, req Request, what string, decode func([]byte) (T, error)) (T, error) {
	var zero T
	raw, err := c.Raw(ctx, req)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	out, err := decode(raw)
	if err != nil {
		return zero, badAnswer(req.method(), req.Path, err.Error())
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// LexiconSchemas lists the Lexicon's schemas, of one entity type or all,
// sorted by entity type and name.
func (c *Client) LexiconSchemas(ctx context.Context, entityType string) ([]LexiconSchema, error) {
	path, err := c.schemasPath(entityType)
	if err != nil {
		return nil, err
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: path, Cacheable: true}, "list Lexicon schemas", DecodeLexiconSchemas)
}

// DecodeLexiconSchemas decodes a schemas list (inside the App envelope or
// not), sorted by entity type and name.
func DecodeLexiconSchemas(raw []byte) ([]LexiconSchema, error) {
	var wire []lexiconSchemaWire
	if err := json.Unmarshal(UnwrapResults(raw), &wire); err != nil {
		return nil, fmt.Errorf("decode Lexicon schemas: %w", err)
	}
	out := make([]LexiconSchema, 0, len(wire))
	for _, w := range wire {
		out = append(out, w.convert())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EntityType != out[j].EntityType {
			return out[i].EntityType < out[j].EntityType
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// LexiconSchema returns the schema of one entity, e.g. ("event", "Purchase").
func (c *Client) LexiconSchema(ctx context.Context, entityType, name string) (LexiconSchema, error) {
	if entityType == "" {
		return LexiconSchema{}, errors.New("lexicon schema: entity_type is required (event, profile or custom_event)")
	}
	path, err := c.schemasPath(entityType)
	if err != nil {
		return LexiconSchema{}, err
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: path, Query: url.Values{"entity_name": {name}}, Cacheable: true}, fmt.Sprintf("get Lexicon schema %s %q", entityType, name),
		func(raw []byte) (LexiconSchema, error) {
			return decodeOneLexiconSchema(UnwrapResults(raw), entityType, name)
		})
}

// decodeOneLexiconSchema accepts the full entry, a one-entry list, or the
// bare schemaJson (whose entity type and name are then the requested ones).
func decodeOneLexiconSchema(payload []byte, entityType, name string) (LexiconSchema, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) > 0 && payload[0] == '[' {
		var list []lexiconSchemaWire
		if err := json.Unmarshal(payload, &list); err != nil {
			return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
		}
		for _, w := range list {
			if w.Name == name {
				return w.convert(), nil
			}
		}
		return LexiconSchema{}, fmt.Errorf("the answer has no schema named %q", name)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil {
		return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
	}
	if _, ok := probe["schemaJson"]; ok {
		var w lexiconSchemaWire
		if err := json.Unmarshal(payload, &w); err != nil {
			return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
		}
		return w.convert(), nil
	}
	w := lexiconSchemaWire{EntityType: entityType, Name: name}
	if err := json.Unmarshal(payload, &w.SchemaJSON); err != nil {
		return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
	}
	return w.convert(), nil
}

func (c *Client) schemasPath(entityType string) (string, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return "", err
	}
	path := "/projects/" + url.PathEscape(pid) + "/schemas"
	if entityType == "" {
		return path, nil
	}
	if !slices.Contains(LexiconEntityTypes, entityType) {
		return "", fmt.Errorf("lexicon schemas: unknown entity type %q; use event, profile or custom_event", entityType)
	}
	return path + "/" + entityType, nil
}

// SchemaEvent is a Lexicon event definition as the schema graph keeps it
// (Lexicon's camelCase keys).
type SchemaEvent struct {
	ID            int64   `json:"id,omitempty"`
	Name          string  `json:"name"`
	DisplayName   string  `json:"displayName,omitempty"`
	Description   string  `json:"description,omitempty"`
	Hidden        bool    `json:"hidden,omitempty"`
	Dropped       bool    `json:"dropped,omitempty"`
	Verified      bool    `json:"verified,omitempty"`
	Tags          TagList `json:"tags,omitempty"`
	CustomEventID int64   `json:"customEventId,omitempty"`
}

// SchemaProperty is a Lexicon property definition; Events lists the
// events it travels with (event properties only).
type SchemaProperty struct {
	ID           int64            `json:"id,omitempty"`
	Name         string           `json:"name"`
	ResourceType string           `json:"resourceType,omitempty"`
	Type         string           `json:"type,omitempty"`
	Description  string           `json:"description,omitempty"`
	Hidden       bool             `json:"hidden,omitempty"`
	Dropped      bool             `json:"dropped,omitempty"`
	Sensitive    bool             `json:"sensitive,omitempty"`
	DensityLocal *float64         `json:"densityLocal,omitempty"`
	Events       []SchemaEventRef `json:"events,omitempty"`
}

// SchemaEventRef names an event a property appears on.
type SchemaEventRef struct {
	Name string `json:"name"`
}

// SchemaGraphMeta counts what was gathered and what was dropped; a
// nonzero drop count means the Lexicon answer had an unexpected shape.
type SchemaGraphMeta struct {
	EventCount                  int `json:"event_count"`
	PropertyCount               int `json:"property_count"`
	UserPropertyCount           int `json:"user_property_count"`
	RelationshipEdges           int `json:"relationship_edges"`
	OrphanProperties            int `json:"orphan_properties"`
	EventsWithoutName           int `json:"events_without_name"`
	PropertiesWithoutName       int `json:"properties_without_name"`
	PropertyEventEntriesDropped int `json:"property_event_entries_dropped"`
}

// SchemaGraphParams are the options that produced a SchemaGraphResult.
type SchemaGraphParams struct {
	IncludeDensity        bool `json:"include_density"`
	IncludeUserProperties bool `json:"include_user_properties"`
}

// SchemaGraphResult is the Lexicon's events and properties with the
// event↔property relationships (the reference's SchemaGraphResult).
type SchemaGraphResult struct {
	ComputedAt        string              `json:"computed_at"`
	Events            []SchemaEvent       `json:"events"`
	Properties        []SchemaProperty    `json:"properties"`
	UserProperties    []SchemaProperty    `json:"user_properties"`
	EventToProperties map[string][]string `json:"event_to_properties"`
	PropertyToEvents  map[string][]string `json:"property_to_events"`
	IncludeDensity    bool                `json:"include_density"`
	Meta              SchemaGraphMeta     `json:"meta"`
	Params            SchemaGraphParams   `json:"params"`
	// RelationshipSource is RelationshipsBulk or RelationshipsPerEvent.
	RelationshipSource string `json:"relationship_source,omitempty"`
}

// SchemaRelationship is one event→property edge.
type SchemaRelationship struct {
	Event        string   `json:"event"`
	Property     string   `json:"property"`
	DensityLocal *float64 `json:"density_local,omitempty"`
}

// SchemaGraphOptions select what SchemaGraph gathers.
type SchemaGraphOptions struct {
	IncludeDensity     bool
	SkipUserProperties bool
	Now                time.Time // computed_at; zero means time.Now
}

// SchemaGraph gathers event definitions, event properties with the events
// each appears on (one bulk includeEvents=true call) and, unless skipped,
// user properties, concurrently, and derives the relationship maps.
func (c *Client) SchemaGraph(ctx context.Context, o SchemaGraphOptions) (*SchemaGraphResult, error) {
	scope, err := c.Scope()
	if err != nil {
		return nil, err
	}
	var (
		events               []json.RawMessage
		eventProps, userProp []json.RawMessage
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/events/", Cacheable: true}, &events); err != nil {
			return fmt.Errorf("event definitions: %w", err)
		}
		return nil
	})
	var bulkErr error
	g.Go(func() error {
		q := url.Values{"resourceType": {"Event"}, "includeEvents": {"true"}}
		if o.IncludeDensity {
			q.Set("includeDensity", "true")
		}
		if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &eventProps); err != nil {
			if !IsKind(err, KindServer) && !IsKind(err, KindTransport) {
				return fmt.Errorf("event property definitions: %w", err)
			}
			bulkErr = err
		}
		return nil
	})
	if !o.SkipUserProperties {
		g.Go(func() error {
			q := url.Values{"resourceType": {"User"}}
			if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &userProp); err != nil {
				return fmt.Errorf("user property definitions: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("schema graph: %w", err)
	}
	source := RelationshipsBulk
	if bulkErr != nil {
		// The bulk join runs behind a ~120 s gateway deadline that large
		// projects miss; the per-event gather of the Query API is the
		// reference's own way around it.
		c.log.Debug().Str("error", bulkErr.Error()).Msg("includeEvents gather failed; gathering per event")
		var err error
		if eventProps, err = c.perEventRelationships(ctx, scope, events, o.IncludeDensity); err != nil {
			return nil, fmt.Errorf("schema graph: the bulk gather failed (%v) and so did the per-event one: %w", bulkErr, err)
		}
		source = RelationshipsPerEvent
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := BuildSchemaGraph(now.UTC().Format(time.RFC3339), events, eventProps, userProp,
		SchemaGraphParams{IncludeDensity: o.IncludeDensity, IncludeUserProperties: !o.SkipUserProperties})
	r.RelationshipSource = source
	return r, nil
}

// Where a schema graph's relationships came from.
const (
	RelationshipsBulk     = "include_events" // one data-definitions call with includeEvents=true
	RelationshipsPerEvent = "per_event"      // Query API per-event properties, chunked by event name
)

// PerEventChunk is how many event names one per-event properties call takes.
const PerEventChunk = 200

// perEventRelationships lists the event property definitions without the
// bulk join and attaches to each the events that carry it, gathered from
// {Q}/data_definitions/events?fetch_per_event_properties=true in chunks of
// PerEventChunk event names. Properties no event carries keep no events.
func (c *Client) perEventRelationships(ctx context.Context, scope string, events []json.RawMessage, density bool) ([]json.RawMessage, error) {
	q := url.Values{"resourceType": {"Event"}}
	if density {
		q.Set("includeDensity", "true")
	}
	var props []json.RawMessage
	if err := c.AppJSON(ctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &props); err != nil {
		return nil, fmt.Errorf("event property definitions: %w", err)
	}
	var names []string
	for _, raw := range events {
		var e struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Name != "" {
			names = append(names, e.Name)
		}
	}
	carriers := map[string][]string{}
	for chunk := range slices.Chunk(names, PerEventChunk) {
		q := url.Values{"fetch_per_event_properties": {"true"}, "name[]": chunk}
		raw, err := c.Raw(ctx, Request{Family: Query, Path: "/data_definitions/events", Query: q, Cacheable: true})
		if err != nil {
			return nil, fmt.Errorf("per-event properties: %w", err)
		}
		var rows []struct {
			Name       string            `json:"name"`
			Properties []json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(UnwrapResults(raw), &rows); err != nil {
			return nil, badAnswer(http.MethodGet, "/data_definitions/events", "unexpected answer: "+err.Error())
		}
		for _, row := range rows {
			if row.Name == "" {
				continue
			}
			for _, p := range row.Properties {
				var ref SchemaEventRef
				if json.Unmarshal(p, &ref) == nil && ref.Name != "" {
					carriers[ref.Name] = append(carriers[ref.Name], row.Name)
				}
			}
		}
	}
	out := make([]json.RawMessage, 0, len(props))
	for _, raw := range props {
		var row map[string]json.RawMessage
		var name string
		if json.Unmarshal(raw, &row) != nil || json.Unmarshal(row["name"], &name) != nil {
			out = append(out, raw) // BuildSchemaGraph counts it as dropped
			continue
		}
		refs := make([]SchemaEventRef, 0, len(carriers[name]))
		for _, e := range carriers[name] {
			refs = append(refs, SchemaEventRef{Name: e})
		}
		row["events"], _ = json.Marshal(refs)
		withEvents, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("per-event properties: %w", err)
		}
		out = append(out, withEvents)
	}
	return out, nil
}

// PropertyDefinitions lists the Lexicon's property definitions of one
// resource type, "Event" or "User" (lowercase and plural spellings are
// normalised: Mixpanel refuses them with a 400).
func (c *Client) PropertyDefinitions(ctx context.Context, resourceType string) ([]SchemaProperty, error) {
	switch strings.ToLower(resourceType) {
	case "event", "events":
		resourceType = "Event"
	case "user", "users", "people", "profile":
		resourceType = "User"
	default:
		return nil, fmt.Errorf("property definitions: unknown resource type %q; use Event or User", resourceType)
	}
	scope, err := c.Scope()
	if err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	req := Request{Path: scope + "/data-definitions/properties/", Query: url.Values{"resourceType": {resourceType}}, Cacheable: true}
	if err := c.AppJSON(ctx, req, &rows); err != nil {
		return nil, fmt.Errorf("list %s property definitions: %w", strings.ToLower(resourceType), err)
	}
	out := make([]SchemaProperty, 0, len(rows))
	for _, raw := range rows {
		if p, _, ok := decodeSchemaProperty(raw); ok {
			p.Events = nil
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// BuildSchemaGraph derives a SchemaGraphResult from raw Lexicon rows. Rows
// without a name and events entries that are not {"name": "..."} objects
// are dropped and counted in Meta, never fatal.
func BuildSchemaGraph(computedAt string, events, eventProps, userProps []json.RawMessage, params SchemaGraphParams) *SchemaGraphResult {
	r := &SchemaGraphResult{
		ComputedAt:        computedAt,
		Events:            []SchemaEvent{},
		Properties:        []SchemaProperty{},
		UserProperties:    []SchemaProperty{},
		EventToProperties: map[string][]string{},
		PropertyToEvents:  map[string][]string{},
		IncludeDensity:    params.IncludeDensity,
		Params:            params,
	}
	for _, raw := range events {
		var e SchemaEvent
		if json.Unmarshal(raw, &e) != nil || e.Name == "" {
			r.Meta.EventsWithoutName++
			continue
		}
		r.Events = append(r.Events, e)
		r.EventToProperties[e.Name] = []string{}
	}
	for _, raw := range eventProps {
		p, dropped, ok := decodeSchemaProperty(raw)
		r.Meta.PropertyEventEntriesDropped += dropped
		if !ok {
			r.Meta.PropertiesWithoutName++
			continue
		}
		r.Properties = append(r.Properties, p)
		// A name listed twice (say, once per data group) is one node:
		// its edges merge.
		evs, seen := r.PropertyToEvents[p.Name]
		if !seen {
			evs = []string{}
		}
		for _, ev := range p.Events {
			if slices.Contains(evs, ev.Name) {
				continue
			}
			evs = append(evs, ev.Name)
			r.EventToProperties[ev.Name] = append(r.EventToProperties[ev.Name], p.Name)
			r.Meta.RelationshipEdges++
		}
		r.PropertyToEvents[p.Name] = evs
	}
	for _, evs := range r.PropertyToEvents {
		if len(evs) == 0 {
			r.Meta.OrphanProperties++
		}
	}
	for _, raw := range userProps {
		p, _, ok := decodeSchemaProperty(raw)
		if !ok {
			r.Meta.PropertiesWithoutName++
			continue
		}
		p.Events = nil
		r.UserProperties = append(r.UserProperties, p)
	}
	r.Meta.EventCount = len(r.Events)
	r.Meta.PropertyCount = len(r.Properties)
	r.Meta.UserPropertyCount = len(r.UserProperties)
	return r
}

// decodeSchemaProperty decodes one property row, keeping only well-formed
// events entries; dropped counts the others.
func decodeSchemaProperty(raw json.RawMessage) (p SchemaProperty, dropped int, ok bool) {
	// Fast path: well-formed entries decode in one pass, which matters on
	// projects with thousands of properties on hundreds of events.
	var wire schemaPropertyWire[SchemaEventRef]
	if json.Unmarshal(raw, &wire) == nil {
		if wire.Name == "" {
			return SchemaProperty{}, 0, false
		}
		p = wire.property()
		for _, ref := range wire.Events {
			if ref.Name == "" {
				dropped++
				continue
			}
			p.Events = append(p.Events, ref)
		}
		return p, dropped, true
	}
	var lenient schemaPropertyWire[json.RawMessage]
	if json.Unmarshal(raw, &lenient) != nil || lenient.Name == "" {
		return SchemaProperty{}, 0, false
	}
	p = lenient.property()
	for _, e := range lenient.Events {
		var ref SchemaEventRef
		if json.Unmarshal(e, &ref) != nil || ref.Name == "" {
			dropped++
			continue
		}
		p.Events = append(p.Events, ref)
	}
	return p, dropped, true
}

// schemaPropertyWire is a data-definitions property row; E is how its
// events entries are decoded.
type schemaPropertyWire[E any] struct {
	ID           FlexInt  `json:"id"`
	Name         string   `json:"name"`
	ResourceType string   `json:"resourceType"`
	Type         string   `json:"type"`
	Description  *string  `json:"description"`
	Hidden       FlexBool `json:"hidden"`
	Dropped      FlexBool `json:"dropped"`
	Sensitive    FlexBool `json:"sensitive"`
	DensityLocal *float64 `json:"densityLocal"`
	Events       []E      `json:"events"`
}

func (w *schemaPropertyWire[E]) property() SchemaProperty {
	return SchemaProperty{ID: int64(w.ID), Name: w.Name, ResourceType: w.ResourceType, Type: w.Type,
		Description: deref(w.Description), Hidden: bool(w.Hidden), Dropped: bool(w.Dropped),
		Sensitive: bool(w.Sensitive), DensityLocal: w.DensityLocal}
}

// PropertiesForEvent lists the properties seen on an event.
func (r *SchemaGraphResult) PropertiesForEvent(event string) []string {
	return r.EventToProperties[event]
}

// EventsForProperty lists the events a property appears on.
func (r *SchemaGraphResult) EventsForProperty(prop string) []string { return r.PropertyToEvents[prop] }

// OrphanProperties lists event properties that appear on no event, in
// Lexicon order.
func (r *SchemaGraphResult) OrphanProperties() []string {
	var out []string
	for _, name := range r.propertyNames() {
		if len(r.PropertyToEvents[name]) == 0 {
			out = append(out, name)
		}
	}
	return out
}

// propertyNames lists the distinct event property names in Lexicon order.
func (r *SchemaGraphResult) propertyNames() []string {
	seen := make(map[string]bool, len(r.Properties))
	out := make([]string, 0, len(r.Properties))
	for _, p := range r.Properties {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	return out
}

// Relationships lists every event→property edge, by event then property,
// with the property's density when it was requested.
func (r *SchemaGraphResult) Relationships() []SchemaRelationship {
	density := map[string]*float64{}
	for _, p := range r.Properties {
		if density[p.Name] == nil {
			density[p.Name] = p.DensityLocal
		}
	}
	var out []SchemaRelationship
	for _, name := range r.propertyNames() {
		for _, e := range r.PropertyToEvents[name] {
			out = append(out, SchemaRelationship{Event: e, Property: name, DensityLocal: density[name]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Event != out[j].Event {
			return out[i].Event < out[j].Event
		}
		return out[i].Property < out[j].Property
	})
	return out
}

// FlexInt decodes an id that Mixpanel sends as a number or a numeric
// string; null is 0.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = 0
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("expected an integer id, got %s", truncate(string(b), 40))
		}
		v = int64(f)
	}
	*n = FlexInt(v)
	return nil
}

func (n *FlexInt) ptr() *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

// FlexBool decodes a flag sent as a boolean, 0/1, or "true"/"false";
// null and anything else are false.
type FlexBool bool

func (f *FlexBool) UnmarshalJSON(b []byte) error {
	var v any
	if json.Unmarshal(b, &v) != nil {
		*f = false
		return nil
	}
	switch v := v.(type) {
	case bool:
		*f = FlexBool(v)
	case float64:
		*f = v != 0
	case string:
		parsed, _ := strconv.ParseBool(strings.TrimSpace(v))
		*f = FlexBool(parsed)
	default:
		*f = false
	}
	return nil
}

// TagList decodes a list of names sent as strings or as {"name": ...}
// objects; other entries are skipped.
type TagList []string

func (t *TagList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("expected a list of names: %w", err)
	}
	out := TagList{}
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(r, &obj) == nil && obj.Name != "" {
			out = append(out, obj.Name)
		}
	}
	*t = out
	return nil
}
