package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The reports toolset's management operations: saved reports (bookmarks)
// read, created from a typed query or a dry run's params, changed and
// deleted. The listing is list_bookmarks (discovery), which takes ids.
func bookmarksTools() []*Tool {
	return []*Tool{
		Op[bookmarkID, report]{Name: "get_bookmark", Toolset: ToolsetBookmarks, Ann: ReadOnly, Kind: "report",
			Desc: "Read one saved report: its type, params and dashboard.",
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkID) (report, error) {
				b, err := c.GetBookmark(ctx, in.BookmarkID)
				return report{b}, err
			}}.Tool(),
		Op[createBookmarkIn, report]{Name: "create_bookmark", Toolset: ToolsetBookmarks, Ann: Write, Kind: "report", Action: "created",
			Desc: "Save a report on a dashboard from one query tool's arguments (insights, funnel, retention or flow) or a dry run's params.",
			Call: func(ctx context.Context, c *mixpanel.Client, in createBookmarkIn) (report, error) {
				b, err := c.CreateBookmark(ctx, in.built)
				return report{b}, err
			}}.Tool(),
		Op[updateBookmarkIn, report]{Name: "update_bookmark", Toolset: ToolsetBookmarks, Ann: Overwrite, Kind: "report", Action: "updated",
			Desc: "Change a saved report: name, description, dashboard, or its query (a query tool's arguments or a dry run's params).",
			Call: func(ctx context.Context, c *mixpanel.Client, in updateBookmarkIn) (report, error) {
				b, err := c.UpdateBookmark(ctx, in.BookmarkID, in.built)
				return report{b}, err
			}}.Tool(),
		Op[bookmarkID, done]{Name: "delete_bookmark", Toolset: ToolsetBookmarks, Ann: Destructive, Action: "deleted",
			Desc: "Delete one saved report.",
			Confirm: func(ctx context.Context, c *mixpanel.Client, in bookmarkID) (string, error) {
				return describeBookmarks(ctx, c, "Delete", in.BookmarkID)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkID) (done, error) {
				return doneWith("report", in.BookmarkID), c.DeleteBookmark(ctx, in.BookmarkID)
			}}.Tool(),
		Op[bookmarkIDs, done]{Name: "bulk_delete_bookmarks", Toolset: ToolsetBookmarks, Ann: Destructive, Action: "deleted",
			Desc:   "Delete several saved reports by id.",
			Repeat: func(in bookmarkIDs) string { return countOf("delete", len(in.BookmarkIDs), "report", "reports") },
			Confirm: func(ctx context.Context, c *mixpanel.Client, in bookmarkIDs) (string, error) {
				return describeBookmarks(ctx, c, "Delete", in.BookmarkIDs...)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkIDs) (done, error) {
				return doneWith("report", in.BookmarkIDs...), c.BulkDeleteBookmarks(ctx, in.BookmarkIDs)
			}}.Tool(),
		Op[bulkUpdateBookmarksIn, done]{Name: "bulk_update_bookmarks", Toolset: ToolsetBookmarks, Ann: Overwrite, Action: "updated",
			Desc: "Change several saved reports at once (name, description, params, icon, restrictions).",
			Repeat: func(in bulkUpdateBookmarksIn) string {
				return countOf("update", len(in.Bookmarks), "report", "reports")
			},
			Confirm: func(ctx context.Context, c *mixpanel.Client, in bulkUpdateBookmarksIn) (string, error) {
				ids := make([]int64, len(in.Bookmarks))
				for i, e := range in.Bookmarks {
					ids[i] = e.ID
				}
				return describeBookmarks(ctx, c, "Update", ids...)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in bulkUpdateBookmarksIn) (done, error) {
				ids := make([]int64, len(in.Bookmarks))
				for i, e := range in.Bookmarks {
					ids[i] = e.ID
				}
				return doneWith("report", ids...), c.BulkUpdateBookmarks(ctx, in.Bookmarks)
			}}.Tool(),
		Op[bookmarkID, linkedDashboards]{Name: "bookmark_linked_dashboard_ids", Toolset: ToolsetBookmarks, Ann: ReadOnly,
			Desc: "Ids of the dashboards a saved report is linked to.",
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkID) (linkedDashboards, error) {
				ids, err := c.BookmarkLinkedDashboardIDs(ctx, in.BookmarkID)
				return linkedDashboards{DashboardIDs: ids}, err
			}}.Tool(),
		Op[bookmarkHistoryIn, bookmarkHistory]{Name: "get_bookmark_history", Toolset: ToolsetBookmarks, Ann: ReadOnly,
			Desc: "A saved report's change history, one page at a time (cursor paging).",
			Call: func(ctx context.Context, c *mixpanel.Client, in bookmarkHistoryIn) (bookmarkHistory, error) {
				h, err := c.GetBookmarkHistory(ctx, in.BookmarkID, in.BookmarkHistoryParams)
				return bookmarkHistory{h}, err
			}}.Tool(),
	}
}

