package mixpanel_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

const cdnPathPrefix = "/srr-us/"

// lockedBuffer is a log sink safe for the walk's concurrent fetchers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// replayFake returns a fake whose replays are trimmed to ids (all when
// none) and adjusted by edit.
func replayFake(t *testing.T, edit func(*mixpaneltest.Replay)) *mixpaneltest.Server {
	t.Helper()
	srv := mixpaneltest.New(t)
	if edit != nil {
		for i := range srv.Data.Replays {
			edit(&srv.Data.Replays[i])
		}
	}
	return srv
}

func replayByID(t *testing.T, srv *mixpaneltest.Server, id string) mixpaneltest.Replay {
	t.Helper()
	for _, r := range srv.Data.Replays {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no replay %s in the fake", id)
	return mixpaneltest.Replay{}
}

func cdnRequests(srv *mixpaneltest.Server) []mixpaneltest.Request {
	var out []mixpaneltest.Request
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, cdnPathPrefix) {
			out = append(out, r)
		}
	}
	return out
}

func signRequests(srv *mixpaneltest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/replays/sign/bulk") {
			n++
		}
	}
	return n
}

func TestListReplays(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	ctx := context.Background()
	startOf := func(id string) int64 {
		ms, err := mixpaneltest.ReplayStart(replayByID(t, srv, id))
		require.NoError(t, err)
		return ms / 1000 * 1000
	}
	tests := []struct {
		name    string
		q       mixpanel.ReplayQuery
		want    []string
		wantErr string
	}{
		{name: "one user, most recent first", q: mixpanel.ReplayQuery{DistinctID: "jane.doe@acme.io"},
			want: []string{mixpaneltest.ReplayCheckout, mixpaneltest.ReplayLogin, mixpaneltest.ReplayAgedOut}},
		{name: "limit keeps the most recent", q: mixpanel.ReplayQuery{DistinctID: "jane.doe@acme.io", Limit: 1},
			want: []string{mixpaneltest.ReplayCheckout}},
		{name: "explicit ids", q: mixpanel.ReplayQuery{ReplayIDs: []string{mixpaneltest.ReplayRage, mixpaneltest.ReplayPhone}},
			want: []string{mixpaneltest.ReplayPhone, mixpaneltest.ReplayRage}},
		{name: "a period without a user", q: mixpanel.ReplayQuery{FromDate: "2026-11-01", ToDate: "2026-11-30"},
			want: []string{mixpaneltest.ReplayPhone, mixpaneltest.ReplayRage, mixpaneltest.ReplayCheckout, mixpaneltest.ReplayLogin, mixpaneltest.ReplayNative, mixpaneltest.ReplayAgedOut}},
		{name: "a period's dates bound the start", q: mixpanel.ReplayQuery{FromDate: "2026-11-24", ToDate: "2026-11-24"},
			want: []string{mixpaneltest.ReplayAgedOut}},
		{name: "a period that ends before the recordings", q: mixpanel.ReplayQuery{FromDate: "2026-10-01", ToDate: "2026-10-31"},
			want: []string{}},
		{name: "user and ids are exclusive", q: mixpanel.ReplayQuery{DistinctID: "x", ReplayIDs: []string{"y"}}, wantErr: "not both"},
		{name: "bad date fails before any request", q: mixpanel.ReplayQuery{FromDate: "2026/11/01"}, wantErr: "from_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ListReplays(ctx, tt.q)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			ids := []string{}
			for _, s := range got {
				ids = append(ids, s.ReplayID)
				require.NoError(t, s.Validate())
				assert.Equal(t, int64(12345), s.ProjectID)
				assert.Equal(t, replayByID(t, srv, s.ReplayID).DistinctID, s.DistinctID, "distinct id of %s", s.ReplayID)
				assert.Equal(t, replayByID(t, srv, s.ReplayID).RetentionOrDefault(), s.RetentionDays, "retention of %s", s.ReplayID)
				if s.ReplayID != mixpaneltest.ReplayNative && s.ReplayID != mixpaneltest.ReplayAgedOut {
					assert.Equal(t, startOf(s.ReplayID), s.StartTime, "start of %s (Unix ms from Unix s)", s.ReplayID)
				}
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

func TestListReplaysBookmark(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).ListReplays(context.Background(), mixpanel.ReplayQuery{DistinctID: "jane.doe@acme.io"})
	require.NoError(t, err)
	var body struct {
		Bookmark struct {
			Sections struct {
				Show []struct {
					Behavior    map[string]any `json:"behavior"`
					Measurement map[string]any `json:"measurement"`
				} `json:"show"`
				Filter []map[string]any `json:"filter"`
				Group  []map[string]any `json:"group"`
				Time   []map[string]any `json:"time"`
			} `json:"sections"`
			DisplayOptions map[string]any `json:"displayOptions"`
		} `json:"bookmark"`
	}
	srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").JSON(t, &body)
	s := body.Bookmark.Sections
	require.Len(t, s.Show, 1)
	assert.Equal(t, "$mp_session_record", s.Show[0].Behavior["name"])
	assert.Equal(t, "min", s.Show[0].Measurement["math"])
	assert.Equal(t, map[string]any{"name": "$time", "resourceType": "events"}, s.Show[0].Measurement["property"])
	require.Len(t, s.Group, 2)
	assert.Equal(t, "$mp_replay_id", s.Group[0]["value"])
	assert.Equal(t, "$mp_replay_retention_period", s.Group[1]["value"])
	require.Len(t, s.Filter, 1)
	assert.Equal(t, "$distinct_id", s.Filter[0]["value"])
	assert.Equal(t, []any{"jane.doe@acme.io"}, s.Filter[0]["filterValue"])
	assert.Equal(t, "in the last", s.Time[0]["dateRangeType"])
	assert.Equal(t, map[string]any{"unit": "day", "value": float64(90)}, s.Time[0]["window"])
	assert.Equal(t, "table", body.Bookmark.DisplayOptions["chartType"])
}

func TestListReplaysDefaultsMissingRetentionTo30(t *testing.T) {
	var logs lockedBuffer
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.Logger = zerolog.New(&logs)
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	got, err := c.ListReplays(context.Background(), mixpanel.ReplayQuery{ReplayIDs: []string{mixpaneltest.ReplayPhone}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, 30, got[0].RetentionDays)
	assert.Contains(t, logs.String(), "assuming 30 days")
	assert.Contains(t, logs.String(), mixpaneltest.ReplayPhone)
}

func TestSignReplays(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	ids := []string{mixpaneltest.ReplayRage, mixpaneltest.ReplayLogin}
	signed, err := c.SignReplays(context.Background(), ids, "")
	require.NoError(t, err)
	require.Len(t, signed, 2)
	for i, s := range signed {
		assert.Equal(t, ids[i], s.ReplayID, "input order")
		assert.Equal(t, "prod", s.Env)
		assert.True(t, strings.HasSuffix(s.URL, "/"+ids[i]+"/"))
		assert.Contains(t, s.QueryString(), "Signature=")
		assert.NotContains(t, s.String(), s.QueryString())
		assert.NotContains(t, fmt.Sprintf("%v %+v %#v", s, s, s), s.QueryString())
	}
	var body struct {
		Replays []map[string]string `json:"replays"`
	}
	srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/replays/sign/bulk").JSON(t, &body)
	assert.Equal(t, []map[string]string{{"replay_id": ids[0], "replay_env": "prod"}, {"replay_id": ids[1], "replay_env": "prod"}}, body.Replays)

	_, err = c.SignReplays(context.Background(), ids, "staging")
	require.ErrorContains(t, err, `env: must be "prod" or "dev"`)
}

func TestSignReplaysSensitiveData(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.ReplaySensitiveData = true
	_, err := srv.Client(t).SignReplays(context.Background(), []string{mixpaneltest.ReplayLogin}, "prod")
	var access *mixpanel.ReplayAccessError
	require.ErrorAs(t, err, &access)
	assert.Contains(t, err.Error(), "sensitive_data_replay")
	assert.Contains(t, err.Error(), "12345")

	// Any other 403 is an ordinary permission error.
	srv.Data.ReplaySensitiveData = false
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/projects/12345/replays/sign/bulk", Status: http.StatusForbidden, Body: `{"error":"permission denied","status":"error"}`, Times: 1})
	_, err = srv.Client(t).SignReplays(context.Background(), []string{mixpaneltest.ReplayLogin}, "prod")
	require.Error(t, err)
	assert.False(t, errors.As(err, &access))
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindForbidden))
}

// walk signs and walks one replay of the fake, counting the events fed.
func walk(t *testing.T, ctx context.Context, c *mixpanel.Client, id string, retention int, opts mixpanel.WalkOptions) (mixpanel.WalkStats, int, error) {
	t.Helper()
	signed, err := c.SignReplays(ctx, []string{id}, "prod")
	require.NoError(t, err)
	if opts.Resign == nil {
		opts.Resign = func(ctx context.Context) (replay.SignedReplay, error) {
			s, err := c.SignReplays(ctx, []string{id}, "prod")
			if err != nil {
				return replay.SignedReplay{}, err
			}
			return s[0], nil
		}
	}
	events := 0
	stats, err := c.WalkReplay(ctx, signed[0], retention, opts, func(_ int, r io.Reader) error {
		res, err := replay.Analyze(r, replay.Options{})
		if err != nil {
			return err
		}
		events += res.EventCount
		return nil
	})
	return stats, events, err
}

func TestWalkReplay(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*mixpaneltest.Replay)
		fail       *mixpaneltest.Failure
		id         string
		retention  int
		opts       mixpanel.WalkOptions
		wantFiles  int
		wantEvents int
		wantSigns  int
		resigned   bool
		truncated  bool
		wantErr    any
		errHas     string
	}{
		{name: "404 after the last file ends the walk", id: mixpaneltest.ReplayLogin, retention: 30,
			edit: func(r *mixpaneltest.Replay) { r.FileEvents = 50 }, wantFiles: 5, wantEvents: 228, wantSigns: 1},
		{name: "a 404 on the first file is not found", id: mixpaneltest.ReplayAgedOut, retention: 1,
			wantErr: new(*mixpanel.ReplayNotFoundError), errHas: "aged out of its retention window (1 days)", wantSigns: 1},
		{name: "the wrong retention names missing files", id: mixpaneltest.ReplayLogin, retention: 7,
			wantErr: new(*mixpanel.ReplayNotFoundError), wantSigns: 1},
		{name: "an expired signature is renewed once", id: mixpaneltest.ReplayRage, retention: 7,
			edit: func(r *mixpaneltest.Replay) { r.ExpiredSignings = 1; r.FileEvents = 20 }, wantFiles: 7, wantEvents: 127, wantSigns: 2, resigned: true},
		{name: "a 403 in the middle re-signs and retries that file", id: mixpaneltest.ReplayLogin, retention: 30,
			fail: &mixpaneltest.Failure{Path: "/srr-us/sha-12345/" + mixpaneltest.ReplayLogin + "/0002-30.json", Status: http.StatusForbidden, Body: "Forbidden", Times: 1},
			edit: func(r *mixpaneltest.Replay) { r.FileEvents = 50 }, wantFiles: 5, wantEvents: 228, wantSigns: 2, resigned: true},
		{name: "a second refusal is an expiry", id: mixpaneltest.ReplayRage, retention: 7,
			edit:    func(r *mixpaneltest.Replay) { r.ExpiredSignings = 2 },
			wantErr: new(*mixpanel.SignedURLExpiredError), errHas: "expired (5-minute TTL)", wantSigns: 2},
		{name: "max_files stops the walk", id: mixpaneltest.ReplayLogin, retention: 30, opts: mixpanel.WalkOptions{MaxFiles: 2},
			edit: func(r *mixpaneltest.Replay) { r.FileEvents = 50 }, wantFiles: 2, wantEvents: 100, wantSigns: 1, truncated: true},
		{name: "a file cut off in transit is fetched again", id: mixpaneltest.ReplayLogin, retention: 30,
			fail: &mixpaneltest.Failure{Path: "/srr-us/sha-12345/" + mixpaneltest.ReplayLogin + "/0001-30.json", Status: http.StatusOK, Body: `[{"type":4,"data":`, CutOff: true, Times: 2},
			edit: func(r *mixpaneltest.Replay) { r.FileEvents = 50 }, wantFiles: 5, wantEvents: 228, wantSigns: 1},
		{name: "a file cut off every time fails with the file named", id: mixpaneltest.ReplayLogin, retention: 30,
			fail:    &mixpaneltest.Failure{Path: "/srr-us/sha-12345/" + mixpaneltest.ReplayLogin + "/0001-30.json", Status: http.StatusOK, Body: `[{"type":4,"data":`, CutOff: true},
			wantErr: new(*mixpanel.APIError), errHas: "replay CDN 0001-30.json: transport: the file was cut off after 18 bytes: unexpected EOF", wantSigns: 1},
		{name: "another status fails with the file named", id: mixpaneltest.ReplayLogin, retention: 30,
			fail:    &mixpaneltest.Failure{Path: "/srr-us/sha-12345/" + mixpaneltest.ReplayLogin + "/0001-30.json", Status: http.StatusBadGateway, Body: "bad gateway"},
			wantErr: new(*mixpanel.APIError), errHas: "0001-30.json", wantSigns: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := replayFake(t, tt.edit)
			if tt.fail != nil {
				srv.Fail(*tt.fail)
			}
			c := srv.Client(t)
			stats, events, err := walk(t, context.Background(), c, tt.id, tt.retention, tt.opts)
			assert.Equal(t, tt.wantSigns, signRequests(srv), "sign calls")
			for _, r := range cdnRequests(srv) {
				assert.Empty(t, r.AuthType, "the CDN must not get Mixpanel credentials")
			}
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorAs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), tt.errHas)
				assert.NotContains(t, err.Error(), "Signature=")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantFiles, stats.Files)
			assert.Equal(t, tt.wantEvents, events)
			assert.Equal(t, tt.resigned, stats.Resigned)
			assert.Equal(t, tt.truncated, stats.Truncated)
		})
	}
}

