package oauth_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth/oauthtest"
)

// freePort returns a loopback port nothing listens on (now).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// noRedirect is a browser that stops at the first redirect.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// location asks the fake's authorize page where it sends the browser.
func location(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := noRedirect.Get(authURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	return resp.Header.Get("Location")
}

// browser follows the authorize page to the redirect, as a browser on
// this machine would; the callback's status lands in status.
func browser(status chan<- int) func(string) error {
	return func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err != nil {
				status <- 0
				return
			}
			resp.Body.Close()
			status <- resp.StatusCode
		}()
		return nil
	}
}

func newLogin(t *testing.T, fake *oauthtest.Server, store oauth.Store) *oauth.Login {
	return &oauth.Login{
		Endpoint: &oauth.Endpoint{Base: fake.Base},
		Store:    store,
		Region:   "eu",
		Ports:    []int{freePort(t)},
		Out:      io.Discard,
		Timeout:  time.Minute,
	}
}

func TestLoginInBrowser(t *testing.T) {
	fake := oauthtest.New(t)
	store := oauth.Store{Root: t.TempDir()}
	l := newLogin(t, fake, store)
	status := make(chan int, 1)
	l.Open = browser(status)

	tok, err := l.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, <-status, "the callback page says the sign-in worked")
	assert.True(t, fake.ValidAccess(tok.AccessToken))
	assert.NotEmpty(t, tok.RefreshToken)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.WithinDuration(t, time.Now().Add(10*time.Hour), tok.ExpiresAt, time.Minute)

	reqs := fake.Requests()
	require.Len(t, reqs, 3)
	redirect := "http://localhost:" + strconv.Itoa(l.Ports[0]) + "/callback"
	// Registration: the wire reference's body, exactly.
	assert.Equal(t, "/oauth/mcp/register/", reqs[0].Path)
	assert.Equal(t, map[string]any{
		"redirect_uris":              []any{redirect},
		"grant_types":                []any{"authorization_code", "refresh_token"},
		"response_types":             []any{"code"},
		"token_endpoint_auth_method": "none",
		"scope":                      "projects analysis events insights segmentation retention data:read funnels flows data_definitions dashboard_reports bookmarks",
	}, reqs[0].Body)
	// Authorize: S256, a state, and no scope.
	az := reqs[1].Form
	assert.Equal(t, "/oauth/authorize/", reqs[1].Path)
	assert.Equal(t, "S256", az.Get("code_challenge_method"))
	assert.Equal(t, redirect, az.Get("redirect_uri"))
	assert.GreaterOrEqual(t, len(az.Get("state")), 32)
	assert.False(t, az.Has("scope"))
	// Exchange: the verifier whose S256 is the challenge sent before.
	ex := reqs[2].Form
	assert.Equal(t, "authorization_code", ex.Get("grant_type"))
	assert.Equal(t, redirect, ex.Get("redirect_uri"))
	assert.Len(t, ex.Get("code_verifier"), 86)
	assert.Equal(t, az.Get("code_challenge"), oauth.Challenge(ex.Get("code_verifier")))

	// The registered client is stored in the reference's layout, 0600.
	path := filepath.Join(store.Root, "oauth", "client_eu.json")
	assertPrivate(t, path)
	var client map[string]any
	readJSON(t, path, &client)
	assert.Equal(t, redirect, client["redirect_uri"])
	assert.Equal(t, "eu", client["region"])
	assert.Equal(t, az.Get("client_id"), client["client_id"])
	assert.Contains(t, client, "scope")
	assert.Contains(t, client, "created_at")

	// A second sign-in on the same port reuses the client.
	l.Open = browser(status)
	_, err = l.Run(context.Background())
	require.NoError(t, err)
	<-status
	reqs = fake.Requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, "/oauth/authorize/", reqs[3].Path, "no second registration")
}

