package mixpanel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// Dashboard is a Mixpanel dashboard as the App API returns it (wire
// reference §4.8). Only the fields a person or a follow-up call needs are
// kept; the rest of Mixpanel's answer is dropped.
type Dashboard struct {
	ID                 int64           `json:"id" col:"id"`
	Title              string          `json:"title" col:"title"`
	Description        string          `json:"description,omitempty"`
	IsPrivate          bool            `json:"is_private,omitempty" col:"private"`
	IsRestricted       bool            `json:"is_restricted,omitempty"`
	CreatorName        string          `json:"creator_name,omitempty" col:"creator"`
	CreatorEmail       string          `json:"creator_email,omitempty"`
	Created            string          `json:"created,omitempty"`
	Modified           string          `json:"modified,omitempty" col:"modified"`
	IsFavorited        bool            `json:"is_favorited,omitempty" col:"favorite"`
	PinnedDate         string          `json:"pinned_date,omitempty"`
	UniqueViewCount    int64           `json:"unique_view_count,omitempty"`
	TotalViewCount     int64           `json:"total_view_count,omitempty" col:"views"`
	LastModifiedByName string          `json:"last_modified_by_name,omitempty"`
	ParentDashboardID  int64           `json:"parent_dashboard_id,omitempty"`
	GenerationType     string          `json:"generation_type,omitempty"`
	TemplateType       string          `json:"template_type,omitempty"`
	Filters            json.RawMessage `json:"filters,omitempty"`
	Breakdowns         json.RawMessage `json:"breakdowns,omitempty"`
	TimeFilter         json.RawMessage `json:"time_filter,omitempty"`
	Layout             json.RawMessage `json:"layout,omitempty"`
	Contents           json.RawMessage `json:"contents,omitempty"`
}

// Ref names the dashboard.
func (d Dashboard) Ref() Ref { return Ref{Kind: "dashboard", ID: ID(d.ID), Name: d.Title} }

// Dashboard layout limits (wire reference §4.8): a 12-column grid of at
// most 30 rows, each with at most 4 cells.
const (
	DashboardColumns     = 12
	DashboardMaxRows     = 30
	DashboardMaxRowCells = 4
	DashboardMaxTitle    = 255
	DashboardMaxDescr    = 400
)

// ListDashboardsParams filters list_dashboards.
type ListDashboardsParams struct {
	IDs []int64 `json:"ids,omitempty" jsonschema:"description=Only these dashboard ids"`
}

// ListDashboards lists the dashboards of the scope.
func (c *Client) ListDashboards(ctx context.Context, p ListDashboardsParams) ([]Dashboard, error) {
	path, err := c.scoped("dashboards")
	if err != nil {
		return nil, err
	}
	var q url.Values
	if len(p.IDs) > 0 {
		q = url.Values{"ids": {IDList(p.IDs)}}
	}
	return appCall[[]Dashboard](ctx, c, GET, path, q, nil)
}

// GetDashboard reads one dashboard.
func (c *Client) GetDashboard(ctx context.Context, id int64) (Dashboard, error) {
	path, err := c.scoped("dashboards", ID(id))
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, GET, path, nil, nil)
}

// DashboardRow is one row of a new dashboard: 1 to 4 cards side by side,
// their widths shared out of the 12 columns by Mixpanel.
type DashboardRow struct {
	Contents []DashboardRowContent `json:"contents"`
}

// DashboardRowContent is one card: a text card (content_type "text",
// Markdown) or a report (content_type "report", SourceBookmarkID or
// Bookmark).
type DashboardRowContent struct {
	ContentType   string                 `json:"content_type"`
	ContentParams DashboardContentParams `json:"content_params"`
}

// DashboardContentParams are a card's content_params: markdown for text;
// a saved report to copy (source_bookmark_id) or a new report (bookmark)
// for reports.
type DashboardContentParams struct {
	Markdown         string          `json:"markdown,omitempty"`
	SourceBookmarkID int64           `json:"source_bookmark_id,omitempty"`
	Bookmark         *InlineBookmark `json:"bookmark,omitempty"`
}

// InlineBookmark is a report created on the dashboard itself; Params is
// the bookmark params as a JSON string, the way Mixpanel takes them here.
type InlineBookmark struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Params      string `json:"params"`
	Description string `json:"description,omitempty"`
}

// CreateDashboardParams is the body of create_dashboard; only the fields
// set are sent.
type CreateDashboardParams struct {
	Title        string            `json:"title"`
	Description  string            `json:"description,omitempty"`
	IsPrivate    *bool             `json:"is_private,omitempty"`
	IsRestricted *bool             `json:"is_restricted,omitempty"`
	Filters      []json.RawMessage `json:"filters,omitempty"`
	Breakdowns   []json.RawMessage `json:"breakdowns,omitempty"`
	TimeFilter   json.RawMessage   `json:"time_filter,omitempty"`
	Duplicate    int64             `json:"duplicate,omitempty"`
	Rows         []DashboardRow    `json:"rows,omitempty"`
}

