package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The dashboards toolset: every dashboard operation of the reference, plus
// duplicate_dashboard.
func dashboardsTools() []*Tool {
	return []*Tool{
		Op[listDashboardsIn, List[mixpanel.Dashboard]]{Name: "list_dashboards", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "List dashboards (id, title, creator, views), optionally only some ids.",
			Call: func(ctx context.Context, c *mixpanel.Client, in listDashboardsIn) (List[mixpanel.Dashboard], error) {
				ds, err := c.ListDashboards(ctx, in.ListDashboardsParams)
				return paged(ds, in.Paging), err
			}}.Tool(),
		Op[dashboardID, mixpanel.Dashboard]{Name: "get_dashboard", Toolset: ToolsetDashboards, Ann: ReadOnly, Kind: "dashboard",
			Desc: "Read one dashboard: title, description, filters, layout and contents.",
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (mixpanel.Dashboard, error) {
				return c.GetDashboard(ctx, in.DashboardID)
			}}.Tool(),
		Op[createDashboardIn, mixpanel.Dashboard]{Name: "create_dashboard", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "created",
			Desc: "Create a dashboard from rows of 1-4 cards: text (HTML) and reports (saved report ids, or queries saved as new reports).",
			Call: func(ctx context.Context, c *mixpanel.Client, in createDashboardIn) (mixpanel.Dashboard, error) {
				return c.CreateDashboard(ctx, in.body)
			}}.Tool(),
		Op[duplicateDashboardIn, mixpanel.Dashboard]{Name: "duplicate_dashboard", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "created",
			Desc: "Copy a dashboard with its cards.",
			Call: duplicateDashboard}.Tool(),
		Op[updateDashboardIn, mixpanel.Dashboard]{Name: "update_dashboard", Toolset: ToolsetDashboards, Ann: overwriteOrAdd, Kind: "dashboard", Action: "updated",
			Desc: "Change a dashboard's settings or layout, or add, change or remove one card.",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateDashboardIn) (mixpanel.Dashboard, error) {
				return c.UpdateDashboard(ctx, in.DashboardID, in.body)
			}}.Tool(),
		Op[dashboardID, dashboardDone]{Name: "delete_dashboard", Toolset: ToolsetDashboards, Ann: Destructive, Action: "deleted",
			Desc: "Delete one dashboard (its reports stay saved).",
			Confirm: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (string, error) {
				return describeDashboards(ctx, c, in.DashboardID)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (dashboardDone, error) {
				return dashboardDone{in.DashboardID}, c.DeleteDashboard(ctx, in.DashboardID)
			}}.Tool(),
		Op[bulkDeleteDashboardsIn, dashboardIDs]{Name: "bulk_delete_dashboards", Toolset: ToolsetDashboards, Ann: Destructive, Action: "deleted",
			Desc: "Delete several dashboards by id.",
			Repeat: func(in bulkDeleteDashboardsIn) string {
				return countOf("delete", len(in.IDs), "dashboard", "dashboards")
			},
			Confirm: func(ctx context.Context, c *mixpanel.Client, in bulkDeleteDashboardsIn) (string, error) {
				return describeDashboards(ctx, c, in.IDs...)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in bulkDeleteDashboardsIn) (dashboardIDs, error) {
				return dashboardIDs{in.IDs}, c.BulkDeleteDashboards(ctx, in.IDs)
			}}.Tool(),
		dashboardFlag("favorite_dashboard", "favorited", "Add a dashboard to your favorites.", (*mixpanel.Client).FavoriteDashboard),
		dashboardFlag("unfavorite_dashboard", "unfavorited", "Remove a dashboard from your favorites.", (*mixpanel.Client).UnfavoriteDashboard),
		dashboardFlag("pin_dashboard", "pinned", "Pin a dashboard for the whole project.", (*mixpanel.Client).PinDashboard),
		dashboardFlag("unpin_dashboard", "unpinned", "Unpin a dashboard.", (*mixpanel.Client).UnpinDashboard),
		Op[dashboardReportIn, mixpanel.Dashboard]{Name: "add_report_to_dashboard", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "updated",
			Desc: "Copy a saved report onto a dashboard as a new card.",
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardReportIn) (mixpanel.Dashboard, error) {
				return c.AddReportToDashboard(ctx, in.DashboardID, in.BookmarkID)
			}}.Tool(),
		Op[dashboardReportIn, mixpanel.Dashboard]{Name: "remove_report_from_dashboard", Toolset: ToolsetDashboards, Ann: Destructive, Kind: "dashboard", Action: "updated",
			Desc: "Remove a report card from a dashboard.",
			Confirm: func(ctx context.Context, c *mixpanel.Client, in dashboardReportIn) (string, error) {
				d, err := c.GetDashboard(ctx, in.DashboardID)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("Remove report %d from %s", in.BookmarkID, d.Ref()), nil
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardReportIn) (mixpanel.Dashboard, error) {
				return c.RemoveReportFromDashboard(ctx, in.DashboardID, in.BookmarkID)
			}}.Tool(),
		Op[updateReportLinkIn, dashboardDone]{Name: "update_report_link", Toolset: ToolsetDashboards, Ann: Overwrite, Kind: "dashboard", Action: "updated",
			Desc: "Change how a report card links to its report (e.g. embedded).",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateReportLinkIn) (dashboardDone, error) {
				return dashboardDone{in.DashboardID}, c.UpdateReportLink(ctx, in.DashboardID, in.ReportLinkID, in.UpdateReportLinkParams)
			}}.Tool(),
		Op[updateTextCardIn, dashboardDone]{Name: "update_text_card", Toolset: ToolsetDashboards, Ann: Overwrite, Kind: "dashboard", Action: "updated",
			Desc: "Replace the content of a dashboard's text card.",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateTextCardIn) (dashboardDone, error) {
				return dashboardDone{in.DashboardID}, c.UpdateTextCard(ctx, in.DashboardID, in.TextCardID, in.UpdateTextCardParams)
			}}.Tool(),
		Op[listBlueprintTemplatesIn, List[mixpanel.BlueprintTemplate]]{Name: "list_blueprint_templates", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "List the dashboard templates (blueprints) a dashboard can be created from.",
			Call: func(ctx context.Context, c *mixpanel.Client, in listBlueprintTemplatesIn) (List[mixpanel.BlueprintTemplate], error) {
				ts, err := c.ListBlueprintTemplates(ctx, in.IncludeReports)
				return paged(ts, in.Paging), err
			}}.Tool(),
		Op[createBlueprintIn, mixpanel.Dashboard]{Name: "create_blueprint", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "created",
			Desc: "Create a dashboard from a template; finish it with finalize_blueprint.",
			Call: func(ctx context.Context, c *mixpanel.Client, in createBlueprintIn) (mixpanel.Dashboard, error) {
				return c.CreateBlueprint(ctx, in.TemplateType)
			}}.Tool(),
		Op[dashboardID, mixpanel.BlueprintConfig]{Name: "get_blueprint_config", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "Read the template variables of a blueprint dashboard.",
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (mixpanel.BlueprintConfig, error) {
				return c.GetBlueprintConfig(ctx, in.DashboardID)
			}}.Tool(),
		Op[updateBlueprintCohortsIn, mixpanel.Empty]{Name: "update_blueprint_cohorts", Toolset: ToolsetDashboards, Ann: Overwrite, Action: "updated the blueprint cohorts",
			Desc: "Map a blueprint's cohort placeholders to cohorts.",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateBlueprintCohortsIn) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.UpdateBlueprintCohorts(ctx, in.Cohorts)
			}}.Tool(),
		Op[mixpanel.BlueprintFinishParams, mixpanel.Dashboard]{Name: "finalize_blueprint", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "finished",
			Desc:   "Finish a blueprint dashboard with the cards to keep.",
			Method: (*mixpanel.Client).FinalizeBlueprint}.Tool(),
		Op[mixpanel.CreateRcaDashboardParams, mixpanel.Dashboard]{Name: "create_rca_dashboard", Toolset: ToolsetDashboards, Ann: Write, Kind: "dashboard", Action: "created",
			Desc:   "Create a root-cause-analysis dashboard for a source such as an anomaly.",
			Method: (*mixpanel.Client).CreateRcaDashboard}.Tool(),
		Op[bookmarkIDIn, dashboardIDs]{Name: "get_bookmark_dashboard_ids", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "List the ids of the dashboards that show a report.",
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkIDIn) (dashboardIDs, error) {
				ids, err := c.GetBookmarkDashboardIDs(ctx, in.BookmarkID)
				return dashboardIDs{ids}, err
			}}.Tool(),
		Op[dashboardID, map[string]any]{Name: "get_dashboard_erf", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "Read a dashboard's experiment (ERF) metrics.",
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (map[string]any, error) {
				return c.GetDashboardERF(ctx, in.DashboardID)
			}}.Tool(),
	}
}

