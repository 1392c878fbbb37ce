package mixpanel

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// Session-replay limits of the reference library (wire reference §4.27).
const (
	DefaultReplayMaxFiles       = 500
	DefaultReplayCDNConcurrency = 50
	DefaultReplayConcurrency    = 4
	DefaultReplayListLimit      = 100
	// DefaultReplayLookbackDays covers the longest retention window, so a
	// query without dates still finds every replay the CDN can serve.
	DefaultReplayLookbackDays = 90
	// MaxReplayEventProperties is the Insights group-by budget left after
	// the three keys every replay-events query groups on.
	MaxReplayEventProperties = 5
	// DefaultReplayRetentionDays is assumed for recordings made by SDKs
	// that do not stamp $mp_replay_retention_period.
	DefaultReplayRetentionDays = 30
)

const (
	sessionRecordEvent = "$mp_session_record"
	sensitiveDataFlag  = "SESSION_RECORDING_SENSITIVE_DATA"
	// maxCDNFileBytes bounds one CDN file in memory; real files are a few MB.
	maxCDNFileBytes = 64 << 20
	// cdnFileTimeout bounds one CDN file: a stalled read must not hold a
	// whole bundle for the client's two-minute API timeout.
	cdnFileTimeout = 30 * time.Second
	// initialCDNWindow is how many files a walk fetches at first.
	initialCDNWindow = 4
)

// ReplayNotFoundError means the CDN has no first file for the replay.
type ReplayNotFoundError struct {
	ReplayID      string
	RetentionDays int
}

func (e *ReplayNotFoundError) Error() string {
	return fmt.Sprintf("replay %s not found on the CDN: it may have aged out of its retention window (%d days), never been recorded, or been deleted",
		e.ReplayID, e.RetentionDays)
}

// SignedURLExpiredError means the CDN refused the replay's signature even
// after one fresh signing.
type SignedURLExpiredError struct {
	ReplayID string
}

func (e *SignedURLExpiredError) Error() string {
	return fmt.Sprintf("the signed CDN URL of replay %s expired (5-minute TTL) and re-signing once did not help; try the call again", e.ReplayID)
}

// ReplayAccessError is the sign endpoint's 403 for a project that hides
// replays with sensitive data from accounts without the permission.
type ReplayAccessError struct {
	ProjectID string
	Cause     *APIError
}

func (e *ReplayAccessError) Error() string {
	return fmt.Sprintf("project %s has %s enabled and this account lacks access to sensitive replay data: ask the project owner to grant the 'sensitive_data_replay' permission, or use a service account that has it",
		e.ProjectID, sensitiveDataFlag)
}

func (e *ReplayAccessError) Unwrap() error { return e.Cause }

// ReplayQuery selects replays to discover: one user's, explicit ids, or
// (with neither) every replay of a period.
type ReplayQuery struct {
	DistinctID string
	ReplayIDs  []string
	// FromDate and ToDate are YYYY-MM-DD; without FromDate the last 90 days
	// are searched, and a FromDate alone runs to today.
	FromDate, ToDate string
	// Limit caps the summaries, most recent first; 0 means 100.
	Limit int
	// Cached lets the answer come from the discovery cache (up to its TTL
	// old): for completions, which ask again on every keystroke.
	Cached bool
}

