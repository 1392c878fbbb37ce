package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Data volume anomalies (governance toolset): unexpected changes in
// event, property and metric volumes, opened or dismissed.
func governanceAnomaliesTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[listAnomaliesIn, List[mixpanel.DataVolumeAnomaly]]{Name: "list_data_volume_anomalies", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List data volume anomalies (actual vs predicted counts), by status, event or property.",
			Call: func(ctx context.Context, c *M, in listAnomaliesIn) (List[mixpanel.DataVolumeAnomaly], error) {
				as, err := c.ListDataVolumeAnomalies(ctx, in.ListAnomaliesParams)
				return paged(as, Paging{Limit: in.Rows, Offset: in.Offset}), err
			}}.Tool(),
		Op[mixpanel.UpdateAnomalyParams, map[string]any]{Name: "update_anomaly", Toolset: ToolsetGovernance, Ann: SetState, Action: "updated",
			Desc:   "Open or dismiss one anomaly.",
			Method: (*M).UpdateAnomaly}.Tool(),
		Op[mixpanel.BulkUpdateAnomalyParams, map[string]any]{Name: "bulk_update_anomalies", Toolset: ToolsetGovernance, Ann: SetState, Action: "updated",
			Desc: "Open or dismiss many anomalies at once.",
			Repeat: func(in mixpanel.BulkUpdateAnomalyParams) string {
				return countOf("update", len(in.Anomalies), "anomaly", "anomalies")
			},
			Confirm: func(ctx context.Context, c *M, in mixpanel.BulkUpdateAnomalyParams) (string, error) {
				known := map[int64]string{}
				if all, err := c.ListDataVolumeAnomalies(ctx, mixpanel.ListAnomaliesParams{}); err == nil {
					for _, a := range all {
						known[a.ID] = a.Subject()
					}
				}
				names := make([]string, 0, len(in.Anomalies))
				for i, a := range in.Anomalies {
					if i == 50 {
						names = append(names, fmt.Sprintf("and %d more", len(in.Anomalies)-50))
						break
					}
					s := fmt.Sprintf("%s anomaly %d", a.AnomalyClass, a.ID)
					if n := known[a.ID]; n != "" {
						s += fmt.Sprintf(" (%q)", n)
					}
					names = append(names, s)
				}
				return fmt.Sprintf("Set %d anomalies to %s: %s", len(in.Anomalies), in.Status, strings.Join(names, ", ")), nil
			},
			Method: (*M).BulkUpdateAnomalies}.Tool(),
	}
}

// listAnomaliesIn is Mixpanel's filters (its limit caps what Mixpanel
// returns) and the table's rows.
type listAnomaliesIn struct {
	mixpanel.ListAnomaliesParams
	Rows   int `json:"rows,omitempty" jsonschema:"minimum=1,maximum=1000,default=60,description=Table rows to show"`
	Offset int `json:"offset,omitempty" jsonschema:"minimum=0,description=First table row to show"`
}
