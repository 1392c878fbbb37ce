package tools

import (
	"context"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The cohorts toolset: every cohort operation of the reference. Cohorts
// are defined by the criteria build_cohort_definition takes, or by a
// definition it returned.
func cohortsTools() []*Tool {
	return []*Tool{
		Op[listCohortsIn, List[mixpanel.Cohort]]{Name: "list_cohorts_full", Toolset: ToolsetCohorts, Ann: ReadOnly,
			Desc: "List cohorts with full metadata (users, visibility, last edit), optionally only some ids or one data group.",
			Call: func(ctx context.Context, c *mixpanel.Client, in listCohortsIn) (List[mixpanel.Cohort], error) {
				cs, err := c.ListCohorts(ctx, in.ListCohortsParams)
				return paged(cs, in.Paging), err
			}}.Tool(),
		Op[cohortID, mixpanel.Cohort]{Name: "get_cohort", Toolset: ToolsetCohorts, Ann: ReadOnly, Kind: "cohort",
			Desc: "Read one cohort.",
			Call: func(ctx context.Context, c *mixpanel.Client, in cohortID) (mixpanel.Cohort, error) {
				return c.GetCohort(ctx, in.CohortID)
			}}.Tool(),
		Op[createCohortIn, mixpanel.Cohort]{Name: "create_cohort", Toolset: ToolsetCohorts, Ann: Write, Kind: "cohort", Action: "created",
			Desc: "Create a cohort from criteria or a definition.",
			Call: func(ctx context.Context, c *mixpanel.Client, in createCohortIn) (mixpanel.Cohort, error) {
				return c.CreateCohort(ctx, in.CohortParams)
			}}.Tool(),
		Op[updateCohortIn, mixpanel.Cohort]{Name: "update_cohort", Toolset: ToolsetCohorts, Ann: Overwrite, Kind: "cohort", Action: "updated",
			Desc: "Change a cohort: name, description, visibility, lock, or its criteria.",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateCohortIn) (mixpanel.Cohort, error) {
				return c.UpdateCohort(ctx, in.CohortID, in.CohortParams)
			}}.Tool(),
		Op[cohortID, done]{Name: "delete_cohort", Toolset: ToolsetCohorts, Ann: Destructive, Action: "deleted",
			Desc: "Delete one cohort.",
			Confirm: func(ctx context.Context, c *mixpanel.Client, in cohortID) (string, error) {
				return describeCohorts(ctx, c, "Delete", in.CohortID)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in cohortID) (done, error) {
				return doneWith("cohort", in.CohortID), c.DeleteCohort(ctx, in.CohortID)
			}}.Tool(),
		Op[cohortIDs, done]{Name: "bulk_delete_cohorts", Toolset: ToolsetCohorts, Ann: Destructive, Action: "deleted",
			Desc:   "Delete several cohorts by id.",
			Repeat: func(in cohortIDs) string { return countOf("delete", len(in.CohortIDs), "cohort", "cohorts") },
			Confirm: func(ctx context.Context, c *mixpanel.Client, in cohortIDs) (string, error) {
				return describeCohorts(ctx, c, "Delete", in.CohortIDs...)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in cohortIDs) (done, error) {
				return doneWith("cohort", in.CohortIDs...), c.BulkDeleteCohorts(ctx, in.CohortIDs)
			}}.Tool(),
		Op[bulkUpdateCohortsIn, done]{Name: "bulk_update_cohorts", Toolset: ToolsetCohorts, Ann: Overwrite, Action: "updated",
			Desc:   "Change several cohorts at once.",
			Repeat: func(in bulkUpdateCohortsIn) string { return countOf("update", len(in.Cohorts), "cohort", "cohorts") },
			Confirm: func(ctx context.Context, c *mixpanel.Client, in bulkUpdateCohortsIn) (string, error) {
				ids := make([]int64, len(in.Cohorts))
				for i, e := range in.Cohorts {
					ids[i] = e.ID
				}
				return describeCohorts(ctx, c, "Update", ids...)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in bulkUpdateCohortsIn) (done, error) {
				entries := make([]mixpanel.BulkUpdateCohortEntry, len(in.Cohorts))
				ids := make([]int64, len(in.Cohorts))
				for i, e := range in.Cohorts {
					entries[i] = mixpanel.BulkUpdateCohortEntry{ID: e.ID, CohortParams: e.CohortParams}
					ids[i] = e.ID
				}
				return doneWith("cohort", ids...), c.BulkUpdateCohorts(ctx, entries)
			}}.Tool(),
	}
}

