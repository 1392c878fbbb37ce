package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNonLoopbackNeedsToken(t *testing.T) {
	s := server.NewMCPServer("t", "1")
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "10.1.2.3:80", "[::]:8080", "example.com:80"} {
		_, err := httpHandler(s, &options{Listen: addr})
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "--auth-token", addr)
		_, err = httpHandler(s, &options{Listen: addr, AuthToken: "t0ken"})
		assert.NoError(t, err, addr)
	}
	for _, addr := range []string{"127.0.0.1:8080", "localhost:9", "[::1]:8080"} {
		_, err := httpHandler(s, &options{Listen: addr})
		assert.NoError(t, err, addr)
	}
}

func TestGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	tests := []struct {
		name   string
		opts   options
		origin string
		auth   string
		want   int
	}{
		{"no origin, no token configured", options{}, "", "", 299},
		{"loopback origin", options{}, "http://localhost:3000", "", 299},
		{"loopback IP origin", options{}, "http://127.0.0.1:5173", "", 299},
		{"foreign origin refused", options{}, "https://evil.example", "", http.StatusForbidden},
		{"rebinding host refused", options{}, "http://attacker.localhost.evil.com", "", http.StatusForbidden},
		{"configured origin", options{AllowedOrigins: []string{"https://app.example.com"}}, "https://app.example.com", "", 299},
		{"token required and given", options{AuthToken: "s3cret"}, "", "Bearer s3cret", 299},
		{"token required, missing", options{AuthToken: "s3cret"}, "", "", http.StatusUnauthorized},
		{"token required, wrong", options{AuthToken: "s3cret"}, "", "Bearer s3cre", http.StatusUnauthorized},
		{"token required, wrong scheme", options{AuthToken: "s3cret"}, "", "Basic s3cret", http.StatusUnauthorized},
		{"foreign origin with a valid token still refused", options{AuthToken: "s3cret"}, "https://evil.example", "Bearer s3cret", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader("{}"))
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			guard(ok, &tt.opts).ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code)
			assert.NotContains(t, rec.Body.String(), "s3cret")
		})
	}
}

func TestHealthEndpoint(t *testing.T) {
	h, err := httpHandler(server.NewMCPServer("t", "1"), &options{Listen: "127.0.0.1:0", AuthToken: "x"})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}
