package replay

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// el, txt and page write serialized rrweb nodes, as a snapshot holds them.
func el(id int, tag string, attrs map[string]string, children ...string) string {
	a, _ := json.Marshal(attrs)
	if attrs == nil {
		a = []byte("{}")
	}
	return fmt.Sprintf(`{"type":2,"tagName":%q,"attributes":%s,"childNodes":[%s],"id":%d}`, tag, a, strings.Join(children, ","), id)
}

func txt(id int, s string) string {
	b, _ := json.Marshal(s)
	return fmt.Sprintf(`{"type":3,"textContent":%s,"id":%d}`, b, id)
}

type attrs = map[string]string

func page(children ...string) string {
	return fmt.Sprintf(`{"type":0,"childNodes":[%s],"id":1}`, el(2, "body", nil, children...))
}

// add parses a serialized node into the tracker under parent, before next.
func add(t *testing.T, d *domTracker, node string, parent, next int) {
	t.Helper()
	id, err := d.parseNode(newBytesReader([]byte(node)), "")
	require.NoError(t, err)
	if parent != 0 {
		d.link(parent, id, next)
	}
}

func kids(d *domTracker, id int) []int {
	var out []int
	for c := range d.children(d.node(id)) {
		out = append(out, c)
	}
	return out
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		page string
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
			add(t, d, tt.page, 0, 0)
			assert.Equal(t, tt.want, d.describe(tt.id))
		})
	}
}

// setAttrs applies an attribute mutation written as rrweb's JSON object.
func setAttrs(t *testing.T, d *domTracker, id int, obj string) {
	t.Helper()
	from := len(d.attrs)
	require.NoError(t, d.parseAttrs(newBytesReader([]byte(obj))))
	d.setAttrs(id, d.attrs[from:])
}

func TestDOMMutations(t *testing.T) {
	d := newDOMTracker(0)
	add(t, d, page(
		el(10, "button", attrs{"id": "share"}, el(11, "span", nil, txt(12, "Share"))),
		el(20, "button", attrs{"aria-label": "Save changes"}),
		el(30, "ul", nil, el(31, "li", nil, txt(32, "a")), el(33, "li", nil, txt(34, "b"))),
	), 0, 0)

	// Text replaced by remove + add, as the recorder writes it.
	d.remove(12)
	add(t, d, txt(40, "Link copied"), 11, 0)
	assert.Equal(t, `span in button "Link copied"`, d.describe(11))

	// A text change in place.
	d.setText(40, d.keep([]byte("Copied!")), false)
	assert.Equal(t, `button "Copied!"`, d.describe(10))

	// Attribute change and removal.
	setAttrs(t, d, 20, `{"aria-label":"Changes saved"}`)
	assert.Equal(t, `button "Changes saved"`, d.describe(20))
	setAttrs(t, d, 20, `{"aria-label":null,"id":"save"}`)
	assert.Equal(t, `button #save`, d.describe(20))

	// Insertion before a sibling keeps document order.
	add(t, d, el(35, "li", nil, txt(36, "first")), 30, 31)
	var b strings.Builder
	d.collectText(&b, 30, -1)
	assert.Equal(t, "first a b", b.String())
	add(t, d, el(37, "li", nil, txt(38, "last")), 30, 0)
	add(t, d, el(39, "li", nil, txt(41, "middle")), 30, 33)
	b.Reset()
	d.collectText(&b, 30, -1)
	assert.Equal(t, "first a middle b last", b.String())

	// Removing a node removes its subtree.
	before := d.count
	d.remove(30)
	assert.Equal(t, before-11, d.count)
	assert.Nil(t, d.node(36))
	assert.Equal(t, "element", d.describe(31))

	// Adding an id again moves the node instead of duplicating it.
	add(t, d, el(20, "button", attrs{"aria-label": "Moved"}), 10, 0)
	assert.Equal(t, `button "Moved"`, d.describe(20))
	assert.Equal(t, []int{11, 20}, kids(d, 10))
	assert.Equal(t, []int{10}, kids(d, 2), "the moved button left the body")

	// A parent inside the added subtree would make a loop: not linked.
	add(t, d, el(50, "div", nil, el(51, "div", nil)), 0, 0)
	d.link(51, 50, 0)
	assert.Empty(t, kids(d, 51))
}

func TestDOMNodeCap(t *testing.T) {
	d := newDOMTracker(5)
	var buttons []string
	for i := 0; i < 10; i++ {
		buttons = append(buttons, el(10+i, "button", attrs{"id": "b"}))
	}
	add(t, d, page(buttons...), 0, 0)
	assert.Equal(t, 5, d.count)
	assert.True(t, d.capped)
	assert.Equal(t, "button #b", d.describe(12), "the first nodes in document order are kept")
	assert.Equal(t, "element", d.describe(19), "nodes past the cap are unknown")

	d.reset()
	assert.Zero(t, d.count)
	assert.Nil(t, d.node(12))
	assert.False(t, d.capped)
}

func TestDOMMaskedText(t *testing.T) {
	d := newDOMTracker(0)
	add(t, d, page(
		el(10, "button", attrs{"id": "place-order"}, txt(11, "***** *****")),
		el(12, "a", attrs{"href": "http://h/help"}, txt(13, "****")),
		el(14, "button", attrs{"aria-label": "Close"}, txt(15, "*")),
		el(16, "label", nil, txt(17, "*****"), el(18, "input", attrs{"type": "email", "name": "email", "placeholder": "*** ***"})),
		el(19, "p", nil, txt(20, "2 * 3 = 6")),
	), 0, 0)
	for id, want := range map[int]string{
		10: "button #place-order",
		12: "a to /help",
		14: `button "Close"`,
		18: "input name=email type=email",
		19: `p "2 * 3 = 6"`,
	} {
		assert.Equal(t, want, d.describe(id))
	}
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

func TestParseAttrs(t *testing.T) {
	type kv struct{ name, val string }
	const removed = "(removed)"
	tests := []struct {
		in   string
		want []kv
		err  bool
	}{
		{`{}`, nil, false},
		{`null`, nil, false},
		{` { "class" : "a b", "id":"x" , "style":"color: red; content: \"}\"" } `, []kv{{"id", "x"}}, false},
		{`{"aria-label":"Say \"hi\"\u00e9","data-n":12,"checked":true,"title":null,"alt":{"x":[1,"]"]},"href":"http://h/","placeholder":"****"}`, []kv{
			{"aria-label", `Say "hi"é`},
			{"data-n", "12"},
			{"title", removed},
			{"alt", `{"x":[1,"]"]}`},
			{"href", "http://h/"},
			{"placeholder", removed},
		}, false},
		{`{"d\u0061ta-x":" 1 "}`, []kv{{"data-x", "1"}}, false},
		{`["id","x"]`, nil, true},
		{`"id"`, nil, true},
		{`{"id":"x"`, nil, true},
	}
	for _, tt := range tests {
		d := newDOMTracker(0)
		err := d.parseAttrs(newBytesReader([]byte(tt.in)))
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		var got []kv
		for _, a := range d.attrs {
			v := removed
			if a.val.off != math.MaxUint32 {
				v = d.str(a.val)
			}
			got = append(got, kv{a.name, v})
		}
		assert.Equal(t, tt.want, got, tt.in)
	}
}