// inflight counts concurrent requests to the CDN.
type inflight struct {
	base     http.RoundTripper
	cur, max atomic.Int64
}

func (f *inflight) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, cdnPathPrefix) {
		return f.base.RoundTrip(r)
	}
	n := f.cur.Add(1)
	defer f.cur.Add(-1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	return f.base.RoundTrip(r)
}

func TestWalkReplayBoundsParallelism(t *testing.T) {
	for _, conc := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(conc), func(t *testing.T) {
			srv := replayFake(t, func(r *mixpaneltest.Replay) { r.FileEvents = 10 })
			// Slow CDN answers make requests overlap as much as the walk allows.
			srv.Fail(mixpaneltest.Failure{Delay: 15 * time.Millisecond})
			counter := &inflight{base: http.DefaultTransport}
			cfg := srv.Config()
			cfg.HTTPClient = &http.Client{Transport: counter}
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			stats, events, err := walk(t, context.Background(), c, mixpaneltest.ReplayLogin, 30, mixpanel.WalkOptions{Concurrency: conc})
			require.NoError(t, err)
			assert.Equal(t, 23, stats.Files)
			assert.Equal(t, 228, events)
			assert.LessOrEqual(t, counter.max.Load(), int64(conc), "in-flight CDN requests")
			if conc > 1 {
				assert.Greater(t, counter.max.Load(), int64(1), "files are fetched in parallel")
			}
		})
	}
}

