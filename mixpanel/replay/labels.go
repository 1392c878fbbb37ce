package replay

import "strings"

// LabelFunc maps an action to its activity label: the grouping key of
// pattern search and click aggregations. Two analogous actions in different
// replays must get the same label or cross-session analysis fragments.
type LabelFunc func(UserAction) string

// NormalizeURL turns a URL into a path template for aggregation, as the
// reference's url_normalizer does: the query string is dropped and every
// path segment that looks like an id (all digits, or eight or more hex
// digits and dashes such as a UUID or short SHA) becomes ":id". The scheme
// and host are kept when present; the fragment is kept as part of the last
// segment. A URL with nothing after its host is returned unchanged.
//
//	/users/12345/profile?ref=x                  -> /users/:id/profile
//	https://app.example.com/orders/abc12345-de00 -> https://app.example.com/orders/:id
func NormalizeURL(url string) string {
	if url == "" {
		return url
	}
	prefix, rest := "", url
	if scheme, after, ok := strings.Cut(url, "://"); ok {
		host, path, hasPath := strings.Cut(after, "/")
		if !hasPath {
			return url
		}
		prefix, rest = scheme+"://"+host, "/"+path
	}
	rest, _, _ = strings.Cut(rest, "?")
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		if isIDSegment(p) {
			parts[i] = ":id"
		}
	}
	return prefix + strings.Join(parts, "/")
}

func isIDSegment(s string) bool {
	if s == "" {
		return false
	}
	digits, hexish := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := c >= '0' && c <= '9'
		if !isDigit {
			digits = false
		}
		if !isDigit && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') && c != '-' {
			hexish = false
		}
	}
	return digits || (hexish && len(s) >= 8)
}

// DefaultLabel is the canonical label "{action}:{target_desc}@{normalized_url}",
// with "(unknown)" for a missing target and "(no-url)" for a missing URL.
func DefaultLabel(a UserAction) string {
	tag := a.TargetDesc
	if tag == "" {
		tag = "(unknown)"
	}
	return a.Action + ":" + tag + "@" + labelURL(a.URL)
}

func labelURL(url string) string {
	if url == "" {
		return "(no-url)"
	}
	return NormalizeURL(url)
}

// DefaultSelectorAttr is the attribute SelectorLabel uses when given "".
const DefaultSelectorAttr = "data-testid"

// SelectorLabel builds a label function that prefers a stable selector
// attribute (data-testid or a project's equivalent) recorded in the action's
// metadata, because it survives DOM refactors, locale and copy changes; it
// falls back to DefaultLabel when the attribute is absent. The analyzer
// records every data-* attribute of an action's target in its metadata.
func SelectorLabel(attr string) LabelFunc {
	if attr == "" {
		attr = DefaultSelectorAttr
	}
	return func(a UserAction) string {
		if v, ok := a.Metadata[attr]; ok {
			if s, ok := v.(string); ok && s != "" {
				return a.Action + ":" + s + "@" + labelURL(a.URL)
			}
		}
		return DefaultLabel(a)
	}
}
