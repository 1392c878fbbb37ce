package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EFlagsExperimentsAnnotationsWebhooksAlerts runs the second part of
// the management surface through the built binary over stdio against the
// stateful fake: round trips, a lifecycle step refused by status, a
// ruleset refused before sending, and a webhook password never shown.
func TestE2EFlagsExperimentsAnnotationsWebhooksAlerts(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := append(fakeEnv(t, srv), "MP_WORKSPACE_ID="+mixpaneltest.WorkspaceID)
	c := startStdio(t, env, "--toolsets", "flags,experiments,annotations,webhooks,alerts")

	ok := func(name string, args map[string]any) (string, map[string]any) {
		t.Helper()
		res := callTool(t, c, name, args)
		text := textOf(t, res)
		require.False(t, res.IsError, "%s: %s", name, text)
		var out struct {
			Result map[string]any `json:"result"`
		}
		decodeStructured(t, res.StructuredContent, &out)
		return text, out.Result
	}
	fail := func(name string, args map[string]any) string {
		t.Helper()
		res := callTool(t, c, name, args)
		require.True(t, res.IsError, "%s succeeded: %s", name, textOf(t, res))
		return textOf(t, res)
	}

	// Flags: create with the reference's defaults, refuse a bad split.
	text, flag := ok("create_feature_flag", map[string]any{"name": "New checkout", "key": "new_checkout"})
	assert.Contains(t, text, `Created feature flag`)
	assert.Contains(t, text, "https://mixpanel.com/project/12345/view/"+mixpaneltest.WorkspaceID+"/app/feature-flags/")
	assert.Equal(t, "disabled", flag["status"])
	assert.Contains(t, fail("update_feature_flag", map[string]any{"flag_id": flag["id"], "name": "New checkout", "key": "new_checkout", "status": "enabled",
		"ruleset": map[string]any{"variants": []any{
			map[string]any{"key": "on", "value": true, "split": 0.5, "is_control": false, "is_sticky": false},
			map[string]any{"key": "off", "value": false, "split": 0.6, "is_control": true, "is_sticky": false}}, "rollout": []any{}}}),
		"the splits add up to 1.1")
	text, _ = ok("list_feature_flags", map[string]any{})
	assert.Contains(t, text, "new_checkout")

	// Experiments: a draft cannot be concluded; launch, conclude, decide.
	_, exp := ok("create_experiment", map[string]any{"name": "One-page checkout"})
	id := exp["id"]
	assert.Contains(t, fail("conclude_experiment", map[string]any{"experiment_id": id}), "is draft, so it cannot be concluded")
	ok("launch_experiment", map[string]any{"experiment_id": id})
	assert.Contains(t, fail("launch_experiment", map[string]any{"experiment_id": id}), "is active, so it cannot be launched")
	ok("conclude_experiment", map[string]any{"experiment_id": id})
	_, decided := ok("decide_experiment", map[string]any{"experiment_id": id, "success": false, "message": "No lift"})
	assert.Equal(t, "fail", decided["status"])

	// Annotations with a tag.
	_, tag := ok("create_annotation_tag", map[string]any{"name": "releases"})
	ok("create_annotation", map[string]any{"date": "2026-11-20", "description": "Checkout v2 shipped", "tags": []any{tag["id"]}})
	text, _ = ok("list_annotations", map[string]any{"from_date": "2026-11-01", "to_date": "2026-11-30"})
	assert.Contains(t, text, "Checkout v2 shipped")
	assert.Contains(t, text, "releases")

	// Webhooks: the password goes to Mixpanel and nowhere else.
	const password = "e2e-webhook-s3cret"
	text, hook := ok("create_webhook", map[string]any{"name": "Warehouse", "url": "https://etl.example.org/in", "auth_type": "basic", "username": "bot", "password": password})
	assert.NotContains(t, text, password)
	text, _ = ok("list_webhooks", map[string]any{})
	assert.NotContains(t, text, password)
	assert.Contains(t, text, "Warehouse")
	assert.Contains(t, fail("update_webhook", map[string]any{"webhook_id": hook["id"], "url": "http://etl.example.org/in"}), "url: MG4")
	ok("delete_webhook", map[string]any{"webhook_id": hook["id"]})

	// Alerts on a saved report.
	_, alert := ok("create_alert", map[string]any{"bookmark_id": 612, "name": "Checkout drop", "condition": map[string]any{"op": "<", "value": 100},
		"frequency": 86400, "subscriptions": []any{map[string]any{"type": "email", "value": "oncall@example.org"}}})
	text, _ = ok("get_alert", map[string]any{"alert_id": alert["id"]})
	assert.Contains(t, text, "frequency: 86400")
	ok("delete_alert", map[string]any{"alert_id": alert["id"]})
	text, _ = ok("list_alerts", map[string]any{})
	assert.True(t, strings.HasPrefix(text, "0 of 0"), text)
}
