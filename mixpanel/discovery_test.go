package mixpanel_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

func TestEventsRequestAndSorting(t *testing.T) {
	tests := []struct {
		name      string
		opts      mixpanel.EventsOptions
		wantQuery url.Values
	}{
		{"widest defaults", mixpanel.EventsOptions{Now: discoveryNow},
			url.Values{"type": {"general"}, "limit": {"5000"}, "from_date": {"2000-01-01"}, "to_date": {"2026-11-25"}, "project_id": {"12345"}}},
		{"limit above the ceiling is clamped", mixpanel.EventsOptions{Limit: 9000, Now: discoveryNow},
			url.Values{"type": {"general"}, "limit": {"5000"}, "from_date": {"2000-01-01"}, "to_date": {"2026-11-25"}, "project_id": {"12345"}}},
		{"explicit window and limit", mixpanel.EventsOptions{Limit: 3, FromDate: "2026-01-01", ToDate: "2026-06-30", Now: discoveryNow},
			url.Values{"type": {"general"}, "limit": {"3"}, "from_date": {"2026-01-01"}, "to_date": {"2026-06-30"}, "project_id": {"12345"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			names, err := srv.Client(t).Events(context.Background(), tt.opts)
			require.NoError(t, err)
			req := srv.LastRequest(t, eventNamesPath)
			assert.Equal(t, http.MethodGet, req.Method)
			assert.Equal(t, tt.wantQuery, req.Query)
			assert.IsNonDecreasing(t, names, "event names come back sorted")
			if tt.opts.Limit > 0 && tt.opts.Limit < 10 {
				assert.Len(t, names, tt.opts.Limit)
			}
		})
	}
}

func TestEventsDateRangeGateRetry(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Now = discoveryNow
	srv.Data.EventNamesMaxDays = 365
	names, err := srv.Client(t).Events(context.Background(), mixpanel.EventsOptions{Now: discoveryNow})
	require.NoError(t, err)
	assert.Contains(t, names, "Purchase")

	reqs := srv.Requests()
	require.Len(t, reqs, 2, "one refused request, one retry")
	assert.Equal(t, "2000-01-01", reqs[0].Query.Get("from_date"))
	assert.Equal(t, "2025-11-25", reqs[1].Query.Get("from_date"), "retry starts today − 365 days")
	assert.Equal(t, reqs[0].Query.Get("to_date"), reqs[1].Query.Get("to_date"))
}

func TestEventsDateRangeGateNotRetried(t *testing.T) {
	tests := []struct {
		name    string
		opts    mixpanel.EventsOptions
		failure *mixpaneltest.Failure
		status  int
	}{
		{"caller chose from_date", mixpanel.EventsOptions{FromDate: "2001-01-01", Now: discoveryNow}, nil, http.StatusForbidden},
		{"a 403 about something else", mixpanel.EventsOptions{Now: discoveryNow},
			&mixpaneltest.Failure{Path: eventNamesPath, Status: http.StatusForbidden, Body: `{"error":"You do not have permission to view this project","status":"error"}`}, http.StatusForbidden},
		{"the same words on a 400", mixpanel.EventsOptions{Now: discoveryNow},
			&mixpaneltest.Failure{Path: eventNamesPath, Status: http.StatusBadRequest, Body: `{"error":"Date range exceeds 30 days into the past","status":"error"}`}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Data.Now = discoveryNow
			srv.Data.EventNamesMaxDays = 365
			if tt.failure != nil {
				srv.Fail(*tt.failure)
			}
			_, err := srv.Client(t).Events(context.Background(), tt.opts)
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.Status)
			assert.Len(t, srv.Requests(), 1)
		})
	}
}

func TestEventsBadYear(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).Events(context.Background(), mixpanel.EventsOptions{FromDate: "1999-12-31", Now: discoveryNow})
	require.Error(t, err)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation))
	assert.Contains(t, err.Error(), "bad year")
}