func TestExchangeChecksVerifier(t *testing.T) {
	fake := oauthtest.New(t)
	ep := &oauth.Endpoint{Base: fake.Base}
	redirect := "http://localhost:19284/callback"
	client := fake.RegisterClient(redirect)
	pkce, err := oauth.NewPKCE()
	require.NoError(t, err)
	code, err := url.Parse(location(t, ep.AuthorizeURL(client, redirect, "st", pkce)))
	require.NoError(t, err)

	other, err := oauth.NewPKCE()
	require.NoError(t, err)
	_, err = ep.Exchange(context.Background(), client, code.Query().Get("code"), redirect, other.Verifier)
	var oe *oauth.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "invalid_grant", oe.Code)
	assert.Contains(t, err.Error(), "token exchange failed (HTTP 400): invalid_grant: code_verifier does not match")
	assert.NotContains(t, err.Error(), other.Verifier)
}

func TestLoginRefusesStateMismatch(t *testing.T) {
	fake := oauthtest.New(t)
	l := newLogin(t, fake, oauth.Store{Root: t.TempDir()})
	status := make(chan int, 1)
	l.Open = func(authURL string) error {
		go func() {
			to, _ := url.Parse(location(t, authURL))
			q := to.Query()
			q.Set("state", "forged")
			to.RawQuery = q.Encode()
			resp, err := http.Get(to.String())
			if err == nil {
				resp.Body.Close()
				status <- resp.StatusCode
			}
		}()
		return nil
	}
	_, err := l.Run(context.Background())
	var oe *oauth.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "state_mismatch", oe.Code)
	assert.Contains(t, err.Error(), "does not belong to this sign-in")
	assert.Equal(t, http.StatusBadRequest, <-status)
	for _, r := range fake.Requests() {
		assert.NotEqual(t, "/oauth/token/", r.Path, "no code is exchanged")
	}
}

func TestLoginProviderError(t *testing.T) {
	fake := oauthtest.New(t)
	l := newLogin(t, fake, oauth.Store{Root: t.TempDir()})
	l.Open = func(authURL string) error {
		u, _ := url.Parse(authURL)
		go func() {
			resp, err := http.Get(u.Query().Get("redirect_uri") + "?error=access_denied&error_description=The+user+said+no&state=" + u.Query().Get("state"))
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	_, err := l.Run(context.Background())
	require.Error(t, err)
	assert.Equal(t, "sign-in failed: access_denied: The user said no", err.Error())
}

// pipeOut gives the login's instructions line by line.
func pipeOut(t *testing.T, l *oauth.Login) <-chan string {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	l.Out = w
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}

func authURLFrom(t *testing.T, lines <-chan string) string {
	t.Helper()
	for line := range lines {
		if u := strings.TrimSpace(line); strings.HasPrefix(u, "http") {
			return u
		}
	}
	t.Fatal("no address printed")
	return ""
}

func TestLoginHeadlessPaste(t *testing.T) {
	tests := []struct {
		name    string
		paste   func(redirect string) string
		wantErr string
	}{
		{"whole address", func(r string) string { return r }, ""},
		{"query only", func(r string) string { _, q, _ := strings.Cut(r, "?"); return "  " + q + "  " }, ""},
		{"other state", func(r string) string {
			u, _ := url.Parse(r)
			q := u.Query()
			q.Set("state", "another")
			return "?" + q.Encode()
		}, "does not belong to this sign-in"},
		{"no code", func(string) string { return "http://localhost:1/callback" }, "lacks code and state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := oauthtest.New(t)
			l := newLogin(t, fake, oauth.Store{Root: t.TempDir()})
			l.NoBrowser = true
			l.Open = func(string) error { t.Error("no browser may open"); return nil }
			in, stdin := io.Pipe()
			defer stdin.Close()
			l.Stdin = in
			lines := pipeOut(t, l)
			go func() {
				redirect := location(t, authURLFrom(t, lines))
				_, _ = io.WriteString(stdin, tt.paste(redirect)+"\n")
			}()
			tok, err := l.Run(context.Background())
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, fake.ValidAccess(tok.AccessToken))
		})
	}
}

