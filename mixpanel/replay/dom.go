package replay

import (
	"bytes"
	"iter"
	"math"
	"net/url"
	"strings"
	"unicode"
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
	// maxKeptText bounds the bytes kept of one text node: descriptions
	// quote 80 characters and selections 200, so a long paragraph or an
	// inline script is not copied whole. A selection whose offsets lie
	// past it quotes what is kept.
	maxKeptText = 4096
	// maxKeptAttr bounds the bytes kept of one attribute value.
	maxKeptAttr = 512
)

// span is a string held in the tracker's arena.
type span struct{ off, n uint32 }

// domNode is one tracked node. Links are node ids (0 for none); the tree is
// kept as doubly linked sibling lists, so inserting before a sibling and
// detaching are O(1) and a node costs no allocation of its own.
type domNode struct {
	parent, first, last, prev, next int32
	live                            bool
	kind                            uint8
	masked                          bool   // text node whose text the recorder masked
	tag                             string // interned, lower case
	text                            span
	attrs                           span // into domTracker.attrs: off, count
}

// nodeAttr is one kept attribute; name is interned.
type nodeAttr struct {
	name string
	val  span
}

// domTracker keeps the part of the page's DOM that descriptions need:
// element tags, the attributes labels use (keptAttr), text, and the tree
// shape. It does not build the serialized nodes: the analyzer's JSON reader
// parses a snapshot straight into it, dropping class, style and every other
// attribute as it goes. Node ids are only unique within one page load, so a
// full snapshot resets it.
type domTracker struct {
	dense    []domNode // indexed by id, for ids below denseLimit
	sparse   map[int32]*domNode
	count    int
	maxNodes int
	capped   bool

	arena []byte     // text and attribute values
	attrs []nodeAttr // attribute lists of the nodes
	names map[string]string
	live  int // arena bytes still referenced, for compaction

	kids    []int32 // children of the nodes being parsed, as a stack
	scratch []byte
}

func newDOMTracker(maxNodes int) *domTracker {
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	return &domTracker{maxNodes: maxNodes, names: make(map[string]string)}
}

// denseLimit bounds the id-indexed table; rrweb ids of a snapshot are
// consecutive from 1, so only long-lived pages that add many nodes use the
// map.
func (t *domTracker) denseLimit() int { return 2*t.maxNodes + 1024 }

func (t *domTracker) node(id int) *domNode {
	if id > 0 && id < len(t.dense) {
		if n := &t.dense[id]; n.live {
			return n
		}
		return nil
	}
	if id <= 0 || id > math.MaxInt32 {
		return nil
	}
	return t.sparse[int32(id)]
}

// create returns a fresh live node for id, replacing any node with that id.
func (t *domTracker) create(id int) *domNode {
	if t.node(id) != nil {
		// A node that is added again was moved: drop its old place first.
		t.remove(id)
	}
	t.count++
	if id < t.denseLimit() {
		if id >= len(t.dense) {
			t.dense = append(t.dense, make([]domNode, id+1-len(t.dense))...)
			t.dense = t.dense[:cap(t.dense)]
		}
		t.dense[id] = domNode{live: true}
		return &t.dense[id]
	}
	if t.sparse == nil {
		t.sparse = make(map[int32]*domNode)
	}
	n := &domNode{live: true}
	t.sparse[int32(id)] = n
	return n
}

func (t *domTracker) reset() {
	clear(t.dense)
	t.dense = t.dense[:0]
	clear(t.sparse)
	t.count = 0
	t.capped = false
	t.arena = t.arena[:0]
	t.attrs = t.attrs[:0]
	t.live = 0
}

func (t *domTracker) str(s span) string { return string(t.arena[s.off : s.off+s.n]) }

func (t *domTracker) bytesOf(s span) []byte { return t.arena[s.off : s.off+s.n] }

