package mixpanel

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
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

// errorMessage extracts Mixpanel's message from an error body:
// {"error": "..."} (where error may be a list or object), or plain text.
func errorMessage(body []byte) string {
	const max = 500
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Details string          `json:"details"`
	}
	if json.Unmarshal(body, &env) == nil {
		if len(env.Error) > 0 && string(env.Error) != "null" {
			var s string
			if json.Unmarshal(env.Error, &s) == nil {
				return truncate(s, max)
			}
			return truncate(string(env.Error), max)
		}
		if env.Message != "" {
			return truncate(env.Message, max)
		}
		if env.Details != "" {
			return truncate(env.Details, max)
		}
	}
	return truncate(strings.TrimSpace(string(body)), max)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
