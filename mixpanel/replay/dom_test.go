package replay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func el(id int, tag string, attrs map[string]string, children ...*snapNode) *snapNode {
	var a attrList
	for k, v := range attrs {
		if keptAttr(k) {
			a = append(a, attr{k, attrValue{s: v}})
		}
	}
	return &snapNode{ID: id, Type: nodeElement, TagName: tag, Attributes: a, ChildNodes: children}
}

func txt(id int, s string) *snapNode { return &snapNode{ID: id, Type: nodeText, TextContent: s} }

type attrs = map[string]string

func page(children ...*snapNode) *snapNode {
	return &snapNode{ID: 1, Type: nodeDocument, ChildNodes: []*snapNode{el(2, "body", nil, children...)}}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		page *snapNode
		id   int
		want string
	}{
		{"aria-label wins", page(el(10, "button", attrs{"aria-label": "Close card", "title": "x"}, txt(11, "×"))), 10, `button "Close card"`},
		{"title", page(el(10, "button", attrs{"title": "Filter cards"})), 10, `button "Filter cards"`},
		{"alt", page(el(10, "img", attrs{"alt": "Logo"})), 10, `img alt="Logo"`},
		{"own text", page(el(10, "button", attrs{"id": "signin"}, txt(11, " Sign in "))), 10, `button "Sign in"`},
		{"nested text of a button", page(el(10, "button", attrs{"id": "share"}, el(11, "span", nil, txt(12, "Share")))), 10, `button "Share"`},
		{"placeholder and input type", page(el(10, "input", attrs{"type": "search", "placeholder": "Search products"})), 10, `input placeholder="Search products" type=search`},
		{"masked placeholder falls to id", page(el(10, "input", attrs{"type": "email", "id": "email", "placeholder": "*****"})), 10, `input #email type=email`},
		{"link path", page(el(10, "a", attrs{"href": "http://h/docs?x=1"}, txt(11, "Docs"))), 10, `a "Docs" to /docs`},
		{"link to root has no path", page(el(10, "a", attrs{"href": "http://h/"}, txt(11, "Home"))), 10, `a "Home"`},
		{"relative link has no path", page(el(10, "a", attrs{"href": "/docs"}, txt(11, "Docs"))), 10, `a "Docs"`},
		{"link without text", page(el(10, "a", attrs{"href": "https://h/boards/1"})), 10, `a to /boards/1`},
		{"id only", page(el(10, "div", attrs{"id": "sync", "class": "fake-button"})), 10, `div #sync`},
		{"direct text of a plain element", page(el(10, "div", attrs{"id": "sync"}, txt(11, "Sync now"))), 10, `div "Sync now"`},
		{"plain element ignores nested text", page(el(10, "div", nil, el(11, "p", nil, txt(12, "long content")))), 10, `div`},
		{"blank and none values are ignored", page(el(10, "button", attrs{"aria-label": "  ", "title": "none", "id": "go"})), 10, `button #go`},
		{"icon span inside a button", page(el(10, "button", attrs{"title": "Filter cards"}, el(11, "span", attrs{"class": "ico"}, txt(12, "⚲")))), 11, `span in button "Filter cards"`},
		{"svg circle inside a button", page(el(10, "button", attrs{"aria-label": "Notifications"}, el(11, "svg", nil, el(12, "circle", nil)))), 12, `circle in button "Notifications"`},
		{"role=button counts as actionable", page(el(10, "div", attrs{"role": "button", "aria-label": "Menu"}, el(11, "i", nil))), 11, `i in div "Menu"`},
		{"ancestor fallback to a described container", page(el(10, "li", attrs{"id": "card-3"}, el(11, "span", nil))), 11, `span in li #card-3`},
		{"actionable ancestor too far away", page(el(10, "button", attrs{"aria-label": "Far"}, el(11, "div", nil, el(12, "div", nil, el(13, "div", nil, el(14, "span", nil)))))), 14, `span`},
		{"wrapping label", page(el(10, "label", nil, el(11, "input", attrs{"type": "checkbox", "id": "remember"}), txt(12, "Remember me"))), 11, `input "Remember me" type=checkbox`},
		{"label for=", page(el(10, "label", attrs{"for": "email"}, txt(11, "Email")), el(12, "input", attrs{"type": "email", "id": "email"})), 12, `input "Email" type=email`},
		{"select label skips options", page(el(10, "label", nil, txt(11, "Visibility"), el(12, "select", attrs{"id": "vis"}, el(13, "option", nil, txt(14, "Public"))))), 12, `select "Visibility"`},
		{"script text is not text", page(el(10, "button", attrs{"id": "b"}, el(11, "script", nil, txt(12, "var x")))), 10, `button #b`},
		{"unknown node", page(), 999, "element"},
		{"long text is clipped", page(el(10, "button", nil, txt(11, strings.Repeat("word ", 40)))), 10, `button "` + strings.TrimSpace(strings.Repeat("word ", 16)) + `…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDOMTracker(0)
			d.add(tt.page, 0, 0)
			assert.Equal(t, tt.want, d.describe(tt.id))
		})
	}
}

func TestDOMMutations(t *testing.T) {
	d := newDOMTracker(0)
	d.add(page(
		el(10, "button", attrs{"id": "share"}, el(11, "span", nil, txt(12, "Share"))),
		el(20, "button", attrs{"aria-label": "Save changes"}),
		el(30, "ul", nil, el(31, "li", nil, txt(32, "a")), el(33, "li", nil, txt(34, "b"))),
	), 0, 0)

	// Text replaced by remove + add, as the recorder writes it.
	d.remove(12)
	d.add(txt(40, "Link copied"), 11, 0)
	assert.Equal(t, `span in button "Link copied"`, d.describe(11))

	// A text change in place.
	d.setText(40, "Copied!")
	assert.Equal(t, `button "Copied!"`, d.describe(10))

	// Attribute change and removal.
	d.setAttrs(20, attrList{{"aria-label", attrValue{s: "Changes saved"}}})
	assert.Equal(t, `button "Changes saved"`, d.describe(20))
	d.setAttrs(20, attrList{{"aria-label", attrValue{null: true}}, {"id", attrValue{s: "save"}}})
	assert.Equal(t, `button #save`, d.describe(20))

	// Insertion before a sibling keeps document order.
	d.add(el(35, "li", nil, txt(36, "first")), 30, 31)
	var b strings.Builder
	d.collectText(&b, 30, -1)
	assert.Equal(t, "first a b", b.String())

	// Removing a node removes its subtree.
	before := len(d.nodes)
	d.remove(30)
	assert.Equal(t, before-7, len(d.nodes))
	_, ok := d.nodes[36]
	assert.False(t, ok)
	assert.Equal(t, "element", d.describe(31))

	// Adding an id again moves the node instead of duplicating it.
	d.add(el(20, "button", attrs{"aria-label": "Moved"}), 10, 0)
	assert.Equal(t, `button "Moved"`, d.describe(20))
	assert.Equal(t, []int{11, 20}, d.nodes[10].children)
}

func TestDOMNodeCap(t *testing.T) {
	d := newDOMTracker(5)
	var kids []*snapNode
	for i := 0; i < 10; i++ {
		kids = append(kids, el(10+i, "button", attrs{"id": "b"}))
	}
	d.add(page(kids...), 0, 0)
	assert.Len(t, d.nodes, 5)
	assert.True(t, d.capped)
	assert.Equal(t, "element", d.describe(19), "nodes past the cap are unknown")

	d.reset()
	assert.Empty(t, d.nodes)
	assert.False(t, d.capped)
}

func TestAnalyzerNodeCapOnRealRecording(t *testing.T) {
	f := openRecording(t, "web_login_board")
	res, err := Analyze(f, Options{MaxNodes: 30})
	require.NoError(t, err)
	assert.True(t, res.NodeCapReached)
	assert.Equal(t, 228, res.EventCount)
	assert.Zero(t, countDesc(res.Actions, `Clicked button "Sign in"`), "the Sign in button lies past the cap")
	assert.Positive(t, countDesc(res.Actions, "Clicked element"))
	assert.Len(t, ofAction(res.Actions, ActionNavigate), 4)
}

func TestAttrListDecoding(t *testing.T) {
	tests := []struct {
		in   string
		want attrList
		err  bool
	}{
		{`{}`, nil, false},
		{`null`, nil, false},
		{` { "class" : "a b", "id":"x" , "style":"color: red; content: \"}\"" } `, attrList{{"id", attrValue{s: "x"}}}, false},
		{`{"aria-label":"Say \"hi\"\u00e9","data-n":12,"checked":true,"title":null,"alt":{"x":[1,"]"]},"href":"http://h/"}`, attrList{
			{"aria-label", attrValue{s: `Say "hi"é`}},
			{"data-n", attrValue{s: "12"}},
			{"title", attrValue{null: true}},
			{"alt", attrValue{s: `{"x":[1,"]"]}`}},
			{"href", attrValue{s: "http://h/"}},
		}, false},
		{`{"d\u0061ta-x":"1"}`, attrList{{"data-x", attrValue{s: "1"}}}, false},
		{`["id","x"]`, nil, true},
		{`"id"`, nil, true},
	}
	for _, tt := range tests {
		var got struct {
			A attrList `json:"a"`
		}
		err := json.Unmarshal([]byte(`{"a":`+tt.in+`}`), &got)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got.A, tt.in)
	}
}
