package mixpanel

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// defaultQueryRowLimit is the queryLimits.limit the Insights endpoint gets.
const defaultQueryRowLimit = 3000

// QueryInsights posts bookmark params to {Q}/insights (insights, funnels and
// retention all run there) and returns the raw answer. A 200 whose body
// carries a top-level "error" is a failure, as is one without "series".
func (c *Client) QueryInsights(ctx context.Context, bookmark any) (json.RawMessage, error) {
	return c.insights(ctx, bookmark, false)
}

// insights is QueryInsights; cacheable lets the answer come from (and go
// to) the discovery cache, for lookups repeated within seconds.
func (c *Client) insights(ctx context.Context, bookmark any, cacheable bool) (json.RawMessage, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	body := map[string]any{"project_id": pid, "bookmark": bookmark, "queryLimits": map[string]any{"limit": defaultQueryRowLimit}}
	return c.bookmarkQuery(ctx, "/insights", body, "series", cacheable)
}

// QueryArbFunnels posts flow params to {Q}/arb_funnels. queryType is
// flows_sankey, flows_top_paths or flows (tree).
func (c *Client) QueryArbFunnels(ctx context.Context, queryType string, bookmark any) (json.RawMessage, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	body := map[string]any{"project_id": pid, "query_type": queryType, "bookmark": bookmark}
	return c.bookmarkQuery(ctx, "/arb_funnels", body, "", false)
}

func (c *Client) bookmarkQuery(ctx context.Context, path string, body map[string]any, required string, cacheable bool) (json.RawMessage, error) {
	req := Request{Family: Query, Method: http.MethodPost, Path: path, Body: body, Safe: true, NoProjectParam: true, Cacheable: cacheable}
	if c.cfg.WorkspaceID != "" {
		req.Query = map[string][]string{"workspace_id": {c.cfg.WorkspaceID}}
	}
	raw, err := c.Raw(ctx, req)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, badAnswer(req.Method, path, "expected a JSON object")
	}
	if e, ok := top["error"]; ok && string(e) != "null" {
		return nil, &APIError{Kind: KindValidation, Status: http.StatusOK, Method: req.Method, Path: path, Message: c.errorText(http.StatusOK, raw)}
	}
	if _, ok := top[required]; required != "" && !ok {
		return nil, badAnswer(req.Method, path, "the answer has no "+strconv.Quote(required))
	}
	return raw, nil
}

// numericProject returns the project id as the integer the bookmark
// endpoints expect in their JSON body.
func (c *Client) numericProject() (int64, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(pid, 10, 64)
	if err != nil {
		return 0, &MissingSettingError{Setting: "MP_PROJECT_ID", Fix: "the project id must be numeric, got " + strconv.Quote(pid)}
	}
	return n, nil
}
