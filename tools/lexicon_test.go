package tools

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestLexiconRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)

	up := mustOK(t, callTool(t, env, "update_event_definition", `{"name":"Login","description":"A user signed in","tags":["auth"],"verified":true}`))
	if !strings.HasPrefix(up, `Updated event 9002 "Login".`) || !strings.Contains(up, "/app/lexicon#events/9002") {
		t.Fatalf("update text: %s", up)
	}
	got := mustOK(t, callTool(t, env, "get_event_definitions", `{"names":["Login"]}`))
	if !strings.Contains(got, "A user signed in") || !strings.Contains(got, "auth") {
		t.Fatalf("get after update: %s", got)
	}
	if tags := mustOK(t, callTool(t, env, "list_lexicon_tags", `{}`)); !strings.Contains(tags, "auth") || !strings.Contains(tags, "commerce") {
		t.Fatalf("tags after update: %s", tags)
	}
	if h := mustOK(t, callTool(t, env, "get_event_history", `{"event_name":"Login"}`)); !strings.Contains(h, "description") {
		t.Fatalf("history: %s", h)
	}

	bulk := mustOK(t, callConfirmed(t, env, "bulk_update_property_definitions", `{"properties":[{"name":"$email","resource_type":"user","sensitive":true},{"name":"search_term","resource_type":"event","sensitive":true}]}`))
	if !strings.Contains(bulk, `property 8000`) && !strings.Contains(bulk, "search_term") {
		t.Fatalf("bulk text: %s", bulk)
	}
	if !strings.Contains(bulk, "/app/lexicon#properties/") {
		t.Fatalf("bulk result lacks Lexicon links: %s", bulk)
	}
	props := mustOK(t, callTool(t, env, "get_property_definitions", `{"names":["search_term"]}`))
	if !strings.Contains(props, "| search_term | Event |  | false | false | true |") {
		t.Fatalf("property after bulk update: %s", props)
	}

	tag := mustOK(t, callTool(t, env, "create_lexicon_tag", `{"name":"deprecated"}`))
	if !strings.Contains(tag, `"deprecated"`) {
		t.Fatalf("create tag: %s", tag)
	}
	if msg := mustFail(t, callTool(t, env, "create_lexicon_tag", `{"name":"deprecated"}`)); !strings.Contains(msg, "already exists") {
		t.Fatalf("duplicate tag: %s", msg)
	}
	mustOK(t, callTool(t, env, "delete_lexicon_tag", `{"name":"auth"}`))
	if got := mustOK(t, callTool(t, env, "get_event_definitions", `{"names":["Login"]}`)); strings.Contains(got, "auth") {
		t.Fatalf("tag still on the event after delete: %s", got)
	}

	mustOK(t, callConfirmed(t, env, "delete_event_definition", `{"name":"Login"}`))
	if got := mustOK(t, callTool(t, env, "get_event_definitions", `{"names":["Login"]}`)); strings.Contains(got, "Login") {
		t.Fatalf("definition still listed after delete: %s", got)
	}
	if msg := mustFail(t, callTool(t, env, "update_event_definition", `{"name":"Login","hidden":true}`)); !strings.Contains(msg, "404") {
		t.Fatalf("update after delete: %s", msg)
	}
}

// A name with "/" travels as one path segment.
func TestLexiconHistoryEscapesNames(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Events = append(srv.Data.Events, mixpaneltest.Event{Name: "Page/View"})
	env := testEnv(t, srv)
	mustOK(t, callTool(t, env, "get_event_history", `{"event_name":"Page/View"}`))
	var raw string
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/history/") {
			raw = r.RawPath
		}
	}
	if !strings.HasSuffix(raw, "/data-definitions/events/Page%2FView/history/") {
		t.Fatalf("sent path %q", raw)
	}
}

func TestLexiconInputsAreCheckedBeforeSending(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for _, tc := range []struct{ tool, args, want string }{
		{"update_event_definition", `{"name":"Login"}`, "MG1"},
		{"update_property_definition", `{"name":"plan","resource_type":"people","hidden":true}`, "resource_type: MG6"},
		{"bulk_update_event_definitions", `{"events":[{"hidden":true}]}`, "events[0].name: MG1"},
		{"bulk_update_event_definitions", `{"events":[{"name":"Login"}]}`, "events[0].hidden: MG1"},
		{"bulk_update_property_definitions", `{"properties":[{"name":"plan","sensitive":true}]}`, "properties[0].resource_type: MG1"},
		{"get_property_history", `{"property_name":"plan","entity_type":"people"}`, "entity_type: MG6"},
		{"export_lexicon", `{"export_types":["Everything"]}`, "export_types[0]: MG6"},
		{"create_lexicon_tag", `{"name":""}`, "name: MG1"},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			before := len(srv.Requests())
			msg := mustFail(t, callTool(t, env, tc.tool, tc.args))
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not name %q", msg, tc.want)
			}
			if n := len(srv.Requests()) - before; n != 0 {
				t.Errorf("%d requests sent for invalid input", n)
			}
		})
	}
}

