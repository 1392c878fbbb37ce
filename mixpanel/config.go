// Package mixpanel is a Go client for Mixpanel's HTTP APIs (Query, raw export,
// Engage and the App API). It knows nothing of MCP, so it is usable as a plain
// library: the MCP server in this repository is one of its callers.
package mixpanel

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Region is a Mixpanel data-residency region. A credential only works in its
// own region, so the region picks every base URL.
type Region string

// The regions Mixpanel serves.
const (
	RegionUS Region = "us"
	RegionEU Region = "eu"
	RegionIN Region = "in"
)

// ParseRegion accepts "us", "eu" or "in" in any case; "" means us.
func ParseRegion(s string) (Region, error) {
	switch r := Region(strings.ToLower(strings.TrimSpace(s))); r {
	case "":
		return RegionUS, nil
	case RegionUS, RegionEU, RegionIN:
		return r, nil
	default:
		return "", fmt.Errorf("unknown region %q: use us, eu or in", s)
	}
}

// Family is one of Mixpanel's API host families; each has its own base URL.
type Family int

// The API families of the wire reference (§1.1).
const (
	Query  Family = iota // https://mixpanel.com/api/query
	Export               // https://data.mixpanel.com/api/2.0
	Engage               // https://mixpanel.com/api/query/engage
	App                  // https://mixpanel.com/api/app
)

func (f Family) String() string {
	switch f {
	case Query:
		return "query"
	case Export:
		return "export"
	case Engage:
		return "engage"
	case App:
		return "app"
	}
	return "unknown"
}

// baseURLs returns the default base URL of each family for a region.
func baseURLs(r Region) map[Family]string {
	web := "https://mixpanel.com"
	data := "https://data.mixpanel.com"
	switch r {
	case RegionEU:
		web, data = "https://eu.mixpanel.com", "https://data-eu.mixpanel.com"
	case RegionIN:
		web, data = "https://in.mixpanel.com", "https://data-in.mixpanel.com"
	}
	return map[Family]string{
		Query:  web + "/api/query",
		Export: data + "/api/2.0",
		Engage: web + "/api/query/engage",
		App:    web + "/api/app",
	}
}

// Default limits. The Query API allows about 60 queries an hour and 5 at once
// per project (wire reference §3.2); staying under them client-side turns a
// burst from a model into a short wait or a clear error instead of 429s.
const (
	DefaultTimeout          = 120 * time.Second
	DefaultExportTimeout    = 600 * time.Second
	DefaultMaxRetries       = 3
	DefaultQueryConcurrency = 5
	DefaultQueryPerHour     = 60
	DefaultMaxLimiterWait   = 30 * time.Second
	DefaultCacheTTL         = 5 * time.Minute
	// DefaultMaxResponseBytes caps an answer read whole (JSON): well above
	// any answer a model can use, and far below what exhausts memory. The
	// streamed raw export is not read whole and stops at its row limit.
	DefaultMaxResponseBytes = 64 << 20
)

// Config is everything a Client needs. Only the credentials are secret.
type Config struct {
	Region Region
	// Service account (HTTP Basic), OAuth bearer token, or a source of
	// bearer tokens that expire (a browser sign-in); exactly one kind.
	Username   string
	Secret     string
	OAuthToken string
	Tokens     TokenSource

	ProjectID   string
	WorkspaceID string

	// Base URL overrides, for proxies and tests; empty means the region's.
	QueryURL, ExportURL, EngageURL, AppURL string

	Timeout       time.Duration // per request; 0 means DefaultTimeout
	ExportTimeout time.Duration // 0 means DefaultExportTimeout
	// MaxRetries is how many times a retryable failure is retried; negative disables.
	MaxRetries int
	// QueryConcurrency and QueryPerHour bound Query-family requests; a
	// negative value disables that bound, 0 takes the default.
	QueryConcurrency int
	QueryPerHour     int
	// MaxLimiterWait is the longest a request waits for the hourly budget
	// before failing with a rate-limited error; 0 takes the default.
	MaxLimiterWait time.Duration
	// MaxResponseBytes caps an answer read whole; a larger one fails with a
	// KindTooLarge error without being read further. 0 takes the default,
	// negative disables the cap.
	MaxResponseBytes int64
	// CacheTTL is how long discovery answers are reused; 0 takes the
	// default, negative disables the cache.
	CacheTTL time.Duration

	// NewLimiter, when set, makes the Query API limiter of a project (one
	// that replicas share, say); nil keeps the limits in this process.
	NewLimiter func(projectID string) Limiter
	// Cache, when set, holds the discovery answers instead of an
	// in-process cache (whose TTL is CacheTTL); its own TTL applies.
	Cache Cache
	// Observer is told of requests, retries, limiter waits and cache
	// lookups, for metrics; nil tells nobody.
	Observer Observer

	HTTPClient *http.Client
	UserAgent  string
	Logger     zerolog.Logger
	// Sleep waits between retries; tests replace it. Nil uses a timer that
	// honours the context.
	Sleep func(ctx context.Context, d time.Duration) error
}

