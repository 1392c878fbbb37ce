package mixpanel_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// escaped writes s as JSON \u escapes, the way a server may encode any
// character of a string.
func escaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(`\u00` + strings.ToLower(string("0123456789ABCDEF"[r>>4])+string("0123456789ABCDEF"[r&15])))
	}
	return b.String()
}

// TestErrorTextRedactsBeforeTruncating: a secret in an error body never
// reaches the error, whole or in part, wherever the body puts it and
// however it is encoded. Before, the body was cut at 500 bytes and only
// then redacted, so a secret across the cut left its first characters; and
// an error object was shown as raw JSON, so a \u-escaped secret passed.
func TestErrorTextRedactsBeforeTruncating(t *testing.T) {
	secret := mixpaneltest.Secret
	basic := base64.StdEncoding.EncodeToString([]byte(mixpaneltest.Username + ":" + secret))
	pad := strings.Repeat("x", 490)
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"secret at offset 490 of an error string", 400, `{"error":"` + pad + secret + `"}`},
		{"secret at offset 490 of a plain-text body", 500, pad + secret},
		{"Basic credential at offset 490 of a message", 403, `{"message":"` + pad + basic + `"}`},
		{"secret at offset 490 of an error object", 422, `{"error":{"detail":"` + pad[len(`{"detail":"`):] + secret + `"}}`},
		{"escaped secret in an error string", 400, `{"error":"bad key ` + escaped(secret) + `"}`},
		{"escaped secret inside an error object", 422, `{"error":{"field":"secret","value":"` + escaped(secret) + `"}}`},
		{"escaped secret inside an error list", 400, `{"error":["first","` + escaped(secret) + `"]}`},
		{"escaped secret as an error object's key", 422, `{"error":{"` + escaped(secret) + `":"bad"}}`},
		{"escaped secret at offset 490 of details", 400, `{"details":"` + pad + escaped(secret) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Status: tt.status, Body: tt.body})
			cfg := srv.Config()
			cfg.MaxRetries = -1
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			err = c.AppJSON(context.Background(), mixpanel.Request{Path: "/projects/1/dashboards"}, nil)
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			for _, s := range []string{secret, basic} {
				assert.NotContains(t, err.Error(), s[:6], "no part of a secret survives")
				assert.NotContains(t, err.Error(), escaped(s)[:24], "nor its escaped form")
			}
			assert.Contains(t, apiErr.Message, "[redac", "the redaction shows where the secret was")
			assert.LessOrEqual(t, len(apiErr.Message), 500+len("…"))
		})
	}
}

// TestErrorIn200IsRedactedAfterDecoding: the 200-with-error answers of
// saved reports and bookmark queries decode before they redact too.
func TestErrorIn200IsRedactedAfterDecoding(t *testing.T) {
	tests := []struct {
		name string
		path string
		call func(*mixpanel.Client) error
	}{
		{"saved report", mixpaneltest.QueryPrefix + "/insights", func(c *mixpanel.Client) error {
			_, err := c.QuerySavedReport(context.Background(), mixpanel.SavedReportParams{BookmarkID: 7})
			return err
		}},
		{"bookmark query", mixpaneltest.QueryPrefix + "/insights", func(c *mixpanel.Client) error {
			_, err := c.QueryInsights(context.Background(), map[string]any{"sections": map[string]any{}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			body := `{"error":{"reason":"` + escaped(mixpaneltest.Secret) + `"}}`
			srv.Respond(http.MethodGet, tt.path, 200, body)
			srv.Respond(http.MethodPost, tt.path, 200, body)
			err := tt.call(srv.Client(t))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), mixpaneltest.Secret[:6])
			assert.NotContains(t, err.Error(), escaped(mixpaneltest.Secret)[:24])
			assert.Contains(t, err.Error(), `reason: [redacted]`)
		})
	}
}

// TestErrorTextHTMLPage: a proxy's or load balancer's HTML page becomes the
// status and the page's title; the markup is never pasted into the error.
func TestErrorTextHTMLPage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string // the whole error text
	}{
		{"nginx page repeating the status", 502,
			"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			"mixpanel GET /events/names: 502 Bad Gateway"},
		{"page with its own title", 503,
			"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>\n  mixpanel.com | 522: Connection timed out &amp; retried\n</title><style>body{margin:0}</style></head><body><div id=\"cf-wrapper\">" + strings.Repeat("<p>filler</p>", 200) + "</div></body></html>",
			"mixpanel GET /events/names: 503 Service Unavailable: mixpanel.com | 522: Connection timed out & retried"},
		{"page without a title", 504, "<!-- edge --><html><body><h1>Gateway Timeout</h1></body></html>",
			"mixpanel GET /events/names: 504 Gateway Timeout: an HTML page without a title"},
		{"title carrying a secret", 401, "<html><head><title>denied for " + mixpaneltest.Secret + "</title></head></html>",
			"mixpanel GET /events/names: 401 Unauthorized: denied for [redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Status: tt.status, Body: tt.body, Header: http.Header{"Content-Type": {"text/html"}}})
			cfg := srv.Config()
			cfg.MaxRetries = -1
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			err = c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}

	t.Run("a 200 HTML page instead of JSON", func(t *testing.T) {
		srv := mixpaneltest.New(t)
		srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/events/names", 200, "<!doctype html><html><head><title>Sign in - Corporate Proxy</title></head><body>"+strings.Repeat("x", 5000)+"</body></html>")
		err := srv.Client(t).JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, &[]string{})
		assert.True(t, mixpanel.IsKind(err, mixpanel.KindResponse), "%v", err)
		assert.Equal(t, "mixpanel GET /events/names: 200 OK: expected JSON, got an HTML page: Sign in - Corporate Proxy", err.Error())
	})
}