// keep stores b in the arena.
func (t *domTracker) keep(b []byte) span {
	s := span{off: uint32(len(t.arena)), n: uint32(len(b))}
	t.arena = append(t.arena, b...)
	t.live += len(b)
	return s
}

func (t *domTracker) intern(b []byte) string {
	if s, ok := t.names[string(b)]; ok {
		return s
	}
	s := string(b)
	t.names[s] = s
	return s
}

// attr returns the value of a kept attribute, or "".
func (t *domTracker) attr(n *domNode, name string) string {
	for _, a := range t.attrs[n.attrs.off : n.attrs.off+n.attrs.n] {
		if a.name == name {
			return t.str(a.val)
		}
	}
	return ""
}

func (t *domTracker) nodeAttrs(n *domNode) []nodeAttr {
	return t.attrs[n.attrs.off : n.attrs.off+n.attrs.n]
}

// keptAttr reports the attributes descriptions and selector labels use.
func keptAttr(name []byte) bool {
	switch string(name) {
	case "aria-label", "title", "alt", "placeholder", "href", "id", "type", "role", "for", "name":
		return true
	}
	return bytes.HasPrefix(name, []byte("data-"))
}

// isMasked reports text the recorder masked: Mixpanel's privacy mode
// replaces every non-space character of text, values and placeholders with
// an asterisk. It is read from the recording itself, not from a setting.
func isMasked[T string | []byte](s T) bool {
	seen := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			seen = true
		case ' ', '\t', '\n', '\r':
		default:
			if c < utf8.RuneSelf || !isSpaceRune(string(s[i:])) {
				return false
			}
		}
	}
	return seen
}

func isSpaceRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// cleanValue trims a value and drops values that say nothing: blank,
// "none", and masked ones.
func cleanValue(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.EqualFold(b, []byte("none")) || isMasked(b) {
		return nil
	}
	return b
}

// remove deletes a node with its subtree.
func (t *domTracker) remove(id int) {
	n := t.node(id)
	if n == nil {
		return
	}
	t.detach(id, n)
	stack := append(t.kids[len(t.kids):], int32(id))
	for len(stack) > 0 {
		cur := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		cn := t.node(cur)
		if cn == nil {
			continue
		}
		for c, steps := cn.first, 0; c != 0 && steps <= t.count; steps++ {
			stack = append(stack, c)
			next := t.node(int(c))
			if next == nil {
				break
			}
			c = next.next
		}
		t.drop(cur, cn)
	}
}

func (t *domTracker) drop(id int, n *domNode) {
	t.live -= int(n.text.n)
	for _, a := range t.nodeAttrs(n) {
		t.live -= int(a.val.n)
	}
	t.count--
	if id < len(t.dense) {
		t.dense[id] = domNode{}
	} else {
		delete(t.sparse, int32(id))
	}
}

// detach unlinks n from its parent's children.
func (t *domTracker) detach(id int, n *domNode) {
	p := t.node(int(n.parent))
	if p == nil {
		n.parent, n.prev, n.next = 0, 0, 0
		return
	}
	if pn := t.node(int(n.prev)); pn != nil && n.prev != 0 {
		pn.next = n.next
	} else if p.first == int32(id) {
		p.first = n.next
	}
	if nn := t.node(int(n.next)); nn != nil && n.next != 0 {
		nn.prev = n.prev
	} else if p.last == int32(id) {
		p.last = n.prev
	}
	n.parent, n.prev, n.next = 0, 0, 0
}

