// Package oauthtest is an in-process fake of Mixpanel's OAuth server
// (dynamic client registration, authorize, token) on loopback, strict
// where the real one is: registered redirect addresses only, S256 PKCE
// checked on the exchange, codes used once, refresh tokens rotated and the
// old one refused.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Server is the fake. Set its exported fields before the flow they affect.
type Server struct {
	*httptest.Server
	// Base is the OAuth base URL, ending in "/oauth/".
	Base string

	mu sync.Mutex
	// RegisterStatus, when not 0, answers every registration with it.
	RegisterStatus int
	// ExpiresIn is the lifetime of access tokens in seconds (default 36000).
	ExpiresIn int
	// AccessToken, when set, makes every issued access token (tests whose
	// Mixpanel fake accepts only one token).
	AccessToken string
	// NoRotate keeps refresh tokens across refreshes (no new one sent).
	NoRotate bool

	clients  map[string]string // client_id -> redirect_uri
	codes    map[string]grant
	refresh  map[string]string // refresh token -> client_id; absent = revoked
	access   map[string]bool
	requests []Request
	n        int
}

type grant struct {
	clientID, redirectURI, challenge string
}

// Request is a request the fake received.
type Request struct {
	Method, Path string
	Form         url.Values
	Body         map[string]any
}

// New starts the fake; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{clients: map[string]string{}, codes: map[string]grant{}, refresh: map[string]string{}, access: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/mcp/register/", s.register)
	mux.HandleFunc("GET /oauth/authorize/", s.authorize)
	mux.HandleFunc("POST /oauth/token/", s.token)
	s.Server = httptest.NewServer(mux)
	s.Base = s.URL + "/oauth/"
	t.Cleanup(s.Close)
	return s
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Revoke makes a refresh token (or every one, for "") invalid.
func (s *Server) Revoke(refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refreshToken == "" {
		clear(s.refresh)
		return
	}
	delete(s.refresh, refreshToken)
}

// ValidAccess reports whether the fake issued this access token.
func (s *Server) ValidAccess(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[token]
}

// Issue adds tokens as if a sign-in had happened for clientID, for tests
// that start signed in.
func (s *Server) Issue(clientID string) (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(clientID)
}

// RegisterClient registers a client for redirectURI directly.
func (s *Server) RegisterClient(redirectURI string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.next("client")
	s.clients[id] = redirectURI
	return id
}

func (s *Server) next(kind string) string {
	s.n++
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%x", kind, s.n, b)
}

func (s *Server) issueLocked(clientID string) (string, string) {
	access := s.AccessToken
	if access == "" {
		access = s.next("access")
	}
	refresh := s.next("refresh")
	s.access[access] = true
	s.refresh[refresh] = clientID
	return access, refresh
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "body is not JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Body: body})
	if s.RegisterStatus != 0 {
		oauthError(w, s.RegisterStatus, "registration_refused", "the fake was told to refuse")
		return
	}
	uris, _ := body["redirect_uris"].([]any)
	if len(uris) != 1 || body["token_endpoint_auth_method"] != "none" {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "one redirect_uri and token_endpoint_auth_method none expected")
		return
	}
	redirect, _ := uris[0].(string)
	if u, err := url.Parse(redirect); err != nil || u.Scheme != "http" || u.Hostname() != "localhost" {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "the redirect host must be localhost")
		return
	}
	id := s.next("client")
	s.clients[id] = redirect
	writeJSON(w, http.StatusCreated, map[string]any{"client_id": id, "redirect_uris": []string{redirect}})
}

// authorize plays the person allowing access: it redirects at once to the
// registered address with a code bound to the challenge.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Form: q})
	registered, ok := s.clients[q.Get("client_id")]
	switch {
	case !ok:
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case q.Get("redirect_uri") != registered:
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "":
		http.Error(w, "response_type=code, state and an S256 code_challenge are required", http.StatusBadRequest)
		return
	}
	code := s.next("code")
	s.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: registered, challenge: q.Get("code_challenge")}
	to := registered + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "form expected")
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Form: f})
	clientID := f.Get("client_id")
	if _, ok := s.clients[clientID]; !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // a code is used once, right or wrong
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case !ok || g.clientID != clientID:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
			return
		case f.Get("redirect_uri") != g.redirectURI:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorize request's")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		}
		access, refresh := s.issueLocked(clientID)
		s.answerTokens(w, access, refresh)
	case "refresh_token":
		old := f.Get("refresh_token")
		owner, ok := s.refresh[old]
		if !ok || owner != clientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "refresh token is invalid, revoked or expired")
			return
		}
		if s.NoRotate {
			access := s.AccessToken
			if access == "" {
				access = s.next("access")
			}
			s.access[access] = true
			s.answerTokens(w, access, "")
			return
		}
		delete(s.refresh, old)
		access, refresh := s.issueLocked(clientID)
		s.answerTokens(w, access, refresh)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
	}
}

func (s *Server) answerTokens(w http.ResponseWriter, access, refresh string) {
	exp := s.ExpiresIn
	if exp == 0 {
		exp = 36000
	}
	body := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": exp, "scope": "projects analysis"}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	writeJSON(w, http.StatusOK, body)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
