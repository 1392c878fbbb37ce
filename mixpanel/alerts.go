package mixpanel

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Alert is a custom alert on a saved report (wire reference §4.15). Its
// condition, subscriptions and notification windows are Mixpanel's own
// JSON, kept as they come.
type Alert struct {
	ID                  int64           `json:"id" col:"id"`
	Name                string          `json:"name" col:"name"`
	Bookmark            *AlertBookmark  `json:"bookmark,omitempty" col:"report"`
	Condition           json.RawMessage `json:"condition,omitempty" col:"condition"`
	Frequency           int             `json:"frequency,omitempty" col:"every (s)"`
	Paused              bool            `json:"paused" col:"paused"`
	Subscriptions       json.RawMessage `json:"subscriptions,omitempty"`
	NotificationWindows json.RawMessage `json:"notification_windows,omitempty"`
	Created             string          `json:"created,omitempty"`
	Modified            string          `json:"modified,omitempty"`
	LastChecked         string          `json:"last_checked,omitempty"`
	LastFired           string          `json:"last_fired,omitempty" col:"last fired"`
	Valid               *bool           `json:"valid,omitempty"`
}

// AlertBookmark is the saved report an alert watches.
type AlertBookmark struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

func (b AlertBookmark) String() string { return strconv.FormatInt(b.ID, 10) + " " + b.Name }

// Ref names the alert.
func (a Alert) Ref() Ref { return Ref{Kind: "alert", ID: ID(a.ID), Name: a.Name} }

// Alert check frequencies in seconds (the reference's AlertFrequencyPreset).
var alertFrequencies = []int{3600, 86400, 604800}

// AlertSubscription is one notification target.
type AlertSubscription struct {
	Type  string `json:"type" jsonschema:"description=email or slack (or another channel Mixpanel offers)"`
	Value string `json:"value" jsonschema:"description=Address or channel, e.g. #oncall"`
}

// AlertFields are the fields of an alert that create and update share.
type AlertFields struct {
	Condition           map[string]any      `json:"condition,omitempty" jsonschema:"description=Trigger JSON as Mixpanel takes it: op and value (plus type and keys)"`
	Frequency           int                 `json:"frequency,omitempty" jsonschema:"enum=3600,enum=86400,enum=604800,description=Check every hour/day/week (seconds)"`
	Subscriptions       []AlertSubscription `json:"subscriptions,omitempty"`
	NotificationWindows map[string]any      `json:"notification_windows,omitempty" jsonschema:"description=When notifications may be sent: timezone and windows"`
}

func (f AlertFields) check(c *checks) {
	if f.Frequency != 0 && !slices.Contains(alertFrequencies, f.Frequency) {
		c.add(CodeRange, "frequency", "%d is not a check frequency; use 3600 (hourly), 86400 (daily) or 604800 (weekly)", f.Frequency)
	}
	for i, s := range f.Subscriptions {
		field := "subscriptions[" + strconv.Itoa(i) + "]"
		c.required(field+".type", s.Type == "", "say how to notify (email or slack)")
		c.required(field+".value", s.Value == "", "give the address or channel")
	}
}

// CreateAlertParams is a new alert.
type CreateAlertParams struct {
	BookmarkID int64  `json:"bookmark_id" jsonschema:"minimum=1,description=Saved Insights or Funnels report to watch"`
	Name       string `json:"name" jsonschema:"maxLength=50"`
	Paused     bool   `json:"paused,omitempty" jsonschema:"description=Create it paused"`
	AlertFields
}

// MarshalJSON always sends paused and the required keys, as the reference
// does.
func (p CreateAlertParams) MarshalJSON() ([]byte, error) {
	body := map[string]any{"bookmark_id": p.BookmarkID, "name": p.Name, "condition": p.Condition, "frequency": p.Frequency, "paused": p.Paused, "subscriptions": p.Subscriptions}
	if body["subscriptions"] == nil || len(p.Subscriptions) == 0 {
		body["subscriptions"] = []AlertSubscription{}
	}
	if p.NotificationWindows != nil {
		body["notification_windows"] = p.NotificationWindows
	}
	return json.Marshal(body)
}

