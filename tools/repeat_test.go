package tools

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// The irreversible and bulk operations the issue names, and every other
// bulk operation, need the repeated confirmation without elicitation.
func TestIrreversibleOperationsNeedTheConfirmArgument(t *testing.T) {
	var have []string
	for _, tool := range All() {
		in, _, err := tool.Schemas()
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(in, &s); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Properties[confirmArg]; ok {
			have = append(have, tool.Name)
		}
		if strings.HasPrefix(tool.Name, "bulk_") || strings.HasSuffix(tool.Name, "_bulk") {
			if _, ok := s.Properties[confirmArg]; !ok {
				t.Errorf("%s is a bulk operation without the confirm argument", tool.Name)
			}
		}
	}
	for _, name := range []string{"create_deletion_request", "delete_schemas", "delete_schema_enforcement", "delete_lookup_tables", "delete_event_definition"} {
		if !slices.Contains(have, name) {
			t.Errorf("%s has no confirm argument", name)
		}
	}
}

// Without elicitation, a call without the phrase or with another one is
// refused before any request, naming the phrase; exactly the phrase (with
// surrounding spaces trimmed) goes ahead.
func TestConfirmArgumentIsCheckedBeforeSending(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	cases := []struct {
		tool, args, phrase string
	}{
		{"delete_schemas", `{"entity_type":"event"}`, "delete every event schema"},
		{"delete_schemas", `{}`, "delete every schema"},
		{"delete_schemas", `{"entity_type":"profile","entity_name":"$user"}`, "delete profile schema $user"},
		{"delete_schema_enforcement", `{}`, "delete schema enforcement"},
		{"delete_lookup_tables", `{"data_group_ids":[7,9]}`, "delete lookup tables 7, 9"},
		{"delete_event_definition", `{"name":"Sign up"}`, "delete event definition Sign up"},
		{"create_deletion_request", `{"event_name":"Sign Up","from_date":"2026-05-01","to_date":"2026-05-02"}`, "Sign Up 2026-05-01..2026-05-02"},
		{"create_schemas_bulk", `{"entries":[{"entity_type":"event","name":"A","schema_definition":{}}],"truncate":true,"entity_type":"event"}`, "replace every event schema with 1"},
		{"bulk_delete_cohorts", `{"cohort_ids":[1,2,3]}`, "delete 3 cohorts"},
		{"bulk_update_anomalies", `{"anomalies":[{"id":5,"anomaly_class":"Event"}],"status":"dismissed"}`, "update 1 anomaly"},
	}
	for _, c := range cases {
		t.Run(c.tool+c.args, func(t *testing.T) {
			before := len(srv.Requests())
			text := mustFail(t, callTool(t, env, c.tool, c.args))
			if got, ok := phraseIn(text); !ok || got != c.phrase {
				t.Fatalf("refusal names %q (found %v), want %q: %s", got, ok, c.phrase, text)
			}
			var m map[string]any
			_ = json.Unmarshal([]byte(c.args), &m)
			for _, wrong := range []any{"yes", strings.ToLower(c.phrase) + "x", 1} {
				m["confirm"] = wrong
				raw, _ := json.Marshal(m)
				text := mustFail(t, callTool(t, env, c.tool, string(raw)))
				if !strings.HasPrefix(text, "confirm: ") {
					t.Errorf("confirm %v: %s", wrong, text)
				}
			}
			if n := len(srv.Requests()) - before; n != 0 {
				t.Fatalf("%d requests sent before the confirmation", n)
			}
			m["confirm"] = "  " + c.phrase + " "
			raw, _ := json.Marshal(m)
			if text := resultText(t, callTool(t, env, c.tool, string(raw))); strings.HasPrefix(text, "confirm: ") {
				t.Fatalf("the phrase was not accepted: %s", text)
			}
			if len(srv.Requests()) == before {
				t.Fatal("with the phrase, nothing was sent to Mixpanel")
			}
		})
	}
}
