package mixpaneltest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

func TestRESTCollectionRoundTrip(t *testing.T) {
	s := New(t)
	s.REST(Collection{Name: "widgets", ListSlash: true, Required: []string{"name"}})
	do := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.URL+AppPrefix+path, bytes.NewReader(raw))
		req.SetBasicAuth(Username, Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := do("POST", "/projects/"+ProjectID+"/widgets/", map[string]any{"name": "A"})
	if status != 200 {
		t.Fatalf("create: %d %v", status, out)
	}
	id := IDOf(out["results"].(map[string]any))
	if status, out = do("POST", "/projects/"+ProjectID+"/widgets/", map[string]any{}); status != 400 || out["error"].(map[string]any)["name"] == nil {
		t.Fatalf("create without name: %d %v", status, out)
	}
	if status, out = do("PATCH", "/projects/"+ProjectID+"/widgets/"+id, map[string]any{"name": "B"}); status != 200 || out["results"].(map[string]any)["name"] != "B" {
		t.Fatalf("update: %d %v", status, out)
	}
	if _, out = do("GET", "/projects/"+ProjectID+"/widgets/", nil); len(out["results"].([]any)) != 1 {
		t.Fatalf("list: %v", out)
	}
	if _, out = do("GET", "/workspaces/9/widgets/", nil); len(out["results"].([]any)) != 0 {
		t.Fatalf("another scope sees the project's widgets: %v", out)
	}
	if status, _ = do("DELETE", "/projects/"+ProjectID+"/widgets/"+id, nil); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ = do("GET", "/projects/"+ProjectID+"/widgets/"+id, nil); status != 404 {
		t.Fatalf("get after delete: %d", status)
	}
}