func TestEventProperties(t *testing.T) {
	srv := mixpaneltest.New(t)
	props, err := srv.Client(t).EventProperties(context.Background(), "Purchase", 50)
	require.NoError(t, err)
	req := srv.LastRequest(t, topPropsPath)
	assert.Equal(t, url.Values{"event": {"Purchase"}, "limit": {"50"}, "project_id": {"12345"}}, req.Query)
	require.Len(t, props, 12)
	assert.Equal(t, mixpanel.PropertyCount{Name: "platform", Count: 100000}, props[0], "most seen first")
	for i := 1; i < len(props); i++ {
		assert.GreaterOrEqual(t, props[i-1].Count, props[i].Count)
	}
}

func TestEventPropertiesServerDefaultLimit(t *testing.T) {
	srv := mixpaneltest.New(t)
	props, err := srv.Client(t).EventProperties(context.Background(), "Purchase", 0)
	require.NoError(t, err)
	assert.NotContains(t, srv.LastRequest(t, topPropsPath).Query, "limit")
	assert.Len(t, props, 10, "Mixpanel's own default")
}

func TestEventPropertiesUnknownEvent(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).EventProperties(context.Background(), "purchase", 0)
	var nf *mixpanel.EventNotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, []string{"Purchase"}, nf.Similar)
	assert.Contains(t, err.Error(), `did you mean "Purchase"?`)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "the API error stays reachable")
	srv.LastRequest(t, eventNamesPath) // suggestions come from the event list
}

