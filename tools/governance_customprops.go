package tools

import (
	"context"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The governance toolset's custom properties: formula (or behavior)
// properties, checked before sending (exactly one of formula or behavior,
// inputs referenced by key, the formula length cap).
func governanceCustomPropertyTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[Paging, List[mixpanel.CustomProperty]]{Name: "list_custom_properties", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List saved custom properties (id, name, resource, formula).",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.CustomProperty], error) {
				ps, err := c.ListCustomProperties(ctx)
				return paged(ps, in), err
			}}.Tool(),
		Op[customPropertyID, mixpanel.CustomProperty]{Name: "get_custom_property", Toolset: ToolsetGovernance, Ann: ReadOnly, Kind: "custom_property",
			Desc: "Read one custom property with its formula and inputs.",
			Call: func(ctx context.Context, c *M, in customPropertyID) (mixpanel.CustomProperty, error) {
				return c.GetCustomProperty(ctx, in.CustomPropertyID)
			}}.Tool(),
		Op[mixpanel.CreateCustomPropertyParams, mixpanel.CustomProperty]{Name: "create_custom_property", Toolset: ToolsetGovernance, Ann: Write, Kind: "custom_property", Action: "created",
			Desc:   "Save a custom property computed by a formula over keyed input properties (or a behavior).",
			Method: (*M).CreateCustomProperty}.Tool(),
		Op[updateCustomPropertyIn, mixpanel.CustomProperty]{Name: "update_custom_property", Toolset: ToolsetGovernance, Ann: Overwrite, Kind: "custom_property", Action: "updated",
			Desc: "Replace a custom property's name, description, formula with inputs, lock or visibility.",
			Call: func(ctx context.Context, c *M, in updateCustomPropertyIn) (mixpanel.CustomProperty, error) {
				return c.UpdateCustomProperty(ctx, in.CustomPropertyID, in.UpdateCustomPropertyParams)
			}}.Tool(),
		Op[customPropertyID, mixpanel.Empty]{Name: "delete_custom_property", Toolset: ToolsetGovernance, Ann: Destructive, Action: "deleted",
			Desc: "Delete a custom property; reports using it break.",
			Confirm: func(ctx context.Context, c *M, in customPropertyID) (string, error) {
				p, err := c.GetCustomProperty(ctx, in.CustomPropertyID)
				return "Delete " + p.Ref().String() + " (" + p.DisplayFormula + "); reports that use it stop working.", err
			},
			Call: func(ctx context.Context, c *M, in customPropertyID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteCustomProperty(ctx, in.CustomPropertyID)
			}}.Tool(),
		Op[mixpanel.CreateCustomPropertyParams, mixpanel.CustomPropertyValidation]{Name: "validate_custom_property", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc:   "Check a custom property definition with Mixpanel without saving it.",
			Method: (*M).ValidateCustomProperty}.Tool(),
	}
}

type customPropertyID struct {
	CustomPropertyID int64 `json:"custom_property_id" jsonschema:"minimum=1,description=Custom property id (list_custom_properties)"`
}

type updateCustomPropertyIn struct {
	customPropertyID
	mixpanel.UpdateCustomPropertyParams
}