type bookmarkID struct {
	BookmarkID int64 `json:"bookmark_id" jsonschema:"minimum=1,description=Report (bookmark) id"`
}

// Validate checks the id before any request.
func (in *bookmarkID) Validate() error { return requireID("bookmark_id", in.BookmarkID) }

type bookmarkIDs struct {
	BookmarkIDs []int64 `json:"bookmark_ids" jsonschema:"minItems=1,description=Report (bookmark) ids"`
}

// Validate checks the ids before any request.
func (in *bookmarkIDs) Validate() error { return checkIDList("bookmark_ids", in.BookmarkIDs) }

// requireID refuses an id below 1 before any request.
func requireID(field string, id int64) error {
	var iss query.Issues
	if id < 1 {
		iss.Add("ID1", field, "id %d is not a valid id; ids are positive integers from the list tool", id)
	}
	return iss.Err(query.StageArgs)
}

// done answers a write Mixpanel answers without a body: the ids changed.
type done struct {
	IDs  []int64 `json:"ids"`
	kind string
}

func doneWith(kind string, ids ...int64) done { return done{IDs: ids, kind: kind} }

// Ref names what changed by id: "report 614", "reports 613, 614".
func (d done) Ref() mixpanel.Ref {
	ids := make([]string, len(d.IDs))
	for i, id := range d.IDs {
		ids[i] = mixpanel.ID(id)
	}
	kind := d.kind
	if len(ids) > 1 {
		kind += "s"
	}
	return mixpanel.Ref{Kind: kind, ID: strings.Join(ids, ", ")}
}

// Text is empty: the action line names the ids.
func (d done) Text() string { return "" }

// report is a saved report as a tool shows it: its fields, then its
// params in full (the definition a model reads or reuses).
type report struct{ mixpanel.Bookmark }

// Text renders the fields a person needs and the params.
func (r report) Text() string {
	b := r.Bookmark
	params, meta := b.Params, b.Metadata
	b.Params, b.Metadata = nil, nil
	s := renderValue(b)
	if len(params) > 0 && string(params) != "null" {
		s += "params: " + clip(string(params), 4000) + "\n"
	}
	if len(meta) > 0 && string(meta) != "null" {
		s += "metadata: " + clip(string(meta), 400) + "\n"
	}
	return s
}

// engineArgs are the arguments of one query tool, kept raw until the
// report is built. Their schema is a bare object: the query tool's input
// schema describes them, and repeating four of those here would cost
// thousands of tokens on every turn.
type engineArgs json.RawMessage

// UnmarshalJSON keeps the arguments.
func (a *engineArgs) UnmarshalJSON(b []byte) error {
	*a = append((*a)[:0], b...)
	return nil
}

// MarshalJSON writes them back as given.
func (a engineArgs) MarshalJSON() ([]byte, error) {
	if len(a) == 0 {
		return []byte("null"), nil
	}
	return a, nil
}

func (a engineArgs) given() bool {
	t := bytes.TrimSpace(a)
	return len(t) > 0 && string(t) != "null"
}

// ReportQuery is what a report shows, as query.Report takes it: one query
// tool's arguments (validated and built by its engine, as that tool does)
// or the params of a dry run.
type ReportQuery struct {
	Insights  engineArgs      `json:"insights,omitempty" jsonschema:"description=Arguments of an Insights query (as its query tool takes them)"`
	Funnel    engineArgs      `json:"funnel,omitempty" jsonschema:"description=Arguments of a funnel query (as its query tool takes them)"`
	Retention engineArgs      `json:"retention,omitempty" jsonschema:"description=Arguments of a retention query (as its query tool takes them)"`
	Flow      engineArgs      `json:"flow,omitempty" jsonschema:"description=Arguments of a flow query (as its query tool takes them)"`
	Params    query.RawParams `json:"params,omitempty"`
}

func (r ReportQuery) given() bool {
	return r.Insights.given() || r.Funnel.given() || r.Retention.given() || r.Flow.given() || r.Params != nil
}

