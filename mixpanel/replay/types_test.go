package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secretQS = "URLPrefix=aHR0cHM6Ly9jZG4&Expires=1795626400&KeyName=replay-key&Signature=c2VjcmV0LXNpZ25hdHVyZQ"

func TestSignedReplayNeverLeaksTheCredential(t *testing.T) {
	s, err := NewSignedReplay("r-19221", "https://cdn.mxpnl.com/srr-us/sha-12345/", secretQS, "prod", 1795626100)
	require.NoError(t, err)

	holder := struct {
		Signed  SignedReplay
		private SignedReplay
		Ptr     *SignedReplay
	}{s, s, &s}

	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("signed", "replay", s)
	js, err := json.Marshal(s)
	require.NoError(t, err)
	holderJS, err := json.Marshal(holder)
	require.NoError(t, err)

	outputs := map[string]string{
		"String":           s.String(),
		"GoString":         s.GoString(),
		"json":             string(js),
		"json of a holder": string(holderJS),
		"slog":             logs.String(),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs["fmt "+verb] = fmt.Sprintf(verb, s)
		outputs["fmt "+verb+" pointer"] = fmt.Sprintf(verb, &s)
		outputs["fmt "+verb+" holder"] = fmt.Sprintf(verb, holder)
	}
	outputs["error wrapping"] = fmt.Errorf("fetch %v: %w", s, errors.New("boom")).Error()
	for name, out := range outputs {
		assert.NotContains(t, out, "Signature", name)
		assert.NotContains(t, out, "c2VjcmV0", name)
		assert.NotContains(t, out, "Expires", name)
	}
	assert.Equal(t, `SignedReplay(replay_id="r-19221", url="https://cdn.mxpnl.com/srr-us/sha-12345/", query_string="<redacted 96 chars>", env="prod", signed_at=1.7956261e+09)`, s.String())
	assert.JSONEq(t, `{"replay_id":"r-19221","url":"https://cdn.mxpnl.com/srr-us/sha-12345/","env":"prod","signed_at":1795626100}`, string(js))

	// The explicit ways to get the credential.
	assert.Equal(t, secretQS, s.QueryString())
	assert.Equal(t, "https://cdn.mxpnl.com/srr-us/sha-12345/0003-30.json?"+secretQS, s.FileURL(3, 30))
	full, err := json.Marshal(s.WithCredential())
	require.NoError(t, err)
	var back map[string]any
	require.NoError(t, json.Unmarshal(full, &back))
	assert.Equal(t, secretQS, back["query_string"])
	assert.Equal(t, "query_string is a bearer credential valid for ~5 minutes", back["_warning"])

	again, err := NewSignedReplay("r-19221", "https://cdn.mxpnl.com/srr-us/sha-12345/", secretQS, "prod", 1795626100)
	require.NoError(t, err)
	assert.True(t, s.Equal(again))
	resigned, err := NewSignedReplay("r-19221", "https://cdn.mxpnl.com/srr-us/sha-12345/", secretQS+"x", "prod", 1795626100)
	require.NoError(t, err)
	assert.False(t, s.Equal(resigned))

	assert.Equal(t, 1795626400.0, s.ExpiresAt())
	assert.False(t, s.IsExpired(1795626399))
	assert.True(t, s.IsExpired(1795626400))
}

func TestNewSignedReplayValidation(t *testing.T) {
	tests := []struct {
		name, id, url, qs, env string
		at                     float64
		field                  string
	}{
		{"no id", "", "https://c/", "q", "prod", 1, "replay_id"},
		{"no trailing slash", "r", "https://c", "q", "prod", 1, "url"},
		{"no credential", "r", "https://c/", "", "prod", 1, "query_string"},
		{"bad env", "r", "https://c/", "q", "staging", 1, "env"},
		{"negative time", "r", "https://c/", "q", "dev", -1, "signed_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSignedReplay(tt.id, tt.url, tt.qs, tt.env, tt.at)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tt.field, ve.Field)
			assert.True(t, strings.HasPrefix(err.Error(), tt.field+": "))
		})
	}
}