// ListReplays discovers replays with one Insights query on
// $mp_session_record: the earliest $time per replay and retention window.
// Summaries come most recent first.
func (c *Client) ListReplays(ctx context.Context, q ReplayQuery) ([]replay.ReplaySummary, error) {
	if q.DistinctID != "" && len(q.ReplayIDs) > 0 {
		return nil, errors.New("list replays: give distinct_id or replay_ids, not both")
	}
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	groups := []string{"$mp_replay_id", "$mp_replay_retention_period"}
	spec := map[string]any{
		"events":        []string{sessionRecordEvent},
		"math":          "min",
		"math_property": "$time", // plain "time" answers an empty series
		"mode":          "table",
	}
	switch {
	case q.DistinctID != "":
		spec["where"] = map[string]any{"property": "$distinct_id", "operator": "equals", "value": []string{q.DistinctID}}
	default:
		// Without a user filter the user is one more group key, so every
		// summary still says whose session it was.
		groups = append(groups, "$distinct_id")
		if len(q.ReplayIDs) > 0 {
			spec["where"] = map[string]any{"property": "$mp_replay_id", "operator": "equals", "value": q.ReplayIDs}
		}
	}
	rows, err := c.replayRows(ctx, spec, groups, q.FromDate, q.ToDate, q.Cached)
	if err != nil {
		return nil, fmt.Errorf("list replays: %w", err)
	}
	byID := map[string]*replay.ReplaySummary{}
	standardRetention := map[string]bool{}
	var order []string
	for _, row := range rows {
		id := row.keys[0]
		start := toUnixMillis(row.value)
		if id == "" || start <= 0 {
			continue
		}
		days, standard := parseRetention(row.keys[1])
		distinct := q.DistinctID
		if len(row.keys) > 2 && row.keys[2] != "undefined" && row.keys[2] != "null" {
			distinct = row.keys[2]
		}
		have, ok := byID[id]
		if !ok {
			order = append(order, id)
			byID[id] = &replay.ReplaySummary{ReplayID: id, DistinctID: distinct, ProjectID: pid, StartTime: start, RetentionDays: days}
			standardRetention[id] = standard
			continue
		}
		if standard && !standardRetention[id] {
			have.RetentionDays, standardRetention[id] = days, true
		}
		have.StartTime = min(have.StartTime, start)
	}
	for _, id := range order {
		if !standardRetention[id] {
			c.log.Warn().Str("replay_id", id).Msg("replay has no $mp_replay_retention_period; assuming 30 days (upgrade the Mixpanel SDK to stamp it)")
		}
	}
	out := make([]replay.ReplaySummary, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	slices.SortFunc(out, func(a, b replay.ReplaySummary) int {
		if a.StartTime != b.StartTime {
			return cmp.Compare(b.StartTime, a.StartTime)
		}
		return strings.Compare(a.ReplayID, b.ReplayID)
	})
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultReplayListLimit
	}
	return out[:min(limit, len(out))], nil
}

// replayRows runs a replay query spec through the Insights engine, grouped
// by groups over the given dates, and flattens its series to one row per
// combination of group values.
func (c *Client) replayRows(ctx context.Context, spec map[string]any, groups []string, from, to string, cacheable bool) ([]seriesRow, error) {
	spec["group_by"] = groups
	addReplayDates(spec, from, to)
	bookmark, err := buildInsights(spec)
	if err != nil {
		return nil, err
	}
	raw, err := c.insights(ctx, bookmark, cacheable)
	if err != nil {
		return nil, err
	}
	return seriesRows(raw, len(groups))
}

// addReplayDates sets the query's range: explicit dates, or the longest
// retention window.
func addReplayDates(spec map[string]any, from, to string) {
	if from == "" {
		spec["last"] = DefaultReplayLookbackDays
		return
	}
	spec["from_date"] = from
	if to == "" {
		to = time.Now().UTC().Format("2006-01-02")
	}
	spec["to_date"] = to
}

// buildInsights runs a query spec through the Insights engine's builder, so
// replay queries get the same bookmark (and validation) as query_insights.
func buildInsights(spec map[string]any) (query.Params, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var q query.InsightsQuery
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, err
	}
	return q.Build(time.Now().UTC())
}

func parseRetention(key string) (int, bool) {
	f, err := strconv.ParseFloat(key, 64)
	if err == nil {
		d := int(f)
		if float64(d) == f && replay.ValidRetention(d) {
			return d, true
		}
	}
	return DefaultReplayRetentionDays, false
}

// toUnixMillis reads a $time value: a number (seconds, or milliseconds
// above 10^12) or a date-time string.
func toUnixMillis(v string) int64 {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 1e16 {
			return 0
		}
		if f > 1e12 {
			return int64(f)
		}
		return int64(f * 1000)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UnixMilli()
		}
	}
	return 0
}

// seriesRow is one leaf of a grouped Insights series: the group values on
// the way down, in group order, and the leaf's value.
type seriesRow struct {
	keys  []string
	value string
}

