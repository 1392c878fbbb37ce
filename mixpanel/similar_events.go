package mixpanel

// Suggestions for an event name that was not found.

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

var wordSplit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\s_\-]+`) })

// FindSimilarEvents suggests events for a name that was not found: exact
// matches ignoring case, else up to 5 names containing it (shortest first),
// else up to 5 sharing the most words, else up to 5 within a few typos.
func FindSimilarEvents(query string, events []string) []string {
	ql := strings.ToLower(query)
	var exact, contains []string
	for _, e := range events {
		el := strings.ToLower(e)
		if el == ql {
			exact = append(exact, e)
		} else if strings.Contains(el, ql) {
			contains = append(contains, e)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	if len(contains) > 0 {
		sort.SliceStable(contains, func(i, j int) bool { return len(contains[i]) < len(contains[j]) })
		return contains[:min(5, len(contains))]
	}
	words := map[string]bool{}
	for _, w := range wordSplit().Split(ql, -1) {
		if w != "" {
			words[w] = true
		}
	}
	type match struct {
		name    string
		overlap int
	}
	var matches []match
	for _, e := range events {
		seen := map[string]bool{}
		n := 0
		for _, w := range wordSplit().Split(strings.ToLower(e), -1) {
			if words[w] && !seen[w] {
				seen[w] = true
				n++
			}
		}
		if n > 0 {
			matches = append(matches, match{e, n})
		}
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].overlap != matches[j].overlap {
			return matches[i].overlap > matches[j].overlap
		}
		return len(matches[i].name) < len(matches[j].name)
	})
	var out []string
	for _, m := range matches[:min(5, len(matches))] {
		out = append(out, m.name)
	}
	if len(out) == 0 {
		out = closeSpellings(ql, events)
	}
	return out
}

// closeSpellings returns up to 5 events within edit distance
// max(2, len/4) of the lowercased query, closest first. The reference
// stops at word overlap; a typo ("Purchse") is the commonest miss of a
// model, so this last step catches it.
func closeSpellings(ql string, events []string) []string {
	maxDist := max(2, len([]rune(ql))/4)
	type match struct {
		name string
		dist int
	}
	var matches []match
	for _, e := range events {
		if d := editDistance(ql, strings.ToLower(e), maxDist); d <= maxDist {
			matches = append(matches, match{e, d})
		}
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].dist < matches[j].dist })
	var out []string
	for _, m := range matches[:min(5, len(matches))] {
		out = append(out, m.name)
	}
	return out
}

// editDistance is the Levenshtein distance of a and b in runes, or
// limit+1 as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
