package oauth

import (
	"bufio"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultPorts are the loopback ports the redirect may come back to, the
// reference's: the first free one is used.
var DefaultPorts = []int{19284, 19285, 19286, 19287}

// DefaultLoginTimeout is how long a sign-in waits for the browser.
const DefaultLoginTimeout = 5 * time.Minute

// Login is one browser sign-in.
type Login struct {
	Endpoint *Endpoint
	Store    Store
	Region   string
	// Ports to try for the redirect listener; nil means DefaultPorts.
	Ports []int
	// Open opens a URL in the person's browser. Nil, or NoBrowser, prints
	// the URL instead.
	Open func(url string) error
	// NoBrowser prints the URL and also accepts the address the browser
	// was redirected to, pasted on Stdin: the way to sign in from a
	// machine without a browser.
	NoBrowser bool
	Stdin     io.Reader
	// Out receives the instructions for the person.
	Out io.Writer
	// Timeout bounds the wait for the browser; 0 means DefaultLoginTimeout.
	Timeout time.Duration
}

type callback struct {
	code string
	err  error
}

// Run signs in and returns the new tokens; it does not store them.
func (l *Login) Run(ctx context.Context) (*Tokens, error) {
	pkce, err := NewPKCE()
	if err != nil {
		return nil, err
	}
	state, err := randomString(32)
	if err != nil {
		return nil, err
	}
	ln, port, err := listen(l.Ports)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	redirectURI := "http://localhost:" + strconv.Itoa(port) + "/callback"

	client, err := l.client(ctx, redirectURI)
	if err != nil {
		return nil, err
	}
	authURL := l.Endpoint.AuthorizeURL(client.ClientID, redirectURI, state, pkce)

	results := make(chan callback, 1)
	deliver := func(c callback) {
		select {
		case results <- c:
		default: // the sign-in already has its answer
		}
	}
	srv := &http.Server{Handler: callbackHandler(state, deliver), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	// A browser may resolve localhost to ::1 first; answer there too
	// when the port is free on IPv6.
	if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port))); err == nil {
		go func() { _ = srv.Serve(ln6) }()
	}
	// Shut down, not closed: the browser's callback page may still be on
	// its way when the exchange is done (closing cut it off, and the
	// browser showed a failed load after a sign-in that worked).
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}()

	out := l.Out
	if out == nil {
		out = io.Discard
	}
	if l.NoBrowser || l.Open == nil {
		fmt.Fprintf(out, "Open this address in a browser and allow access to Mixpanel:\n\n  %s\n\n", authURL)
		fmt.Fprintf(out, "If the browser runs on this machine, the sign-in finishes by itself. Otherwise the browser ends on an address starting with %s that does not load: copy that whole address, paste it here and press Enter.\n", redirectURI)
		if l.Stdin != nil {
			go readPaste(l.Stdin, state, deliver)
		}
	} else {
		fmt.Fprintf(out, "Opening your browser to sign in to Mixpanel. If it does not open, visit:\n\n  %s\n\n", authURL)
		if err := l.Open(authURL); err != nil {
			fmt.Fprintf(out, "Could not open a browser (%v); open the address above yourself.\n", err)
		}
	}

	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	wait := time.NewTimer(timeout)
	defer wait.Stop()
	var got callback
	select {
	case got = <-results:
	case <-wait.C:
		return nil, &Error{Step: "sign-in", Message: fmt.Sprintf("no answer from the browser within %s", timeout)}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if got.err != nil {
		return nil, got.err
	}
	return l.Endpoint.Exchange(ctx, client.ClientID, got.code, redirectURI, pkce.Verifier)
}

// client returns the region's registered client when it was registered
// for this redirect address, else registers one and stores it (a missing
// or unreadable file is replaced the same way).
func (l *Login) client(ctx context.Context, redirectURI string) (*ClientInfo, error) {
	if c, err := l.Store.LoadClient(l.Region); err == nil && c.RedirectURI == redirectURI {
		return c, nil
	}
	c, err := l.Endpoint.Register(ctx, l.Region, redirectURI)
	if err != nil {
		return nil, err
	}
	if err := l.Store.SaveClient(c); err != nil {
		return nil, fmt.Errorf("store the registered client: %w", err)
	}
	return c, nil
}

// listen takes the first free loopback port of ports.
func listen(ports []int) (net.Listener, int, error) {
	if ports == nil {
		ports = DefaultPorts
	}
	var last error
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			return ln, p, nil
		}
		last = err
	}
	names := make([]string, len(ports))
	for i, p := range ports {
		names[i] = strconv.Itoa(p)
	}
	return nil, 0, &Error{Step: "sign-in", Message: fmt.Sprintf("Mixpanel redirects the browser to a loopback port (%s), and none is free (%v); stop what holds them, such as another sign-in still waiting, and try again", strings.Join(names, ", "), last)}
}

// callbackHandler answers the browser's redirect. A redirect whose state
// is not this sign-in's is refused and ends the sign-in: it belongs to
// another sign-in or was forged.
func callbackHandler(state string, deliver func(callback)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		code, err := parseRedirect(r.URL.Query(), state)
		if errors.Is(err, errIncomplete) {
			page(w, http.StatusBadRequest, "Sign-in incomplete", "This address lacks the code and state Mixpanel adds. Start the sign-in again.")
			return
		}
		if err != nil {
			page(w, http.StatusBadRequest, "Sign-in failed", err.Error()+". You can close this tab.")
			deliver(callback{err: err})
			return
		}
		page(w, http.StatusOK, "Signed in to Mixpanel", "You can close this tab and return to the terminal.")
		deliver(callback{code: code})
	})
}

var errIncomplete = errors.New("the address lacks the code and state parameters")

// parseRedirect reads the authorization code of a redirect and checks its state.
func parseRedirect(q url.Values, state string) (string, error) {
	if e := q.Get("error"); e != "" {
		return "", &Error{Step: "sign-in", Code: clip(e), Message: clip(q.Get("error_description"))}
	}
	code, got := q.Get("code"), q.Get("state")
	if code == "" || got == "" {
		return "", errIncomplete
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return "", &Error{Step: "sign-in", Code: "state_mismatch", Message: "the redirect does not belong to this sign-in (its state differs), so it was refused and nothing was stored"}
	}
	return code, nil
}

// readPaste reads one pasted line: the redirect address, or its query.
func readPaste(r io.Reader, state string, deliver func(callback)) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		if err != nil && err != io.EOF {
			deliver(callback{err: fmt.Errorf("reading the pasted address: %w", err)})
		}
		// Nothing pasted (stdin closed): the browser's redirect may
		// still arrive.
		return
	}
	if _, query, ok := strings.Cut(line, "?"); ok {
		line = query
	}
	q, perr := url.ParseQuery(line)
	if perr != nil {
		deliver(callback{err: &Error{Step: "sign-in", Message: "the pasted text is not the redirect address; paste the whole address, starting with http://localhost"}})
		return
	}
	code, perr := parseRedirect(q, state)
	if errors.Is(perr, errIncomplete) {
		perr = &Error{Step: "sign-in", Message: "the pasted address lacks code and state; paste the whole address the browser ended on, starting with http://localhost"}
	}
	deliver(callback{code: code, err: perr})
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body style=\"font-family:sans-serif;text-align:center;padding:2em\"><h1>%s</h1><p>%s</p></body></html>",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
