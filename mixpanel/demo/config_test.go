package demo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

type forbidden struct{ t *testing.T }

func (f forbidden) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("a demo request left the process: %s %s", r.Method, r.URL)
	return nil, errors.New("forbidden")
}

// TestConfigStaysInProcess: whatever the base configuration points at, a
// demo client addresses only the .invalid host (which cannot resolve)
// through the demo's in-process transport, with no real credential.
func TestConfigStaysInProcess(t *testing.T) {
	p := smallDemo()
	base := mixpanel.Config{
		QueryURL: "https://mixpanel.com/api/query", ExportURL: "https://data.mixpanel.com/api/2.0",
		EngageURL: "https://mixpanel.com/api/query/engage", AppURL: "https://mixpanel.com/api/app",
		OAuthToken: "a-real-token", Username: "real-user", Secret: "real-secret", ProjectID: "999",
		HTTPClient: &http.Client{Transport: forbidden{t}},
	}
	cfg := p.Config(base)
	for name, raw := range map[string]string{"query": cfg.QueryURL, "export": cfg.ExportURL, "engage": cfg.EngageURL, "app": cfg.AppURL} {
		u, err := url.Parse(raw)
		if err != nil || !strings.HasSuffix(u.Hostname(), ".invalid") {
			t.Errorf("%s URL %q is not on the .invalid host", name, raw)
		}
	}
	if tr, ok := cfg.HTTPClient.Transport.(*Project); !ok || tr != p {
		t.Fatalf("transport is %T, not the demo", cfg.HTTPClient.Transport)
	}
	if cfg.OAuthToken != "" || cfg.Username == base.Username || cfg.Secret == base.Secret || cfg.ProjectID == base.ProjectID {
		t.Fatalf("a real credential or project survived: %+v", cfg)
	}
	c, err := mixpanel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Events(ctx, mixpanel.EventsOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDashboards(ctx, mixpanel.ListDashboardsParams{}); err != nil {
		t.Fatal(err)
	}
}