// CreateDashboard creates a dashboard, with its rows of cards when given,
// or a copy of another when Duplicate is set.
func (c *Client) CreateDashboard(ctx context.Context, p CreateDashboardParams) (Dashboard, error) {
	path, err := c.scoped("dashboards")
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, POST, path, nil, p)
}

// DashboardContent is one content action of update_dashboard: create,
// delete, update, move, duplicate or undelete a text card or report.
type DashboardContent struct {
	Action        string                  `json:"action"`
	ContentType   string                  `json:"content_type"`
	ContentID     int64                   `json:"content_id,omitempty"`
	ContentParams *DashboardContentParams `json:"content_params,omitempty"`
}

// UpdateDashboardParams is the body of update_dashboard; nil fields are
// not sent, so an empty list or "" clears a field.
type UpdateDashboardParams struct {
	Title        *string            `json:"title,omitempty"`
	Description  *string            `json:"description,omitempty"`
	IsPrivate    *bool              `json:"is_private,omitempty"`
	IsRestricted *bool              `json:"is_restricted,omitempty"`
	Filters      *[]json.RawMessage `json:"filters,omitempty"`
	Breakdowns   *[]json.RawMessage `json:"breakdowns,omitempty"`
	TimeFilter   json.RawMessage    `json:"time_filter,omitempty"`
	Layout       json.RawMessage    `json:"layout,omitempty"`
	Content      *DashboardContent  `json:"content,omitempty"`
}

// UpdateDashboard changes a dashboard's settings, layout or one card.
func (c *Client) UpdateDashboard(ctx context.Context, id int64, p UpdateDashboardParams) (Dashboard, error) {
	return c.patchDashboard(ctx, id, p)
}

func (c *Client) patchDashboard(ctx context.Context, id int64, body any) (Dashboard, error) {
	path, err := c.scoped("dashboards", ID(id))
	if err != nil {
		return Dashboard{}, err
	}
	d, err := appCall[Dashboard](ctx, c, PATCH, path, nil, body)
	if err == nil && d.ID == 0 {
		d.ID = id // a 204 answer
	}
	return d, err
}

// DeleteDashboard deletes one dashboard.
func (c *Client) DeleteDashboard(ctx context.Context, id int64) error {
	return c.dashboardCall(ctx, DELETE, nil, "dashboards", ID(id))
}

// BulkDeleteDashboards deletes several dashboards in one request.
func (c *Client) BulkDeleteDashboards(ctx context.Context, ids []int64) error {
	return c.dashboardCall(ctx, POST, map[string]any{"dashboard_ids": ids}, "dashboards", "bulk-delete")
}

// FavoriteDashboard marks a dashboard as a favorite of the caller.
func (c *Client) FavoriteDashboard(ctx context.Context, id int64) error {
	return c.dashboardCall(ctx, POST, nil, "dashboards", ID(id), "favorites")
}

// UnfavoriteDashboard removes a dashboard from the caller's favorites.
func (c *Client) UnfavoriteDashboard(ctx context.Context, id int64) error {
	return c.dashboardCall(ctx, DELETE, nil, "dashboards", ID(id), "favorites")
}

// PinDashboard pins a dashboard for everyone in the project.
func (c *Client) PinDashboard(ctx context.Context, id int64) error {
	return c.dashboardCall(ctx, POST, nil, "dashboards", ID(id), "pin")
}

// UnpinDashboard unpins a dashboard.
func (c *Client) UnpinDashboard(ctx context.Context, id int64) error {
	return c.dashboardCall(ctx, DELETE, nil, "dashboards", ID(id), "pin")
}

// dashboardCall sends a dashboard request whose answer carries nothing.
func (c *Client) dashboardCall(ctx context.Context, method string, body any, parts ...string) error {
	path, err := c.scoped(parts...)
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, method, path, nil, body)
	return err
}

// AddReportToDashboard copies a saved report onto a dashboard (Mixpanel
// clones it; the original stays as it is).
func (c *Client) AddReportToDashboard(ctx context.Context, dashboardID, bookmarkID int64) (Dashboard, error) {
	return c.patchDashboard(ctx, dashboardID, UpdateDashboardParams{Content: &DashboardContent{
		Action: "create", ContentType: "report", ContentParams: &DashboardContentParams{SourceBookmarkID: bookmarkID},
	}})
}