func TestWalkReplayCancellation(t *testing.T) {
	srv := replayFake(t, func(r *mixpaneltest.Replay) { r.FileEvents = 10 })
	c := srv.Client(t)
	signed, err := c.SignReplays(context.Background(), []string{mixpaneltest.ReplayLogin}, "prod")
	require.NoError(t, err)
	srv.Fail(mixpaneltest.Failure{Delay: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	fed := 0
	_, err = c.WalkReplay(ctx, signed[0], 30, mixpanel.WalkOptions{Concurrency: 4}, func(int, io.Reader) error {
		fed++
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, fed, "nothing is fed after cancellation")
	requested := len(cdnRequests(srv))
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, requested, len(cdnRequests(srv)), "no CDN request starts after the walk returned")
}

func TestWalkReplaySortsEachFile(t *testing.T) {
	actions := func(reverse bool) string {
		srv := replayFake(t, func(r *mixpaneltest.Replay) { r.FileEvents = 40; r.ReverseFiles = reverse })
		r, _, err := srv.Client(t).FetchReplay(context.Background(), mixpaneltest.ReplayLogin, mixpanel.FetchOptions{})
		require.NoError(t, err)
		return replay.Timeline(r.Actions)
	}
	assert.Equal(t, actions(false), actions(true))
}

func TestFetchReplay(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	r, stats, err := c.FetchReplay(context.Background(), mixpaneltest.ReplayLogin, mixpanel.FetchOptions{IncludeEvents: true, EventProperties: []string{"plan"}})
	require.NoError(t, err)
	require.NoError(t, r.Validate())
	assert.Equal(t, "jane.doe@acme.io", r.DistinctID)
	assert.Equal(t, 30, r.RetentionDays)
	assert.Equal(t, 228, r.EventCount)
	assert.Equal(t, 4, stats.Files)
	assert.Empty(t, r.RRWebEvents, "raw rrweb only on request")
	whole, err := os.Open("replay/testdata/web_login_board.json")
	require.NoError(t, err)
	defer whole.Close()
	want, err := replay.Analyze(whole, replay.Options{})
	require.NoError(t, err)
	require.NotEmpty(t, want.Actions)
	assert.Equal(t, want.Actions, r.Actions, "the walk file by file yields the actions of the whole recording")
	assert.Contains(t, r.PagePath()[0], "/login")
	require.Len(t, r.MixpanelEvents, 5)
	assert.Equal(t, "Page View", r.MixpanelEvents[0].EventName)
	assert.Equal(t, map[string]any{"plan": "team"}, r.MixpanelEvents[0].Properties)
	assert.Equal(t, r.StartTime/1000, r.MixpanelEvents[0].EventTime, "Unix seconds")
	for _, e := range r.MixpanelEvents {
		require.NoError(t, e.Validate())
	}

	raw, _, err := c.FetchReplay(context.Background(), mixpaneltest.ReplayLogin, mixpanel.FetchOptions{KeepRaw: true, RetentionDays: 30})
	require.NoError(t, err)
	assert.Len(t, raw.RRWebEvents, 228)
}

func TestFetchReplayMobileRecording(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, _, err := srv.Client(t).FetchReplay(context.Background(), mixpaneltest.ReplayNative, mixpanel.FetchOptions{})
	require.ErrorIs(t, err, replay.ErrNotRRWeb)
	assert.Contains(t, err.Error(), mixpaneltest.ReplayNative)
	assert.Contains(t, err.Error(), "mobile")
}

func TestFetchReplays(t *testing.T) {
	srv := mixpaneltest.New(t)
	var mu sync.Mutex
	var progress []string
	ids := []string{mixpaneltest.ReplayLogin, mixpaneltest.ReplayNative, mixpaneltest.ReplayRage, mixpaneltest.ReplayAgedOut, mixpaneltest.ReplayLogin}
	bundle, failures, err := srv.Client(t).FetchReplays(context.Background(), ids, mixpanel.FetchOptions{
		IncludeEvents: true,
		Progress: func(done, total int, id string) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, fmt.Sprintf("%d/%d", done, total))
		},
	})
	require.NoError(t, err)
	require.NoError(t, bundle.Validate())
	var got []string
	for _, r := range bundle.Replays {
		got = append(got, r.ReplayID)
	}
	assert.Equal(t, []string{mixpaneltest.ReplayLogin, mixpaneltest.ReplayRage}, got, "input order, duplicates dropped")
	require.Len(t, failures, 2)
	assert.Equal(t, mixpaneltest.ReplayNative, failures[0].ReplayID)
	assert.Contains(t, failures[0].Error, "rrweb")
	assert.Equal(t, mixpaneltest.ReplayAgedOut, failures[1].ReplayID)
	assert.Contains(t, failures[1].Error, "not found")
	assert.ElementsMatch(t, []string{"1/4", "2/4", "3/4", "4/4"}, progress)
	assert.Len(t, bundle.Replays[0].MixpanelEvents, 5)
	assert.Len(t, bundle.Replays[1].MixpanelEvents, 3)
	assert.Equal(t, 1, signRequests(srv), "one bulk signing for the bundle")
}

