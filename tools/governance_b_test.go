package tools

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestDeletionRequestsAgainstTheFake: without elicitation a GDPR deletion
// needs the confirm argument repeating event and days; a wrong or missing
// one sends nothing; a right one creates the request, which lists and
// cancels.
func TestDeletionRequestsAgainstTheFake(t *testing.T) {
	today := mixpanel.Today().Format(time.DateOnly)
	from := mixpanel.Today().AddDate(0, 0, -10).Format(time.DateOnly)
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	args := func(confirm string) string {
		return fmt.Sprintf(`{"event_name":"Sign Up","from_date":%q,"to_date":%q,"filters":{"filterType":"string","filterOperator":"equals","filterValue":"$email","value":"$email","values":["a@example.org"]}%s}`, from, today, confirm)
	}
	posts := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Method == http.MethodPost {
				n++
			}
		}
		return n
	}
	preview := mustOK(t, callTool(t, env, "preview_deletion_filters", args("")))
	if !strings.Contains(preview, "a@example.org") {
		t.Fatalf("preview: %s", preview)
	}
	before := posts()
	if msg := mustFail(t, callTool(t, env, "create_deletion_request", args(""))); !strings.Contains(msg, "confirm: MG1") {
		t.Errorf("no confirmation: %s", msg)
	}
	if msg := mustFail(t, callTool(t, env, "create_deletion_request", args(`,"confirm":"Sign Up 2020-01-01..2020-01-02"`))); !strings.Contains(msg, "confirm: MG5") {
		t.Errorf("wrong confirmation: %s", msg)
	}
	if posts() != before {
		t.Fatal("a deletion was sent without its confirmation")
	}
	created := mustOK(t, callTool(t, env, "create_deletion_request", args(fmt.Sprintf(`,"confirm":"Sign Up %s..%s"`, from, today))))
	if !strings.Contains(created, "Submitted") {
		t.Fatalf("create: %s", created)
	}
	var l struct {
		Result List[mixpanel.EventDeletionRequest]
	}
	structured(t, callTool(t, env, "list_deletion_requests", `{}`), &l)
	if len(l.Result.Items) != 1 || l.Result.Items[0].EventName != "Sign Up" {
		t.Fatalf("list: %+v", l.Result)
	}
	mustOK(t, callTool(t, env, "cancel_deletion_request", fmt.Sprintf(`{"id":%d}`, l.Result.Items[0].ID)))
	if list := mustOK(t, callTool(t, env, "list_deletion_requests", `{}`)); !strings.HasPrefix(list, "0 of 0") {
		t.Fatalf("after cancel: %s", list)
	}
	if msg := mustFail(t, callTool(t, env, "create_deletion_request", fmt.Sprintf(`{"event_name":"Sign Up","from_date":%q,"to_date":%q,"confirm":"x"}`,
		mixpanel.Today().AddDate(0, 0, -200).Format(time.DateOnly), today))); !strings.Contains(msg, "from_date: MG2") {
		t.Errorf("200 days back: %s", msg)
	}
}

// TestSchemaRegistryAgainstTheFake: a schema is checked as draft-7 before
// it is sent, created, listed and deleted; a name without a type (which
// would delete every schema) is refused.
func TestSchemaRegistryAgainstTheFake(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	mustOK(t, callTool(t, env, "create_schema", `{"entity_type":"event","entity_name":"Checkout Started","schema_json":{"properties":{"amount":{"type":"number"}}}}`))
	mustOK(t, callTool(t, env, "create_schema", `{"entity_type":"profile","entity_name":"$user","schema_json":{"properties":{"plan":{"type":"string"}}}}`))
	if last := srv.Requests()[len(srv.Requests())-1]; last.Path != mixpaneltest.AppPrefix+"/projects/"+mixpaneltest.ProjectID+"/schemas/profile/$user" {
		t.Errorf("profile schema path %s", last.Path)
	}
	before := len(srv.Requests())
	if msg := mustFail(t, callTool(t, env, "create_schema", `{"entity_type":"event","entity_name":"X","schema_json":{"properties":{"amount":{"type":"money"}}}}`)); !strings.Contains(msg, "schema_json") {
		t.Errorf("invalid draft-7 schema: %s", msg)
	}
	if msg := mustFail(t, callTool(t, env, "delete_schemas", `{"entity_name":"Checkout Started"}`)); !strings.Contains(msg, "MG5") {
		t.Errorf("name without type: %s", msg)
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Fatalf("%d requests sent for refused inputs", n)
	}
	// The fake lists its seeded Lexicon schemas (the discovery tools read
	// them); what the writes stored is checked in its store.
	stored := func() string {
		var names []string
		for _, e := range srv.Store.List("projects/"+mixpaneltest.ProjectID, "schemas") {
			names = append(names, mixpaneltest.IDOf(e))
		}
		return strings.Join(names, ",")
	}
	if got := stored(); got != "event/Checkout Started,profile/$user" {
		t.Fatalf("stored schemas: %s", got)
	}
	if got := mustOK(t, callConfirmed(t, env, "delete_schemas", `{"entity_type":"event","entity_name":"Checkout Started"}`)); !strings.Contains(got, "delete_count: 1") {
		t.Fatalf("delete: %s", got)
	}
	if got := stored(); got != "profile/$user" {
		t.Fatalf("stored schemas after delete: %s", got)
	}
}

