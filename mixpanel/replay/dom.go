package replay

import (
	"bytes"
	"encoding/json"
	"iter"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"
)

// rrweb serialized node types.
const (
	nodeDocument = 0
	nodeElement  = 2
	nodeText     = 3
)

// DefaultMaxNodes caps the DOM tracker, as the reference does: a huge page
// (an SPA with a hundred thousand nodes) degrades to vaguer descriptions
// instead of unbounded memory.
const DefaultMaxNodes = 50000

const (
	// maxAncestorDepth bounds the walk from a clicked node to the element
	// that describes it (icon span -> button, svg circle -> svg -> button).
	maxAncestorDepth = 3
	// maxDescText bounds a description's text so a click on a container
	// does not quote a whole page.
	maxDescText = 80
	// maxTextVisit bounds the nodes visited to collect an element's text.
	maxTextVisit = 400
)

type domNode struct {
	parent   int
	kind     int
	tag      string
	attrs    map[string]string
	text     string
	children []int
}

// domTracker keeps the part of the page's DOM that descriptions need:
// element tags, a few attributes, text, and the tree shape. Node ids are
// only unique within one page load, so a full snapshot resets it.
type domTracker struct {
	nodes    map[int]*domNode
	maxNodes int
	capped   bool
}

func newDOMTracker(maxNodes int) *domTracker {
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	return &domTracker{nodes: make(map[int]*domNode), maxNodes: maxNodes}
}

// attrValue holds an rrweb attribute value: a string, a number or boolean
// (kept as its JSON text), or null (a removal in a mutation).
type attrValue struct {
	s    string
	null bool
}

func (v *attrValue) set(b []byte) error {
	switch {
	case len(b) == 0:
	case b[0] == 'n':
		v.null = true
	case b[0] == '"':
		s, err := jsonString(b)
		if err != nil {
			return err
		}
		v.s = s
	default:
		v.s = string(b)
	}
	return nil
}

// jsonString decodes a JSON string literal, taking the common case of a
// string without escapes as it is.
func jsonString(b []byte) (string, error) {
	if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

type attr struct {
	name  string
	value attrValue
}

// attrList is an rrweb attributes object reduced to the attributes the
// tracker keeps (see keptAttr). Decoding it by hand skips the class and
// style values that fill most of a snapshot, and the map a generic decode
// would build for every element.
type attrList []attr

// UnmarshalJSON parses an object that encoding/json has already checked
// to be valid JSON, so it only has to find where keys and values end.
func (l *attrList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == 'n' {
		*l = nil
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		return &json.UnmarshalTypeError{Value: "non-object", Type: reflect.TypeFor[attrList]()}
	}
	var out attrList
	i := 1
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			break
		}
		if b[i] == ',' {
			i++
			continue
		}
		keyEnd := scanValue(b, i)
		key, err := jsonString(b[i:keyEnd])
		if err != nil {
			return err
		}
		i = skipSpace(b, keyEnd)
		i = skipSpace(b, i+1) // past ':'
		valEnd := scanValue(b, i)
		if keptAttr(key) {
			var v attrValue
			if err := v.set(b[i:valEnd]); err != nil {
				return err
			}
			out = append(out, attr{key, v})
		}
		i = valEnd
	}
	*l = out
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanValue returns the end of the valid JSON value starting at b[i].
func scanValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(b)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = scanValue(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

type snapNode struct {
	ID          int         `json:"id"`
	Type        int         `json:"type"`
	TagName     string      `json:"tagName"`
	Attributes  attrList    `json:"attributes"`
	ChildNodes  []*snapNode `json:"childNodes"`
	TextContent string      `json:"textContent"`
	IsStyle     bool        `json:"isStyle"`
}

// keptAttr reports the attributes descriptions and selector labels use.
func keptAttr(name string) bool {
	switch name {
	case "aria-label", "title", "alt", "placeholder", "href", "id", "type", "role", "for", "name":
		return true
	}
	return strings.HasPrefix(name, "data-")
}

// cleanValue drops values that say nothing: blank, "none", and fully masked
// ones (the recorder masks sensitive placeholders with asterisks).
func cleanValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") || strings.Trim(s, "*") == "" {
		return ""
	}
	return s
}

