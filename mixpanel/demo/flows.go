package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Flows (POST /arb_funnels, the flat params of wire reference §5.9)
// computed from the events. One anchor event: each user's first anchor in
// the range (count_type unique), or every anchor (total), starts a path;
// the path is the next `forward` and the previous `reverse` events within
// the conversion window, leaving out hidden and excluded events and
// events failing filter_by_event, and merging consecutive repeats when
// collapse_repeated is set. Sankey columns count the paths' events per
// position (the top cardinality_threshold events of a column, the others
// merged into a PRUNED "Other events" node), with DROPOFF where a path
// ends early; top paths rank the whole paths; tree mode is the forward
// paths' prefix tree.

// otherEvents labels the merged events beyond a column's cardinality.
const otherEvents = "Other events"

// flowBody is the part of the flat flow params the demo evaluates; the
// fields it refuses are read to name them.
type flowBody struct {
	Steps []struct {
		Event        string           `json:"event"`
		Forward      float64          `json:"forward"`
		Reverse      float64          `json:"reverse"`
		BoolOp       string           `json:"bool_op"`
		Filters      []map[string]any `json:"property_filter_params_list"`
		SessionEvent string           `json:"session_event"`
	} `json:"steps"`
	DateRange   map[string]any `json:"date_range"`
	CountType   string         `json:"count_type"`
	Cardinality float64        `json:"cardinality_threshold"`
	Window      struct {
		Unit  string  `json:"unit"`
		Value float64 `json:"value"`
	} `json:"conversion_window"`
	Collapse      bool     `json:"collapse_repeated"`
	Hidden        []string `json:"hidden_events"`
	Exclusions    []string `json:"exclusions"`
	FilterByEvent *struct {
		Operator string           `json:"operator"`
		Children []map[string]any `json:"children"`
	} `json:"filter_by_event"`
	FilterByCohort any   `json:"filter_by_cohort"`
	Segments       []any `json:"segments"`
	DataGroupID    any   `json:"data_group_id"`
}

// flowQuery is a compiled flow request.
type flowQuery struct {
	anchor           stepMatcher
	name             string    // the anchor event's name
	keep             predicate // filter_by_event, for every event of a path
	skip             [numEvents]bool
	forward, reverse int
	window           int32
	lo, hi           int32
	total, collapse  bool
	cardinality      int
}

// flowPath is one anchor's path: the events before it (nearest first)
// and after it.
type flowPath struct {
	rev, fwd []uint8
}

func (p *Project) postFlows(w http.ResponseWriter, r *http.Request) {
	var body mixpaneltest.ArbFunnelsBody
	if !mixpaneltest.DecodeBody(w, r, &body) {
		return
	}
	if string(body.ProjectID) != mixpaneltest.ProjectID {
		writeErr(w, fmt.Errorf("project_id must be the integer %s in the body, got %q", mixpaneltest.ProjectID, body.ProjectID))
		return
	}
	answer, err := p.Events.Flow(body.QueryType, body.Bookmark)
	if err != nil {
		writeErr(w, err)
		return
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, answer)
}

// savedFlows answers GET /arb_funnels?bookmark_id= (wire reference §4.4):
// a flows report of the project's store evaluated like an ad-hoc flow, in
// the query_type asked (flows_sankey by default).
func (p *Project) savedFlows(w http.ResponseWriter, r *http.Request) {
	qt := r.URL.Query().Get("query_type")
	if qt == "" {
		qt = "flows_sankey"
	}
	if qt != "flows_sankey" && qt != "flows_top_paths" && qt != "flows" {
		writeErr(w, fmt.Errorf("query_type must be flows_sankey, flows_top_paths or flows, got %q", qt))
		return
	}
	typ, params, ok := p.report(w, r, "bookmark_id")
	if !ok {
		return
	}
	if typ != "flows" {
		writeErr(w, fmt.Errorf("bookmark %s is a %s report, not flows", r.URL.Query().Get("bookmark_id"), typ))
		return
	}
	raw, err := json.Marshal(params)
	if err != nil {
		writeErr(w, err)
		return
	}
	answer, err := p.Events.Flow(qt, raw)
	if err != nil {
		writeErr(w, err)
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("bookmark_id"), 10, 64)
	answer["metadata"].(map[string]any)["bookmark_id"] = id
	mixpaneltest.WriteJSON(w, http.StatusOK, answer)
}