// link makes child the last child of parent, or the one before next when
// next is a child of parent. It refuses links that would make a cycle.
func (t *domTracker) link(parent, child, next int) {
	p, c := t.node(parent), t.node(child)
	if p == nil || c == nil || parent == child || c.parent != 0 {
		return
	}
	// A parent inside the child's own subtree would close a loop.
	for a, steps := p.parent, 0; a != 0 && steps <= t.count; steps++ {
		if int(a) == child {
			return
		}
		an := t.node(int(a))
		if an == nil {
			break
		}
		a = an.parent
	}
	nn := t.node(next)
	c.parent = int32(parent)
	if next != 0 && next != child && nn != nil && int(nn.parent) == parent {
		c.next, c.prev = int32(next), nn.prev
		if pv := t.node(int(nn.prev)); nn.prev != 0 && pv != nil {
			pv.next = int32(child)
		} else {
			p.first = int32(child)
		}
		nn.prev = int32(child)
		return
	}
	c.prev = p.last
	if lv := t.node(int(p.last)); p.last != 0 && lv != nil {
		lv.next = int32(child)
	} else {
		p.first = int32(child)
	}
	p.last = int32(child)
}

// children yields the ids of n's children in document order.
func (t *domTracker) children(n *domNode) iter.Seq[int] {
	return func(yield func(int) bool) {
		for c, steps := n.first, 0; c != 0 && steps <= t.count; steps++ {
			cn := t.node(int(c))
			if cn == nil || !yield(int(c)) {
				return
			}
			c = cn.next
		}
	}
}

// parseNode reads one serialized rrweb node (with its subtree) from j into
// the tracker, unlinked, and returns its id (0 when it was not kept). The
// cap counts nodes in document order, as they start, so a page past the
// cap keeps its first nodes with their ancestors. parentTag is the tag of
// the enclosing element when known, to leave the text of scripts and
// styles out. It returns errType, after consuming the node, when a field
// has the wrong type.
func (t *domTracker) parseNode(j *jsonReader, parentTag string) (int, error) {
	if t.count >= t.maxNodes {
		t.capped = true
		return 0, j.skip()
	}
	it, err := j.objectOf()
	if err != nil {
		return 0, err
	}
	t.count++ // reserved in document order; create counts it again
	var (
		id, kind     = 0, -1
		tag          string
		isStyle      bool
		bad          bool
		attrFrom     = len(t.attrs)
		attrTo       = attrFrom
		text         span
		haveText     bool
		kidsFrom     = len(t.kids)
		textBuf      []byte
		textIsMasked bool
	)
	for {
		key, ok, err := it.next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		var ferr error
		switch string(key) {
		case "id":
			id, ferr = j.integer()
		case "type":
			kind, ferr = j.integer()
		case "tagName":
			t.scratch, ferr = j.text(t.scratch[:0], 64)
			if ferr == nil {
				tag = t.internTag(t.scratch)
			}
		case "attributes":
			attrFrom = len(t.attrs)
			ferr = t.parseAttrs(j)
			attrTo = len(t.attrs)
		case "childNodes":
			ferr = t.parseChildren(j, tag)
		case "textContent":
			if null, err := j.null(); err != nil || null {
				ferr = err
				break
			}
			textBuf, ferr = j.text(t.scratch[:0], maxKeptText)
			if ferr == nil {
				t.scratch = textBuf[:0]
				if len(bytes.TrimSpace(textBuf)) > 0 {
					textIsMasked = isMasked(textBuf)
					text, haveText = t.keep(textBuf), true
				}
			}
		case "isStyle":
			isStyle, ferr = j.boolean()
		default:
			ferr = j.skip()
		}
		if ferr == errType {
			bad = true
		} else if ferr != nil {
			return 0, ferr
		}
	}
	t.count-- // the reservation
	if id <= 0 || kind < 0 {
		t.kids = t.kids[:kidsFrom]
		return 0, typeErrIf(bad || kind < 0 && id != 0)
	}
	n := t.create(id)
	n.kind = uint8(kind)
	switch kind {
	case nodeElement:
		n.tag = tag
		n.attrs = span{off: uint32(attrFrom), n: uint32(attrTo - attrFrom)}
		t.finishNodeAttrs(n)
	case nodeText:
		if haveText && !isStyle && parentTag != "script" && parentTag != "style" {
			n.text, n.masked = text, textIsMasked
		}
	}
	for _, c := range t.kids[kidsFrom:] {
		t.link(id, int(c), 0)
	}
	t.kids = t.kids[:kidsFrom]
	return id, typeErrIf(bad)
}