// seriesRows flattens {"series":{metric:{k1:{k2:...{"all":v}}}}} to depth
// groups, skipping every $overall rollup, in a stable (sorted) order.
func seriesRows(raw json.RawMessage, depth int) ([]seriesRow, error) {
	var top struct {
		Series map[string]json.RawMessage `json:"series"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, badAnswer(http.MethodPost, "/insights", "unexpected series: "+err.Error())
	}
	var rows []seriesRow
	for _, m := range slices.Sorted(maps.Keys(top.Series)) {
		walkSeries(top.Series[m], depth, nil, &rows)
	}
	return rows, nil
}

// walkSeries collects the leaves depth levels below node; a branch that
// ends early is skipped.
func walkSeries(node json.RawMessage, depth int, keys []string, rows *[]seriesRow) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(node, &obj) != nil {
		if depth == 0 {
			*rows = append(*rows, seriesRow{keys: keys, value: strings.Trim(string(node), `"`)})
		}
		return
	}
	if depth == 0 {
		leaf, ok := obj["all"]
		if !ok {
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				leaf = obj[k]
				break
			}
		}
		*rows = append(*rows, seriesRow{keys: keys, value: strings.Trim(string(leaf), `"`)})
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if k != "$overall" {
			walkSeries(obj[k], depth-1, append(slices.Clone(keys), k), rows)
		}
	}
}

// ReplayEvents returns the Mixpanel events recorded during each replay
// (not the $mp_session_record event itself), in time order, with up to
// five extra event properties. Replays without events are absent.
func (c *Client) ReplayEvents(ctx context.Context, replayIDs, properties []string, fromDate, toDate string) (map[string][]replay.ReplayEvent, error) {
	if len(properties) > MaxReplayEventProperties {
		return nil, fmt.Errorf("event_properties: at most %d event properties fit the Insights group-by limit, got %d (%s); drop some or split the query",
			MaxReplayEventProperties, len(properties), strings.Join(properties, ", "))
	}
	out := map[string][]replay.ReplayEvent{}
	if len(replayIDs) == 0 {
		return out, nil
	}
	groups := append([]string{"$time", "$event_name", "$mp_replay_id"}, properties...)
	spec := map[string]any{
		"events": []string{"$all_events"},
		"where": []any{
			map[string]any{"property": "$mp_replay_id", "operator": "equals", "value": replayIDs},
			map[string]any{"property": "$event_name", "operator": "not_equals", "value": []string{sessionRecordEvent}},
		},
		"mode": "table",
	}
	rows, err := c.replayRows(ctx, spec, groups, fromDate, toDate, false)
	if err != nil {
		return nil, fmt.Errorf("replay events: %w", err)
	}
	for _, row := range rows {
		sec := toUnixMillis(row.keys[0]) / 1000
		id := row.keys[2]
		if sec <= 0 || id == "" {
			continue
		}
		ev := replay.ReplayEvent{ReplayID: id, EventName: row.keys[1], EventTime: sec}
		if ev.EventName == "" {
			ev.EventName = "(unknown)"
		}
		if len(properties) > 0 {
			ev.Properties = map[string]any{}
			for i, p := range properties {
				ev.Properties[p] = row.keys[3+i]
			}
		}
		out[id] = append(out[id], ev)
	}
	for id := range out {
		slices.SortStableFunc(out[id], func(a, b replay.ReplayEvent) int {
			if a.EventTime != b.EventTime {
				return cmp.Compare(a.EventTime, b.EventTime)
			}
			return strings.Compare(a.EventName, b.EventName)
		})
	}
	return out, nil
}