// overwriteOrAdd is update_dashboard's hint: it overwrites settings, and a
// create or duplicate card action repeated adds another card.
var overwriteOrAdd = Annotations{Destructive: true, OpenWorld: true}

// dashboardFlag is a favorite/pin toggle: idempotent, nothing lost.
func dashboardFlag(name, action, desc string, call func(*mixpanel.Client, context.Context, int64) error) *Tool {
	return Op[dashboardID, dashboardDone]{Name: name, Toolset: ToolsetDashboards, Kind: "dashboard", Action: action, Desc: desc,
		Ann: SetState,
		Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (dashboardDone, error) {
			return dashboardDone{in.DashboardID}, call(c, ctx, in.DashboardID)
		}}.Tool()
}

type listDashboardsIn struct {
	mixpanel.ListDashboardsParams
	Paging
}

type dashboardID struct {
	DashboardID int64 `json:"dashboard_id" jsonschema:"minimum=1,description=Dashboard id (list_dashboards)"`
}

// dashboardDone answers a dashboard write Mixpanel answers without a body.
type dashboardDone struct {
	DashboardID int64 `json:"dashboard_id"`
}

// Ref names the dashboard by id.
func (d dashboardDone) Ref() mixpanel.Ref {
	return mixpanel.Ref{Kind: "dashboard", ID: mixpanel.ID(d.DashboardID)}
}

