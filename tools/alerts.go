package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The alerts toolset: custom alerts on saved Insights and Funnels reports.
func alertsTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[listAlertsIn, List[mixpanel.Alert]]{Name: "list_alerts", Toolset: ToolsetAlerts, Ann: ReadOnly,
			Desc: "List custom alerts (report, condition, frequency, paused, last fired).",
			Call: func(ctx context.Context, c *M, in listAlertsIn) (List[mixpanel.Alert], error) {
				as, err := c.ListAlerts(ctx, in.ListAlertsParams)
				return paged(as, in.Paging), err
			}}.Tool(),
		Op[alertID, mixpanel.Alert]{Name: "get_alert", Toolset: ToolsetAlerts, Ann: ReadOnly, Kind: "alert",
			Desc: "Read one alert: its report, condition, subscribers and last checks.",
			Call: func(ctx context.Context, c *M, in alertID) (mixpanel.Alert, error) {
				return c.GetAlert(ctx, in.AlertID)
			}}.Tool(),
		Op[mixpanel.CreateAlertParams, mixpanel.Alert]{Name: "create_alert", Toolset: ToolsetAlerts, Ann: Write, Kind: "alert", Action: "created",
			Desc:   "Alert subscribers when a saved Insights or Funnels report meets a condition, checked hourly, daily or weekly.",
			Method: (*M).CreateAlert}.Tool(),
		Op[updateAlertIn, mixpanel.Alert]{Name: "update_alert", Toolset: ToolsetAlerts, Ann: Overwrite, Kind: "alert", Action: "updated",
			Desc: "Change an alert (name, condition, frequency, subscribers, paused); absent fields stay.",
			Call: func(ctx context.Context, c *M, in updateAlertIn) (mixpanel.Alert, error) {
				return c.UpdateAlert(ctx, in.AlertID, in.UpdateAlertParams)
			}}.Tool(),
		Op[alertID, mixpanel.Empty]{Name: "delete_alert", Toolset: ToolsetAlerts, Ann: Destructive, Action: "deleted",
			Desc: "Delete one alert.",
			Confirm: func(ctx context.Context, c *M, in alertID) (string, error) {
				a, err := c.GetAlert(ctx, in.AlertID)
				return "Delete " + a.Ref().String(), err
			},
			Call: func(ctx context.Context, c *M, in alertID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteAlert(ctx, in.AlertID)
			}}.Tool(),
		Op[alertIDs, mixpanel.Empty]{Name: "bulk_delete_alerts", Toolset: ToolsetAlerts, Ann: Destructive, Action: "deleted",
			Desc:   "Delete several alerts by id.",
			Repeat: func(in alertIDs) string { return countOf("delete", len(in.AlertIDs), "alert", "alerts") },
			Confirm: func(ctx context.Context, c *M, in alertIDs) (string, error) {
				as, err := c.ListAlerts(ctx, mixpanel.ListAlertsParams{})
				as = slices.DeleteFunc(as, func(a mixpanel.Alert) bool { return !slices.Contains(in.AlertIDs, a.ID) })
				return describeRefs("Delete", as, len(in.AlertIDs)), err
			},
			Call: func(ctx context.Context, c *M, in alertIDs) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.BulkDeleteAlerts(ctx, in.AlertIDs)
			}}.Tool(),
		Op[alertCountIn, mixpanel.AlertCount]{Name: "get_alert_count", Toolset: ToolsetAlerts, Ann: ReadOnly,
			Desc: "Count alerts against the account's alert limit.",
			Call: func(ctx context.Context, c *M, in alertCountIn) (mixpanel.AlertCount, error) {
				return c.GetAlertCount(ctx, in.AlertType)
			}}.Tool(),
		Op[alertHistoryIn, mixpanel.AlertHistory]{Name: "get_alert_history", Toolset: ToolsetAlerts, Ann: ReadOnly, Kind: "alert",
			Desc: "Read an alert's past checks (fired or not, value), a page at a time by cursor.",
			Call: func(ctx context.Context, c *M, in alertHistoryIn) (mixpanel.AlertHistory, error) {
				return c.GetAlertHistory(ctx, in.AlertID, in.AlertHistoryParams)
			}}.Tool(),
		Op[mixpanel.CreateAlertParams, json.RawMessage]{Name: "test_alert", Toolset: ToolsetAlerts, Ann: Annotations{OpenWorld: true},
			Desc:   "Send an alert's notification once to its subscribers without saving the alert.",
			Method: (*M).TestAlert}.Tool(),
		Op[screenshotIn, string]{Name: "get_alert_screenshot_url", Toolset: ToolsetAlerts, Ann: ReadOnly,
			Desc: "Get a signed, short-lived URL of a screenshot an alert notification carried.",
			Call: func(ctx context.Context, c *M, in screenshotIn) (string, error) {
				return c.GetAlertScreenshotURL(ctx, in.GCSKey)
			}}.Tool(),
		Op[mixpanel.ValidateAlertsParams, mixpanel.AlertValidations]{Name: "validate_alerts_for_bookmark", Toolset: ToolsetAlerts, Ann: ReadOnly,
			Desc:   "Check whether alerts still work if their report changes to new params (e.g. before the report is saved with them).",
			Method: (*M).ValidateAlertsForBookmark}.Tool(),
	}
}

type listAlertsIn struct {
	mixpanel.ListAlertsParams
	Paging
}

type alertID struct {
	AlertID int64 `json:"alert_id" jsonschema:"minimum=1,description=Alert id (list_alerts)"`
}

type alertIDs struct {
	AlertIDs []int64 `json:"alert_ids" jsonschema:"minItems=1,description=Alert ids (list_alerts); no patterns"`
}

type updateAlertIn struct {
	alertID
	mixpanel.UpdateAlertParams
}

type alertCountIn struct {
	AlertType string `json:"alert_type,omitempty" jsonschema:"description=Count only this type, e.g. custom"`
}

type alertHistoryIn struct {
	alertID
	mixpanel.AlertHistoryParams
}

type screenshotIn struct {
	GCSKey string `json:"gcs_key" jsonschema:"minLength=1,description=Screenshot key from the alert's history"`
}

// Validate needs explicit ids.
func (in alertIDs) Validate() error {
	if len(in.AlertIDs) == 0 {
		return fmt.Errorf("alert_ids: %s: no ids; pass the alert ids to delete (list_alerts shows them)", mixpanel.CodeRequired)
	}
	return nil
}

// Validate needs a key.
func (in screenshotIn) Validate() error {
	if strings.TrimSpace(in.GCSKey) == "" {
		return fmt.Errorf("gcs_key: %s: empty; pass the screenshot key from get_alert_history", mixpanel.CodeRequired)
	}
	return nil
}