// SignReplays asks Mixpanel for CDN access to the replays, in one call. The
// answers are in input order; each carries a bearer credential that lives
// about five minutes and that replay.SignedReplay keeps out of every print.
func (c *Client) SignReplays(ctx context.Context, replayIDs []string, env string) ([]replay.SignedReplay, error) {
	if env == "" {
		env = "prod"
	}
	if env != "prod" && env != "dev" {
		return nil, fmt.Errorf("env: must be \"prod\" or \"dev\", got %q", env)
	}
	pid, err := c.RequireProject()
	if err != nil {
		return nil, err
	}
	if len(replayIDs) == 0 {
		return nil, nil
	}
	items := make([]map[string]string, len(replayIDs))
	for i, id := range replayIDs {
		if id == "" {
			return nil, fmt.Errorf("replay_ids[%d]: must be non-empty", i)
		}
		items[i] = map[string]string{"replay_id": id, "replay_env": env}
	}
	signedAt := float64(time.Now().UnixMilli()) / 1000 // before the call: expiry errs early
	var answers []struct {
		ReplayID    json.RawMessage `json:"replay_id"`
		URL         string          `json:"url"`
		QueryString string          `json:"query_string"`
	}
	req := Request{Family: App, Method: http.MethodPost, Path: "/projects/" + url.PathEscape(pid) + "/replays/sign/bulk", Body: map[string]any{"replays": items}, Safe: true}
	if err := c.AppJSON(ctx, req, &answers); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden && strings.Contains(apiErr.Message, sensitiveDataFlag) {
			return nil, &ReplayAccessError{ProjectID: pid, Cause: apiErr}
		}
		return nil, fmt.Errorf("sign replays: %w", err)
	}
	byID := map[string]int{}
	for i, a := range answers {
		byID[strings.Trim(string(a.ReplayID), `"`)] = i
	}
	out := make([]replay.SignedReplay, len(replayIDs))
	for i, id := range replayIDs {
		j, ok := byID[id]
		if !ok && i < len(answers) && len(answers) == len(replayIDs) {
			j, ok = i, true
		}
		if !ok {
			return nil, fmt.Errorf("sign replays: the answer has no signature for replay %s", id)
		}
		a := answers[j]
		s, err := replay.NewSignedReplay(id, a.URL, a.QueryString, env, signedAt)
		if err != nil {
			return nil, fmt.Errorf("sign replays: replay %s: %w", id, err)
		}
		out[i] = s
	}
	return out, nil
}

// WalkOptions bound a CDN walk.
type WalkOptions struct {
	// MaxFiles stops the walk after this many files; 0 means 500.
	MaxFiles int
	// Concurrency is how many files are fetched (and held) at once; 0
	// means 50.
	Concurrency int
	// Resign returns a fresh signature when the CDN refuses the current one
	// (403). It is called at most once per walk; nil makes a 403 fatal.
	Resign func(ctx context.Context) (replay.SignedReplay, error)
}

// WalkStats says what a CDN walk read.
type WalkStats struct {
	Files     int   `json:"files"`
	Bytes     int64 `json:"bytes" jsonschema:"description=Raw rrweb bytes read from the CDN"`
	Resigned  bool  `json:"resigned"`
	Truncated bool  `json:"truncated" jsonschema:"description=The walk stopped at max_files; the recording may be longer"`
}

// WalkReplay reads a replay's CDN files {url}{NNNN}-{retention}.json in
// order and hands each, its events sorted by timestamp, to feed. Files are
// fetched ahead of the one being fed, at most opts.Concurrency at a time,
// so at most that many are in memory. A 404 on file 0 is a
// *ReplayNotFoundError, a later 404 the end of the recording; a 403 re-signs
// once; any other status fails. The CDN gets no Mixpanel credentials, and
// no error or log line carries the signed query string.
func (c *Client) WalkReplay(ctx context.Context, signed replay.SignedReplay, retentionDays int, opts WalkOptions, feed func(index int, events io.Reader) error) (WalkStats, error) {
	maxFiles := opts.MaxFiles
	if maxFiles <= 0 {
		maxFiles = DefaultReplayMaxFiles
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = DefaultReplayCDNConcurrency
	}
	w := &cdnWalk{c: c, cur: signed, retention: retentionDays, resign: opts.Resign, end: int64(maxFiles)}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	slots := make([]chan cdnFile, 0, min(maxFiles, 2*conc))
	var stats WalkStats
	// The window of files fetched ahead starts small and doubles with each
	// file read, so a short replay costs a few 404s past its end instead of
	// a full batch of them.
	window := min(conc, initialCDNWindow)
	for i := 0; i < maxFiles; i++ {
		for len(slots) < maxFiles && len(slots) < i+window && int64(len(slots)) < atomic.LoadInt64(&w.end) {
			n := len(slots)
			ch := make(chan cdnFile, 1)
			slots = append(slots, ch)
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch <- w.fetch(ctx, n)
			}()
		}
		if i >= len(slots) {
			break // a later file already answered 404
		}
		var f cdnFile
		select {
		case f = <-slots[i]:
		case <-ctx.Done():
			return stats, ctx.Err()
		}
		slots[i] = nil
		if err := ctx.Err(); err != nil {
			return stats, err // a file may have landed as the caller gave up
		}
		if f.err != nil {
			return stats, f.err
		}
		if f.status == http.StatusNotFound {
			if i == 0 {
				return stats, &ReplayNotFoundError{ReplayID: signed.ReplayID, RetentionDays: retentionDays}
			}
			stats.Resigned = w.wasResigned()
			return stats, nil
		}
		stats.Files++
		stats.Bytes += int64(len(f.body))
		window = min(conc, 2*window)
		if err := feed(i, sortedEvents(f.body)); err != nil {
			return stats, fmt.Errorf("replay %s, CDN file %04d: %w", signed.ReplayID, i, err)
		}
	}
	stats.Resigned = w.wasResigned()
	stats.Truncated = stats.Files == maxFiles
	if stats.Truncated {
		c.notice(ctx, NoticeWarning, "replay %s: stopped after %d recording files (the limit); the recording may be longer", signed.ReplayID, maxFiles)
	}
	return stats, nil
}

