package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file holds the lenient JSON readers shared by the funnel, retention
// and flow response parsers. Mixpanel's query responses are loosely typed
// (counts arrive as numbers or strings, objects sometimes as null), and the
// reference library reads them with dict.get defaults; these helpers give the
// same "missing or malformed means zero" behaviour without panics.

// jsonMember is one key of a JSON object, kept in document order because the
// reference iterates Python dicts, whose order is the response's order.
type jsonMember struct {
	Key   string
	Value json.RawMessage
}

// orderedMembers returns the members of a JSON object in document order, or
// ok=false when raw is not an object.
func orderedMembers(raw json.RawMessage) (members []jsonMember, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, isString := tok.(string)
		if !isString {
			return nil, false
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, false
		}
		members = append(members, jsonMember{Key: key, Value: value})
	}
	return members, true
}

// objectMap decodes a JSON object into raw members, or ok=false.
func objectMap(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false
	}
	return m, true
}

// lenientFloat reads a number, or a string holding one; anything else is 0.
func lenientFloat(raw json.RawMessage) float64 {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0
		}
		return f
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return 0
		}
		return f
	}
	return 0
}

// lenientFloats reads an array of numbers; a non-array is an empty slice.
func lenientFloats(raw json.RawMessage) []float64 {
	if jsonKind(raw) != "array" {
		return []float64{}
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return []float64{}
	}
	out := make([]float64, len(items))
	for i, item := range items {
		out[i] = lenientFloat(item)
	}
	return out
}

// lenientInt mirrors the reference's _safe_int: integers pass, numeric
// strings ("100") are parsed, and anything else yields def. Unlike the
// reference, an integral float (100.0) is accepted as 100 rather than
// dropped to the default, because a count written as a float is still the
// same count.
func lenientInt(raw json.RawMessage, def int64) int64 {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return def
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return def
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return def
		}
		return n
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return n
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return def
		}
		return int64(f)
	}
	return def
}

// lenientString reads a JSON string; anything else is def.
func lenientString(raw json.RawMessage, def string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return def
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return def
	}
	return s
}

// lenientBool reads a JSON boolean; anything else is def.
func lenientBool(raw json.RawMessage, def bool) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true
	case "false":
		return false
	}
	return def
}

// lenientObject decodes a JSON object into a generic map; anything else is
// an empty map, so results always serialise as {} rather than null.
func lenientObject(raw json.RawMessage) map[string]any {
	out := map[string]any{}
	if jsonKind(raw) != "object" {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&out) != nil {
		return map[string]any{}
	}
	return out
}

// responseMembers decodes a response body into its top-level members. A
// top-level "error" is the error-as-200 shape: the query failed.
func responseMembers(kind string, body []byte) (map[string]json.RawMessage, error) {
	top, ok := objectMap(body)
	if !ok {
		return nil, fmt.Errorf("%s query returned a response that is not a JSON object", kind)
	}
	if msg, present := top["error"]; present {
		return nil, fmt.Errorf("%s query failed: %s", kind, lenientString(msg, strings.TrimSpace(string(msg))))
	}
	return top, nil
}
