package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// User profiles through Engage (wire reference §4.6, §6.7). Profile lists
// are paginated with a page number and the session_id of page 0; the
// aggregate endpoint (/stats) answers counts and numeric summaries.

// MaxDistinctIDs is the most distinct ids one Engage request accepts.
const MaxDistinctIDs = 2000

// CohortFilter restricts profiles to a cohort: a saved one by ID, or an
// inline definition (the {selector, behaviors} object) in Raw.
type CohortFilter struct {
	ID  int64
	Raw map[string]any
}

// set adds the cohort to an Engage body, with include_all_users always
// sent (Mixpanel's own default, true, would ignore the cohort for
// non-members). A nil filter adds nothing.
func (f *CohortFilter) set(b map[string]any, includeAllUsers bool) {
	if f == nil {
		return
	}
	v := map[string]any{"id": f.ID}
	if f.Raw != nil {
		v = map[string]any{"raw_cohort": f.Raw}
	}
	b["filter_by_cohort"] = jsonString(v)
	b["include_all_users"] = includeAllUsers
}

// ProfileQuery selects profiles. Where is an Engage selector expression
// (properties["plan"] == "premium").
type ProfileQuery struct {
	Where            string
	Cohort           *CohortFilter
	OutputProperties []string
	DistinctID       string
	DistinctIDs      []string
	DataGroupID      string
	AsOfTimestamp    int64 // Unix seconds; 0 means now
	// IncludeAllUsers is sent whenever a cohort filter is (Mixpanel's own
	// default is true, which would ignore the cohort for non-members).
	IncludeAllUsers bool
	SortKey         string // e.g. properties["$last_seen"]
	SortOrder       string // ascending or descending
	Search          string
	// Limit is the most profiles wanted; 0 means all.
	Limit int
}

// Profile is one user (or group) profile, normalised as the reference does.
type Profile struct {
	DistinctID string         `json:"distinct_id"`
	LastSeen   *string        `json:"last_seen,omitempty"`
	Properties map[string]any `json:"properties"`
}

// ProfilePage is one page of an Engage answer.
type ProfilePage struct {
	Profiles  []Profile
	SessionID string
	Page      int
	PageSize  int
	Total     int
}

// engagePageSize is Mixpanel's page size; a smaller limit is sent as the
// page size so a request for a few profiles does not fetch a thousand.
const engagePageSize = 1000

func (c *Client) engageBody(pid int64, q ProfileQuery) map[string]any {
	// A pinned workspace reaches Engage as the workspace_id query parameter
	// the client adds to every Engage request.
	b := map[string]any{"project_id": pid}
	setBody(b, "where", q.Where)
	q.Cohort.set(b, q.IncludeAllUsers)
	if len(q.OutputProperties) > 0 {
		b["output_properties"] = jsonString(q.OutputProperties)
	}
	setBody(b, "distinct_id", q.DistinctID)
	if len(q.DistinctIDs) > 0 {
		b["distinct_ids"] = jsonString(dedupe(q.DistinctIDs))
	}
	setBody(b, "data_group_id", q.DataGroupID)
	if q.AsOfTimestamp > 0 {
		b["as_of_timestamp"] = q.AsOfTimestamp
	}
	setBody(b, "sort_key", q.SortKey)
	setBody(b, "sort_order", q.SortOrder)
	setBody(b, "search", q.Search)
	if q.Limit > 0 && q.Limit < engagePageSize {
		b["limit"] = q.Limit
	}
	return b
}

// ProfilesParams is the body of the first Engage request q sends (page 0),
// without sending it; later pages add their page number and page 0's
// session_id.
func (c *Client) ProfilesParams(q ProfileQuery) (map[string]any, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	body := c.engageBody(pid, q)
	body["page"] = 0
	return body, nil
}

// ProfilesPage fetches one page; sessionID is "" for page 0 and the
// session_id page 0 returned for the others.
func (c *Client) ProfilesPage(ctx context.Context, q ProfileQuery, page int, sessionID string) (*ProfilePage, error) {
	body, err := c.ProfilesParams(q)
	if err != nil {
		return nil, err
	}
	body["page"] = page
	if page > 0 {
		body["session_id"] = sessionID
	}
	var raw struct {
		Results []struct {
			DistinctID string         `json:"$distinct_id"`
			Properties map[string]any `json:"$properties"`
		} `json:"results"`
		SessionID string `json:"session_id"`
		Page      int    `json:"page"`
		PageSize  int    `json:"page_size"`
		Total     int    `json:"total"`
	}
	req := Request{Family: Engage, Method: http.MethodPost, Path: "", Body: body, Safe: true}
	if err := c.JSON(ctx, req, &raw); err != nil {
		return nil, fmt.Errorf("profiles page %d: %w", page, err)
	}
	out := &ProfilePage{SessionID: raw.SessionID, Page: raw.Page, PageSize: raw.PageSize, Total: raw.Total, Profiles: make([]Profile, 0, len(raw.Results))}
	for _, r := range raw.Results {
		out.Profiles = append(out.Profiles, NormalizeProfile(r.DistinctID, r.Properties))
	}
	return out, nil
}