type cdnFile struct {
	status int
	body   []byte
	err    error
}

// cdnWalk is the shared state of one walk's fetchers: the current
// signature and whether the one allowed re-sign was spent.
type cdnWalk struct {
	c         *Client
	retention int
	end       int64 // lowest file index known to be past the end

	mu       sync.Mutex
	cur      replay.SignedReplay
	gen      int
	resigned bool
	resign   func(ctx context.Context) (replay.SignedReplay, error)
}

func (w *cdnWalk) current() (replay.SignedReplay, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur, w.gen
}

// wasResigned reads the flag under the lock: fetchers of later files may
// still be re-signing when the walk returns.
func (w *cdnWalk) wasResigned() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.resigned
}

// refresh returns a signature newer than generation gen, signing again if
// nobody has yet; a second refusal is an expiry.
func (w *cdnWalk) refresh(ctx context.Context, gen int) (replay.SignedReplay, int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gen > gen {
		return w.cur, w.gen, nil
	}
	if w.resigned || w.resign == nil {
		return replay.SignedReplay{}, 0, &SignedURLExpiredError{ReplayID: w.cur.ReplayID}
	}
	w.resigned = true
	s, err := w.resign(ctx)
	if err != nil {
		return replay.SignedReplay{}, 0, fmt.Errorf("re-sign replay %s: %w", w.cur.ReplayID, err)
	}
	w.cur = s
	w.gen++
	w.c.log.Debug().Str("replay_id", s.ReplayID).Msg("replay CDN signature refused; signed again")
	return w.cur, w.gen, nil
}

func (w *cdnWalk) fetch(ctx context.Context, n int) cdnFile {
	s, gen := w.current()
	f := w.getRetrying(ctx, s, n)
	if f.err == nil && f.status == http.StatusForbidden {
		fresh, newGen, err := w.refresh(ctx, gen)
		if err != nil {
			return cdnFile{err: err}
		}
		if f = w.getRetrying(ctx, fresh, n); f.err == nil && f.status == http.StatusForbidden {
			if _, _, err := w.refresh(ctx, newGen); err != nil {
				return cdnFile{err: err}
			}
			return cdnFile{err: &SignedURLExpiredError{ReplayID: s.ReplayID}}
		}
	}
	if f.status == http.StatusNotFound {
		for {
			end := atomic.LoadInt64(&w.end)
			if int64(n) >= end || atomic.CompareAndSwapInt64(&w.end, end, int64(n)) {
				break
			}
		}
	}
	return f
}

// getRetrying fetches one file, again after a transport failure (a file
// cut off in transit, a stalled read) as the client retries any safe
// request: a CDN read is a GET.
func (w *cdnWalk) getRetrying(ctx context.Context, s replay.SignedReplay, n int) cdnFile {
	for attempt := 0; ; attempt++ {
		f := w.get(ctx, s, n)
		if !IsKind(f.err, KindTransport) {
			return f
		}
		wait, retry := w.c.shouldRetry(Request{}, f.err, attempt)
		if !retry || deadlineWithin(ctx, wait) {
			return f
		}
		if err := w.c.sleep(ctx, wait); err != nil {
			return cdnFile{err: err}
		}
	}
}