type dashboardIDs struct {
	DashboardIDs []int64 `json:"dashboard_ids"`
}

type bulkDeleteDashboardsIn struct {
	IDs []int64 `json:"ids" jsonschema:"minItems=1,description=Dashboard ids to delete"`
}

// Validate refuses an empty or repeated id list: nothing is deleted by
// pattern, and each id is named once.
func (in *bulkDeleteDashboardsIn) Validate() error {
	return checkIDList("ids", in.IDs)
}

type dashboardReportIn struct {
	DashboardID int64 `json:"dashboard_id" jsonschema:"minimum=1"`
	BookmarkID  int64 `json:"bookmark_id" jsonschema:"minimum=1,description=Report (bookmark) id"`
}

type updateReportLinkIn struct {
	DashboardID  int64 `json:"dashboard_id" jsonschema:"minimum=1"`
	ReportLinkID int64 `json:"report_link_id" jsonschema:"minimum=1"`
	mixpanel.UpdateReportLinkParams
}

type updateTextCardIn struct {
	DashboardID int64 `json:"dashboard_id" jsonschema:"minimum=1"`
	TextCardID  int64 `json:"text_card_id" jsonschema:"minimum=1,description=content_id of the card in the layout"`
	mixpanel.UpdateTextCardParams
}

// Validate strips the newlines Mixpanel's editor mangles.
func (in *updateTextCardIn) Validate() error {
	if in.Markdown != nil {
		s := oneLineHTML(*in.Markdown)
		in.Markdown = &s
	}
	return nil
}

type listBlueprintTemplatesIn struct {
	IncludeReports bool `json:"include_reports,omitempty" jsonschema:"description=Also list each template's reports"`
	Paging
}

type createBlueprintIn struct {
	TemplateType string `json:"template_type" jsonschema:"minLength=1,description=Template name (list_blueprint_templates)"`
}

type updateBlueprintCohortsIn struct {
	Cohorts []map[string]any `json:"cohorts" jsonschema:"description=Entries such as {placeholder\\, cohort_id}"`
}

type bookmarkIDIn struct {
	BookmarkID int64 `json:"bookmark_id" jsonschema:"minimum=1,description=Report (bookmark) id"`
}

