package query

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FlowEdge is a transition out of a sankey node.
type FlowEdge struct {
	Event      string `json:"event"`
	Type       string `json:"type"`
	Step       int    `json:"step"` // Step index of the target node
	TotalCount int64  `json:"total_count"`
}

// FlowNode is one node of a sankey step column.
type FlowNode struct {
	Event                string     `json:"event"`
	Type                 string     `json:"type"` // ANCHOR, NORMAL, FORWARD, REVERSE, DROPOFF or PRUNED
	AnchorType           string     `json:"anchor_type"`
	TotalCount           int64      `json:"total_count"`
	IsCustomEvent        bool       `json:"is_custom_event"`
	ConversionRateChange float64    `json:"conversion_rate_change"`
	Edges                []FlowEdge `json:"edges"`
}

// FlowStepColumn is one step position of a sankey flow.
type FlowStepColumn struct {
	Nodes []FlowNode `json:"nodes"`
}

// FlowPathStep is one event of a top path.
type FlowPathStep struct {
	Event      string `json:"event"`
	Type       string `json:"type"`
	IsComputed bool   `json:"is_computed"`
	TotalCount int64  `json:"total_count"`
}

// FlowPath is one of the top paths (paths mode).
type FlowPath struct {
	FlowSteps []FlowPathStep `json:"flow_steps"`
}

// FlowQueryResult is the outcome of an ad-hoc flow query. Which of Steps,
// Flows and Trees is filled depends on Mode (sankey, paths, tree).
type FlowQueryResult struct {
	ComputedAt            string           `json:"computed_at"`
	Mode                  string           `json:"mode"`
	Steps                 []FlowStepColumn `json:"steps,omitempty"`
	Flows                 []FlowPath       `json:"flows,omitempty"`
	Breakdowns            []map[string]any `json:"breakdowns,omitempty"`
	OverallConversionRate float64          `json:"overall_conversion_rate"`
	Trees                 []*FlowTreeNode  `json:"-"` // see TreeRows for a flat, serialisable form
	Params                map[string]any   `json:"params,omitempty"`
	Meta                  map[string]any   `json:"meta"`
}

// ParseFlowResponse turns an /arb_funnels answer into a FlowQueryResult.
// mode is the requested mode; outside tree mode a body with none of the
// expected keys is an error, as in the reference.
func ParseFlowResponse(body []byte, params map[string]any, mode string) (*FlowQueryResult, error) {
	top, err := responseMembers("flow", body)
	if err != nil {
		return nil, err
	}
	if mode != "tree" {
		found := false
		for _, k := range []string{"steps", "flows", "trees", "computed_at", "metadata"} {
			if _, ok := top[k]; ok {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("flow query returned unexpected response shape (missing 'steps' and 'flows'); keys present: %v", memberNames(top))
		}
	}
	result := &FlowQueryResult{
		ComputedAt:            lenientString(top["computed_at"], ""),
		Mode:                  flowResultMode(mode),
		Steps:                 parseFlowSteps(top["steps"]),
		Flows:                 parseFlowPaths(top["flows"]),
		Breakdowns:            lenientObjects(top["breakdowns"]),
		OverallConversionRate: lenientFloat(top["overallConversionRate"]),
		Params:                params,
		Meta:                  lenientObject(top["metadata"]),
	}
	if mode == "tree" {
		result.Trees = parseFlowTrees(top["trees"])
	}
	return result, nil
}

func flowResultMode(mode string) string {
	switch mode {
	case "tree", "paths":
		return mode
	}
	return "sankey"
}

func lenientObjects(raw json.RawMessage) []map[string]any {
	items := rawList(raw)
	if items == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(items))
	for _, item := range items {
		out = append(out, lenientObject(item))
	}
	return out
}

func rawList(raw json.RawMessage) []json.RawMessage {
	var items []json.RawMessage
	if jsonKind(raw) != "array" || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	return items
}