// build decodes the query given the way its tool does, through the same
// argument pipeline (its dry_run, limit and offset are accepted and
// ignored), and builds the report's type and
// params with query.Report. declared is the bookmark_type named, if any.
// The query is built while the input is validated, before the handler and
// its Env exist, so "today" is the clock's.
func (r ReportQuery) build(declared string) (string, map[string]any, error) {
	var rep query.Report
	if r.Insights.given() {
		var in QueryInsightsInput
		if err := newArgPipeline(inputOf("query_insights")).decode(json.RawMessage(r.Insights), &in); err != nil {
			return "", nil, fmt.Errorf("insights: %w", err)
		}
		rep.Insights = &in.InsightsQuery
	}
	if r.Funnel.given() {
		var in QueryFunnelInput
		if err := newArgPipeline(inputOf("query_funnel")).decode(json.RawMessage(r.Funnel), &in); err != nil {
			return "", nil, fmt.Errorf("funnel: %w", err)
		}
		rep.Funnel = &in.FunnelQuery
	}
	if r.Retention.given() {
		var in QueryRetentionInput
		if err := newArgPipeline(inputOf("query_retention")).decode(json.RawMessage(r.Retention), &in); err != nil {
			return "", nil, fmt.Errorf("retention: %w", err)
		}
		rep.Retention = &in.RetentionQuery
	}
	if r.Flow.given() {
		var in QueryFlowInput
		if err := newArgPipeline(inputOf("query_flow")).decode(json.RawMessage(r.Flow), &in); err != nil {
			return "", nil, fmt.Errorf("flow: %w", err)
		}
		rep.Flow = &in.FlowQuery
	}
	rep.Params = r.Params
	kind, params, err := rep.Build(declared, time.Now())
	if err != nil {
		return "", nil, bookmarkTypeField(err)
	}
	return kind, params, nil
}

// inputOf is the input schema of the named tool, for decoding arguments as
// it does.
func inputOf(tool string) func() (json.RawMessage, error) {
	return func() (json.RawMessage, error) {
		in, _, err := Lookup(tool).Schemas()
		return in, err
	}
}

// bookmarkTypeField renames query.Report's "type" field to this tool's
// bookmark_type in validation issues.
func bookmarkTypeField(err error) error {
	var verr *query.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	out := &query.ValidationError{Stage: verr.Stage, Issues: slices.Clone(verr.Issues)}
	for i, is := range out.Issues {
		if is.Path == "type" {
			out.Issues[i].Path = "bookmark_type"
			out.Issues[i].Message = strings.ReplaceAll(is.Message, "set type", "set bookmark_type")
		}
	}
	return out
}

// rawParams decodes params passed whole without checking them (reports of
// type user, and updates that do not name their type).
func rawParams(p query.RawParams) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		return nil, fmt.Errorf("params: X1_INVALID_ENUM: not a JSON object (%v); pass the params object of a dry run", err)
	}
	return m, nil
}

// createBookmarkIn is a new report: the reference's CreateBookmarkParams,
// whose params may come from a typed query.
type createBookmarkIn struct {
	Name         string `json:"name" jsonschema:"minLength=1,maxLength=255"`
	BookmarkType string `json:"bookmark_type,omitempty" jsonschema:"enum=insights,enum=funnels,enum=retention,enum=flows,enum=user,description=Report type; implied by a query\\, needed with params"`
	DashboardID  int64  `json:"dashboard_id" jsonschema:"minimum=1,description=Dashboard the report goes on"`
	ReportQuery
	mixpanel.BookmarkFields

	built mixpanel.CreateBookmarkParams
}

// Validate checks the fields and builds the params from the query, or
// checks the params given, before any request.
func (in *createBookmarkIn) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "name", in.Name, "Weekly signups")
	checkEnum(&iss, "bookmark_type", in.BookmarkType, mixpanel.CreatableBookmarkTypes...)
	if in.DashboardID <= 0 {
		iss.Add("X5_REQUIRED", "dashboard_id", "every report lives on a dashboard: pass a dashboard id (got %d)", in.DashboardID)
	}
	if err := iss.Err(query.StageArgs); err != nil {
		return err
	}
	kind, params := in.BookmarkType, map[string]any(nil)
	var err error
	if kind == "user" && in.Params != nil && !in.Insights.given() && !in.Funnel.given() && !in.Retention.given() && !in.Flow.given() {
		params, err = rawParams(in.Params)
	} else {
		kind, params, err = in.ReportQuery.build(in.BookmarkType)
	}
	if err != nil {
		return err
	}
	in.built = mixpanel.CreateBookmarkParams{Name: in.Name, BookmarkType: kind, Params: params, DashboardID: in.DashboardID, BookmarkFields: in.BookmarkFields}
	return nil
}

