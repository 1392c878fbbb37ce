package mixpanel_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

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
