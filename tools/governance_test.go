package tools

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Round trips of the four governance groups built here against the
// stateful fake: create → list → get → update → delete.

func TestDropFiltersRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	cond := `[{"resourceType":"event","filterType":"string","filterOperator":"equals","filterValue":"synthetic","value":"source"}]`
	var c struct{ Result dropFilterChange }
	created := callTool(t, env, "create_drop_filter", `{"event_name":"heartbeat","filters":`+cond+`}`)
	text := mustOK(t, created)
	structured(t, created, &c)
	if c.Result.DropFilter == nil || !strings.HasPrefix(text, `Created drop filter `+fmt.Sprint(c.Result.DropFilter.ID)+` "heartbeat". https://mixpanel.com/project/12345/app/lexicon#drop-filters`) {
		t.Fatalf("create: %s", text)
	}
	mustOK(t, callTool(t, env, "create_drop_filter", `{"event_name":"ping","filters":`+cond+`}`))
	id := c.Result.DropFilter.ID
	up := mustOK(t, callTool(t, env, "update_drop_filter", fmt.Sprintf(`{"id":%d,"active":false}`, id)))
	if !strings.Contains(up, "Updated drop filter") || !strings.Contains(up, "2 of 2") {
		t.Fatalf("update: %s", up)
	}
	if l := mustOK(t, callTool(t, env, "list_drop_filters", `{}`)); !strings.Contains(l, "ping") || !strings.Contains(l, "false") {
		t.Fatalf("list: %s", l)
	}
	del := mustOK(t, callTool(t, env, "delete_drop_filter", fmt.Sprintf(`{"drop_filter_id":%d}`, id)))
	if !strings.Contains(del, "1 of 1") || strings.Contains(del, "heartbeat") {
		t.Fatalf("delete answers the rest: %s", del)
	}
	if msg := mustFail(t, callTool(t, env, "delete_drop_filter", fmt.Sprintf(`{"drop_filter_id":%d}`, id))); !strings.Contains(msg, "404") {
		t.Fatalf("second delete: %s", msg)
	}
	if l := mustOK(t, callTool(t, env, "get_drop_filter_limits", `{}`)); !strings.Contains(l, "25") {
		t.Fatalf("limits: %s", l)
	}
}

func TestCustomPropertiesRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	def := `{"name":"Discounted price","resource_type":"events","display_formula":"A * (1 - B)","composed_properties":{"A":{"resource_type":"event","value":"base_price","type":"number"},"B":{"resource_type":"event","value":"discount_rate"}}}`
	if v := mustOK(t, callTool(t, env, "validate_custom_property", def)); !strings.Contains(v, "valid: true") {
		t.Fatalf("validate: %s", v)
	}
	var cp struct {
		Result struct{ CustomPropertyID int64 }
	}
	res := callTool(t, env, "create_custom_property", def)
	text := mustOK(t, res)
	structured(t, res, &cp)
	id := cp.Result.CustomPropertyID
	if !strings.HasPrefix(text, fmt.Sprintf(`Created custom property %d "Discounted price". https://mixpanel.com/project/12345/app/lexicon#custom-properties/%d`, id, id)) {
		t.Fatalf("create: %s", text)
	}
	body := string(srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/custom_properties/").Body)
	if !strings.Contains(body, `"displayFormula":"A * (1 - B)"`) || !strings.Contains(body, `"resourceType":"event"`) {
		t.Fatalf("camelCase body: %s", body)
	}
	mustOK(t, callTool(t, env, "update_custom_property", fmt.Sprintf(`{"custom_property_id":%d,"description":"after discount","is_visible":false}`, id)))
	got := mustOK(t, callTool(t, env, "get_custom_property", fmt.Sprintf(`{"custom_property_id":%d}`, id)))
	if !strings.Contains(got, "after discount") || !strings.Contains(got, "isVisible: false") {
		t.Fatalf("get after update: %s", got)
	}
	if l := mustOK(t, callTool(t, env, "list_custom_properties", `{}`)); !strings.Contains(l, "A * (1 - B)") {
		t.Fatalf("list: %s", l)
	}
	mustOK(t, callTool(t, env, "delete_custom_property", fmt.Sprintf(`{"custom_property_id":%d}`, id)))
	mustFail(t, callTool(t, env, "get_custom_property", fmt.Sprintf(`{"custom_property_id":%d}`, id)))
}