func parseFlowSteps(raw json.RawMessage) []FlowStepColumn {
	items := rawList(raw)
	if items == nil {
		return nil
	}
	steps := make([]FlowStepColumn, 0, len(items))
	for idx, item := range items {
		fields, _ := objectMap(item)
		col := FlowStepColumn{Nodes: []FlowNode{}}
		for _, rawNode := range rawList(fields["nodes"]) {
			n, _ := objectMap(rawNode)
			node := FlowNode{
				Event:                lenientString(n["event"], ""),
				Type:                 lenientString(n["type"], ""),
				AnchorType:           lenientString(n["anchorType"], ""),
				TotalCount:           lenientInt(n["totalCount"], 0),
				IsCustomEvent:        lenientBool(n["isCustomEvent"], false),
				ConversionRateChange: lenientFloat(n["conversionRateChange"]),
				Edges:                []FlowEdge{},
			}
			for _, rawEdge := range rawList(n["edges"]) {
				e, _ := objectMap(rawEdge)
				target := int64(idx + 1)
				if step, ok := e["step"]; ok {
					target = lenientInt(step, int64(idx+1))
				}
				node.Edges = append(node.Edges, FlowEdge{
					Event:      lenientString(e["event"], ""),
					Type:       lenientString(e["type"], ""),
					Step:       int(target),
					TotalCount: lenientInt(e["totalCount"], 0),
				})
			}
			col.Nodes = append(col.Nodes, node)
		}
		steps = append(steps, col)
	}
	return steps
}

func parseFlowPaths(raw json.RawMessage) []FlowPath {
	items := rawList(raw)
	if items == nil {
		return nil
	}
	paths := make([]FlowPath, 0, len(items))
	for _, item := range items {
		fields, _ := objectMap(item)
		path := FlowPath{FlowSteps: []FlowPathStep{}}
		for _, rawStep := range rawList(fields["flowSteps"]) {
			s, _ := objectMap(rawStep)
			path.FlowSteps = append(path.FlowSteps, FlowPathStep{
				Event:      lenientString(s["event"], ""),
				Type:       lenientString(s["type"], ""),
				IsComputed: lenientBool(s["isComputed"], false),
				TotalCount: lenientInt(s["totalCount"], 0),
			})
		}
		paths = append(paths, path)
	}
	return paths
}

// parseFlowTrees reads tree mode's roots. The API wraps the anchors in a
// virtual root without an event; such a root is replaced by its children.
func parseFlowTrees(raw json.RawMessage) []*FlowTreeNode {
	var trees []*FlowTreeNode
	for _, item := range rawList(raw) {
		fields, _ := objectMap(item)
		rootRaw, ok := fields["root"]
		if !ok {
			continue
		}
		rootFields, isObj := objectMap(rootRaw)
		if !isObj || len(rootFields) == 0 {
			continue
		}
		root := parseFlowTreeNode(rootFields, 0)
		if root.Event != "" {
			trees = append(trees, root)
		} else {
			trees = append(trees, root.Children...)
		}
	}
	return trees
}

// maxFlowTreeDepth bounds recursion on hostile or corrupt responses; real
// flow trees are at most a dozen levels deep (5 forward + 5 reverse).
const maxFlowTreeDepth = 64

// camelOrSnake returns the camelCase member when present, else the
// snake_case one, matching the reference's get(camel, get(snake, default)).
func camelOrSnake(fields map[string]json.RawMessage, camel, snake string) (json.RawMessage, bool) {
	if v, ok := fields[camel]; ok {
		return v, true
	}
	v, ok := fields[snake]
	return v, ok
}

