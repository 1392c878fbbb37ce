package oauth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Source hands out the access token of one signed-in account, refreshing
// it shortly before it expires and when Mixpanel refuses it. Rotated
// tokens are written back atomically, so the reference library and other
// processes see them. It is safe for concurrent use.
type Source struct {
	Account  string
	Region   string
	Store    Store
	Endpoint *Endpoint
	// SignIn tells a person how to sign in again, e.g. "run `mcp-server
	// login --account prod`"; every error that only a sign-in fixes ends
	// with it.
	SignIn string
	Log    zerolog.Logger

	mu  sync.Mutex
	cur *Tokens
}

// SignInHint is how to sign in again.
func (s *Source) SignInHint() string { return s.SignIn }

// Token returns an access token valid for at least RefreshMargin.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Endpoint.now()
	if s.cur != nil && !s.cur.Expiring(now) {
		return s.cur.AccessToken, nil
	}
	// Another process (the reference's CLI, another server) may have
	// refreshed the tokens: read them again before spending the refresh
	// token.
	t, err := s.load()
	if err != nil {
		return "", err
	}
	if !t.Expiring(now) {
		s.cur = t
		return t.AccessToken, nil
	}
	return s.refresh(ctx, t)
}

// Refresh replaces an access token Mixpanel refused. When the stored
// token already differs from the refused one (another process refreshed
// it), that one is returned without a refresh.
func (s *Source) Refresh(ctx context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.load()
	if err != nil {
		return "", err
	}
	if t.AccessToken != rejected && !t.Expiring(s.Endpoint.now()) {
		s.cur = t
		return t.AccessToken, nil
	}
	return s.refresh(ctx, t)
}

// Expiry reads the stored tokens' expiry and whether a refresh token is
// stored, for a person asking who they are signed in as.
func (s *Source) Expiry() (time.Time, bool, error) {
	t, err := s.load()
	if err != nil {
		return time.Time{}, false, err
	}
	return t.ExpiresAt, t.RefreshToken != "", nil
}

func (s *Source) load() (*Tokens, error) {
	t, path, err := s.Store.LoadTokens(s.Account)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("account %q is not signed in (no %s); %s", s.Account, path, s.SignIn)
	case err != nil:
		return nil, fmt.Errorf("account %q: cannot read its tokens: %w; %s", s.Account, err, s.SignIn)
	}
	return t, nil
}

func (s *Source) refresh(ctx context.Context, t *Tokens) (string, error) {
	if t.RefreshToken == "" {
		return "", fmt.Errorf("account %q: the access token has expired and no refresh token is stored; %s", s.Account, s.SignIn)
	}
	client, err := s.Store.LoadClient(s.Region)
	if err != nil {
		return "", fmt.Errorf("account %q: the OAuth client registered for region %s cannot be read (%v), so the token cannot be refreshed; %s", s.Account, s.Region, err, s.SignIn)
	}
	nt, err := s.Endpoint.Refresh(ctx, client.ClientID, t.RefreshToken)
	if errors.Is(err, ErrRevoked) {
		// Another process holding the same sign-in (a second server, the
		// reference's CLI) may have spent the refresh token first and
		// stored what it got: take that instead of giving up.
		if cur, _, lerr := s.Store.LoadTokens(s.Account); lerr == nil && cur.RefreshToken != t.RefreshToken && !cur.Expiring(s.Endpoint.now()) {
			s.cur = cur
			return cur.AccessToken, nil
		}
		s.Log.Warn().Str("account", s.Account).Msg("oauth refresh token refused: sign in again")
		return "", fmt.Errorf("account %q: Mixpanel refused the refresh token (revoked, or unused for too long): %w; %s", s.Account, err, s.SignIn)
	}
	if err != nil {
		return "", fmt.Errorf("account %q: %w; try again, or %s", s.Account, err, s.SignIn)
	}
	if _, err := s.Store.SaveTokens(s.Account, nt); err != nil {
		// The new tokens still work in this process; a rotated refresh
		// token lost here means the next process must sign in again.
		s.Log.Error().Str("account", s.Account).Str("error", err.Error()).Msg("cannot store the refreshed oauth tokens")
	}
	s.cur = nt
	s.Log.Info().Str("account", s.Account).Time("expires_at", nt.ExpiresAt).Msg("oauth access token refreshed")
	return nt.AccessToken, nil
}
