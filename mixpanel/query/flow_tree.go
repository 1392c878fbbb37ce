package query

import (
	"strconv"
	"strings"
)

// FlowTreeNode is a node of a flow prefix tree (tree mode). Unlike the
// sankey graph, which merges an event's occurrences at one step, each tree
// node is unique to the path that leads to it.
type FlowTreeNode struct {
	Event                    string          `json:"event"`
	Type                     string          `json:"type"`
	StepNumber               int             `json:"step_number"`
	TotalCount               int64           `json:"total_count"`
	DropOffCount             int64           `json:"drop_off_count"`
	ConvertedCount           int64           `json:"converted_count"`
	AnchorType               string          `json:"anchor_type"`
	IsComputed               bool            `json:"is_computed"`
	Children                 []*FlowTreeNode `json:"children"`
	TimePercentilesFromStart map[string]any  `json:"time_percentiles_from_start"`
	TimePercentilesFromPrev  map[string]any  `json:"time_percentiles_from_prev"`
}

// Depth is the longest path from this node to a leaf; a leaf has depth 0.
func (n *FlowTreeNode) Depth() int {
	d := 0
	for _, c := range n.Children {
		d = max(d, c.Depth()+1)
	}
	return d
}

// NodeCount counts the nodes of the subtree, this one included.
func (n *FlowTreeNode) NodeCount() int {
	count := 1
	for _, c := range n.Children {
		count += c.NodeCount()
	}
	return count
}

// LeafCount counts the subtree's leaves; a leaf counts itself.
func (n *FlowTreeNode) LeafCount() int {
	if len(n.Children) == 0 {
		return 1
	}
	count := 0
	for _, c := range n.Children {
		count += c.LeafCount()
	}
	return count
}

// ConversionRate is converted / total, 0 for an empty node.
func (n *FlowTreeNode) ConversionRate() float64 {
	if n.TotalCount == 0 {
		return 0
	}
	return float64(n.ConvertedCount) / float64(n.TotalCount)
}

// DropOffRate is dropped / total, 0 for an empty node.
func (n *FlowTreeNode) DropOffRate() float64 {
	if n.TotalCount == 0 {
		return 0
	}
	return float64(n.DropOffCount) / float64(n.TotalCount)
}

// AllPaths returns every root-to-leaf chain of the subtree, in child order;
// there are LeafCount of them.
func (n *FlowTreeNode) AllPaths() [][]*FlowTreeNode {
	if len(n.Children) == 0 {
		return [][]*FlowTreeNode{{n}}
	}
	var paths [][]*FlowTreeNode
	for _, c := range n.Children {
		for _, tail := range c.AllPaths() {
			path := make([]*FlowTreeNode, 0, len(tail)+1)
			path = append(path, n)
			paths = append(paths, append(path, tail...))
		}
	}
	return paths
}

// Find returns the nodes whose event is event, depth-first in pre-order.
func (n *FlowTreeNode) Find(event string) []*FlowTreeNode {
	var found []*FlowTreeNode
	for _, node := range n.Flatten() {
		if node.Event == event {
			found = append(found, node)
		}
	}
	return found
}

// Flatten lists the subtree's nodes in pre-order, this node first.
func (n *FlowTreeNode) Flatten() []*FlowTreeNode {
	out := []*FlowTreeNode{n}
	for _, c := range n.Children {
		out = append(out, c.Flatten()...)
	}
	return out
}

// Render draws the subtree with box-drawing connectors, one "event (total)"
// per line, the layout the reference prints and the model reads:
//
//	Login (1000)
//	├── Search (600)
//	│   └── Purchase (400)
//	└── DROPOFF (50)
func (n *FlowTreeNode) Render() string {
	var b strings.Builder
	n.renderLine(&b)
	n.renderChildren(&b, "")
	return b.String()
}

func (n *FlowTreeNode) renderLine(b *strings.Builder) {
	b.WriteString(n.Event)
	b.WriteString(" (")
	b.WriteString(strconv.FormatInt(n.TotalCount, 10))
	b.WriteString(")\n")
}

func (n *FlowTreeNode) renderChildren(b *strings.Builder, prefix string) {
	for i, c := range n.Children {
		last := i == len(n.Children)-1
		b.WriteString(prefix)
		if last {
			b.WriteString("└── ")
		} else {
			b.WriteString("├── ")
		}
		c.renderLine(b)
		if last {
			c.renderChildren(b, prefix+"    ")
		} else {
			c.renderChildren(b, prefix+"│   ")
		}
	}
}
