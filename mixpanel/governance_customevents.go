package mixpanel

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Custom events (wire reference §4.19): a named union of events. Created
// by a form POST whose alternatives field is a JSON string; listed,
// updated and deleted through the Lexicon's event definitions by
// customEventId.

// CustomEvent is a custom event as create answers it.
type CustomEvent struct {
	ID           int64                    `json:"id" col:"id"`
	Name         string                   `json:"name" col:"name"`
	Alternatives []CustomEventAlternative `json:"alternatives" col:"events"`
}

// CustomEventAlternative is one event of the union.
type CustomEventAlternative struct {
	Event string `json:"event"`
}

func (a CustomEventAlternative) String() string { return a.Event }

// Ref names the custom event.
func (e CustomEvent) Ref() Ref { return Ref{Kind: "custom event", ID: ID(e.ID), Name: e.Name} }

// CustomEventDefinition is a custom event's Lexicon entry.
type CustomEventDefinition struct {
	ID            int64    `json:"id" col:"id"`
	Name          string   `json:"name" col:"name"`
	DisplayName   string   `json:"displayName,omitempty"`
	Description   string   `json:"description,omitempty" col:"description"`
	Hidden        bool     `json:"hidden" col:"hidden"`
	Dropped       bool     `json:"dropped"`
	Merged        bool     `json:"merged"`
	Verified      bool     `json:"verified" col:"verified"`
	Tags          []string `json:"tags,omitempty" col:"tags"`
	CustomEventID int64    `json:"customEventId,omitempty" col:"custom_event_id"`
	LastModified  string   `json:"lastModified,omitempty"`
	Status        string   `json:"status,omitempty"`
	Platforms     []string `json:"platforms,omitempty"`
	CreatedUTC    string   `json:"createdUtc,omitempty"`
	ModifiedUTC   string   `json:"modifiedUtc,omitempty"`
}

// Ref names the custom event by its custom event id.
func (d CustomEventDefinition) Ref() Ref {
	id := d.CustomEventID
	if id == 0 {
		id = d.ID
	}
	return Ref{Kind: "custom event", ID: ID(id), Name: d.Name}
}

// CreateCustomEventParams is a new custom event.
type CreateCustomEventParams struct {
	Name         string   `json:"name" jsonschema:"minLength=1"`
	Alternatives []string `json:"alternatives" jsonschema:"minItems=1,description=Event names the custom event stands for"`
}

// UpdateCustomEventParams changes a custom event's Lexicon entry; absent
// fields stay.
type UpdateCustomEventParams struct {
	Hidden      *bool    `json:"hidden,omitempty"`
	Dropped     *bool    `json:"dropped,omitempty"`
	Merged      *bool    `json:"merged,omitempty"`
	Verified    *bool    `json:"verified,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Description *string  `json:"description,omitempty"`
}

// Body is the PATCH body for custom event id.
func (p UpdateCustomEventParams) Body(id int64) map[string]any {
	b := map[string]any{"customEventId": id}
	for k, v := range map[string]*bool{"hidden": p.Hidden, "dropped": p.Dropped, "merged": p.Merged, "verified": p.Verified} {
		if v != nil {
			b[k] = *v
		}
	}
	if p.Tags != nil {
		b["tags"] = p.Tags
	}
	if p.Description != nil {
		b["description"] = *p.Description
	}
	return b
}

// alternativesJSON writes the alternatives as Python's json.dumps does
// (", " and ": " separators, non-ASCII escaped), as the reference sends
// them.
func alternativesJSON(events []string) string {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = `{"event": ` + pyJSONString(e) + `}`
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				hi, lo := utf16Pair(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// CreateCustomEvent creates a custom event.
func (c *Client) CreateCustomEvent(ctx context.Context, p CreateCustomEventParams) (CustomEvent, error) {
	path, err := c.scoped("custom_events", "")
	if err != nil {
		return CustomEvent{}, err
	}
	form := url.Values{"name": {p.Name}, "alternatives": {alternativesJSON(p.Alternatives)}}
	out, err := appCall[struct {
		CustomEvent CustomEvent `json:"custom_event"`
	}](ctx, c, POST, path, nil, form)
	return out.CustomEvent, err
}

// ListCustomEvents lists the custom events' Lexicon entries.
func (c *Client) ListCustomEvents(ctx context.Context) ([]CustomEventDefinition, error) {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]CustomEventDefinition](ctx, c, GET, path, url.Values{"custom_event": {"true"}}, nil)
}

// UpdateCustomEvent changes a custom event's Lexicon entry.
func (c *Client) UpdateCustomEvent(ctx context.Context, id int64, p UpdateCustomEventParams) (CustomEventDefinition, error) {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return CustomEventDefinition{}, err
	}
	d, err := appCall[CustomEventDefinition](ctx, c, PATCH, path, nil, p.Body(id))
	if err == nil && d.CustomEventID != 0 && d.CustomEventID != id {
		return d, badAnswer(PATCH, path, fmt.Sprintf("Mixpanel answered with custom event %d, not %d", d.CustomEventID, id))
	}
	return d, err
}

// DeleteCustomEvent deletes a custom event.
func (c *Client) DeleteCustomEvent(ctx context.Context, id int64) error {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, map[string]int64{"customEventId": id})
	return err
}

// Validate checks the name and that the events are at least one, unique
// and non-blank.
func (p CreateCustomEventParams) Validate() error {
	var c checks
	c.required("name", strings.TrimSpace(p.Name) == "", "name the custom event")
	c.maxLen("name", p.Name, 255)
	c.required("alternatives", len(p.Alternatives) == 0, "list the events it stands for, e.g. [\"Cart Viewed\", \"Order Completed\"]")
	seen := map[string]bool{}
	for i, e := range p.Alternatives {
		f := fmt.Sprintf("alternatives[%d]", i)
		switch {
		case strings.TrimSpace(e) == "" || !utf8.ValidString(e):
			c.required(f, true, "name an event or remove the blank entry")
		case seen[e]:
			c.add(CodeConflict, f, "%q is listed twice; keep one", e)
		}
		seen[e] = true
	}
	return c.err()
}

// Validate checks that something changes.
func (p UpdateCustomEventParams) Validate() error {
	var c checks
	c.required("verified", len(p.Body(0)) == 1, "pass at least one of hidden, dropped, merged, verified, tags, description")
	return c.err()
}