func TestLoginPortInUse(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	fake := oauthtest.New(t)
	l := newLogin(t, fake, oauth.Store{Root: t.TempDir()})
	l.Ports = []int{port}
	_, err = l.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "loopback port ("+strconv.Itoa(port)+"), and none is free")
	assert.Contains(t, err.Error(), "another sign-in still waiting")
	assert.Empty(t, fake.Requests(), "nothing is registered without a port")
}

func TestLoginRegistrationFailure(t *testing.T) {
	for status, want := range map[int]string{
		http.StatusInternalServerError: "client registration failed (HTTP 500): registration_refused: the fake was told to refuse",
		http.StatusTooManyRequests:     "client registration failed (HTTP 429): Mixpanel limits how often clients register; wait a minute and sign in again",
	} {
		fake := oauthtest.New(t)
		fake.RegisterStatus = status
		store := oauth.Store{Root: t.TempDir()}
		l := newLogin(t, fake, store)
		l.Open = func(string) error { t.Error("no browser opens when registration fails"); return nil }
		_, err := l.Run(context.Background())
		require.Error(t, err)
		assert.Equal(t, want, err.Error())
		_, err = store.LoadClient("eu")
		assert.ErrorIs(t, err, fs.ErrNotExist)
	}
}

func TestLoginTimesOut(t *testing.T) {
	fake := oauthtest.New(t)
	l := newLogin(t, fake, oauth.Store{Root: t.TempDir()})
	l.Open = func(string) error { return errors.New("no display") }
	var out bytes.Buffer
	l.Out = &out
	l.Timeout = 10 * time.Millisecond
	_, err := l.Run(context.Background())
	require.EqualError(t, err, "sign-in failed: no answer from the browser within 10ms")
	assert.Contains(t, out.String(), "Could not open a browser (no display); open the address above yourself.")
}

// signedIn stores tokens for account "acct" and the region's client, as a
// finished sign-in would.
func signedIn(t *testing.T, fake *oauthtest.Server, expiresIn time.Duration) (oauth.Store, *oauth.Tokens) {
	store := oauth.Store{Root: t.TempDir()}
	redirect := "http://localhost:19284/callback"
	client := fake.RegisterClient(redirect)
	require.NoError(t, store.SaveClient(&oauth.ClientInfo{ClientID: client, Region: "us", RedirectURI: redirect, Scope: oauth.Scope, CreatedAt: time.Now()}))
	access, refresh := fake.Issue(client)
	tok := &oauth.Tokens{AccessToken: access, RefreshToken: refresh, ExpiresAt: time.Now().Add(expiresIn), Scope: "projects", TokenType: "Bearer"}
	_, err := store.SaveTokens("acct", tok)
	require.NoError(t, err)
	return store, tok
}

func newSource(fake *oauthtest.Server, store oauth.Store, log zerolog.Logger) *oauth.Source {
	return &oauth.Source{Account: "acct", Region: "us", Store: store, Endpoint: &oauth.Endpoint{Base: fake.Base}, SignIn: "run `mcp-server login --account acct`", Log: log}
}

func TestSourceRefreshesBeforeExpiry(t *testing.T) {
	fake := oauthtest.New(t)
	store, old := signedIn(t, fake, 20*time.Second) // inside the 30 s margin
	src := newSource(fake, store, zerolog.Nop())

	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, old.AccessToken, tok)
	assert.True(t, fake.ValidAccess(tok))

	saved, path, err := store.LoadTokens("acct")
	require.NoError(t, err)
	assertPrivate(t, path)
	assert.Equal(t, tok, saved.AccessToken)
	assert.NotEqual(t, old.RefreshToken, saved.RefreshToken, "the rotated refresh token is stored")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	// Fresh now: no more requests.
	n := len(fake.Requests())
	again, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tok, again)
	assert.Len(t, fake.Requests(), n)
}

