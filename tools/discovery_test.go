package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// discoveryCase is one call of a discovery tool against the fake: the
// request it must send and text the result must (not) contain.
type discoveryCase struct {
	name      string
	tool      string
	args      string
	path      string     // full path of the request to check
	method    string     // default GET
	wantQuery url.Values // nil: not checked
	contains  []string
	absent    []string
}

func runDiscoveryCases(t *testing.T, cases []discoveryCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustOK(t, callTool(t, testEnv(t, srv), tt.tool, tt.args))
			req := srv.LastRequest(t, tt.path)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			assert.Equal(t, method, req.Method)
			if tt.wantQuery != nil {
				assert.Equal(t, tt.wantQuery, req.Query)
			}
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, text, s)
			}
		})
	}
}

func TestListEventsTool(t *testing.T) {
	names := "/api/query/events/names"
	runDiscoveryCases(t, []discoveryCase{
		{name: "all, sorted", tool: "list_events", args: `{}`, path: names,
			wantQuery: url.Values{"type": {"general"}, "limit": {"5000"}, "from_date": {"2000-01-01"}, "to_date": {"2026-11-25"}, "project_id": {"12345"}},
			contains:  []string{"10 events\n| event |\n|---|\n| Add to Cart |\n| App Open |\n| Checkout Started |"}, absent: []string{"more rows"}},
		{name: "capped with a note", tool: "list_events", args: `{"limit":3}`, path: names,
			contains: []string{"| Checkout Started |\n7 more rows (showing 1–3 of 10); pass limit/offset to see more."}, absent: []string{"| Login |"}},
		{name: "second page", tool: "list_events", args: `{"limit":3,"offset":3}`, path: names,
			contains: []string{"| Login |", "4 more rows (showing 4–6 of 10)"}, absent: []string{"| App Open |"}},
		{name: "substring filter", tool: "list_events", args: `{"query":"CART"}`, path: names,
			contains: []string{`1 events matching "CART"`, "| Add to Cart |"}, absent: []string{"| Purchase |"}},
		{name: "date window", tool: "list_events", args: `{"from_date":"2026-01-01","to_date":"2026-06-30"}`, path: names,
			wantQuery: url.Values{"type": {"general"}, "limit": {"5000"}, "from_date": {"2026-01-01"}, "to_date": {"2026-06-30"}, "project_id": {"12345"}}},
	})
}

func TestListEventsToolDateGate(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Now = fixedNow
	srv.Data.EventNamesMaxDays = 90
	text := mustOK(t, callTool(t, testEnv(t, srv), "list_events", `{}`))
	assert.Contains(t, text, "10 events")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "2026-08-27", reqs[1].Query.Get("from_date"), "retried from today − 90 days")
}

func TestListEventsToolInvalidInput(t *testing.T) {
	tests := map[string]string{
		`{"from_date":"2026/01/01"}`:                         `from_date: V8: "2026/01/01" is not a YYYY-MM-DD date; write it like "2026-01-31"`,
		`{"to_date":"2026-02-30"}`:                           `to_date: V8: "2026-02-30" is not a calendar date`,
		`{"from_date":"2026-03-01","to_date":"2026-02-01"}`:  "from_date: V15: 2026-03-01 is after to_date 2026-02-01; swap them",
		`{"limit":6000}`:                                     "limit: MG6: must be between 1 and 5000 (got 6000)",
		`{"offset":-2}`:                                      "offset: MG6: must be 0 or more",
		`{"event":"x"}`:                                      `event: A2: unknown argument`,
		`{"limit":"ten"}`:                                    `limit: A1: expected an integer`,
		`{"from_date":"2026-01-01","to_date":"2026-01-01x"}`: "to_date: V8: \"2026-01-01x\" is not a YYYY-MM-DD date",
		`{"query":"a","from_date":"0000-00-00","limit":1}`:   "from_date: V8: \"0000-00-00\" is not a calendar date",
		`{"from_date":"2026-01-01","to_date":"2026-01-31"} `: "",
		`{"from_date":"2026-01-01","to_date":"2026-01-31" }`: "",
	}
	for args, want := range tests {
		t.Run(args, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), "list_events", args)
			if want == "" {
				mustOK(t, res)
				return
			}
			assert.Contains(t, mustFail(t, res), want)
			assert.Empty(t, srv.Requests(), "invalid input never reaches Mixpanel")
		})
	}
}

