package tools

import (
	"context"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The governance toolset's custom events: named unions of events.
func governanceCustomEventTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[Paging, List[mixpanel.CustomEventDefinition]]{Name: "list_custom_events", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List custom events with their Lexicon state (custom_event_id, tags, verified).",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.CustomEventDefinition], error) {
				es, err := c.ListCustomEvents(ctx)
				return paged(es, in), err
			}}.Tool(),
		Op[mixpanel.CreateCustomEventParams, mixpanel.CustomEvent]{Name: "create_custom_event", Toolset: ToolsetGovernance, Ann: Write, Kind: "custom_event", Action: "created",
			Desc:   "Create a custom event that counts any of the listed events.",
			Method: (*M).CreateCustomEvent}.Tool(),
		Op[updateCustomEventIn, mixpanel.CustomEventDefinition]{Name: "update_custom_event", Toolset: ToolsetGovernance, Ann: Overwrite, Kind: "custom_event", Action: "updated",
			Desc: "Change a custom event's description, tags, verified, hidden, dropped or merged state.",
			Call: func(ctx context.Context, c *M, in updateCustomEventIn) (mixpanel.CustomEventDefinition, error) {
				return c.UpdateCustomEvent(ctx, in.CustomEventID, in.UpdateCustomEventParams)
			}}.Tool(),
		Op[customEventID, mixpanel.Empty]{Name: "delete_custom_event", Toolset: ToolsetGovernance, Ann: Destructive, Action: "deleted",
			Desc: "Delete a custom event; reports using it break.",
			Confirm: func(ctx context.Context, c *M, in customEventID) (string, error) {
				es, err := c.ListCustomEvents(ctx)
				for _, e := range es {
					if e.CustomEventID == in.CustomEventID {
						return "Delete " + e.Ref().String() + "; reports that use it stop working.", err
					}
				}
				return fmt.Sprintf("Delete custom event %d.", in.CustomEventID), err
			},
			Call: func(ctx context.Context, c *M, in customEventID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteCustomEvent(ctx, in.CustomEventID)
			}}.Tool(),
	}
}

type customEventID struct {
	CustomEventID int64 `json:"custom_event_id" jsonschema:"minimum=1,description=Custom event id (list_custom_events)"`
}

type updateCustomEventIn struct {
	customEventID
	mixpanel.UpdateCustomEventParams
}
