package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func queryInsightsTools() []*Tool {
	return []*Tool{
		charted(New("query_insights", ToolsetQuery,
			"Run an Insights query: event counts, uniques, property aggregations, formulas, breakdowns and filters over time.",
			ReadOnly, queryInsights)),
		New("build_cohort_definition", ToolsetCohorts,
			"Validate cohort criteria and return the cohort definition JSON (selector + behaviors) that a saved cohort stores.",
			Local, buildCohortDefinition),
	}
}

// Defaults of the rendered table.
const (
	insightsDefaultRows    = 100
	insightsMaxColumns     = 20
	insightsMaxRowsPerPage = 1000
)

// QueryInsightsInput is the Insights query plus how to run and show it.
type QueryInsightsInput struct {
	query.InsightsQuery
	DryRun bool `json:"dry_run,omitempty" jsonschema:"description=Only build the bookmark params; query nothing"`
	Limit  int  `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=100,description=Table rows to show"`
	Offset int  `json:"offset,omitempty" jsonschema:"minimum=0,description=First table row to show"`
}

// Validate checks the paging and every rule of the query before any request.
func (in *QueryInsightsInput) Validate() error {
	if err := checkWindow(in.Limit, in.Offset, insightsMaxRowsPerPage); err != nil {
		return err
	}
	return in.InsightsQuery.Validate()
}

// InsightsOutput is the bookmark params and, unless dry_run, the result.
type InsightsOutput struct {
	DryRun bool               `json:"dry_run"`
	Params query.Params       `json:"params" jsonschema:"description=Bookmark params of the report (bookmark_type insights)"`
	Result *query.QueryResult `json:"result,omitempty"`

	limit, offset int
	// canSave: the server serves create_bookmark, so the dry-run text
	// can point at it.
	canSave bool
	// encoded is Params encoded (paramsJSON) by queryInsights, once for
	// both the dry-run text and structuredContent; nil: encode on use.
	encoded []byte
}

func (o InsightsOutput) paramsJSON() []byte {
	if o.encoded != nil {
		return o.encoded
	}
	return paramsJSON(o.Params)
}

