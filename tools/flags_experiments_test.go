package tools

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// workspaceEnv is a test Env whose client pins the fake's workspace, as
// feature flags need.
func workspaceEnv(t *testing.T, srv *mixpaneltest.Server) *Env {
	t.Helper()
	cfg := srv.Config()
	cfg.WorkspaceID = mixpaneltest.WorkspaceID
	c, err := mixpanel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := NewEnv(c, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	return env
}

func TestFeatureFlagsRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := workspaceEnv(t, srv)
	var f struct{ Result mixpanel.FeatureFlag }
	text := mustOK(t, callTool(t, env, "create_feature_flag", `{"name":"Dark mode","key":"dark_mode","tags":["ui"]}`))
	if !strings.Contains(text, `Created feature flag`) || !strings.Contains(text, "/view/"+mixpaneltest.WorkspaceID+"/app/feature-flags/") {
		t.Fatalf("create: %s", text)
	}
	structured(t, callTool(t, env, "get_feature_flag", `{"flag_id":"`+firstFlagID(t, env)+`"}`), &f)
	if f.Result.Status != "disabled" || len(f.Result.Ruleset.Variants) != 2 || f.Result.ServingMethod != "client" {
		t.Fatalf("the reference's defaults were not sent: %+v", f.Result)
	}
	id := f.Result.ID
	msg := mustFail(t, callTool(t, env, "create_feature_flag", `{"name":"Again","key":"dark_mode"}`))
	if !strings.Contains(msg, "key: A feature flag with this key already exists.") {
		t.Fatalf("duplicate key: %s", msg)
	}
	update := fmt.Sprintf(`{"flag_id":%q,"name":"Dark mode","key":"dark_mode","status":"enabled","ruleset":{"variants":[
		{"key":"on","value":true,"split":0.3,"is_control":false,"is_sticky":true},{"key":"off","value":false,"split":0.7,"is_control":true,"is_sticky":true}],
		"rollout":[{"name":"Everyone","cohort_id":null,"rollout_percentage":0.5,"variant_override":null}]}}`, id)
	mustOK(t, callTool(t, env, "update_feature_flag", update))
	mustOK(t, callTool(t, env, "set_flag_test_users", fmt.Sprintf(`{"flag_id":%q,"users":{"on":"qa-1"}}`, id)))
	mustOK(t, callTool(t, env, "archive_feature_flag", fmt.Sprintf(`{"flag_id":%q}`, id)))
	if list := mustOK(t, callTool(t, env, "list_feature_flags", `{}`)); strings.Contains(list, "dark_mode") {
		t.Fatalf("an archived flag is listed by default: %s", list)
	}
	if list := mustOK(t, callTool(t, env, "list_feature_flags", `{"include_archived":true}`)); !strings.Contains(list, "archived") {
		t.Fatalf("include_archived: %s", list)
	}
	if got := mustOK(t, callTool(t, env, "restore_feature_flag", fmt.Sprintf(`{"flag_id":%q}`, id))); !strings.Contains(got, "status: disabled") {
		t.Fatalf("restore: %s", got)
	}
	if h := mustOK(t, callTool(t, env, "get_flag_history", fmt.Sprintf(`{"flag_id":%q}`, id))); !strings.Contains(h, "created") || !strings.Contains(h, "archived") {
		t.Fatalf("history: %s", h)
	}
	if l := mustOK(t, callTool(t, env, "get_flag_limits", `{}`)); !strings.Contains(l, "current_usage: 1") {
		t.Fatalf("limits: %s", l)
	}
	mustOK(t, callTool(t, env, "delete_feature_flag", fmt.Sprintf(`{"flag_id":%q}`, id)))
	if msg := mustFail(t, callTool(t, env, "get_feature_flag", fmt.Sprintf(`{"flag_id":%q}`, id))); !strings.Contains(msg, "404") {
		t.Fatalf("get after delete: %s", msg)
	}
}

func firstFlagID(t *testing.T, env *Env) string {
	t.Helper()
	var l struct {
		Result List[mixpanel.FeatureFlag]
	}
	structured(t, callTool(t, env, "list_feature_flags", `{}`), &l)
	if len(l.Result.Items) == 0 {
		t.Fatal("no flags")
	}
	return l.Result.Items[0].ID
}

