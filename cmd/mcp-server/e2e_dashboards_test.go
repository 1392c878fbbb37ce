package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EDashboards runs a dashboard's life through the built binary over
// stdio against the stateful fake: create it with a text card, a report
// built inline from a typed query and one from a dry run's params; list it,
// read it, change it, delete it.
func TestE2EDashboards(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "query,dashboards")

	dry := callTool(t, c, "query_funnel", map[string]any{"steps": []any{"Signup", "Purchase"}, "last": 14, "dry_run": true})
	require.False(t, dry.IsError, textOf(t, dry))
	var dryOut struct {
		Params map[string]any `json:"params"`
	}
	decodeStructured(t, dry.StructuredContent, &dryOut)

	res := callTool(t, c, "create_dashboard", map[string]any{
		"title": "Growth", "description": "Signups and what follows",
		"rows": []any{
			map[string]any{"contents": []any{map[string]any{"content_type": "text", "content_params": map[string]any{"markdown": "<h2>Growth</h2>\n<p>Weekly review</p>"}}}},
			map[string]any{"contents": []any{
				map[string]any{"content_type": "report", "content_params": map[string]any{"bookmark": map[string]any{
					"name": "Daily signups", "insights": map[string]any{"events": "Signup", "unit": "day", "last": 30}}}},
				map[string]any{"content_type": "report", "content_params": map[string]any{"bookmark": map[string]any{
					"name": "Signup to purchase", "type": "funnels", "params": dryOut.Params}}},
			}},
		},
	})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	var created struct {
		Action string `json:"action"`
		URL    string `json:"url"`
		Result struct {
			ID     int64           `json:"id"`
			Title  string          `json:"title"`
			Layout json.RawMessage `json:"layout"`
		} `json:"result"`
	}
	decodeStructured(t, res.StructuredContent, &created)
	id := created.Result.ID
	assert.Equal(t, "created", created.Action)
	assert.Equal(t, fmt.Sprintf("https://mixpanel.com/project/12345/app/boards#id=%d", id), created.URL)
	assert.Contains(t, text, fmt.Sprintf(`Created dashboard %d "Growth".`, id))

	// Mixpanel got the reports' params as JSON strings; the fake stored
	// them as the reports of the dashboard.
	reports := srv.Store.List("projects/12345", "bookmarks")
	require.Len(t, reports, 2)
	assert.Equal(t, "insights", reports[0]["type"])
	assert.Equal(t, "funnels", reports[1]["type"])
	wantFunnel, _ := json.Marshal(dryOut.Params)
	gotFunnel, _ := json.Marshal(reports[1]["params"])
	assert.JSONEq(t, string(wantFunnel), string(gotFunnel), "the dry run's params are the report's")

	list := callTool(t, c, "list_dashboards", map[string]any{})
	require.False(t, list.IsError, textOf(t, list))
	assert.Contains(t, textOf(t, list), "| Growth |")

	got := callTool(t, c, "get_dashboard", map[string]any{"dashboard_id": id})
	require.False(t, got.IsError, textOf(t, got))
	var dash struct {
		Result struct {
			Layout struct {
				Order []string `json:"order"`
				Rows  map[string]struct {
					Cells []struct {
						Width       int    `json:"width"`
						ContentType string `json:"content_type"`
					} `json:"cells"`
				} `json:"rows"`
			} `json:"layout"`
			Contents struct {
				Text map[string]struct {
					Markdown string `json:"markdown"`
				} `json:"text"`
			} `json:"contents"`
		} `json:"result"`
	}
	decodeStructured(t, got.StructuredContent, &dash)
	require.Len(t, dash.Result.Layout.Order, 2)
	second := dash.Result.Layout.Rows[dash.Result.Layout.Order[1]].Cells
	require.Len(t, second, 2)
	assert.Equal(t, 6, second[0].Width, "two reports share the 12 columns")
	for _, card := range dash.Result.Contents.Text {
		assert.Equal(t, "<h2>Growth</h2><p>Weekly review</p>", card.Markdown, "newlines are stripped before sending")
	}

	upd := callTool(t, c, "update_dashboard", map[string]any{"dashboard_id": id, "title": "Growth (weekly)",
		"content": map[string]any{"action": "create", "content_type": "text", "content_params": map[string]any{"markdown": "<p>Numbers exclude refunds.</p>"}}})
	require.False(t, upd.IsError, textOf(t, upd))
	assert.Contains(t, textOf(t, upd), fmt.Sprintf(`Updated dashboard %d "Growth (weekly)".`, id))

	bad := callTool(t, c, "update_dashboard", map[string]any{"dashboard_id": id, "layout": map[string]any{
		"rows_order": []any{"r"}, "rows": []any{map[string]any{"id": "r", "cells": []any{map[string]any{"id": "c", "width": 5, "content_id": 1, "content_type": "text"}}}}}})
	require.True(t, bad.IsError)
	assert.Contains(t, textOf(t, bad), "layout.rows[0].cells: D6:")

	del := callTool(t, c, "delete_dashboard", map[string]any{"dashboard_id": id})
	require.False(t, del.IsError, textOf(t, del))
	assert.Contains(t, textOf(t, del), fmt.Sprintf("Deleted dashboard %d.", id))

	gone := callTool(t, c, "get_dashboard", map[string]any{"dashboard_id": id})
	require.True(t, gone.IsError)
	assert.Contains(t, textOf(t, gone), "404")
}

func decodeStructured(t *testing.T, v any, out any) {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, out), string(raw))
}