func TestListPropertiesTool(t *testing.T) {
	top := "/api/query/events/properties/top"
	defs := "/api/app/projects/12345/data-definitions/properties/"
	runDiscoveryCases(t, []discoveryCase{
		{name: "an event's properties, most seen first", tool: "list_properties", args: `{"event":"Purchase"}`, path: top,
			wantQuery: url.Values{"event": {"Purchase"}, "limit": {"100"}, "project_id": {"12345"}},
			contains:  []string{`Properties of event "Purchase", most seen first`, "| property | count |\n|---|---|\n| platform | 100000 |\n| $os | 99120 |", "| revenue | 2901 |"},
			absent:    []string{"More properties may exist"}},
		{name: "a page asks Mixpanel for just enough", tool: "list_properties", args: `{"event":"Purchase","limit":2,"offset":1}`, path: top,
			wantQuery: url.Values{"event": {"Purchase"}, "limit": {"3"}, "project_id": {"12345"}},
			contains:  []string{"| $os | 99120 |\n| mp_country_code | 98002 |", "More properties may exist; raise limit or pass offset"},
			absent:    []string{"| platform |"}},
		{name: "user properties from the Lexicon", tool: "list_properties", args: `{"resource_type":"user"}`, path: defs,
			wantQuery: url.Values{"resourceType": {"User"}},
			contains:  []string{"7 user properties (Lexicon)", "| plan | string | Current subscription plan |", "| $email | string |  |"}},
		{name: "all event properties from the Lexicon", tool: "list_properties", args: `{"query":"cart"}`, path: defs,
			wantQuery: url.Values{"resourceType": {"Event"}},
			contains:  []string{"2 event properties (Lexicon)", "| cart | list | Items in the cart |", "| cart_total | number |  |"}},
	})
}

func TestListPropertiesToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	text := mustFail(t, callTool(t, env, "list_properties", `{"event":"purchase"}`))
	assert.Contains(t, text, `event "purchase" not found in the project; did you mean "Purchase"?`)

	for args, want := range map[string]string{
		`{"resource_type":"user","event":"Purchase"}`: "event: MG5: user properties belong to profiles, not events",
		`{"resource_type":"group"}`:                   `resource_type: X1: "group" is not valid; use one of event, user`,
	} {
		srv := mixpaneltest.New(t)
		assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_properties", args)), want)
		assert.Empty(t, srv.Requests())
	}
}

func TestListPropertyValuesTool(t *testing.T) {
	values := "/api/query/events/properties/values"
	runDiscoveryCases(t, []discoveryCase{
		{name: "default limit", tool: "list_property_values", args: `{"property":"currency"}`, path: values,
			wantQuery: url.Values{"name": {"currency"}, "limit": {"100"}, "project_id": {"12345"}},
			contains:  []string{`Values of "currency", most common first`, "| USD |\n| EUR |\n| GBP |"}, absent: []string{"Limit"}},
		{name: "limit reached says so", tool: "list_property_values", args: `{"property":"category","event":"Product Viewed","limit":2}`, path: values,
			wantQuery: url.Values{"name": {"category"}, "event": {"Product Viewed"}, "limit": {"2"}, "project_id": {"12345"}},
			contains:  []string{`Values of "category" on event "Product Viewed"`, "| Shoes |\n| Outerwear |\nLimit 2 reached: more values may exist; raise limit (at most 1000)."}},
		{name: "none", tool: "list_property_values", args: `{"property":"revenue","event":"Search"}`, path: values, contains: []string{"(no rows)"}},
	})
	srv := mixpaneltest.New(t)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_property_values", `{}`)), "property: MG1: missing required argument")
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_property_values", `{"property":" "}`)), "property: MG1: must be a non-empty string")
	assert.Empty(t, srv.Requests())
}

func TestListPropertyValuesToolServerError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: "/api/query/events/properties/values", Status: http.StatusBadRequest, Body: `{"error":"name is too long","status":"error"}`})
	text := mustFail(t, callTool(t, testEnv(t, srv), "list_property_values", `{"property":"x"}`))
	assert.Contains(t, text, "400 Bad Request: name is too long")
	assert.Contains(t, text, "fix the named field")
}

func TestListSubpropertiesTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "list_subproperties", `{"property":"cart","event":"Checkout Started"}`)
	text := mustOK(t, res)
	assert.Equal(t, url.Values{"name": {"cart"}, "event": {"Checkout Started"}, "limit": {"50"}, "project_id": {"12345"}},
		srv.LastRequest(t, "/api/query/events/properties/values").Query)
	assert.Contains(t, text, `Subproperties of "cart" inferred from 3 sampled values (sample_size 50) of event "Checkout Started"`)
	assert.Contains(t, text, "| Price | number | 89.99, 129, 24.5, 45 |")
	assert.Contains(t, text, "| On Sale | boolean | false, true |")
	assert.Contains(t, text, "| Added At | datetime |")
	assert.Contains(t, text, "| Size | string | M, 42, S |")
	assert.Contains(t, text, `Warning: subproperty "Size" has mixed value types across sampled rows; reporting it as string.`)
	assert.Contains(t, text, `Warning: subproperty "Gift Note" was null in every sampled row`)
	assert.Contains(t, text, `list_item group-by or a list_contains filter on "cart"`)
	var out SubpropertiesOutput
	structured(t, res, &out)
	require.Len(t, out.Subproperties, 7)
	assert.Equal(t, "Added At", out.Subproperties[0].Name)
	assert.Len(t, out.Warnings, 2)
	assert.Equal(t, 3, out.Sampled)

	srv = mixpaneltest.New(t)
	text = mustOK(t, callTool(t, testEnv(t, srv), "list_subproperties", `{"property":"currency","sample_size":10}`))
	assert.Equal(t, "10", srv.LastRequest(t, "/api/query/events/properties/values").Query.Get("limit"))
	assert.Contains(t, text, "No JSON object values were found")
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_subproperties", `{"property":"cart","sample_size":501}`)), "sample_size: MG6: must be between 1 and 500")
}

func TestListTopEventsTool(t *testing.T) {
	top := "/api/query/events/top"
	runDiscoveryCases(t, []discoveryCase{
		{name: "default", tool: "list_top_events", args: `{}`, path: top,
			wantQuery: url.Values{"type": {"general"}, "limit": {"20"}, "project_id": {"12345"}},
			contains:  []string{"Top events today (general counts), change vs yesterday", "| App Open | 18230 | +4.2% |", "| Add to Cart | 1503 | -35.6% |"},
			absent:    []string{"Showing the top"}},
		{name: "unique, capped", tool: "list_top_events", args: `{"type":"unique","limit":2}`, path: top,
			wantQuery: url.Values{"type": {"unique"}, "limit": {"2"}, "project_id": {"12345"}},
			contains:  []string{"(unique counts)", "| App Open | 6076 |", "Showing the top 2; raise limit (at most 100) for more."},
			absent:    []string{"| Search |"}},
	})
	srv := mixpaneltest.New(t)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_top_events", `{"type":"weekly"}`)), `type: X1: "weekly" is not valid; use one of general, unique, average`)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_top_events", `{"limit":101}`)), "limit: MG6: must be between 1 and 100")
	assert.Empty(t, srv.Requests())
}

func TestSavedEntityListTools(t *testing.T) {
	runDiscoveryCases(t, []discoveryCase{
		{name: "funnels", tool: "list_funnels", args: `{}`, path: "/api/query/funnels/list",
			wantQuery: url.Values{"project_id": {"12345"}},
			contains:  []string{"3 saved funnels", "| funnel_id | name |\n|---|---|\n| 7533 | Browse to purchase |\n| 7512 | Checkout conversion |\n| 7509 | Signup funnel |"}},
		{name: "funnels filtered", tool: "list_funnels", args: `{"query":"sign"}`, path: "/api/query/funnels/list",
			contains: []string{"1 saved funnels", "| 7509 | Signup funnel |"}, absent: []string{"7512"}},
		{name: "cohorts", tool: "list_cohorts", args: `{"limit":2}`, path: "/api/query/cohorts/list", method: http.MethodPost,
			wantQuery: url.Values{"project_id": {"12345"}},
			contains: []string{"3 saved cohorts", "| 1001 | Churn risk | 388 | yes | 2025-06-02 10:12:00 | No login for 21 days after a purchase |",
				"| 1002 | Internal testers | 14 | no | 2024-11-30 08:00:00 |  |", "1 more rows (showing 1–2 of 3)"}},
		{name: "bookmarks", tool: "list_bookmarks", args: `{}`, path: "/api/app/projects/12345/bookmarks",
			wantQuery: url.Values{"v": {"2"}},
			contains: []string{"6 saved reports", "| 63880001 | Daily active users | insights | 2026-10-02T14:30:00 | 5501 | Ana Analyst |",
				"| 63880006 | Holiday campaign impact | launch-analysis |"}},
		{name: "bookmarks of a type", tool: "list_bookmarks", args: `{"type":"funnels"}`, path: "/api/app/projects/12345/bookmarks",
			wantQuery: url.Values{"v": {"2"}, "type": {"funnels"}},
			contains:  []string{"1 saved funnels reports", "| 63880003 | Checkout funnel | funnels |"}},
	})
}

func TestSavedEntityListToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_bookmarks", `{"type":"dashboards"}`)),
		`type: X1: "dashboards" is not valid; use one of insights, funnels, retention, flows, launch-analysis`)
	assert.Empty(t, srv.Requests())

	srv.Fail(mixpaneltest.Failure{Path: "/api/query/funnels/list", Status: http.StatusInternalServerError, Body: `{"error":"backend unavailable"}`})
	text := mustFail(t, callTool(t, testEnv(t, srv), "list_funnels", `{}`))
	assert.Contains(t, text, "500 Internal Server Error: backend unavailable")
	assert.Contains(t, text, "Mixpanel failed on its side")
	assert.Len(t, srv.Requests(), 4, "a GET is retried three times")

	srv = mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: "/api/query/cohorts/list", Status: http.StatusUnauthorized, Body: `{"error":"Invalid username or secret"}`})
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_cohorts", `{}`)), "The credentials were rejected")

	srv = mixpaneltest.New(t)
	srv.Respond(http.MethodGet, "/api/app/projects/12345/bookmarks", http.StatusOK, `{"results":"nope"}`)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_bookmarks", `{}`)), `expected a list under "results"`)
}

func TestLexiconSchemaTools(t *testing.T) {
	runDiscoveryCases(t, []discoveryCase{
		{name: "list", tool: "list_lexicon_schemas", args: `{}`, path: "/api/app/projects/12345/schemas",
			contains: []string{"4 Lexicon schemas", "| event | Purchase | Order Completed | 4 | Payment succeeded for an order |", "| profile | User |  | 2 |  |", "get_lexicon_schema shows"}},
		{name: "list of one type", tool: "list_lexicon_schemas", args: `{"entity_type":"event","limit":1}`, path: "/api/app/projects/12345/schemas/event",
			contains: []string{"| event | Purchase |", "1 more rows (showing 1–1 of 2)"}, absent: []string{"Sign Up"}},
		{name: "one schema", tool: "get_lexicon_schema", args: `{"entity_type":"event","name":"Purchase"}`, path: "/api/app/projects/12345/schemas/event",
			wantQuery: url.Values{"entity_name": {"Purchase"}},
			contains: []string{`Lexicon event "Purchase" (shown as "Order Completed"): Payment succeeded for an order`,
				"tags commerce, revenue; owners ana.analyst@shopfast.example, Growth; source api",
				"4 documented properties", "| revenue | number | Order total in USD |  |", "| cart | array | Items bought |  |"}},
		{name: "property notes", tool: "get_lexicon_schema", args: `{"entity_type":"event","name":"Sign Up"}`, path: "/api/app/projects/12345/schemas/event",
			contains: []string{`| referral_code | string |  | shown as "Referral code", hidden |`}},
	})
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	text := mustFail(t, callTool(t, env, "get_lexicon_schema", `{"entity_type":"event","name":"Refund"}`))
	assert.Contains(t, text, "404 Not Found")
	assert.Contains(t, text, "list the entities first")
	assert.Contains(t, mustFail(t, callTool(t, env, "get_lexicon_schema", `{"entity_type":"group","name":"x"}`)), `entity_type: X1: "group" is not valid; use one of event, profile, custom_event`)
	assert.Contains(t, mustFail(t, callTool(t, env, "get_lexicon_schema", `{"entity_type":"event"}`)), "name: MG1: missing required argument")
	assert.Len(t, srv.Requests(), 1)

	res := callTool(t, env, "get_lexicon_schema", `{"entity_type":"event","name":"Purchase"}`)
	var out mixpanel.LexiconSchema
	structured(t, res, &out)
	assert.Equal(t, "Purchase", out.Name, "the embedded schema is flat in structuredContent")
	_, outSchema, err := Lookup("get_lexicon_schema").Schemas()
	require.NoError(t, err)
	var schema struct {
		Properties map[string]any `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(outSchema, &schema))
	assert.Contains(t, schema.Properties, "schema_json", "output schema matches the flat structuredContent")
}

func TestGetSchemaGraphTool(t *testing.T) {
	defs := "/api/app/projects/12345/data-definitions/properties/"
	header := "Schema graph: 10 events, 29 event properties, 7 user properties, 87 relationships, 1 orphan properties."
	runDiscoveryCases(t, []discoveryCase{
		{name: "summary", tool: "get_schema_graph", args: `{}`, path: "/api/app/projects/12345/data-definitions/events/",
			contains: []string{header, "| Purchase (Order Completed) | 12 | verified | commerce, revenue |", "| Support Ticket Created | 8 | hidden |  |"}},
		{name: "properties of an event", tool: "get_schema_graph", args: `{"view":"event_properties","event":"Checkout Started"}`, path: defs,
			contains: []string{`Properties on event "Checkout Started"`, "| cart |", "| cart_total |"}, absent: []string{"| revenue |"}},
		{name: "events of a property", tool: "get_schema_graph", args: `{"view":"property_events","property":"cart"}`, path: defs,
			contains: []string{`Events carrying property "cart"`, "| Checkout Started |\n| Purchase |"}},
		{name: "orphans", tool: "get_schema_graph", args: `{"view":"orphans"}`, path: defs,
			contains: []string{"Event properties on no event", "| legacy_campaign_id |"}},
		{name: "relationships with density, capped", tool: "get_schema_graph", args: `{"view":"relationships","include_density":true,"limit":2}`, path: defs,
			contains: []string{"| Add to Cart | $browser | 92.0% |\n| Add to Cart | $city | 87.0% |", "85 more rows (showing 1–2 of 87); pass limit/offset to see more."}},
	})
}

func TestGetSchemaGraphToolPerEventFallback(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.LexiconJoinTimesOut = true
	res := callTool(t, testEnv(t, srv), "get_schema_graph", `{"view":"property_events","property":"cart"}`)
	text := mustOK(t, res)
	assert.Contains(t, text, "Note: the Lexicon's bulk join failed; relationships were gathered event by event.")
	assert.Contains(t, text, "| Checkout Started |\n| Purchase |")
	var out SchemaGraphView
	structured(t, res, &out)
	assert.Equal(t, "per_event", out.RelationshipSource)
}

func TestGetSchemaGraphToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	assert.Contains(t, mustFail(t, callTool(t, env, "get_schema_graph", `{"view":"event_properties"}`)), `event: MG1: must be a non-empty string`)
	assert.Contains(t, mustFail(t, callTool(t, env, "get_schema_graph", `{"view":"property_events"}`)), `property: MG1: must be a non-empty string`)
	assert.Contains(t, mustFail(t, callTool(t, env, "get_schema_graph", `{"view":"everything"}`)), `view: X1: "everything" is not valid; use one of summary,`)
	assert.Empty(t, srv.Requests())

	assert.Contains(t, mustFail(t, callTool(t, env, "get_schema_graph", `{"view":"event_properties","event":"purchase"}`)),
		`event: "purchase" is not in the Lexicon; did you mean "Purchase"?`)
	assert.Contains(t, mustFail(t, callTool(t, env, "get_schema_graph", `{"view":"property_events","property":"Cart"}`)),
		`property: "Cart" is not an event property of the Lexicon; did you mean "cart"?`)

	srv.Fail(mixpaneltest.Failure{Path: "/api/app/projects/12345/data-definitions/events/", Status: http.StatusForbidden, Body: `{"error":"Lexicon access denied"}`})
	text := mustFail(t, callTool(t, env, "get_schema_graph", `{}`))
	assert.Contains(t, text, "403 Forbidden: Lexicon access denied")
	assert.Contains(t, text, "lacks permission")
}

func TestDiscoveryToolsNeedCredentials(t *testing.T) {
	env := NewEnv(nil, &mixpanel.MissingSettingError{Setting: "MP_USERNAME + MP_SECRET or MP_OAUTH_TOKEN", Fix: "set them"}, zerolog.Nop())
	for _, name := range []string{"list_events", "list_funnels", "get_schema_graph", "me", "get_active_project"} {
		assert.Contains(t, mustFail(t, callTool(t, env, name, `{}`)), "missing setting MP_USERNAME", name)
	}
}

// BenchmarkListEvents measures one list_events call in-process: argument
// decoding, validation, the HTTP round trip to the fake, decoding, sorting
// and rendering.
func BenchmarkListEvents(b *testing.B) {
	srv := mixpaneltest.New(b)
	env := NewEnv(srv.Client(b), nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	tool := Lookup("list_events")
	args := json.RawMessage(`{"limit":50}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := tool.Call(ctx, env, args); res.IsError {
			b.Fatal("list_events failed")
		}
	}
}