// describeDashboards names the dashboards a destructive call will change,
// for the user's confirmation.
func describeDashboards(ctx context.Context, c *mixpanel.Client, ids ...int64) (string, error) {
	ds, err := c.ListDashboards(ctx, mixpanel.ListDashboardsParams{IDs: ids})
	if err != nil {
		return "", err
	}
	return describeRefs("Delete", ds, len(ids)), nil
}

// describeRefs writes "Delete 2 dashboards: 12 "A", 14 "B"".
func describeRefs[E interface{ Ref() mixpanel.Ref }](verb string, items []E, want int) string {
	s := fmt.Sprintf("%s %d", verb, want)
	if len(items) > 0 {
		s += " " + items[0].Ref().Kind
		if want > 1 {
			s += "s"
		}
		s += ":"
	}
	for i, it := range items {
		if i > 0 {
			s += ","
		}
		s += " " + it.Ref().Label()
	}
	if len(items) < want {
		s += fmt.Sprintf(" (%d of the ids were not found)", want-len(items))
	}
	return s
}

// checkIDList refuses an empty list, ids below 1 and repeats.
func checkIDList(field string, ids []int64) error {
	var iss query.Issues
	if len(ids) == 0 {
		iss.Add("ID1", field, "no ids given; list the ids explicitly (nothing is changed by pattern)")
	}
	seen := map[int64]bool{}
	for i, id := range ids {
		switch {
		case id < 1:
			iss.Add("ID1", fmt.Sprintf("%s[%d]", field, i), "id %d is not a valid id; ids are positive integers from the list tool", id)
		case seen[id]:
			iss.Add("ID1", fmt.Sprintf("%s[%d]", field, i), "id %d is listed twice; give each id once", id)
		}
		seen[id] = true
	}
	return iss.Err(query.StageArgs)
}

// Cards: the rows of create_dashboard and the content of update_dashboard.

// cardIn is one dashboard card: text, or a report — an existing one to
// copy, or a new one from a query.
type cardIn struct {
	ContentType   string       `json:"content_type" jsonschema:"enum=text,enum=report"`
	ContentParams cardParamsIn `json:"content_params"`
}

type cardParamsIn struct {
	Markdown         string          `json:"markdown,omitempty" jsonschema:"description=Text card HTML: h2\\, h3\\, p\\, strong\\, em\\, ul/li\\, a (not Markdown)"`
	SourceBookmarkID int64           `json:"source_bookmark_id,omitempty" jsonschema:"description=Saved report to copy onto the dashboard"`
	Bookmark         *inlineReportIn `json:"bookmark,omitempty" jsonschema:"description=New report from a query"`
}

type inlineReportIn struct {
	Name        string `json:"name" jsonschema:"minLength=1"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty" jsonschema:"enum=insights,enum=funnels,enum=retention,enum=flows,description=Needed with params; else taken from the query"`
	query.Report
}

// card checks one card and turns it into the wire form; issues are added
// under path.
func (c cardIn) card(path string, today time.Time, iss *query.Issues) mixpanel.DashboardRowContent {
	out := mixpanel.DashboardRowContent{ContentType: c.ContentType}
	p := c.ContentParams
	pp := path + ".content_params"
	switch c.ContentType {
	case "text":
		if strings.TrimSpace(p.Markdown) == "" || p.SourceBookmarkID != 0 || p.Bookmark != nil {
			iss.Add("D5_CARD", pp, "a text card takes markdown (HTML) and nothing else; set content_params.markdown such as \"<h2>Title</h2><p>Note</p>\"")
		}
		out.ContentParams.Markdown = oneLineHTML(p.Markdown)
	case "report":
		switch {
		case p.Markdown != "" || (p.SourceBookmarkID != 0) == (p.Bookmark != nil):
			iss.Add("D5_CARD", pp, "a report card takes exactly one of source_bookmark_id (a saved report to copy) or bookmark (a new report from a query)")
		case p.SourceBookmarkID < 0:
			iss.Add("D5_CARD", pp+".source_bookmark_id", "%d is not a report id; take one from list_bookmarks", p.SourceBookmarkID)
		case p.SourceBookmarkID > 0:
			out.ContentParams.SourceBookmarkID = p.SourceBookmarkID
		default:
			out.ContentParams.Bookmark = p.Bookmark.bookmark(pp+".bookmark", today, iss)
		}
	default:
		iss.Add("D5_CARD", path+".content_type", "content_type %q is not a card type; use text or report", c.ContentType)
	}
	return out
}

