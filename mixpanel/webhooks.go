package mixpanel

import (
	"context"
	"strings"
)

// Webhook is a project webhook (wire reference §4.14). Its password is
// write-only: Mixpanel never returns it and no type here holds it for
// output.
type Webhook struct {
	ID          string `json:"id" col:"id"`
	Name        string `json:"name" col:"name"`
	URL         string `json:"url,omitempty" col:"url"`
	IsEnabled   bool   `json:"is_enabled,omitempty" col:"enabled"`
	AuthType    string `json:"auth_type,omitempty" col:"auth"`
	Created     string `json:"created,omitempty"`
	Modified    string `json:"modified,omitempty"`
	CreatorID   int64  `json:"creator_id,omitempty"`
	CreatorName string `json:"creator_name,omitempty"`
}

// Ref names the webhook.
func (w Webhook) Ref() Ref { return Ref{Kind: "webhook", ID: w.ID, Name: w.Name} }

// WebhookAuth is a webhook's optional HTTP Basic authentication.
type WebhookAuth struct {
	AuthType string `json:"auth_type,omitempty" jsonschema:"enum=basic,description=basic to send username/password"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty" jsonschema:"description=Write-only; never shown back"`
}

// CreateWebhookParams is a new webhook.
type CreateWebhookParams struct {
	Name string `json:"name" jsonschema:"minLength=1"`
	URL  string `json:"url" jsonschema:"format=uri,description=https URL Mixpanel posts to"`
	WebhookAuth
}

// UpdateWebhookParams changes a webhook; absent fields stay.
type UpdateWebhookParams struct {
	Name      string `json:"name,omitempty"`
	URL       string `json:"url,omitempty" jsonschema:"format=uri,description=https URL"`
	IsEnabled *bool  `json:"is_enabled,omitempty"`
	WebhookAuth
}

// WebhookTestParams is a connectivity test of a URL.
type WebhookTestParams struct {
	URL  string `json:"url" jsonschema:"format=uri,description=https URL to test"`
	Name string `json:"name,omitempty"`
	WebhookAuth
}

// WebhookTestResult is what Mixpanel got back from the URL.
type WebhookTestResult struct {
	Success    bool   `json:"success"`
	StatusCode int    `json:"status_code"`
	Message    string `json:"message,omitempty"`
}

// Secret is the write-only value of the params, for redaction.
func (a WebhookAuth) Secret() string { return a.Password }

// ListWebhooks lists the project's webhooks.
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	path, err := c.scoped("webhooks", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]Webhook](ctx, c, GET, path, nil, nil)
}

// CreateWebhook adds a webhook; Mixpanel answers with its id and name.
func (c *Client) CreateWebhook(ctx context.Context, p CreateWebhookParams) (Webhook, error) {
	path, err := c.scoped("webhooks", "")
	if err != nil {
		return Webhook{}, err
	}
	w, err := appCall[Webhook](ctx, c, POST, path, nil, p)
	return w, redactSecret(err, p.Password)
}

// UpdateWebhook changes a webhook.
func (c *Client) UpdateWebhook(ctx context.Context, id string, p UpdateWebhookParams) (Webhook, error) {
	path, err := c.scoped("webhooks", PathSegment(id), "")
	if err != nil {
		return Webhook{}, err
	}
	w, err := appCall[Webhook](ctx, c, PATCH, path, nil, p)
	return w, redactSecret(err, p.Password)
}

// DeleteWebhook deletes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	path, err := c.scoped("webhooks", PathSegment(id), "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, nil)
	return err
}

// TestWebhook asks Mixpanel to call the URL and reports what it answered.
func (c *Client) TestWebhook(ctx context.Context, p WebhookTestParams) (WebhookTestResult, error) {
	path, err := c.scoped("webhooks", "test", "")
	if err != nil {
		return WebhookTestResult{}, err
	}
	r, err := appCall[WebhookTestResult](ctx, c, POST, path, nil, p)
	return r, redactSecret(err, p.Password)
}

// redactSecret removes a write-only value from an error's text, for errors
// whose message echoes the request.
func redactSecret(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	if e, ok := err.(*APIError); ok {
		cp := *e
		cp.Message = strings.ReplaceAll(cp.Message, secret, "[redacted]")
		return &cp
	}
	if strings.Contains(err.Error(), secret) {
		return &redactedError{msg: strings.ReplaceAll(err.Error(), secret, "[redacted]")}
	}
	return err
}

type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// check checks the auth type; credentials may come later (an update may
// set them on a webhook that already uses basic auth).
func (a WebhookAuth) check(c *checks) {
	if a.AuthType != "" && a.AuthType != "basic" {
		c.add(CodeRange, "auth_type", "%q is not an auth type; use basic or leave it out", a.AuthType)
	}
}

// Validate checks the name, the https URL and the auth.
func (p CreateWebhookParams) Validate() error {
	var c checks
	c.required("name", p.Name == "", "name the webhook")
	c.required("url", p.URL == "", "pass the https URL Mixpanel should call")
	c.httpsURL("url", p.URL)
	p.WebhookAuth.check(&c)
	return c.err()
}

// Validate checks the URL and auth of what changes.
func (p UpdateWebhookParams) Validate() error {
	var c checks
	c.httpsURL("url", p.URL)
	c.required("name", p == (UpdateWebhookParams{}), "pass at least one of name, url, is_enabled, auth_type, username, password")
	p.WebhookAuth.check(&c)
	return c.err()
}

// Validate checks the URL and auth.
func (p WebhookTestParams) Validate() error {
	var c checks
	c.required("url", p.URL == "", "pass the https URL to test")
	c.httpsURL("url", p.URL)
	p.WebhookAuth.check(&c)
	return c.err()
}