// TestCustomPropertyRulesBeforeSending: each rule of a custom property
// definition refuses the input with its code before any request.
func TestCustomPropertyRulesBeforeSending(t *testing.T) {
	long := strings.Repeat("A + ", 5001) + "A"
	for _, tc := range []struct{ name, args, code string }{
		{"formula and behavior", `{"name":"x","resource_type":"events","display_formula":"A","composed_properties":{"A":{"resource_type":"event","value":"p"}},"behavior":{"k":1}}`, "behavior: MG5:"},
		{"neither", `{"name":"x","resource_type":"events"}`, "display_formula: MG1:"},
		{"formula without inputs", `{"name":"x","resource_type":"events","display_formula":"A * 2"}`, "composed_properties: MG1:"},
		{"behavior with inputs", `{"name":"x","resource_type":"events","behavior":{"k":1},"composed_properties":{"A":{"resource_type":"event","value":"p"}}}`, "composed_properties: MG5:"},
		{"unused input", `{"name":"x","resource_type":"events","display_formula":"A * 2","composed_properties":{"A":{"resource_type":"event","value":"p"},"B":{"resource_type":"event","value":"q"}}}`, "composed_properties.B: MG5:"},
		{"letter without input", `{"name":"x","resource_type":"events","display_formula":"A * C","composed_properties":{"A":{"resource_type":"event","value":"p"}}}`, "display_formula: MG5:"},
		{"letter inside a string is not an input", `{"name":"x","resource_type":"events","display_formula":"A * \"B\"","composed_properties":{"A":{"resource_type":"event","value":"p"},"B":{"resource_type":"event","value":"q"}}}`, "composed_properties.B: MG5:"},
		{"bad key", `{"name":"x","resource_type":"events","display_formula":"A","composed_properties":{"A":{"resource_type":"event","value":"p"},"ab":{"resource_type":"event","value":"q"}}}`, "CP4:"},
		{"too long", `{"name":"x","resource_type":"events","display_formula":"` + long + `","composed_properties":{"A":{"resource_type":"event","value":"p"}}}`, "display_formula: CP5:"},
		{"input names nothing", `{"name":"x","resource_type":"events","display_formula":"A","composed_properties":{"A":{"resource_type":"event"}}}`, "composed_properties.A.value: CP6:"},
		{"plural input resource", `{"name":"x","resource_type":"events","display_formula":"A","composed_properties":{"A":{"resource_type":"events","value":"p"}}}`, "composed_properties.A.resource_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			for _, tool := range []string{"create_custom_property", "validate_custom_property"} {
				msg := mustFail(t, callTool(t, env, tool, tc.args))
				if !strings.Contains(msg, tc.code) {
					t.Errorf("%s: %q lacks %q", tool, msg, tc.code)
				}
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("sent %d requests", n)
			}
		})
	}
}

func TestCustomEventsRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	var ce struct{ Result struct{ ID int64 } }
	res := callTool(t, env, "create_custom_event", `{"name":"Any checkout step","alternatives":["Cart Viewed","Paiement réussi"]}`)
	text := mustOK(t, res)
	structured(t, res, &ce)
	if !strings.Contains(text, "Created custom event") || !strings.Contains(text, "lexicon#custom-events/") || !strings.Contains(text, "Paiement réussi") {
		t.Fatalf("create: %s", text)
	}
	form := string(srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/custom_events/").Body)
	if want := "alternatives=" + strings.ReplaceAll(url.QueryEscape(`[{"event": "Cart Viewed"}, {"event": "Paiement r\u00e9ussi"}]`), "+", "+"); !strings.Contains(form, want) {
		t.Fatalf("form %s lacks %s (Python's json.dumps spelling)", form, want)
	}
	mustOK(t, callTool(t, env, "update_custom_event", fmt.Sprintf(`{"custom_event_id":%d,"verified":true,"tags":["checkout"]}`, ce.Result.ID)))
	if l := mustOK(t, callTool(t, env, "list_custom_events", `{}`)); !strings.Contains(l, "checkout") || !strings.Contains(l, "true") {
		t.Fatalf("list: %s", l)
	}
	mustOK(t, callTool(t, env, "delete_custom_event", fmt.Sprintf(`{"custom_event_id":%d}`, ce.Result.ID)))
	if l := mustOK(t, callTool(t, env, "list_custom_events", `{}`)); strings.Contains(l, "Any checkout") {
		t.Fatalf("list after delete: %s", l)
	}
	for _, bad := range []string{`{"name":"x","alternatives":[]}`, `{"name":"x","alternatives":["A","A"]}`, `{"name":"x","alternatives":[" "]}`} {
		mustFail(t, callTool(t, env, "create_custom_event", bad))
	}
}

func TestLookupTablesRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	env.Transport = "stdio"
	var lt struct{ Result struct{ ID int64 } }
	res := callTool(t, env, "upload_lookup_table", `{"name":"Store regions","csv":"store_id,region\nS-01,North\nS-02,South\n","poll_interval":0}`)
	text := mustOK(t, res)
	structured(t, res, &lt)
	if !strings.Contains(text, `Uploaded lookup table`) || !strings.Contains(text, "lexicon#lookup-tables/") {
		t.Fatalf("upload: %s", text)
	}
	id := lt.Result.ID
	// Replace from a file (stdio only).
	file := filepath.Join(t.TempDir(), "regions.csv")
	if err := os.WriteFile(file, []byte("store_id,region\nS-01,East\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustOK(t, callTool(t, env, "upload_lookup_table", fmt.Sprintf(`{"name":"Store regions","file_path":%q,"data_group_id":%d,"poll_interval":0}`, file, id)))
	if got := mustOK(t, callTool(t, env, "download_lookup_table", fmt.Sprintf(`{"data_group_id":%d}`, id))); !strings.Contains(got, "S-01,East") {
		t.Fatalf("download after replace: %s", got)
	}
	mustOK(t, callTool(t, env, "update_lookup_table", fmt.Sprintf(`{"data_group_id":%d,"name":"Regions 2026"}`, id)))
	if l := mustOK(t, callTool(t, env, "list_lookup_tables", `{}`)); !strings.Contains(l, "Regions 2026") {
		t.Fatalf("list: %s", l)
	}
	u := mustOK(t, callTool(t, env, "get_lookup_upload_url", `{}`))
	if strings.Contains(u, "Signature") || strings.Contains(u, "?") {
		t.Fatalf("the signed URL is shown: %s", u)
	}
	if d := mustOK(t, callTool(t, env, "get_lookup_download_url", fmt.Sprintf(`{"data_group_id":%d}`, id))); !strings.Contains(d, srv.URL) {
		t.Fatalf("download url: %s", d)
	}
	mustOK(t, callConfirmed(t, env, "delete_lookup_tables", fmt.Sprintf(`{"data_group_ids":[%d]}`, id)))
	if l := mustOK(t, callTool(t, env, "list_lookup_tables", `{}`)); strings.Contains(l, "Regions") {
		t.Fatalf("list after delete: %s", l)
	}
	// The signed PUT carried no credentials and no User-Agent of ours.
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, mixpaneltest.SignedPrefix) && r.AuthType != "" {
			t.Errorf("signed PUT carried %s credentials", r.AuthType)
		}
	}
}

// TestLookupUploadFailures: file paths are refused off stdio, and a
// failed, revoked or expired upload reads clearly, naming the upload but
// never the signed URL.
func TestLookupUploadFailures(t *testing.T) {
	csv := `"csv":"k,v\n1,a\n"`
	t.Run("file path over http", func(t *testing.T) {
		srv := mixpaneltest.New(t)
		env := testEnv(t, srv)
		env.Transport = "http"
		msg := mustFail(t, callTool(t, env, "upload_lookup_table", `{"name":"t","file_path":"/etc/hostname"}`))
		if !strings.Contains(msg, "file_path: MG5:") || len(srv.Requests()) != 0 {
			t.Fatalf("%s (%d requests)", msg, len(srv.Requests()))
		}
	})
	for _, tc := range []struct{ status, want string }{
		{"FAILURE", "could not process"},
		{"REVOKED", "revoked"},
		{"NOTFOUND", "expired"},
	} {
		t.Run(tc.status, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			srv.Respond(http.MethodGet, mixpaneltest.AppPrefix+"/projects/12345/data-definitions/lookup-tables/upload-status/", 200,
				map[string]any{"status": "ok", "results": map[string]any{"uploadStatus": tc.status, "result": map[string]any{"error": "bad row 3"}}})
			msg := mustFail(t, callTool(t, env, "upload_lookup_table", `{"name":"t",`+csv+`,"poll_interval":0}`))
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "upload task-") || strings.Contains(msg, "Signature") {
				t.Fatalf("%s", msg)
			}
		})
	}
	t.Run("storage refuses", func(t *testing.T) {
		srv := mixpaneltest.New(t)
		env := testEnv(t, srv)
		srv.Fail(mixpaneltest.Failure{Method: http.MethodPut, Status: 403, Body: "<Error>SignatureDoesNotMatch</Error>"})
		msg := mustFail(t, callTool(t, env, "upload_lookup_table", `{"name":"t",`+csv+`}`))
		if !strings.Contains(msg, "403") || strings.Contains(msg, "Signature=") || strings.Contains(msg, srv.URL) {
			t.Fatalf("%s", msg)
		}
	})
	t.Run("cancelled while processing", func(t *testing.T) {
		srv := mixpaneltest.New(t)
		env := testEnv(t, srv)
		srv.Respond(http.MethodGet, mixpaneltest.AppPrefix+"/projects/12345/data-definitions/lookup-tables/upload-status/", 200,
			map[string]any{"status": "ok", "results": map[string]any{"uploadStatus": "STARTED"}})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := Lookup("upload_lookup_table").Call(ctx, env, []byte(`{"name":"t",`+csv+`,"poll_interval":0}`))
		if !res.IsError {
			t.Fatalf("a cancelled upload succeeded: %s", resultText(t, res))
		}
	})
	for _, bad := range []string{`{"name":"t","csv":"k\n1\n"}`, `{"name":"t","csv":"k,v\n"}`, `{"name":"t"}`, `{"name":"t",` + csv + `,"file_path":"x"}`} {
		srv := mixpaneltest.New(t)
		mustFail(t, callTool(t, testEnv(t, srv), "upload_lookup_table", bad))
		if len(srv.Requests()) != 0 {
			t.Errorf("%s: sent requests", bad)
		}
	}
}