// TokenSource supplies OAuth access tokens that expire and can be
// refreshed. The client asks it for a token on every request and, when
// Mixpanel answers 401, for a replacement once before giving up.
type TokenSource interface {
	// Token returns a token valid for a while yet, refreshing if needed.
	Token(ctx context.Context) (string, error)
	// Refresh returns a token to replace rejected, which Mixpanel refused.
	Refresh(ctx context.Context, rejected string) (string, error)
	// SignInHint tells a person how to sign in again when refreshed
	// tokens are refused too.
	SignInHint() string
}

// MissingSettingError says which setting a call needs and how to provide it.
type MissingSettingError struct {
	Setting string // e.g. "MP_PROJECT_ID"
	Fix     string
}

func (e *MissingSettingError) Error() string {
	return fmt.Sprintf("missing setting %s: %s", e.Setting, e.Fix)
}

// HasCredentials reports whether some credential is configured.
func (c Config) HasCredentials() bool {
	return c.Tokens != nil || c.OAuthToken != "" || (c.Username != "" && c.Secret != "")
}

// CheckCredentials returns a MissingSettingError naming what is absent.
func (c Config) CheckCredentials() error {
	switch {
	case c.Tokens != nil, c.OAuthToken != "":
		return nil
	case c.Username != "" && c.Secret == "":
		return &MissingSettingError{Setting: "MP_SECRET", Fix: "MP_USERNAME is set but its secret is not; set MP_SECRET (or --secret) to the service account's secret"}
	case c.Secret != "" && c.Username == "":
		return &MissingSettingError{Setting: "MP_USERNAME", Fix: "MP_SECRET is set but the service account's username is not; set MP_USERNAME (or --username)"}
	case c.Username != "":
		return nil
	}
	return &MissingSettingError{Setting: "MP_USERNAME + MP_SECRET or MP_OAUTH_TOKEN", Fix: "no Mixpanel credentials are configured; set MP_USERNAME and MP_SECRET for a service account, or MP_OAUTH_TOKEN, or name an account in ~/.mp/config.toml (see mcp-server --help)"}
}

func (c Config) baseURL(f Family) string {
	override := map[Family]string{Query: c.QueryURL, Export: c.ExportURL, Engage: c.EngageURL, App: c.AppURL}[f]
	if override != "" {
		return strings.TrimRight(override, "/")
	}
	return baseURLs(c.Region)[f]
}

// Observer receives the client's events, for metrics. Its methods must be
// cheap and safe for concurrent use.
type Observer interface {
	// Request is one attempt's outcome: its HTTP status, or 0 when no
	// answer came (a transport error or timeout).
	Request(api Family, status int, took time.Duration)
	// Retry is an attempt about to be repeated.
	Retry(api Family)
	// LimiterWait is the time an attempt waited for the Query API limits.
	LimiterWait(took time.Duration)
	// LimiterRefused is an attempt the Query API limits refused.
	LimiterRefused()
	// CacheLookup is a discovery-cache lookup.
	CacheLookup(hit bool)
}
