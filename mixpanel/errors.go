package mixpanel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrorKind classifies a failed request so callers can react without
// parsing messages.
type ErrorKind string

// The kinds of API failure.
const (
	KindAuth        ErrorKind = "auth"         // 401: bad or expired credentials
	KindForbidden   ErrorKind = "forbidden"    // 403: no permission
	KindNotFound    ErrorKind = "not_found"    // 404
	KindRateLimited ErrorKind = "rate_limited" // 429, or the client-side limiter
	KindValidation  ErrorKind = "validation"   // 400, 422 and other 4xx: the request was wrong
	KindServer      ErrorKind = "server"       // 5xx
	KindTransport   ErrorKind = "transport"    // no HTTP answer: network, timeout
	KindResponse    ErrorKind = "response"     // a 2xx whose body is an error or an unexpected shape
	KindTooLarge    ErrorKind = "too_large"    // a 2xx larger than the client's cap on one answer
)

// APIError is a failed Mixpanel request. It carries Mixpanel's own message
// and never the request's credentials or query string.
type APIError struct {
	Kind       ErrorKind
	Status     int    // HTTP status, 0 when there was none
	Method     string // request method
	Path       string // request path without host or query string
	Message    string // Mixpanel's message, trimmed
	RequestID  string // Mixpanel's request id header, when sent
	RetryAfter time.Duration
	// Fix, when set, replaces the kind's generic Hint: the client knows
	// better (an OAuth sign-in that must be renewed, say).
	Fix string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mixpanel %s %s: ", e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	} else {
		b.WriteString(string(e.Kind))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

// Hint tells a caller (often a model) what to do next.
func (e *APIError) Hint() string {
	if e.Fix != "" {
		return e.Fix
	}
	switch e.Kind {
	case KindAuth:
		return "The credentials were rejected: check MP_USERNAME/MP_SECRET or MP_OAUTH_TOKEN and MP_REGION (a credential only works in its own region)."
	case KindForbidden:
		return "The account lacks permission for this project or operation: check MP_PROJECT_ID, the service account's role, or pick another workspace."
	case KindNotFound:
		return "Nothing exists at this id or name: list the entities first to find a valid one."
	case KindRateLimited:
		return "Mixpanel's rate limit was reached: wait before retrying, and prefer fewer, broader queries."
	case KindValidation:
		return "Mixpanel rejected the request's parameters: fix the named field and try again."
	case KindServer:
		return "Mixpanel failed on its side: try again later or narrow the query (shorter range, fewer segments)."
	case KindTransport:
		return "Mixpanel could not be reached: check the network or the base URL settings."
	case KindTooLarge:
		return "Narrow the query so Mixpanel answers less: a shorter date range, fewer events, properties or segments, or a smaller limit."
	}
	return ""
}

// badAnswer is the error of a 200 answer whose body is an error or not the
// shape the endpoint promises.
func badAnswer(method, path, msg string) *APIError {
	return &APIError{Kind: KindResponse, Status: http.StatusOK, Method: method, Path: path, Message: msg}
}

// IsKind reports whether err is an *APIError of kind k.
func IsKind(err error, k ErrorKind) bool {
	var e *APIError
	return errors.As(err, &e) && e.Kind == k
}

func kindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusUnauthorized:
		return KindAuth
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status >= 500:
		return KindServer
	default:
		return KindValidation
	}
}

// maxErrorText bounds the Mixpanel text an error carries (wire reference
// §3.1 keeps about 500 characters of a plain-text body).
const maxErrorText = 500

// errorText is the message of an error answer: secrets are removed from the
// raw body and again from the JSON-decoded text (a secret can arrive
// \u-escaped inside a JSON string), an HTML page is reduced to its title,
// and only then is the text cut, so a cut never leaves the start of a
// secret behind.
func (c *Client) errorText(status int, body []byte) string {
	return truncate(errorMessage(status, body, c.redact.Replace), maxErrorText)
}

// errorMessage extracts Mixpanel's message from an error body:
// {"error": "..."} (where error may be a list or object), an HTML page's
// title, or plain text. redact runs over the raw body and over every
// decoded string.
func errorMessage(status int, body []byte, redact func(string) string) string {
	text := strings.TrimSpace(redact(string(body)))
	if isHTML(text) {
		return htmlTitle(status, text, redact)
	}
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Details string          `json:"details"`
	}
	if json.Unmarshal([]byte(text), &env) == nil {
		if len(env.Error) > 0 && string(env.Error) != "null" {
			return jsonText(env.Error, redact)
		}
		if env.Message != "" {
			return redact(env.Message)
		}
		if env.Details != "" {
			return redact(env.Details)
		}
	}
	return text
}

// jsonText is the text of a JSON value for a message: a string as it is,
// any other value as compact JSON with every string in it redacted after
// decoding.
func jsonText(raw json.RawMessage, redact func(string) string) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return redact(string(raw))
	}
	return readable(redactJSON(v, redact))
}

// readable writes an error value as text for people: a list as its items
// joined by "; ", an object of field errors as "field: message" pairs
// ({"url": ["Enter a valid URL."]} is "url: Enter a valid URL."), keys in
// order.
func readable(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := readable(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k+": "+readable(x[k]))
		}
		return strings.Join(parts, "; ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// redactJSON redacts every string, keys included, of a decoded JSON value.
func redactJSON(v any, redact func(string) string) any {
	switch x := v.(type) {
	case string:
		return redact(x)
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i], redact)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[redact(k)] = redactJSON(e, redact)
		}
		return out
	}
	return v
}

var (
	htmlStart = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|title)\b`)
	})
	htmlTitleTag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`) })
)

// isHTML reports whether a body is an HTML page, as proxies, load balancers
// and maintenance pages answer instead of Mixpanel's JSON.
func isHTML(text string) bool {
	return htmlStart().MatchString(text[:min(len(text), 4096)])
}

// htmlTitle is the title of an HTML page, without a repeat of the status
// line that the error already says, or a note that the answer was a page.
// The page itself is never pasted: it is markup, not a message.
func htmlTitle(status int, page string, redact func(string) string) string {
	m := htmlTitleTag().FindStringSubmatch(page)
	if m == nil {
		return "an HTML page without a title"
	}
	title := redact(strings.Join(strings.Fields(html.UnescapeString(m[1])), " "))
	switch strings.ToLower(title) {
	case "", strings.ToLower(http.StatusText(status)), strings.ToLower(fmt.Sprintf("%d %s", status, http.StatusText(status))):
		return ""
	}
	return title
}

// truncate cuts s to at most n bytes plus "…", never inside a UTF-8
// character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for i := 0; i < utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return s[:cut] + "…"
}