// Validate checks the required fields, the name and the frequency.
func (p CreateAlertParams) Validate() error {
	var c checks
	c.requiredID(query.NeedBookmarkID, "bookmark_id", p.BookmarkID <= 0, "pass the id of the saved report to watch")
	c.required("name", p.Name == "", "name the alert")
	c.maxLen("name", p.Name, 50)
	c.required("condition", len(p.Condition) == 0, "say when to fire, e.g. {\"type\":\"absolute\",\"op\":\"<\",\"value\":100}")
	c.required("frequency", p.Frequency == 0, "pick 3600, 86400 or 604800 seconds")
	p.AlertFields.check(&c)
	return c.err()
}

// UpdateAlertParams changes an alert; absent fields stay.
type UpdateAlertParams struct {
	Name       string `json:"name,omitempty" jsonschema:"maxLength=50"`
	BookmarkID int64  `json:"bookmark_id,omitempty" jsonschema:"minimum=1"`
	Paused     *bool  `json:"paused,omitempty"`
	AlertFields
}

// Validate needs something to change.
func (p UpdateAlertParams) Validate() error {
	var c checks
	c.required("name", p.Name == "" && p.BookmarkID == 0 && p.Paused == nil && p.Condition == nil && p.Frequency == 0 && p.Subscriptions == nil && p.NotificationWindows == nil,
		"pass at least one field to change")
	c.maxLen("name", p.Name, 50)
	p.AlertFields.check(&c)
	return c.err()
}

// ListAlertsParams filters alerts.
type ListAlertsParams struct {
	BookmarkID     int64 `json:"bookmark_id,omitempty" jsonschema:"minimum=1,description=Only alerts on this report"`
	SkipUserFilter *bool `json:"skip_user_filter,omitempty" jsonschema:"description=true: everyone's alerts, not only yours"`
}

func (c *Client) alertsPath(parts ...string) (string, error) {
	return c.scoped(append([]string{"alerts", "custom"}, append(parts, "")...)...)
}

// ListAlerts lists custom alerts.
func (c *Client) ListAlerts(ctx context.Context, p ListAlertsParams) ([]Alert, error) {
	path, err := c.alertsPath()
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.BookmarkID > 0 {
		q.Set("bookmark_id", ID(p.BookmarkID))
	}
	if p.SkipUserFilter != nil {
		q.Set("skip_user_filter", strconv.FormatBool(*p.SkipUserFilter))
	}
	return appCall[[]Alert](ctx, c, GET, path, q, nil)
}

// CreateAlert adds an alert.
func (c *Client) CreateAlert(ctx context.Context, p CreateAlertParams) (Alert, error) {
	path, err := c.alertsPath()
	if err != nil {
		return Alert{}, err
	}
	return appCall[Alert](ctx, c, POST, path, nil, p)
}

// GetAlert reads one alert.
func (c *Client) GetAlert(ctx context.Context, id int64) (Alert, error) {
	path, err := c.alertsPath(ID(id))
	if err != nil {
		return Alert{}, err
	}
	return appCall[Alert](ctx, c, GET, path, nil, nil)
}

// UpdateAlert changes an alert.
func (c *Client) UpdateAlert(ctx context.Context, id int64, p UpdateAlertParams) (Alert, error) {
	path, err := c.alertsPath(ID(id))
	if err != nil {
		return Alert{}, err
	}
	return appCall[Alert](ctx, c, PATCH, path, nil, p)
}

// DeleteAlert deletes one alert.
func (c *Client) DeleteAlert(ctx context.Context, id int64) error {
	path, err := c.alertsPath(ID(id))
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, nil)
	return err
}

// BulkDeleteAlerts deletes several alerts by id.
func (c *Client) BulkDeleteAlerts(ctx context.Context, ids []int64) error {
	path, err := c.alertsPath("bulk-delete")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, POST, path, nil, map[string]any{"alert_ids": ids})
	return err
}

// AlertCount is the number of alerts against the account's limit.
type AlertCount struct {
	AnomalyAlertsCount int  `json:"anomaly_alerts_count"`
	AlertLimit         int  `json:"alert_limit"`
	IsBelowLimit       bool `json:"is_below_limit"`
}

// GetAlertCount counts alerts, optionally of one type.
func (c *Client) GetAlertCount(ctx context.Context, alertType string) (AlertCount, error) {
	path, err := c.alertsPath("alert-count")
	if err != nil {
		return AlertCount{}, err
	}
	var q url.Values
	if alertType != "" {
		q = url.Values{"type": {alertType}}
	}
	return appCall[AlertCount](ctx, c, GET, path, q, nil)
}

