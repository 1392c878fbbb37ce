package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
)

// minRemoteTokenLen is the shortest bearer token accepted for a bind
// beyond loopback: anything shorter can be guessed.
const minRemoteTokenLen = 16

// shutdownGrace bounds how long in-flight requests may take to finish
// after SIGTERM; their tool calls are cancelled at once, so they normally
// need milliseconds.
const shutdownGrace = 5 * time.Second

// maxHeaderTimeout caps the time to send request headers.
const maxHeaderTimeout = 10 * time.Second

// serveHTTP serves streamable HTTP on opts.Listen at /mcp, with /healthz,
// until ctx ends. Then it stops accepting, cancels in-flight tool calls
// (each still gets its answer), ends every session and returns.
func serveHTTP(ctx context.Context, s *server.MCPServer, calls *callCanceller, opts *options, logger zerolog.Logger) error {
	svc, err := newHTTPService(s, opts, logger)
	if err != nil {
		return err
	}
	if opts.AuthTokenTrimmed {
		logger.Warn().Msg("the auth token had surrounding whitespace or a trailing newline, which was removed; clients must send the token without it")
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	srv := svc.server()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info().Str("transport", "http").Str("addr", "http://"+ln.Addr().String()+"/mcp").Bool("stateless", opts.Stateless).Bool("auth", opts.AuthToken != "").Str("version", version).Msg("mcp-server ready")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info().Msg("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	drained := make(chan error, 1)
	go func() { drained <- srv.Shutdown(shutdownCtx) }() // closes the listener first
	calls.cancelAll()
	_ = svc.mcp.Shutdown(shutdownCtx) // ends listening streams and sessions; mcp-go owns no listener here
	if err := <-drained; err != nil {
		logger.Warn().Err(err).Msg("requests still open after the shutdown grace period; closing their connections")
		_ = srv.Close()
	}
	return nil
}

// httpService is the HTTP endpoint: mcp-go's streamable HTTP server behind
// the checks of this file.
type httpService struct {
	opts     *options
	mcp      *server.StreamableHTTPServer
	sessions *sessionTable // nil when stateless
	ids      *surrogates
	handler  http.Handler
	srv      *server.MCPServer // its tools/list is answered here (listResult)
}

// newHTTPService builds the handler. Binding beyond loopback without a
// token of some length is refused: anyone who can reach the port could
// otherwise query the customer's data.
func newHTTPService(s *server.MCPServer, opts *options, logger zerolog.Logger) (*httpService, error) {
	if !isLoopback(opts.Listen) {
		if opts.AuthToken == "" {
			return nil, fmt.Errorf("--listen %s is not a loopback address: set --auth-token (or MCP_AUTH_TOKEN) so that only clients with the token can call the server", opts.Listen)
		}
		if n := len([]rune(opts.AuthToken)); n < minRemoteTokenLen {
			return nil, fmt.Errorf("--auth-token: the token has %d characters; a server listening beyond loopback (%s) needs at least %d (generate one with: openssl rand -hex 32)", n, opts.Listen, minRemoteTokenLen)
		}
	}
	svc := &httpService{opts: opts, ids: newSurrogates(), srv: s}
	mcpOpts := []server.StreamableHTTPOption{
		server.WithEndpointPath("/mcp"),
		// guard checks the Host header itself, so --allowed-hosts can
		// admit a reverse proxy's public name.
		server.WithDisableLocalhostProtection(true),
		server.WithStreamableHTTPLogger(slog.New(debugInfo{zerolog.NewSlogHandler(logger)})),
	}
	if opts.Stateless {
		mcpOpts = append(mcpOpts, server.WithStateLess(true))
	} else {
		svc.sessions = newSessionTable(opts.MaxSessions)
		mcpOpts = append(mcpOpts,
			server.WithSessionIdManagerResolver(svc.sessions),
			server.WithSessionIdleTTL(opts.SessionIdle))
	}
	svc.mcp = server.NewStreamableHTTPServer(s, mcpOpts...)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("/mcp", guard(http.HandlerFunc(svc.serveMCP), opts))
	if m := opts.Metrics; m != nil {
		if svc.sessions != nil {
			m.gauge("mcp_sessions_live", "Live MCP sessions (stateful HTTP).", func() float64 { return float64(svc.sessions.Len()) })
		}
		if opts.MetricsListen == "" && isLoopback(opts.Listen) {
			mux.Handle("/metrics", guard(m.handler(), opts))
		}
	}
	svc.handler = mux
	return svc, nil
}

// debugInfo logs mcp-go's info records (one per expired session) at debug
// level; its warnings and errors keep theirs.
type debugInfo struct{ slog.Handler }

func (h debugInfo) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return h.Handler.Enabled(ctx, l)
}

func (h debugInfo) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return h.Handler.Handle(ctx, r)
}