func parseFlowTreeNode(fields map[string]json.RawMessage, depth int) *FlowTreeNode {
	step, _ := objectMap(fields["step"])
	node := &FlowTreeNode{
		Event:      lenientString(step["event"], ""),
		Type:       lenientString(step["type"], ""),
		AnchorType: "NORMAL",
		Children:   []*FlowTreeNode{},
	}
	if v, ok := camelOrSnake(step, "stepNumber", "step_number"); ok {
		node.StepNumber = int(lenientInt(v, 0))
	}
	if v, ok := camelOrSnake(fields, "totalCount", "total_count"); ok {
		node.TotalCount = lenientInt(v, 0)
	}
	if v, ok := camelOrSnake(fields, "dropOffTotalCount", "drop_off_total_count"); ok {
		node.DropOffCount = lenientInt(v, 0)
	}
	if v, ok := camelOrSnake(fields, "convertedTotalCount", "converted_total_count"); ok {
		node.ConvertedCount = lenientInt(v, 0)
	}
	if v, ok := camelOrSnake(step, "anchorType", "anchor_type"); ok {
		node.AnchorType = lenientString(v, "NORMAL")
	}
	if v, ok := camelOrSnake(step, "isComputed", "is_computed"); ok {
		node.IsComputed = lenientBool(v, false)
	}
	node.TimePercentilesFromStart = firstNonEmptyObject(fields, "timePercentilesFromStart", "time_percentiles_from_start")
	node.TimePercentilesFromPrev = firstNonEmptyObject(fields, "timePercentilesFromPrev", "time_percentiles_from_prev")
	if depth >= maxFlowTreeDepth {
		return node
	}
	for _, rawChild := range rawList(fields["children"]) {
		child, isObj := objectMap(rawChild)
		if !isObj {
			continue
		}
		node.Children = append(node.Children, parseFlowTreeNode(child, depth+1))
	}
	return node
}

// firstNonEmptyObject mirrors `raw.get(camel) or raw.get(snake) or {}`.
func firstNonEmptyObject(fields map[string]json.RawMessage, camel, snake string) map[string]any {
	if m := lenientObject(fields[camel]); len(m) > 0 {
		return m
	}
	return lenientObject(fields[snake])
}

// FlowNodeRow is one sankey node in flat form.
type FlowNodeRow struct {
	Step                 int     `json:"step"`
	Event                string  `json:"event"`
	Type                 string  `json:"type"`
	Count                int64   `json:"count"`
	AnchorType           string  `json:"anchor_type"`
	IsCustomEvent        bool    `json:"is_custom_event"`
	ConversionRateChange float64 `json:"conversion_rate_change"`
}

// NodeRows lists every sankey node, step by step.
func (r *FlowQueryResult) NodeRows() []FlowNodeRow {
	var rows []FlowNodeRow
	for idx, step := range r.Steps {
		for _, n := range step.Nodes {
			rows = append(rows, FlowNodeRow{
				Step: idx, Event: n.Event, Type: n.Type, Count: n.TotalCount,
				AnchorType: n.AnchorType, IsCustomEvent: n.IsCustomEvent,
				ConversionRateChange: n.ConversionRateChange,
			})
		}
	}
	return rows
}

// FlowEdgeRow is one sankey transition in flat form.
type FlowEdgeRow struct {
	SourceStep  int    `json:"source_step"`
	SourceEvent string `json:"source_event"`
	TargetStep  int    `json:"target_step"`
	TargetEvent string `json:"target_event"`
	Count       int64  `json:"count"`
	TargetType  string `json:"target_type"`
}

// EdgeRows lists every sankey transition, step by step.
func (r *FlowQueryResult) EdgeRows() []FlowEdgeRow {
	var rows []FlowEdgeRow
	for idx, step := range r.Steps {
		for _, n := range step.Nodes {
			for _, e := range n.Edges {
				rows = append(rows, FlowEdgeRow{
					SourceStep: idx, SourceEvent: n.Event,
					TargetStep: e.Step, TargetEvent: e.Event,
					Count: e.TotalCount, TargetType: e.Type,
				})
			}
		}
	}
	return rows
}

// FlowTransition is a transition between two graph nodes, each written
// "event@step" so the same event at different steps stays distinct.
type FlowTransition struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Count  int64  `json:"count"`
}

