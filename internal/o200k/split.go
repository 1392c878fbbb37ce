package o200k

import (
	"iter"
	"unicode"
	"unicode/utf8"
)

// The split pattern of o200k_base, as tiktoken-go matches it with
// dlclark/regexp2 (a backtracking engine: the leftmost alternative that
// matches wins; quantifiers are greedy and give back what the rest needs):
//
//	1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	3 \p{N}{1,3}
//	4  ?[^\s\p{L}\p{N}]+[\r\n/]*
//	5 \s*[\r\n]+
//	6 \s+(?!\S)
//	7 \s+
//
// regexp2 reads \p{X} as unicode.Categories[X] and \s as unicode.IsSpace,
// and matches (?i:...) by lower-casing the text with unicode.ToLower: only
// ASCII letters lower-case to the contractions' letters.

// Classes of a rune: the pattern's character classes it belongs to.
const (
	cUpper   = 1 << iota // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
	cLower               // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
	cNum                 // \p{N}
	cSpace               // \s
	cPrefix              // [^\r\n\p{L}\p{N}]
	cOther               // [^\s\p{L}\p{N}]
	cNewline             // [\r\n]
	cSlash               // the / of [\r\n/]
)

// classOf returns the classes of r.
func classOf(r rune) uint8 {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z':
			return cLower
		case 'A' <= r && r <= 'Z':
			return cUpper
		case '0' <= r && r <= '9':
			return cNum
		case r == '\r' || r == '\n':
			return cSpace | cNewline
		case r == ' ' || '\t' <= r && r <= '\f':
			return cSpace | cPrefix
		case r == '/':
			return cPrefix | cOther | cSlash
		}
		return cPrefix | cOther
	}
	switch {
	case unicode.Is(unicode.Ll, r):
		return cLower
	case unicode.Is(unicode.Lu, r), unicode.Is(unicode.Lt, r):
		return cUpper
	case unicode.Is(unicode.Lo, r), unicode.Is(unicode.Lm, r):
		return cUpper | cLower
	case unicode.Is(unicode.N, r):
		return cNum
	}
	c := uint8(cPrefix) // neither a letter, a number, \r nor \n
	if unicode.Is(unicode.M, r) {
		c |= cUpper | cLower
	}
	if unicode.IsSpace(r) {
		return c | cSpace
	}
	return c | cOther
}

// pieces returns the pieces the split pattern cuts text into, in order;
// they cover the text (every rune starts a match of some alternative).
// Like regexp2, which matches runes, it reads each byte of invalid UTF-8
// as U+FFFD.
func pieces(text string) iter.Seq[string] {
	if !utf8.ValidString(text) {
		text = string([]rune(text))
	}
	return func(yield func(string) bool) {
		s := splitter(text)
		for i := 0; i < len(text); {
			end := s.match(i)
			if !yield(text[i:end]) {
				return
			}
			i = end
		}
	}
}

// splitter is valid UTF-8 text being split.
type splitter string

// class returns the classes of the rune at i, none at the end.
func (s splitter) class(i int) uint8 {
	if i == len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(string(s[i:]))
	return classOf(r)
}

// run returns the end of the longest run of runes from i in any of want's
// classes: a greedy [want]*.
func (s splitter) run(i int, want uint8) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(string(s[i:]))
		if classOf(r)&want == 0 {
			break
		}
		i += w
	}
	return i
}

// giveBack backtracks a greedy run [from, to): the largest j in [from, to]
// where the rune at j is in want, or -1.
func (s splitter) giveBack(from, to int, want uint8) int {
	for j := to; ; {
		if s.class(j)&want != 0 {
			return j
		}
		if j == from {
			return -1
		}
		_, w := utf8.DecodeLastRuneInString(string(s[:j]))
		j -= w
	}
}

// match returns the end of the pattern's match at i.
func (s splitter) match(i int) int {
	r, w := utf8.DecodeRuneInString(string(s[i:]))
	c := classOf(r)
	// [^\r\n\p{L}\p{N}]? first takes the rune, then gives it back.
	starts := []int{i}
	if c&cPrefix != 0 {
		starts = []int{i + w, i}
	}
	// 1: [upper]*[lower]+contraction?
	for _, at := range starts {
		if j := s.giveBack(at, s.run(at, cUpper), cLower); j >= 0 {
			return s.contraction(s.run(j, cLower))
		}
	}
	// 2: [upper]+[lower]*contraction?
	for _, at := range starts {
		if e := s.run(at, cUpper); e > at {
			return s.contraction(s.run(e, cLower))
		}
	}
	// 3: \p{N}{1,3}
	if c&cNum != 0 {
		e := i
		for range 3 {
			if s.class(e)&cNum == 0 {
				break
			}
			_, w := utf8.DecodeRuneInString(string(s[e:]))
			e += w
		}
		return e
	}
	// 4: " ?[other]+[\r\n/]*"; without the space, [other]+ cannot start at one.
	at := i
	if r == ' ' {
		at++
	}
	if e := s.run(at, cOther); e > at {
		return s.run(e, cNewline|cSlash)
	}
	// What is left starts with white space.
	// 5: \s*[\r\n]+
	e := s.run(i, cSpace)
	if j := s.giveBack(i, e, cNewline); j >= 0 {
		return s.run(j, cNewline)
	}
	// 6: \s+(?!\S): all the white space at the end of the text, else all
	// but its last rune, which is then the " " of a following " ?..." or
	// "[^\r\n\p{L}\p{N}]?..." piece.
	if e == len(s) {
		return e
	}
	if _, w := utf8.DecodeLastRuneInString(string(s[:e])); e-w > i {
		return e - w
	}
	// 7: \s+
	return e
}

// contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d)? at i.
func (s splitter) contraction(i int) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return i
	}
	switch lower(s[i+1]) {
	case 's', 't', 'm', 'd':
		return i + 2
	case 'r', 'v':
		if i+2 < len(s) && lower(s[i+2]) == 'e' {
			return i + 3
		}
	case 'l':
		if i+2 < len(s) && lower(s[i+2]) == 'l' {
			return i + 3
		}
	}
	return i
}

// lower lower-cases an ASCII letter.
func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