func TestSourceKeepsRefreshTokenWhenNotRotated(t *testing.T) {
	fake := oauthtest.New(t)
	fake.NoRotate = true
	store, old := signedIn(t, fake, 0)
	_, err := newSource(fake, store, zerolog.Nop()).Token(context.Background())
	require.NoError(t, err)
	saved, _, err := store.LoadTokens("acct")
	require.NoError(t, err)
	assert.Equal(t, old.RefreshToken, saved.RefreshToken)
}

func TestSourceRevokedRefreshToken(t *testing.T) {
	fake := oauthtest.New(t)
	store, old := signedIn(t, fake, -time.Hour)
	fake.Revoke("")
	_, err := newSource(fake, store, zerolog.Nop()).Token(context.Background())
	require.ErrorIs(t, err, oauth.ErrRevoked)
	assert.Equal(t, `account "acct": Mixpanel refused the refresh token (revoked, or unused for too long): token refresh failed (HTTP 400): invalid_grant: refresh token is invalid, revoked or expired; run `+"`mcp-server login --account acct`", err.Error())
	assert.NotContains(t, err.Error(), old.RefreshToken)
}

func TestSourceRefreshAfterRejection(t *testing.T) {
	fake := oauthtest.New(t)
	store, old := signedIn(t, fake, time.Hour)
	src := newSource(fake, store, zerolog.Nop())
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, old.AccessToken, tok, "a fresh stored token is used as is")

	fresh, err := src.Refresh(context.Background(), tok)
	require.NoError(t, err)
	assert.NotEqual(t, tok, fresh)

	// Another process refreshed meanwhile: its token is taken, no request.
	n := len(fake.Requests())
	again, err := src.Refresh(context.Background(), "a token refused long ago")
	require.NoError(t, err)
	assert.Equal(t, fresh, again)
	assert.Len(t, fake.Requests(), n)
}

func TestSourceErrors(t *testing.T) {
	fake := oauthtest.New(t)
	store := oauth.Store{Root: t.TempDir()}
	_, err := newSource(fake, store, zerolog.Nop()).Token(context.Background())
	assert.ErrorContains(t, err, `account "acct" is not signed in (no `+filepath.Join(store.Root, "accounts", "acct", "tokens.json")+"); run `mcp-server login --account acct`")

	store, _ = signedIn(t, fake, -time.Hour)
	require.NoError(t, os.Remove(filepath.Join(store.Root, "oauth", "client_us.json")))
	_, err = newSource(fake, store, zerolog.Nop()).Token(context.Background())
	assert.ErrorContains(t, err, "the OAuth client registered for region us cannot be read")

	if runtime.GOOS != "windows" {
		store, _ = signedIn(t, fake, time.Hour)
		path := filepath.Join(store.Root, "accounts", "acct", "tokens.json")
		require.NoError(t, os.Chmod(path, 0o644))
		_, err = newSource(fake, store, zerolog.Nop()).Token(context.Background())
		assert.ErrorContains(t, err, "can be read by other users (mode 0644); run chmod 600 "+path)
	}
}

