package mixpanel_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
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

func TestEventNotFoundWithoutSuggestions(t *testing.T) {
	err := &mixpanel.EventNotFoundError{Event: "Zebra", Err: errors.New("400")}
	assert.Equal(t, `event "Zebra" not found in the project; use an event name of the project (400)`, err.Error())
}