// Flow evaluates flat flow params for a query type: flows_sankey,
// flows_top_paths or flows (tree).
func (e *Events) Flow(queryType string, raw json.RawMessage) (map[string]any, error) {
	var b flowBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("bookmark: flow params must be a JSON object: %v", err)
	}
	q, err := e.compileFlow(&b)
	if err != nil {
		return nil, err
	}
	if queryType == "flows" && q.reverse > 0 {
		return nil, unsupported("reverse steps in flow tree mode (use sankey or paths)")
	}
	paths := e.flowPaths(q)
	meta := map[string]any{"sampling_factor": 1.0, "is_cached": false}
	switch queryType {
	case "flows_sankey":
		return map[string]any{"computed_at": e.computedAt(), "steps": q.sankey(paths), "breakdowns": []any{}, "overallConversionRate": q.conversion(paths), "metadata": meta}, nil
	case "flows_top_paths":
		return map[string]any{"computed_at": e.computedAt(), "flows": q.topPaths(paths), "breakdowns": []any{}, "overallConversionRate": q.conversion(paths), "metadata": meta}, nil
	case "flows":
		root := map[string]any{"step": nil, "children": []any{q.tree(paths)}, "totalCount": 0, "dropOffTotalCount": 0, "convertedTotalCount": 0}
		return map[string]any{"computed_at": e.computedAt(), "trees": []any{map[string]any{"root": root, "num_steps": q.forward + 1, "segments": map[string]any{"segments": []any{}}}}, "metadata": meta}, nil
	}
	return nil, fmt.Errorf("query_type %q: use flows_sankey, flows_top_paths or flows", queryType)
}

func (e *Events) compileFlow(b *flowBody) (*flowQuery, error) {
	switch {
	case len(b.Steps) == 0:
		return nil, fmt.Errorf("steps: at least one anchor step is required")
	case len(b.Steps) > 1:
		return nil, unsupported("flows with more than one anchor step (%d given)", len(b.Steps))
	case b.CountType == "session" || b.Window.Unit == "session":
		return nil, unsupported("session flows (count_type or conversion window \"session\")")
	case b.FilterByCohort != nil:
		return nil, unsupported("flow cohort filters (filter_by_cohort)")
	case len(b.Segments) > 0:
		return nil, unsupported("flow breakdowns (segments)")
	case b.DataGroupID != nil:
		return nil, unsupported("group analytics (data_group_id)")
	case b.CountType != "" && b.CountType != "unique" && b.CountType != "total":
		return nil, fmt.Errorf("count_type %q: use unique or total", b.CountType)
	}
	st := b.Steps[0]
	if st.SessionEvent != "" {
		return nil, unsupported("session anchors (session_event)")
	}
	q := &flowQuery{forward: int(st.Forward), reverse: int(st.Reverse), total: b.CountType == "total", collapse: b.Collapse, cardinality: max(1, int(b.Cardinality))}
	if q.forward < 0 || q.forward > 5 || q.reverse < 0 || q.reverse > 5 || q.forward+q.reverse == 0 {
		return nil, fmt.Errorf("steps[0]: forward and reverse must be 0-5 with one of them above 0, got %v and %v", st.Forward, st.Reverse)
	}
	unitSecs := map[string]int32{"": day, "day": day, "week": 7 * day, "month": 30 * day}[b.Window.Unit]
	if unitSecs == 0 || b.Window.Value < 1 {
		return nil, fmt.Errorf("conversion_window: %v %q: use a positive number of days, weeks or months", b.Window.Value, b.Window.Unit)
	}
	q.window = int32(b.Window.Value) * unitSecs
	from, to, err := e.flowRange(b.DateRange)
	if err != nil {
		return nil, err
	}
	q.lo, q.hi = e.localSpan(from, to)
	for _, name := range append(slices.Clone(b.Hidden), b.Exclusions...) {
		if id := eventID(name); id >= 0 {
			q.skip[id] = true
		}
	}
	if b.FilterByEvent != nil {
		if op := b.FilterByEvent.Operator; op != "" && op != "and" {
			return nil, unsupported("filter_by_event operator %q (only and)", op)
		}
		entries := make([]any, len(b.FilterByEvent.Children))
		for k, c := range b.FilterByEvent.Children {
			f := map[string]any{}
			for key, v := range c {
				f[key] = v
			}
			if f["value"] == nil {
				f["value"] = f["propertyName"]
			}
			entries[k] = f
		}
		if q.keep, err = e.newCompiler().filters("filter_by_event.children", entries, false); err != nil {
			return nil, err
		}
	}
	q.anchor, q.name = stepMatcher{id: eventID(st.Event)}, st.Event // an unknown event matches nothing
	var preds []predicate
	for k, f := range st.Filters {
		entry, err := segfilterEntry(fmt.Sprintf("steps[0].property_filter_params_list[%d]", k), f)
		if err != nil {
			return nil, err
		}
		pred, err := e.newCompiler().filters(fmt.Sprintf("steps[0].property_filter_params_list[%d]", k), []any{entry}, false)
		if err != nil {
			return nil, err
		}
		preds = append(preds, pred)
	}
	anyOf := st.BoolOp == "or"
	q.anchor.pred = func(e *Events, i, u int) bool {
		if q.keep != nil && !q.keep(e, i, u) {
			return false
		}
		if len(preds) == 0 {
			return true
		}
		for _, p := range preds {
			if p(e, i, u) == anyOf {
				return anyOf
			}
		}
		return !anyOf
	}
	return q, nil
}

