package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The lexicon toolset: event and property definitions, their tags, history
// and export (wire reference §4.16), plus the data-quality audit
// (lexicon_quality.go). Deletes and bulk changes are confirmed by name.
func lexiconTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[eventDefsIn, List[mixpanel.EventDefinition]]{Name: "get_event_definitions", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc: "List Lexicon event definitions (description, hidden, dropped, verified, tags), by name or all.",
			Call: func(ctx context.Context, c *M, in eventDefsIn) (List[mixpanel.EventDefinition], error) {
				ds, err := c.GetEventDefinitions(ctx, in.GetEventDefinitionsParams)
				return paged(ds, in.Paging), err
			}}.Tool(),
		Op[mixpanel.UpdateEventDefinitionParams, mixpanel.EventDefinition]{Name: "update_event_definition", Toolset: ToolsetLexicon, Ann: Overwrite, Kind: "event", Action: "updated",
			Desc:   "Change an event's Lexicon entry (description, display name, tags, hidden, dropped, verified); absent fields stay.",
			Method: (*M).UpdateEventDefinition}.Tool(),
		Op[eventName, mixpanel.Empty]{Name: "delete_event_definition", Toolset: ToolsetLexicon, Ann: Destructive, Action: "deleted",
			Desc:   "Delete an event's Lexicon entry (its description, tags and flags).",
			Repeat: func(in eventName) string { return "delete event definition " + in.Name },
			Confirm: func(ctx context.Context, c *M, in eventName) (string, error) {
				ds, err := c.GetEventDefinitions(ctx, mixpanel.GetEventDefinitionsParams{Names: []string{in.Name}})
				if err != nil {
					return "", err
				}
				for _, d := range ds {
					if d.Name == in.Name {
						return fmt.Sprintf("Delete the Lexicon entry of %s (%s)%s", d.Ref(), flags(d.Hidden, d.Dropped, d.Verified, d.Tags), urlNote(c.WebURL("event", mixpanel.ID(d.ID)))), nil
					}
				}
				return fmt.Sprintf("Delete the Lexicon entry of event %q", in.Name), nil
			},
			Call: func(ctx context.Context, c *M, in eventName) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteEventDefinition(ctx, in.Name)
			}}.Tool(),
		Op[mixpanel.BulkUpdateEventsParams, List[linked[mixpanel.EventDefinition]]]{Name: "bulk_update_event_definitions", Toolset: ToolsetLexicon, Ann: Overwrite, Action: "updated",
			Desc: "Change many events' Lexicon entries at once (by name or id).",
			Repeat: func(in mixpanel.BulkUpdateEventsParams) string {
				return countOf("update", len(in.Events), "event definition", "event definitions")
			},
			Confirm: func(ctx context.Context, c *M, in mixpanel.BulkUpdateEventsParams) (string, error) {
				lines := make([]string, len(in.Events))
				for i, e := range in.Events {
					who := fmt.Sprintf("%q", e.Name)
					if e.Name == "" {
						who = fmt.Sprintf("id %d", e.ID)
					}
					lines[i] = "- event " + who + ": " + changes(e)
				}
				return fmt.Sprintf("Change %d Lexicon event entries:\n%s", len(in.Events), strings.Join(lines, "\n")), nil
			},
			Call: func(ctx context.Context, c *M, in mixpanel.BulkUpdateEventsParams) (List[linked[mixpanel.EventDefinition]], error) {
				ds, err := c.BulkUpdateEventDefinitions(ctx, in)
				return linkAll(c, "event", ds), err
			}}.Tool(),
		Op[propertyDefsIn, List[mixpanel.PropertyDefinition]]{Name: "get_property_definitions", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc: "List Lexicon property definitions (description, hidden, dropped, sensitive), by name and resource type.",
			Call: func(ctx context.Context, c *M, in propertyDefsIn) (List[mixpanel.PropertyDefinition], error) {
				ds, err := c.GetPropertyDefinitions(ctx, in.GetPropertyDefinitionsParams)
				return paged(ds, in.Paging), err
			}}.Tool(),
		Op[mixpanel.UpdatePropertyDefinitionParams, mixpanel.PropertyDefinition]{Name: "update_property_definition", Toolset: ToolsetLexicon, Ann: Overwrite, Kind: "property", Action: "updated",
			Desc:   "Change a property's Lexicon entry (description, display name, hidden, dropped, sensitive); absent fields stay.",
			Method: (*M).UpdatePropertyDefinition}.Tool(),
		Op[mixpanel.BulkUpdatePropertiesParams, List[linked[mixpanel.PropertyDefinition]]]{Name: "bulk_update_property_definitions", Toolset: ToolsetLexicon, Ann: Overwrite, Action: "updated",
			Desc: "Change many properties' Lexicon entries at once, e.g. mark personal data sensitive.",
			Repeat: func(in mixpanel.BulkUpdatePropertiesParams) string {
				return countOf("update", len(in.Properties), "property definition", "property definitions")
			},
			Confirm: func(ctx context.Context, c *M, in mixpanel.BulkUpdatePropertiesParams) (string, error) {
				lines := make([]string, len(in.Properties))
				for i, p := range in.Properties {
					lines[i] = fmt.Sprintf("- %s property %q: %s", p.ResourceType, p.Name, changes(p))
				}
				return fmt.Sprintf("Change %d Lexicon property entries:\n%s", len(in.Properties), strings.Join(lines, "\n")), nil
			},
			Call: func(ctx context.Context, c *M, in mixpanel.BulkUpdatePropertiesParams) (List[linked[mixpanel.PropertyDefinition]], error) {
				ds, err := c.BulkUpdatePropertyDefinitions(ctx, in)
				return linkAll(c, "property", ds), err
			}}.Tool(),
		Op[Paging, List[mixpanel.LexiconTag]]{Name: "list_lexicon_tags", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc: "List the Lexicon's tags.",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.LexiconTag], error) {
				ts, err := c.ListLexiconTags(ctx)
				return paged(ts, in), err
			}}.Tool(),
		Op[mixpanel.LexiconTagParams, mixpanel.LexiconTag]{Name: "create_lexicon_tag", Toolset: ToolsetLexicon, Ann: Write, Action: "created",
			Desc:   "Create a Lexicon tag.",
			Method: (*M).CreateLexiconTag}.Tool(),
		Op[updateTagIn, mixpanel.LexiconTag]{Name: "update_lexicon_tag", Toolset: ToolsetLexicon, Ann: Overwrite, Action: "updated",
			Desc: "Rename a Lexicon tag.",
			Call: func(ctx context.Context, c *M, in updateTagIn) (mixpanel.LexiconTag, error) {
				return c.UpdateLexiconTag(ctx, in.TagID, in.LexiconTagParams)
			}}.Tool(),
		Op[mixpanel.LexiconTagParams, mixpanel.Empty]{Name: "delete_lexicon_tag", Toolset: ToolsetLexicon, Ann: Destructive, Action: "deleted",
			Desc: "Delete a Lexicon tag by name; entries lose the tag.",
			Confirm: func(ctx context.Context, c *M, in mixpanel.LexiconTagParams) (string, error) {
				return fmt.Sprintf("Delete Lexicon tag %q; every event and property loses it", in.Name), nil
			},
			Call: func(ctx context.Context, c *M, in mixpanel.LexiconTagParams) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteLexiconTag(ctx, in.Name)
			}}.Tool(),
		Op[trackedEvent, json.RawMessage]{Name: "get_tracking_metadata", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc: "How an event is tracked: sources, SDK versions, platforms, last seen.",
			Call: func(ctx context.Context, c *M, in trackedEvent) (json.RawMessage, error) {
				return c.GetTrackingMetadata(ctx, in.EventName)
			}}.Tool(),
		Op[trackedEvent, []json.RawMessage]{Name: "get_event_history", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc: "Changes made to an event's Lexicon entry, oldest first.",
			Call: func(ctx context.Context, c *M, in trackedEvent) ([]json.RawMessage, error) {
				return c.GetEventHistory(ctx, in.EventName)
			}}.Tool(),
		Op[mixpanel.PropertyHistoryParams, []json.RawMessage]{Name: "get_property_history", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc:   "Changes made to a property's Lexicon entry.",
			Method: (*M).GetPropertyHistory}.Tool(),
		Op[mixpanel.ExportLexiconParams, json.RawMessage]{Name: "export_lexicon", Toolset: ToolsetLexicon, Ann: ReadOnly,
			Desc:   "Export the Lexicon's definitions (a large project's export is queued and mailed).",
			Method: (*M).ExportLexicon}.Tool(),
	}
}