// NormalizeProfile lifts $last_seen out of a profile's properties.
func NormalizeProfile(distinctID string, props map[string]any) Profile {
	if props == nil {
		props = map[string]any{}
	}
	p := Profile{DistinctID: distinctID, Properties: props}
	if ls, ok := props["$last_seen"].(string); ok {
		p.LastSeen = &ls
	}
	return p
}

// ProfileStats describes a profile stream.
type ProfileStats struct {
	Rows         int
	PagesFetched int
	SessionID    string
	Total        int  // Mixpanel's total of matching profiles, when it says
	Stopped      bool // the callback stopped before the last page
}

// StreamProfiles pages through the matching profiles, calling yield for
// each until it returns false, q.Limit is reached or the pages run out.
// Only one page is held at a time.
func (c *Client) StreamProfiles(ctx context.Context, q ProfileQuery, yield func(Profile) bool) (ProfileStats, error) {
	var st ProfileStats
	for page := 0; ; page++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		pg, err := c.ProfilesPage(ctx, q, page, st.SessionID)
		if err != nil {
			return st, err
		}
		st.PagesFetched++
		if page == 0 {
			st.SessionID, st.Total = pg.SessionID, pg.Total
		}
		for _, p := range pg.Profiles {
			if q.Limit > 0 && st.Rows >= q.Limit {
				st.Stopped = true
				return st, nil
			}
			st.Rows++
			if !yield(p) {
				st.Stopped = true
				return st, nil
			}
		}
		switch {
		case len(pg.Profiles) == 0, st.SessionID == "", len(pg.Profiles) < pg.PageSize:
			return st, nil
		case q.Limit > 0 && st.Rows >= q.Limit:
			st.Stopped = st.Total > st.Rows
			return st, nil
		case st.Total > 0 && st.Rows >= st.Total:
			return st, nil
		}
	}
}

// UserQueryResult is the result of query_user: profiles, or an aggregate.
type UserQueryResult struct {
	Mode          string          `json:"mode"` // profiles or aggregate
	Profiles      []Profile       `json:"profiles,omitempty"`
	Total         int             `json:"total"`
	AggregateData json.RawMessage `json:"aggregate_data,omitempty"`
	ComputedAt    string          `json:"computed_at,omitempty"`
	Meta          map[string]any  `json:"meta"`
}

// QueryProfiles collects the profiles of q (at most q.Limit).
func (c *Client) QueryProfiles(ctx context.Context, q ProfileQuery) (*UserQueryResult, error) {
	res := &UserQueryResult{Mode: "profiles", Profiles: []Profile{}}
	st, err := c.StreamProfiles(ctx, q, func(p Profile) bool {
		res.Profiles = append(res.Profiles, p)
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("query profiles: %w", err)
	}
	res.Total = len(res.Profiles)
	res.Meta = map[string]any{"session_id": st.SessionID, "pages_fetched": st.PagesFetched, "matching": st.Total}
	return res, nil
}

// StatsQuery is an aggregate over profiles. Action is count(),
// extremes(properties["p"]), percentile(properties["p"], N) or
// numeric_summary(properties["p"]); Selector filters the profiles.
type StatsQuery struct {
	Action           string
	Selector         string
	Cohort           *CohortFilter
	SegmentByCohorts []int64
	DataGroupID      string
	IncludeAllUsers  bool
}

// StatsParams is the body of the Engage /stats request of q, without
// sending it.
func (c *Client) StatsParams(q StatsQuery) (map[string]any, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	b := map[string]any{"project_id": pid, "action": q.Action}
	setBody(b, "selector", q.Selector)
	q.Cohort.set(b, q.IncludeAllUsers)
	if len(q.SegmentByCohorts) > 0 {
		seg := map[string]bool{}
		for _, id := range q.SegmentByCohorts {
			seg[strconv.FormatInt(id, 10)] = true
		}
		b["segment_by_cohorts"] = jsonString(seg)
	}
	setBody(b, "data_group_id", q.DataGroupID)
	return b, nil
}

// ProfileStatsAggregate runs an aggregate over profiles. Total is set only
// for an unsegmented count().
func (c *Client) ProfileStatsAggregate(ctx context.Context, q StatsQuery) (*UserQueryResult, error) {
	b, err := c.StatsParams(q)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Results    json.RawMessage `json:"results"`
		ComputedAt string          `json:"computed_at"`
	}
	req := Request{Family: Engage, Method: http.MethodPost, Path: "/stats", Body: b, Safe: true}
	if err := c.JSON(ctx, req, &raw); err != nil {
		return nil, fmt.Errorf("profile aggregate %s: %w", q.Action, err)
	}
	if len(raw.Results) == 0 {
		return nil, fmt.Errorf("profile aggregate %s: %w", q.Action, badAnswer(http.MethodPost, "/stats", `the answer has no "results"`))
	}
	segmented := len(q.SegmentByCohorts) > 0
	res := &UserQueryResult{Mode: "aggregate", AggregateData: raw.Results, ComputedAt: raw.ComputedAt,
		Meta: map[string]any{"action": q.Action, "segmented": segmented}}
	if q.Action == "count()" && !segmented {
		var n float64
		if json.Unmarshal(raw.Results, &n) == nil {
			res.Total = int(n)
		}
	}
	return res, nil
}

func setBody(b map[string]any, k, v string) {
	if v != "" {
		b[k] = v
	}
}

// jsonString is v encoded as a JSON string value: Engage takes its list and
// object parameters that way.
func jsonString(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
