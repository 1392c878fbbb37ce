// Package oauth signs a person in to Mixpanel in the browser (OAuth 2.0
// authorization code with PKCE, against a client registered dynamically per
// region), keeps the tokens where the reference library mixpanel_headless
// keeps them, and hands out access tokens that it refreshes before they
// expire. It knows nothing of MCP; the server's `login` command and its
// Mixpanel client use it.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Scope is what the registration asks for: the scopes the reference
// registers with (Mixpanel's registration checks them; the authorize
// request sends none, and the app gets every scope the person allows).
const Scope = "projects analysis events insights segmentation retention data:read funnels flows data_definitions dashboard_reports bookmarks"

// RefreshMargin is how long before its expiry an access token is replaced.
const RefreshMargin = 30 * time.Second

// BaseURL is the OAuth base of a region ("us", "eu", "in"), ending in "/".
func BaseURL(region string) string {
	switch region {
	case "eu":
		return "https://eu.mixpanel.com/oauth/"
	case "in":
		return "https://in.mixpanel.com/oauth/"
	}
	return "https://mixpanel.com/oauth/"
}

// Tokens is the token set of one account, in the reference's tokens.json
// shape. Its String hides the secrets, so printing one by mistake leaks
// nothing.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	Scope        string
	TokenType    string
}

