package mixpaneltest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

func routesFlows(s *Server) { s.handle(http.MethodPost, QueryPrefix+"/arb_funnels", s.postArbFunnels) }

// ArbFunnelsBody is the JSON body of POST /arb_funnels.
type ArbFunnelsBody struct {
	ProjectID json.Number     `json:"project_id"`
	QueryType string          `json:"query_type"`
	Bookmark  json.RawMessage `json:"bookmark"`
}

// flowVocabulary is the fake project's events that flows wander through.
var flowVocabulary = []string{
	"App Launched", "Catalog Search", "Product Viewed", "Add To Cart",
	"Checkout Started", "Order Completed", "Wishlist Added", "Review Posted",
}

// flowParams is the part of the flat flow bookmark the fake reads.
type flowParams struct {
	Steps []struct {
		Event   string  `json:"event"`
		Forward float64 `json:"forward"`
		Reverse float64 `json:"reverse"`
	} `json:"steps"`
	Cardinality  float64  `json:"cardinality_threshold"`
	HiddenEvents []string `json:"hidden_events"`
	Exclusions   []string `json:"exclusions"`
}

// postArbFunnels answers flows: query_type flows_sankey with step columns
// of nodes and edges (counts as strings, as the API sends them),
// flows_top_paths with the top paths, and flows (tree mode) with prefix
// trees under a virtual root whose step is null, in camelCase.
func (s *Server) postArbFunnels(w http.ResponseWriter, r *http.Request) {
	var body ArbFunnelsBody
	if !DecodeBody(w, r, &body) {
		return
	}
	if string(body.ProjectID) != ProjectID {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("project_id must be the integer %s in the body, got %q", ProjectID, body.ProjectID), "status": "error"})
		return
	}
	var p flowParams
	if err := json.Unmarshal(body.Bookmark, &p); err != nil || len(p.Steps) == 0 {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "bookmark must be flow params with at least one step", "status": "error"})
		return
	}
	g := newFlowGen(p)
	meta := map[string]any{"sampling_factor": 1.0, "is_cached": false, "query_id": "fake-" + strconv.Itoa(int(stableHash(string(body.Bookmark))%100000))}
	switch body.QueryType {
	case "flows_sankey":
		steps, conversion := g.sankey()
		WriteJSON(w, http.StatusOK, map[string]any{"computed_at": queryComputedAt, "steps": steps, "breakdowns": []any{}, "overallConversionRate": conversion, "metadata": meta})
	case "flows_top_paths":
		WriteJSON(w, http.StatusOK, map[string]any{"computed_at": queryComputedAt, "flows": g.topPaths(), "breakdowns": []any{}, "overallConversionRate": 0.0, "metadata": meta})
	case "flows":
		WriteJSON(w, http.StatusOK, map[string]any{"computed_at": queryComputedAt, "trees": g.trees(), "metadata": meta})
	default:
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "unknown query_type " + strconv.Quote(body.QueryType), "status": "error"})
	}
}

type flowGen struct {
	anchors          []string
	forward, reverse int
	cardinality      int
	skip             map[string]bool
}

func newFlowGen(p flowParams) *flowGen {
	g := &flowGen{cardinality: max(1, int(p.Cardinality)), skip: map[string]bool{}}
	for _, st := range p.Steps {
		g.anchors = append(g.anchors, st.Event)
		g.forward = max(g.forward, int(st.Forward))
		g.reverse = max(g.reverse, int(st.Reverse))
	}
	g.forward, g.reverse = min(g.forward, 5), min(g.reverse, 5)
	for _, e := range append(p.HiddenEvents, p.Exclusions...) {
		g.skip[e] = true
	}
	return g
}

// next picks up to n events that plausibly follow (or precede) event.
func (g *flowGen) next(event string, depth, n int) []string {
	var out []string
	start := int(stableHash(fmt.Sprint(event, depth)) % uint32(len(flowVocabulary)))
	for i := 0; i < len(flowVocabulary) && len(out) < n; i++ {
		e := flowVocabulary[(start+i)%len(flowVocabulary)]
		if e != event && !g.skip[e] {
			out = append(out, e)
		}
	}
	return out
}

// branchShares split a node's traffic: three successors, the rest drops off.
var branchShares = []float64{0.45, 0.25, 0.1}

type sankeyNode struct {
	event, typ string
	count      float64
	edges      []map[string]any
}