func TestTypeValidation(t *testing.T) {
	good := ReplaySummary{ReplayID: "r", ProjectID: 1, StartTime: 1, RetentionDays: 30}
	require.NoError(t, good.Validate())
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"summary id", ReplaySummary{ProjectID: 1, StartTime: 1, RetentionDays: 30}.Validate(), "replay_id"},
		{"summary project", ReplaySummary{ReplayID: "r", StartTime: 1, RetentionDays: 30}.Validate(), "project_id"},
		{"summary start", ReplaySummary{ReplayID: "r", ProjectID: 1, RetentionDays: 30}.Validate(), "start_time"},
		{"summary retention", ReplaySummary{ReplayID: "r", ProjectID: 1, StartTime: 1, RetentionDays: 14}.Validate(), "retention_days"},
		{"event time", ReplayEvent{ReplayID: "r", EventName: "e"}.Validate(), "event_time"},
		{"event name", ReplayEvent{ReplayID: "r", EventTime: 1}.Validate(), "event_name"},
		{"action timestamp", UserAction{Action: ActionClick, TargetDesc: "x"}.Validate(), "timestamp"},
		{"action literal", UserAction{Timestamp: 1, Action: "hover", TargetDesc: "x"}.Validate(), "action"},
		{"action target", UserAction{Timestamp: 1, Action: ActionClick}.Validate(), "target_desc"},
		{"replay end", (&Replay{ReplayID: "r", ProjectID: 1, StartTime: 5, EndTime: 4, RetentionDays: 30}).Validate(), "end_time"},
		{"replay id", (&Replay{ProjectID: 1, StartTime: 5, EndTime: 5, RetentionDays: 30}).Validate(), "replay_id"},
		{"replay project", (&Replay{ReplayID: "r", StartTime: 5, EndTime: 5, RetentionDays: 30}).Validate(), "project_id"},
		{"replay start", (&Replay{ReplayID: "r", ProjectID: 1, RetentionDays: 30}).Validate(), "start_time"},
		{"replay retention", (&Replay{ReplayID: "r", ProjectID: 1, StartTime: 5, EndTime: 5, RetentionDays: 3}).Validate(), "retention_days"},
		{"bundle project", (&ReplayBundle{ProjectID: 1, Replays: []*Replay{{ReplayID: "r", ProjectID: 2}}}).Validate(), "replays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *ValidationError
			require.True(t, errors.As(tt.err, &ve), "%v", tt.err)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
	assert.NoError(t, (&Replay{ReplayID: "r", ProjectID: 1, StartTime: 5, EndTime: 5, RetentionDays: 90}).Validate())
	assert.NoError(t, ReplayEvent{ReplayID: "r", EventName: "e", EventTime: 1}.Validate())
}

func TestStringsStayBounded(t *testing.T) {
	r := testReplay(t, "web_login_board")
	assert.Equal(t, `Replay(replay_id="web_login_board", distinct_id="user-web_login_board", project_id=42, events=228, actions=54, mixpanel_events=0, duration_s=21.6)`, r.String())
	b := &ReplayBundle{Replays: []*Replay{r}, ProjectID: 42, ComputedAt: "2026-11-25T00:00:00Z"}
	assert.Equal(t, `ReplayBundle(replays=1, project_id=42, computed_at="2026-11-25T00:00:00Z")`, b.String())
}

func TestReplayHelpers(t *testing.T) {
	r := testReplay(t, "web_login_board")
	signIn := r.ClicksOn(func(a UserAction) bool { return a.IsRealClick() && a.TargetDesc == `button "Sign in"` })
	require.Len(t, signIn, 2)
	assert.Less(t, signIn[0].Timestamp, signIn[1].Timestamp)
	assert.Len(t, r.PagePath(), 4)
	assert.Len(t, r.Errors(), 1)
	assert.InDelta(t, 21.55, r.DurationSeconds(), 0.001)
	assert.Equal(t, "(no description)", UserAction{TargetDesc: "(no description)"}.Line(), "the timeline falls back to the target")
	assert.Equal(t, "", SignedReplay{}.QueryString())
	assert.Equal(t, []*Replay{}, NewBundle(1, nil).Replays)
}
