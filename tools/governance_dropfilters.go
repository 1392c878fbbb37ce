package tools

import (
	"context"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The governance toolset's drop filters. Every write answers with the
// whole list; the result names the filter that changed and shows the list.
func governanceDropFilterTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[Paging, List[mixpanel.DropFilter]]{Name: "list_drop_filters", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List drop filters (events discarded at ingestion, with their conditions).",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.DropFilter], error) {
				fs, err := c.ListDropFilters(ctx)
				return paged(fs, in), err
			}}.Tool(),
		Op[mixpanel.CreateDropFilterParams, dropFilterChange]{Name: "create_drop_filter", Toolset: ToolsetGovernance, Ann: Write, Kind: "drop_filter", Action: "created",
			Desc: "Drop an event at ingestion when its properties match the filters.",
			Call: func(ctx context.Context, c *M, in mixpanel.CreateDropFilterParams) (dropFilterChange, error) {
				fs, err := c.CreateDropFilter(ctx, in)
				var newest *mixpanel.DropFilter
				for i := range fs {
					if fs[i].EventName == in.EventName && (newest == nil || fs[i].ID > newest.ID) {
						newest = &fs[i]
					}
				}
				return dropFilterChange{DropFilter: newest, DropFilters: fs}, err
			}}.Tool(),
		Op[mixpanel.UpdateDropFilterParams, dropFilterChange]{Name: "update_drop_filter", Toolset: ToolsetGovernance, Ann: Overwrite, Kind: "drop_filter", Action: "updated",
			Desc: "Change a drop filter's event, filters or active state; absent fields stay.",
			Call: func(ctx context.Context, c *M, in mixpanel.UpdateDropFilterParams) (dropFilterChange, error) {
				fs, err := c.UpdateDropFilter(ctx, in)
				return dropFilterChange{DropFilter: findDropFilter(fs, in.ID), DropFilters: fs, id: in.ID}, err
			}}.Tool(),
		Op[dropFilterID, dropFilterChange]{Name: "delete_drop_filter", Toolset: ToolsetGovernance, Ann: Destructive, Kind: "drop_filter", Action: "deleted",
			Desc: "Delete a drop filter (its event is kept again).",
			Confirm: func(ctx context.Context, c *M, in dropFilterID) (string, error) {
				fs, err := c.ListDropFilters(ctx)
				if f := findDropFilter(fs, in.DropFilterID); f != nil {
					return fmt.Sprintf("Delete %s: events %q will be kept again.", f.Ref(), f.EventName), err
				}
				return fmt.Sprintf("Delete drop filter %d.", in.DropFilterID), err
			},
			Call: func(ctx context.Context, c *M, in dropFilterID) (dropFilterChange, error) {
				fs, err := c.DeleteDropFilter(ctx, in.DropFilterID)
				return dropFilterChange{DropFilters: fs, id: in.DropFilterID}, err
			}}.Tool(),
		Op[struct{}, mixpanel.DropFilterLimits]{Name: "get_drop_filter_limits", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "Read how many drop filters the project may have.",
			Call: func(ctx context.Context, c *M, _ struct{}) (mixpanel.DropFilterLimits, error) {
				return c.GetDropFilterLimits(ctx)
			}}.Tool(),
	}
}

type dropFilterID struct {
	DropFilterID int64 `json:"drop_filter_id" jsonschema:"minimum=1,description=Drop filter id (list_drop_filters)"`
}

// dropFilterChange is a write's answer: the filter written (none for a
// delete) and the whole list as Mixpanel answered it.
type dropFilterChange struct {
	DropFilter  *mixpanel.DropFilter  `json:"drop_filter,omitempty"`
	DropFilters []mixpanel.DropFilter `json:"drop_filters"`
	id          int64
}

func (d dropFilterChange) Ref() mixpanel.Ref {
	if d.DropFilter != nil {
		return d.DropFilter.Ref()
	}
	return mixpanel.Ref{Kind: "drop filter", ID: mixpanel.ID(d.id)}
}

func (d dropFilterChange) Text() string {
	return paged(d.DropFilters, Paging{Limit: 1000}).Text()
}

func findDropFilter(fs []mixpanel.DropFilter, id int64) *mixpanel.DropFilter {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}
