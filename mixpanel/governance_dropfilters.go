package mixpanel

import (
	"context"
	"strconv"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Drop filters (wire reference §4.17): events Mixpanel discards at
// ingestion. Requests are snake_case, answers camelCase, and every write
// answers with the whole list.

// DropFilter is one drop filter.
type DropFilter struct {
	ID          int64                 `json:"id" col:"id"`
	EventName   string                `json:"eventName" col:"event"`
	Filters     []DropFilterCondition `json:"filters,omitempty" col:"filters"`
	Active      bool                  `json:"active" col:"active"`
	DisplayName string                `json:"displayName,omitempty"`
	Created     string                `json:"created,omitempty" col:"created"`
}

// Ref names the drop filter by its event.
func (f DropFilter) Ref() Ref { return Ref{Kind: "drop filter", ID: ID(f.ID), Name: f.EventName} }

// DropFilterCondition is one condition on the event's properties; its keys
// are Mixpanel's own (sent as given).
type DropFilterCondition struct {
	ResourceType   string `json:"resourceType,omitempty" jsonschema:"enum=event,enum=user,default=event"`
	FilterType     string `json:"filterType,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,enum=list"`
	FilterOperator string `json:"filterOperator,omitempty" jsonschema:"description=e.g. equals\\, contains"`
	FilterValue    any    `json:"filterValue,omitempty"`
	Value          string `json:"value" jsonschema:"description=Property name"`
}

// CreateDropFilterParams is a new drop filter.
type CreateDropFilterParams struct {
	EventName string                `json:"event_name" jsonschema:"minLength=1"`
	Filters   []DropFilterCondition `json:"filters" jsonschema:"minItems=1"`
}

// UpdateDropFilterParams changes a drop filter; absent fields stay.
type UpdateDropFilterParams struct {
	ID        int64                 `json:"id" jsonschema:"minimum=1,description=Drop filter id (list_drop_filters)"`
	EventName string                `json:"event_name,omitempty"`
	Filters   []DropFilterCondition `json:"filters,omitempty"`
	Active    *bool                 `json:"active,omitempty"`
}

// DropFilterLimits is how many drop filters the project may have.
type DropFilterLimits struct {
	FilterLimit int `json:"filterLimit"`
}

func (c *Client) dropFiltersPath(parts ...string) (string, error) {
	return c.scoped(append([]string{"data-definitions", "events", "drop-filters"}, parts...)...)
}

// ListDropFilters lists the drop filters.
func (c *Client) ListDropFilters(ctx context.Context) ([]DropFilter, error) {
	path, err := c.dropFiltersPath("")
	if err != nil {
		return nil, err
	}
	return appCall[[]DropFilter](ctx, c, GET, path, nil, nil)
}

// CreateDropFilter adds a drop filter and answers with every drop filter.
func (c *Client) CreateDropFilter(ctx context.Context, p CreateDropFilterParams) ([]DropFilter, error) {
	path, err := c.dropFiltersPath("")
	if err != nil {
		return nil, err
	}
	return appCall[[]DropFilter](ctx, c, POST, path, nil, p)
}

// UpdateDropFilter changes a drop filter and answers with every drop filter.
func (c *Client) UpdateDropFilter(ctx context.Context, p UpdateDropFilterParams) ([]DropFilter, error) {
	path, err := c.dropFiltersPath("")
	if err != nil {
		return nil, err
	}
	return appCall[[]DropFilter](ctx, c, PATCH, path, nil, p)
}

// DeleteDropFilter deletes a drop filter and answers with the rest.
func (c *Client) DeleteDropFilter(ctx context.Context, id int64) ([]DropFilter, error) {
	path, err := c.dropFiltersPath("")
	if err != nil {
		return nil, err
	}
	return appCall[[]DropFilter](ctx, c, DELETE, path, nil, map[string]int64{"id": id})
}

// GetDropFilterLimits reads the project's drop-filter limit.
func (c *Client) GetDropFilterLimits(ctx context.Context) (DropFilterLimits, error) {
	path, err := c.dropFiltersPath("limits", "")
	if err != nil {
		return DropFilterLimits{}, err
	}
	return appCall[DropFilterLimits](ctx, c, GET, path, nil, nil)
}

func checkConditions(c *checks, fs []DropFilterCondition) {
	for i, f := range fs {
		field := "filters[" + strconv.Itoa(i) + "]"
		c.required(field+".value", f.Value == "", "name the property the condition tests")
		if f.ResourceType != "" && f.ResourceType != "event" && f.ResourceType != "user" {
			c.add(CodeRange, field+".resourceType", "%q is not a resource type; use event or user", f.ResourceType)
		}
	}
}

// Validate checks the event name and the conditions.
func (p CreateDropFilterParams) Validate() error {
	var c checks
	c.required("event_name", p.EventName == "", "name the event to drop")
	c.required("filters", len(p.Filters) == 0, "pass at least one condition, e.g. {\"value\":\"source\",\"filterOperator\":\"equals\",\"filterValue\":\"test\",\"filterType\":\"string\",\"resourceType\":\"event\"}")
	checkConditions(&c, p.Filters)
	return c.err()
}

// Validate checks the id and that something changes.
func (p UpdateDropFilterParams) Validate() error {
	var c checks
	c.requiredID(query.NeedDropFilterID, "id", p.ID <= 0, "pass the drop filter's id")
	c.required("event_name", p.EventName == "" && p.Filters == nil && p.Active == nil, "pass at least one of event_name, filters, active")
	checkConditions(&c, p.Filters)
	return c.err()
}
