package charts

import (
	"regexp"
	"testing"
)

// TestHTMLSelfContained: the view must load nothing (the host's default
// CSP for a view that declares no domain refuses it anyway): no URL but
// the SVG namespace, no fetch, no external script, style or image.
func TestHTMLSelfContained(t *testing.T) {
	urls := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*`).FindAllString(HTML, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" {
			t.Errorf("the view names %s", u)
		}
	}
	for _, bad := range []string{`fetch(`, `XMLHttpRequest`, `WebSocket`, `EventSource`, ` src=`, ` href=`, `@import`, `url(`} {
		if regexp.MustCompile(regexp.QuoteMeta(bad)).MatchString(HTML) {
			t.Errorf("the view uses %s", bad)
		}
	}
}

// TestToolMeta: the nested key of the spec and the flat key it
// deprecates name the same resource.
func TestToolMeta(t *testing.T) {
	m := ToolMeta()
	ui, _ := m["ui"].(map[string]any)
	if ui["resourceUri"] != URI || m["ui/resourceUri"] != URI {
		t.Fatalf("ToolMeta() = %v", m)
	}
}