// AlertHistory is one page of an alert's checks.
type AlertHistory struct {
	Results    []json.RawMessage `json:"results"`
	Pagination struct {
		PageSize       int    `json:"page_size,omitempty"`
		NextCursor     string `json:"next_cursor,omitempty"`
		PreviousCursor string `json:"previous_cursor,omitempty"`
	} `json:"pagination"`
}

// AlertHistoryParams pages the history.
type AlertHistoryParams struct {
	PageSize       int    `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100,description=Entries per page"`
	NextCursor     string `json:"next_cursor,omitempty" jsonschema:"description=From the previous page's pagination"`
	PreviousCursor string `json:"previous_cursor,omitempty"`
}

// GetAlertHistory reads one page of an alert's history; the answer keeps
// its pagination beside the results.
func (c *Client) GetAlertHistory(ctx context.Context, id int64, p AlertHistoryParams) (AlertHistory, error) {
	var h AlertHistory
	path, err := c.alertsPath(ID(id), "history")
	if err != nil {
		return h, err
	}
	q := url.Values{}
	if p.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	if p.NextCursor != "" {
		q.Set("next_cursor", p.NextCursor)
	}
	if p.PreviousCursor != "" {
		q.Set("previous_cursor", p.PreviousCursor)
	}
	raw, err := appRaw(ctx, c, GET, path, q, nil)
	if err != nil {
		return h, err
	}
	payload := UnwrapResults(raw)
	if err := json.Unmarshal(payload, &h); err != nil {
		return h, badAnswer(GET, path, "unexpected alert history: "+err.Error())
	}
	h.Results = nonNilSlice(h.Results)
	return h, nil
}

// TestAlert sends the alert's notification once without saving it.
func (c *Client) TestAlert(ctx context.Context, p CreateAlertParams) (json.RawMessage, error) {
	path, err := c.alertsPath("test")
	if err != nil {
		return nil, err
	}
	return appCall[json.RawMessage](ctx, c, POST, path, nil, p)
}

// GetAlertScreenshotURL signs the URL of a screenshot an alert took.
func (c *Client) GetAlertScreenshotURL(ctx context.Context, gcsKey string) (string, error) {
	path, err := c.alertsPath("screenshot")
	if err != nil {
		return "", err
	}
	r, err := appCall[struct {
		SignedURL string `json:"signed_url"`
	}](ctx, c, GET, path, url.Values{"gcs_key": {gcsKey}}, nil)
	return r.SignedURL, err
}

// ValidateAlertsParams checks alerts against a report's new params.
type ValidateAlertsParams struct {
	AlertIDs       []int64        `json:"alert_ids" jsonschema:"minItems=1"`
	BookmarkType   string         `json:"bookmark_type" jsonschema:"enum=insights,enum=funnels"`
	BookmarkParams map[string]any `json:"bookmark_params" jsonschema:"description=The report's params (a query tool's dry_run gives them)"`
}

// Validate checks the ids and that the report type can carry alerts.
func (p ValidateAlertsParams) Validate() error {
	var c checks
	c.requiredID(query.NeedAlertID, "alert_ids", len(p.AlertIDs) == 0, "pass the ids of the alerts to check")
	if p.BookmarkType != "insights" && p.BookmarkType != "funnels" {
		c.add(CodeRange, "bookmark_type", "alerts watch only insights and funnels reports, not %q; pick one of those", p.BookmarkType)
	}
	c.required("bookmark_params", len(p.BookmarkParams) == 0, "pass the report's params")
	return c.err()
}

// AlertValidations says which alerts still fit the report.
type AlertValidations struct {
	AlertValidations []struct {
		AlertID   int64  `json:"alert_id" col:"id"`
		AlertName string `json:"alert_name" col:"name"`
		Valid     bool   `json:"valid" col:"valid"`
		Reason    string `json:"reason,omitempty" col:"reason"`
	} `json:"alert_validations"`
	InvalidCount int `json:"invalid_count"`
}

// ValidateAlertsForBookmark checks whether alerts still work if their
// report changes to the given params.
func (c *Client) ValidateAlertsForBookmark(ctx context.Context, p ValidateAlertsParams) (AlertValidations, error) {
	path, err := c.alertsPath("validate-alerts-for-bookmark")
	if err != nil {
		return AlertValidations{}, err
	}
	return appCall[AlertValidations](ctx, c, POST, path, nil, p)
}
