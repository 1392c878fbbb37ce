//go:build schemagen

package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// TestToolHints: each typed error of the client and query packages that a
// tool can help with gets a hint naming that tool, and the tool exists.
func TestToolHints(t *testing.T) {
	invalidEvent := func() error {
		var q query.InsightsQuery
		require.NoError(t, decodeArgs(json.RawMessage(`{"events": [""]}`), &q))
		_, err := q.Build(fixedNow)
		return err
	}()
	invalidCohort := func() error {
		var q query.InsightsQuery
		require.NoError(t, decodeArgs(json.RawMessage(`{"events": "E", "where": {"operator": "in_cohort", "cohort": 0}}`), &q))
		_, err := q.Build(fixedNow)
		return err
	}()
	tests := []struct {
		name string
		err  error
		want []string // tools the hints name, in order
	}{
		{"empty event name", invalidEvent, []string{"list_events"}},
		{"saved cohort id", invalidCohort, []string{"list_cohorts"}},
		{"unknown event without suggestions", fmt.Errorf("list properties: %w", &mixpanel.EventNotFoundError{Event: "Zebra"}), []string{"list_events"}},
		{"unknown event with suggestions", &mixpanel.EventNotFoundError{Event: "Zebra", Similar: []string{"Zebras"}}, nil},
		{"replay gone", &mixpanel.ReplayNotFoundError{ReplayID: "r1", RetentionDays: 30}, []string{"list_replays"}},
		{"no project", &mixpanel.MissingSettingError{Setting: "MP_PROJECT_ID", Fix: "set it"}, []string{"list_projects"}},
		{"no credentials", (mixpanel.Config{}).CheckCredentials(), nil},
		{"plain", errors.New("plain"), nil},
	}
	registered := registeredNames()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var named []string
			for _, h := range toolHints(tt.err, all) {
				for _, w := range toolShaped.FindAllString(h, -1) {
					require.True(t, registered[w], "hint %q names %s, which is not a registered tool", h, w)
					named = append(named, w)
				}
			}
			assert.Equal(t, tt.want, named)
			text := ErrorText(tt.err, all)
			assert.True(t, strings.HasPrefix(text, tt.err.Error()), text)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

func registeredNames() map[string]bool {
	out := map[string]bool{}
	for _, tool := range All() {
		out[tool.Name] = true
	}
	return out
}

// toolShaped matches a snake_case name that reads like a tool: a verb the
// tools use, then a noun.
var toolShaped = regexp.MustCompile(`\b(?:list|get|create|update|delete|query|fetch|export|set|clear|build|enable|investigate|diagnose)_[a-z][a-z_]*\b`)

// wireWords are tool-shaped words of Mixpanel's wire format and of the
// reference's filter vocabulary, which the client must write as they are.
var wireWords = map[string]bool{
	"list_contains":              true, // a filter operator
	"list_item":                  true, // GroupBy.list_item
	"query_type":                 true, // arb_funnels body field
	"query_string":               true,
	"fetch_per_event_properties": true, // data_definitions query parameter
	"export_type":                true, // Lexicon export_types values
	"export_types":               true,
}

// TestClientAndQueryTextsNameNoTool: the mixpanel packages know nothing of
// MCP, so no string they can put in an error, a hint or a message names a
// tool, registered or not; tools add hints (hints.go). It reads every
// string literal of their non-test sources except struct tags and the
// descriptions returned by JSONSchema methods (model-visible schema text,
// which the tools' own description checks cover).
func TestClientAndQueryTextsNameNoTool(t *testing.T) {
	registered := registeredNames()
	dirs := []string{"../mixpanel", "../mixpanel/query", "../mixpanel/replay"}
	literals := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, 0)
			require.NoError(t, err)
			for _, decl := range f.Decls {
				if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == "JSONSchema" {
					continue
				}
				ast.Inspect(decl, func(n ast.Node) bool {
					if _, ok := n.(*ast.Field); ok {
						return false // a struct tag, or a parameter: no text
					}
					lit, ok := n.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return true
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						return true
					}
					literals++
					for _, w := range toolShaped.FindAllString(s, -1) {
						if wireWords[w] && !registered[w] {
							continue
						}
						t.Errorf("%s: %q names %s; say what is wrong without naming a tool and add the hint in tools/hints.go",
							fset.Position(lit.Pos()), s, w)
					}
					for name := range registered {
						// One-word names (me) are ordinary words and paths.
						if strings.Contains(name, "_") && !toolShaped.MatchString(name) && strings.Contains(s, name) {
							t.Errorf("%s: %q names the tool %s", fset.Position(lit.Pos()), s, name)
						}
					}
					return true
				})
			}
		}
	}
	require.Greater(t, literals, 500, "the walk read too few literals to mean anything")
}

// TestInputErrorHints: a management input missing the id of an existing
// entity gets the hint of the tool that lists those entities.
func TestInputErrorHints(t *testing.T) {
	err := mixpanel.CreateAlertParams{Name: "x"}.Validate()
	require.Error(t, err)
	assert.Contains(t, toolHints(err, all), needHints()[query.NeedBookmarkID])
	assert.Contains(t, ErrorText(err, all), "list_bookmarks")
	err = mixpanel.ValidateAlertsParams{BookmarkType: "insights", BookmarkParams: map[string]any{"a": 1}}.Validate()
	require.Error(t, err)
	assert.Equal(t, []string{needHints()[query.NeedAlertID]}, toolHints(err, all))
	registered := registeredNames()
	for need, hint := range needHints() {
		for _, w := range toolShaped.FindAllString(hint, -1) {
			assert.True(t, registered[w], "the hint for %s names %s, which is not a registered tool", need, w)
		}
	}
}

// all serves every registered tool.
func all(name string) bool { return Lookup(name) != nil }

// A hint names only a tool the session is served: with the alerts toolset
// left out, the alert id error keeps its text and loses the hint.
func TestHintsFollowTheSelection(t *testing.T) {
	err := mixpanel.ValidateAlertsParams{BookmarkType: "insights", BookmarkParams: map[string]any{"a": 1}}.Validate()
	require.Error(t, err)
	env := NewEnv(nil, nil, zerolog.Nop())
	env.Serve(Selection{Toolsets: []string{"query"}})
	assert.Empty(t, toolHints(err, env.Has))
	assert.Equal(t, err.Error(), ErrorText(err, env.Has))
	env.Serve(Selection{Toolsets: []string{"alerts"}})
	assert.Equal(t, []string{needHints()[query.NeedAlertID]}, toolHints(err, env.Has))
}