// flowRange resolves date_range: "in the last" N days (or weeks) to today,
// or "between" two dates.
func (e *Events) flowRange(dr map[string]any) (from, to time.Time, err error) {
	today := e.today()
	switch dr["type"] {
	case "in the last":
		f, _ := dr["from_date"].(map[string]any)
		n, _ := f["value"].(float64)
		days := map[any]int{"day": 1, "week": 7}[f["unit"]]
		if days == 0 || n < 1 {
			return from, to, unsupported("flow date_range %v (in the last N days or weeks, or between two dates)", dr)
		}
		return today.AddDate(0, 0, -int(n)*days+1), today, nil
	case "between":
		a, err1 := time.Parse("2006-01-02", fmt.Sprint(dr["from_date"]))
		b, err2 := time.Parse("2006-01-02", fmt.Sprint(dr["to_date"]))
		if err1 != nil || err2 != nil || b.Before(a) {
			return from, to, fmt.Errorf("date_range: between needs from_date and to_date as ordered YYYY-MM-DD dates, got %v and %v", dr["from_date"], dr["to_date"])
		}
		return a, b, nil
	}
	return from, to, unsupported("flow date_range %v (in the last N days or weeks, or between two dates)", dr)
}

// segfilterEntry turns a flow step filter (segfilter form) into the
// bookmark filter entry the engines compile.
func segfilterEntry(field string, f map[string]any) (map[string]any, error) {
	prop, _ := f["property"].(map[string]any)
	name, _ := prop["name"].(string)
	if src, _ := prop["source"].(string); src != "" && src != "properties" {
		return nil, unsupported("%s: flow step filters on %s properties (the demo filters event properties)", field, src)
	}
	typ, _ := f["type"].(string)
	filter, _ := f["filter"].(map[string]any)
	op, _ := filter["operator"].(string)
	operand := filter["operand"]
	entry := map[string]any{"resourceType": "events", "value": name, "filterType": typ}
	list := func() []any {
		if l, ok := operand.([]any); ok {
			return l
		}
		return []any{operand}
	}
	nums := func() ([]any, error) {
		var out []any
		for _, x := range list() {
			n, err := strconv.ParseFloat(fmt.Sprint(x), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: operand %v is not a number", field, x)
			}
			out = append(out, n)
		}
		return out, nil
	}
	switch typ {
	case "string":
		ops := map[string]string{"==": "equals", "!=": "does not equal", "in": "contains", "not in": "does not contain", "set": "is set", "not set": "is not set"}
		if entry["filterOperator"] = ops[op]; ops[op] == "" {
			return nil, unsupported("%s: string operator %q in flow step filters", field, op)
		}
		entry["filterValue"] = list()
	case "number":
		ops := map[string]string{">": "is greater than", "<": "is less than", ">=": "is at least", "<=": "is at most", "><": "is between", "==": "equals", "!=": "does not equal", "is set": "is set", "is not set": "is not set"}
		if entry["filterOperator"] = ops[op]; ops[op] == "" {
			return nil, unsupported("%s: number operator %q in flow step filters", field, op)
		}
		v, err := nums()
		if err != nil && op != "is set" && op != "is not set" {
			return nil, err
		}
		if op == "==" || op == "!=" {
			for k, x := range v {
				v[k] = strconv.FormatFloat(x.(float64), 'f', -1, 64)
			}
		}
		entry["filterValue"] = v
	case "boolean":
		entry["filterOperator"], entry["filterValue"] = "equals", []any{fmt.Sprint(operand)}
	default:
		return nil, unsupported("%s: %s step filters in flows (string, number or boolean)", field, typ)
	}
	return entry, nil
}

