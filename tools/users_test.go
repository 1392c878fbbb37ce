//go:build schemagen

package tools

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// TestFilterSelector pins the Engage selector of every operator the
// selector grammar can express, and the rule code of those it cannot.
func TestFilterSelector(t *testing.T) {
	tests := []struct {
		filter string
		want   string
		code   string
	}{
		{`{"property":"plan","operator":"equals","value":"pro"}`, `properties["plan"] == "pro"`, ""},
		{`{"property":"plan","operator":"equals","value":["pro","free"]}`, `(properties["plan"] == "pro" or properties["plan"] == "free")`, ""},
		{`{"property":"plan","operator":"not_equals","value":["pro","free"]}`, `properties["plan"] != "pro" and properties["plan"] != "free"`, ""},
		{`{"property":"na\"me","operator":"contains","value":"a\\b"}`, `"a\\b" in properties["na\"me"]`, ""},
		{`{"property":"tags","operator":"not_contains","value":"vip"}`, `not "vip" in properties["tags"]`, ""},
		{`{"property":"ltv","operator":"greater_than","value":100}`, `properties["ltv"] > 100`, ""},
		{`{"property":"ltv","operator":"less_than","value":"2.5"}`, `properties["ltv"] < 2.5`, ""},
		{`{"property":"ltv","operator":"at_least","value":1}`, `properties["ltv"] >= 1`, ""},
		{`{"property":"ltv","operator":"at_most","value":9}`, `properties["ltv"] <= 9`, ""},
		{`{"property":"ltv","operator":"between","value":[1,5]}`, `properties["ltv"] >= 1 and properties["ltv"] <= 5`, ""},
		{`{"property":"ltv","operator":"not_between","value":[1,5]}`, `(properties["ltv"] < 1 or properties["ltv"] > 5)`, ""},
		{`{"property":"email","operator":"is_set"}`, `defined(properties["email"])`, ""},
		{`{"property":"email","operator":"is_not_set"}`, `not defined(properties["email"])`, ""},
		{`{"property":"vip","operator":"is_true"}`, `properties["vip"] == true`, ""},
		{`{"property":"vip","operator":"is_false"}`, `properties["vip"] == false`, ""},
		{`{"property":"$last_seen","operator":"since","value":"2026-09-01"}`, `datetime(properties["$last_seen"]) >= datetime("2026-09-01T00:00:00")`, ""},
		{`{"property":"d","operator":"before","value":"2026-09-01"}`, `datetime(properties["d"]) < datetime("2026-09-01T00:00:00")`, ""},
		{`{"property":"d","operator":"on","value":"2026-09-01"}`, `datetime(properties["d"]) >= datetime("2026-09-01T00:00:00") and datetime(properties["d"]) <= datetime("2026-09-01T23:59:59")`, ""},
		{`{"property":"d","operator":"not_on","value":"2026-09-01"}`, `(datetime(properties["d"]) < datetime("2026-09-01T00:00:00") or datetime(properties["d"]) > datetime("2026-09-01T23:59:59"))`, ""},
		{`{"property":"d","operator":"date_between","value":["2026-09-01","2026-09-30"]}`, `datetime(properties["d"]) >= datetime("2026-09-01T00:00:00") and datetime(properties["d"]) <= datetime("2026-09-30T23:59:59")`, ""},
		{`{"property":"d","operator":"date_not_between","value":["2026-09-01","2026-09-30"]}`, `(datetime(properties["d"]) < datetime("2026-09-01T00:00:00") or datetime(properties["d"]) > datetime("2026-09-30T23:59:59"))`, ""},
		{`{"property":"$last_seen","operator":"in_the_last","value":7,"unit":"day"}`, `datetime(properties["$last_seen"]) >= datetime(NOW - 604800) and datetime(properties["$last_seen"]) < datetime(NOW)`, ""},
		{`{"property":"d","operator":"not_in_the_last","value":2,"unit":"hour"}`, `(datetime(properties["d"]) < datetime(NOW - 7200) or datetime(properties["d"]) >= datetime(NOW))`, ""},
		{`{"property":"d","operator":"in_the_next","value":1,"unit":"month"}`, `datetime(properties["d"]) >= datetime(NOW) and datetime(properties["d"]) < datetime(NOW + 2592000)`, ""},
		{`{"property":"d","operator":"in_the_last","value":700,"unit":"month"}`, "", "ES17"},
		{`{"property":"email","operator":"starts_with","value":"a"}`, "", "ES14"},
		{`{"property":"email","operator":"ends_with","value":"a"}`, "", "ES14"},
		{`{"property":"cart","operator":"list_contains","equals":{"sku":"1"}}`, "", "ES14"},
		{`{"property":{"custom_property_id":4},"operator":"equals","value":"x"}`, "", "U25"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			var f query.Filter
			require.NoError(t, json.Unmarshal([]byte(tt.filter), &f))
			var iss query.Issues
			rf := f.Resolve("where", &iss)
			require.Empty(t, iss, "the filter itself is valid")
			got, ok := filterSelector(rf, "where", &iss)
			if tt.code != "" {
				assert.False(t, ok)
				require.Len(t, iss, 1)
				assert.Equal(t, tt.code, iss[0].Rule())
				return
			}
			require.True(t, ok, "%v", iss)
			assert.Equal(t, tt.want, got)
			_, err := mixpaneltest.ParseSelector(got)
			assert.NoError(t, err, "the selector is inside the Engage grammar")
		})
	}
}