func TestDecodePropertyCounts(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []mixpanel.PropertyCount
	}{
		{"documented object form", `{"$browser":{"count":12},"plan":{"count":40}}`, []mixpanel.PropertyCount{{Name: "plan", Count: 40}, {Name: "$browser", Count: 12}}},
		{"bare numbers", `{"prop1":100.0,"prop2":50.5}`, []mixpanel.PropertyCount{{Name: "prop1", Count: 100}, {Name: "prop2", Count: 50.5}}},
		{"ties by name, odd values count 0", `{"b":null,"a":"x","c":{"count":"many"}}`, []mixpanel.PropertyCount{{Name: "a"}, {Name: "b"}, {Name: "c"}}},
		{"empty", `{}`, []mixpanel.PropertyCount{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mixpanel.DecodePropertyCounts([]byte(tt.raw))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := mixpanel.DecodePropertyCounts([]byte(`["a"]`))
	assert.Error(t, err)
}

func TestFindSimilarEvents(t *testing.T) {
	events := []string{"Add to Cart", "Checkout Started", "Purchase", "Purchase Refunded", "Sign Up", "sign_up_completed", "App Open", "Login", "Search"}
	tests := []struct {
		query string
		want  []string
	}{
		{"purchase", []string{"Purchase"}},
		{"Purch", []string{"Purchase", "Purchase Refunded"}},
		{"sign-up", []string{"Sign Up", "sign_up_completed"}},
		{"cart checkout", []string{"Add to Cart", "Checkout Started"}},
		{"Purchse", []string{"Purchase"}},
		{"Sign Upp", []string{"Sign Up", "sign_up_completed"}},
		{"Lgoin", []string{"Login"}},
		{"Serach", []string{"Search"}},
		{"Zebra", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			assert.Equal(t, tt.want, mixpanel.FindSimilarEvents(tt.query, events))
		})
	}
}

func TestPropertyValues(t *testing.T) {
	tests := []struct {
		name      string
		opts      mixpanel.PropertyValuesOptions
		wantQuery url.Values
		want      []string
	}{
		{"default limit", mixpanel.PropertyValuesOptions{Property: "currency"},
			url.Values{"name": {"currency"}, "limit": {"100"}, "project_id": {"12345"}}, []string{"USD", "EUR", "GBP"}},
		{"scoped to an event with a limit", mixpanel.PropertyValuesOptions{Property: "category", Event: "Product Viewed", Limit: 2},
			url.Values{"name": {"category"}, "event": {"Product Viewed"}, "limit": {"2"}, "project_id": {"12345"}}, []string{"Shoes", "Outerwear"}},
		{"property not sent with that event", mixpanel.PropertyValuesOptions{Property: "revenue", Event: "Search"},
			url.Values{"name": {"revenue"}, "event": {"Search"}, "limit": {"100"}, "project_id": {"12345"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).PropertyValues(context.Background(), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, srv.LastRequest(t, valuesPath).Query)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPropertyValuesNonStrings(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, valuesPath, http.StatusOK, `["a", 12, 1.5, true, null]`)
	got, err := srv.Client(t).PropertyValues(context.Background(), mixpanel.PropertyValuesOptions{Property: "x"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "12", "1.5", "true", "null"}, got)
}

func TestSubpropertiesFromCart(t *testing.T) {
	srv := mixpaneltest.New(t)
	subs, warnings, err := srv.Client(t).Subproperties(context.Background(), "cart", "Purchase", 0)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"name": {"cart"}, "event": {"Purchase"}, "limit": {"50"}, "project_id": {"12345"}}, srv.LastRequest(t, valuesPath).Query)

	byName := map[string]mixpanel.SubPropertyInfo{}
	var names []string
	for _, s := range subs {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"Added At", "Brand", "Category", "Item ID", "On Sale", "Price", "Size"}, names, "sorted; the null-only key is left out")
	assert.Equal(t, "datetime", byName["Added At"].Type, "date and date-time strings")
	assert.Equal(t, "string", byName["Brand"].Type)
	assert.Equal(t, []any{"Stride", "Nimbus", "Lotus"}, byName["Brand"].SampleValues)
	assert.Equal(t, "boolean", byName["On Sale"].Type)
	assert.Equal(t, []any{false, true}, byName["On Sale"].SampleValues)
	assert.Equal(t, "number", byName["Price"].Type)
	assert.Equal(t, []any{json.Number("89.99"), json.Number("129"), json.Number("24.5"), json.Number("45")}, byName["Price"].SampleValues)
	assert.Equal(t, "string", byName["Size"].Type, "mixed string and number collapse to string")
	require.Len(t, warnings, 2)
	assert.Contains(t, warnings[0], `"Gift Note" was null in every sampled row`)
	assert.Contains(t, warnings[1], `"Size" has mixed value types`)
}

func TestInferSubproperties(t *testing.T) {
	tests := []struct {
		name         string
		raw          []string
		want         []mixpanel.SubPropertyInfo
		wantWarnings int
	}{
		{"nothing parseable", []string{"plain text", "42", `"str"`, `[1,2]`, `{"a":1} trailing`}, nil, 0},
		{"object rows and list rows", []string{`{"k":"a"}`, `[{"k":"b"},{"k":"a"}, 7]`},
			[]mixpanel.SubPropertyInfo{{Name: "k", Type: "string", SampleValues: []any{"a", "b"}}}, 0},
		{"bool and number mix is string", []string{`{"f":true}`, `{"f":1}`},
			[]mixpanel.SubPropertyInfo{{Name: "f", Type: "string", SampleValues: []any{true, json.Number("1")}}}, 1},
		{"number and string mix is string", []string{`{"id":"sku-1"}`, `{"id":1002}`},
			[]mixpanel.SubPropertyInfo{{Name: "id", Type: "string", SampleValues: []any{"sku-1", json.Number("1002")}}}, 1},
		{"impossible calendar date is a string", []string{`{"d":"2025-01-01"}`, `{"d":"2025-13-99"}`},
			[]mixpanel.SubPropertyInfo{{Name: "d", Type: "string", SampleValues: []any{"2025-01-01", "2025-13-99"}}}, 0},
		{"scalar and nested: scalar reported, with a warning", []string{`{"x":{"y":1}}`, `{"x":"flat"}`},
			[]mixpanel.SubPropertyInfo{{Name: "x", Type: "string", SampleValues: []any{"flat"}}}, 1},
		{"only nested is skipped quietly", []string{`{"x":[1,2]}`}, nil, 0},
		{"null is missing data, not a type", []string{`{"n":null}`, `{"n":3}`},
			[]mixpanel.SubPropertyInfo{{Name: "n", Type: "number", SampleValues: []any{json.Number("3")}}}, 0},
		{"samples are distinct and capped at five; 5 and 5.0 are one", []string{`[{"p":5},{"p":5.0},{"p":1},{"p":2},{"p":3},{"p":4},{"p":6}]`},
			[]mixpanel.SubPropertyInfo{{Name: "p", Type: "number", SampleValues: []any{json.Number("5"), json.Number("1"), json.Number("2"), json.Number("3"), json.Number("4")}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings := mixpanel.InferSubproperties(tt.raw)
			assert.Equal(t, tt.want, got)
			assert.Len(t, warnings, tt.wantWarnings, "warnings: %v", warnings)
		})
	}
}

func TestIsISODate(t *testing.T) {
	tests := map[string]bool{
		"2025-01-01":                true,
		"2025-01-01T10:15":          true,
		"2025-01-01 10:15:30":       true,
		"2025-01-01T10:15:30.123Z":  true,
		"2025-01-01T10:15:30+05:30": true,
		"2025-01-01T10:15:30-0800":  true,
		"2024-02-29":                true,
		"2025-02-29":                false,
		"2025-13-01":                false,
		"2025-12-32":                false,
		"0000-01-01":                false,
		"2025-01-01T24:00":          false,
		"2025-01-01T10:60":          false,
		"2025-01-01T10:15:30+24:00": false,
		"2025-01-01Z":               false,
		"20250101":                  false,
		"12":                        false,
		"":                          false,
	}
	for in, want := range tests {
		assert.Equal(t, want, mixpanel.IsISODate(in), in)
	}
}

func TestTopEvents(t *testing.T) {
	tests := []struct {
		typ       string
		limit     int
		wantQuery url.Values
		wantFirst mixpanel.TopEvent
		wantLen   int
	}{
		{"", 0, url.Values{"type": {"general"}, "project_id": {"12345"}}, mixpanel.TopEvent{Event: "App Open", Count: 18230, PercentChange: 0.042}, 8},
		{"unique", 3, url.Values{"type": {"unique"}, "limit": {"3"}, "project_id": {"12345"}}, mixpanel.TopEvent{Event: "App Open", Count: 6076, PercentChange: 0.042}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).TopEvents(context.Background(), tt.typ, tt.limit)
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/top").Query)
			require.Len(t, got, tt.wantLen)
			assert.Equal(t, tt.wantFirst, got[0])
		})
	}
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).TopEvents(context.Background(), "weekly", 0)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
}