// The project and discovery tools are listed to every model: keep their
// definitions (name, description, schemas, annotations) small. The title
// is for people (a client's tool list), not counted here.
func TestProjectAndDiscoveryDefinitionsAreLean(t *testing.T) {
	total := 0
	for _, name := range []string{"me", "list_projects", "list_workspaces", "use_project", "get_active_project", "clear_discovery_cache", "list_events", "list_properties",
		"list_property_values", "list_subproperties", "list_top_events", "list_funnels", "list_cohorts", "list_bookmarks",
		"list_lexicon_schemas", "get_lexicon_schema", "get_schema_graph"} {
		tool := Lookup(name)
		require.NotNil(t, tool, name)
		def, err := tool.Definition()
		require.NoError(t, err, name)
		def.Title = ""
		raw, err := json.Marshal(def)
		require.NoError(t, err)
		assert.Less(t, len(raw), 3000, "%s definition is %d bytes", name, len(raw))
		total += len(raw)
	}
	assert.Less(t, total, 19000, "the 17 definitions take %d bytes", total)
}

// FuzzProjectAndDiscoveryTools calls each project and discovery tool with
// arbitrary arguments against the fake: every outcome must be a result
// (success or isError), never a panic caught by Tool.Call.
func FuzzProjectAndDiscoveryTools(f *testing.F) {
	names := []string{"me", "list_projects", "list_workspaces", "use_project", "get_active_project", "clear_discovery_cache", "list_events", "list_properties",
		"list_property_values", "list_subproperties", "list_top_events", "list_funnels", "list_cohorts", "list_bookmarks",
		"list_lexicon_schemas", "get_lexicon_schema", "get_schema_graph"}
	seeds := map[string][]string{
		"list_events":          {`{"query":"a","limit":2,"offset":9}`, `{"from_date":"2026-02-30"}`},
		"list_properties":      {`{"event":"Purchase","limit":1,"offset":100}`, `{"resource_type":"user","query":"$"}`},
		"list_property_values": {`{"property":"cart","event":"Purchase","limit":1000}`},
		"list_subproperties":   {`{"property":"cart","sample_size":1}`},
		"list_workspaces":      {`{"project_id":"12346"}`, `{"project_id":"-1"}`},
		"use_project":          {`{"project_id":"12346","workspace_id":"3001"}`, `{"workspace_id":"0"}`},
		"get_lexicon_schema":   {`{"entity_type":"profile","name":"User"}`},
		"get_schema_graph":     {`{"view":"relationships","offset":86,"limit":5000}`, `{"view":"property_events","property":"$os"}`},
		"list_bookmarks":       {`{"type":"flows","query":"x"}`},
	}
	for i, name := range names {
		f.Add(uint8(i), []byte(`{}`))
		for _, s := range seeds[name] {
			f.Add(uint8(i), []byte(s))
		}
	}
	srv := mixpaneltest.New(f)
	env := NewEnv(srv.Client(f), nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		name := names[int(which)%len(names)]
		res := Lookup(name).Call(context.Background(), env, args)
		require.NotEmpty(t, res.Content, name)
		if text := resultText(t, res); res.IsError && strings.HasPrefix(text, "internal error") {
			t.Fatalf("%s panicked on %s: %s", name, args, text)
		}
	})
}