// sankey lays out reverse columns, the anchor column and forward columns.
func (g *flowGen) sankey() ([]any, float64) {
	anchorCol := g.reverse
	total := 0.0
	cols := make([][]*sankeyNode, g.reverse+1+g.forward)
	for _, a := range g.anchors {
		n := math.Round(float64(500 + stableHash(a)%1500))
		total += n
		cols[anchorCol] = append(cols[anchorCol], &sankeyNode{event: a, typ: "ANCHOR", count: n})
	}
	dropped := 0.0
	for c := anchorCol; c < len(cols)-1; c++ {
		byEvent := map[string]*sankeyNode{}
		var order []*sankeyNode
		for _, n := range cols[c] {
			if n.typ == "DROPOFF" {
				n.edges = append(n.edges, map[string]any{"event": "DROPOFF", "type": "DROPOFF", "step": c + 1, "totalCount": fmtCount(n.count)})
				continue
			}
			kept := 0.0
			for i, e := range g.next(n.event, c, len(branchShares)) {
				share := math.Round(n.count * branchShares[i])
				kept += share
				n.edges = append(n.edges, map[string]any{"event": e, "type": "NORMAL", "step": c + 1, "totalCount": fmtCount(share)})
				if byEvent[e] == nil {
					byEvent[e] = &sankeyNode{event: e, typ: "NORMAL"}
					order = append(order, byEvent[e])
				}
				byEvent[e].count += share
			}
			lost := n.count - kept
			dropped += lost
			n.edges = append(n.edges, map[string]any{"event": "DROPOFF", "type": "DROPOFF", "step": c + 1, "totalCount": fmtCount(lost)})
		}
		cols[c+1] = append(order, &sankeyNode{event: "DROPOFF", typ: "DROPOFF", count: dropped})
	}
	for c := anchorCol - 1; c >= 0; c-- {
		for i, e := range g.next(g.anchors[0], -c-1, 2) {
			n := math.Round(total * branchShares[i])
			edge := map[string]any{"event": g.anchors[0], "type": "ANCHOR", "step": c + 1, "totalCount": fmtCount(n)}
			if c+1 < anchorCol {
				edge["event"], edge["type"] = cols[c+1][0].event, "REVERSE"
			}
			cols[c] = append(cols[c], &sankeyNode{event: e, typ: "REVERSE", count: n, edges: []map[string]any{edge}})
		}
	}
	steps := make([]any, len(cols))
	for c, col := range cols {
		nodes := make([]any, 0, len(col))
		for _, n := range col {
			anchorType := "NORMAL"
			switch {
			case c < anchorCol:
				anchorType = "RELATIVE_REVERSE"
			case c > anchorCol:
				anchorType = "RELATIVE_FORWARD"
			}
			edges := make([]any, len(n.edges))
			for i, e := range n.edges {
				edges[i] = e
			}
			nodes = append(nodes, map[string]any{
				"event": n.event, "type": n.typ, "anchorType": anchorType,
				"totalCount": fmtCount(n.count), "isCustomEvent": false, "isComputed": false,
				"conversionRateChange": 0.0, "edges": edges,
			})
		}
		steps[c] = map[string]any{"nodes": nodes}
	}
	conversion := 0.0
	if total > 0 {
		conversion = roundRate((total - dropped) / total)
	}
	return steps, conversion
}

// topPaths returns cardinality paths from the first anchor.
func (g *flowGen) topPaths() []any {
	anchor := g.anchors[0]
	count := math.Round(float64(500 + stableHash(anchor)%1500))
	var out []any
	for p := 0; p < g.cardinality; p++ {
		steps := []any{map[string]any{"event": anchor, "type": "ANCHOR", "isComputed": false, "totalCount": fmtCount(count)}}
		event, n := anchor, count*math.Pow(0.6, float64(p+1))
		for d := 0; d < g.forward; d++ {
			nexts := g.next(event, d+p, 1+p%3)
			event = nexts[len(nexts)-1]
			n = math.Round(n * 0.7)
			steps = append(steps, map[string]any{"event": event, "type": "NORMAL", "isComputed": false, "totalCount": fmtCount(n)})
		}
		out = append(out, map[string]any{"flowSteps": steps, "segments": []any{}})
	}
	return out
}

// trees builds one prefix tree per anchor under a virtual root.
func (g *flowGen) trees() []any {
	children := make([]any, 0, len(g.anchors))
	for _, a := range g.anchors {
		n := math.Round(float64(500 + stableHash(a)%1500))
		children = append(children, g.treeNode(a, "ANCHOR", 0, n))
	}
	root := map[string]any{"step": nil, "children": children, "totalCount": 0, "dropOffTotalCount": 0, "convertedTotalCount": 0}
	return []any{map[string]any{"root": root, "num_steps": g.forward + 1, "segments": map[string]any{"segments": []any{}}}}
}

func (g *flowGen) treeNode(event, typ string, depth int, count float64) map[string]any {
	var children []any
	dropped := 0.0
	if depth < g.forward && event != "DROPOFF" {
		kept := 0.0
		for i, e := range g.next(event, depth, 2) {
			share := math.Round(count * branchShares[i])
			kept += share
			children = append(children, g.treeNode(e, "NORMAL", depth+1, share))
		}
		dropped = count - kept
		children = append(children, g.treeNode("DROPOFF", "DROPOFF", depth+1, dropped))
	}
	if children == nil {
		children = []any{}
	}
	return map[string]any{
		"step":                     map[string]any{"event": event, "type": typ, "stepNumber": depth, "anchorType": "NORMAL", "isComputed": false},
		"children":                 children,
		"totalCount":               fmtCount(count),
		"dropOffTotalCount":        dropped,
		"convertedTotalCount":      count - dropped,
		"timePercentilesFromStart": map[string]any{},
		"timePercentilesFromPrev":  map[string]any{},
	}
}

func fmtCount(f float64) string { return strconv.FormatInt(int64(math.Round(f)), 10) }