// MarshalJSON is the output's plain encoding (the struct's fields and
// tags, TestInsightsOutputJSON), with the params encoded once and without
// reflection.
func (o InsightsOutput) MarshalJSON() ([]byte, error) {
	params := o.paramsJSON()
	if params == nil {
		return nil, fmt.Errorf("encode params: a value JSON cannot carry")
	}
	b := make([]byte, 0, len(params)+40)
	b = append(b, `{"dry_run":`...)
	b = strconv.AppendBool(b, o.DryRun)
	b = append(b, `,"params":`...)
	b = append(b, params...)
	if o.Result != nil {
		res, err := json.Marshal(o.Result)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"result":`...)
		b = append(b, res...)
	}
	return append(b, '}'), nil
}

// Text renders the result as a compact table under a one-line summary, or
// the params of a dry run.
func (o InsightsOutput) Text() string {
	if o.DryRun || o.Result == nil {
		return engDryRunText(o.paramsJSON(), "insights", o.canSave)
	}
	r := *o.Result
	r.Params = o.Params // the result's copy is dropped from the output (see queryInsights)
	return RenderInsights(&r, o.limit, o.offset)
}

// RenderInsights is the model's view of an Insights result: the summary
// line, then rows of dates by series (or series by value for totals), with
// notes for the rows and series left out.
func RenderInsights(r *query.QueryResult, limit, offset int) string {
	if limit <= 0 {
		limit = insightsDefaultRows
	}
	cols, rows, hidden := r.Table(insightsMaxColumns)
	start, end := Page(len(rows), offset, limit)
	t := Table{
		Title:   r.Summary(),
		Columns: cols,
		Rows:    rows[start:end],
		Offset:  start,
		Total:   len(rows),
	}
	var b strings.Builder
	b.WriteString(t.String())
	if hidden > 0 {
		fmt.Fprintf(&b, "%d more series not shown (first %d of %d); narrow group_by, add where, or use mode=total. All series are in structuredContent.\n", hidden, insightsMaxColumns, insightsMaxColumns+hidden)
	}
	if v, ok := r.Meta["is_segmentation_limit_hit"].(bool); ok && v {
		b.WriteString("Mixpanel's segmentation limit was hit: some segments are missing.\n")
	}
	if f, ok := r.Meta["min_sampling_factor"].(float64); ok && f < 1 {
		fmt.Fprintf(&b, "Sampled at %s: values are estimates.\n", Pct(f))
	}
	return b.String()
}

func queryInsights(ctx context.Context, env *Env, in QueryInsightsInput) (InsightsOutput, error) {
	params, err := in.InsightsQuery.Build(env.Now())
	if err != nil {
		return InsightsOutput{}, err
	}
	out := InsightsOutput{DryRun: in.DryRun, Params: params, limit: in.Limit, offset: in.Offset, canSave: env.Has("create_bookmark"), encoded: paramsJSON(params)}
	if in.DryRun {
		return out, nil
	}
	res, err := engFetch(ctx, env, "query insights", params, query.ParseInsights)
	if err != nil {
		return InsightsOutput{}, err
	}
	res.Params = nil // already at the top level of the output
	out.Result = res
	return out, nil
}

// CohortDefinitionInput is a cohort definition: all_of (AND) or any_of
// (OR) of criteria and nested definitions.
type CohortDefinitionInput struct {
	AllOf []query.CohortItem `json:"all_of,omitempty" jsonschema:"description=Criteria that must all hold"`
	AnyOf []query.CohortItem `json:"any_of,omitempty" jsonschema:"description=Criteria of which one must hold"`
}

// CohortDefinitionOutput is the definition JSON Mixpanel stores.
type CohortDefinitionOutput struct {
	Definition map[string]any `json:"definition" jsonschema:"description={selector\\, behaviors}: the definition a saved cohort stores"`
	Behaviors  int            `json:"behaviors" jsonschema:"description=Number of event criteria (bhvr_N keys)"`
	// canSave: the server serves create_cohort, so the text can point at it.
	canSave bool
	// encoded is Definition encoded (appendJSON) by buildCohortDefinition,
	// once for both the text and structuredContent; nil: encode on use.
	encoded []byte
}

func (o CohortDefinitionOutput) definitionJSON() ([]byte, error) {
	if o.encoded != nil {
		return o.encoded, nil
	}
	return appendJSON(nil, o.Definition)
}

// MarshalJSON is the output's plain encoding (the struct's fields and
// tags, TestCohortDefinitionOutputJSON), with the definition encoded once
// and without reflection.
func (o CohortDefinitionOutput) MarshalJSON() ([]byte, error) {
	def, err := o.definitionJSON()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(def)+40)
	b = append(b, `{"definition":`...)
	b = append(b, def...)
	b = append(b, `,"behaviors":`...)
	b = strconv.AppendInt(b, int64(o.Behaviors), 10)
	return append(b, '}'), nil
}

// Text is the definition as compact JSON with a one-line summary.
func (o CohortDefinitionOutput) Text() string {
	raw, _ := o.definitionJSON()
	if o.canSave {
		return fmt.Sprintf("Cohort definition (%d event criteria); pass it as create_cohort's definition:\n%s", o.Behaviors, raw)
	}
	return fmt.Sprintf("Cohort definition (%d event criteria):\n%s", o.Behaviors, raw)
}

func buildCohortDefinition(_ context.Context, env *Env, in CohortDefinitionInput) (CohortDefinitionOutput, error) {
	def := query.CohortDefinition{AllOf: in.AllOf, AnyOf: in.AnyOf}
	out, err := def.ToDict()
	if err != nil {
		return CohortDefinitionOutput{}, err
	}
	encoded, err := appendJSON(make([]byte, 0, 512), out)
	if err != nil {
		return CohortDefinitionOutput{}, fmt.Errorf("encode the cohort definition: %w", err)
	}
	behaviors, _ := out["behaviors"].(map[string]any)
	return CohortDefinitionOutput{Definition: out, Behaviors: len(behaviors), canSave: env.Has("create_cohort"), encoded: encoded}, nil
}
