package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event deletion requests (wire reference §4.25): GDPR deletions of an
// event's data in a date range, optionally narrowed by property filters.
// They are irreversible, at most 10 a month and at most 180 days back
// (§3.2). Mixpanel answers create and cancel with the full list.

// DeletionMaxDaysBack is how far back Mixpanel deletes events.
const DeletionMaxDaysBack = 180

// Today is the current day for the 180-day check; tests pin it.
var Today = func() time.Time { return time.Now().UTC() }

// DeletionFilterOperators are the filter operators a deletion filter may
// use (wire reference §5.4).
var DeletionFilterOperators = []string{
	"equals", "does not equal", "contains", "does not contain", "starts with", "ends with",
	"is greater than", "is less than", "is at least", "is at most", "is equal to",
	"is greater than or equal to", "is less than or equal to", "is between", "not between", "between",
	"is set", "is not set", "true", "false",
	"was on", "was not on", "was before", "was since", "was between", "was not between",
	"was in the", "was not in the", "was in the next",
}

// EventDeletionRequest is one deletion request and where it stands.
type EventDeletionRequest struct {
	ID                 int64  `json:"id" col:"id"`
	DisplayName        string `json:"display_name,omitempty"`
	EventName          string `json:"event_name" col:"event"`
	FromDate           string `json:"from_date" col:"from"`
	ToDate             string `json:"to_date" col:"to"`
	Filters            any    `json:"filters,omitempty" col:"filters"`
	Status             string `json:"status" col:"status"`
	DeletedEventsCount int64  `json:"deleted_events_count" col:"deleted"`
	Created            string `json:"created,omitempty" col:"created"`
	RequestingUser     any    `json:"requesting_user,omitempty"`
}

// Ref names the request.
func (r EventDeletionRequest) Ref() Ref {
	return Ref{Kind: "deletion request", ID: ID(r.ID), Name: r.EventName}
}

// UnmarshalJSON accepts Mixpanel's camelCase; a list of filters is kept
// as {"items": [...]}, as the reference does.
func (r *EventDeletionRequest) UnmarshalJSON(b []byte) error {
	type plain EventDeletionRequest
	if err := decodeCamel(b, (*plain)(r), nil); err != nil {
		return err
	}
	if l, ok := r.Filters.([]any); ok {
		r.Filters = map[string]any{"items": l}
	}
	return nil
}

// DeletionParams names the event, the days and the filters of a deletion
// (create_deletion_request and preview_deletion_filters).
type DeletionParams struct {
	EventName string `json:"event_name" jsonschema:"minLength=1"`
	FromDate  string `json:"from_date" jsonschema:"format=date,description=YYYY-MM-DD; at most 180 days back"`
	ToDate    string `json:"to_date" jsonschema:"format=date"`
	Filters   any    `json:"filters,omitempty" jsonschema:"description=Filter {filterType filterOperator filterValue value resourceType} or a list of them"`
}

func (p DeletionParams) wire() map[string]any {
	b := map[string]any{"eventName": p.EventName, "fromDate": p.FromDate, "toDate": p.ToDate}
	if p.Filters != nil {
		b["filters"] = p.Filters
	}
	return b
}

func (c *Client) deletionsPath(parts ...string) (string, error) {
	return c.scoped(append([]string{"data-definitions", "events", "deletion-requests"}, append(parts, "")...)...)
}

// ListDeletionRequests lists the deletion requests.
func (c *Client) ListDeletionRequests(ctx context.Context) ([]EventDeletionRequest, error) {
	path, err := c.deletionsPath()
	if err != nil {
		return nil, err
	}
	return appCall[[]EventDeletionRequest](ctx, c, GET, path, nil, nil)
}

// CreateDeletionRequest asks Mixpanel to delete the event's data in the
// range; it answers the full list.
func (c *Client) CreateDeletionRequest(ctx context.Context, p DeletionParams) ([]EventDeletionRequest, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	path, err := c.deletionsPath()
	if err != nil {
		return nil, err
	}
	return appCall[[]EventDeletionRequest](ctx, c, POST, path, nil, p.wire())
}

// CancelDeletionRequest cancels a request still Submitted; it answers the
// full list.
func (c *Client) CancelDeletionRequest(ctx context.Context, id int64) ([]EventDeletionRequest, error) {
	path, err := c.deletionsPath()
	if err != nil {
		return nil, err
	}
	return appCall[[]EventDeletionRequest](ctx, c, DELETE, path, nil, map[string]any{"id": id})
}

// PreviewDeletionFilters answers the filters as Mixpanel will apply them.
func (c *Client) PreviewDeletionFilters(ctx context.Context, p DeletionParams) ([]map[string]any, error) {
	path, err := c.deletionsPath("preview-filters")
	if err != nil {
		return nil, err
	}
	return appCall[[]map[string]any](ctx, c, POST, path, nil, p.wire())
}

// Validate checks the event, the days (in order, at most 180 days back,
// not in the future) and the filters' operators.
func (p DeletionParams) Validate() error {
	var c checks
	c.required("event_name", strings.TrimSpace(p.EventName) == "", "name the event whose data to delete")
	c.required("from_date", p.FromDate == "", "pass the first day as YYYY-MM-DD")
	c.required("to_date", p.ToDate == "", "pass the last day as YYYY-MM-DD")
	c.dayRange("from_date", p.FromDate, "to_date", p.ToDate)
	today := Today().Format(time.DateOnly)
	oldest := Today().AddDate(0, 0, -DeletionMaxDaysBack).Format(time.DateOnly)
	if len(c.iss) == 0 {
		if p.FromDate < oldest {
			c.add(CodeDate, "from_date", "%s is more than %d days back (the oldest day Mixpanel deletes is %s); start on or after it", p.FromDate, DeletionMaxDaysBack, oldest)
		}
		if p.ToDate > today {
			c.add(CodeDate, "to_date", "%s is in the future; end on or before %s", p.ToDate, today)
		}
	}
	c.deletionFilters("filters", p.Filters)
	return c.err()
}

// deletionFilters checks a filter object or a list of them.
func (c *checks) deletionFilters(field string, f any) {
	switch x := f.(type) {
	case nil:
	case map[string]any:
		if items, ok := x["items"].([]any); ok && len(x) == 1 {
			c.deletionFilters(field+".items", items)
			return
		}
		op, _ := x["filterOperator"].(string)
		if op == "" {
			c.add(CodeRequired, field+".filterOperator", "filterOperator is required; pass one, e.g. \"equals\" or \"is greater than\"")
		} else if !slices.Contains(DeletionFilterOperators, op) {
			c.add(CodeRange, field+".filterOperator", "%q is not a known operator; use one of: %s", op, strings.Join(DeletionFilterOperators, ", "))
		}
		if v, _ := x["value"].(string); v == "" {
			c.add(CodeRequired, field+".value", "value is required; name the property the filter tests")
		}
	case []any:
		if len(x) == 0 {
			c.add(CodeRequired, field, "an empty filter list; omit filters to delete the whole range, or pass filters")
		}
		for i, e := range x {
			c.deletionFilters(fmt.Sprintf("%s[%d]", field, i), e)
		}
	default:
		raw, _ := json.Marshal(f)
		c.add(CodeRange, field, "%s is neither a filter object nor a list of them; pass {filterType, filterOperator, filterValue, value, resourceType}", raw)
	}
}
