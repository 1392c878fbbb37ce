package mixpanel

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Client talks to Mixpanel for one project (and optionally one workspace).
// It is safe for concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	log     zerolog.Logger
	limiter Limiter
	cache   Cache // nil: no cache
	obs     Observer
	redact  *strings.Replacer
	sleep   func(context.Context, time.Duration) error

	// limiters holds the limiter of each project that clones of this
	// client (WithScope) work in; limiter is the one of cfg.ProjectID.
	limiters *limiterSet
}

// New returns a client for cfg. It fails only on settings that can never
// work (an unknown region); missing credentials are reported per call, so
// a server can start and list its tools before it is configured.
func New(cfg Config) (*Client, error) {
	if cfg.Region == "" {
		cfg.Region = RegionUS
	}
	if _, err := ParseRegion(string(cfg.Region)); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ExportTimeout == 0 {
		cfg.ExportTimeout = DefaultExportTimeout
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "mixpanel-mcp"
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	limiters := newLimiterSet(cfg)
	cache := cfg.Cache
	if cache == nil {
		cache = NewLocalCache(cfg.CacheTTL)
	}
	obs := cfg.Observer
	if obs == nil {
		obs = noObserver{}
	}
	c := &Client{cfg: cfg, http: hc, log: cfg.Logger, limiter: limiters.get(cfg.ProjectID), limiters: limiters, cache: cache, obs: obs, sleep: cfg.Sleep}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	var secrets []string
	for _, s := range []string{cfg.Secret, cfg.OAuthToken, c.basicToken()} {
		if len(s) >= 4 {
			secrets = append(secrets, s, "[redacted]")
		}
	}
	c.redact = strings.NewReplacer(secrets...)
	return c, nil
}

// Config returns the client's configuration with its secrets removed.
func (c *Client) Config() Config {
	cfg := c.cfg
	if cfg.Secret != "" {
		cfg.Secret = "[redacted]"
	}
	if cfg.OAuthToken != "" {
		cfg.OAuthToken = "[redacted]"
	}
	return cfg
}

// ProjectID is the configured project, or "".
func (c *Client) ProjectID() string { return c.cfg.ProjectID }

// WorkspaceID is the pinned workspace, or "".
func (c *Client) WorkspaceID() string { return c.cfg.WorkspaceID }

// Region is the client's region.
func (c *Client) Region() Region { return c.cfg.Region }

// RequireProject returns the project id or a MissingSettingError.
func (c *Client) RequireProject() (string, error) {
	if c.cfg.ProjectID == "" {
		return "", &MissingSettingError{Setting: "MP_PROJECT_ID", Fix: "set MP_PROJECT_ID (or --project-id, or default_project in the config file) to the numeric project id"}
	}
	return c.cfg.ProjectID, nil
}

// Scope is the App API prefix for "maybe-scoped" entities (dashboards,
// cohorts, ...): /workspaces/{wid} when a workspace is pinned, else
// /projects/{pid}.
func (c *Client) Scope() (string, error) {
	if c.cfg.WorkspaceID != "" {
		return "/workspaces/" + url.PathEscape(c.cfg.WorkspaceID), nil
	}
	pid, err := c.RequireProject()
	if err != nil {
		return "", err
	}
	return "/projects/" + url.PathEscape(pid), nil
}

// Request describes one API call.
type Request struct {
	Family Family
	Method string // default GET
	Path   string // appended to the family's base URL
	Query  url.Values
	Body   any        // JSON-encoded when non-nil
	Form   url.Values // form-encoded when non-nil (and Body is nil)
	// Safe marks a non-GET request as safe to repeat after a server error
	// or transport failure (a POST that only reads, such as /insights).
	Safe bool
	// NoProjectParam stops the client from adding project_id (and
	// workspace_id) to a Query/Export/Engage request's query string.
	NoProjectParam bool
	// Cacheable marks a read whose answer may be reused for the client's
	// cache TTL: schema discovery, which models repeat and which counts
	// against the Query API's hourly budget.
	Cacheable bool
}

func (r Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

func (r Request) repeatable() bool {
	switch r.method() {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return r.Safe
}

// Do sends the request, retrying what is safe to retry, and returns the
// response of a 2xx answer for the caller to stream; its body must be
// closed by the caller, and a read error while streaming is the caller's to
// handle. Any other answer is an *APIError. JSON and Raw read the answer
// whole, retry a cut-off answer when that is safe, and cap its size.
func (c *Client) Do(ctx context.Context, req Request) (*http.Response, error) {
	var resp *http.Response
	err := c.send(ctx, req, func(r *http.Response, _ time.Duration) error {
		resp = r
		return nil
	})
	return resp, err
}

// send makes attempts until one answers 2xx and use accepts the response,
// or a failure is final. Every attempt of a Query request takes its own
// place in the limiter's budget: Mixpanel counts each one.
func (c *Client) send(ctx context.Context, req Request, use func(*http.Response, time.Duration) error) error {
	if err := c.cfg.CheckCredentials(); err != nil {
		return err
	}
	u, err := c.url(req)
	if err != nil {
		return err
	}
	var payload []byte
	contentType := ""
	switch {
	case req.Body != nil:
		if payload, err = json.Marshal(req.Body); err != nil {
			return fmt.Errorf("encode %s body: %w", req.Path, err)
		}
		contentType = "application/json"
	case req.Form != nil:
		payload = []byte(req.Form.Encode())
		contentType = "application/x-www-form-urlencoded"
	}
	timeout := c.cfg.Timeout
	if req.Family == Export {
		timeout = c.cfg.ExportTimeout
	}
	bearer := "" // the token the last attempt sent, when from c.cfg.Tokens
	attempt := func() error {
		if req.Family == Query {
			release, err := c.acquire(ctx, req)
			if err != nil {
				return err
			}
			defer release()
		}
		var resp *http.Response
		var err error
		resp, bearer, err = c.once(ctx, req, u, payload, contentType, timeout)
		if err != nil {
			return err
		}
		return use(resp, timeout)
	}
	refreshed := false
	for n := 0; ; n++ {
		err := attempt()
		if err == nil {
			return nil
		}
		if c.cfg.Tokens != nil && bearer != "" && IsKind(err, KindAuth) {
			if refreshed {
				var apiErr *APIError
				errors.As(err, &apiErr)
				apiErr.Fix = "Mixpanel refused the OAuth access token even after a refresh: " + c.cfg.Tokens.SignInHint() + "."
				return err
			}
			// A 401 is answered before any work, so the request is
			// safe to repeat once with a new token; it is not a retry.
			refreshed = true
			c.log.Debug().Str("method", req.method()).Str("path", req.Path).Msg("oauth access token refused; refreshing it once")
			if _, rerr := c.cfg.Tokens.Refresh(ctx, bearer); rerr != nil {
				return rerr
			}
			n--
			continue
		}
		wait, retry := c.shouldRetry(req, err, n)
		if !retry {
			return err
		}
		if deadlineWithin(ctx, wait) {
			// The caller's deadline ends before the wait would: the last
			// answer says more than a timeout after a pointless sleep.
			return err
		}
		c.obs.Retry(req.Family)
		c.log.Debug().Str("method", req.method()).Str("path", req.Path).Int("attempt", n+1).Dur("wait", wait).Msg("retrying mixpanel request")
		c.noticeRetry(ctx, req, err, wait, n+1)
		if serr := c.sleep(ctx, wait); serr != nil {
			return serr
		}
	}
}

// acquire takes the project's Query API limits for one attempt and tells
// the observer how long that took, or that the limits refused it.
func (c *Client) acquire(ctx context.Context, req Request) (func(), error) {
	start := time.Now()
	release, err := c.limiter.Acquire(ctx, req)
	if err != nil {
		if IsKind(err, KindRateLimited) {
			c.obs.LimiterRefused()
		}
		return nil, err
	}
	c.obs.LimiterWait(time.Since(start))
	return release, nil
}

// noticeRetry tells the person behind the call that a request is retried
// and how long the call waits first; a 429 is a rate-limit wait.
func (c *Client) noticeRetry(ctx context.Context, req Request, err error, wait time.Duration, retry int) {
	var apiErr *APIError
	errors.As(err, &apiErr) // shouldRetry retries *APIError only
	what := string(apiErr.Kind)
	if apiErr.Status != 0 {
		what = fmt.Sprintf("HTTP %d", apiErr.Status)
	}
	if apiErr.Kind == KindRateLimited {
		c.notice(ctx, NoticeWarning, "Mixpanel rate-limited %s %s (%s); waiting %s before retry %d of %d", req.method(), req.Path, what, roundWait(wait), retry, c.cfg.MaxRetries)
		return
	}
	c.notice(ctx, NoticeWarning, "Mixpanel request %s %s failed (%s); retry %d of %d in %s", req.method(), req.Path, what, retry, c.cfg.MaxRetries, roundWait(wait))
}

// roundWait is a wait as a person reads it: whole seconds, or
// milliseconds below one second.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// deadlineWithin reports whether ctx's deadline comes before d has passed.
func deadlineWithin(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

func (c *Client) shouldRetry(req Request, err error, attempt int) (time.Duration, bool) {
	if attempt >= c.cfg.MaxRetries {
		return 0, false
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return 0, false
	}
	switch {
	case apiErr.Kind == KindRateLimited && apiErr.Status == http.StatusTooManyRequests:
		// A 429 means the request was refused before any work: always safe.
		if apiErr.RetryAfter > 0 {
			return apiErr.RetryAfter, true
		}
		return backoff(attempt), true
	case (apiErr.Kind == KindServer && apiErr.Status != http.StatusNotImplemented) || apiErr.Kind == KindTransport:
		if req.repeatable() {
			return backoff(attempt), true
		}
	}
	return 0, false
}

// backoff is min(2^attempt, 60) seconds plus up to 10% jitter.
func backoff(attempt int) time.Duration {
	d := time.Duration(1<<min(attempt, 6)) * time.Second
	d = min(d, 60*time.Second)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// once makes one attempt. It returns the bearer token it sent when the
// token came from the config's TokenSource, so a 401 can name it.
func (c *Client) once(ctx context.Context, req Request, u string, payload []byte, contentType string, timeout time.Duration) (*http.Response, string, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hreq, err := http.NewRequestWithContext(cctx, req.method(), u, body)
	if err != nil {
		cancel()
		return nil, "", fmt.Errorf("build %s request: %w", req.Path, err)
	}
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	bearer, err := c.authorize(ctx, hreq)
	if err != nil {
		cancel()
		return nil, "", err
	}
	start := time.Now()
	resp, err := c.http.Do(hreq)
	if err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, bearer, ctx.Err()
		}
		msg := "request failed"
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("no answer within %s", timeout)
		} else {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // url.Error repeats the URL, which may carry secrets
			}
			msg = c.redact.Replace(err.Error())
		}
		c.obs.Request(req.Family, 0, time.Since(start))
		c.log.Debug().Str("method", req.method()).Str("path", req.Path).Str("error", msg).Msg("mixpanel transport error")
		return nil, bearer, &APIError{Kind: KindTransport, Method: req.method(), Path: req.Path, Message: msg}
	}
	c.obs.Request(req.Family, resp.StatusCode, time.Since(start))
	c.log.Debug().Str("method", req.method()).Str("path", req.Path).Int("status", resp.StatusCode).Dur("took", time.Since(start)).Msg("mixpanel request")
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, bearer, nil
	}
	defer cancel()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	apiErr := &APIError{
		Kind:      kindForStatus(resp.StatusCode),
		Status:    resp.StatusCode,
		Method:    req.method(),
		Path:      req.Path,
		Message:   c.errorText(resp.StatusCode, raw),
		RequestID: firstHeader(resp.Header, "X-Request-Id", "X-Mixpanel-Request-Id", "Request-Id"),
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		apiErr.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
	return nil, bearer, apiErr
}

// parseRetryAfter honours integer seconds only, capped at 60 s; negative,
// fractional and HTTP-date values are ignored (wire reference §3.2).
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(min(n, 60)) * time.Second
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func (c *Client) basicToken() string {
	if c.cfg.Username == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(c.cfg.Username + ":" + c.cfg.Secret))
}

