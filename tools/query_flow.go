package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func queryFlowTools() []*Tool {
	return []*Tool{charted(New("query_flow", ToolsetQuery,
		"Run a flow: the paths users take before and after anchor events, as a step graph (sankey), top paths, or prefix trees.",
		ReadOnly, queryFlow)),
	}
}

// Limits of the rendered flow.
const (
	flowDefaultRows   = 60
	flowMaxRows       = 1000
	flowTopEdges      = 10
	flowMaxTreeLines  = 200
	flowMaxPathEvents = 12
)

// QueryFlowInput is the flow query plus dry_run and a cap on shown rows.
type QueryFlowInput struct {
	query.FlowQuery
	DryRun bool `json:"dry_run,omitempty" jsonschema:"description=Only build the bookmark params; query nothing"`
	Limit  int  `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=60,description=Nodes\\, paths or tree lines to show"`
}

// Validate checks the row cap and every rule of the query before any request.
func (in *QueryFlowInput) Validate() error {
	if err := checkWindow(in.Limit, 0, flowMaxRows); err != nil {
		return err
	}
	return in.FlowQuery.Validate()
}

// FlowOutput is the flow params and, unless dry_run, the result with its
// busiest transitions, per-step drop-off and, in tree mode, the tree nodes.
type FlowOutput struct {
	DryRun         bool                    `json:"dry_run"`
	QueryType      string                  `json:"query_type" jsonschema:"description=arb_funnels query_type for the mode"`
	Params         query.Params            `json:"params" jsonschema:"description=Flow params of the report (bookmark_type flows)"`
	Result         *query.FlowQueryResult  `json:"result,omitempty"`
	TopTransitions []query.FlowTransition  `json:"top_transitions,omitempty" jsonschema:"description=Busiest edges: source\\, target\\, count"`
	DropOff        []query.FlowStepDropOff `json:"drop_off,omitempty" jsonschema:"description=Per sankey step: step\\, total\\, dropoff\\, rate (0-1)"`
	TreeNodes      []query.FlowTreeRow     `json:"tree_nodes,omitempty" jsonschema:"description=Tree mode\\, every node in pre-order: tree_index\\, depth\\, path (events from the root)\\, event\\, type\\, step_number\\, total_count\\, drop_off_count\\, converted_count"`

	limit int
	// canSave: the server serves create_bookmark, so the dry-run text
	// can point at it.
	canSave bool
}

// Text renders the flow for its mode, or the params of a dry run.
func (o FlowOutput) Text() string {
	if o.DryRun || o.Result == nil {
		return engDryRunText(paramsJSON(o.Params), "flows", o.canSave)
	}
	return RenderFlow(o.Result, o.Params, o.limit)
}

// RenderFlow is the model's view of a flow: sankey as a node table with the
// busiest transitions and drop-off per step, paths as one line per path,
// trees as box-drawn trees.
func RenderFlow(r *query.FlowQueryResult, params query.Params, limit int) string {
	var b strings.Builder
	b.WriteString(flowTitle(r, params))
	b.WriteByte('\n')
	if r.Mode == "tree" {
		if limit <= 0 {
			limit = flowMaxTreeLines
		}
		renderFlowTrees(&b, r, limit)
		return b.String()
	}
	if limit <= 0 {
		limit = flowDefaultRows
	}
	switch r.Mode {
	case "paths":
		renderFlowPaths(&b, r, limit)
	default:
		renderFlowSankey(&b, r, limit)
	}
	if len(r.Breakdowns) > 0 {
		fmt.Fprintf(&b, "%d segment breakdowns are in structuredContent result.breakdowns.\n", len(r.Breakdowns))
	}
	return b.String()
}

func flowTitle(r *query.FlowQueryResult, params query.Params) string {
	steps, _ := params["steps"].([]any)
	var anchors []string
	for _, s := range steps {
		step, _ := s.(map[string]any)
		anchors = append(anchors, fmt.Sprintf("%v (%v back, %v forward)", step["event"], step["reverse"], step["forward"]))
	}
	dates := "default dates"
	if dr, ok := params["date_range"].(map[string]any); ok {
		if dr["type"] == "between" {
			dates = fmt.Sprintf("%v to %v", dr["from_date"], dr["to_date"])
		} else if from, ok := dr["from_date"].(map[string]any); ok {
			dates = fmt.Sprintf("last %v days", from["value"])
		}
	}
	title := fmt.Sprintf("Flow (%s) around %s; %v counting; %s", r.Mode, strings.Join(anchors, ", "), params["count_type"], dates)
	if r.Mode == "sankey" {
		title += "; overall conversion " + Pct(r.OverallConversionRate)
	}
	return title
}