// TopTransitions returns the n busiest transitions, highest count first;
// equal counts keep their order in the response.
func (r *FlowQueryResult) TopTransitions(n int) []FlowTransition {
	edges := r.EdgeRows()
	sort.SliceStable(edges, func(i, j int) bool { return edges[i].Count > edges[j].Count })
	if n < 0 {
		n = 0
	}
	if len(edges) > n {
		edges = edges[:n]
	}
	out := make([]FlowTransition, 0, len(edges))
	for _, e := range edges {
		out = append(out, FlowTransition{
			Source: e.SourceEvent + "@" + strconv.Itoa(e.SourceStep),
			Target: e.TargetEvent + "@" + strconv.Itoa(e.TargetStep),
			Count:  e.Count,
		})
	}
	return out
}

// FlowStepDropOff is the drop-off at one sankey step.
type FlowStepDropOff struct {
	Step    int     `json:"step"`
	Total   int64   `json:"total"`   // Traffic through the step
	DropOff int64   `json:"dropoff"` // Users who dropped off after the step
	Rate    float64 `json:"rate"`    // dropoff / total (0-1)
}

// DropOffSummary counts, per step, the DROPOFF edges leaving real nodes
// against the step's total traffic. Edges out of DROPOFF nodes are carried
// over from earlier steps and are not counted again.
func (r *FlowQueryResult) DropOffSummary() []FlowStepDropOff {
	out := make([]FlowStepDropOff, 0, len(r.Steps))
	for idx, step := range r.Steps {
		var total, dropoff int64
		for _, n := range step.Nodes {
			total += n.TotalCount
			if n.Type == "DROPOFF" {
				continue
			}
			for _, e := range n.Edges {
				if e.Type == "DROPOFF" {
					dropoff += e.TotalCount
				}
			}
		}
		rate := 0.0
		if total > 0 {
			rate = float64(dropoff) / float64(total)
		}
		out = append(out, FlowStepDropOff{Step: idx, Total: total, DropOff: dropoff, Rate: rate})
	}
	return out
}

// FlowPathRow is one step of one top path in flat form.
type FlowPathRow struct {
	PathIndex int    `json:"path_index"`
	Step      int    `json:"step"`
	Event     string `json:"event"`
	Type      string `json:"type"`
	Count     int64  `json:"count"`
}

// PathRows flattens the top paths.
func (r *FlowQueryResult) PathRows() []FlowPathRow {
	var rows []FlowPathRow
	for p, path := range r.Flows {
		for s, step := range path.FlowSteps {
			rows = append(rows, FlowPathRow{PathIndex: p, Step: s, Event: step.Event, Type: step.Type, Count: step.TotalCount})
		}
	}
	return rows
}

// FlowTreeRow is one tree node in flat form, with the chain of events from
// its root; it carries the tree without recursion.
type FlowTreeRow struct {
	TreeIndex      int    `json:"tree_index"`
	Depth          int    `json:"depth"`
	Path           string `json:"path"` // Events from the root, joined by ' > '
	Event          string `json:"event"`
	Type           string `json:"type"`
	StepNumber     int    `json:"step_number"`
	TotalCount     int64  `json:"total_count"`
	DropOffCount   int64  `json:"drop_off_count"`
	ConvertedCount int64  `json:"converted_count"`
}

// TreeRows flattens every tree in pre-order.
func (r *FlowQueryResult) TreeRows() []FlowTreeRow {
	var rows []FlowTreeRow
	var walk func(n *FlowTreeNode, tree int, ancestors []string)
	walk = func(n *FlowTreeNode, tree int, ancestors []string) {
		path := append(append([]string(nil), ancestors...), n.Event)
		rows = append(rows, FlowTreeRow{
			TreeIndex: tree, Depth: len(ancestors), Path: strings.Join(path, " > "),
			Event: n.Event, Type: n.Type, StepNumber: n.StepNumber,
			TotalCount: n.TotalCount, DropOffCount: n.DropOffCount, ConvertedCount: n.ConvertedCount,
		})
		for _, c := range n.Children {
			walk(c, tree, path)
		}
	}
	for i, t := range r.Trees {
		walk(t, i, nil)
	}
	return rows
}
