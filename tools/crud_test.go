package tools

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestAnnotationsRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tag := mustOK(t, callTool(t, env, "create_annotation_tag", `{"name":"launches"}`))
	var tagRes struct{ Result struct{ ID int64 } }
	if !strings.Contains(tag, `"launches"`) {
		t.Fatalf("tag result: %s", tag)
	}
	structured(t, callTool(t, env, "create_annotation_tag", `{"name":"outages"}`), &tagRes)

	created := mustOK(t, callTool(t, env, "create_annotation", fmt.Sprintf(`{"date":"2026-11-20","description":"v2 launch","tags":[%d]}`, tagRes.Result.ID)))
	if !strings.HasPrefix(created, `Created annotation`) || !strings.Contains(created, "https://mixpanel.com/project/"+mixpaneltest.ProjectID+"/app/settings#project/annotations") {
		t.Fatalf("create text: %s", created)
	}
	var a struct{ Result struct{ ID int64 } }
	structured(t, callTool(t, env, "create_annotation", `{"date":"2026-10-01","description":"old"}`), &a)

	list := mustOK(t, callTool(t, env, "list_annotations", `{"from_date":"2026-11-01","to_date":"2026-11-30"}`))
	if !strings.Contains(list, "v2 launch") || strings.Contains(list, "old") || !strings.Contains(list, "outages") {
		t.Fatalf("list in range: %s", list)
	}
	mustOK(t, callTool(t, env, "update_annotation", fmt.Sprintf(`{"annotation_id":%d,"description":"older"}`, a.Result.ID)))
	if got := mustOK(t, callTool(t, env, "get_annotation", fmt.Sprintf(`{"annotation_id":%d}`, a.Result.ID))); !strings.Contains(got, "description: older") {
		t.Fatalf("get after update: %s", got)
	}
	mustOK(t, callTool(t, env, "delete_annotation", fmt.Sprintf(`{"annotation_id":%d}`, a.Result.ID)))
	if msg := mustFail(t, callTool(t, env, "get_annotation", fmt.Sprintf(`{"annotation_id":%d}`, a.Result.ID))); !strings.Contains(msg, "404") {
		t.Fatalf("get after delete: %s", msg)
	}
}

func TestManagementInputsAreCheckedBeforeSending(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for _, tc := range []struct{ tool, args, want string }{
		{"create_annotation", `{"date":"27/11/2026","description":"x"}`, "date: MG2"},
		{"create_annotation", `{"date":"2026-11-27","description":"` + strings.Repeat("x", 513) + `"}`, "description: MG3"},
		{"update_annotation", `{"annotation_id":5}`, "MG1"},
		{"list_annotations", `{"from_date":"2026-11-30","to_date":"2026-11-01"}`, "from_date: MG2"},
		{"create_webhook", `{"name":"w","url":"http://example.com/hook"}`, "url: MG4"},
		{"create_webhook", `{"name":"w","url":"https://example.com/hook","auth_type":"digest"}`, "auth_type: MG6"},
		{"update_webhook", `{"webhook_id":"x"}`, "MG1"},
		{"test_webhook", `{"url":"ftp://example.com"}`, "url: MG4"},
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

func TestWebhookPasswordNeverShown(t *testing.T) {
	const secret = "hunter2-very-secret"
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "create_webhook", `{"name":"ETL","url":"https://etl.example.org/in","auth_type":"basic","username":"bot","password":"`+secret+`"}`)
	text := mustOK(t, res)
	raw, _ := json.Marshal(res.StructuredContent)
	if strings.Contains(text, secret) || strings.Contains(string(raw), secret) {
		t.Fatalf("password in the result: %s %s", text, raw)
	}
	if last := srv.Requests()[len(srv.Requests())-1]; !strings.Contains(string(last.Body), secret) {
		t.Fatalf("the password was not sent to Mixpanel: %s", last.Body)
	}
	list := mustOK(t, callTool(t, env, "list_webhooks", `{}`))
	if strings.Contains(list, secret) || !strings.Contains(list, "ETL") {
		t.Fatalf("list: %s", list)
	}
	// An error that echoes the request must not carry the password either.
	srv.Fail(mixpaneltest.Failure{Method: http.MethodPost, Status: 400, Body: `{"error":{"password":["` + secret + ` is too weak"]},"status":"error"}`})
	msg := mustFail(t, callTool(t, env, "create_webhook", `{"name":"ETL","url":"https://etl.example.org/in","auth_type":"basic","username":"bot","password":"`+secret+`"}`))
	if strings.Contains(msg, secret) || !strings.Contains(msg, "too weak") {
		t.Fatalf("error text: %s", msg)
	}
}

// TestDeleteAsksTheUser drives a delete through a real MCP session whose
// client supports elicitation: the user sees the annotation's name, and a
// decline or cancel sends no delete.
func TestDeleteAsksTheUser(t *testing.T) {
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		deleted bool
		note    string
	}{
		{mcp.ElicitationResponseActionAccept, true, "Confirmed by the user"},
		{mcp.ElicitationResponseActionDecline, false, "The user declined; nothing was changed"},
		{mcp.ElicitationResponseActionCancel, false, "The user cancelled; nothing was changed"},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			var a struct{ Result struct{ ID int64 } }
			structured(t, callTool(t, env, "create_annotation", `{"date":"2026-11-20","description":"Black Friday"}`), &a)

			sent := callAsking(t, srv, env, ToolsetAnnotations, tc.action, "delete_annotation", map[string]any{"annotation_id": a.Result.ID}, []string{`"Black Friday"`}, tc.note)
			sentDelete := false
			for _, r := range sent {
				sentDelete = sentDelete || r.Method == http.MethodDelete
			}
			if sentDelete != tc.deleted {
				t.Errorf("DELETE sent = %v, want %v", sentDelete, tc.deleted)
			}
		})
	}
}

func TestAlertsRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	args := `{"bookmark_id":612,"name":"Cart spike","condition":{"op":">","value":250},"frequency":3600,"subscriptions":[{"type":"email","value":"oncall@example.org"}]}`
	var a struct{ Result struct{ ID int64 } }
	text := mustOK(t, callTool(t, env, "create_alert", args))
	if !strings.HasPrefix(text, `Created alert`) || !strings.Contains(text, `"Cart spike"`) || !strings.Contains(text, "/app/alerts#id=") {
		t.Fatalf("create: %s", text)
	}
	structured(t, callTool(t, env, "create_alert", strings.Replace(args, "Cart spike", "Second", 1)), &a)
	if list := mustOK(t, callTool(t, env, "list_alerts", `{"bookmark_id":612}`)); !strings.Contains(list, "2 of 2") || !strings.Contains(list, "Cart spike") {
		t.Fatalf("list: %s", list)
	}
	mustOK(t, callTool(t, env, "update_alert", fmt.Sprintf(`{"alert_id":%d,"paused":true,"frequency":86400}`, a.Result.ID)))
	if got := mustOK(t, callTool(t, env, "get_alert", fmt.Sprintf(`{"alert_id":%d}`, a.Result.ID))); !strings.Contains(got, "frequency: 86400") || !strings.Contains(got, "paused: true") {
		t.Fatalf("get after update: %s", got)
	}
	if got := mustOK(t, callTool(t, env, "get_alert_count", `{}`)); !strings.Contains(got, "anomaly_alerts_count: 2") {
		t.Fatalf("count: %s", got)
	}
	mustOK(t, callTool(t, env, "get_alert_history", fmt.Sprintf(`{"alert_id":%d,"page_size":5}`, a.Result.ID)))
	mustOK(t, callConfirmed(t, env, "bulk_delete_alerts", fmt.Sprintf(`{"alert_ids":[%d]}`, a.Result.ID)))
	if list := mustOK(t, callTool(t, env, "list_alerts", `{}`)); !strings.Contains(list, "1 of 1") || strings.Contains(list, "Second") {
		t.Fatalf("list after bulk delete: %s", list)
	}
	for _, bad := range []struct{ args, want string }{
		{strings.Replace(args, "3600", "60", 1), "frequency: MG6"},
		{strings.Replace(args, "Cart spike", strings.Repeat("n", 51), 1), "name: MG3"},
		{`{"alert_ids":[1],"bookmark_type":"retention","bookmark_params":{"sections":{}}}`, "bookmark_type: MG6"},
	} {
		tool := "create_alert"
		if strings.Contains(bad.args, "bookmark_type") {
			tool = "validate_alerts_for_bookmark"
		}
		if msg := mustFail(t, callTool(t, env, tool, bad.args)); !strings.Contains(msg, bad.want) {
			t.Errorf("%s: %q lacks %q", tool, msg, bad.want)
		}
	}
}