// authorize sets the request's credentials; it returns the bearer token
// when a TokenSource gave it.
func (c *Client) authorize(ctx context.Context, r *http.Request) (string, error) {
	switch {
	case c.cfg.Tokens != nil:
		tok, err := c.cfg.Tokens.Token(ctx)
		if err != nil {
			return "", err
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		return tok, nil
	case c.cfg.OAuthToken != "":
		r.Header.Set("Authorization", "Bearer "+c.cfg.OAuthToken)
	default:
		r.Header.Set("Authorization", "Basic "+c.basicToken())
	}
	return "", nil
}

func (c *Client) url(req Request) (string, error) {
	q := url.Values{}
	for k, v := range req.Query {
		q[k] = v
	}
	if !req.NoProjectParam && req.Family != App {
		pid, err := c.RequireProject()
		if err != nil {
			return "", err
		}
		if q.Get("project_id") == "" {
			q.Set("project_id", pid)
		}
		// A pinned workspace applies its data-view filters to queries;
		// raw export stays project-wide (wire reference §1.3).
		if c.cfg.WorkspaceID != "" && req.Family != Export && q.Get("workspace_id") == "" {
			q.Set("workspace_id", c.cfg.WorkspaceID)
		}
	}
	u := c.cfg.baseURL(req.Family) + req.Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// JSON sends the request and decodes a JSON answer into out (which may be nil).
func (c *Client) JSON(ctx context.Context, req Request, out any) error {
	raw, err := c.body(ctx, req)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return c.notJSON(req, raw, err)
	}
	return nil
}

// notJSON is the error of a 2xx answer that out cannot hold. An HTML page
// (a proxy's sign-in page, say) is named by its title, never pasted.
func (c *Client) notJSON(req Request, raw []byte, err error) error {
	if text := strings.TrimSpace(string(raw)); isHTML(text) {
		return badAnswer(req.method(), req.Path, "expected JSON, got an HTML page: "+truncate(htmlTitle(http.StatusOK, text, c.redact.Replace), maxErrorText))
	}
	return badAnswer(req.method(), req.Path, "unexpected answer: "+err.Error())
}

// body returns the answer's bytes, from the cache when the request is
// Cacheable and a fresh answer is there.
func (c *Client) body(ctx context.Context, req Request) ([]byte, error) {
	key := ""
	if req.Cacheable && c.cache != nil {
		u, err := c.url(req)
		if err != nil {
			return nil, err
		}
		key = req.method() + " " + req.Family.String() + " " + u
		if req.Body != nil {
			// A read sent as a POST (an Insights query) differs by its body.
			b, err := json.Marshal(req.Body)
			if err != nil {
				return nil, fmt.Errorf("encode %s body: %w", req.Path, err)
			}
			key += " " + string(b)
		}
		raw, ok := c.cache.Get(ctx, key)
		c.obs.CacheLookup(ok)
		if ok {
			return raw, nil
		}
	}
	var raw []byte
	err := c.send(ctx, req, func(resp *http.Response, timeout time.Duration) error {
		defer resp.Body.Close()
		var err error
		raw, err = c.readAnswer(ctx, req, resp, timeout)
		return err
	})
	if err != nil {
		return nil, err
	}
	if key != "" {
		c.cache.Put(ctx, key, c.cfg.ProjectID, raw)
	}
	return raw, nil
}

// readAnswer reads a 2xx answer whole, up to the client's size cap. A
// body cut off by the connection is a transport error, which send retries
// when the request is safe to repeat.
func (c *Client) readAnswer(ctx context.Context, req Request, resp *http.Response, timeout time.Duration) ([]byte, error) {
	limit := c.cfg.MaxResponseBytes
	if limit > 0 && resp.ContentLength > limit {
		return nil, c.tooLarge(req, limit)
	}
	var r io.Reader = resp.Body
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit+1)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	if _, err := buf.ReadFrom(r); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := fmt.Sprintf("the answer was cut off after %d bytes: %s", buf.Len(), c.redact.Replace(unwrapURLError(err).Error()))
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("the answer did not finish within %s (%d bytes arrived)", timeout, buf.Len())
		}
		c.log.Debug().Str("method", req.method()).Str("path", req.Path).Str("error", msg).Msg("mixpanel answer cut off")
		return nil, &APIError{Kind: KindTransport, Method: req.method(), Path: req.Path, Message: msg}
	}
	if limit > 0 && int64(buf.Len()) > limit {
		return nil, c.tooLarge(req, limit)
	}
	return buf.Bytes(), nil
}