// TestGovernanceDeletesAskTheUser drives each delete through a real MCP
// session with elicitation: the user sees names, and a decline or cancel
// sends no write.
func TestGovernanceDeletesAskTheUser(t *testing.T) {
	type setup func(t *testing.T, env *Env) (tool string, args map[string]any, name string)
	setups := map[string]setup{
		"delete_lookup_tables": func(t *testing.T, env *Env) (string, map[string]any, string) {
			env.Transport = "stdio"
			var a, b struct{ Result struct{ ID int64 } }
			structured(t, callTool(t, env, "upload_lookup_table", `{"name":"Store regions","csv":"k,v\n1,a\n","poll_interval":0}`), &a)
			structured(t, callTool(t, env, "upload_lookup_table", `{"name":"SKU names","csv":"k,v\n1,a\n","poll_interval":0}`), &b)
			return "delete_lookup_tables", map[string]any{"data_group_ids": []int64{a.Result.ID, b.Result.ID}}, `"SKU names"`
		},
		"delete_custom_property": func(t *testing.T, env *Env) (string, map[string]any, string) {
			var p struct {
				Result struct{ CustomPropertyID int64 }
			}
			structured(t, callTool(t, env, "create_custom_property", `{"name":"Email domain","resource_type":"people","display_formula":"split(A, \"@\")[1]","composed_properties":{"A":{"resource_type":"user","value":"$email"}}}`), &p)
			return "delete_custom_property", map[string]any{"custom_property_id": p.Result.CustomPropertyID}, `"Email domain"`
		},
		"delete_custom_event": func(t *testing.T, env *Env) (string, map[string]any, string) {
			var e struct{ Result struct{ ID int64 } }
			structured(t, callTool(t, env, "create_custom_event", `{"name":"Any checkout step","alternatives":["Cart Viewed"]}`), &e)
			return "delete_custom_event", map[string]any{"custom_event_id": e.Result.ID}, `"Any checkout step"`
		},
		"delete_drop_filter": func(t *testing.T, env *Env) (string, map[string]any, string) {
			var c struct{ Result dropFilterChange }
			structured(t, callTool(t, env, "create_drop_filter", `{"event_name":"heartbeat","filters":[{"value":"source","filterOperator":"equals","filterValue":"x","filterType":"string","resourceType":"event"}]}`), &c)
			return "delete_drop_filter", map[string]any{"drop_filter_id": c.Result.DropFilter.ID}, `"heartbeat"`
		},
	}
	for name, set := range setups {
		for _, tc := range []struct {
			action  mcp.ElicitationResponseAction
			deleted bool
		}{
			{mcp.ElicitationResponseActionAccept, true},
			{mcp.ElicitationResponseActionDecline, false},
			{mcp.ElicitationResponseActionCancel, false},
		} {
			t.Run(name+"/"+string(tc.action), func(t *testing.T) {
				srv := mixpaneltest.New(t)
				env := testEnv(t, srv)
				tool, args, shown := set(t, env)
				h := &elicit{action: tc.action}
				c := sessionFor(t, env, h, ToolsetGovernance)
				before := len(srv.Requests())
				res := call(t, c, tool, args)
				if res.IsError {
					t.Fatalf("%s", resultText(t, res))
				}
				if len(h.asked) != 1 || !strings.Contains(h.asked[0], shown) {
					t.Fatalf("the user was asked %q, want it to name %s", h.asked, shown)
				}
				sent := false
				for _, r := range srv.Requests()[before:] {
					sent = sent || r.Method == http.MethodDelete
				}
				if sent != tc.deleted {
					t.Errorf("DELETE sent = %v, want %v", sent, tc.deleted)
				}
			})
		}
	}
}