func TestFunnelsAndCohorts(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	funnels, err := c.Funnels(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []mixpanel.FunnelInfo{{FunnelID: 7533, Name: "Browse to purchase"}, {FunnelID: 7512, Name: "Checkout conversion"}, {FunnelID: 7509, Name: "Signup funnel"}}, funnels)
	assert.Equal(t, http.MethodGet, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/funnels/list").Method)

	cohorts, err := c.Cohorts(context.Background())
	require.NoError(t, err)
	req := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/cohorts/list")
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Empty(t, req.Body, "Mixpanel's cohort list is a POST without a body")
	assert.Equal(t, "12345", req.Query.Get("project_id"))
	require.Len(t, cohorts, 3)
	assert.Equal(t, mixpanel.SavedCohort{ID: 1001, Name: "Churn risk", Count: 388, Description: "No login for 21 days after a purchase", Created: "2025-06-02 10:12:00", IsVisible: true}, cohorts[0])
	assert.Equal(t, "Internal testers", cohorts[1].Name)
	assert.False(t, cohorts[1].IsVisible)
}

func TestCohortsRetriedOnServerError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/cohorts/list", Status: http.StatusBadGateway, Times: 1})
	cohorts, err := srv.Client(t).Cohorts(context.Background())
	require.NoError(t, err, "the POST only reads, so it is safe to repeat")
	assert.Len(t, cohorts, 3)
}

func TestDecodeCohortList(t *testing.T) {
	got, err := mixpanel.DecodeCohortList([]byte(`[{"id":"7","name":"b","count":null,"description":null,"created":"x","is_visible":true},{"id":3,"name":"a","count":2,"is_visible":"0"}]`))
	require.NoError(t, err)
	assert.Equal(t, []mixpanel.SavedCohort{{ID: 3, Name: "a", Count: 2}, {ID: 7, Name: "b", Created: "x", IsVisible: true}}, got)
	_, err = mixpanel.DecodeCohortList([]byte(`[{"id":"seven"}]`))
	assert.Error(t, err)
}

