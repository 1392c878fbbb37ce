package tools

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Event deletion requests (governance toolset). A GDPR deletion cannot be
// undone, so create_deletion_request never deletes on the model's word
// alone: with elicitation it previews what the filters match
// (preview_deletion_filters) and asks the user, showing that preview;
// without elicitation it needs a confirm argument repeating the event and
// the days (Op.Repeat), and sends nothing when it does not match. That path sends no
// preview of its own: the model previews with preview_deletion_filters and
// gets the user's go-ahead first (the description says so), and the
// create request is then exactly the reference's.
func governanceDeletionsTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[Paging, List[mixpanel.EventDeletionRequest]]{Name: "list_deletion_requests", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List event deletion requests and their status.",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.EventDeletionRequest], error) {
				rs, err := c.ListDeletionRequests(ctx)
				return paged(rs, in), err
			}}.Tool(),
		Op[mixpanel.DeletionParams, []map[string]any]{Name: "preview_deletion_filters", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc:   "Preview how Mixpanel reads a deletion's filters, without deleting.",
			Method: (*M).PreviewDeletionFilters}.Tool(),
		Op[mixpanel.DeletionParams, List[mixpanel.EventDeletionRequest]]{Name: "create_deletion_request", Toolset: ToolsetGovernance,
			Ann: Annotations{Destructive: true, OpenWorld: true}, Action: "requested deletion; all requests",
			Desc: "Irreversibly delete an event's data in a date range (GDPR); preview_deletion_filters first.",
			Confirm: func(ctx context.Context, c *M, in mixpanel.DeletionParams) (string, error) {
				preview, err := c.PreviewDeletionFilters(ctx, in)
				if err != nil {
					return "", err
				}
				return deletionQuestion(in, preview), nil
			},
			Repeat: func(in mixpanel.DeletionParams) string { return in.EventName + " " + in.FromDate + ".." + in.ToDate },
			Call: func(ctx context.Context, c *M, in mixpanel.DeletionParams) (List[mixpanel.EventDeletionRequest], error) {
				rs, err := c.CreateDeletionRequest(ctx, in)
				return paged(rs, Paging{Limit: legacyMaxRows}), err
			}}.Tool(),
		Op[deletionID, List[mixpanel.EventDeletionRequest]]{Name: "cancel_deletion_request", Toolset: ToolsetGovernance,
			Ann: Annotations{Idempotent: true, OpenWorld: true}, Action: "cancelled; remaining requests",
			Desc: "Cancel a deletion request still Submitted.",
			Call: func(ctx context.Context, c *M, in deletionID) (List[mixpanel.EventDeletionRequest], error) {
				rs, err := c.CancelDeletionRequest(ctx, in.ID)
				return paged(rs, Paging{Limit: legacyMaxRows}), err
			}}.Tool(),
	}
}

type deletionID struct {
	ID int64 `json:"id" jsonschema:"minimum=1,description=Request id (list_deletion_requests)"`
}

// deletionQuestion shows the user what would be deleted, with the
// filters as Mixpanel previewed them.
func deletionQuestion(p mixpanel.DeletionParams, preview []map[string]any) string {
	s := fmt.Sprintf("Permanently delete every %q event from %s to %s", p.EventName, p.FromDate, p.ToDate)
	if len(preview) == 0 {
		s += " (no filters: the whole range)"
	} else {
		raw, _ := json.Marshal(preview)
		s += " matching these filters, as Mixpanel previewed them: " + clip(string(raw), 2000)
	}
	return s + ". This cannot be undone."
}