func TestFlagRulesetsAreCheckedBeforeSending(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := workspaceEnv(t, srv)
	v := func(key string, split float64, control bool) string {
		return fmt.Sprintf(`{"key":%q,"value":%q,"split":%g,"is_control":%v,"is_sticky":false}`, key, key, split, control)
	}
	for _, tc := range []struct{ name, ruleset, want string }{
		{"splits under 1", `{"variants":[` + v("a", 0.5, true) + `,` + v("b", 0.4, false) + `],"rollout":[]}`, "ruleset.variants: MG6: the splits add up to 0.9"},
		{"splits over 1", `{"variants":[` + v("a", 0.7, true) + `,` + v("b", 0.7, false) + `],"rollout":[]}`, "add up to 1.4"},
		{"duplicate keys", `{"variants":[` + v("a", 0.5, true) + `,` + v("a", 0.5, false) + `],"rollout":[]}`, "used twice"},
		{"two controls", `{"variants":[` + v("a", 0.5, true) + `,` + v("b", 0.5, true) + `],"rollout":[]}`, "2 variants are marked is_control"},
		{"unknown override", `{"variants":[` + v("a", 1, true) + `],"rollout":[{"name":"x","cohort_id":null,"rollout_percentage":1,"variant_override":{"key":"zzz"}}]}`, `"zzz" is not one of the variant keys`},
		{"no variants", `{"variants":[],"rollout":[]}`, "needs at least one variant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Requests())
			msg := mustFail(t, callTool(t, env, "create_feature_flag", `{"name":"X","key":"x","ruleset":`+tc.ruleset+`}`))
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%q lacks %q", msg, tc.want)
			}
			if len(srv.Requests()) != before {
				t.Error("a request was sent")
			}
		})
	}
	if msg := mustFail(t, callTool(t, env, "update_feature_flag", `{"flag_id":"f","name":"X","key":"x","status":"on"}`)); !strings.Contains(msg, "status: MG6") || !strings.Contains(msg, "ruleset: MG1") {
		t.Errorf("update without status or ruleset: %s", msg)
	}
}

func TestExperimentLifecycle(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	var e struct{ Result mixpanel.Experiment }
	structured(t, callTool(t, env, "create_experiment", `{"name":"Checkout copy","hypothesis":"Shorter copy lifts conversion","settings":{"confidence_level":0.95}}`), &e)
	id := e.Result.ID
	if e.Result.Status != "draft" {
		t.Fatalf("a new experiment is %q", e.Result.Status)
	}
	args := func(extra string) string { return fmt.Sprintf(`{"experiment_id":%q%s}`, id, extra) }
	expectState := func(tool, extra, want string) {
		t.Helper()
		before := len(srv.Requests())
		msg := mustFail(t, callTool(t, env, tool, args(extra)))
		if !strings.Contains(msg, want) {
			t.Errorf("%s: %q lacks %q", tool, msg, want)
		}
		for _, r := range srv.Requests()[before:] {
			if r.Method != "GET" {
				t.Errorf("%s sent %s %s for a step that does not fit", tool, r.Method, r.Path)
			}
		}
	}
	expectState("conclude_experiment", "", `is draft, so it cannot be concluded; a draft is launched first`)
	expectState("decide_experiment", `,"success":true`, `is draft, so it cannot be decided`)
	if msg := mustFail(t, callTool(t, env, "update_experiment", args(`,"variants":[{"key":"a","split":0.6,"is_control":true},{"key":"b","split":0.6,"is_control":false}]`))); !strings.Contains(msg, "variants: MG6: the splits add up to 1.2") {
		t.Errorf("variant splits: %s", msg)
	}
	mustOK(t, callTool(t, env, "update_experiment", args(`,"variants":[{"key":"a","name":"Long","split":0.5,"is_control":true},{"key":"b","name":"Short","split":0.5,"is_control":false}],"metrics":[{"name":"Purchase conversion","type":"funnel","primary":true,"events":["Checkout","Purchase"]}]`)))
	if got := mustOK(t, callTool(t, env, "launch_experiment", args(""))); !strings.Contains(got, "Launched experiment") {
		t.Fatalf("launch: %s", got)
	}
	expectState("launch_experiment", "", `is active, so it cannot be launched; it is running: conclude it to stop collecting data`)
	expectState("decide_experiment", `,"success":true`, `is active, so it cannot be decided`)
	mustOK(t, callTool(t, env, "conclude_experiment", args(`,"end_date":"2026-11-20"`)))
	if got := mustOK(t, callTool(t, env, "decide_experiment", args(`,"success":true,"variant":"b","message":"Ship short copy"`))); !strings.Contains(got, "Decided experiment") {
		t.Fatalf("decide: %s", got)
	}
	detail := mustOK(t, callTool(t, env, "get_experiment", args("")))
	for _, want := range []string{"Checkout copy — success", "Hypothesis: Shorter copy", "| b ", "Metrics: ", "Purchase conversion", "Experiment name", "has not computed results"} {
		if !strings.Contains(detail, want) {
			t.Errorf("get_experiment lacks %q:\n%s", want, detail)
		}
	}
	expectState("conclude_experiment", "", `is success, so it cannot be concluded; it is decided already`)
	var dup struct{ Result mixpanel.Experiment }
	structured(t, callTool(t, env, "duplicate_experiment", args(`,"name":"Checkout copy v2"`)), &dup)
	if dup.Result.Status != "draft" || dup.Result.Name != "Checkout copy v2" {
		t.Fatalf("duplicate: %+v", dup.Result)
	}
	mustOK(t, callTool(t, env, "archive_experiment", args("")))
	if list := mustOK(t, callTool(t, env, "list_experiments", `{}`)); strings.Contains(list, "| Checkout copy |") || !strings.Contains(list, "Checkout copy v2") {
		t.Fatalf("list after archive: %s", list)
	}
	mustOK(t, callTool(t, env, "restore_experiment", args("")))
	if erf := mustOK(t, callTool(t, env, "list_erf_experiments", `{}`)); !strings.Contains(erf, "Checkout copy v2") {
		t.Fatalf("erf: %s", erf)
	}
	mustOK(t, callTool(t, env, "delete_experiment", args("")))
}
