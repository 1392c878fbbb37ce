package mixpanel

// Loose decoding of Mixpanel answers: ids, flags and lists that come in
// more than one JSON shape, and the request-then-decode helper.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// rawDecoded sends req and decodes the body with decode: a failed request
// is wrapped with what, a body decode rejects is a badAnswer.
func rawDecoded[T any](ctx context.Context, c *Client, req Request, what string, decode func([]byte) (T, error)) (T, error) {
	var zero T
	raw, err := c.Raw(ctx, req)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	out, err := decode(raw)
	if err != nil {
		return zero, badAnswer(req.method(), req.Path, err.Error())
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// FlexInt decodes an id that Mixpanel sends as a number or a numeric
// string; null is 0.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = 0
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("expected an integer id, got %s", truncate(string(b), 40))
		}
		v = int64(f)
	}
	*n = FlexInt(v)
	return nil
}

func (n *FlexInt) ptr() *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

// FlexBool decodes a flag sent as a boolean, 0/1, or "true"/"false";
// null and anything else are false.
type FlexBool bool

func (f *FlexBool) UnmarshalJSON(b []byte) error {
	var v any
	if json.Unmarshal(b, &v) != nil {
		*f = false
		return nil
	}
	switch v := v.(type) {
	case bool:
		*f = FlexBool(v)
	case float64:
		*f = v != 0
	case string:
		parsed, _ := strconv.ParseBool(strings.TrimSpace(v))
		*f = FlexBool(parsed)
	default:
		*f = false
	}
	return nil
}

// TagList decodes a list of names sent as strings or as {"name": ...}
// objects; other entries are skipped.
type TagList []string

func (t *TagList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("expected a list of names: %w", err)
	}
	out := TagList{}
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(r, &obj) == nil && obj.Name != "" {
			out = append(out, obj.Name)
		}
	}
	*t = out
	return nil
}
