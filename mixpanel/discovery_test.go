package mixpanel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

var discoveryNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	eventNamesPath = mixpaneltest.QueryPrefix + "/events/names"
	topPropsPath   = mixpaneltest.QueryPrefix + "/events/properties/top"
	valuesPath     = mixpaneltest.QueryPrefix + "/events/properties/values"
)

func ptr[T any](v T) *T { return &v }

// The JSON entry points of discovery must never panic, whatever Mixpanel
// (or a proxy in front of it) answers.
func FuzzDecodeDiscoveryAnswers(f *testing.F) {
	for _, seed := range []string{
		`{"$browser":{"count":12},"plan":3}`,
		`{"results":{"results":[{"id":1,"name":"R","type":"insights","project_id":1,"created":"c","modified":"m"}]}}`,
		`[{"id":"7","name":"b","count":null,"is_visible":1}]`,
		`{"status":"ok","results":[{"entityType":"event","name":"E","schemaJson":{"properties":{"p":{"type":["number","null"],"metadata":{"com.mixpanel":{"tags":[{"name":"t"}]}}}}}}]}`,
		`[{"Brand":"x","Price":1.5,"When":"2025-01-01"}]`,
		`[{"name":"p","events":[{"name":"A"},"B",null]}]`,
		`null`, `[]`, `{}`, `"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = mixpanel.DecodePropertyCounts(raw)
		_, _ = mixpanel.DecodeBookmarkList(raw)
		_, _ = mixpanel.DecodeCohortList(raw)
		_, _ = mixpanel.DecodeLexiconSchemas(raw)
		subs, _ := mixpanel.InferSubproperties([]string{string(raw)})
		for _, s := range subs {
			if len(s.SampleValues) == 0 || len(s.SampleValues) > mixpanel.MaxSubpropertySamples {
				t.Fatalf("subproperty %q has %d samples", s.Name, len(s.SampleValues))
			}
		}
		var rows []json.RawMessage
		if json.Unmarshal(raw, &rows) == nil {
			g := mixpanel.BuildSchemaGraph("t", rows, rows, rows, mixpanel.SchemaGraphParams{})
			if g.Meta.RelationshipEdges != len(g.Relationships()) {
				t.Fatalf("meta counts %d edges, graph has %d", g.Meta.RelationshipEdges, len(g.Relationships()))
			}
		}
		var tags mixpanel.TagList
		_ = json.Unmarshal(raw, &tags)
		var n mixpanel.FlexInt
		_ = json.Unmarshal(raw, &n)
		var b mixpanel.FlexBool
		_ = json.Unmarshal(raw, &b)
	})
}

// TestListsRejectWrongShapes checks that a 200 whose body is not the list
// expected is a response error naming the request, not a decode panic or
// an empty list.
func TestListsRejectWrongShapes(t *testing.T) {
	schemasPath := mixpaneltest.AppPrefix + "/projects/" + mixpaneltest.ProjectID + "/schemas"
	tests := []struct {
		name, method, path, want string
		call                     func(context.Context, *mixpanel.Client) error
	}{
		{"cohorts", http.MethodPost, mixpaneltest.QueryPrefix + "/cohorts/list", "mixpanel POST /cohorts/list: 200 OK: decode cohorts",
			func(ctx context.Context, c *mixpanel.Client) error { _, err := c.Cohorts(ctx); return err }},
		{"bookmarks", http.MethodGet, mixpaneltest.AppPrefix + "/projects/" + mixpaneltest.ProjectID + "/bookmarks", "/bookmarks: 200 OK: bookmarks: expected a list",
			func(ctx context.Context, c *mixpanel.Client) error {
				_, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{})
				return err
			}},
		{"schemas", http.MethodGet, schemasPath, "/schemas: 200 OK: decode Lexicon schemas",
			func(ctx context.Context, c *mixpanel.Client) error { _, err := c.LexiconSchemas(ctx, ""); return err }},
		{"one schema", http.MethodGet, schemasPath + "/event", "/schemas/event: 200 OK: decode Lexicon schema",
			func(ctx context.Context, c *mixpanel.Client) error {
				_, err := c.LexiconSchema(ctx, "event", "Purchase")
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(tt.method, tt.path, http.StatusOK, `{"status":"ok","results":"not a list"}`)
			err := tt.call(context.Background(), srv.Client(t))
			require.Error(t, err)
			assert.True(t, mixpanel.IsKind(err, mixpanel.KindResponse), "%v", err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDiscoveryReadsAreCached checks that every discovery and project read
// is served from the cache when repeated: each costs the Query API's hourly
// budget, and models repeat them constantly.
func TestDiscoveryReadsAreCached(t *testing.T) {
	tests := []struct {
		name string
		call func(context.Context, *mixpanel.Client) error
	}{
		{"events", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.Events(ctx, mixpanel.EventsOptions{Now: discoveryNow})
			return err
		}},
		{"event properties", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.EventProperties(ctx, "Purchase", 10)
			return err
		}},
		{"property values", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.PropertyValues(ctx, mixpanel.PropertyValuesOptions{Property: "$browser"})
			return err
		}},
		{"top events", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.TopEvents(ctx, "", 5); return err }},
		{"funnels", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.Funnels(ctx); return err }},
		{"cohorts", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.Cohorts(ctx); return err }},
		{"bookmarks", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{})
			return err
		}},
		{"lexicon schemas", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.LexiconSchemas(ctx, ""); return err }},
		{"lexicon schema", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.LexiconSchema(ctx, "event", "Purchase")
			return err
		}},
		{"property definitions", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.PropertyDefinitions(ctx, "user")
			return err
		}},
		{"schema graph", func(ctx context.Context, c *mixpanel.Client) error {
			_, err := c.SchemaGraph(ctx, mixpanel.SchemaGraphOptions{Now: discoveryNow})
			return err
		}},
		{"me", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.Me(ctx); return err }},
		{"workspaces", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.ListWorkspaces(ctx, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			cfg := srv.Config()
			cfg.CacheTTL = time.Minute
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, tt.call(ctx, c))
			first := len(srv.Requests())
			require.Positive(t, first)
			require.NoError(t, tt.call(ctx, c))
			assert.Len(t, srv.Requests(), first, "the repeat is answered from the cache")
		})
	}
}