// TestLexiconWritesAskTheUser: a delete and a bulk update show the names
// they change; a decline or cancel sends no write.
func TestLexiconWritesAskTheUser(t *testing.T) {
	calls := []struct {
		tool   string
		args   map[string]any
		method string
		shows  []string
	}{
		{"delete_event_definition", map[string]any{"name": "Login"}, http.MethodDelete, []string{`event 9002 "Login"`}},
		{"bulk_update_event_definitions", map[string]any{"events": []any{map[string]any{"name": "Login", "hidden": true}, map[string]any{"id": 9003, "dropped": true}}}, http.MethodPatch, []string{`event "Login": hidden=true`, `event id 9003: dropped=true`}},
		{"bulk_update_property_definitions", map[string]any{"properties": []any{map[string]any{"name": "$email", "resource_type": "user", "sensitive": true}}}, http.MethodPatch, []string{`user property "$email": sensitive=true`}},
	}
	for _, op := range calls {
		for _, tc := range []struct {
			action mcp.ElicitationResponseAction
			sent   bool
		}{
			{mcp.ElicitationResponseActionAccept, true},
			{mcp.ElicitationResponseActionDecline, false},
			{mcp.ElicitationResponseActionCancel, false},
		} {
			t.Run(op.tool+"/"+string(tc.action), func(t *testing.T) {
				srv := mixpaneltest.New(t)
				env := testEnv(t, srv)
				h := &elicit{action: tc.action}
				c := sessionFor(t, env, h, ToolsetLexicon)
				res := call(t, c, op.tool, op.args)
				text := resultText(t, res)
				if res.IsError {
					t.Fatalf("error: %s", text)
				}
				if len(h.asked) != 1 {
					t.Fatalf("asked %d times", len(h.asked))
				}
				for _, want := range op.shows {
					if !strings.Contains(h.asked[0], want) {
						t.Errorf("the user was asked %q, which does not show %q", h.asked[0], want)
					}
				}
				sent := false
				for _, r := range srv.Requests() {
					sent = sent || r.Method == op.method
				}
				if sent != tc.sent {
					t.Errorf("%s sent = %v, want %v (%s)", op.method, sent, tc.sent, text)
				}
			})
		}
	}
}

func TestAuditLexiconQuality(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Events = append(srv.Data.Events,
		mixpaneltest.Event{Name: "product_viewed", Properties: []string{"customer_email"}},
		mixpaneltest.Event{Name: "Banner Click", Description: "Retired banner"})
	srv.Data.EventProperties = append(srv.Data.EventProperties, mixpaneltest.Property{Name: "customer_email", Description: "Who bought"})
	srv.Data.DailyCounts = map[string]map[string]int{"Banner Click": {}}
	env := testEnv(t, srv)

	text := mustOK(t, callTool(t, env, "audit_lexicon_quality", `{"checks":["duplicates","pii","stale"],"days":14}`))
	for _, want := range []string{
		"duplicates, event: near-duplicate names (spacing)", "| Product Viewed |", "| product_viewed |",
		"pii, property: looks like e-mail addresses", "| customer_email | event |",
		"stale, event: no events from", "| Banner Click |", "bulk_update_event_definitions",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("audit lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "descriptions,") {
		t.Errorf("a check that was not asked for ran:\n%s", text)
	}
	one := mustOK(t, callTool(t, env, "audit_lexicon_quality", `{"checks":["descriptions"],"limit":2}`))
	if !strings.Contains(one, "more; pass a higher limit") {
		t.Errorf("members not cut to the limit:\n%s", one)
	}
	if msg := mustFail(t, callTool(t, env, "audit_lexicon_quality", `{"checks":["typos"]}`)); !strings.Contains(msg, "checks[0]") {
		t.Errorf("bad check: %s", msg)
	}
}
