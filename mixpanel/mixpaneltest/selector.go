package mixpaneltest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Selector is a parsed Engage/export filter expression, the subset of
// Mixpanel's expression language the client generates: comparisons,
// "in", and/or/not, + and -, properties["name"], defined(), datetime(),
// number(), string(), NOW, literals, list literals and parentheses. The fake evaluates
// it against an event's or profile's properties so filtered answers are
// real answers.
type Selector struct {
	root  selNode
	names []string
	user  bool
}

// ParseSelector parses an expression; "" matches everything.
func ParseSelector(src string) (*Selector, error) {
	if strings.TrimSpace(src) == "" {
		return &Selector{}, nil
	}
	toks, err := selLex(src)
	if err != nil {
		return nil, err
	}
	p := &selParser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return &Selector{root: n, names: p.names, user: p.user}, nil
}

// ReadsUser reports whether the expression reads user["..."] (profile)
// properties.
func (s *Selector) ReadsUser() bool { return s != nil && s.user }

// Names lists the properties the expression reads, in order of first use.
func (s *Selector) Names() []string {
	if s == nil {
		return nil
	}
	return s.names
}

// Match reports whether props satisfy the selector.
func (s *Selector) Match(props map[string]any) bool {
	return s.MatchFunc(func(name string) any { return props[name] })
}

// MatchFunc is Match over properties read by get (nil: not set), for
// callers that keep events in columns rather than maps.
func (s *Selector) MatchFunc(get func(name string) any) bool {
	if s == nil || s.root == nil {
		return true
	}
	return truthy(s.root(get))
}

// Value evaluates the expression as a value (the "on" of a segmentation):
// nil when it reads an unset property.
func (s *Selector) Value(get func(name string) any) any {
	if s == nil || s.root == nil {
		return nil
	}
	return s.root(get)
}

type selNode func(get func(string) any) any

type selTok struct {
	kind byte // 's' string, 'n' number, 'i' identifier, 'p' punctuation
	text string
	num  float64
}

func selLex(src string) ([]selTok, error) {
	var out []selTok
	for i := 0; i < len(src); {
		c := rune(src[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string")
			}
			out = append(out, selTok{kind: 's', text: b.String()})
			i = j + 1
		case unicode.IsDigit(c) || (c == '.' && i+1 < len(src) && unicode.IsDigit(rune(src[i+1]))):
			j := i
			for j < len(src) && (unicode.IsDigit(rune(src[j])) || src[j] == '.') {
				j++
			}
			f, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q", src[i:j])
			}
			out = append(out, selTok{kind: 'n', text: src[i:j], num: f})
			i = j
		case unicode.IsLetter(c) || c == '_' || c == '$':
			j := i
			for j < len(src) && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])) || src[j] == '_' || src[j] == '$') {
				j++
			}
			out = append(out, selTok{kind: 'i', text: src[i:j]})
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "!=", ">=", "<=":
				out = append(out, selTok{kind: 'p', text: two})
				i += 2
				continue
			}
			if !strings.ContainsRune("()[],<>+-", c) {
				return nil, fmt.Errorf("unexpected character %q", c)
			}
			out = append(out, selTok{kind: 'p', text: string(c)})
			i++
		}
	}
	return out, nil
}

type selParser struct {
	toks  []selTok
	pos   int
	names []string
	user  bool
}

func (p *selParser) peek(text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].text == text && p.toks[p.pos].kind != 's'
}

func (p *selParser) expect(text string) error {
	if !p.peek(text) {
		return fmt.Errorf("expected %q", text)
	}
	p.pos++
	return nil
}

func (p *selParser) or() (selNode, error) {
	l, err := p.and()
	for err == nil && p.peek("or") {
		p.pos++
		var r selNode
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(m func(string) any) any { return truthy(a(m)) || truthy(b(m)) }
		}
	}
	return l, err
}

func (p *selParser) and() (selNode, error) {
	l, err := p.not()
	for err == nil && p.peek("and") {
		p.pos++
		var r selNode
		if r, err = p.not(); err == nil {
			a, b := l, r
			l = func(m func(string) any) any { return truthy(a(m)) && truthy(b(m)) }
		}
	}
	return l, err
}

func (p *selParser) not() (selNode, error) {
	if p.peek("not") {
		p.pos++
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(m func(string) any) any { return !truthy(n(m)) }, nil
	}
	return p.cmp()
}