func renderFlowSankey(b *strings.Builder, r *query.FlowQueryResult, limit int) {
	nodes := r.NodeRows()
	rows := make([][]string, 0, len(nodes))
	for _, n := range nodes {
		rows = append(rows, []string{fmt.Sprint(n.Step), n.Event, n.Type, Num(float64(n.Count))})
	}
	b.WriteString(Table{Title: "Nodes by step:", Columns: []string{"step", "event", "type", "count"}, Rows: rows, Limit: limit, Hint: "raise limit to see more nodes; all are in structuredContent"}.String())
	if top := r.TopTransitions(flowTopEdges); len(top) > 0 {
		rows := make([][]string, len(top))
		for i, t := range top {
			rows[i] = []string{t.Source, t.Target, Num(float64(t.Count))}
		}
		b.WriteString(Table{Title: "Top transitions (event@step):", Columns: []string{"from", "to", "count"}, Rows: rows}.String())
	}
	drops := r.DropOffSummary()
	rows = make([][]string, 0, len(drops))
	for _, d := range drops {
		if d.DropOff > 0 {
			rows = append(rows, []string{fmt.Sprint(d.Step), Num(float64(d.Total)), Num(float64(d.DropOff)), Pct(d.Rate)})
		}
	}
	if len(rows) > 0 {
		b.WriteString(Table{Title: "Drop-off after each step:", Columns: []string{"step", "traffic", "dropped", "rate"}, Rows: rows}.String())
	}
}

func renderFlowPaths(b *strings.Builder, r *query.FlowQueryResult, limit int) {
	rows := make([][]string, 0, len(r.Flows))
	for i, p := range r.Flows {
		events := make([]string, 0, len(p.FlowSteps))
		for j, s := range p.FlowSteps {
			if j == flowMaxPathEvents {
				events = append(events, "…")
				break
			}
			events = append(events, s.Event)
		}
		count := int64(0)
		if n := len(p.FlowSteps); n > 0 {
			count = p.FlowSteps[n-1].TotalCount
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), Num(float64(count)), strings.Join(events, " → ")})
	}
	b.WriteString(Table{Title: "Top paths (count = users completing the whole path):", Columns: []string{"#", "count", "path"}, Rows: rows, Limit: limit, Hint: "raise limit to see more paths"}.String())
}

func renderFlowTrees(b *strings.Builder, r *query.FlowQueryResult, limit int) {
	if len(r.Trees) == 0 {
		b.WriteString("(no trees)\n")
		return
	}
	total := 0
	for _, t := range r.Trees {
		total += t.NodeCount()
	}
	shown := 0
	for _, t := range r.Trees {
		if shown == limit {
			break
		}
		fmt.Fprintf(b, "Tree from %s: %s reached, %s converted, %s dropped off; %d nodes, depth %d, %d paths\n",
			t.Event, Num(float64(t.TotalCount)), Pct(t.ConversionRate()), Pct(t.DropOffRate()), t.NodeCount(), t.Depth(), t.LeafCount())
		for _, line := range strings.Split(strings.TrimSuffix(t.Render(), "\n"), "\n") {
			if shown == limit {
				break
			}
			b.WriteString(line)
			b.WriteByte('\n')
			shown++
		}
	}
	if shown < total {
		fmt.Fprintf(b, "%d more tree nodes not shown; every node is in structuredContent tree_nodes.\n", total-shown)
	}
}

func queryFlow(ctx context.Context, env *Env, in QueryFlowInput) (FlowOutput, error) {
	params, err := in.FlowQuery.Build(env.Now())
	if err != nil {
		return FlowOutput{}, err
	}
	out := FlowOutput{DryRun: in.DryRun, QueryType: query.FlowQueryType(in.Mode), Params: params, limit: in.Limit, canSave: env.Has("create_bookmark")}
	if in.DryRun {
		return out, nil
	}
	client, err := env.Client()
	if err != nil {
		return FlowOutput{}, err
	}
	raw, err := client.QueryArbFunnels(ctx, out.QueryType, params)
	if err != nil {
		return FlowOutput{}, fmt.Errorf("query flow: %w", err)
	}
	res, err := query.ParseFlowResponse(raw, params, in.Mode)
	if err != nil {
		return FlowOutput{}, err
	}
	res.Params = nil // already at the top level of the output
	out.Result = res
	switch res.Mode { // the requested mode, default sankey
	case "sankey":
		out.TopTransitions = res.TopTransitions(flowTopEdges)
		out.DropOff = res.DropOffSummary()
	case "tree":
		out.TreeNodes = res.TreeRows()
	}
	return out, nil
}
