package mixpanel

// Event discovery (wire reference §3.3, §4.2): event names, the top
// events of today, an event's properties and a property's sample values.

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
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits and defaults of the event discovery endpoints (wire reference §3.3, §4.2).
const (
	// EventNamesMaxLimit is the server's ceiling on /events/names' limit.
	EventNamesMaxLimit = 5000
	// EventNamesEarliestDate is the earliest from_date the API accepts.
	EventNamesEarliestDate = "2000-01-01"
	// DefaultPropertyValuesLimit is the reference's default sample size.
	DefaultPropertyValuesLimit = 100
)

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

var exceedsDays = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`exceeds\s+(\d+)\s+days`) })

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
		if m := exceedsDays().FindStringSubmatch(apiErr.Message); m != nil {
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
		b.WriteString("; use an event name of the project")
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
	req := Request{Family: Query, Path: "/events/properties/top", Query: q, Cacheable: true}
	raw, err := c.Raw(ctx, req)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && saysUnknownEvent(apiErr, event) {
			nf := &EventNotFoundError{Event: event, Err: err}
			if names, lerr := c.Events(ctx, EventsOptions{}); lerr == nil {
				nf.Similar = FindSimilarEvents(event, names)
			}
			return nil, nf
		}
		return nil, fmt.Errorf("list properties of %q: %w", event, err)
	}
	counts, err := decodePropertyCounts(raw)
	if err != nil {
		return nil, badAnswer(req.method(), req.Path, err.Error())
	}
	return counts, nil
}

// unknownEventWords are how a 400 says an event does not exist.
var unknownEventWords = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(not found|unknown|no such|does ?not exist|doesn't exist)\b`)
})

// saysUnknownEvent reports whether Mixpanel's answer says the event does
// not exist: a 400 whose message says so of an event, or of this one. Any
// other 400 (a bad limit, a missing parameter) is reported as Mixpanel
// worded it, not as a missing event.
func saysUnknownEvent(e *APIError, event string) bool {
	if e.Status != http.StatusBadRequest || !unknownEventWords().MatchString(e.Message) {
		return false
	}
	msg := strings.ToLower(e.Message)
	return strings.Contains(msg, "event") || (event != "" && strings.Contains(msg, strings.ToLower(event)))
}

// decodePropertyCounts decodes an /events/properties/top answer, whose
// values are a count or {"count": n}, most seen first.
func decodePropertyCounts(raw []byte) ([]PropertyCount, error) {
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