// get fetches one file. Its errors name the file, never the URL: the URL's
// query string is the credential.
func (w *cdnWalk) get(ctx context.Context, s replay.SignedReplay, n int) cdnFile {
	name := fmt.Sprintf("%04d-%d.json", n, w.retention)
	scrub := strings.NewReplacer(s.QueryString(), "[redacted]", url.QueryEscape(s.QueryString()), "[redacted]")
	timeout := min(cdnFileTimeout, w.c.cfg.Timeout)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, s.FileURL(n, w.retention), nil)
	if err != nil {
		return cdnFile{err: fmt.Errorf("replay %s: CDN file %s: bad signed URL: %s", s.ReplayID, name, scrub.Replace(unwrapURLError(err).Error()))}
	}
	req.Header.Set("User-Agent", w.c.cfg.UserAgent)
	resp, err := w.c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return cdnFile{err: ctx.Err()}
		}
		msg := scrub.Replace(unwrapURLError(err).Error())
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("no answer within %s", timeout)
		}
		w.c.log.Debug().Str("replay_id", s.ReplayID).Str("file", name).Str("error", msg).Msg("replay CDN transport error")
		return cdnFile{err: &APIError{Kind: KindTransport, Method: http.MethodGet, Path: "replay CDN " + name, Message: msg}}
	}
	defer resp.Body.Close()
	w.c.log.Debug().Str("replay_id", s.ReplayID).Str("file", name).Int("status", resp.StatusCode).Msg("replay CDN file")
	switch resp.StatusCode {
	case http.StatusOK:
		// Sized from Content-Length when the CDN sends it, so a file of
		// several MB is read into one buffer instead of a doubling series.
		var buf bytes.Buffer
		if n := resp.ContentLength; n > 0 && n <= maxCDNFileBytes {
			buf.Grow(int(n) + bytes.MinRead)
		}
		_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxCDNFileBytes+1))
		body := buf.Bytes()
		if err != nil {
			if ctx.Err() != nil {
				return cdnFile{err: ctx.Err()}
			}
			msg := fmt.Sprintf("the file was cut off after %d bytes: %s", len(body), scrub.Replace(unwrapURLError(err).Error()))
			return cdnFile{err: &APIError{Kind: KindTransport, Method: http.MethodGet, Path: "replay CDN " + name, Message: msg}}
		}
		if len(body) > maxCDNFileBytes {
			return cdnFile{err: fmt.Errorf("replay %s: CDN file %s is larger than %d MB", s.ReplayID, name, maxCDNFileBytes>>20)}
		}
		return cdnFile{status: http.StatusOK, body: body}
	case http.StatusForbidden, http.StatusNotFound:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return cdnFile{status: resp.StatusCode}
	}
	return cdnFile{err: &APIError{Kind: kindForStatus(resp.StatusCode), Status: resp.StatusCode, Method: http.MethodGet, Path: "replay CDN " + name,
		Message: "unexpected CDN answer for replay " + s.ReplayID}}
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sortedEvents returns a CDN file's events in timestamp order. Files are
// nearly always sorted already and then pass through untouched after one
// cheap scan; anything that is not an array of timestamped objects also
// passes through, for the analyzer to judge (a mobile recording, say).
func sortedEvents(body []byte) io.Reader {
	ts, ok := scanTimestamps(body)
	if !ok || slices.IsSorted(ts) {
		return bytes.NewReader(body)
	}
	var events []json.RawMessage
	if json.Unmarshal(body, &events) != nil || len(events) != len(ts) {
		return bytes.NewReader(body)
	}
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ts[a], ts[b]) })
	var buf bytes.Buffer
	buf.Grow(len(body))
	buf.WriteByte('[')
	for i, j := range idx {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(events[j])
	}
	buf.WriteByte(']')
	return &buf
}

