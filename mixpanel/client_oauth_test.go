package mixpanel_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth/oauthtest"
)

// browserSignIn is a signed-in account whose stored access token Mixpanel
// no longer accepts (revoked on Mixpanel's side before its expiry), with
// a client reading tokens through an oauth.Source.
func browserSignIn(t *testing.T, issue string) (*recordingTransport, *oauthtest.Server, *mixpanel.Client, *bytes.Buffer, oauth.Store) {
	t.Helper()
	mp := mixpaneltest.New(t)
	fake := oauthtest.New(t)
	fake.AccessToken = issue
	store := oauth.Store{Root: t.TempDir()}
	redirect := "http://localhost:19284/callback"
	clientID := fake.RegisterClient(redirect)
	require.NoError(t, store.SaveClient(&oauth.ClientInfo{ClientID: clientID, Region: "us", RedirectURI: redirect, Scope: oauth.Scope, CreatedAt: time.Now()}))
	_, refresh := fake.Issue(clientID)
	_, err := store.SaveTokens("acct", &oauth.Tokens{AccessToken: "stale-access-token-0001", RefreshToken: refresh, ExpiresAt: time.Now().Add(time.Hour), TokenType: "Bearer"})
	require.NoError(t, err)

	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.DebugLevel)
	cfg := mp.Config()
	cfg.Username, cfg.Secret = "", ""
	cfg.Logger = log
	rt := &recordingTransport{}
	cfg.HTTPClient = &http.Client{Transport: rt}
	cfg.Tokens = &oauth.Source{Account: "acct", Region: "us", Store: store, Endpoint: &oauth.Endpoint{Base: fake.Base}, SignIn: "run `mcp-server login --account acct`", Log: log}
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	return rt, fake, c, &logs, store
}

func bearers(rt *recordingTransport) []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out []string
	for _, h := range rt.headers {
		out = append(out, strings.TrimPrefix(h.Get("Authorization"), "Bearer "))
	}
	return out
}

func TestOAuthRefreshAfter401(t *testing.T) {
	rt, fake, c, logs, store := browserSignIn(t, mixpaneltest.OAuthToken)
	me, err := c.Me(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, me.Projects)
	assert.Equal(t, []string{"stale-access-token-0001", mixpaneltest.OAuthToken}, bearers(rt), "one refused request, one with the refreshed token")

	saved, _, err := store.LoadTokens("acct")
	require.NoError(t, err)
	assert.Equal(t, mixpaneltest.OAuthToken, saved.AccessToken)
	assert.Len(t, fake.Requests(), 1, "one refresh")
	assert.Contains(t, logs.String(), "refreshing it once")
	assert.NotContains(t, logs.String(), mixpaneltest.OAuthToken)
	assert.NotContains(t, logs.String(), "stale-access-token-0001")
}

func TestOAuthRefusedAfterRefresh(t *testing.T) {
	rt, fake, c, logs, _ := browserSignIn(t, "also-refused-token-0002")
	_, err := c.Me(context.Background())
	require.Error(t, err)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindAuth))
	var apiErr *mixpanel.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Mixpanel refused the OAuth access token even after a refresh: run `mcp-server login --account acct`.", apiErr.Hint())
	assert.Equal(t, []string{"stale-access-token-0001", "also-refused-token-0002"}, bearers(rt), "refreshed once, not again")
	assert.Len(t, fake.Requests(), 1)
	for _, text := range []string{err.Error(), logs.String()} {
		assert.NotContains(t, text, "also-refused-token-0002")
		assert.NotContains(t, text, "stale-access-token-0001")
	}
}

func TestOAuthRevokedRefreshTokenOn401(t *testing.T) {
	rt, fake, c, _, _ := browserSignIn(t, mixpaneltest.OAuthToken)
	fake.Revoke("")
	_, err := c.Me(context.Background())
	require.ErrorIs(t, err, oauth.ErrRevoked)
	assert.Contains(t, err.Error(), "Mixpanel refused the refresh token (revoked, or unused for too long)")
	assert.True(t, strings.HasSuffix(err.Error(), "run `mcp-server login --account acct`"), err.Error())
	assert.Len(t, bearers(rt), 1)
}

func TestOAuthTokensCountAsCredentials(t *testing.T) {
	cfg := mixpanel.Config{Tokens: &oauth.Source{}}
	assert.True(t, cfg.HasCredentials())
	assert.NoError(t, cfg.CheckCredentials())
}