func (t *domTracker) reset() {
	clear(t.nodes)
	t.capped = false
}

// add inserts a serialized subtree under parent (0 for a root), before the
// sibling next when it is known.
func (t *domTracker) add(n *snapNode, parent, next int) {
	if n == nil || n.ID == 0 {
		return
	}
	if old, ok := t.nodes[n.ID]; ok {
		// A node that is added again was moved: drop its old place first.
		t.detach(n.ID, old.parent)
		t.removeSubtree(n.ID)
	}
	if len(t.nodes) >= t.maxNodes {
		t.capped = true
		return
	}
	node := &domNode{parent: parent, kind: n.Type}
	switch n.Type {
	case nodeElement:
		node.tag = strings.ToLower(n.TagName)
		for _, a := range n.Attributes {
			if a.value.null {
				continue
			}
			if c := cleanValue(a.value.s); c != "" {
				if node.attrs == nil {
					node.attrs = make(map[string]string, 4)
				}
				node.attrs[a.name] = c
			}
		}
	case nodeText:
		if !n.IsStyle && !t.insideCode(parent) {
			node.text = keepText(n.TextContent)
		}
	}
	t.nodes[n.ID] = node
	if p, ok := t.nodes[parent]; ok && parent != 0 {
		p.children = insertBefore(p.children, n.ID, next)
	}
	for _, c := range n.ChildNodes {
		t.add(c, n.ID, 0)
	}
}

func insertBefore(list []int, id, next int) []int {
	if next != 0 {
		for i, c := range list {
			if c == next {
				list = append(list, 0)
				copy(list[i+1:], list[i:])
				list[i] = id
				return list
			}
		}
	}
	return append(list, id)
}

// insideCode reports text whose parent is a script or style element: code,
// not words a person reads.
func (t *domTracker) insideCode(parent int) bool {
	p, ok := t.nodes[parent]
	return ok && (p.tag == "script" || p.tag == "style")
}

// keepText stores a text node's content untrimmed, because selection
// offsets count from its first character, but drops whitespace-only text.
func keepText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

func (t *domTracker) remove(id int) {
	n, ok := t.nodes[id]
	if !ok {
		return
	}
	t.detach(id, n.parent)
	t.removeSubtree(id)
}

func (t *domTracker) detach(id, parent int) {
	p, ok := t.nodes[parent]
	if !ok {
		return
	}
	for i, c := range p.children {
		if c == id {
			p.children = append(p.children[:i], p.children[i+1:]...)
			return
		}
	}
}

func (t *domTracker) removeSubtree(id int) {
	stack := []int{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, ok := t.nodes[cur]
		if !ok {
			continue
		}
		delete(t.nodes, cur)
		stack = append(stack, n.children...)
	}
}

func (t *domTracker) setText(id int, text string) {
	if n, ok := t.nodes[id]; ok && n.kind == nodeText && !t.insideCode(n.parent) {
		n.text = keepText(text)
	}
}

func (t *domTracker) setAttrs(id int, attrs attrList) {
	n, ok := t.nodes[id]
	if !ok || n.kind != nodeElement {
		return
	}
	for _, a := range attrs {
		k, v := a.name, a.value
		c := ""
		if !v.null {
			c = cleanValue(v.s)
		}
		if c == "" {
			delete(n.attrs, k)
			continue
		}
		if n.attrs == nil {
			n.attrs = make(map[string]string, 4)
		}
		n.attrs[k] = c
	}
}

// actionable elements are what a person means to press or fill in; a click
// on anything inside one is described through it.
func (n *domNode) actionable() bool {
	switch n.tag {
	case "button", "a", "input", "select", "textarea", "option", "summary", "label":
		return true
	}
	switch n.attrs["role"] {
	case "button", "link", "menuitem", "tab", "checkbox", "radio", "switch", "option":
		return true
	}
	return false
}