// scanTimestamps reads the top-level "timestamp" number of every object in
// a JSON array without decoding the rest, which is most of a recording
// (DOM snapshots). ok is false for anything else: not an array, an element
// that is not an object or lacks a numeric timestamp, malformed JSON.
func scanTimestamps(body []byte) (ts []float64, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '[' {
		return nil, false
	}
	depth, expectKey, found, want := 0, false, false, false
	for ; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return nil, false
			}
			if depth == 2 && expectKey {
				expectKey = false
				want = string(body[i+1:end]) == "timestamp"
			}
			i = end
		case ':':
			if depth == 2 && want {
				want = false
				j := skipSpace(body, i+1)
				k := j
				for k < len(body) && strings.IndexByte("+-.0123456789eE", body[k]) >= 0 {
					k++
				}
				f, err := strconv.ParseFloat(string(body[j:k]), 64)
				if err != nil || found {
					return nil, false
				}
				ts, found = append(ts, f), true
				i = k - 1
			}
		case ',':
			if depth == 2 {
				expectKey = true
			}
		case '{', '[':
			depth++
			if depth == 2 {
				if c != '{' {
					return nil, false
				}
				expectKey, found = true, false
			}
		case '}', ']':
			if depth == 2 && !found {
				return nil, false
			}
			depth--
			if depth == 0 {
				if skipSpace(body, i+1) != len(body) {
					return nil, false
				}
				return ts, true
			}
		default:
			if depth == 1 && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return nil, false // a bare value in the array
			}
		}
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index of the quote closing the string opened at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// FetchOptions tune FetchReplay and FetchReplays.
type FetchOptions struct {
	Env string // prod (default) or dev
	// RetentionDays names the CDN files; 0 discovers it (one Insights query).
	RetentionDays  int
	MaxFiles       int // CDN files per replay; 0 means 500
	CDNConcurrency int // CDN files in flight per replay; 0 means 50
	// Concurrency is how many replays FetchReplays fetches at once; 0 means 4.
	Concurrency int
	// IncludeEvents adds the Mixpanel events of the replay window.
	IncludeEvents   bool
	EventProperties []string
	// KeepRaw keeps the raw rrweb events on the Replay (large).
	KeepRaw bool
	// Progress, when set, is told after each replay FetchReplays finishes.
	Progress func(done, total int, replayID string)
	// Summaries are discovery results the caller already has; the replays
	// among them skip the discovery query.
	Summaries []replay.ReplaySummary
}

// FetchReplay discovers (unless RetentionDays is given), signs, walks and
// analyses one replay. The recording streams file by file into the rrweb
// analyzer and is never held whole unless KeepRaw asks for it.
func (c *Client) FetchReplay(ctx context.Context, replayID string, opts FetchOptions) (*replay.Replay, WalkStats, error) {
	if replayID == "" {
		return nil, WalkStats{}, errors.New("fetch replay: the replay id is empty")
	}
	summaries, err := c.replaySummaries(ctx, []string{replayID}, opts)
	if err != nil {
		return nil, WalkStats{}, err
	}
	signed, err := c.SignReplays(ctx, []string{replayID}, opts.Env)
	if err != nil {
		return nil, WalkStats{}, err
	}
	r, stats, err := c.fetchSigned(ctx, summaries[replayID], signed[0], opts)
	if err != nil {
		return nil, stats, err
	}
	if opts.IncludeEvents {
		from, to := windowDates(r.StartTime, r.EndTime)
		events, err := c.ReplayEvents(ctx, []string{replayID}, opts.EventProperties, from, to)
		if err != nil {
			return nil, stats, err
		}
		r.MixpanelEvents = nonNilSlice(events[replayID])
	}
	return r, stats, nil
}

// ReplayFailure is a replay FetchReplays could not fetch, and why.
type ReplayFailure struct {
	ReplayID string `json:"replay_id"`
	Error    string `json:"error"`
}

// FetchReplays fetches several replays, opts.Concurrency at a time, signed
// in one call and discovered in one query. A replay that fails (expired,
// mobile, gone) is reported in the failures and the others still come
// back; failures that concern every replay (auth, cancellation) end the call.
func (c *Client) FetchReplays(ctx context.Context, replayIDs []string, opts FetchOptions) (*replay.ReplayBundle, []ReplayFailure, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, nil, err
	}
	ids := uniqueReplayIDs(replayIDs)
	bundle := replay.NewBundle(pid, []*replay.Replay{})
	if len(ids) == 0 {
		return bundle, nil, nil
	}
	summaries, err := c.replaySummaries(ctx, ids, opts)
	if err != nil {
		return nil, nil, err
	}
	signed, err := c.SignReplays(ctx, ids, opts.Env)
	if err != nil {
		return nil, nil, err
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = DefaultReplayConcurrency
	}
	results := make([]*replay.Replay, len(ids))
	errs := make([]error, len(ids))
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for i, id := range ids {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r, _, err := c.fetchSigned(gctx, summaries[id], signed[i], opts)
			if err != nil && fatalReplayError(gctx, err) {
				return err
			}
			results[i], errs[i] = r, err
			if opts.Progress != nil {
				opts.Progress(int(done.Add(1)), len(ids), id)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var failures []ReplayFailure
	var fetched []string
	for i, id := range ids {
		if errs[i] != nil {
			failures = append(failures, ReplayFailure{ReplayID: id, Error: errs[i].Error()})
			continue
		}
		bundle.Replays = append(bundle.Replays, results[i])
		fetched = append(fetched, id)
	}
	if opts.IncludeEvents && len(fetched) > 0 {
		lo, hi := int64(math.MaxInt64), int64(0)
		for _, r := range bundle.Replays {
			lo, hi = min(lo, r.StartTime), max(hi, r.EndTime)
		}
		from, to := windowDates(lo, hi)
		events, err := c.ReplayEvents(ctx, fetched, opts.EventProperties, from, to)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range bundle.Replays {
			r.MixpanelEvents = nonNilSlice(events[r.ReplayID])
		}
	}
	return bundle, failures, nil
}

// fatalReplayError: errors that would fail every other replay too.
func fatalReplayError(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return true
	}
	var access *ReplayAccessError
	var missing *MissingSettingError
	return errors.As(err, &access) || errors.As(err, &missing) || IsKind(err, KindAuth)
}