func (h debugInfo) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugInfo{h.Handler.WithAttrs(attrs)}
}

func (h debugInfo) WithGroup(name string) slog.Handler { return debugInfo{h.Handler.WithGroup(name)} }

// server is the http.Server with the configured timeouts. ReadTimeout
// bounds sending the request only (net/http lifts the deadline once the
// body is read); there is no write timeout, as answers stream for as long
// as a tool call runs.
func (svc *httpService) server() *http.Server {
	return &http.Server{
		Handler:           svc.handler,
		ReadHeaderTimeout: min(maxHeaderTimeout, svc.opts.ReadTimeout),
		ReadTimeout:       svc.opts.ReadTimeout,
		IdleTimeout:       svc.opts.IdleTimeout,
	}
}

// serveMCP bounds and reads the request body, applies the session rules
// and the JSON-RPC id layer (ids.go), then hands the request to mcp-go.
func (svc *httpService) serveMCP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if r.ContentLength > svc.opts.MaxBodyBytes {
			svc.tooLarge(w)
			return
		}
		body, err := readBody(w, r, svc.opts.MaxBodyBytes)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			svc.tooLarge(w)
			return
		case err != nil:
			// A read timeout (a client trickling its body) or a broken
			// connection: nobody is left to read an answer.
			http.Error(w, "request body not received: "+err.Error(), http.StatusRequestTimeout)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		svc.servePost(w, r, body)
		return
	}
	if svc.sessions != nil && (r.Method == http.MethodGet || r.Method == http.MethodDelete) && !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
		id := r.Header.Get(server.HeaderKeySessionID)
		if id == "" {
			http.Error(w, "missing "+server.HeaderKeySessionID+" header: send initialize first and repeat the session id it returns", http.StatusBadRequest)
			return
		}
		if !svc.sessions.has(id) {
			http.Error(w, "unknown or ended session: initialize a new one", http.StatusNotFound)
			return
		}
	}
	svc.mcp.ServeHTTP(w, r)
}

func (svc *httpService) servePost(w http.ResponseWriter, r *http.Request, body []byte) {
	verdict, id, method := inspectID(body)
	switch verdict {
	case idInvalid:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(invalidIDAnswer(id))
		return
	case idSurrogate:
		swapped, sur, err := svc.ids.swap(bytes.TrimSpace(body))
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(swapped))
			r.ContentLength = int64(len(swapped))
			w = &idRestorer{ResponseWriter: w, sur: sur, raw: id}
		}
	}
	if verdict != idInvalid && svc.answersList(r) {
		if result := listResult(svc.srv, r.Header.Get(server.HeaderKeySessionID), body, id, method); result != nil {
			w.Header().Set("Content-Type", "application/json")
			_ = writeAnswer(w, id, result, "")
			return
		}
	}
	if svc.sessions != nil && methodIs(method, string(mcp.MethodInitialize)) {
		res, ok := svc.sessions.reserve()
		if !ok {
			writeJSONRPCError(w, http.StatusServiceUnavailable, id, mcp.INTERNAL_ERROR,
				fmt.Sprintf("the server holds its maximum of %d sessions; retry later, or end unused sessions with DELETE", svc.opts.MaxSessions))
			return
		}
		defer res.release()
		r = r.WithContext(withReservation(r.Context(), res))
	}
	svc.mcp.ServeHTTP(w, r)
}

