package mixpanel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestSchemaGraph(t *testing.T) {
	srv := mixpaneltest.New(t)
	g, err := srv.Client(t).SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{Now: discoveryNow})
	require.NoError(t, err)

	base := mixpaneltest.AppPrefix + "/projects/12345/data-definitions/"
	srv.LastRequest(t, base+"events/")
	var propQueries []url.Values
	for _, r := range srv.Requests() {
		if r.Path == base+"properties/" {
			propQueries = append(propQueries, r.Query)
		}
	}
	assert.ElementsMatch(t, []url.Values{
		{"resourceType": {"Event"}, "includeEvents": {"true"}},
		{"resourceType": {"User"}},
	}, propQueries)

	assert.Equal(t, "2026-11-25T12:00:00Z", g.ComputedAt)
	assert.Equal(t, mixpanel.SchemaGraphMeta{EventCount: 10, PropertyCount: 29, UserPropertyCount: 7, RelationshipEdges: 87, OrphanProperties: 1}, g.Meta)
	assert.Equal(t, []string{"legacy_campaign_id"}, g.OrphanProperties())
	assert.Equal(t, []string{"Checkout Started", "Purchase"}, g.EventsForProperty("cart"))
	assert.Contains(t, g.PropertiesForEvent("Purchase"), "revenue")
	assert.Len(t, g.PropertiesForEvent("Purchase"), 12)
	assert.Len(t, g.Relationships(), 87)
	assert.Nil(t, g.Relationships()[0].DensityLocal, "density only when asked for")
	assert.Equal(t, mixpanel.SchemaGraphParams{IncludeUserProperties: true}, g.Params)
	assert.Equal(t, mixpanel.RelationshipsBulk, g.RelationshipSource)
	assert.Equal(t, "Order Completed", g.Events[7].DisplayName)
	assert.Equal(t, mixpanel.TagList{"commerce", "revenue"}, g.Events[7].Tags)
}

func TestSchemaGraphOptionsAndWorkspace(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.WorkspaceID = "3001"
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	g, err := c.SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{IncludeDensity: true, SkipUserProperties: true})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 2, "no user-property call")
	for _, r := range reqs {
		assert.Contains(t, r.Path, "/api/app/workspaces/3001/data-definitions/", "a pinned workspace scopes data definitions")
	}
	req := srv.LastRequest(t, "/api/app/workspaces/3001/data-definitions/properties/")
	assert.Equal(t, "true", req.Query.Get("includeDensity"))
	assert.Empty(t, g.UserProperties)
	rel := g.Relationships()
	require.NotEmpty(t, rel)
	require.NotNil(t, rel[0].DensityLocal)
	assert.True(t, g.IncludeDensity)
}

func TestBuildSchemaGraphDropsMalformedRows(t *testing.T) {
	raws := func(s ...string) []json.RawMessage {
		out := make([]json.RawMessage, len(s))
		for i, x := range s {
			out[i] = json.RawMessage(x)
		}
		return out
	}
	g := mixpanel.BuildSchemaGraph("t",
		raws(`{"name":"A"}`, `{"name":""}`, `{"id":3}`, `"junk"`, `{"name":"Lonely"}`),
		raws(`{"name":"p","events":[{"name":"A"},{"name":"A"},{"name":""},"B",{"name":"Ghost"}]}`, `{"events":[{"name":"A"}]}`, `{"name":"q","events":null}`),
		raws(`{"name":"u","events":[{"name":"A"}]}`, `[]`),
		mixpanel.SchemaGraphParams{},
	)
	assert.Equal(t, mixpanel.SchemaGraphMeta{
		EventCount: 2, PropertyCount: 2, UserPropertyCount: 1, RelationshipEdges: 2, OrphanProperties: 1,
		EventsWithoutName: 3, PropertiesWithoutName: 2, PropertyEventEntriesDropped: 2,
	}, g.Meta)
	assert.Equal(t, map[string][]string{"A": {"p"}, "Lonely": {}, "Ghost": {"p"}}, g.EventToProperties, "events seeded from definitions; unknown events still get edges")
	assert.Equal(t, []string{"q"}, g.OrphanProperties())
	assert.Nil(t, g.UserProperties[0].Events, "user properties carry no relationships")
}

func TestSchemaGraphError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/projects/12345/data-definitions/properties/", Status: http.StatusForbidden, Body: `{"error":"no access to data definitions"}`})
	_, err := srv.Client(t).SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{})
	require.Error(t, err)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindForbidden))
	assert.Contains(t, err.Error(), "no access to data definitions")
}