// TestErrorTextNeverCutsACharacter: the 500-byte cut of a long message
// lands on a character boundary, so the error stays valid UTF-8.
func TestErrorTextNeverCutsACharacter(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"two-byte characters across the cut", `{"error":"a` + strings.Repeat("é", 400) + `"}`},
		{"three-byte characters across the cut", `{"error":"` + strings.Repeat("€", 300) + `"}`},
		{"four-byte characters across the cut", `{"error":"ab` + strings.Repeat("😀", 200) + `"}`},
		{"plain text", "x" + strings.Repeat("日本", 200)},
		{"error object", `{"error":{"k":"a` + strings.Repeat("ü", 400) + `"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Status: 400, Body: tt.body})
			err := srv.Client(t).AppJSON(context.Background(), mixpanel.Request{Path: "/x"}, nil)
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, utf8.ValidString(apiErr.Message), "%q", apiErr.Message)
			assert.True(t, strings.HasSuffix(apiErr.Message, "…"), "the message was cut")
		})
	}
}

// TestBadRequestIsNotEventNotFound: a 400 from the top-properties endpoint
// means an unknown event only when Mixpanel's message says so. Before,
// every 400 (a bad limit, a missing parameter, an empty body) was reported
// as "event not found" with suggestions.
func TestBadRequestIsNotEventNotFound(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		body     string // "" leaves the fake's own answer
		notFound bool
		errHas   string
	}{
		{name: "the fake's own answer for an unknown event", event: "purchase", notFound: true, errHas: `did you mean "Purchase"?`},
		{name: "Mixpanel says unknown event", event: "Sign Upp", body: `{"error":"Unknown event: Sign Upp","status":"error"}`, notFound: true, errHas: `event "Sign Upp" not found`},
		{name: "the message names the event as missing", event: "Checkout", body: `{"error":"'Checkout' does not exist"}`, notFound: true},
		{name: "a bad limit", event: "Purchase", body: `{"error":"limit must be between 1 and 10000","status":"error"}`,
			errHas: `list properties of "Purchase": mixpanel GET /events/properties/top: 400 Bad Request: limit must be between 1 and 10000`},
		{name: "a missing parameter naming the event field", event: "Purchase", body: `{"error":"event is required"}`, errHas: "400 Bad Request: event is required"},
		{name: "an empty 400", event: "Purchase", body: " ", errHas: "list properties of \"Purchase\": mixpanel GET /events/properties/top: 400 Bad Request"},
		{name: "not found, but of something else", event: "Purchase", body: `{"error":"project 12345 not found"}`, errHas: "400 Bad Request: project 12345 not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			if tt.body != "" {
				srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/events/properties/top", Status: 400, Body: tt.body})
			}
			_, err := srv.Client(t).EventProperties(context.Background(), tt.event, 0)
			require.Error(t, err)
			var nf *mixpanel.EventNotFoundError
			assert.Equal(t, tt.notFound, errors.As(err, &nf), "%v", err)
			assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "the 400 stays reachable: %v", err)
			assert.Contains(t, err.Error(), tt.errHas)
		})
	}
}

func TestErrorObjectsAreReadable(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"error":{"url":["Enter a valid URL."]},"status":"error"}`, "url: Enter a valid URL."},
		{`{"error":{"name":["Too long."],"date":["Bad day.","Missing."]}}`, "date: Bad day.; Missing.; name: Too long."},
		{`{"error":["url: Webhook URLs must use https"],"status":"error"}`, "url: Webhook URLs must use https"},
		{`{"error":"plain","status":"error"}`, "plain"},
	} {
		srv := mixpaneltest.New(t)
		srv.Respond(http.MethodGet, mixpaneltest.AppPrefix+"/me", 400, tc.body)
		var out any
		err := srv.Client(t).AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, &out)
		require.Error(t, err)
		assert.True(t, strings.HasSuffix(err.Error(), "400 Bad Request: "+tc.want), "%q, want it to end with %q", err.Error(), tc.want)
	}
}