// bookmark builds the query into a report Mixpanel creates on the
// dashboard: its params travel as a JSON string.
func (b *inlineReportIn) bookmark(path string, today time.Time, iss *query.Issues) *mixpanel.InlineBookmark {
	if strings.TrimSpace(b.Name) == "" {
		iss.Add("D5_CARD", path+".name", "a new report needs a name; set name, e.g. \"Daily signups\"")
	}
	typ, params, err := b.Report.Build(b.Type, today)
	if err != nil {
		addIssues(iss, query.Under(err, path))
		return nil
	}
	raw, err := json.Marshal(params)
	if err != nil {
		iss.Add("D5_CARD", path+".params", "params cannot be written as JSON: %v", err)
		return nil
	}
	return &mixpanel.InlineBookmark{Name: b.Name, Type: typ, Params: string(raw), Description: b.Description}
}

// addIssues appends a validation error's issues, or the error as one issue.
func addIssues(iss *query.Issues, err error) {
	var ve *query.ValidationError
	if errors.As(err, &ve) {
		*iss = append(*iss, ve.Issues...)
		return
	}
	iss.Add("X3_INVALID_VALUE", "", "%v", err)
}

// oneLineHTML drops the newlines Mixpanel's text-card editor mangles HTML
// at (the reference's own advice: strip them before sending).
func oneLineHTML(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(s))
}

// checkTitle applies Mixpanel's title and description limits.
func checkTitle(title, description *string, required bool, iss *query.Issues) {
	if title != nil || required {
		t := ""
		if title != nil {
			t = *title
		}
		switch n := len([]rune(t)); {
		case strings.TrimSpace(t) == "":
			iss.Add("D1_TITLE", "title", "the title is empty; give the dashboard a title")
		case n > mixpanel.DashboardMaxTitle:
			iss.Add("D1_TITLE", "title", "the title has %d characters, at most %d fit; shorten it", n, mixpanel.DashboardMaxTitle)
		}
	}
	if description != nil {
		if n := len([]rune(*description)); n > mixpanel.DashboardMaxDescr {
			iss.Add("D2_DESCRIPTION", "description", "the description has %d characters, at most %d fit; shorten it", n, mixpanel.DashboardMaxDescr)
		}
	}
}

// createDashboardIn is create_dashboard's input: the reference's
// CreateDashboardParams whose report cards may carry queries.
type createDashboardIn struct {
	Title        string            `json:"title" jsonschema:"maxLength=255"`
	Description  string            `json:"description,omitempty" jsonschema:"maxLength=400"`
	IsPrivate    *bool             `json:"is_private,omitempty"`
	IsRestricted *bool             `json:"is_restricted,omitempty"`
	Filters      []json.RawMessage `json:"filters,omitempty" jsonschema:"description=Dashboard-level filters"`
	Breakdowns   []json.RawMessage `json:"breakdowns,omitempty" jsonschema:"description=Dashboard-level breakdowns"`
	TimeFilter   json.RawMessage   `json:"time_filter,omitempty" jsonschema:"description=e.g. {dateRange:{type:'in the last'\\,window:{unit:'day'\\,value:30}}\\,displayText:'Last 30 days'}"`
	Rows         []rowIn           `json:"rows,omitempty" jsonschema:"maxItems=30,description=Rows top to bottom; each shares 12 columns among its 1-4 cards"`

	body mixpanel.CreateDashboardParams
}

type rowIn struct {
	Contents []cardIn `json:"contents" jsonschema:"minItems=1,maxItems=4"`
}

