package tools

import (
	"context"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The flags toolset: feature flags of the configured workspace.
func flagsTools() []*Tool {
	type M = mixpanel.Client
	type F = mixpanel.FeatureFlag
	one := func(name, desc string, ann Annotations, action string, call func(*M, context.Context, string) (F, error)) *Tool {
		return Op[flagID, F]{Name: name, Toolset: ToolsetFlags, Ann: ann, Kind: "feature_flag", Action: action, Desc: desc,
			Call: func(ctx context.Context, c *M, in flagID) (F, error) { return call(c, ctx, in.FlagID) }}.Tool()
	}
	return []*Tool{
		Op[listFlagsIn, List[F]]{Name: "list_feature_flags", Toolset: ToolsetFlags, Ann: ReadOnly,
			Desc: "List feature flags (key, status, serving method); archived ones only with include_archived.",
			Call: func(ctx context.Context, c *M, in listFlagsIn) (List[F], error) {
				fs, err := c.ListFeatureFlags(ctx, in.IncludeArchived)
				return paged(fs, in.Paging), err
			}}.Tool(),
		one("get_feature_flag", "Read one flag: status, variants with splits, rollout groups, test users.", ReadOnly, "", (*M).GetFeatureFlag),
		Op[mixpanel.CreateFeatureFlagParams, F]{Name: "create_feature_flag", Toolset: ToolsetFlags, Ann: Write, Kind: "feature_flag", Action: "created",
			Desc:   "Create a feature flag (default: boolean On/Off, disabled). Splits of the variants must add up to 1.",
			Method: (*M).CreateFeatureFlag}.Tool(),
		Op[updateFlagIn, F]{Name: "update_feature_flag", Toolset: ToolsetFlags, Ann: Overwrite, Kind: "feature_flag", Action: "updated",
			Desc: "Replace a flag whole (status, variants, rollout): pass every field, as get_feature_flag shows them.",
			Confirm: func(ctx context.Context, c *M, in updateFlagIn) (string, error) {
				f, err := c.GetFeatureFlag(ctx, in.FlagID)
				return fmt.Sprintf("Replace %s (now %s) with status %s; this changes what real users are served.", f.Ref(), f.Status, in.Status), err
			},
			Call: func(ctx context.Context, c *M, in updateFlagIn) (F, error) {
				return c.UpdateFeatureFlag(ctx, in.FlagID, in.UpdateFeatureFlagParams)
			}}.Tool(),
		Op[flagID, mixpanel.Empty]{Name: "delete_feature_flag", Toolset: ToolsetFlags, Ann: Destructive, Action: "deleted",
			Desc: "Delete a flag for good (archive_feature_flag keeps it restorable).",
			Confirm: func(ctx context.Context, c *M, in flagID) (string, error) {
				f, err := c.GetFeatureFlag(ctx, in.FlagID)
				return "Delete " + f.Ref().String() + " (key " + f.Key + ")", err
			},
			Call: func(ctx context.Context, c *M, in flagID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteFeatureFlag(ctx, in.FlagID)
			}}.Tool(),
		Op[flagID, mixpanel.Empty]{Name: "archive_feature_flag", Toolset: ToolsetFlags, Ann: SetState, Action: "archived",
			Desc: "Archive a flag: it stops serving and leaves the default list; restore_feature_flag undoes it.",
			Call: func(ctx context.Context, c *M, in flagID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.ArchiveFeatureFlag(ctx, in.FlagID)
			}}.Tool(),
		one("restore_feature_flag", "Restore an archived flag (it comes back disabled).", SetState, "restored", (*M).RestoreFeatureFlag),
		one("duplicate_feature_flag", "Copy a flag under a new key.", Write, "duplicated", (*M).DuplicateFeatureFlag),
		Op[testUsersIn, mixpanel.Empty]{Name: "set_flag_test_users", Toolset: ToolsetFlags, Ann: Overwrite, Action: "set test users of",
			Desc: "Pin users to variants for testing: variant key -> distinct id; replaces the current test users.",
			Call: func(ctx context.Context, c *M, in testUsersIn) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.SetFlagTestUsers(ctx, in.FlagID, in.Users)
			}}.Tool(),
		Op[flagHistoryIn, mixpanel.FlagHistory]{Name: "get_flag_history", Toolset: ToolsetFlags, Ann: ReadOnly,
			Desc: "Read a flag's change log, a page at a time.",
			Call: func(ctx context.Context, c *M, in flagHistoryIn) (mixpanel.FlagHistory, error) {
				return c.GetFlagHistory(ctx, in.FlagID, in.FlagHistoryParams)
			}}.Tool(),
		Op[struct{}, mixpanel.FlagLimits]{Name: "get_flag_limits", Toolset: ToolsetFlags, Ann: ReadOnly,
			Desc: "Read the account's flag limit, usage and contract status.",
			Call: func(ctx context.Context, c *M, _ struct{}) (mixpanel.FlagLimits, error) { return c.GetFlagLimits(ctx) }}.Tool(),
	}
}

type flagID struct {
	FlagID string `json:"flag_id" jsonschema:"minLength=1,description=Flag id, a UUID (list_feature_flags)"`
}

// Validate needs an id.
func (in flagID) Validate() error {
	if in.FlagID == "" {
		return fmt.Errorf("flag_id: %s: empty; pass the flag's id from list_feature_flags", mixpanel.CodeRequired)
	}
	return nil
}

type listFlagsIn struct {
	IncludeArchived bool `json:"include_archived,omitempty"`
	Paging
}

type updateFlagIn struct {
	FlagID string `json:"flag_id" jsonschema:"minLength=1,description=Flag id (list_feature_flags)"`
	mixpanel.UpdateFeatureFlagParams
}

type testUsersIn struct {
	flagID
	Users map[string]string `json:"users" jsonschema:"description=Variant key -> distinct id"`
}

type flagHistoryIn struct {
	flagID
	mixpanel.FlagHistoryParams
}
