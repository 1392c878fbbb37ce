package oauth

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Whatever tokens.json holds, a file that reads back writes back the same
// tokens (to the microsecond Python keeps).
func FuzzTokensJSON(f *testing.F) {
	f.Add(`{"access_token": "a", "expires_at": "2026-12-06T08:50:00.123456+00:00", "token_type": "Bearer", "scope": "projects", "refresh_token": "r"}`)
	f.Add(`{"access_token": "a", "expires_at": "2026-12-06T08:50:00Z", "token_type": "Bearer", "scope": ""}`)
	f.Add(`{"expires_at": "not a time"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var tok Tokens
		if json.Unmarshal([]byte(raw), &tok) != nil {
			return
		}
		out, err := json.Marshal(tok)
		if err != nil {
			t.Skip("a time outside JSON's years") // json.Marshal refuses years past 9999
		}
		var back Tokens
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("cannot read back %s: %v", out, err)
		}
		if back.AccessToken != tok.AccessToken || back.RefreshToken != tok.RefreshToken || back.Scope != tok.Scope || back.TokenType != tok.TokenType ||
			!back.ExpiresAt.Equal(tok.ExpiresAt.Truncate(time.Microsecond)) {
			t.Fatalf("round trip changed %+v into %+v", tok, back)
		}
	})
}

// A pasted or redirected address yields a code only with this sign-in's
// state, whatever else it carries.
func FuzzParseRedirect(f *testing.F) {
	f.Add("code=abc&state=s3cret-state")
	f.Add("http://localhost:19284/callback?code=abc&state=other")
	f.Add("error=access_denied&state=s3cret-state")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, paste string) {
		const state = "s3cret-state"
		_, query, ok := strings.Cut(paste, "?")
		if !ok {
			query = paste
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		code, err := parseRedirect(q, state)
		if err == nil && (q.Get("state") != state || code == "" || q.Get("error") != "") {
			t.Fatalf("accepted %q", paste)
		}
	})
}