func TestFetchReplaysCancelled(t *testing.T) {
	srv := mixpaneltest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv.Fail(mixpaneltest.Failure{Delay: 30 * time.Millisecond})
	_, _, err := srv.Client(t).FetchReplays(ctx, []string{mixpaneltest.ReplayLogin, mixpaneltest.ReplayRage, mixpaneltest.ReplayCheckout}, mixpanel.FetchOptions{
		RetentionDays: 30, Concurrency: 1,
		Progress: func(int, int, string) { cancel() },
	})
	require.ErrorIs(t, err, context.Canceled)
}

func TestReplayEvents(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	got, err := c.ReplayEvents(context.Background(), []string{mixpaneltest.ReplayRage, mixpaneltest.ReplayPhone, "r-unknown"}, nil, "", "")
	require.NoError(t, err)
	require.Len(t, got, 2, "replays without events are absent")
	rage := got[mixpaneltest.ReplayRage]
	require.Len(t, rage, 3)
	assert.Equal(t, []string{"Export Failed", "Export Failed", "Docs Viewed"}, []string{rage[0].EventName, rage[1].EventName, rage[2].EventName})
	assert.Nil(t, rage[0].Properties)
	assert.Less(t, rage[0].EventTime, rage[2].EventTime)

	_, err = c.ReplayEvents(context.Background(), []string{"r"}, []string{"a", "b", "c", "d", "e", "f"}, "", "")
	require.ErrorContains(t, err, "event_properties: at most 5")
}

