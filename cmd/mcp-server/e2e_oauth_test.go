package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth/oauthtest"
)

// The server binary with an oauth_browser account of the config file: a
// token Mixpanel refuses is refreshed once and the call succeeds; with the
// refresh token revoked too, the call answers with the sign-in to renew.
// Neither token reaches the log (at debug level) or a result.
func TestE2EBrowserAccount(t *testing.T) {
	for _, revoked := range []bool{false, true} {
		t.Run(map[bool]string{false: "refreshed", true: "revoked"}[revoked], func(t *testing.T) {
			mp := mixpaneltest.New(t)
			fake := oauthtest.New(t)
			fake.AccessToken = mixpaneltest.OAuthToken
			home := t.TempDir()
			store := oauth.Store{Root: filepath.Join(home, ".mp")}
			redirect := "http://localhost:19284/callback"
			clientID := fake.RegisterClient(redirect)
			require.NoError(t, store.SaveClient(&oauth.ClientInfo{ClientID: clientID, Region: "us", RedirectURI: redirect, Scope: oauth.Scope, CreatedAt: time.Now()}))
			_, refresh := fake.Issue(clientID)
			const stale = "stale-access-token-e2e-0004"
			_, err := store.SaveTokens("me", &oauth.Tokens{AccessToken: stale, RefreshToken: refresh, ExpiresAt: time.Now().Add(time.Hour), TokenType: "Bearer"})
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(home, ".mp", "config.toml"), []byte("[active]\naccount = \"me\"\n\n[accounts.me]\ntype = \"oauth_browser\"\nregion = \"us\"\ndefault_project = \"12345\"\n"), 0o600))
			if revoked {
				fake.Revoke("")
			}

			cfg := mp.Config()
			env := append(cleanEnv(t), "HOME="+home, "MP_OAUTH_URL="+fake.Base, "MP_APP_URL="+cfg.AppURL, "MP_QUERY_URL="+cfg.QueryURL, "MCP_LOG_LEVEL=debug")
			var logs syncBuffer
			c := startStdioCapture(t, env, &logs)
			res := callTool(t, c, "me", map[string]any{})
			text := textOf(t, res)
			if revoked {
				require.True(t, res.IsError, text)
				assert.Contains(t, text, `account "me": Mixpanel refused the refresh token (revoked, or unused for too long)`)
				assert.Contains(t, text, "run `mcp-server login --account me`")
			} else {
				require.False(t, res.IsError, text)
				assert.Contains(t, text, "Signed in as Ana Analyst")
				assert.Contains(t, logs.String(), "oauth access token refreshed")
			}
			c.Close()
			for _, secret := range []string{stale, refresh, mixpaneltest.OAuthToken} {
				assert.NotContains(t, text, secret)
				assert.NotContains(t, logs.String(), secret)
			}
			assert.False(t, strings.Contains(logs.String(), "Bearer "), "no Authorization header in the log")
		})
	}
}
