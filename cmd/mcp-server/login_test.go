package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth/oauthtest"
)

// signInWorld is a machine with a home directory, Mixpanel's OAuth server
// and Mixpanel itself, all fakes on loopback; the "browser" follows the
// authorize page's redirect as a browser on this machine would.
type signInWorld struct {
	home  string
	env   map[string]string
	oauth *oauthtest.Server
	mp    *mixpaneltest.Server
}

func newSignInWorld(t *testing.T) *signInWorld {
	w := &signInWorld{home: t.TempDir(), oauth: oauthtest.New(t), mp: mixpaneltest.New(t)}
	// The fake Mixpanel accepts one bearer token: the OAuth fake issues it.
	w.oauth.AccessToken = mixpaneltest.OAuthToken
	w.env = map[string]string{
		"HOME":         w.home,
		"MP_OAUTH_URL": w.oauth.Base,
		"MP_APP_URL":   w.mp.URL + mixpaneltest.AppPrefix,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	callbackPorts = []int{port}
	openInBrowser = func(u string) error {
		go func() {
			if resp, err := http.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	t.Cleanup(func() { callbackPorts, openInBrowser = nil, openBrowser })
	return w
}

func (w *signInWorld) run(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := run(args, envOf(w.env), stdin, &out, &errb)
	return code, out.String(), errb.String()
}

func (w *signInWorld) home_(rel string) string { return filepath.Join(w.home, ".mp", rel) }

func (w *signInWorld) config(t *testing.T) map[string]any {
	t.Helper()
	var c map[string]any
	_, err := toml.DecodeFile(w.home_("config.toml"), &c)
	require.NoError(t, err)
	return c
}

// secrets are every token the OAuth fake issued or received.
func (w *signInWorld) secrets() []string {
	s := []string{mixpaneltest.OAuthToken}
	for _, r := range w.oauth.Requests() {
		for _, k := range []string{"code", "code_verifier", "refresh_token"} {
			if v := r.Form.Get(k); v != "" {
				s = append(s, v)
			}
		}
	}
	return s
}

func assertNoSecret(t *testing.T, w *signInWorld, texts ...string) {
	t.Helper()
	for _, s := range w.secrets() {
		for _, text := range texts {
			assert.NotContains(t, text, s)
		}
	}
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, want, st.Mode().Perm(), path)
}

func TestBrowserAccountLifecycle(t *testing.T) {
	w := newSignInWorld(t)

	code, out, errOut := w.run(t, nil, "login")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, `Signing in to Mixpanel (region us) as account "default".`)
	assert.Contains(t, errOut, "Opening your browser")
	assert.Contains(t, out, "Signed in to Mixpanel as ")
	assert.Contains(t, out, `Account "default" is the active account of `+w.home_("config.toml"))
	assert.Contains(t, out, `Default project: 12345 "ShopFast Production" (first of 2 projects;`)

	// The reference's layout: config block, per-account tokens, per-region client.
	cfg := w.config(t)
	assert.Equal(t, map[string]any{"account": "default"}, cfg["active"])
	assert.Equal(t, map[string]any{"type": "oauth_browser", "region": "us", "default_project": "12345"}, cfg["accounts"].(map[string]any)["default"])
	assertMode(t, w.home_("config.toml"), 0o600)
	assertMode(t, w.home_("accounts/default/tokens.json"), 0o600)
	assertMode(t, w.home_("accounts/default"), 0o700)
	assertMode(t, w.home_("oauth/client_us.json"), 0o600)

	code, who, errOut := w.run(t, nil, "whoami")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"account:  default (in ~/.mp/config.toml)", "region:   us", "auth:     browser sign-in (OAuth)", "token:    expires ", "; refreshed by itself", "projects: 2 accessible", "(default)"} {
		assert.Contains(t, who, want)
	}
	assert.Regexp(t, `12345 +ShopFast Production .*\(default\)`, who)

	// The server uses the account: a token Mixpanel refuses is refreshed once.
	tokens := oauth.Store{Root: w.home_("")}
	tok, _, err := tokens.LoadTokens("default")
	require.NoError(t, err)
	tok.AccessToken = "revoked-by-mixpanel-0003"
	_, err = tokens.SaveTokens("default", tok)
	require.NoError(t, err)
	o, err := parseOptions(nil, envOf(w.env), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "12345", o.Mixpanel.ProjectID)
	client, err := mixpanel.New(o.Mixpanel)
	require.NoError(t, err)
	me, err := client.Me(context.Background())
	require.NoError(t, err)
	assert.Contains(t, me.Projects, "12345")
	tok, _, err = tokens.LoadTokens("default")
	require.NoError(t, err)
	assert.Equal(t, mixpaneltest.OAuthToken, tok.AccessToken, "the refreshed token is stored")

	code, bye, errOut := w.run(t, nil, "logout")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `Signed out of account "default": removed `+w.home_("accounts/default/tokens.json")+".\n", bye)
	assert.NoFileExists(t, w.home_("accounts/default/tokens.json"))
	_, again, _ := w.run(t, nil, "logout", "--account", "default")
	assert.Contains(t, again, `Account "default" has no stored sign-in`)

	code, _, errOut = w.run(t, nil, "whoami")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `account "default" is not signed in (no `+w.home_("accounts/default/tokens.json")+"); run `mcp-server login --account default`")

	assertNoSecret(t, w, out, errOut, who, bye)
}

