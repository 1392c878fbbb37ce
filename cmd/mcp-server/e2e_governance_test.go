package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2ELookupTableUpload uploads a lookup table from inline CSV through
// the built binary over stdio: upload-url, the signed PUT (no credentials),
// the form registration and the status polling
// with progress notifications, to success; the table is then listed and
// its CSV read back, and the signed URL appears in no result or log line.
func TestE2ELookupTableUpload(t *testing.T) {
	srv := mixpaneltest.New(t)
	var log syncBuffer
	c := startStdioCapture(t, fakeEnv(t, srv), &log, "--toolsets", "governance", "--log-level", "debug")

	var mu sync.Mutex
	var progress []string
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/progress" {
			mu.Lock()
			defer mu.Unlock()
			msg, _ := n.Params.AdditionalFields["message"].(string)
			progress = append(progress, msg)
		}
	})
	csv := "store_id,region,country\nS-01,North,DE\nS-02,South,IT\n"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "upload_lookup_table"
	req.Params.Arguments = map[string]any{"name": "Store regions", "csv": csv, "poll_interval": 0.05}
	req.Params.Meta = &mcp.Meta{ProgressToken: "upload-1"}
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err)
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	assert.Contains(t, text, `Uploaded lookup table`)
	assert.Contains(t, text, `"Store regions"`)
	assert.Contains(t, text, "https://mixpanel.com/project/12345/app/lexicon#lookup-tables/")
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(progress) >= 5
	}, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	assert.Contains(t, strings.Join(progress, "\n"), "Mixpanel is processing the table (STARTED")
	mu.Unlock()

	var put *mixpaneltest.Request
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPut {
			put = &r
		}
	}
	require.NotNil(t, put, "no signed PUT")
	assert.True(t, strings.HasPrefix(put.Path, mixpaneltest.SignedPrefix))
	assert.Empty(t, put.AuthType, "the signed PUT carried credentials")
	assert.Equal(t, csv, string(put.Body))

	list := textOf(t, callTool(t, c, "list_lookup_tables", map[string]any{}))
	assert.Contains(t, list, "Store regions")
	id := strings.TrimSpace(strings.SplitN(strings.SplitN(text, "lookup table ", 2)[1], " ", 2)[0])
	down := textOf(t, callTool(t, c, "download_lookup_table", map[string]any{"data_group_id": id, "limit": 1}))
	assert.Equal(t, "store_id,region,country\nS-01,North,DE", down)

	u := textOf(t, callTool(t, c, "get_lookup_upload_url", map[string]any{}))
	for _, s := range []string{text, list, u, log.String()} {
		assert.NotContains(t, s, "X-Goog-Signature")
	}
}