// Validate checks the layout limits and every card (queries by their
// engines' rules) and builds the request body, before anything is sent.
func (in *createDashboardIn) Validate() error {
	var iss query.Issues
	checkTitle(&in.Title, &in.Description, true, &iss)
	if n := len(in.Rows); n > mixpanel.DashboardMaxRows {
		iss.Add("D3_ROWS", "rows", "%d rows, but a dashboard holds at most %d; move some into a second dashboard or put up to %d cards in a row", n, mixpanel.DashboardMaxRows, mixpanel.DashboardMaxRowCells)
	}
	today := time.Now()
	in.body = mixpanel.CreateDashboardParams{Title: in.Title, Description: in.Description, IsPrivate: in.IsPrivate, IsRestricted: in.IsRestricted,
		Filters: in.Filters, Breakdowns: in.Breakdowns, TimeFilter: in.TimeFilter}
	for i, row := range in.Rows {
		path := fmt.Sprintf("rows[%d].contents", i)
		if n := len(row.Contents); n == 0 || n > mixpanel.DashboardMaxRowCells {
			iss.Add("D4_ROW_CELLS", path, "%d cards, but a row holds 1 to %d sharing its %d columns; split it into rows of at most %d", n, mixpanel.DashboardMaxRowCells, mixpanel.DashboardColumns, mixpanel.DashboardMaxRowCells)
		}
		out := mixpanel.DashboardRow{Contents: make([]mixpanel.DashboardRowContent, len(row.Contents))}
		for j, c := range row.Contents {
			out.Contents[j] = c.card(fmt.Sprintf("%s[%d]", path, j), today, &iss)
		}
		in.body.Rows = append(in.body.Rows, out)
	}
	return iss.Err(query.StageArgs)
}

type duplicateDashboardIn struct {
	DashboardID int64  `json:"dashboard_id" jsonschema:"minimum=1,description=Dashboard to copy"`
	Title       string `json:"title,omitempty" jsonschema:"maxLength=255,description=Default: Copy of <title>"`
}

// duplicateDashboard creates a dashboard with duplicate set to the source;
// without a title it reads the source's to name the copy after it.
func duplicateDashboard(ctx context.Context, c *mixpanel.Client, in duplicateDashboardIn) (mixpanel.Dashboard, error) {
	title := in.Title
	if strings.TrimSpace(title) == "" {
		src, err := c.GetDashboard(ctx, in.DashboardID)
		if err != nil {
			return mixpanel.Dashboard{}, err
		}
		title = "Copy of " + src.Title
		if r := []rune(title); len(r) > mixpanel.DashboardMaxTitle {
			title = string(r[:mixpanel.DashboardMaxTitle])
		}
	}
	return c.CreateDashboard(ctx, mixpanel.CreateDashboardParams{Title: title, Duplicate: in.DashboardID})
}

// updateDashboardIn is update_dashboard's input: the reference's
// UpdateDashboardParams with a typed layout and content action.
type updateDashboardIn struct {
	DashboardID  int64              `json:"dashboard_id" jsonschema:"minimum=1"`
	Title        *string            `json:"title,omitempty" jsonschema:"maxLength=255"`
	Description  *string            `json:"description,omitempty" jsonschema:"maxLength=400"`
	IsPrivate    *bool              `json:"is_private,omitempty"`
	IsRestricted *bool              `json:"is_restricted,omitempty"`
	Filters      *[]json.RawMessage `json:"filters,omitempty" jsonschema:"description=Replaces the filters; [] clears"`
	Breakdowns   *[]json.RawMessage `json:"breakdowns,omitempty" jsonschema:"description=Replaces the breakdowns; [] clears"`
	TimeFilter   json.RawMessage    `json:"time_filter,omitempty" jsonschema:"description=Replaces the time filter; {} clears"`
	Layout       *layoutIn          `json:"layout,omitempty" jsonschema:"description=New layout from get_dashboard's: every row with its cells"`
	Content      *contentIn         `json:"content,omitempty" jsonschema:"description=One card action"`

	body mixpanel.UpdateDashboardParams
}

type layoutIn struct {
	RowsOrder []string      `json:"rows_order" jsonschema:"description=Row ids top to bottom (layout.order)"`
	Rows      []layoutRowIn `json:"rows" jsonschema:"maxItems=30"`
}

type layoutRowIn struct {
	ID     string         `json:"id"`
	Height *int64         `json:"height,omitempty" jsonschema:"minimum=0,description=Pixels; 0 fits text"`
	Cells  []layoutCellIn `json:"cells" jsonschema:"minItems=1,maxItems=4"`
}

type layoutCellIn struct {
	ID          string `json:"id"`
	Width       int    `json:"width" jsonschema:"minimum=1,maximum=12,description=Columns; a row's widths sum to 12"`
	ContentID   int64  `json:"content_id"`
	ContentType string `json:"content_type" jsonschema:"enum=text,enum=report"`
}

