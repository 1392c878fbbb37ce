package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Number is a JSON number kept exactly as it was written, so 15 stays 15
// and 15.0 stays 15.0 in the bookmark, as in the reference. A numeric string
// such as "42" is accepted for a model's convenience.
type Number string

// UnmarshalJSON accepts a number or a string holding one.
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if !IsJSONNumber(s) {
			return fmt.Errorf("%q is not a number", truncateForError(s))
		}
		*n = Number(s)
		return nil
	}
	if !IsJSONNumber(string(b)) {
		return fmt.Errorf("%s is not a number", truncateForError(string(b)))
	}
	*n = Number(b)
	return nil
}

// MarshalJSON writes the number as it was written.
func (n Number) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return []byte(n), nil
}

// Float is the number's value.
func (n Number) Float() float64 {
	f, _ := strconv.ParseFloat(string(n), 64)
	return f
}

// IsJSONNumber reports whether s is a JSON number literal (no blanks, no
// quotes) of a finite float64.
func IsJSONNumber(s string) bool {
	if !jsonNumberGrammar(s) {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// jsonNumberGrammar is RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// (strconv alone would also take "0x10", "Inf", "1_000" and "+1").
func jsonNumberGrammar(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i = digits(s, i+1); i < 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i = digits(s, i); i < 0 {
			return false
		}
	}
	return i == len(s)
}

// digits skips the run of one or more digits at s[i:]; -1 when there is none.
func digits(s string, i int) int {
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// Int is an integer argument that also accepts "42" and 42.0.
type Int int64

// UnmarshalJSON accepts an integral number or a string holding one.
func (i *Int) UnmarshalJSON(b []byte) error {
	var n Number
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	f := n.Float()
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmt.Errorf("%s is not an integer", string(n))
	}
	*i = Int(f)
	return nil
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields and
// trailing data, and keeping numbers exact.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return cleanDecodeError(err)
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// decodeAny decodes a free-form JSON value with exact numbers.
func decodeAny(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, cleanDecodeError(err)
	}
	return fixNumbers(v), nil
}

// fixNumbers turns json.Number into Number so re-encoding keeps the text.
func fixNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return Number(x)
	case []any:
		for i := range x {
			x[i] = fixNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fixNumbers(x[k])
		}
	}
	return v
}

func cleanDecodeError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return errors.New(msg)
}

// truncateForError keeps the first 40 bytes of s for an error message,
// never cutting inside a UTF-8 character.
func truncateForError(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for i := 0; i < utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return s[:cut] + "..."
}

// jsonKind names the kind of a raw JSON value: "string", "number",
// "object", "array", "bool", "null" or "" when empty.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// splitList returns the elements of a JSON array, or the value itself as a
// one-element list: a single item is accepted wherever a list is.
func splitList(b []byte) ([]json.RawMessage, error) {
	if jsonKind(b) == "array" {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, cleanDecodeError(err)
		}
		return items, nil
	}
	if k := jsonKind(b); k == "" || k == "null" {
		return nil, nil
	}
	return []json.RawMessage{json.RawMessage(b)}, nil
}

// objectKeys lists the keys of a JSON object in the order they were written.
func objectKeys(b []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, cleanDecodeError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected a JSON object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, cleanDecodeError(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, cleanDecodeError(err)
		}
	}
	return keys, nil
}

// keySet lists the keys of a JSON object, to tell union alternatives apart.
func keySet(b []byte) map[string]bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