func TestQueryUserValidation(t *testing.T) {
	env := testEnv(t, mixpaneltest.New(t))
	tests := []struct {
		args  string
		codes []string
	}{
		{`{"distinct_id":"a","distinct_ids":["b"]}`, []string{"U1"}},
		{`{"cohort":1000,"where":{"operator":"in_cohort","cohort":1001}}`, []string{"U2"}},
		{`{"limit":0}`, []string{"U3"}},
		{`{"distinct_ids":[]}`, []string{"U4"}},
		{`{"as_of":"2026-02-30"}`, []string{"U6"}},
		{`{"as_of":"2999-01-01"}`, []string{"U8"}},
		{`{"include_all_users":true}`, []string{"U7"}},
		{`{"where":{"property":"","operator":"equals","value":"x"}}`, []string{"X3"}},
		{`{"properties":[]}`, []string{"U29"}},
		{`{"properties":["plan"," "]}`, []string{"U11"}},
		{`{"where":{"operator":"not_in_cohort","cohort":1000}}`, []string{"U12"}},
		{`{"where":[{"operator":"in_cohort","cohort":1000},{"operator":"in_cohort","cohort":1001}]}`, []string{"U13"}},
		{`{"mode":"aggregate","aggregate":"extremes"}`, []string{"U14"}},
		{`{"mode":"aggregate","aggregate_property":"ltv"}`, []string{"U15"}},
		{`{"segment_by":[1000]}`, []string{"U16"}},
		{`{"mode":"aggregate","segment_by":[-1]}`, []string{"U17"}},
		{`{"mode":"aggregate","aggregate":"percentile","aggregate_property":"ltv"}`, []string{"U26"}},
		{`{"mode":"aggregate","percentile":5}`, []string{"U27"}},
		{`{"mode":"aggregate","aggregate":"percentile","aggregate_property":"ltv","percentile":100}`, []string{"U28"}},
		{`{"mode":"aggregate","sort_by":"x","search":"a","distinct_id":"u","properties":["p"],"as_of":1}`, []string{"U19", "U20", "U21", "U22", "U30"}},
		{`{"sort_order":"up"}`, []string{"X1"}},
		{`{"mode":"rows"}`, []string{"X1"}},
		{`{"where":{"property":"e","operator":"starts_with","value":"x"}}`, []string{"ES14"}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			text := mustFail(t, callTool(t, env, "query_user", tt.args))
			for _, code := range tt.codes {
				assert.Contains(t, text, ": "+code+": ", text)
			}
		})
	}
}