// RemoveReportFromDashboard removes a report card from a dashboard.
func (c *Client) RemoveReportFromDashboard(ctx context.Context, dashboardID, bookmarkID int64) (Dashboard, error) {
	return c.patchDashboard(ctx, dashboardID, UpdateDashboardParams{Content: &DashboardContent{
		Action: "delete", ContentType: "report", ContentID: bookmarkID,
	}})
}

// UpdateReportLinkParams changes a report card's link to its report.
type UpdateReportLinkParams struct {
	LinkType string `json:"link_type" jsonschema:"description=Link type\\, e.g. embedded or linked"`
}

// UpdateReportLink changes how a report card links to its report.
func (c *Client) UpdateReportLink(ctx context.Context, dashboardID, linkID int64, p UpdateReportLinkParams) error {
	return c.dashboardCall(ctx, PATCH, map[string]any{"type": p.LinkType}, "dashboards", ID(dashboardID), "report-links", ID(linkID))
}

// UpdateTextCardParams is the new content of a text card.
type UpdateTextCardParams struct {
	Markdown *string `json:"markdown,omitempty" jsonschema:"description=HTML of the card (h2\\, p\\, strong\\, ul; no newlines)"`
}

// UpdateTextCard replaces a text card's content.
func (c *Client) UpdateTextCard(ctx context.Context, dashboardID, cardID int64, p UpdateTextCardParams) error {
	return c.dashboardCall(ctx, PATCH, p, "dashboards", ID(dashboardID), "text-cards", ID(cardID))
}

// BlueprintTemplate is a dashboard template Mixpanel can instantiate.
type BlueprintTemplate struct {
	Name                      string `json:"name,omitempty" col:"name"`
	TitleKey                  string `json:"title_key" col:"title"`
	DescriptionKey            string `json:"description_key" col:"description"`
	AlternativeDescriptionKey string `json:"alternative_description_key,omitempty"`
	NumberOfReports           *int64 `json:"number_of_reports,omitempty" col:"reports"`
	// Reports are the template's reports, when asked for.
	Reports json.RawMessage `json:"reports,omitempty"`
}