// textual elements contribute all their descendant text to a description,
// like a button's or a link's visible label; other elements only their own
// text children, so a click on a container does not quote its content.
func (n *domNode) textual() bool {
	switch n.tag {
	case "select", "textarea", "input":
		return false
	}
	return n.actionable() || n.tag == "svg" || n.tag == "video" || n.tag == "audio" || n.tag == "canvas"
}

// describe returns a human description of node id, built as the reference
// does from (in order) aria-label, title, alt, text, placeholder, link path,
// id and input type, with an ancestor fallback. A node inside an actionable
// element within maxAncestorDepth levels is described through it
// (`span in button "Filter cards"`). Unknown nodes are "element".
func (t *domTracker) describe(id int) string {
	n, ok := t.nodes[id]
	if !ok {
		return "element"
	}
	tag := n.tag
	if tag == "" {
		tag = "element"
	}
	if n.kind == nodeText {
		tag = "text"
	}
	if n.kind != nodeElement || !n.actionable() {
		if p, _ := t.actionableAncestor(n); p != 0 {
			if d := t.ownDescription(p); d != "" {
				return tag + " in " + d
			}
		}
	}
	if n.kind == nodeElement {
		if d := t.ownDescription(id); d != "" {
			return d
		}
	}
	for p, pn := range t.ancestors(n) {
		if pn.kind == nodeElement {
			if d := t.ownDescription(p); d != "" {
				return tag + " in " + d
			}
		}
	}
	return tag
}

// ancestors yields the known ancestors of n, nearest first and at most
// maxAncestorDepth of them: how far up an action looks for what it was
// really aimed at.
func (t *domTracker) ancestors(n *domNode) iter.Seq2[int, *domNode] {
	return func(yield func(int, *domNode) bool) {
		for p, depth := n.parent, 0; p != 0 && depth < maxAncestorDepth; depth++ {
			pn, ok := t.nodes[p]
			if !ok || !yield(p, pn) {
				return
			}
			p = pn.parent
		}
	}
}

// actionableAncestor is the nearest actionable element among n's
// ancestors, or (0, nil).
func (t *domTracker) actionableAncestor(n *domNode) (int, *domNode) {
	for p, pn := range t.ancestors(n) {
		if pn.kind == nodeElement && pn.actionable() {
			return p, pn
		}
	}
	return 0, nil
}

// ownDescription describes an element from its own attributes and text, or
// returns "" when they say nothing.
func (t *domTracker) ownDescription(id int) string {
	n := t.nodes[id]
	parts := []string{n.tag}
	meaningful := false
	label := ""
	switch {
	case n.attrs["aria-label"] != "":
		label = quote(n.attrs["aria-label"])
	case n.attrs["title"] != "":
		label = quote(n.attrs["title"])
	case n.attrs["alt"] != "":
		label = "alt=" + quote(n.attrs["alt"])
	default:
		if txt := t.elementText(id, n); txt != "" {
			label = quote(txt)
		} else if fl := t.formLabel(id, n); fl != "" {
			label = quote(fl)
		} else if n.attrs["placeholder"] != "" {
			label = "placeholder=" + quote(n.attrs["placeholder"])
		}
	}
	if label != "" {
		parts = append(parts, label)
		meaningful = true
	}
	if n.tag == "a" {
		if p := linkPath(n.attrs["href"]); p != "" {
			parts = append(parts, "to "+p)
			meaningful = true
		}
	}
	if !meaningful && n.attrs["id"] != "" {
		parts = append(parts, "#"+n.attrs["id"])
		meaningful = true
	}
	if n.tag == "input" && n.attrs["type"] != "" {
		parts = append(parts, "type="+n.attrs["type"])
		meaningful = true
	}
	if !meaningful {
		return ""
	}
	return strings.Join(parts, " ")
}