// updateBookmarkIn changes a report; new params may come from a query.
type updateBookmarkIn struct {
	BookmarkID   int64  `json:"bookmark_id" jsonschema:"minimum=1,description=Report (bookmark) id"`
	Name         string `json:"name,omitempty" jsonschema:"maxLength=255"`
	BookmarkType string `json:"bookmark_type,omitempty" jsonschema:"enum=insights,enum=funnels,enum=retention,enum=flows,enum=user,description=The report's type: checks new params"`
	ReportQuery
	mixpanel.BookmarkFields
	DashboardID int64 `json:"dashboard_id,omitempty" jsonschema:"minimum=1,description=Move to this dashboard"`
	Deleted     *bool `json:"deleted,omitempty" jsonschema:"description=Soft-delete (true) or restore (false)"`

	built mixpanel.UpdateBookmarkParams
}

// Validate checks the id and builds or checks the new params.
func (in *updateBookmarkIn) Validate() error {
	if err := requireID("bookmark_id", in.BookmarkID); err != nil {
		return err
	}
	var iss query.Issues
	checkEnum(&iss, "bookmark_type", in.BookmarkType, mixpanel.CreatableBookmarkTypes...)
	if err := iss.Err(query.StageArgs); err != nil {
		return err
	}
	in.built = mixpanel.UpdateBookmarkParams{Name: in.Name, DashboardID: in.DashboardID, Deleted: in.Deleted, BookmarkFields: in.BookmarkFields}
	var err error
	switch {
	case !in.ReportQuery.given():
	case in.Params != nil && (in.BookmarkType == "" || in.BookmarkType == "user") &&
		!in.Insights.given() && !in.Funnel.given() && !in.Retention.given() && !in.Flow.given():
		// Without a type the params are sent as given, like the
		// reference's partial update.
		in.built.Params, err = rawParams(in.Params)
	default:
		_, in.built.Params, err = in.ReportQuery.build(in.BookmarkType)
	}
	return err
}

type bulkUpdateBookmarksIn struct {
	Bookmarks []mixpanel.BulkUpdateBookmarkEntry `json:"bookmarks" jsonschema:"minItems=1,description=One entry per report: its id and the fields to change"`
}

// Validate checks every entry's id.
func (in *bulkUpdateBookmarksIn) Validate() error {
	ids := make([]int64, len(in.Bookmarks))
	for i, e := range in.Bookmarks {
		ids[i] = e.ID
	}
	return checkIDList("bookmarks", ids)
}

// describeBookmarks names the reports a call will change, for the user's
// confirmation.
func describeBookmarks(ctx context.Context, c *mixpanel.Client, verb string, ids ...int64) (string, error) {
	bs, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{IDs: ids})
	if err != nil {
		return "", err
	}
	return describeRefs(verb, bs, len(ids)), nil
}

type linkedDashboards struct {
	DashboardIDs []int64 `json:"dashboard_ids"`
}

// Text lists the ids.
func (l linkedDashboards) Text() string {
	if len(l.DashboardIDs) == 0 {
		return "On no dashboard."
	}
	s := make([]string, len(l.DashboardIDs))
	for i, id := range l.DashboardIDs {
		s[i] = mixpanel.ID(id)
	}
	return fmt.Sprintf("On %d dashboard(s): %s", len(s), strings.Join(s, ", "))
}

type bookmarkHistoryIn struct {
	BookmarkID int64 `json:"bookmark_id" jsonschema:"minimum=1,description=Report (bookmark) id"`
	mixpanel.BookmarkHistoryParams
}

// Validate checks the id and page size.
func (in *bookmarkHistoryIn) Validate() error {
	if err := requireID("bookmark_id", in.BookmarkID); err != nil {
		return err
	}
	return checkWindow(in.PageSize, 0, 100)
}

type bookmarkHistory struct{ mixpanel.BookmarkHistory }

// Text renders the page as a table with the cursor to the next one.
func (h bookmarkHistory) Text() string {
	t := Table{Title: fmt.Sprintf("%d changes", len(h.Results)), Columns: []string{"action", "when", "user"}}
	for _, e := range h.Results {
		who, _ := e.User["email"].(string)
		if who == "" {
			who, _ = e.User["name"].(string)
		}
		t.Rows = append(t.Rows, []string{e.Action, e.Timestamp, who})
	}
	s := t.String()
	if n := h.Pagination.NextCursor; n != "" {
		s += "More: pass cursor " + n + "\n"
	}
	return s
}