func TestListBookmarks(t *testing.T) {
	tests := []struct {
		typ       string
		wantQuery url.Values
		wantIDs   []int64
	}{
		{"", url.Values{"v": {"2"}, "project_id": {"12345"}}, []int64{63880001, 63880002, 63880003, 63880004, 63880005, 63880006}},
		{"funnels", url.Values{"v": {"2"}, "type": {"funnels"}, "project_id": {"12345"}}, []int64{63880003}},
		{"launch-analysis", url.Values{"v": {"2"}, "type": {"launch-analysis"}, "project_id": {"12345"}}, []int64{63880006}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).ListBookmarks(context.Background(), tt.typ)
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/bookmarks").Query)
			var ids []int64
			for _, b := range got {
				ids = append(ids, b.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

func TestListBookmarksFields(t *testing.T) {
	srv := mixpaneltest.New(t)
	got, err := srv.Client(t).ListBookmarks(context.Background(), "")
	require.NoError(t, err)
	first := got[0]
	require.NotNil(t, first.WorkspaceID)
	require.NotNil(t, first.DashboardID)
	assert.Equal(t, int64(3001), *first.WorkspaceID)
	assert.Equal(t, int64(5501), *first.DashboardID)
	assert.Equal(t, int64(12345), first.ProjectID)
	assert.Equal(t, "Ana Analyst", first.CreatorName)
	assert.Nil(t, got[3].WorkspaceID, "null stays absent")

	_, err = srv.Client(t).ListBookmarks(context.Background(), "dashboards")
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
}

func TestDecodeBookmarkList(t *testing.T) {
	item := `{"id":1,"name":"R","type":"insights","project_id":"12345","created":"c","modified":"m","workspace_id":null,"dashboard_id":9,"description":null}`
	want := []mixpanel.BookmarkInfo{{ID: 1, Name: "R", Type: "insights", ProjectID: 12345, Created: "c", Modified: "m", DashboardID: ptr(int64(9))}}
	for name, raw := range map[string]string{
		"nested":   `{"results":{"results":[` + item + `],"pagination":null}}`,
		"flat":     `{"status":"ok","results":[` + item + `]}`,
		"bare":     `[` + item + `]`,
		"trailing": "  [" + item + "]\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := mixpanel.DecodeBookmarkList([]byte(raw))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for _, bad := range []string{`{}`, `{"results":3}`, `{"results":{"other":[]}}`, `"x"`} {
		_, err := mixpanel.DecodeBookmarkList([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLexiconSchemas(t *testing.T) {
	tests := []struct {
		entityType string
		wantPath   string
		want       []string
	}{
		{"", "/api/app/projects/12345/schemas", []string{"custom_event/Checkout Activity", "event/Purchase", "event/Sign Up", "profile/User"}},
		{"event", "/api/app/projects/12345/schemas/event", []string{"event/Purchase", "event/Sign Up"}},
	}
	for _, tt := range tests {
		t.Run(tt.entityType, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).LexiconSchemas(context.Background(), tt.entityType)
			require.NoError(t, err)
			srv.LastRequest(t, tt.wantPath)
			var names []string
			for _, s := range got {
				names = append(names, s.EntityType+"/"+s.Name)
			}
			assert.Equal(t, tt.want, names)
		})
	}
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).LexiconSchemas(context.Background(), "group")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "event, profile or custom_event")
	assert.Empty(t, srv.Requests(), "an unknown entity type is refused before any request")
}

func TestLexiconSchema(t *testing.T) {
	srv := mixpaneltest.New(t)
	got, err := srv.Client(t).LexiconSchema(context.Background(), "event", "Purchase")
	require.NoError(t, err)
	req := srv.LastRequest(t, "/api/app/projects/12345/schemas/event")
	assert.Equal(t, url.Values{"entity_name": {"Purchase"}}, req.Query)

	assert.Equal(t, "event", got.EntityType)
	assert.Equal(t, "Payment succeeded for an order", got.SchemaJSON.Description)
	assert.Equal(t, mixpanel.LexiconProperty{Type: "number", Description: "Order total in USD"}, got.SchemaJSON.Properties["revenue"])
	assert.Equal(t, "array", got.SchemaJSON.Properties["cart"].Type)
	assert.Equal(t, &mixpanel.LexiconMetadata{
		Source: "api", DisplayName: "Order Completed", Tags: []string{"commerce", "revenue"},
		Contacts: []string{"ana.analyst@shopfast.example"}, TeamContacts: []string{"Growth"},
	}, got.SchemaJSON.Metadata)

	signUp, err := srv.Client(t).LexiconSchema(context.Background(), "event", "Sign Up")
	require.NoError(t, err)
	assert.Equal(t, &mixpanel.LexiconMetadata{DisplayName: "Referral code", Hidden: true, Tags: []string{}, Contacts: []string{}, TeamContacts: []string{}},
		signUp.SchemaJSON.Properties["referral_code"].Metadata)

	_, err = srv.Client(t).LexiconSchema(context.Background(), "event", "Nope")
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindNotFound), "%v", err)
}

func TestLexiconSchemaAnswerShapes(t *testing.T) {
	path := "/api/app/projects/12345/schemas/profile"
	tests := []struct {
		name string
		body string
		want mixpanel.LexiconSchema
	}{
		{"bare schemaJson", `{"results":{"description":"d","properties":{"plan":{"type":["string","null"]}}}}`,
			mixpanel.LexiconSchema{EntityType: "profile", Name: "User", SchemaJSON: mixpanel.LexiconDefinition{Description: "d", Properties: map[string]mixpanel.LexiconProperty{"plan": {Type: "string"}}}}},
		{"one-entry list", `{"status":"ok","results":[{"entityType":"profile","name":"User","schemaJson":{"properties":{"x":{}}}}]}`,
			mixpanel.LexiconSchema{EntityType: "profile", Name: "User", SchemaJSON: mixpanel.LexiconDefinition{Properties: map[string]mixpanel.LexiconProperty{"x": {Type: "string"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(http.MethodGet, path, http.StatusOK, tt.body)
			got, err := srv.Client(t).LexiconSchema(context.Background(), "profile", "User")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

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

func TestFlexTypes(t *testing.T) {
	var n mixpanel.FlexInt
	for raw, want := range map[string]int64{`12`: 12, `"12"`: 12, `null`: 0, `12.0`: 12, `" 7 "`: 7} {
		require.NoError(t, json.Unmarshal([]byte(raw), &n), raw)
		assert.Equal(t, mixpanel.FlexInt(want), n, raw)
	}
	for _, bad := range []string{`1.5`, `"x"`, `true`, `{}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
	var b mixpanel.FlexBool
	for raw, want := range map[string]bool{`true`: true, `1`: true, `0`: false, `"true"`: true, `"0"`: false, `null`: false, `{}`: false} {
		require.NoError(t, json.Unmarshal([]byte(raw), &b), raw)
		assert.Equal(t, mixpanel.FlexBool(want), b, raw)
	}
	var tags mixpanel.TagList
	require.NoError(t, json.Unmarshal([]byte(`["a",{"name":"b"},{"id":3},4]`), &tags))
	assert.Equal(t, mixpanel.TagList{"a", "b"}, tags)
	assert.Error(t, json.Unmarshal([]byte(`"a"`), &tags))
}

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

func TestEventNotFoundWithoutSuggestions(t *testing.T) {
	err := &mixpanel.EventNotFoundError{Event: "Zebra", Err: errors.New("400")}
	assert.Equal(t, `event "Zebra" not found in the project; list_events shows the event names (400)`, err.Error())
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

func BenchmarkInferSubproperties(b *testing.B) {
	raw := make([]string, mixpanel.DefaultSubpropertySample)
	for i := range raw {
		raw[i] = fmt.Sprintf(`[{"Brand":"B%d","Category":"C%d","Price":%d.5,"Item ID":"sku-%d","On Sale":%t,"Added At":"2026-11-%02dT10:00:00Z"},{"Brand":"B","Price":3}]`, i%7, i%4, i, i, i%2 == 0, i%28+1)
	}
	b.ReportAllocs()
	for b.Loop() {
		if subs, _ := mixpanel.InferSubproperties(raw); len(subs) != 6 {
			b.Fatalf("got %d subproperties", len(subs))
		}
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
			func(ctx context.Context, c *mixpanel.Client) error { _, err := c.ListBookmarks(ctx, ""); return err }},
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
		{"bookmarks", func(ctx context.Context, c *mixpanel.Client) error { _, err := c.ListBookmarks(ctx, ""); return err }},
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
