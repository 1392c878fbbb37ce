package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
)

// serveHTTP serves streamable HTTP on opts.Listen at /mcp, with /healthz,
// until ctx ends; then it drains in-flight requests.
func serveHTTP(ctx context.Context, s *server.MCPServer, opts *options, logger zerolog.Logger) error {
	handler, err := httpHandler(s, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info().Str("transport", "http").Str("addr", "http://"+ln.Addr().String()+"/mcp").Bool("stateless", opts.Stateless).Bool("auth", opts.AuthToken != "").Str("version", version).Msg("mcp-server ready")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info().Msg("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// httpHandler wraps the MCP endpoint with the bearer-token and Origin
// checks. Binding beyond loopback without a token is refused: anyone who
// can reach the port could otherwise query the customer's data.
func httpHandler(s *server.MCPServer, opts *options) (http.Handler, error) {
	if !isLoopback(opts.Listen) && opts.AuthToken == "" {
		return nil, fmt.Errorf("--listen %s is not a loopback address: set --auth-token (or MCP_AUTH_TOKEN) so that only clients with the token can call the server", opts.Listen)
	}
	mcpHandler := server.NewStreamableHTTPServer(s, server.WithEndpointPath("/mcp"), server.WithStateLess(opts.Stateless))
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("/mcp", guard(mcpHandler, opts))
	return mux, nil
}

func guard(next http.Handler, opts *options) http.Handler {
	want := sha256.Sum256([]byte(opts.AuthToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, opts.AllowedOrigins) {
			http.Error(w, "forbidden origin", http.StatusForbidden)
			return
		}
		if opts.AuthToken != "" {
			token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
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