type contentIn struct {
	Action        string        `json:"action" jsonschema:"enum=create,enum=update,enum=delete,enum=duplicate,enum=undelete,enum=move"`
	ContentType   string        `json:"content_type" jsonschema:"enum=text,enum=report"`
	ContentID     int64         `json:"content_id,omitempty" jsonschema:"description=The card (layout content_id); not for create"`
	ContentParams *cardParamsIn `json:"content_params,omitempty" jsonschema:"description=For create and text update"`
}

// Validate checks the limits, the layout grid and the card, and builds the
// request body.
func (in *updateDashboardIn) Validate() error {
	var iss query.Issues
	checkTitle(in.Title, in.Description, false, &iss)
	in.body = mixpanel.UpdateDashboardParams{Title: in.Title, Description: in.Description, IsPrivate: in.IsPrivate, IsRestricted: in.IsRestricted,
		Filters: in.Filters, Breakdowns: in.Breakdowns, TimeFilter: in.TimeFilter}
	if in.Layout != nil {
		in.body.Layout = in.Layout.check(&iss)
	}
	if in.Content != nil {
		in.body.Content = in.Content.check(&iss)
	}
	return iss.Err(query.StageArgs)
}

// check applies the grid's limits: at most 30 rows of 1-4 cells whose
// widths sum to 12, every ordered row present.
func (l *layoutIn) check(iss *query.Issues) json.RawMessage {
	if n := len(l.Rows); n > mixpanel.DashboardMaxRows {
		iss.Add("D3_ROWS", "layout.rows", "%d rows, but a dashboard holds at most %d; merge cards into rows of up to %d or remove some", n, mixpanel.DashboardMaxRows, mixpanel.DashboardMaxRowCells)
	}
	ids := map[string]bool{}
	for i, r := range l.Rows {
		ids[r.ID] = true
		path := fmt.Sprintf("layout.rows[%d].cells", i)
		if n := len(r.Cells); n == 0 || n > mixpanel.DashboardMaxRowCells {
			iss.Add("D4_ROW_CELLS", path, "%d cells, but a row holds 1 to %d; move cells to another row", n, mixpanel.DashboardMaxRowCells)
		}
		sum := 0
		for _, c := range r.Cells {
			sum += c.Width
		}
		if sum != mixpanel.DashboardColumns {
			iss.Add("D6_ROW_WIDTH", path, "cell widths sum to %d, but a row is %d columns; use e.g. 12, 6+6, 4+4+4 or 3+3+3+3", sum, mixpanel.DashboardColumns)
		}
	}
	for i, id := range l.RowsOrder {
		if !ids[id] {
			iss.Add("D7_ROW_ORDER", fmt.Sprintf("layout.rows_order[%d]", i), "row %q is not in layout.rows; list every ordered row with its cells", id)
		}
	}
	raw, _ := json.Marshal(l)
	return raw
}

// check validates one card action and converts it to the wire form.
func (c *contentIn) check(iss *query.Issues) *mixpanel.DashboardContent {
	out := &mixpanel.DashboardContent{Action: c.Action, ContentType: c.ContentType, ContentID: c.ContentID}
	switch {
	case c.Action == "create":
		if c.ContentID != 0 || c.ContentParams == nil {
			iss.Add("D5_CARD", "content", "create takes content_params (markdown, source_bookmark_id or bookmark) and no content_id")
			return out
		}
		card := cardIn{ContentType: c.ContentType, ContentParams: *c.ContentParams}.card("content", time.Now(), iss)
		out.ContentParams = &card.ContentParams
	case c.ContentID <= 0:
		iss.Add("D5_CARD", "content.content_id", "%s needs the card's content_id (from get_dashboard's layout cells)", c.Action)
	case c.ContentParams != nil:
		if c.Action != "update" || c.ContentType != "text" || c.ContentParams.Markdown == "" {
			iss.Add("D5_CARD", "content.content_params", "only a text update takes content_params (markdown); %s %s takes just content_id", c.Action, c.ContentType)
		}
		out.ContentParams = &mixpanel.DashboardContentParams{Markdown: oneLineHTML(c.ContentParams.Markdown)}
	}
	return out
}