// ListBlueprintTemplates lists the dashboard templates. Mixpanel answers
// {"templates": {name: template}} (or a list); the map form keeps its
// order and each template gets its key as name.
func (c *Client) ListBlueprintTemplates(ctx context.Context, includeReports bool) ([]BlueprintTemplate, error) {
	path, err := c.scoped("dashboards", "blueprints-all")
	if err != nil {
		return nil, err
	}
	var q url.Values
	if includeReports {
		q = url.Values{"include_reports": {"true"}}
	}
	raw, err := appCall[json.RawMessage](ctx, c, GET, path, q, nil)
	if err != nil {
		return nil, err
	}
	var wrapped struct {
		Templates json.RawMessage `json:"templates"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, badAnswer(GET, path, "unexpected answer: "+err.Error())
		}
		raw = wrapped.Templates
	}
	out, err := decodeTemplates(raw)
	if err != nil {
		return nil, badAnswer(GET, path, "unexpected templates: "+err.Error())
	}
	return out, nil
}

// decodeTemplates reads a list of templates or a {name: template} object
// in document order.
func decodeTemplates(raw json.RawMessage) ([]BlueprintTemplate, error) {
	raw = bytes.TrimSpace(raw)
	out := []BlueprintTemplate{}
	if len(raw) == 0 || raw[0] != '{' {
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(bytes.TrimSpace(val), []byte("{")) {
			continue // the reference skips entries that are not objects
		}
		var t BlueprintTemplate
		if err := json.Unmarshal(val, &t); err != nil {
			return nil, fmt.Errorf("template %v: %w", key, err)
		}
		t.Name = fmt.Sprint(key)
		out = append(out, t)
	}
	return out, nil
}

// CreateBlueprint creates a dashboard from a template (its name, as
// list_blueprint_templates gives it).
func (c *Client) CreateBlueprint(ctx context.Context, templateType string) (Dashboard, error) {
	path, err := c.scoped("dashboards", "blueprints")
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, POST, path, nil, map[string]any{"template_type": templateType})
}

// BlueprintConfig is the template variables of a blueprint dashboard.
type BlueprintConfig struct {
	Variables map[string]string `json:"variables"`
}

// GetBlueprintConfig reads the template variables of a blueprint dashboard.
func (c *Client) GetBlueprintConfig(ctx context.Context, dashboardID int64) (BlueprintConfig, error) {
	path, err := c.scoped("dashboards", ID(dashboardID), "blueprint-config")
	if err != nil {
		return BlueprintConfig{}, err
	}
	return appCall[BlueprintConfig](ctx, c, GET, path, nil, nil)
}

// UpdateBlueprintCohorts maps a blueprint's cohort placeholders to cohorts;
// each entry is sent as given (e.g. {"placeholder": "new_users",
// "cohort_id": 42}).
func (c *Client) UpdateBlueprintCohorts(ctx context.Context, cohorts []map[string]any) error {
	if cohorts == nil {
		cohorts = []map[string]any{}
	}
	return c.dashboardCall(ctx, PUT, map[string]any{"cohorts": cohorts}, "dashboards", "blueprints", "cohorts")
}

// BlueprintCard is one card kept when a blueprint dashboard is finished.
type BlueprintCard struct {
	CardType   string         `json:"card_type" jsonschema:"enum=text,enum=report"`
	TextCardID int64          `json:"text_card_id,omitempty"`
	BookmarkID int64          `json:"bookmark_id,omitempty"`
	Markdown   string         `json:"markdown,omitempty"`
	Name       string         `json:"name,omitempty"`
	Params     map[string]any `json:"params,omitempty"`
}

// BlueprintFinishParams finish a blueprint dashboard with its cards.
type BlueprintFinishParams struct {
	DashboardID int64           `json:"dashboard_id" jsonschema:"minimum=1"`
	Cards       []BlueprintCard `json:"cards"`
}

// Body is the wire form: card_type is sent as "type".
func (p BlueprintFinishParams) Body() map[string]any {
	type card struct {
		Type       string         `json:"type"`
		TextCardID int64          `json:"text_card_id,omitempty"`
		BookmarkID int64          `json:"bookmark_id,omitempty"`
		Markdown   string         `json:"markdown,omitempty"`
		Name       string         `json:"name,omitempty"`
		Params     map[string]any `json:"params,omitempty"`
	}
	cards := make([]card, len(p.Cards))
	for i, c := range p.Cards {
		cards[i] = card{Type: c.CardType, TextCardID: c.TextCardID, BookmarkID: c.BookmarkID, Markdown: c.Markdown, Name: c.Name, Params: c.Params}
	}
	return map[string]any{"dashboard_id": p.DashboardID, "cards": cards}
}

// FinalizeBlueprint finishes a blueprint dashboard.
func (c *Client) FinalizeBlueprint(ctx context.Context, p BlueprintFinishParams) (Dashboard, error) {
	path, err := c.scoped("dashboards", "blueprints", "finish")
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, POST, path, nil, p.Body())
}

// RcaSourceData says what a root-cause-analysis dashboard explains.
type RcaSourceData struct {
	SourceType   string  `json:"source_type" jsonschema:"description=Source type\\, e.g. anomaly"`
	Date         *string `json:"date,omitempty" jsonschema:"description=YYYY-MM-DD"`
	MetricSource *bool   `json:"metric_source,omitempty"`
}

// CreateRcaDashboardParams create a root-cause-analysis dashboard.
type CreateRcaDashboardParams struct {
	RcaSourceID   int64         `json:"rca_source_id" jsonschema:"minimum=1,description=Id of the source (e.g. the anomaly)"`
	RcaSourceData RcaSourceData `json:"rca_source_data"`
}

// Body is the wire form: source_type is sent as "type".
func (p CreateRcaDashboardParams) Body() map[string]any {
	data := map[string]any{"type": p.RcaSourceData.SourceType}
	if p.RcaSourceData.Date != nil {
		data["date"] = *p.RcaSourceData.Date
	}
	if p.RcaSourceData.MetricSource != nil {
		data["metric_source"] = *p.RcaSourceData.MetricSource
	}
	return map[string]any{"rca_source_id": p.RcaSourceID, "rca_source_data": data}
}

// CreateRcaDashboard creates a root-cause-analysis dashboard.
func (c *Client) CreateRcaDashboard(ctx context.Context, p CreateRcaDashboardParams) (Dashboard, error) {
	path, err := c.scoped("dashboards", "rca")
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, POST, path, nil, p.Body())
}

// GetBookmarkDashboardIDs lists the dashboards that show a report.
func (c *Client) GetBookmarkDashboardIDs(ctx context.Context, bookmarkID int64) ([]int64, error) {
	path, err := c.scoped("dashboards", "bookmarks", ID(bookmarkID), "dashboard-ids")
	if err != nil {
		return nil, err
	}
	ids, err := appCall[[]int64](ctx, c, GET, path, nil, nil)
	if ids == nil && err == nil {
		ids = []int64{}
	}
	return ids, err
}

// GetDashboardERF reads a dashboard's ERF (experiment reporting) metrics;
// the shape is not pinned, so it is returned as Mixpanel sent it.
func (c *Client) GetDashboardERF(ctx context.Context, dashboardID int64) (map[string]any, error) {
	path, err := c.scoped("dashboards", ID(dashboardID), "erf")
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, GET, path, nil, nil)
}
