package quality

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Personal data: a property not marked sensitive whose name says it holds
// personal data, or whose sampled values mostly look like e-mail
// addresses, phone numbers or IP addresses.

// PII lists unmarked properties that look like personal data, one finding
// per kind of data.
func PII(s Snapshot) []Finding {
	byKind := map[string][]Member{}
	why := map[string][]string{}
	for _, p := range s.Properties {
		if p.Sensitive || p.Dropped {
			continue
		}
		kind, evidence := personalData(p)
		if kind == "" {
			continue
		}
		byKind[kind] = append(byKind[kind], member(p))
		why[kind] = append(why[kind], p.Name+": "+evidence)
	}
	var out []Finding
	for _, kind := range sortedKeys(byKind) {
		out = append(out, Finding{Check: CheckPII, Kind: KindProperty,
			Reason:  "looks like " + kind + " but is not marked sensitive (" + strings.Join(why[kind], "; ") + ")",
			Members: byKind[kind],
			Fix:     "mark them sensitive=true, or stop sending them"})
	}
	return out
}

// The kinds of personal data.
const (
	PIIEmail   = "e-mail addresses"
	PIIPhone   = "phone numbers"
	PIIIP      = "IP addresses"
	PIIName    = "person names"
	PIIAddress = "postal addresses"
	PIIID      = "government or card numbers"
	PIIBirth   = "birth dates"
)

// nameRules match property-name words (see Words) to kinds of personal
// data. Each rule is a word sequence that must appear in order.
var nameRules = []struct {
	words []string
	kind  string
}{
	{[]string{"email"}, PIIEmail}, {[]string{"e", "mail"}, PIIEmail},
	{[]string{"phone"}, PIIPhone}, {[]string{"mobile", "number"}, PIIPhone}, {[]string{"telephone"}, PIIPhone}, {[]string{"msisdn"}, PIIPhone},
	{[]string{"ip"}, PIIIP}, {[]string{"ipv4"}, PIIIP}, {[]string{"ipv6"}, PIIIP}, {[]string{"ip", "address"}, PIIIP},
	{[]string{"first", "name"}, PIIName}, {[]string{"last", "name"}, PIIName}, {[]string{"full", "name"}, PIIName},
	{[]string{"firstname"}, PIIName}, {[]string{"lastname"}, PIIName}, {[]string{"fullname"}, PIIName}, {[]string{"surname"}, PIIName},
	{[]string{"user", "name"}, PIIName}, {[]string{"customer", "name"}, PIIName}, {[]string{"contact", "name"}, PIIName},
	{[]string{"street"}, PIIAddress}, {[]string{"home", "address"}, PIIAddress}, {[]string{"postal", "address"}, PIIAddress},
	{[]string{"shipping", "address"}, PIIAddress}, {[]string{"billing", "address"}, PIIAddress},
	{[]string{"ssn"}, PIIID}, {[]string{"passport"}, PIIID}, {[]string{"card", "number"}, PIIID}, {[]string{"iban"}, PIIID},
	{[]string{"birthday"}, PIIBirth}, {[]string{"birth", "date"}, PIIBirth}, {[]string{"date", "of", "birth"}, PIIBirth}, {[]string{"dob"}, PIIBirth},
}

// bareNames are whole property names that are a person's name.
var bareNames = [][]string{{"name"}, {"username"}}

var (
	emailRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`) })
	phoneRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\+?[0-9(][0-9 ().-]{6,18}[0-9]$`) })
	dateRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`) })
)

// personalData names the kind of personal data a property seems to hold
// and the evidence, or "".
func personalData(p Entry) (kind, evidence string) {
	words := Words(p.Name)
	for _, r := range nameRules {
		if containsRun(words, r.words) {
			return r.kind, "its name"
		}
	}
	for _, bare := range bareNames {
		if slices.Equal(words, bare) {
			return PIIName, "its name"
		}
	}
	// Versions and build numbers look like IP addresses ("5.2.0.1").
	if len(p.Values) == 0 || containsRun(words, []string{"version"}) || containsRun(words, []string{"build"}) {
		return "", ""
	}
	counts := map[string]int{}
	for _, v := range p.Values {
		if k := valueKind(strings.TrimSpace(v)); k != "" {
			counts[k]++
		}
	}
	for _, k := range []string{PIIEmail, PIIPhone, PIIIP} {
		// Most sampled values, not one stray value, make the evidence.
		if n := counts[k]; n*2 > len(p.Values) {
			return k, fmt.Sprintf("%d of %d sampled values", n, len(p.Values))
		}
	}
	return "", ""
}

// valueKind recognizes one value.
func valueKind(v string) string {
	switch {
	case emailRe().MatchString(v):
		return PIIEmail
	case isIP(v):
		return PIIIP
	case phoneRe().MatchString(v) && looksLikePhone(v):
		return PIIPhone
	}
	return ""
}

func isIP(v string) bool {
	a, err := netip.ParseAddr(v)
	return err == nil && (a.Is4() && strings.Count(v, ".") == 3 || a.Is6() && strings.Count(v, ":") >= 2)
}

// looksLikePhone wants 7 to 15 digits and a phone's punctuation (a leading
// +, spaces, dashes or parentheses): a bare run of digits is more often an
// id, an amount or a timestamp, and a dotted number a version or a price.
func looksLikePhone(v string) bool {
	n := len(digits(v))
	if n < 7 || n > 15 || strings.Contains(v, ".") || dateRe().MatchString(v) {
		return false
	}
	return strings.HasPrefix(v, "+") || strings.ContainsAny(v, " -()")
}

// containsRun reports whether want appears in words as a contiguous run.
func containsRun(words, want []string) bool {
	for i := 0; i+len(want) <= len(words); i++ {
		if slices.Equal(words[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