func typeErrIf(bad bool) error {
	if bad {
		return errType
	}
	return nil
}

// internTag lower-cases and interns a tag name.
func (t *domTracker) internTag(b []byte) string {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return t.intern(b)
}

func (t *domTracker) parseChildren(j *jsonReader, tag string) error {
	if null, err := j.null(); err != nil || null {
		return err
	}
	it, err := j.arrayOf()
	if err != nil {
		return err
	}
	bad := false
	for {
		more, err := it.next()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		id, err := t.parseNode(j, tag)
		if err == errType {
			bad = true
		} else if err != nil {
			return err
		}
		if id != 0 {
			t.kids = append(t.kids, int32(id))
		}
	}
	return typeErrIf(bad)
}

// parseAttrs appends the kept attributes of an attributes object to
// t.attrs; a null value is kept as a removal (for mutations).
func (t *domTracker) parseAttrs(j *jsonReader) error {
	if null, err := j.null(); err != nil || null {
		return err
	}
	it, err := j.objectOf()
	if err != nil {
		return err
	}
	for {
		key, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if !keptAttr(key) {
			if err := j.skip(); err != nil {
				return err
			}
			continue
		}
		name := t.intern(key)
		var v []byte
		switch j.peek() {
		case 'n':
			if err := j.literal("null"); err != nil {
				return err
			}
			t.attrs = append(t.attrs, nodeAttr{name: name, val: span{off: math.MaxUint32}})
			continue
		case '"':
			if t.scratch, err = j.str(t.scratch[:0], maxKeptAttr); err != nil {
				return err
			}
			v = t.scratch
		default:
			if t.scratch, err = j.raw(t.scratch[:0]); err != nil {
				return err
			}
			v = t.scratch
		}
		if c := cleanValue(v); c != nil {
			t.attrs = append(t.attrs, nodeAttr{name: name, val: t.keep(c)})
		} else {
			t.attrs = append(t.attrs, nodeAttr{name: name, val: span{off: math.MaxUint32}})
		}
	}
}

// finishNodeAttrs drops the removal markers parseAttrs leaves for a new node.
func (t *domTracker) finishNodeAttrs(n *domNode) {
	list := t.attrs[n.attrs.off : n.attrs.off+n.attrs.n]
	k := 0
	for _, a := range list {
		if a.val.off != math.MaxUint32 {
			list[k] = a
			k++
		}
	}
	n.attrs.n = uint32(k)
}

// setAttrs applies an attribute mutation: list holds the new values, with
// removal markers for null or emptied values.
func (t *domTracker) setAttrs(id int, list []nodeAttr) {
	n := t.node(id)
	if n == nil || n.kind != nodeElement {
		return
	}
	from := len(t.attrs)
	for _, old := range t.nodeAttrs(n) {
		replaced := false
		for _, a := range list {
			if a.name == old.name {
				replaced = true
				break
			}
		}
		if replaced {
			t.live -= int(old.val.n)
		} else {
			t.attrs = append(t.attrs, old)
		}
	}
	for _, a := range list {
		if a.val.off != math.MaxUint32 {
			t.attrs = append(t.attrs, a)
		}
	}
	n = t.node(id)
	n.attrs = span{off: uint32(from), n: uint32(len(t.attrs) - from)}
}

// setText applies a text mutation.
func (t *domTracker) setText(id int, text span, masked bool) {
	n := t.node(id)
	if n == nil || n.kind != nodeText || t.insideCode(n) {
		return
	}
	t.live -= int(n.text.n)
	n.text, n.masked = text, masked
}

// insideCode reports text whose parent is a script or style element: code,
// not words a person reads.
func (t *domTracker) insideCode(n *domNode) bool {
	p := t.node(int(n.parent))
	return p != nil && (p.tag == "script" || p.tag == "style")
}

