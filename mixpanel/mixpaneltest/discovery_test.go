package mixpaneltest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The fake must refuse what Mixpanel refuses, so client bugs show up in
// tests instead of in production.
func TestDiscoveryRoutesCheckInputs(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		noAuth     bool
		wantStatus int
		wantBody   string
	}{
		{"events/names needs a type", "GET", QueryPrefix + "/events/names?project_id=12345", false, 400, `type must be one of`},
		{"events/names needs the project", "GET", QueryPrefix + "/events/names?type=general", false, 400, "project_id is required"},
		{"events/names refuses pre-2000 dates", "GET", QueryPrefix + "/events/names?project_id=12345&type=general&from_date=1999-12-31", false, 400, "bad year"},
		{"events/names clamps the limit", "GET", QueryPrefix + "/events/names?project_id=12345&type=general&limit=9000", false, 200, `"Purchase"`},
		{"a limit must be a number", "GET", QueryPrefix + "/events/names?project_id=12345&type=general&limit=ten", false, 400, "limit must be a positive integer"},
		{"top properties need an event", "GET", QueryPrefix + "/events/properties/top?project_id=12345", false, 400, "event is required"},
		{"top properties of an unknown event", "GET", QueryPrefix + "/events/properties/top?project_id=12345&event=Nope", false, 400, "not found"},
		{"values need a name", "GET", QueryPrefix + "/events/properties/values?project_id=12345", false, 400, "name is required"},
		{"top events need a known type", "GET", QueryPrefix + "/events/top?project_id=12345&type=total", false, 400, "type must be one of"},
		{"cohorts/list is a POST", "GET", QueryPrefix + "/cohorts/list?project_id=12345", false, 404, "no route"},
		{"bookmarks refuse an unknown type", "GET", AppPrefix + "/projects/12345/bookmarks?v=2&type=boards", false, 400, "Invalid bookmark type"},
		{"data definitions refuse lowercase resource types", "GET", AppPrefix + "/projects/12345/data-definitions/properties/?resourceType=event", false, 400, "Invalid resource type"},
		{"an unknown schema is a 404", "GET", AppPrefix + "/projects/12345/schemas/event?entity_name=Nope", false, 404, "not found"},
		{"credentials are checked", "GET", AppPrefix + "/me", true, 401, "Invalid username or secret"},
		{"unknown workspace scope", "GET", AppPrefix + "/workspaces/9999/data-definitions/events/", false, 404, "no route"},
	}
	srv := New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.noAuth {
				req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(Username+":"+Secret)))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("got %d %s, want %d containing %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestEventNamesHistoryGate(t *testing.T) {
	srv := New(t)
	srv.Data.Now = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	srv.Data.EventNamesMaxDays = 10
	for from, want := range map[string]int{"2026-11-14": 403, "2026-11-15": 200, "2026-11-25": 200} {
		req, _ := http.NewRequest("GET", srv.URL+QueryPrefix+"/events/names?project_id=12345&type=general&from_date="+from, nil)
		req.SetBasicAuth(Username, Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("from_date %s: got %d (%v), want %d", from, resp.StatusCode, body, want)
		}
		if want == 403 && !strings.Contains(body.(map[string]any)["error"].(string), "Date range exceeds 10 days into the past") {
			t.Errorf("from_date %s: message %v", from, body)
		}
	}
}