type eventDefsIn struct {
	mixpanel.GetEventDefinitionsParams
	Paging
}

type propertyDefsIn struct {
	mixpanel.GetPropertyDefinitionsParams
	Paging
}

type eventName struct {
	Name string `json:"name" jsonschema:"minLength=1,description=Event name"`
}

type trackedEvent struct {
	EventName string `json:"event_name" jsonschema:"minLength=1"`
}

type updateTagIn struct {
	TagID int64 `json:"tag_id" jsonschema:"minimum=1,description=Tag id (list_lexicon_tags)"`
	mixpanel.LexiconTagParams
}

// linked is an entity with its page in the web app.
type linked[E any] struct {
	Ref    string `json:"-" col:"entry"`
	Entity E      `json:"entity"`
	URL    string `json:"url,omitempty" col:"url"`
}

func linkAll[E interface{ Ref() mixpanel.Ref }](c *mixpanel.Client, kind string, items []E) List[linked[E]] {
	out := make([]linked[E], len(items))
	for i, e := range items {
		out[i] = linked[E]{Ref: e.Ref().String(), Entity: e, URL: c.WebURL(kind, e.Ref().ID)}
	}
	return List[linked[E]]{Items: out, Total: len(out)}
}

// flags describes an entry's state for a confirmation.
func flags(hidden, dropped, verified bool, tags []string) string {
	var s []string
	if hidden {
		s = append(s, "hidden")
	}
	if dropped {
		s = append(s, "dropped")
	}
	if verified {
		s = append(s, "verified")
	}
	if len(tags) > 0 {
		s = append(s, "tags "+strings.Join(tags, ", "))
	}
	if len(s) == 0 {
		return "no flags or tags"
	}
	return strings.Join(s, "; ")
}

func urlNote(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

// changes lists the fields an entry sets, as "field=value" pairs.
func changes(v any) string {
	raw, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	var out []string
	for _, k := range sortedKeys(m) {
		if k == "name" || k == "id" || k == "resource_type" {
			continue
		}
		b, _ := json.Marshal(m[k])
		out = append(out, k+"="+string(b))
	}
	return strings.Join(out, ", ")
}