func quote(s string) string { return `"` + s + `"` }

// linkPath is the path of an absolute http(s) link, as the reference shows
// it ("to /boards/123/cards/3"); "" for the site root or other links.
func linkPath(href string) string {
	if !strings.HasPrefix(href, "http") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil || u.Path == "" || u.Path == "/" {
		return ""
	}
	return u.Path
}

// elementText is the visible text an element contributes to its description.
func (t *domTracker) elementText(id int, n *domNode) string {
	var b strings.Builder
	if n.textual() {
		t.collectText(&b, id, -1)
	} else if n.tag != "select" && n.tag != "textarea" && n.tag != "input" {
		for _, c := range n.children {
			if cn, ok := t.nodes[c]; ok && cn.kind == nodeText && cn.text != "" {
				appendWords(&b, cn.text)
			}
		}
	}
	return clipRunes(b.String(), maxDescText)
}

// collectText appends the text under id in document order, skipping the
// subtree rooted at skip (the control inside its own label).
func (t *domTracker) collectText(b *strings.Builder, id, skip int) {
	visited := 0
	var walk func(int)
	walk = func(cur int) {
		if cur == skip || visited >= maxTextVisit || b.Len() > 4*maxDescText {
			return
		}
		visited++
		n, ok := t.nodes[cur]
		if !ok {
			return
		}
		if n.kind == nodeText {
			appendWords(b, n.text)
			return
		}
		if n.tag == "select" || n.tag == "script" || n.tag == "style" {
			return
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(id)
}

func appendWords(b *strings.Builder, s string) {
	for _, w := range strings.Fields(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
}

// clipRunes shortens s to at most n characters, marking the cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// formLabel is the text of the <label> of a form control: the label that
// wraps it, or the one whose for= names its id.
func (t *domTracker) formLabel(id int, n *domNode) string {
	if n.tag != "input" && n.tag != "select" && n.tag != "textarea" {
		return ""
	}
	for p, pn := range t.ancestors(n) {
		if pn.tag == "label" {
			var b strings.Builder
			t.collectText(&b, p, id)
			if s := clipRunes(b.String(), maxDescText); s != "" {
				return s
			}
			break
		}
	}
	if own := n.attrs["id"]; own != "" {
		for lid, ln := range t.nodes {
			if ln.tag == "label" && ln.attrs["for"] == own {
				var b strings.Builder
				t.collectText(&b, lid, id)
				return clipRunes(b.String(), maxDescText)
			}
		}
	}
	return ""
}

// inputType is the lower-cased type attribute of an input, "select" or
// "textarea" for those controls, or "" when the node is unknown.
func (t *domTracker) inputType(id int) string {
	n, ok := t.nodes[id]
	if !ok {
		return ""
	}
	if n.tag == "input" {
		if ty := strings.ToLower(n.attrs["type"]); ty != "" {
			return ty
		}
		return "text"
	}
	return n.tag
}

// dataAttrs returns the data-* attributes of the node and of the actionable
// element it is described through, the stable selectors of what was acted on.
func (t *domTracker) dataAttrs(id int) map[string]string {
	var out map[string]string
	collect := func(n *domNode) {
		for k, v := range n.attrs {
			if !strings.HasPrefix(k, "data-") {
				continue
			}
			if out == nil {
				out = make(map[string]string)
			}
			if _, seen := out[k]; !seen {
				out[k] = v
			}
		}
	}
	n, ok := t.nodes[id]
	if !ok {
		return nil
	}
	collect(n)
	if n.kind == nodeElement && n.actionable() {
		return out
	}
	if _, pn := t.actionableAncestor(n); pn != nil {
		collect(pn)
	}
	return out
}

// textOf returns the text of a text node, for selections.
func (t *domTracker) textOf(id int) (string, bool) {
	n, ok := t.nodes[id]
	if !ok || n.kind != nodeText {
		return "", false
	}
	return n.text, true
}
