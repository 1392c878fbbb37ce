package replay

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/users/12345/profile?ref=x", "/users/:id/profile"},
		{"https://app.example.com/orders/abc12345-de00", "https://app.example.com/orders/:id"},
		{"http://127.0.0.1:46773/boards?id=123", "http://127.0.0.1:46773/boards"},
		{"http://127.0.0.1:46773/boards/456/settings", "http://127.0.0.1:46773/boards/:id/settings"},
		{"/shop/item/6", "/shop/item/:id"},
		{"/commits/deadbeef", "/commits/:id"},
		{"/commits/DEADBEEF99", "/commits/:id"},
		{"/u/550e8400-e29b-41d4-a716-446655440000/edit", "/u/:id/edit"},
		{"/abc1234", "/abc1234"},         // seven hex digits: not an id
		{"/v2/settings", "/v2/settings"}, // text segments stay
		{"/boards#id=1", "/boards#id=1"}, // the fragment is not a query
		{"https://example.com", "https://example.com"},
		{"https://example.com?x=1", "https://example.com?x=1"}, // nothing after the host: unchanged, as in the reference
		{"https://example.com/", "https://example.com/"},
		{"https://example.com/2024/05/post", "https://example.com/:id/:id/post"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, NormalizeURL(tt.in), tt.in)
	}
}

func TestLabels(t *testing.T) {
	click := UserAction{Timestamp: 1, Action: ActionClick, TargetDesc: `button "Sign in"`, URL: "/users/12345/profile?ref=x", Metadata: map[string]any{}}
	tests := []struct {
		name  string
		label LabelFunc
		a     UserAction
		want  string
	}{
		{"default", DefaultLabel, click, `click:button "Sign in"@/users/:id/profile`},
		{"default without url or target", DefaultLabel, UserAction{Action: ActionScroll}, "scroll:(unknown)@(no-url)"},
		{"selector falls back", SelectorLabel(""), click, `click:button "Sign in"@/users/:id/profile`},
		{"selector uses data-testid", SelectorLabel(""), withMeta(click, "data-testid", "login-submit"), "click:login-submit@/users/:id/profile"},
		{"selector with another attribute", SelectorLabel("data-track"), withMeta(click, "data-track", "cta"), "click:cta@/users/:id/profile"},
		{"selector ignores non-strings", SelectorLabel("data-testid"), withMeta(click, "data-testid", 7), `click:button "Sign in"@/users/:id/profile`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.label(tt.a))
		})
	}
}

func withMeta(a UserAction, k string, v any) UserAction {
	m := map[string]any{}
	for kk, vv := range a.Metadata {
		m[kk] = vv
	}
	m[k] = v
	a.Metadata = m
	return a
}