type tokensJSON struct {
	AccessToken  string `json:"access_token"`
	ExpiresAt    string `json:"expires_at"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// MarshalJSON writes the reference's fields; expires_at as Python's
// isoformat() of an aware UTC time.
func (t Tokens) MarshalJSON() ([]byte, error) {
	return json.Marshal(tokensJSON{AccessToken: t.AccessToken, ExpiresAt: pythonTime(t.ExpiresAt), TokenType: t.TokenType, Scope: t.Scope, RefreshToken: t.RefreshToken})
}

// UnmarshalJSON reads the reference's fields.
func (t *Tokens) UnmarshalJSON(raw []byte) error {
	var j tokensJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return err
	}
	exp, err := time.Parse(time.RFC3339Nano, j.ExpiresAt)
	if err != nil {
		return errors.New("expires_at is not an ISO 8601 time with a zone")
	}
	*t = Tokens{AccessToken: j.AccessToken, RefreshToken: j.RefreshToken, ExpiresAt: exp, Scope: j.Scope, TokenType: j.TokenType}
	return nil
}

// String describes the tokens without their values.
func (t Tokens) String() string {
	return fmt.Sprintf("oauth tokens (expires %s, refresh token: %t)", t.ExpiresAt.UTC().Format(time.RFC3339), t.RefreshToken != "")
}

// GoString is String, so %#v hides the values too.
func (t Tokens) GoString() string { return t.String() }

// Expiring reports whether the access token expires within RefreshMargin of now.
func (t *Tokens) Expiring(now time.Time) bool {
	return !now.Add(RefreshMargin).Before(t.ExpiresAt)
}

// ClientInfo is a dynamically registered client, in the reference's
// client_{region}.json shape. One client serves every account of a region.
// CreatedAt is kept to the microsecond, the precision Python reads.
type ClientInfo struct {
	ClientID    string    `json:"client_id"`
	Region      string    `json:"region"`
	RedirectURI string    `json:"redirect_uri"`
	Scope       string    `json:"scope"`
	CreatedAt   time.Time `json:"created_at"`
}

// Error is a failed OAuth step. Its text carries the server's error code
// and description, never a token, code or verifier.
type Error struct {
	Step string // "registration", "token exchange", "token refresh", "sign-in"
	// Code is the OAuth error code ("invalid_grant", ...) when the server
	// sent one.
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Step + " failed")
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// ErrRevoked is matched (errors.Is) by a refresh the server refused with
// invalid_grant: the refresh token was revoked or has expired, and only a
// new sign-in helps.
var ErrRevoked = errors.New("the refresh token was revoked or has expired")

// Is makes a refused refresh match ErrRevoked.
func (e *Error) Is(target error) bool {
	return target == ErrRevoked && e.Step == stepRefresh && e.Code == "invalid_grant"
}

const (
	stepRegister = "client registration"
	stepExchange = "token exchange"
	stepRefresh  = "token refresh"
)

// Endpoint talks to the OAuth server of one region.
type Endpoint struct {
	// Base is the OAuth base URL ending in "/", BaseURL(region) unless a
	// proxy or a test says otherwise.
	Base string
	HTTP *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (e *Endpoint) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Endpoint) client() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// Register registers a public client (no secret) for redirectURI.
func (e *Endpoint) Register(ctx context.Context, region, redirectURI string) (*ClientInfo, error) {
	body, _ := json.Marshal(map[string]any{
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
		"scope":                      Scope,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Base+"mcp/register/", strings.NewReader(string(body)))
	if err != nil {
		return nil, &Error{Step: stepRegister, Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	raw, status, err := e.do(req)
	if err != nil {
		return nil, &Error{Step: stepRegister, Message: err.Error()}
	}
	if status == http.StatusTooManyRequests {
		return nil, &Error{Step: stepRegister, Status: status, Message: "Mixpanel limits how often clients register; wait a minute and sign in again"}
	}
	if status < 200 || status > 299 {
		return nil, errorFrom(stepRegister, status, raw)
	}
	var out struct {
		ClientID any `json:"client_id"`
	}
	if json.Unmarshal(raw, &out) != nil || out.ClientID == nil || fmt.Sprint(out.ClientID) == "" {
		return nil, &Error{Step: stepRegister, Status: status, Message: "the answer has no client_id"}
	}
	return &ClientInfo{ClientID: fmt.Sprint(out.ClientID), Region: region, RedirectURI: redirectURI, Scope: Scope, CreatedAt: e.now().UTC().Truncate(time.Microsecond)}, nil
}

// AuthorizeURL is the page the person opens to allow access. It names no
// scope: the registered client may use every scope the person allows.
func (e *Endpoint) AuthorizeURL(clientID, redirectURI, state string, p PKCE) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"state":                 {state},
		"code_challenge":        {p.Challenge},
		"code_challenge_method": {"S256"},
	}
	return e.Base + "authorize/?" + q.Encode()
}

// Exchange trades an authorization code for tokens.
func (e *Endpoint) Exchange(ctx context.Context, clientID, code, redirectURI, verifier string) (*Tokens, error) {
	return e.token(ctx, stepExchange, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"client_id":     {clientID},
		"code_verifier": {verifier},
	})
}

// Refresh trades a refresh token for new tokens. A server that rotates
// refresh tokens sends a new one; one that does not leaves the old one
// valid, and it is kept.
func (e *Endpoint) Refresh(ctx context.Context, clientID, refreshToken string) (*Tokens, error) {
	t, err := e.token(ctx, stepRefresh, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {clientID},
	})
	if err != nil {
		return nil, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}

func (e *Endpoint) token(ctx context.Context, step string, form url.Values) (*Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Base+"token/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{Step: step, Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := e.now()
	raw, status, err := e.do(req)
	if err != nil {
		return nil, &Error{Step: step, Message: err.Error()}
	}
	if status != http.StatusOK {
		return nil, errorFrom(step, status, raw)
	}
	var out struct {
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
		ExpiresIn    json.RawMessage `json:"expires_in"`
		Scope        string          `json:"scope"`
		TokenType    string          `json:"token_type"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, &Error{Step: step, Status: status, Message: "the answer is not a JSON token response"}
	}
	secs, err := strconv.ParseFloat(strings.Trim(string(out.ExpiresIn), `"`), 64)
	if out.AccessToken == "" || err != nil || secs <= 0 {
		return nil, &Error{Step: step, Status: status, Message: "the answer lacks access_token or a positive expires_in"}
	}
	if out.TokenType == "" {
		out.TokenType = "Bearer"
	}
	return &Tokens{
		AccessToken:  out.AccessToken,
		RefreshToken: out.RefreshToken,
		ExpiresAt:    start.Add(time.Duration(secs * float64(time.Second))).UTC(),
		Scope:        out.Scope,
		TokenType:    out.TokenType,
	}, nil
}

// do sends req and reads at most 64 KiB of the answer. A transport error
// is reduced to its cause: url.Error would repeat the URL.
func (e *Endpoint) do(req *http.Request) ([]byte, int, error) {
	resp, err := e.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("cannot reach %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the answer of %s: %w", req.URL.Host, err)
	}
	return raw, resp.StatusCode, nil
}

// errorFrom reads an OAuth error answer: only its error code and
// description, never the rest of the body (it may echo what was sent).
func errorFrom(step string, status int, raw []byte) *Error {
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	e := &Error{Step: step, Status: status}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Message = clip(body.Error), clip(body.Description)
	}
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// PKCE is a proof key: the verifier stays here, the challenge goes to the
// authorize page, and the token exchange proves possession.
type PKCE struct {
	Verifier  string
	Challenge string
}

// NewPKCE makes a verifier of 64 random bytes (86 base64url characters,
// within RFC 7636's 43..128) and its S256 challenge.
func NewPKCE() (PKCE, error) {
	v, err := randomString(64)
	if err != nil {
		return PKCE{}, err
	}
	return PKCE{Verifier: v, Challenge: Challenge(v)}, nil
}

// Challenge is base64url(SHA-256(verifier)) without padding (S256).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
