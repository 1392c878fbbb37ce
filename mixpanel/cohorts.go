package mixpanel

import (
	"context"
	"net/url"
)

// Cohort is a cohort as the App API returns it (wire reference §4.10).
type Cohort struct {
	ID                   int64          `json:"id" col:"id"`
	Name                 string         `json:"name" col:"name"`
	Description          string         `json:"description,omitempty" col:"description"`
	Count                int64          `json:"count" col:"users"`
	IsVisible            bool           `json:"is_visible,omitempty" col:"visible"`
	IsLocked             bool           `json:"is_locked,omitempty"`
	DataGroupID          string         `json:"data_group_id,omitempty"`
	LastEdited           string         `json:"last_edited,omitempty" col:"edited"`
	CreatedBy            *CohortCreator `json:"created_by,omitempty"`
	ReferencedBy         []int64        `json:"referenced_by,omitempty"`
	Verified             bool           `json:"verified,omitempty"`
	LastQueried          string         `json:"last_queried,omitempty"`
	ReferencedDirectlyBy []int64        `json:"referenced_directly_by,omitempty"`
	ActiveIntegrations   []any          `json:"active_integrations,omitempty"`
}

// CohortCreator is who made a cohort.
type CohortCreator struct {
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Ref names the cohort.
func (c Cohort) Ref() Ref { return Ref{Kind: "cohort", ID: ID(c.ID), Name: c.Name} }

// ListCohortsParams filters list_cohorts_full.
type ListCohortsParams struct {
	DataGroupID string  `json:"data_group_id,omitempty" jsonschema:"description=Only cohorts of this data group (group analytics)"`
	IDs         []int64 `json:"ids,omitempty" jsonschema:"description=Only these cohort ids"`
}

// ListCohorts lists the cohorts of the scope with their full metadata.
func (c *Client) ListCohorts(ctx context.Context, p ListCohortsParams) ([]Cohort, error) {
	path, err := c.scoped("cohorts")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.DataGroupID != "" {
		q.Set("data_group_id", p.DataGroupID)
	}
	if len(p.IDs) > 0 {
		q.Set("ids", IDList(p.IDs))
	}
	return appCall[[]Cohort](ctx, c, GET, path, q, nil)
}

// GetCohort reads one cohort.
func (c *Client) GetCohort(ctx context.Context, id int64) (Cohort, error) {
	path, err := c.scoped("cohorts", ID(id))
	if err != nil {
		return Cohort{}, err
	}
	return appCall[Cohort](ctx, c, GET, path, nil, nil)
}

// CohortFields are the optional settable fields of a cohort. Definition is
// the cohort definition ({selector, behaviors}, wire reference §5.10); its
// keys are sent at the top level of the body, beside the other fields.
type CohortFields struct {
	Description string         `json:"description,omitempty"`
	DataGroupID string         `json:"data_group_id,omitempty"`
	IsLocked    *bool          `json:"is_locked,omitempty"`
	IsVisible   *bool          `json:"is_visible,omitempty"`
	Deleted     *bool          `json:"deleted,omitempty"`
	Definition  map[string]any `json:"definition,omitempty" jsonschema:"description={selector\\, behaviors}: a cohort's definition JSON"`
}

// Body writes the fields that are set with the definition merged in.
func (f CohortFields) Body() map[string]any {
	b := map[string]any{}
	if f.Description != "" {
		b["description"] = f.Description
	}
	if f.DataGroupID != "" {
		b["data_group_id"] = f.DataGroupID
	}
	for k, v := range map[string]*bool{"is_locked": f.IsLocked, "is_visible": f.IsVisible, "deleted": f.Deleted} {
		if v != nil {
			b[k] = *v
		}
	}
	for k, v := range f.Definition {
		b[k] = v
	}
	return b
}

// CohortParams is a cohort's name and fields, for create and update (where
// an empty name is left unchanged).
type CohortParams struct {
	Name string `json:"name,omitempty" jsonschema:"maxLength=255"`
	CohortFields
}

// Body writes the name and the fields that are set, the definition merged.
func (p CohortParams) Body() map[string]any {
	b := p.CohortFields.Body()
	if p.Name != "" {
		b["name"] = p.Name
	}
	return b
}

// CreateCohort creates a cohort; a name is required.
func (c *Client) CreateCohort(ctx context.Context, p CohortParams) (Cohort, error) {
	path, err := c.scoped("cohorts")
	if err != nil {
		return Cohort{}, err
	}
	co, err := appCall[Cohort](ctx, c, POST, path, nil, p.Body())
	if err == nil {
		c.ClearCache()
	}
	return co, err
}

// UpdateCohort changes a cohort; only the fields set are sent.
func (c *Client) UpdateCohort(ctx context.Context, id int64, p CohortParams) (Cohort, error) {
	path, err := c.scoped("cohorts", ID(id))
	if err != nil {
		return Cohort{}, err
	}
	co, err := appCall[Cohort](ctx, c, PATCH, path, nil, p.Body())
	if err == nil {
		c.ClearCache()
	}
	return co, err
}

// DeleteCohort deletes one cohort.
func (c *Client) DeleteCohort(ctx context.Context, id int64) error {
	path, err := c.scoped("cohorts", ID(id))
	if err != nil {
		return err
	}
	return c.write(ctx, DELETE, path, nil)
}

// BulkDeleteCohorts deletes the cohorts with these ids.
func (c *Client) BulkDeleteCohorts(ctx context.Context, ids []int64) error {
	path, err := c.scoped("cohorts", "bulk-delete")
	if err != nil {
		return err
	}
	return c.write(ctx, POST, path, map[string]any{"cohort_ids": ids})
}

// BulkUpdateCohortEntry is one cohort's changes in a bulk update.
type BulkUpdateCohortEntry struct {
	ID int64 `json:"id" jsonschema:"minimum=1"`
	CohortParams
}

// BulkUpdateCohorts changes several cohorts at once.
func (c *Client) BulkUpdateCohorts(ctx context.Context, entries []BulkUpdateCohortEntry) error {
	path, err := c.scoped("cohorts", "bulk-update")
	if err != nil {
		return err
	}
	list := make([]map[string]any, len(entries))
	for i, e := range entries {
		b := e.Body()
		b["id"] = e.ID
		list[i] = b
	}
	return c.write(ctx, POST, path, map[string]any{"cohorts": list})
}
