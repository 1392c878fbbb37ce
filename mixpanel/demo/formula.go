package demo

import (
	"fmt"
	"strconv"
	"strings"
)

// formula is an arithmetic expression over capital letters: the metrics
// of an Insights formula ("(B / A) * 100") or the inputs of a custom
// property ("A * B"). The subset: numbers, letters, + - * /, unary minus
// and parentheses; a function (IF, MAX, ...) is refused by name.
type formula struct {
	eval func(get func(letter byte) (float64, bool)) (float64, bool)
	used [26]bool
}

func (f *formula) uses(l byte) bool { return l >= 'A' && l <= 'Z' && f.used[l-'A'] }

// parseFormula parses src; known says which letters the formula may use.
func parseFormula(field, src string, known func(byte) bool) (*formula, error) {
	p := &formulaParser{field: field, src: src, known: known, f: &formula{}}
	ev, err := p.sum()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("%s: unexpected %q at position %d of %q", field, p.src[p.pos:], p.pos+1, src)
	}
	p.f.eval = ev
	return p.f, nil
}

type evalFn = func(get func(byte) (float64, bool)) (float64, bool)

type formulaParser struct {
	field, src string
	pos        int
	known      func(byte) bool
	f          *formula
}

func (p *formulaParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *formulaParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *formulaParser) sum() (evalFn, error) { return p.binary("+-", p.product) }

func (p *formulaParser) product() (evalFn, error) { return p.binary("*/", p.factor) }

// binary parses operands joined, left to right, by the operators in ops.
func (p *formulaParser) binary(ops string, operand func() (evalFn, error)) (evalFn, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		if op == 0 || strings.IndexByte(ops, op) < 0 {
			return left, nil
		}
		p.pos++
		right, err := operand()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(get func(byte) (float64, bool)) (float64, bool) {
			a, ok1 := l(get)
			b, ok2 := right(get)
			ok := ok1 && ok2
			switch op {
			case '+':
				return a + b, ok
			case '-':
				return a - b, ok
			case '*':
				return a * b, ok
			}
			if b == 0 {
				return 0, false
			}
			return a / b, ok
		}
	}
}

func (p *formulaParser) factor() (evalFn, error) {
	c := p.peek()
	switch {
	case c == 0:
		return nil, fmt.Errorf("%s: %q ends where a number, letter or ( was expected", p.field, p.src)
	case c == '(':
		p.pos++
		inner, err := p.sum()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("%s: missing ) in %q", p.field, p.src)
		}
		p.pos++
		return inner, nil
	case c == '-':
		p.pos++
		inner, err := p.factor()
		if err != nil {
			return nil, err
		}
		return func(get func(byte) (float64, bool)) (float64, bool) { x, ok := inner(get); return -x, ok }, nil
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		x, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: bad number %q", p.field, p.src[start:p.pos])
		}
		return func(func(byte) (float64, bool)) (float64, bool) { return x, true }, nil
	case isLetter(c):
		start := p.pos
		for p.pos < len(p.src) && (isLetter(p.src[p.pos]) || p.src[p.pos] == '_') {
			p.pos++
		}
		word := p.src[start:p.pos]
		if len(word) > 1 || c < 'A' || c > 'Z' {
			return nil, unsupported("%s: the formula function or name %q (formulas of letters, numbers, + - * / and parentheses)", p.field, strings.ToUpper(word))
		}
		if !p.known(c) {
			return nil, fmt.Errorf("%s: letter %c in %q names no input", p.field, c, p.src)
		}
		p.f.used[c-'A'] = true
		return func(get func(byte) (float64, bool)) (float64, bool) { return get(c) }, nil
	}
	return nil, fmt.Errorf("%s: unexpected %q in %q", p.field, string(c), p.src)
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