// compact rebuilds the arena and the attribute lists when most of them is
// garbage left by mutations, so a long-lived page stays bounded by what it
// shows now.
func (t *domTracker) compact() {
	if len(t.arena) < 1<<20 || len(t.arena) < 4*t.live {
		return
	}
	arena := make([]byte, 0, 2*t.live)
	attrs := make([]nodeAttr, 0, len(t.attrs)/2)
	move := func(s span) span {
		out := span{off: uint32(len(arena)), n: s.n}
		arena = append(arena, t.bytesOf(s)...)
		return out
	}
	each := func(n *domNode) {
		if n.text.n > 0 {
			n.text = move(n.text)
		}
		from := len(attrs)
		for _, a := range t.nodeAttrs(n) {
			attrs = append(attrs, nodeAttr{name: a.name, val: move(a.val)})
		}
		n.attrs = span{off: uint32(from), n: uint32(len(attrs) - from)}
	}
	for i := range t.dense {
		if t.dense[i].live {
			each(&t.dense[i])
		}
	}
	for _, n := range t.sparse {
		each(n)
	}
	t.arena, t.attrs, t.live = arena, attrs, len(arena)
}

// actionable elements are what a person means to press or fill in; a click
// on anything inside one is described through it.
func (t *domTracker) actionable(n *domNode) bool {
	switch n.tag {
	case "button", "a", "input", "select", "textarea", "option", "summary", "label":
		return true
	}
	switch t.attr(n, "role") {
	case "button", "link", "menuitem", "tab", "checkbox", "radio", "switch", "option":
		return true
	}
	return false
}

// textual elements contribute all their descendant text to a description,
// like a button's or a link's visible label; other elements only their own
// text children, so a click on a container does not quote its content.
func (t *domTracker) textual(n *domNode) bool {
	switch n.tag {
	case "select", "textarea", "input":
		return false
	}
	return t.actionable(n) || n.tag == "svg" || n.tag == "video" || n.tag == "audio" || n.tag == "canvas"
}

// describe returns a human description of node id, built as the reference
// does from (in order) aria-label, title, alt, text, placeholder, link path,
// id and input type, with an ancestor fallback. A node inside an actionable
// element within maxAncestorDepth levels is described through it
// (`span in button "Filter cards"`). Masked text is never quoted: the
// description falls back to the readable attributes. Unknown nodes are
// "element".
func (t *domTracker) describe(id int) string {
	n := t.node(id)
	if n == nil {
		return "element"
	}
	tag := n.tag
	if tag == "" {
		tag = "element"
	}
	if n.kind == nodeText {
		tag = "text"
	}
	if n.kind != nodeElement || !t.actionable(n) {
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
		for p, depth := int(n.parent), 0; p != 0 && depth < maxAncestorDepth; depth++ {
			pn := t.node(p)
			if pn == nil || !yield(p, pn) {
				return
			}
			p = int(pn.parent)
		}
	}
}

// actionableAncestor is the nearest actionable element among n's
// ancestors, or (0, nil).
func (t *domTracker) actionableAncestor(n *domNode) (int, *domNode) {
	for p, pn := range t.ancestors(n) {
		if pn.kind == nodeElement && t.actionable(pn) {
			return p, pn
		}
	}
	return 0, nil
}