// The reference writes tokens.json with Python's isoformat(); each tool
// reads what the other writes.
func TestTokensFileFormat(t *testing.T) {
	store := oauth.Store{Root: t.TempDir()}
	dir := filepath.Join(store.Root, "accounts", "prod")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	python := `{"access_token": "at-from-python", "expires_at": "2026-12-06T08:50:00.123456+00:00", "token_type": "Bearer", "scope": "projects analysis", "refresh_token": "rt-from-python"}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tokens.json"), []byte(python), 0o600))
	tok, _, err := store.LoadTokens("prod")
	require.NoError(t, err)
	assert.Equal(t, "at-from-python", tok.AccessToken)
	assert.Equal(t, "rt-from-python", tok.RefreshToken)
	assert.Equal(t, time.Date(2026, 12, 6, 8, 50, 0, 123456000, time.UTC), tok.ExpiresAt.UTC())

	tok.ExpiresAt = time.Date(2026, 12, 6, 8, 50, 0, 0, time.UTC)
	path, err := store.SaveTokens("prod", tok)
	require.NoError(t, err)
	var got map[string]any
	readJSON(t, path, &got)
	assert.Equal(t, map[string]any{"access_token": "at-from-python", "expires_at": "2026-12-06T08:50:00.000000+00:00", "token_type": "Bearer", "scope": "projects analysis", "refresh_token": "rt-from-python"}, got)

	assert.Equal(t, "oauth tokens (expires 2026-12-06T08:50:00Z, refresh token: true)", tok.String())
	_, err = store.SaveTokens("../escape", tok)
	assert.ErrorContains(t, err, "not valid; use 1 to 64 letters")
}

// No token, refresh token, code or verifier reaches a log, an error or
// the person's instructions, through a sign-in, refreshes and a revoked
// refresh.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	fake := oauthtest.New(t)
	var logs, out bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.DebugLevel)
	store := oauth.Store{Root: t.TempDir()}
	l := newLogin(t, fake, store)
	l.Region = "us"
	l.Out = &out
	status := make(chan int, 1)
	l.Open = browser(status)
	tok, err := l.Run(context.Background())
	require.NoError(t, err)
	<-status
	_, err = store.SaveTokens("acct", tok)
	require.NoError(t, err)

	var texts []string
	src := newSource(fake, store, log)
	second, err := src.Refresh(context.Background(), tok.AccessToken)
	require.NoError(t, err)
	fake.Revoke("")
	_, err = src.Refresh(context.Background(), second)
	require.Error(t, err)
	texts = append(texts, err.Error())
	_, err = (&oauth.Endpoint{Base: fake.Base}).Exchange(context.Background(), "nope", "code-xyz-123", "http://localhost:1/callback", "verifier-abc-456")
	require.Error(t, err)
	texts = append(texts, err.Error(), logs.String(), out.String())

	secrets := []string{"code-xyz-123", "verifier-abc-456", tok.AccessToken, tok.RefreshToken, second}
	for _, r := range fake.Requests() {
		for _, k := range []string{"code", "code_verifier", "refresh_token"} {
			if v := r.Form.Get(k); v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	require.Greater(t, len(secrets), 6)
	assert.Contains(t, logs.String(), "oauth access token refreshed")
	for _, text := range texts {
		for _, s := range secrets {
			assert.NotContains(t, text, s)
		}
	}
}

func assertPrivate(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm(), path)
	dir, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), dir.Mode().Perm(), filepath.Dir(path))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

// firstRefreshRace is a transport that, on the first token request, lets
// "another process" spend the same refresh token and store its tokens
// before passing the request on.
type firstRefreshRace struct {
	other func()
	done  bool
}

func (r *firstRefreshRace) RoundTrip(req *http.Request) (*http.Response, error) {
	if !r.done && strings.HasSuffix(req.URL.Path, "/token/") {
		r.done = true
		r.other()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestSourceLosesRefreshRaceToAnotherProcess(t *testing.T) {
	fake := oauthtest.New(t)
	store, old := signedIn(t, fake, 0)
	client, err := store.LoadClient("us")
	require.NoError(t, err)
	var theirs *oauth.Tokens
	race := &firstRefreshRace{other: func() {
		var err error
		theirs, err = (&oauth.Endpoint{Base: fake.Base}).Refresh(context.Background(), client.ClientID, old.RefreshToken)
		require.NoError(t, err)
		_, err = store.SaveTokens("acct", theirs)
		require.NoError(t, err)
	}}
	src := newSource(fake, store, zerolog.Nop())
	src.Endpoint.HTTP = &http.Client{Transport: race}

	tok, err := src.Token(context.Background())
	require.NoError(t, err, "the other process's tokens are taken, not a sign-in demanded")
	assert.Equal(t, theirs.AccessToken, tok)
}