func TestLoginHeadless(t *testing.T) {
	w := newSignInWorld(t)
	openInBrowser = func(string) error { t.Error("--no-browser opened a browser"); return nil }
	stdin, paste := io.Pipe()
	defer paste.Close()
	errR, errW := io.Pipe()
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			// The person pastes while the login goes on printing.
			if u := strings.TrimSpace(sc.Text()); strings.HasPrefix(u, "http") {
				go func() {
					resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(u)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					_, _ = io.WriteString(paste, resp.Header.Get("Location")+"\n")
				}()
			}
		}
	}()
	var out bytes.Buffer
	code := run([]string{"login", "--no-browser", "--account", "ci", "--project-id", "12346"}, envOf(w.env), stdin, &out, errW)
	errW.Close()
	require.Equal(t, 0, code)
	assert.Contains(t, out.String(), `Default project: 12346 "ShopFast Staging".`)
	assert.FileExists(t, w.home_("accounts/ci/tokens.json"))
}

func TestLoginKeepsOtherAccounts(t *testing.T) {
	w := newSignInWorld(t)
	require.NoError(t, os.MkdirAll(w.home_(""), 0o700))
	require.NoError(t, os.WriteFile(w.home_("config.toml"), []byte(configTOML+"\n[settings]\ncustom_header = \"X-Team: data\"\n"), 0o600))

	code, _, errOut := w.run(t, nil, "login", "--account", "web")
	require.Equal(t, 0, code, errOut)
	cfg := w.config(t)
	assert.Equal(t, map[string]any{"account": "web"}, cfg["active"], "the workspace of the old account is dropped")
	accounts := cfg["accounts"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "service_account", "region": "eu", "default_project": "111", "username": "file-user", "secret": "file-secret"}, accounts["prod"])
	assert.Equal(t, map[string]any{"type": "oauth_token", "region": "in", "default_project": "222", "token_env": "MY_TOKEN"}, accounts["tok"])
	assert.Equal(t, "oauth_browser", accounts["web"].(map[string]any)["type"])
	assert.Equal(t, map[string]any{"custom_header": "X-Team: data"}, cfg["settings"])
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		setup func(*signInWorld)
		want  string
	}{
		{"another kind of account", []string{"--account", "prod"}, func(w *signInWorld) {
			require.NoError(t, os.MkdirAll(w.home_(""), 0o700))
			require.NoError(t, os.WriteFile(w.home_("config.toml"), []byte(configTOML), 0o600))
		}, `--account: account "prod" of ` + "%s" + ` is a service_account account; sign in to another account name, e.g. --account prod-browser`},
		{"project of another region", []string{"--region", "eu"}, nil, "project 12345 lives in region us, and this sign-in is for eu; sign in again with --region us; nothing was saved"},
		{"project not visible", []string{"--project-id", "999"}, nil, "--project-id: project 999 is not among the 2 projects this sign-in can see (12345, 12346); pick one of them with --project-id; nothing was saved"},
		{"registration refused", nil, func(w *signInWorld) { w.oauth.RegisterStatus = http.StatusInternalServerError },
			"client registration failed (HTTP 500): registration_refused: the fake was told to refuse; nothing was saved"},
		{"bad account name", []string{"--account", "../x"}, nil, `--account: account name "../x" is not valid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSignInWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			code, out, errOut := w.run(t, nil, append([]string{"login"}, tt.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			want := tt.want
			if strings.Contains(want, "%s") {
				want = strings.Replace(want, "%s", w.home_("config.toml"), 1)
			}
			assert.Contains(t, errOut, want)
			assert.NoDirExists(t, w.home_("accounts"))
		})
	}
}

func TestLoginPortInUse(t *testing.T) {
	w := newSignInWorld(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	callbackPorts = []int{port}
	code, _, errOut := w.run(t, nil, "login")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "mcp-server login: sign-in failed: Mixpanel redirects the browser to a loopback port ("+strconv.Itoa(port)+"), and none is free")
}