// flowPaths collects the path of each anchor.
func (e *Events) flowPaths(q *flowQuery) []flowPath {
	var paths []flowPath
	ok := func(i, u int) bool { return !q.skip[e.ev[i]] && (q.keep == nil || q.keep(e, i, u)) }
	for u := range e.users {
		lo, hi := int(e.first[u]), int(e.first[u+1])
		for a := lo; a < hi; a++ {
			if t := e.t[a]; t < q.lo || t >= q.hi || !q.anchor.match(e, a, u) {
				continue
			}
			var p flowPath
			last := e.ev[a]
			for i := a + 1; i < hi && len(p.fwd) < q.forward && e.t[i] <= e.t[a]+q.window; i++ {
				if ok(i, u) && !(q.collapse && e.ev[i] == last) {
					p.fwd = append(p.fwd, e.ev[i])
					last = e.ev[i]
				}
			}
			last = e.ev[a]
			for i := a - 1; i >= lo && len(p.rev) < q.reverse && e.t[i] >= e.t[a]-q.window; i-- {
				if ok(i, u) && !(q.collapse && e.ev[i] == last) {
					p.rev = append(p.rev, e.ev[i])
					last = e.ev[i]
				}
			}
			paths = append(paths, p)
			if !q.total {
				break
			}
		}
	}
	return paths
}

// conversion is the share of paths that reach the last forward step.
func (q *flowQuery) conversion(paths []flowPath) float64 {
	if len(paths) == 0 {
		return 0
	}
	n := 0
	for _, p := range paths {
		if len(p.fwd) == q.forward {
			n++
		}
	}
	return ratio(float64(n), float64(len(paths)))
}

// at is the event of path p in column c (the anchor at column q.reverse),
// or -1 when the path has none there.
func (q *flowQuery) at(p flowPath, anchor uint8, c int) int {
	switch k := c - q.reverse; {
	case k == 0:
		return int(anchor)
	case k > 0 && k <= len(p.fwd):
		return int(p.fwd[k-1])
	case k < 0 && -k <= len(p.rev):
		return int(p.rev[-k-1])
	}
	return -1
}

func (q *flowQuery) sankey(paths []flowPath) []any {
	ncols := q.reverse + 1 + q.forward
	anchor := uint8(q.anchor.id)
	// The events each column shows: its top cardinality, the rest merged.
	shown := make([][numEvents]bool, ncols)
	for c := range ncols {
		var n [numEvents]int
		for _, p := range paths {
			if ev := q.at(p, anchor, c); ev >= 0 {
				n[ev]++
			}
		}
		ids := make([]int, 0, numEvents)
		for id, k := range n {
			if k > 0 {
				ids = append(ids, id)
			}
		}
		sort.SliceStable(ids, func(a, b int) bool { return n[ids[a]] > n[ids[b]] })
		for _, id := range ids[:min(len(ids), q.cardinality)] {
			shown[c][id] = true
		}
	}
	label := func(c, ev int) string {
		switch {
		case ev < 0:
			return "DROPOFF"
		case shown[c][ev]:
			return eventNames[ev]
		}
		return otherEvents
	}
	type node struct {
		count int
		edges map[string]int
	}
	cols := make([]map[string]*node, ncols)
	for c := range cols {
		cols[c] = map[string]*node{}
	}
	for _, p := range paths {
		for c := range ncols {
			ev := q.at(p, anchor, c)
			if ev < 0 && c <= q.reverse {
				continue // no event this far back: the path starts later
			}
			name := label(c, ev)
			n := cols[c][name]
			if n == nil {
				n = &node{edges: map[string]int{}}
				cols[c][name] = n
			}
			n.count++
			if c+1 < ncols {
				n.edges[label(c+1, q.at(p, anchor, c+1))]++
			}
		}
	}
	nodeType := func(c int, name string) (string, string) {
		switch {
		case name == "DROPOFF":
			return "DROPOFF", "NORMAL"
		case c == q.reverse:
			return "ANCHOR", "NORMAL"
		case name == otherEvents && c < q.reverse:
			return "PRUNED", "RELATIVE_REVERSE"
		case name == otherEvents:
			return "PRUNED", "RELATIVE_FORWARD"
		case c < q.reverse:
			return "REVERSE", "RELATIVE_REVERSE"
		}
		return "NORMAL", "RELATIVE_FORWARD"
	}
	steps := make([]any, ncols)
	for c, col := range cols {
		names := rankedNames(col, func(n *node) int { return n.count })
		nodes := make([]any, 0, len(names))
		for _, name := range names {
			n := col[name]
			typ, anchorType := nodeType(c, name)
			edges := []any{}
			for _, to := range rankedNames(n.edges, func(k int) int { return k }) {
				et, _ := nodeType(c+1, to)
				edges = append(edges, map[string]any{"event": to, "type": et, "step": c + 1, "totalCount": strconv.Itoa(n.edges[to])})
			}
			nodes = append(nodes, map[string]any{
				"event": name, "type": typ, "anchorType": anchorType, "totalCount": strconv.Itoa(n.count),
				"isCustomEvent": false, "isComputed": false, "conversionRateChange": 0.0, "edges": edges,
			})
		}
		steps[c] = map[string]any{"nodes": nodes}
	}
	return steps
}