// ownDescription describes an element from its own attributes and text, or
// returns "" when they say nothing.
func (t *domTracker) ownDescription(id int) string {
	n := t.node(id)
	parts := []string{n.tag}
	meaningful := false
	label := ""
	switch {
	case t.attr(n, "aria-label") != "":
		label = quote(t.attr(n, "aria-label"))
	case t.attr(n, "title") != "":
		label = quote(t.attr(n, "title"))
	case t.attr(n, "alt") != "":
		label = "alt=" + quote(t.attr(n, "alt"))
	default:
		if txt := t.elementText(id, n); txt != "" {
			label = quote(txt)
		} else if fl := t.formLabel(id, n); fl != "" {
			label = quote(fl)
		} else if ph := t.attr(n, "placeholder"); ph != "" {
			label = "placeholder=" + quote(ph)
		}
	}
	if label != "" {
		parts = append(parts, label)
		meaningful = true
	}
	if n.tag == "a" {
		if p := linkPath(t.attr(n, "href")); p != "" {
			parts = append(parts, "to "+p)
			meaningful = true
		}
	}
	if !meaningful && t.attr(n, "id") != "" {
		parts = append(parts, "#"+t.attr(n, "id"))
		meaningful = true
	}
	if !meaningful && t.attr(n, "name") != "" {
		parts = append(parts, "name="+t.attr(n, "name"))
		meaningful = true
	}
	if n.tag == "input" && t.attr(n, "type") != "" {
		parts = append(parts, "type="+t.attr(n, "type"))
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
	if t.textual(n) {
		t.collectText(&b, id, -1)
	} else if n.tag != "select" && n.tag != "textarea" && n.tag != "input" {
		for c := range t.children(n) {
			if cn := t.node(c); cn != nil && cn.kind == nodeText && cn.text.n > 0 && !cn.masked {
				appendWords(&b, t.str(cn.text))
			}
		}
	}
	return clipRunes(b.String(), maxDescText)
}

// collectText appends the unmasked text under id in document order,
// skipping the subtree rooted at skip (the control inside its own label).
func (t *domTracker) collectText(b *strings.Builder, id, skip int) {
	visited := 0
	var walk func(int)
	walk = func(cur int) {
		if cur == skip || visited >= maxTextVisit || b.Len() > 4*maxDescText {
			return
		}
		visited++
		n := t.node(cur)
		if n == nil {
			return
		}
		if n.kind == nodeText {
			if !n.masked && n.text.n > 0 {
				appendWords(b, t.str(n.text))
			}
			return
		}
		if n.tag == "select" || n.tag == "script" || n.tag == "style" {
			return
		}
		for c := range t.children(n) {
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
	own := t.attr(n, "id")
	if own == "" {
		return ""
	}
	for lid, ln := range t.all() {
		if ln.tag == "label" && t.attr(ln, "for") == own {
			var b strings.Builder
			t.collectText(&b, lid, id)
			return clipRunes(b.String(), maxDescText)
		}
	}
	return ""
}

// all yields every tracked node, dense ids in order first.
func (t *domTracker) all() iter.Seq2[int, *domNode] {
	return func(yield func(int, *domNode) bool) {
		for i := range t.dense {
			if t.dense[i].live && !yield(i, &t.dense[i]) {
				return
			}
		}
		for id, n := range t.sparse {
			if !yield(int(id), n) {
				return
			}
		}
	}
}

// inputType is the lower-cased type attribute of an input, "select" or
// "textarea" for those controls, or "" when the node is unknown.
func (t *domTracker) inputType(id int) string {
	n := t.node(id)
	if n == nil {
		return ""
	}
	if n.tag == "input" {
		if ty := strings.ToLower(t.attr(n, "type")); ty != "" {
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
		for _, a := range t.nodeAttrs(n) {
			if !strings.HasPrefix(a.name, "data-") {
				continue
			}
			if out == nil {
				out = make(map[string]string)
			}
			if _, seen := out[a.name]; !seen {
				out[a.name] = t.str(a.val)
			}
		}
	}
	n := t.node(id)
	if n == nil {
		return nil
	}
	collect(n)
	if n.kind == nodeElement && t.actionable(n) {
		return out
	}
	if _, pn := t.actionableAncestor(n); pn != nil {
		collect(pn)
	}
	return out
}

// textOf returns the text of a text node, for selections, and whether the
// recorder masked it.
func (t *domTracker) textOf(id int) (text string, masked, ok bool) {
	n := t.node(id)
	if n == nil || n.kind != nodeText {
		return "", false, false
	}
	return t.str(n.text), n.masked, true
}
