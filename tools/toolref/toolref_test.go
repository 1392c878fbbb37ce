package toolref

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// byRegexp is the definition Find implements, as a regular expression:
// the scanner must find exactly what it finds.
var nameRe = regexp.MustCompile(`\b(?:` + strings.Join(Verbs, "|") + `)_[a-z0-9]+(?:_[a-z0-9]+)*\b`)

func byRegexp(text string) []string {
	var out []string
	for _, m := range nameRe.FindAllString(text, -1) {
		if _, skip := notTools()[m]; !skip && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func TestFind(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"call list_events, then query_insights; list_events again", []string{"list_events", "query_insights"}},
		{"use list_contains or list_item", nil},
		{"List_events and list_Events and list__events and list_events_ are not names", nil},
		{"xlist_events, list_eventsé, é.create_cohort.", []string{"list_events", "create_cohort"}},
		{"`get_bookmark`(id) and (fetch_replay)", []string{"get_bookmark", "fetch_replay"}},
		{"unknown_tool and list alone and list_ and _list_x", nil},
		{"", nil},
	} {
		got := Find(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("Find(%q) = %q, want %q", c.text, got, c.want)
		}
		if re := byRegexp(c.text); !slices.Equal(got, re) {
			t.Errorf("Find(%q) = %q, the regexp finds %q", c.text, got, re)
		}
	}
}

func TestMissing(t *testing.T) {
	has := func(n string) bool { return n == "list_events" }
	if got := Missing("list_events then create_cohort", has); !slices.Equal(got, []string{"create_cohort"}) {
		t.Errorf("Missing = %q", got)
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"list_events", "a query_insights_x b", "é_list_a", "LIST_a list_a1_b2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := Find(text), byRegexp(text); !slices.Equal(got, want) {
			t.Fatalf("Find(%q) = %q, the regexp finds %q", text, got, want)
		}
	})
}
