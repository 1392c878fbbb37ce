package mixpanel

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// FeatureFlag is a Mixpanel feature flag (wire reference §4.11). Flags live
// in a workspace: /projects/{pid}/workspaces/{wid}/feature-flags/.
type FeatureFlag struct {
	ID            string   `json:"id" col:"id"`
	Name          string   `json:"name" col:"name"`
	Key           string   `json:"key" col:"key"`
	Description   string   `json:"description,omitempty"`
	Status        string   `json:"status" col:"status"`
	Tags          []string `json:"tags,omitempty" col:"tags"`
	ExperimentID  string   `json:"experiment_id,omitempty"`
	Context       string   `json:"context,omitempty"`
	ServingMethod string   `json:"serving_method,omitempty" col:"serving"`
	Ruleset       *Ruleset `json:"ruleset,omitempty"`
	Created       string   `json:"created,omitempty"`
	Modified      string   `json:"modified,omitempty" col:"modified"`
	EnabledAt     string   `json:"enabled_at,omitempty"`
	CreatorName   string   `json:"creator_name,omitempty"`
}

// Ref names the flag.
func (f FeatureFlag) Ref() Ref { return Ref{Kind: "feature flag", ID: f.ID, Name: f.Name} }

// Ruleset is a flag's variants, rollout groups and test users.
type Ruleset struct {
	Variants  []FlagVariant     `json:"variants"`
	Rollout   []FlagRollout     `json:"rollout"`
	TestUsers map[string]string `json:"test,omitempty" jsonschema:"description=Test users: variant key by distinct id"`
}

// FlagVariant is one value a flag can serve.
type FlagVariant struct {
	Key       string `json:"key" jsonschema:"minLength=1"`
	Value     any    `json:"value" jsonschema:"description=Value served (true/false for a boolean flag)"`
	IsControl bool   `json:"is_control"`
	Split     Float  `json:"split" jsonschema:"minimum=0,maximum=1,description=Share of users (0-1); splits add up to 1"`
	IsSticky  bool   `json:"is_sticky"`
}

// FlagRollout is one rollout group: who gets the flag, and how many of
// them.
type FlagRollout struct {
	Name              string      `json:"name"`
	CohortID          *int64      `json:"cohort_id" jsonschema:"nullable,description=Cohort to target; null for everyone"`
	RolloutPercentage Float       `json:"rollout_percentage" jsonschema:"minimum=0,maximum=1,description=Share of the group (0-1)"`
	VariantOverride   *VariantKey `json:"variant_override" jsonschema:"nullable,description=Serve this variant instead of the split"`
}

// VariantKey names a variant of the flag.
type VariantKey struct {
	Key string `json:"key"`
}

// Float is a number the wire writes with a decimal point (1.0, not 1):
// Mixpanel's splits and percentages are floats.
type Float float64

// MarshalJSON writes f with at least one decimal.
func (f Float) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if _, err := strconv.Atoi(s); err == nil {
		s += ".0"
	}
	return []byte(s), nil
}

// defaultRuleset is the reference's: On (split 1.0) and Off (control).
func defaultRuleset() Ruleset {
	return Ruleset{Variants: []FlagVariant{
		{Key: "On", Value: true, Split: 1},
		{Key: "Off", Value: false, IsControl: true},
	}, Rollout: []FlagRollout{}}
}

func (r Ruleset) check(c *checks, field string) {
	if len(r.Variants) == 0 {
		c.add(CodeRequired, field+".variants", "a ruleset needs at least one variant; add e.g. {\"key\":\"On\",\"value\":true,\"split\":1}")
		return
	}
	as := make([]arm, len(r.Variants))
	for i, v := range r.Variants {
		as[i] = arm{key: v.Key, split: float64(v.Split), control: v.IsControl}
	}
	seen, controls := c.arms(field+".variants", as)
	if controls > 1 {
		c.add(CodeConflict, field+".variants", "%d variants are marked is_control; mark at most one", controls)
	}
	for i, g := range r.Rollout {
		if g.RolloutPercentage < 0 || g.RolloutPercentage > 1 {
			c.add(CodeRange, fmt.Sprintf("%s.rollout[%d].rollout_percentage", field, i), "%v is not a share; use 0 to 1", float64(g.RolloutPercentage))
		}
		if g.VariantOverride != nil && !seen[g.VariantOverride.Key] {
			c.add(CodeConflict, fmt.Sprintf("%s.rollout[%d].variant_override.key", field, i), "%q is not one of the variant keys", g.VariantOverride.Key)
		}
	}
	for variant := range r.TestUsers {
		if !seen[variant] {
			c.add(CodeConflict, field+".test", "%q is not one of the variant keys", variant)
		}
	}
}