// rankedNames orders a column's names by count, most first, then by name;
// DROPOFF goes last.
func rankedNames[V any](m map[string]V, count func(V) int) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(a, b int) bool {
		if da, db := names[a] == "DROPOFF", names[b] == "DROPOFF"; da != db {
			return db
		}
		if ca, cb := count(m[names[a]]), count(m[names[b]]); ca != cb {
			return ca > cb
		}
		return names[a] < names[b]
	})
	return names
}

// topPaths ranks the whole paths (earliest event to last) by how many
// anchors took them. A step's count is the paths sharing the path from
// the anchor to that step.
func (q *flowQuery) topPaths(paths []flowPath) []any {
	key := func(rev, fwd []uint8) string {
		return string(rev) + "|" + string(fwd)
	}
	whole := map[string]int{}
	prefix := map[string]int{}
	for _, p := range paths {
		whole[key(p.rev, p.fwd)]++
		for k := 1; k <= len(p.fwd); k++ {
			prefix[key(nil, p.fwd[:k])]++
		}
		for k := 1; k <= len(p.rev); k++ {
			prefix[key(p.rev[:k], nil)]++
		}
	}
	keys := rankedNames(whole, func(n int) int { return n })
	out := []any{}
	for _, k := range keys[:min(len(keys), q.cardinality)] {
		rev, fwd, _ := strings.Cut(k, "|")
		var steps []any
		for j := len(rev); j >= 1; j-- {
			steps = append(steps, map[string]any{"event": eventNames[rev[j-1]], "type": "REVERSE", "isComputed": false, "totalCount": strconv.Itoa(prefix[key([]uint8(rev[:j]), nil)])})
		}
		steps = append(steps, map[string]any{"event": q.name, "type": "ANCHOR", "isComputed": false, "totalCount": strconv.Itoa(len(paths))})
		for j := 1; j <= len(fwd); j++ {
			steps = append(steps, map[string]any{"event": eventNames[fwd[j-1]], "type": "NORMAL", "isComputed": false, "totalCount": strconv.Itoa(prefix[key(nil, []uint8(fwd[:j]))])})
		}
		out = append(out, map[string]any{"flowSteps": steps, "segments": []any{}, "totalCount": strconv.Itoa(whole[k])})
	}
	return out
}

// tree is the prefix tree of the forward paths under the anchor: each
// node's children are its top cardinality next events (the others merged
// into a PRUNED node) and the DROPOFF of the paths that end there.
func (q *flowQuery) tree(paths []flowPath) map[string]any {
	fwd := make([][]uint8, len(paths))
	for k, p := range paths {
		fwd[k] = p.fwd
	}
	return q.treeNode(q.name, "ANCHOR", 0, fwd)
}

func (q *flowQuery) treeNode(event, typ string, depth int, tails [][]uint8) map[string]any {
	children := []any{}
	n, dropped := len(tails), 0
	switch {
	case typ == "DROPOFF":
		dropped = n
	case typ != "PRUNED" && depth < q.forward:
		groups := map[string][][]uint8{}
		for _, t := range tails {
			if len(t) <= depth {
				dropped++
				continue
			}
			groups[eventNames[t[depth]]] = append(groups[eventNames[t[depth]]], t)
		}
		var pruned [][]uint8
		for k, name := range rankedNames(groups, func(g [][]uint8) int { return len(g) }) {
			if k < q.cardinality {
				children = append(children, q.treeNode(name, "NORMAL", depth+1, groups[name]))
			} else {
				pruned = append(pruned, groups[name]...)
			}
		}
		if len(pruned) > 0 {
			children = append(children, q.treeNode(otherEvents, "PRUNED", depth+1, pruned))
		}
		if dropped > 0 {
			children = append(children, q.treeNode("DROPOFF", "DROPOFF", depth+1, make([][]uint8, dropped)))
		}
	}
	return map[string]any{
		"step":                     map[string]any{"event": event, "type": typ, "stepNumber": depth, "anchorType": "NORMAL", "isComputed": false},
		"children":                 children,
		"totalCount":               strconv.Itoa(n),
		"dropOffTotalCount":        dropped,
		"convertedTotalCount":      n - dropped,
		"timePercentilesFromStart": map[string]any{},
		"timePercentilesFromPrev":  map[string]any{},
	}
}
