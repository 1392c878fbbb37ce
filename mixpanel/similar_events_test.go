package mixpanel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

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
