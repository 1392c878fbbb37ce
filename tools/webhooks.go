package tools

import (
	"context"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The webhooks toolset. A webhook's password is write-only: it goes to
// Mixpanel and is never part of a result, a log line or an error.
func webhooksTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[Paging, List[mixpanel.Webhook]]{Name: "list_webhooks", Toolset: ToolsetWebhooks, Ann: ReadOnly,
			Desc: "List webhooks (name, URL, enabled, auth type).",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.Webhook], error) {
				ws, err := c.ListWebhooks(ctx)
				return paged(ws, in), err
			}}.Tool(),
		Op[mixpanel.CreateWebhookParams, mixpanel.Webhook]{Name: "create_webhook", Toolset: ToolsetWebhooks, Ann: Write, Kind: "webhook", Action: "created",
			Desc:   "Create a webhook Mixpanel posts cohort syncs and alerts to (https only; optional basic auth).",
			Method: (*M).CreateWebhook}.Tool(),
		Op[updateWebhookIn, mixpanel.Webhook]{Name: "update_webhook", Toolset: ToolsetWebhooks, Ann: Overwrite, Kind: "webhook", Action: "updated",
			Desc: "Change a webhook's name, URL, auth or enabled state; absent fields stay.",
			Call: func(ctx context.Context, c *M, in updateWebhookIn) (mixpanel.Webhook, error) {
				return c.UpdateWebhook(ctx, in.WebhookID, in.UpdateWebhookParams)
			}}.Tool(),
		Op[webhookID, mixpanel.Empty]{Name: "delete_webhook", Toolset: ToolsetWebhooks, Ann: Destructive, Action: "deleted",
			Desc: "Delete a webhook.",
			Confirm: func(ctx context.Context, c *M, in webhookID) (string, error) {
				ws, err := c.ListWebhooks(ctx)
				for _, w := range ws {
					if w.ID == in.WebhookID {
						return "Delete " + w.Ref().String() + " (" + w.URL + ")", err
					}
				}
				return "Delete webhook " + in.WebhookID, err
			},
			Call: func(ctx context.Context, c *M, in webhookID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteWebhook(ctx, in.WebhookID)
			}}.Tool(),
		Op[mixpanel.WebhookTestParams, mixpanel.WebhookTestResult]{Name: "test_webhook", Toolset: ToolsetWebhooks, Ann: Annotations{OpenWorld: true},
			Desc:   "Have Mixpanel call a URL now and report the status it got back.",
			Method: (*M).TestWebhook}.Tool(),
	}
}

type webhookID struct {
	WebhookID string `json:"webhook_id" jsonschema:"minLength=1,description=Webhook id (list_webhooks)"`
}

type updateWebhookIn struct {
	webhookID
	mixpanel.UpdateWebhookParams
}