// TestDeletionAsksWithThePreview drives create_deletion_request through a
// real MCP session whose client supports elicitation: the user is shown
// Mixpanel's preview of the filters, and only an accept sends the request.
func TestDeletionAsksWithThePreview(t *testing.T) {
	today := mixpanel.Today().Format(time.DateOnly)
	from := mixpanel.Today().AddDate(0, 0, -3).Format(time.DateOnly)
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		created bool
	}{
		{mcp.ElicitationResponseActionAccept, true},
		{mcp.ElicitationResponseActionDecline, false},
		{mcp.ElicitationResponseActionCancel, false},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			h := &elicit{action: tc.action}
			c := sessionFor(t, env, h, ToolsetGovernance)
			ctx := context.Background()
			req := mcp.CallToolRequest{}
			req.Params.Name = "create_deletion_request"
			req.Params.Arguments = map[string]any{"event_name": "Sign Up", "from_date": from, "to_date": today,
				"filters": map[string]any{"filterType": "string", "filterOperator": "equals", "filterValue": "$email", "value": "$email", "values": []any{"a@example.org"}}}
			res, err := c.CallTool(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			text := resultText(t, res)
			if len(h.asked) != 1 || !strings.Contains(h.asked[0], `Permanently delete every "Sign Up" event from `+from) || !strings.Contains(h.asked[0], "a@example.org") {
				t.Fatalf("the user was asked %q", h.asked)
			}
			created := len(srv.Store.List("projects/"+mixpaneltest.ProjectID, "deletion-requests")) == 1
			if created != tc.created {
				t.Errorf("request created = %v, want %v; result %s", created, tc.created, text)
			}
			if !tc.created && !strings.Contains(text, "nothing was changed") {
				t.Errorf("result %q does not say nothing changed", text)
			}
		})
	}
}

// TestEnforcementAuditAnomaliesAgainstTheFake: enforcement is initialised,
// changed and deleted (asking nothing without elicitation); a rule outside
// the closed set is refused before sending; the audit reports the fake's
// undocumented events; anomalies are listed and dismissed.
func TestEnforcementAuditAnomaliesAgainstTheFake(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	before := len(srv.Requests())
	if msg := mustFail(t, callTool(t, env, "init_schema_enforcement", `{"rule_event":"Drop everything"}`)); !strings.Contains(msg, "rule_event") {
		t.Errorf("rule outside the set: %s", msg)
	}
	if len(srv.Requests()) != before {
		t.Fatal("a refused rule was sent")
	}
	mustOK(t, callTool(t, env, "init_schema_enforcement", `{"rule_event":"Warn and Hide"}`))
	mustOK(t, callTool(t, env, "update_schema_enforcement", `{"rule_event":"Warn and Drop"}`))
	if got := mustOK(t, callTool(t, env, "get_schema_enforcement", `{}`)); !strings.Contains(got, "Warn and Drop") {
		t.Fatalf("get after update: %s", got)
	}
	mustOK(t, callConfirmed(t, env, "delete_schema_enforcement", `{}`))
	if msg := mustFail(t, callTool(t, env, "get_schema_enforcement", `{}`)); !strings.Contains(msg, "404") {
		t.Fatalf("get after delete: %s", msg)
	}

	var undocumented []string
	for _, ev := range srv.Data.Events {
		if ev.Description == "" {
			undocumented = append(undocumented, ev.Name)
		}
	}
	audit := mustOK(t, callTool(t, env, "run_audit_events_only", `{}`))
	for _, name := range undocumented {
		if !strings.Contains(audit, name) {
			t.Errorf("audit lacks the undocumented event %q:\n%s", name, audit)
		}
	}

	var l struct {
		Result struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		} `json:"result"`
	}
	structured(t, callTool(t, env, "list_data_volume_anomalies", `{"status":"open"}`), &l)
	if len(l.Result.Items) == 0 {
		t.Fatal("no open anomalies")
	}
	mustOK(t, callTool(t, env, "update_anomaly", fmt.Sprintf(`{"id":%d,"status":"dismissed","anomaly_class":"Event"}`, l.Result.Items[0].ID)))
	var after struct {
		Result struct {
			Items []any `json:"items"`
		} `json:"result"`
	}
	structured(t, callTool(t, env, "list_data_volume_anomalies", `{"status":"open"}`), &after)
	if len(after.Result.Items) != len(l.Result.Items)-1 {
		t.Fatalf("open anomalies %d -> %d after dismissing one", len(l.Result.Items), len(after.Result.Items))
	}
}