// answersList reports whether this request's tools/list can be answered
// from the encoded result, in front of mcp-go: a protocol version before
// 2026-07-28 (later ones add fields to results), and in the stateful mode
// a session this server issued and has not ended; mcp-go answers the rest
// with its own errors.
func (svc *httpService) answersList(r *http.Request) bool {
	if v := r.Header.Get(mcp.HeaderProtocolVersion); v != "" && (!mcp.IsValidProtocolVersion(v) || mcp.IsModernProtocol(v)) {
		return false
	}
	return svc.sessions == nil || svc.sessions.has(r.Header.Get(server.HeaderKeySessionID))
}

// readBody reads a request body of at most limit bytes, in one allocation
// when the client declared its length.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength <= 0 {
		return io.ReadAll(body)
	}
	buf := make([]byte, r.ContentLength)
	n, err := io.ReadFull(body, buf)
	if err != nil {
		return buf[:n], err
	}
	return buf, nil
}

func (svc *httpService) tooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	writeJSONRPCError(w, http.StatusRequestEntityTooLarge, nil, mcp.INVALID_REQUEST,
		fmt.Sprintf("request body exceeds %d bytes (--max-body-bytes); send a smaller request", svc.opts.MaxBodyBytes))
}

// methodIs reports whether a message's method as written (a quoted JSON
// string, as inspectID returns it) is name.
func methodIs(quoted []byte, name string) bool {
	if len(quoted) == len(name)+2 && quoted[0] == '"' && string(quoted[1:len(quoted)-1]) == name {
		return true
	}
	if bytes.IndexByte(quoted, '\\') < 0 {
		return false
	}
	var m string
	return json.Unmarshal(quoted, &m) == nil && m == name
}

func writeJSONRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// idRestorer puts the id as received back into the answer of a request
// whose id was swapped for a surrogate. mcp-go writes each message, JSON
// or SSE event, in one Write.
type idRestorer struct {
	http.ResponseWriter
	sur, raw []byte
	done     bool
}

func (w *idRestorer) Write(p []byte) (int, error) {
	out := p
	if !w.done {
		out, w.done = restoreID(p, w.sur, w.raw)
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *idRestorer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *idRestorer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// guard applies the Host, Origin and bearer-token checks.
func guard(next http.Handler, opts *options) http.Handler {
	want := sha256.Sum256([]byte(opts.AuthToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(r, opts.AllowedHosts) {
			http.Error(w, fmt.Sprintf("forbidden Host %q: not in --allowed-hosts", r.Host), http.StatusForbidden)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, opts.AllowedOrigins) {
			http.Error(w, "forbidden origin", http.StatusForbidden)
			return
		}
		if opts.AuthToken != "" {
			token, ok := bearerToken(r.Header.Get("Authorization"))
			got := sha256.Sum256([]byte(token))
			if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="mixpanel-mcp"`)
				http.Error(w, "missing or invalid bearer token", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken reads "Bearer <token>"; the scheme is case-insensitive
// (RFC 9110 §11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// hostAllowed is the DNS-rebinding check. With --allowed-hosts the Host
// header must be one of them (a bare host matches any port). Without it, a
// request that reached a loopback address must name a loopback host: a
// page on attacker.example that rebinds its name to 127.0.0.1 still sends
// Host: attacker.example.
func hostAllowed(r *http.Request, allowed []string) bool {
	host := strings.ToLower(r.Host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if len(allowed) > 0 {
		for _, a := range allowed {
			if a == host || a == name {
				return true
			}
		}
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || !addrIsLoopback(local) {
		return true
	}
	return isLoopbackHost(strings.Trim(name, "[]"))
}

// originAllowed accepts configured origins and, by default, browser pages
// served from loopback; anything else is a DNS-rebinding or cross-site
// attempt.
func originAllowed(origin string, allowed []string) bool {
	origin = strings.TrimRight(origin, "/")
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return isLoopbackHost(u.Hostname())
}

// addrIsLoopback is isLoopback of a listener's address, without
// formatting and parsing it back for TCP.
func addrIsLoopback(a net.Addr) bool {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.IsLoopback()
	}
	return isLoopback(a.String())
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackHost(host)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