// FlagFields are the fields a flag's create and full update share, with
// the reference's defaults for the ones the API requires.
type FlagFields struct {
	Name          string   `json:"name" jsonschema:"minLength=1"`
	Key           string   `json:"key" jsonschema:"minLength=1,description=Unique machine key the SDKs ask for"`
	Description   string   `json:"description,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Context       string   `json:"context,omitempty" jsonschema:"default=distinct_id,description=Identity the flag is evaluated on"`
	ServingMethod string   `json:"serving_method,omitempty" jsonschema:"enum=client,enum=server,enum=remote_or_local,enum=remote_only,default=client"`
	Ruleset       *Ruleset `json:"ruleset,omitempty" jsonschema:"description=Variants and rollout; default On (100%) / Off (control)"`
}

var flagStatuses = []string{"enabled", "disabled", "archived"}
var servingMethods = []string{"client", "server", "remote_or_local", "remote_only"}

func (f FlagFields) check(c *checks) {
	c.required("name", f.Name == "", "name the flag")
	c.required("key", f.Key == "", "give the flag a unique key, e.g. dark_mode")
	if f.ServingMethod != "" && !slices.Contains(servingMethods, f.ServingMethod) {
		c.add(CodeRange, "serving_method", "%q is not a serving method; use client, server, remote_or_local or remote_only", f.ServingMethod)
	}
	if f.Ruleset != nil {
		f.Ruleset.check(c, "ruleset")
	}
}

// body is the wire form with the reference's defaults filled in.
func (f FlagFields) body(status string) map[string]any {
	b := map[string]any{"name": f.Name, "key": f.Key}
	if f.Description != "" {
		b["description"] = f.Description
	}
	if status != "" {
		b["status"] = status
	}
	b["tags"] = nonNilSlice(f.Tags)
	b["context"] = cmp.Or(f.Context, "distinct_id")
	b["serving_method"] = cmp.Or(f.ServingMethod, "client")
	rs := defaultRuleset()
	if f.Ruleset != nil {
		rs = *f.Ruleset
		rs.Rollout = nonNilSlice(rs.Rollout)
	}
	b["ruleset"] = rs
	return b
}

// CreateFeatureFlagParams is a new flag.
type CreateFeatureFlagParams struct {
	FlagFields
	Status string `json:"status,omitempty" jsonschema:"enum=enabled,enum=disabled,description=Initial status; default disabled"`
}

// Validate checks the flag and its ruleset.
func (p CreateFeatureFlagParams) Validate() error {
	var c checks
	p.FlagFields.check(&c)
	if p.Status != "" && p.Status != "enabled" && p.Status != "disabled" {
		c.add(CodeRange, "status", "a new flag is enabled or disabled, not %q", p.Status)
	}
	return c.err()
}

// UpdateFeatureFlagParams replaces a flag whole (PUT): name, key, status
// and ruleset are required.
type UpdateFeatureFlagParams struct {
	FlagFields
	Status string `json:"status" jsonschema:"enum=enabled,enum=disabled,enum=archived"`
}

// Validate checks the full replacement.
func (p UpdateFeatureFlagParams) Validate() error {
	var c checks
	p.FlagFields.check(&c)
	if !slices.Contains(flagStatuses, p.Status) {
		c.add(CodeRange, "status", "%q is not a flag status; use enabled, disabled or archived", p.Status)
	}
	c.requiredID(query.NeedFlagState, "ruleset", p.Ruleset == nil, "an update replaces the whole flag: pass its full ruleset, starting from the current one")
	return c.err()
}

// MarshalJSON sends the reference's body.
func (p UpdateFeatureFlagParams) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.FlagFields.body(p.Status))
}

// MarshalJSON sends the reference's body.
func (p CreateFeatureFlagParams) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.FlagFields.body(p.Status))
}

func (c *Client) flagsPath(parts ...string) (string, error) {
	return c.workspaceScoped(append([]string{"feature-flags"}, append(parts, "")...)...)
}

// ListFeatureFlags lists the workspace's flags; archived ones only on
// request.
func (c *Client) ListFeatureFlags(ctx context.Context, includeArchived bool) ([]FeatureFlag, error) {
	path, err := c.flagsPath()
	if err != nil {
		return nil, err
	}
	var q url.Values
	if includeArchived {
		q = url.Values{"include_archived": {"true"}}
	}
	return appCall[[]FeatureFlag](ctx, c, GET, path, q, nil)
}

// CreateFeatureFlag adds a flag.
func (c *Client) CreateFeatureFlag(ctx context.Context, p CreateFeatureFlagParams) (FeatureFlag, error) {
	path, err := c.flagsPath()
	if err != nil {
		return FeatureFlag{}, err
	}
	return appCall[FeatureFlag](ctx, c, POST, path, nil, p)
}

// GetFeatureFlag reads one flag.
func (c *Client) GetFeatureFlag(ctx context.Context, id string) (FeatureFlag, error) {
	return c.flagCall(ctx, GET, id, "", nil)
}

// UpdateFeatureFlag replaces a flag.
func (c *Client) UpdateFeatureFlag(ctx context.Context, id string, p UpdateFeatureFlagParams) (FeatureFlag, error) {
	return c.flagCall(ctx, PUT, id, "", p)
}

// DeleteFeatureFlag deletes a flag.
func (c *Client) DeleteFeatureFlag(ctx context.Context, id string) error {
	_, err := c.flagCall(ctx, DELETE, id, "", nil)
	return err
}

// ArchiveFeatureFlag archives a flag (it stops serving and leaves default
// listings).
func (c *Client) ArchiveFeatureFlag(ctx context.Context, id string) error {
	_, err := c.flagCall(ctx, POST, id, "archive", nil)
	return err
}

// RestoreFeatureFlag brings an archived flag back.
func (c *Client) RestoreFeatureFlag(ctx context.Context, id string) (FeatureFlag, error) {
	return c.flagCall(ctx, DELETE, id, "archive", nil)
}

// DuplicateFeatureFlag copies a flag.
func (c *Client) DuplicateFeatureFlag(ctx context.Context, id string) (FeatureFlag, error) {
	return c.flagCall(ctx, POST, id, "duplicate", nil)
}

// SetFlagTestUsers pins users to variants: variant key -> distinct id.
func (c *Client) SetFlagTestUsers(ctx context.Context, id string, users map[string]string) error {
	_, err := c.flagCall(ctx, PUT, id, "test-users", map[string]any{"users": users})
	return err
}

func (c *Client) flagCall(ctx context.Context, method, id, action string, body any) (FeatureFlag, error) {
	parts := []string{PathSegment(id)}
	if action != "" {
		parts = append(parts, action)
	}
	path, err := c.flagsPath(parts...)
	if err != nil {
		return FeatureFlag{}, err
	}
	return appCall[FeatureFlag](ctx, c, method, path, nil, body)
}

// FlagHistory is one page of a flag's change log.
type FlagHistory struct {
	Events []json.RawMessage `json:"events"`
	Count  int               `json:"count"`
}

// FlagHistoryParams pages the history.
type FlagHistoryParams struct {
	Page     int `json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize int `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100"`
}

// GetFlagHistory reads a page of a flag's change log.
func (c *Client) GetFlagHistory(ctx context.Context, id string, p FlagHistoryParams) (FlagHistory, error) {
	path, err := c.flagsPath(PathSegment(id), "history")
	if err != nil {
		return FlagHistory{}, err
	}
	q := url.Values{}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	h, err := appCall[FlagHistory](ctx, c, GET, path, q, nil)
	h.Events = nonNilSlice(h.Events)
	return h, err
}

// FlagLimits is the account's flag allowance.
type FlagLimits struct {
	Limit          int    `json:"limit"`
	IsTrial        bool   `json:"is_trial"`
	CurrentUsage   int    `json:"current_usage"`
	ContractStatus string `json:"contract_status"`
}

// GetFlagLimits reads the account's flag limits (project level, never in a
// workspace).
func (c *Client) GetFlagLimits(ctx context.Context) (FlagLimits, error) {
	path, err := c.projectPath("feature-flags", "limits", "")
	if err != nil {
		return FlagLimits{}, err
	}
	return appCall[FlagLimits](ctx, c, GET, path, nil, nil)
}
