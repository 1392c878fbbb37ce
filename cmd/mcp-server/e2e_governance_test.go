package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2ESchemasAndDeletions runs the schema registry and a GDPR deletion
// through the built binary over stdio: a schema created and deleted (and a
// name without a type refused), a deletion previewed, refused without its
// confirmation, then requested with it, listed and cancelled.
func TestE2ESchemasAndDeletions(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "governance")
	run := func(name string, args map[string]any) (string, bool) {
		t.Helper()
		res := callTool(t, c, name, args)
		return textOf(t, res), res.IsError
	}

	text, failed := run("create_schema", map[string]any{"entity_type": "event", "entity_name": "Checkout Started",
		"schema_json": map[string]any{"properties": map[string]any{"amount": map[string]any{"type": "number"}}}})
	require.False(t, failed, text)
	text, failed = run("delete_schemas", map[string]any{"entity_name": "Checkout Started"})
	require.True(t, failed, "a name without a type deletes every schema and must be refused: %s", text)
	assert.Contains(t, text, "entity_type")
	text, failed = run("delete_schemas", map[string]any{"entity_type": "event", "entity_name": "Checkout Started"})
	require.True(t, failed, "irreversible: refused until confirmed: %s", text)
	assert.Contains(t, text, `call again with confirm "delete event schema Checkout Started"`)
	assert.Len(t, srv.Store.List("projects/"+mixpaneltest.ProjectID, "schemas"), 1, "nothing was deleted")
	text, failed = run("delete_schemas", map[string]any{"entity_type": "event", "entity_name": "Checkout Started", "confirm": "delete event schema Checkout Started"})
	require.False(t, failed, text)
	assert.Empty(t, srv.Store.List("projects/"+mixpaneltest.ProjectID, "schemas"))

	today := time.Now().UTC().Format(time.DateOnly)
	from := time.Now().UTC().AddDate(0, 0, -7).Format(time.DateOnly)
	deletion := map[string]any{"event_name": "Sign Up", "from_date": from, "to_date": today,
		"filters": map[string]any{"filterType": "string", "filterOperator": "equals", "filterValue": "$email", "value": "$email", "values": []any{"a@example.org"}}}
	text, failed = run("preview_deletion_filters", deletion)
	require.False(t, failed, text)
	assert.Contains(t, text, "a@example.org")
	text, failed = run("create_deletion_request", deletion)
	require.True(t, failed, "a deletion without its confirmation must be refused: %s", text)
	assert.Contains(t, text, "confirm: MG1")
	assert.Empty(t, srv.Store.List("projects/"+mixpaneltest.ProjectID, "deletion-requests"), "nothing was sent")
	deletion["confirm"] = fmt.Sprintf("Sign Up %s..%s", from, today)
	text, failed = run("create_deletion_request", deletion)
	require.False(t, failed, text)
	assert.Contains(t, text, "Submitted")
	stored := srv.Store.List("projects/"+mixpaneltest.ProjectID, "deletion-requests")
	require.Len(t, stored, 1)
	text, failed = run("cancel_deletion_request", map[string]any{"id": stored[0]["id"]})
	require.False(t, failed, text)
	assert.Empty(t, srv.Store.List("projects/"+mixpaneltest.ProjectID, "deletion-requests"))
}