// replaySummaries finds each replay's retention window (which names its
// CDN files) and start time. A replay discovery does not know is assumed
// to be 30-day, as the reference does.
func (c *Client) replaySummaries(ctx context.Context, ids []string, opts FetchOptions) (map[string]replay.ReplaySummary, error) {
	pid, err := c.numericProject()
	if err != nil {
		return nil, err
	}
	out := make(map[string]replay.ReplaySummary, len(ids))
	if retention := opts.RetentionDays; retention != 0 {
		if !replay.ValidRetention(retention) {
			return nil, fmt.Errorf("retention_days: must be 1, 7, 30 or 90, got %d; omit it to look it up", retention)
		}
		for _, id := range ids {
			out[id] = replay.ReplaySummary{ReplayID: id, ProjectID: pid, RetentionDays: retention}
		}
		return out, nil
	}
	var unknown []string
	for _, id := range ids {
		if i := slices.IndexFunc(opts.Summaries, func(s replay.ReplaySummary) bool { return s.ReplayID == id }); i >= 0 {
			out[id] = opts.Summaries[i]
		} else {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return out, nil
	}
	found, err := c.ListReplays(ctx, ReplayQuery{ReplayIDs: unknown, Limit: len(unknown)})
	if err != nil {
		return nil, err
	}
	for _, s := range found {
		out[s.ReplayID] = s
	}
	for _, id := range unknown {
		if _, ok := out[id]; !ok {
			c.log.Warn().Str("replay_id", id).Msg("replay discovery does not know this replay; assuming a 30-day retention window")
			out[id] = replay.ReplaySummary{ReplayID: id, ProjectID: pid, RetentionDays: DefaultReplayRetentionDays}
		}
	}
	return out, nil
}

// fetchSigned walks one signed replay through the analyzer.
func (c *Client) fetchSigned(ctx context.Context, s replay.ReplaySummary, signed replay.SignedReplay, opts FetchOptions) (*replay.Replay, WalkStats, error) {
	an := replay.NewAnalyzer(replay.Options{KeepRaw: opts.KeepRaw})
	walk := WalkOptions{
		MaxFiles:    opts.MaxFiles,
		Concurrency: opts.CDNConcurrency,
		Resign: func(ctx context.Context) (replay.SignedReplay, error) {
			fresh, err := c.SignReplays(ctx, []string{s.ReplayID}, signed.Env)
			if err != nil {
				return replay.SignedReplay{}, err
			}
			return fresh[0], nil
		},
	}
	stats, err := c.WalkReplay(ctx, signed, s.RetentionDays, walk, func(_ int, events io.Reader) error {
		return an.Feed(events)
	})
	if err != nil {
		return nil, stats, err
	}
	return replay.NewReplay(s, an.Result()), stats, nil
}

// windowDates is the UTC date range around a replay, one day of slack on
// each side for project time zones.
func windowDates(startMs, endMs int64) (string, string) {
	if startMs <= 0 {
		return "", ""
	}
	if endMs < startMs {
		endMs = startMs
	}
	from := time.UnixMilli(startMs).UTC().AddDate(0, 0, -1).Format("2006-01-02")
	to := time.UnixMilli(endMs).UTC().AddDate(0, 0, 1)
	if today := time.Now().UTC(); to.After(today) {
		to = today
	}
	return from, to.Format("2006-01-02")
}

func uniqueReplayIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