func TestPropertyDefinitions(t *testing.T) {
	tests := []struct {
		resourceType string
		wantParam    string
		wantFirst    string
		wantLen      int
	}{
		{"user", "User", "$city", 7},
		{"Event", "Event", "$browser", 29},
	}
	for _, tt := range tests {
		t.Run(tt.resourceType, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).PropertyDefinitions(context.Background(), tt.resourceType)
			require.NoError(t, err)
			req := srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/data-definitions/properties/")
			assert.Equal(t, url.Values{"resourceType": {tt.wantParam}}, req.Query)
			require.Len(t, got, tt.wantLen)
			assert.Equal(t, tt.wantFirst, got[0].Name, "sorted by name")
			assert.Nil(t, got[0].Events)
		})
	}
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).PropertyDefinitions(context.Background(), "group")
	assert.ErrorContains(t, err, "use Event or User")
	assert.Empty(t, srv.Requests())
}

func TestSchemaGraphFallsBackToPerEventGather(t *testing.T) {
	srv := mixpaneltest.New(t)
	propsPath := mixpaneltest.AppPrefix + "/projects/12345/data-definitions/properties/"
	// Every attempt of the bulk includeEvents call times out at the gateway.
	srv.Fail(mixpaneltest.Failure{Path: propsPath, Status: http.StatusGatewayTimeout, Body: `{"error":"upstream request timeout"}`, Times: 4})
	g, err := srv.Client(t).SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{SkipUserProperties: true, IncludeDensity: true})
	require.NoError(t, err)

	assert.Equal(t, mixpanel.RelationshipsPerEvent, g.RelationshipSource)
	perEvent := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/data_definitions/events")
	assert.Equal(t, "true", perEvent.Query.Get("fetch_per_event_properties"))
	assert.Len(t, perEvent.Query["name[]"], 10)
	assert.Equal(t, "12345", perEvent.Query.Get("project_id"))
	plain := srv.LastRequest(t, propsPath)
	assert.Equal(t, url.Values{"resourceType": {"Event"}, "includeDensity": {"true"}}, plain.Query, "the fallback lists properties without the join")

	assert.Equal(t, 87, g.Meta.RelationshipEdges, "the same graph as the bulk gather")
	assert.Equal(t, []string{"legacy_campaign_id"}, g.OrphanProperties())
	assert.Equal(t, []string{"Checkout Started", "Purchase"}, g.EventsForProperty("cart"))
	require.NotNil(t, g.Relationships()[0].DensityLocal)
}

func TestSchemaGraphPerEventGatherChunks(t *testing.T) {
	srv := mixpaneltest.New(t)
	for i := range 450 {
		srv.Data.Events = append(srv.Data.Events, mixpaneltest.Event{Name: fmt.Sprintf("Generated %03d", i), Properties: []string{"platform"}})
	}
	propsPath := mixpaneltest.AppPrefix + "/projects/12345/data-definitions/properties/"
	srv.Fail(mixpaneltest.Failure{Path: propsPath, Status: http.StatusBadGateway, Times: 4})
	g, err := srv.Client(t).SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{SkipUserProperties: true})
	require.NoError(t, err)
	var chunks []int
	for _, r := range srv.Requests() {
		if r.Path == mixpaneltest.QueryPrefix+"/data_definitions/events" {
			chunks = append(chunks, len(r.Query["name[]"]))
		}
	}
	assert.Equal(t, []int{200, 200, 60}, chunks)
	assert.Len(t, g.EventsForProperty("platform"), 460)
}

func TestSchemaGraphClientErrorsDoNotFallBack(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/projects/12345/data-definitions/properties/", Status: http.StatusBadRequest, Body: `{"error":"bad"}`})
	_, err := srv.Client(t).SchemaGraph(context.Background(), mixpanel.SchemaGraphOptions{SkipUserProperties: true})
	require.Error(t, err)
	for _, r := range srv.Requests() {
		assert.NotEqual(t, mixpaneltest.QueryPrefix+"/data_definitions/events", r.Path)
	}
}

// BenchmarkBuildSchemaGraph derives the graph of a large project: 500
// events, 2000 event properties each on 25 events, 300 user properties.
func BenchmarkBuildSchemaGraph(b *testing.B) {
	var events, props, users []json.RawMessage
	for i := range 500 {
		events = append(events, json.RawMessage(fmt.Sprintf(`{"id":%d,"name":"Event %d","tags":["t"]}`, i, i)))
	}
	for i := range 2000 {
		refs := make([]string, 25)
		for j := range refs {
			refs[j] = fmt.Sprintf(`{"name":"Event %d"}`, (i+j*20)%500)
		}
		props = append(props, json.RawMessage(fmt.Sprintf(`{"id":%d,"name":"prop_%d","resourceType":"Event","events":[%s]}`, i, i, strings.Join(refs, ","))))
	}
	for i := range 300 {
		users = append(users, json.RawMessage(fmt.Sprintf(`{"name":"user_%d","resourceType":"User"}`, i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		g := mixpanel.BuildSchemaGraph("t", events, props, users, mixpanel.SchemaGraphParams{})
		if g.Meta.RelationshipEdges != 50000 {
			b.Fatalf("got %d edges", g.Meta.RelationshipEdges)
		}
	}
}