// TestReplaySecretsStayOut runs every replay path that touches the signed
// query string, with debug logging, and looks for the credential in the
// log, in errors and in results.
func TestReplaySecretsStayOut(t *testing.T) {
	var logs lockedBuffer
	srv := replayFake(t, func(r *mixpaneltest.Replay) {
		if r.ID == mixpaneltest.ReplayRage {
			r.ExpiredSignings = 2
		}
		r.FileEvents = 50
	})
	srv.Fail(mixpaneltest.Failure{Path: "/srr-us/sha-12345/" + mixpaneltest.ReplayCheckout + "/0001-90.json", Status: http.StatusInternalServerError, Body: "boom"})
	cfg := srv.Config()
	cfg.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel)
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	var texts []string
	bundle, failures, err := c.FetchReplays(ctx, []string{mixpaneltest.ReplayLogin, mixpaneltest.ReplayRage, mixpaneltest.ReplayCheckout, mixpaneltest.ReplayAgedOut, mixpaneltest.ReplayNative}, mixpanel.FetchOptions{})
	require.NoError(t, err)
	require.Len(t, failures, 4)
	for _, f := range failures {
		texts = append(texts, f.Error)
	}
	texts = append(texts, fmt.Sprintf("%v %+v", bundle, bundle.Replays[0]), bundle.SummaryMarkdown())
	signed, err := c.SignReplays(ctx, []string{mixpaneltest.ReplayLogin}, "prod")
	require.NoError(t, err)
	texts = append(texts, fmt.Sprint(signed), fmt.Sprintf("%+v %#v %q %x", signed[0], signed[0], signed[0], signed[0]))

	var secrets []string
	for _, r := range cdnRequests(srv) {
		secrets = append(secrets, r.Query.Get("Signature"), r.Query.Get("URLPrefix"))
	}
	require.NotEmpty(t, secrets)
	require.Contains(t, logs.String(), "replay CDN file", "debug logging was on")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s, "log")
		for _, tx := range texts {
			assert.NotContains(t, tx, s)
		}
	}
}