func (p *selParser) cmp() (selNode, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", ">=", "<=", ">", "<", "in"} {
		if p.peek(op) {
			p.pos++
			r, err := p.sum()
			if err != nil {
				return nil, err
			}
			return func(m func(string) any) any { return compare(op, l(m), r(m)) }, nil
		}
	}
	return l, nil
}

func (p *selParser) sum() (selNode, error) {
	l, err := p.primary()
	for err == nil && (p.peek("+") || p.peek("-")) {
		op := p.toks[p.pos].text
		p.pos++
		var r selNode
		if r, err = p.primary(); err == nil {
			a, b := l, r
			l = func(m func(string) any) any {
				x, ok1 := toNum(a(m))
				y, ok2 := toNum(b(m))
				if !ok1 || !ok2 {
					return nil
				}
				if op == "-" {
					return x - y
				}
				return x + y
			}
		}
	}
	return l, err
}

func (p *selParser) primary() (selNode, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("unexpected end of expression")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case 's':
		return func(func(string) any) any { return t.text }, nil
	case 'n':
		return func(func(string) any) any { return t.num }, nil
	case 'p':
		if t.text == "(" {
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			return n, p.expect(")")
		}
		if t.text == "[" {
			var items []selNode
			for !p.peek("]") {
				if len(items) > 0 {
					if err := p.expect(","); err != nil {
						return nil, err
					}
				}
				n, err := p.or()
				if err != nil {
					return nil, err
				}
				items = append(items, n)
			}
			p.pos++
			return func(m func(string) any) any {
				out := make([]any, len(items))
				for i, n := range items {
					out[i] = n(m)
				}
				return out
			}, nil
		}
		if t.text == "-" {
			n, err := p.primary()
			if err != nil {
				return nil, err
			}
			return func(m func(string) any) any {
				x, ok := toNum(n(m))
				if !ok {
					return nil
				}
				return -x
			}, nil
		}
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	switch t.text {
	case "true", "false":
		v := t.text == "true"
		return func(func(string) any) any { return v }, nil
	case "NOW":
		return func(func(string) any) any { return float64(time.Now().Unix()) }, nil
	case "properties", "user":
		if err := p.expect("["); err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != 's' {
			return nil, fmt.Errorf("expected a property name string")
		}
		name := p.toks[p.pos].text
		p.pos++
		if !slices.Contains(p.names, name) {
			p.names = append(p.names, name)
		}
		p.user = p.user || t.text == "user"
		return func(m func(string) any) any { return m(name) }, p.expect("]")
	case "defined", "datetime", "number", "string", "boolean", "list":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		arg, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		fn := t.text
		return func(m func(string) any) any { return cast(fn, arg(m)) }, nil
	}
	return nil, fmt.Errorf("unknown name %q", t.text)
}

func cast(fn string, v any) any {
	switch fn {
	case "defined":
		return v != nil
	case "number":
		if f, ok := toNum(v); ok {
			return f
		}
		return nil
	case "string":
		if v == nil {
			return nil
		}
		return fmt.Sprint(v)
	case "datetime":
		switch t := v.(type) {
		case float64:
			return t
		case string:
			for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
				if tm, err := time.Parse(layout, t); err == nil {
					return float64(tm.Unix())
				}
			}
		}
		return nil
	}
	return v
}

func toNum(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case string:
		if t == "" || !strings.ContainsAny(t[:1], "0123456789+-.IiNn") {
			return 0, false // not a number: spare ParseFloat's error
		}
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}

func compare(op string, a, b any) bool {
	if op == "in" {
		switch hay := b.(type) {
		case string:
			s, ok := a.(string)
			return ok && strings.Contains(hay, s)
		case []any:
			for _, x := range hay {
				if compare("==", a, x) {
					return true
				}
			}
		case []string:
			for _, x := range hay {
				if compare("==", a, x) {
					return true
				}
			}
		}
		return false
	}
	if a == nil || b == nil {
		return op == "!=" && (a != nil || b != nil)
	}
	if x, ok := toNum(a); ok {
		if y, ok := toNum(b); ok {
			return ordered(op, x, y)
		}
	}
	return ordered(op, text(a), text(b))
}

// text is a value's text, without fmt for the common string.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// ordered applies a comparison operator: numbers compare as numbers, all
// else as the text of the value.
func ordered[T cmp.Ordered](op string, x, y T) bool {
	switch op {
	case "==":
		return x == y
	case "!=":
		return x != y
	case ">":
		return x > y
	case "<":
		return x < y
	case ">=":
		return x >= y
	case "<=":
		return x <= y
	}
	return false
}

func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case float64:
		return t != 0
	case string:
		return t != ""
	}
	return true
}