func TestQueryUserProfiles(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "query_user", `{"where":[{"property":"plan","operator":"equals","value":["pro","enterprise"]},{"property":"purchases","operator":"at_least","value":2}],
		"properties":["plan","purchases"],"sort_by":"lifetime_value","sort_order":"ascending","limit":5}`)
	text := mustOK(t, res)
	var out mixpanel.UserQueryResult
	structured(t, res, &out)
	assert.Equal(t, "profiles", out.Mode)
	require.Len(t, out.Profiles, 5)
	for _, p := range out.Profiles {
		assert.Contains(t, []any{"pro", "enterprise"}, p.Properties["plan"])
		assert.GreaterOrEqual(t, p.Properties["purchases"], 2.0)
		assert.NotContains(t, p.Properties, "$email", "only the selected properties")
	}
	assert.Contains(t, text, "| distinct_id | plan | purchases |")
	assert.Regexp(t, `5 profiles of \d+ matching \(raise limit, up to 1000`, text)

	var body map[string]any
	srv.LastRequest(t, mixpaneltest.EngagePrefix).JSON(t, &body)
	assert.Equal(t, `(properties["plan"] == "pro" or properties["plan"] == "enterprise") and properties["purchases"] >= 2`, body["where"])
	assert.Equal(t, `properties["lifetime_value"]`, body["sort_key"])
	assert.Equal(t, "ascending", body["sort_order"])
	assert.Equal(t, `["plan","purchases"]`, body["output_properties"])
}

func TestQueryUserCohorts(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		args string
		want string
	}{
		{`{"cohort":1000,"limit":3}`, `{"id":1000}`},
		{`{"where":{"operator":"in_cohort","cohort":1001},"limit":3}`, `{"id":1001}`},
		{`{"cohort":{"all_of":[{"criterion":"has_property","property":"plan","value":"pro"}]},"limit":3}`, `"raw_cohort":{"behaviors":{},"selector":{"children":[{"operand":"pro","operator":"==","property":"user","type":"string","value":"plan"}],"operator":"and"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			res := callTool(t, env, "query_user", tt.args)
			mustOK(t, res)
			var body map[string]any
			srv.LastRequest(t, mixpaneltest.EngagePrefix).JSON(t, &body)
			assert.Contains(t, body["filter_by_cohort"], tt.want)
			assert.Equal(t, false, body["include_all_users"], "sent explicitly with a cohort")
		})
	}
}

func TestQueryUserAggregate(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		args, action, text string
	}{
		{`{"mode":"aggregate"}`, "count()", "count(): 60"},
		{`{"mode":"aggregate","aggregate":"extremes","aggregate_property":"lifetime_value"}`, `extremes(properties["lifetime_value"])`, "max="},
		{`{"mode":"aggregate","aggregate":"percentile","aggregate_property":"purchases","percentile":90}`, `percentile(properties["purchases"], 90)`, "percentile=90"},
		{`{"mode":"aggregate","aggregate":"numeric_summary","aggregate_property":"purchases","where":"properties[\"plan\"] == \"pro\""}`, `numeric_summary(properties["purchases"])`, "mean="},
		{`{"mode":"aggregate","segment_by":[1000,1001]}`, "count()", "per cohort"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			res := callTool(t, env, "query_user", tt.args)
			assert.Contains(t, mustOK(t, res), tt.text)
			var body map[string]any
			srv.LastRequest(t, mixpaneltest.EngagePrefix+"/stats").JSON(t, &body)
			assert.Equal(t, tt.action, body["action"])
			var out mixpanel.UserQueryResult
			structured(t, res, &out)
			assert.Equal(t, "aggregate", out.Mode)
			assert.NotEmpty(t, out.AggregateData)
		})
	}
}

// FuzzQueryUserInput feeds arbitrary arguments through decoding,
// validation and filter translation: nothing may panic, and whatever
// passes validation must translate to a selector inside the Engage grammar.
func FuzzQueryUserInput(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"where":"properties[\"plan\"] == \"pro\""}`,
		`{"where":{"property":"plan","operator":"equals","value":["a","b\""]}}`,
		`{"where":[{"property":"ltv","operator":"between","value":[1,"2"]},{"property":"d","operator":"in_the_last","value":3,"unit":"week"}]}`,
		`{"where":[{"operator":"in_cohort","cohort":{"all_of":[]}}]}`,
		`{"cohort":"12","as_of":"2026-01-01"}`,
		`{"cohort":{"any_of":[{"property":"plan","operator":"equals","value":"x"}]}}`,
		`{"as_of":1700000000,"distinct_ids":["a","a"]}`,
		`{"mode":"aggregate","aggregate":"percentile","aggregate_property":"x","percentile":50.5,"segment_by":[1]}`,
		`{"where":{"property":{"custom_property_id":1},"operator":"is_set"}}`,
		`{"where":[1,2]}`, `{"as_of":[]}`, `[]`, `null`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		var in QueryUserInput
		if decodeArgs(json.RawMessage(args), &in) != nil {
			return
		}
		if in.Validate() != nil {
			return
		}
		var iss query.Issues
		sel := whereSelector(in.Where, &iss)
		if len(iss) > 0 || in.Where.Selector != "" {
			return
		}
		if _, err := mixpaneltest.ParseSelector(sel); err != nil {
			t.Fatalf("valid input %s translated to %q outside the grammar: %v", args, sel, err)
		}
	})
}