// BenchmarkFetchReplay measures one replay's discovery, signing, CDN walk
// and analysis against the in-process fake.
func BenchmarkFetchReplay(b *testing.B) {
	srv := mixpaneltest.New(b)
	c := srv.Client(b)
	size, err := mixpaneltest.RecordingBytes(srv.Data.Replays[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, _, err := c.FetchReplay(context.Background(), mixpaneltest.ReplayLogin, mixpanel.FetchOptions{RetentionDays: 30}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSignReplaysSensitiveDataBodies(t *testing.T) {
	for _, body := range []string{
		`{"error":"SESSION_RECORDING_SENSITIVE_DATA","status":"error"}`,
		`{"error":["SESSION_RECORDING_SENSITIVE_DATA"],"status":"error"}`,
		`{"error":{"code":"SESSION_RECORDING_SENSITIVE_DATA","message":"no access"},"status":"error"}`,
		`SESSION_RECORDING_SENSITIVE_DATA`,
	} {
		t.Run(body, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/projects/12345/replays/sign/bulk", Status: http.StatusForbidden, Body: body})
			_, err := srv.Client(t).SignReplays(context.Background(), []string{mixpaneltest.ReplayLogin}, "prod")
			var access *mixpanel.ReplayAccessError
			require.ErrorAs(t, err, &access)
		})
	}
}

// TestReplaysWithPinnedWorkspace: discovery carries the workspace (its
// data view applies); signing and business context stay project-level.
func TestReplaysWithPinnedWorkspace(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.WorkspaceID = mixpaneltest.WorkspaceID
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	_, _, err = c.FetchReplay(ctx, mixpaneltest.ReplayRage, mixpanel.FetchOptions{})
	require.NoError(t, err)
	_, err = c.GetBusinessContext(ctx, mixpanel.LevelProject, 0)
	require.NoError(t, err)
	assert.Equal(t, mixpaneltest.WorkspaceID, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").Query.Get("workspace_id"))
	srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/replays/sign/bulk")
	srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/business-context")
}
