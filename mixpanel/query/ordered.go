package query

import (
	"encoding/json"
	"strconv"
)

// onode is a parsed JSON value that keeps object keys in written order.
// Results are read with it because Mixpanel orders series and segments
// meaningfully and encoding/json's streaming decoder is slow on the
// thousands of small numbers a segmented answer holds.
type onode struct {
	kind byte // 'o' object, 'n' number, 'x' anything else
	keys []string
	vals []onode
	num  float64
}

// parseOrderedJSON parses one JSON value; ok is false on malformed input.
func parseOrderedJSON(b []byte) (onode, bool) {
	p := &oparser{b: b}
	n, ok := p.value(0)
	if !ok {
		return onode{}, false
	}
	p.ws()
	return n, p.i == len(p.b)
}

type oparser struct {
	b []byte
	i int
}

const maxDepth = 64

func (p *oparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *oparser) value(depth int) (onode, bool) {
	if depth > maxDepth {
		return onode{}, false
	}
	p.ws()
	if p.i >= len(p.b) {
		return onode{}, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		p.i++
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return onode{kind: 'x'}, true
		}
		for {
			if _, ok := p.value(depth + 1); !ok {
				return onode{}, false
			}
			p.ws()
			if p.i >= len(p.b) {
				return onode{}, false
			}
			if p.b[p.i] == ']' {
				p.i++
				return onode{kind: 'x'}, true
			}
			if p.b[p.i] != ',' {
				return onode{}, false
			}
			p.i++
		}
	case c == '"':
		_, ok := p.str()
		return onode{kind: 'x'}, ok
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.b) && isNumByte(p.b[p.i]) {
			p.i++
		}
		f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		return onode{kind: 'n', num: f}, err == nil
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(p.b)-p.i >= len(lit) && string(p.b[p.i:p.i+len(lit)]) == lit {
				p.i += len(lit)
				return onode{kind: 'x'}, true
			}
		}
	}
	return onode{}, false
}

func isNumByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')
}

func (p *oparser) object(depth int) (onode, bool) {
	p.i++
	n := onode{kind: 'o'}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return n, true
	}
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return onode{}, false
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return onode{}, false
		}
		p.i++
		v, ok := p.value(depth + 1)
		if !ok {
			return onode{}, false
		}
		n.keys = append(n.keys, key)
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.b) {
			return onode{}, false
		}
		if p.b[p.i] == '}' {
			p.i++
			return n, true
		}
		if p.b[p.i] != ',' {
			return onode{}, false
		}
		p.i++
	}
}

// str reads a JSON string; escapes are decoded by encoding/json, which is
// only needed for the rare key that has them.
func (p *oparser) str() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '\\':
			escaped = true
			p.i += 2
		case c == '"':
			p.i++
			if !escaped {
				return string(p.b[start+1 : p.i-1]), true
			}
			var s string
			if json.Unmarshal(p.b[start:p.i], &s) != nil {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		default:
			p.i++
		}
	}
	return "", false
}