type listCohortsIn struct {
	mixpanel.ListCohortsParams
	Paging
}

type cohortID struct {
	CohortID int64 `json:"cohort_id" jsonschema:"minimum=1,description=Cohort id (list_cohorts_full)"`
}

// Validate checks the id before any request.
func (in *cohortID) Validate() error { return requireID("cohort_id", in.CohortID) }

type cohortIDs struct {
	CohortIDs []int64 `json:"cohort_ids" jsonschema:"minItems=1,description=Cohort ids (list_cohorts_full)"`
}

// Validate checks the ids before any request.
func (in *cohortIDs) Validate() error { return checkIDList("cohort_ids", in.CohortIDs) }

// CohortDef is a cohort's fields with its definition given either as
// criteria (build_cohort_definition's input) or as a built definition.
type CohortDef struct {
	mixpanel.CohortParams
	Criteria *cohortCriteria `json:"criteria,omitempty"`
}

// cohortCriteria are the cohort builder's arguments (the query toolset's
// build_cohort_definition), decoded as strictly as there. Their schema is a
// bare object: the builder's input schema describes the criteria, and
// repeating it in each cohort write would cost about 900 tokens per tool on
// every turn. The description names no tool, which another toolset serves.
type cohortCriteria struct{ query.CohortDefinition }

// resolve builds the criteria into the definition, validated by the same
// rules as build_cohort_definition; path names the entry in errors.
func (d *CohortDef) resolve(path string) error {
	var iss query.Issues
	switch {
	case d.Criteria != nil && d.Definition != nil:
		iss.Add("X9_EXCLUSIVE", path+"criteria", "pass either criteria or definition, not both")
	case d.Criteria != nil:
		def, err := d.Criteria.ToDict()
		if err != nil {
			return query.Under(err, path+"criteria")
		}
		d.Definition, d.Criteria = def, nil
	case d.Definition != nil:
		if _, ok := d.Definition["selector"]; !ok {
			iss.Add("X5_REQUIRED", path+"definition", "a definition has a selector (and behaviors for event criteria); pass criteria instead")
		}
	}
	return iss.Err(query.StageArgs)
}

type createCohortIn struct{ CohortDef }

// Validate checks the name and builds the definition.
func (in *createCohortIn) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "name", in.Name, "Power users")
	if err := iss.Err(query.StageArgs); err != nil {
		return err
	}
	return in.resolve("")
}

type updateCohortIn struct {
	CohortID int64 `json:"cohort_id" jsonschema:"minimum=1,description=Cohort id (list_cohorts_full)"`
	CohortDef
}

// Validate checks the id and builds the definition.
func (in *updateCohortIn) Validate() error {
	if err := requireID("cohort_id", in.CohortID); err != nil {
		return err
	}
	return in.resolve("")
}

type bulkCohortEntry struct {
	ID int64 `json:"id" jsonschema:"minimum=1"`
	CohortDef
}

type bulkUpdateCohortsIn struct {
	Cohorts []bulkCohortEntry `json:"cohorts" jsonschema:"minItems=1,description=One entry per cohort: its id and the fields to change"`
}

// Validate checks every entry's id and builds its definition.
func (in *bulkUpdateCohortsIn) Validate() error {
	ids := make([]int64, len(in.Cohorts))
	for i, e := range in.Cohorts {
		ids[i] = e.ID
	}
	if err := checkIDList("cohorts", ids); err != nil {
		return err
	}
	for i := range in.Cohorts {
		if err := in.Cohorts[i].resolve(fmt.Sprintf("cohorts[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}

// describeCohorts names the cohorts a call will change, for the user's
// confirmation.
func describeCohorts(ctx context.Context, c *mixpanel.Client, verb string, ids ...int64) (string, error) {
	cs, err := c.ListCohorts(ctx, mixpanel.ListCohortsParams{IDs: ids})
	if err != nil {
		return "", err
	}
	return describeRefs(verb, cs, len(ids)), nil
}