func TestQueryUserAsOf(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		args string
		want float64
	}{
		{`{"as_of":"2026-11-01","limit":1}`, 1793577599},               // end of that day, UTC
		{`{"as_of":"2026-11-25","limit":1}`, float64(fixedNow.Unix())}, // today: not after now
		{`{"as_of":1790000000,"limit":1}`, 1790000000},
		{`{"as_of":"1790000000","limit":1}`, 1790000000},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			mustOK(t, callTool(t, env, "query_user", tt.args))
			var body map[string]any
			srv.LastRequest(t, mixpaneltest.EngagePrefix).JSON(t, &body)
			assert.Equal(t, tt.want, body["as_of_timestamp"])
		})
	}
}

// TestQueryUserDryRun: dry_run sends nothing and returns the Engage body;
// the same arguments without dry_run send exactly that body (the first
// page's, for profiles).
func TestQueryUserDryRun(t *testing.T) {
	tests := []struct {
		args, endpoint, path string
	}{
		{`{"where":[{"property":"plan","operator":"equals","value":["pro","enterprise"]},{"property":"purchases","operator":"at_least","value":2}],"properties":["plan","purchases"],"sort_by":"lifetime_value","limit":5}`,
			"engage", mixpaneltest.EngagePrefix},
		{`{"cohort":1000,"include_all_users":true,"as_of":"2026-11-01","search":"ana","limit":3}`, "engage", mixpaneltest.EngagePrefix},
		{`{"distinct_ids":["u1","u2","u1"]}`, "engage", mixpaneltest.EngagePrefix},
		{`{"mode":"aggregate","aggregate":"percentile","aggregate_property":"purchases","percentile":90,"where":"properties[\"plan\"] == \"pro\""}`, "engage/stats", mixpaneltest.EngagePrefix + "/stats"},
		{`{"mode":"aggregate","segment_by":[1000,1001],"cohort":1002}`, "engage/stats", mixpaneltest.EngagePrefix + "/stats"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			var dry map[string]any
			require.NoError(t, json.Unmarshal([]byte(tt.args), &dry))
			dry["dry_run"] = true
			args, _ := json.Marshal(dry)
			res := callTool(t, env, "query_user", string(args))
			text := mustOK(t, res)
			assert.Empty(t, srv.Requests(), "a dry run sends nothing")
			var out struct {
				DryRun   bool            `json:"dry_run"`
				Endpoint string          `json:"endpoint"`
				Params   json.RawMessage `json:"params"`
			}
			structured(t, res, &out)
			assert.True(t, out.DryRun)
			assert.Equal(t, tt.endpoint, out.Endpoint)
			assert.Contains(t, text, "Dry run: nothing sent")
			assert.Contains(t, text, `"project_id": 12345`)

			mustOK(t, callTool(t, env, "query_user", tt.args))
			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			assert.Equal(t, tt.path, reqs[0].Path)
			assert.JSONEq(t, string(out.Params), string(reqs[0].Body), "the real run's first request sends exactly the dry run's params")
		})
	}
}
