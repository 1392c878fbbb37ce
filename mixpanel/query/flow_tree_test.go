package query

import (
	"reflect"
	"strings"
	"testing"
)

func treeLeaf(event string, total int64) *FlowTreeNode {
	return &FlowTreeNode{Event: event, Type: "NORMAL", TotalCount: total}
}

func treeNode(event string, total int64, children ...*FlowTreeNode) *FlowTreeNode {
	n := treeLeaf(event, total)
	n.Children = children
	return n
}

// exampleTree is the tree of the reference's FlowTreeNode.render docstring.
func exampleTree() *FlowTreeNode {
	root := treeNode("Login", 1000,
		treeNode("Search", 600, treeLeaf("Purchase", 400), treeLeaf("DROPOFF", 100)),
		treeNode("Browse", 300, treeLeaf("Purchase", 200)),
		treeLeaf("DROPOFF", 50),
	)
	root.Type, root.DropOffCount, root.ConvertedCount = "ANCHOR", 50, 950
	return root
}

func nodeEvents(nodes []*FlowTreeNode) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Event
	}
	return out
}

func TestFlowTreeNodeMeasures(t *testing.T) {
	tests := []struct {
		name                       string
		tree                       *FlowTreeNode
		depth, nodes, leaves       int
		conversion, dropOff        float64
		pathCount, flattenedLength int
	}{
		{"leaf", treeLeaf("Purchase", 100), 0, 1, 1, 0, 0, 1, 1},
		{"empty counts", &FlowTreeNode{Event: "X"}, 0, 1, 1, 0, 0, 1, 1},
		{"docstring example", exampleTree(), 2, 7, 4, 0.95, 0.05, 4, 7},
		{"one chain", treeNode("A", 10, treeNode("B", 5, treeNode("C", 2))), 2, 3, 1, 0, 0, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tree.Depth(); got != tt.depth {
				t.Errorf("Depth = %d, want %d", got, tt.depth)
			}
			if got := tt.tree.NodeCount(); got != tt.nodes {
				t.Errorf("NodeCount = %d, want %d", got, tt.nodes)
			}
			if got := tt.tree.LeafCount(); got != tt.leaves {
				t.Errorf("LeafCount = %d, want %d", got, tt.leaves)
			}
			if got := tt.tree.ConversionRate(); got != tt.conversion {
				t.Errorf("ConversionRate = %v, want %v", got, tt.conversion)
			}
			if got := tt.tree.DropOffRate(); got != tt.dropOff {
				t.Errorf("DropOffRate = %v, want %v", got, tt.dropOff)
			}
			if got := len(tt.tree.AllPaths()); got != tt.pathCount || got != tt.tree.LeafCount() {
				t.Errorf("len(AllPaths) = %d, want %d (= LeafCount)", got, tt.pathCount)
			}
			if got := len(tt.tree.Flatten()); got != tt.flattenedLength {
				t.Errorf("len(Flatten) = %d, want %d", got, tt.flattenedLength)
			}
		})
	}
}

func TestFlowTreeNodePaths(t *testing.T) {
	var got []string
	for _, p := range exampleTree().AllPaths() {
		got = append(got, strings.Join(nodeEvents(p), " -> "))
	}
	want := []string{
		"Login -> Search -> Purchase",
		"Login -> Search -> DROPOFF",
		"Login -> Browse -> Purchase",
		"Login -> DROPOFF",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
}

func TestFlowTreeNodeFind(t *testing.T) {
	tree := exampleTree()
	tests := []struct {
		event  string
		totals []int64
	}{
		{"Purchase", []int64{400, 200}},
		{"DROPOFF", []int64{100, 50}},
		{"Login", []int64{1000}},
		{"Nope", nil},
	}
	for _, tt := range tests {
		var totals []int64
		for _, n := range tree.Find(tt.event) {
			totals = append(totals, n.TotalCount)
		}
		if !reflect.DeepEqual(totals, tt.totals) {
			t.Errorf("Find(%q) totals = %v, want %v", tt.event, totals, tt.totals)
		}
	}
	want := []string{"Login", "Search", "Purchase", "DROPOFF", "Browse", "Purchase", "DROPOFF"}
	if got := nodeEvents(tree.Flatten()); !reflect.DeepEqual(got, want) {
		t.Errorf("Flatten = %v, want pre-order %v", got, want)
	}
}

func TestFlowTreeNodeRender(t *testing.T) {
	tests := []struct {
		name string
		tree *FlowTreeNode
		want string
	}{
		{"leaf", treeLeaf("Purchase", 3), "Purchase (3)\n"},
		{"docstring example", exampleTree(), "" +
			"Login (1000)\n" +
			"├── Search (600)\n" +
			"│   ├── Purchase (400)\n" +
			"│   └── DROPOFF (100)\n" +
			"├── Browse (300)\n" +
			"│   └── Purchase (200)\n" +
			"└── DROPOFF (50)\n"},
		{"last child's subtree is indented with spaces", treeNode("A", 9, treeLeaf("B", 1), treeNode("C", 8, treeNode("D", 7, treeLeaf("E", 6)))), "" +
			"A (9)\n" +
			"├── B (1)\n" +
			"└── C (8)\n" +
			"    └── D (7)\n" +
			"        └── E (6)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tree.Render(); got != tt.want {
				t.Fatalf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
