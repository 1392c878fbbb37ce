// Package quality finds data-quality problems in a Mixpanel project's
// events and properties — near-duplicate names, personal data not marked
// sensitive, missing descriptions, events no longer sent — from a snapshot
// of discovery, Lexicon definitions and volumes. The checks are pure
// functions of the snapshot, so they are testable without Mixpanel;
// Collect builds a snapshot with a client. Each finding names the entries
// to change (ids and names) and the change to make.
package quality

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Kinds of entries.
const (
	KindEvent    = "event"
	KindProperty = "property"
)

// Entry is one event or property as the checks see it.
type Entry struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// ResourceType is "event" or "user" for properties.
	ResourceType string `json:"resource_type,omitempty"`
	// ID is the Lexicon definition's id (0 when the Lexicon has none).
	ID          int64  `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Hidden      bool   `json:"hidden,omitempty"`
	Dropped     bool   `json:"dropped,omitempty"`
	Sensitive   bool   `json:"sensitive,omitempty"`
	// Volume is how often it was seen in the snapshot's window: an event's
	// count, a property's count over the events that carry it.
	Volume int64 `json:"volume"`
	// LastSeen is the last day (YYYY-MM-DD) in the window with volume; ""
	// when none.
	LastSeen string `json:"last_seen,omitempty"`
	// Values are sampled values (properties only).
	Values []string `json:"-"`
	// Counted reports whether Volume was measured (else unknown).
	Counted bool `json:"-"`
}

// Snapshot is what the checks read.
type Snapshot struct {
	Events     []Entry
	Properties []Entry
	// From and To are the volume window (YYYY-MM-DD).
	From, To string
}

// Checks, by name.
const (
	CheckDuplicates   = "duplicates"
	CheckPII          = "pii"
	CheckDescriptions = "descriptions"
	CheckStale        = "stale"
)

// AllChecks lists every check.
var AllChecks = []string{CheckDuplicates, CheckPII, CheckDescriptions, CheckStale}

// Member is one entry of a finding.
type Member struct {
	Name         string `json:"name"`
	ResourceType string `json:"resource_type,omitempty"`
	ID           int64  `json:"id,omitempty"`
	Volume       int64  `json:"volume"`
	LastSeen     string `json:"last_seen,omitempty"`
}

func member(e Entry) Member {
	return Member{Name: e.Name, ResourceType: e.ResourceType, ID: e.ID, Volume: e.Volume, LastSeen: e.LastSeen}
}

// Finding is one problem: what, why, the entries concerned and what to do.
type Finding struct {
	Check   string   `json:"check"`
	Kind    string   `json:"kind"`
	Reason  string   `json:"reason"`
	Members []Member `json:"members"`
	Fix     string   `json:"fix"`
}

// Duplicates groups event names, and property names of one resource type,
// that differ only by case, spacing or separators, snake vs camel case, a
// plural, or one typo. Members are sorted by volume, the first being the
// one to keep.
func Duplicates(s Snapshot) []Finding {
	var out []Finding
	out = append(out, duplicateGroups(KindEvent, s.Events)...)
	byType := map[string][]Entry{}
	for _, p := range s.Properties {
		byType[p.ResourceType] = append(byType[p.ResourceType], p)
	}
	for _, rt := range sortedKeys(byType) {
		out = append(out, duplicateGroups(KindProperty, byType[rt])...)
	}
	return out
}

func duplicateGroups(kind string, entries []Entry) []Finding {
	n := len(entries)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	keys := make([]string, n)
	for i, e := range entries {
		keys[i] = NameKey(e.Name)
	}
	reasons := map[int]map[string]bool{}
	link := func(i, j int, why string) {
		ri, rj := find(i), find(j)
		if ri != rj {
			parent[rj] = ri
			merged := reasons[ri]
			if merged == nil {
				merged = map[string]bool{}
			}
			for r := range reasons[rj] {
				merged[r] = true
			}
			reasons[ri] = merged
		}
		reasons[find(i)][why] = true
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := entries[i].Name, entries[j].Name
			if a == b {
				continue
			}
			switch {
			case keys[i] == keys[j] && keys[i] != "":
				link(i, j, sameKeyReason(a, b))
			case likelyTypo(keys[i], keys[j]):
				link(i, j, "typo")
			}
		}
	}
	groups := map[int][]Entry{}
	for i := range entries {
		r := find(i)
		if r != i || len(reasons[r]) > 0 {
			groups[r] = append(groups[r], entries[i])
		}
	}
	var out []Finding
	for r, es := range groups {
		if len(es) < 2 {
			continue
		}
		slices.SortFunc(es, func(a, b Entry) int {
			return cmp.Or(cmp.Compare(b.Volume, a.Volume), strings.Compare(a.Name, b.Name))
		})
		ms := make([]Member, len(es))
		for i, e := range es {
			ms[i] = member(e)
		}
		why := strings.Join(sortedKeys(reasons[r]), ", ")
		fix := "keep " + quote(es[0].Name) + " (most volume); fix the tracking of the others, then hide or drop them"
		out = append(out, Finding{Check: CheckDuplicates, Kind: kind, Reason: "near-duplicate names (" + why + ")", Members: ms, Fix: fix})
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.Members[0].Name, b.Members[0].Name) })
	return out
}

// NameKey normalizes a name for duplicate detection: words split at
// spaces, separators and camelCase humps, lower-cased, singular, joined
// without separators ("Sign Ups", "signUp", "sign_up" → "signup"). A
// leading "$" (Mixpanel's reserved properties) is kept.
func NameKey(name string) string {
	var b strings.Builder
	if strings.HasPrefix(name, "$") {
		b.WriteByte('$')
	}
	for _, w := range Words(name) {
		b.WriteString(singular(w))
	}
	return b.String()
}

// Words splits a name into lower-case words at non-alphanumerics and
// camelCase humps ("userID" → user, id; "HTMLPage" → html, page).
func Words(name string) []string {
	var words []string
	rs := []rune(name)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i)
			start = i
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i)
			start = i
		case unicode.IsDigit(r) != unicode.IsDigit(prev):
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return words
}

// singular strips an English plural: "ies" → "y", "ses"/"xes"/... → drop
// "es", a final "s" not after s, u or i.
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		return w[:len(w)-2]
	case len(w) > 2 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// sameKeyReason says how two names with one key differ.
func sameKeyReason(a, b string) string {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	switch {
	case la == lb:
		return "case"
	case strings.Join(Words(a), "") == strings.Join(Words(b), "") && strings.ContainsAny(a+b, "_-.") && (hasHump(a) || hasHump(b)):
		return "snake vs camel"
	case strings.Join(Words(a), "") == strings.Join(Words(b), ""):
		return "spacing"
	}
	return "plural"
}

func hasHump(s string) bool {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && unicode.IsLower(rs[i-1]) {
			return true
		}
	}
	return false
}

// likelyTypo: keys at edit distance 1 (2 for keys of 12+ characters), at
// least 5 characters long, that do not differ in their digits (step1 vs
// step2 are different steps) and are not different reserved/custom names.
func likelyTypo(a, b string) bool {
	if len(a) < 5 || len(b) < 5 || strings.HasPrefix(a, "$") != strings.HasPrefix(b, "$") {
		return false
	}
	if digits(a) != digits(b) {
		return false
	}
	max := 1
	if min(len(a), len(b)) >= 12 {
		max = 2
	}
	if d := len(a) - len(b); d > max || -d > max {
		return false
	}
	return editDistance(a, b) <= max
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the optimal-string-alignment distance (insertions,
// deletions, substitutions and adjacent transpositions).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// MissingDescriptions lists events and properties that are not hidden or
// dropped and have no description, by volume, most first: the ones people
// meet most should be documented first.
func MissingDescriptions(s Snapshot) []Finding {
	var out []Finding
	for _, kind := range []string{KindEvent, KindProperty} {
		entries := s.Events
		if kind == KindProperty {
			entries = s.Properties
		}
		var ms []Member
		for _, e := range entries {
			if strings.TrimSpace(e.Description) == "" && !e.Hidden && !e.Dropped {
				ms = append(ms, member(e))
			}
		}
		if len(ms) == 0 {
			continue
		}
		slices.SortStableFunc(ms, func(a, b Member) int {
			return cmp.Or(cmp.Compare(b.Volume, a.Volume), strings.Compare(a.Name, b.Name))
		})
		out = append(out, Finding{Check: CheckDescriptions, Kind: kind, Reason: "no description (most used first)", Members: ms,
			Fix: "write a description for each, starting at the top"})
	}
	return out
}

// Stale lists events, not dropped, with no volume in the window: candidates
// to hide (still wanted in old reports) or drop.
func Stale(s Snapshot) []Finding {
	var ms []Member
	for _, e := range s.Events {
		if e.Counted && e.Volume == 0 && !e.Dropped {
			ms = append(ms, member(e))
		}
	}
	if len(ms) == 0 {
		return nil
	}
	slices.SortFunc(ms, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return []Finding{{Check: CheckStale, Kind: KindEvent, Reason: "no events from " + s.From + " to " + s.To, Members: ms,
		Fix: "hide them (hidden=true) or drop them (dropped=true)"}}
}

// Run runs the named checks (all when none), in AllChecks order.
func Run(s Snapshot, checks []string) []Finding {
	if len(checks) == 0 {
		checks = AllChecks
	}
	var out []Finding
	for _, c := range AllChecks {
		if !slices.Contains(checks, c) {
			continue
		}
		switch c {
		case CheckDuplicates:
			out = append(out, Duplicates(s)...)
		case CheckPII:
			out = append(out, PII(s)...)
		case CheckDescriptions:
			out = append(out, MissingDescriptions(s)...)
		case CheckStale:
			out = append(out, Stale(s)...)
		}
	}
	return out
}

func quote(s string) string { return "\"" + s + "\"" }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