func (c *Client) tooLarge(req Request, limit int64) *APIError {
	return &APIError{Kind: KindTooLarge, Method: req.method(), Path: req.Path,
		Message: fmt.Sprintf("the answer is larger than the %s cap on one Mixpanel answer (--max-response-size, MP_MAX_RESPONSE_SIZE)", byteSize(limit))}
}

// byteSize writes a byte count the way people set it: 64 MiB, 512 KiB, 300 B.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Raw sends the request and returns the answer's body.
func (c *Client) Raw(ctx context.Context, req Request) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.JSON(ctx, req, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// AppJSON calls the App API and decodes the payload inside the
// {"status":"ok","results":...} envelope (or the whole body when there is
// no envelope) into out.
func (c *Client) AppJSON(ctx context.Context, req Request, out any) error {
	req.Family = App
	raw, err := c.Raw(ctx, req)
	if err != nil {
		return err
	}
	payload := UnwrapResults(raw)
	if out == nil || len(payload) == 0 {
		return nil
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return badAnswer(req.method(), req.Path, "unexpected answer: "+err.Error())
	}
	return nil
}

// UnwrapResults returns the "results" member of an App API envelope, or raw
// itself when the body is not such an envelope.
func UnwrapResults(raw json.RawMessage) json.RawMessage {
	var env map[string]json.RawMessage
	if json.Unmarshal(raw, &env) != nil {
		return raw
	}
	if r, ok := env["results"]; ok {
		return r
	}
	return raw
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type noObserver struct{}

func (noObserver) Request(Family, int, time.Duration) {}
func (noObserver) Retry(Family)                       {}
func (noObserver) LimiterWait(time.Duration)          {}
func (noObserver) LimiterRefused()                    {}
func (noObserver) CacheLookup(bool)                   {}
