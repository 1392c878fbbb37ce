// Package helm_test renders the Helm chart in mixpanel-mcp/ and checks what
// a deployment relies on. Helm itself is not available to CI here (it is
// not a Debian package, and building it from the module proxy would cost
// minutes of every CI run), so the test renders the templates with
// text/template and the subset of Helm's functions the chart uses (include,
// required, default, quote, toYaml, nindent, indent, trunc, trimSuffix),
// in strict mode (a value the templates name but values.yaml lacks is an
// error), and parses every document as YAML.
package helm_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const chartDir = "mixpanel-mcp"

type doc = map[string]any

// render renders the chart with values.yaml merged with overrides and
// returns its documents by "Kind/name".
func render(t *testing.T, overrides doc) (map[string]doc, error) {
	t.Helper()
	var chart struct {
		Name, Version string
		AppVersion    string `yaml:"appVersion"`
	}
	readYAML(t, filepath.Join(chartDir, "Chart.yaml"), &chart)
	var values doc
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &values)
	merge(values, overrides)

	root := template.New("chart").Option("missingkey=error")
	root.Funcs(template.FuncMap{
		"include": func(name string, data any) (string, error) {
			var b bytes.Buffer
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"required": func(msg string, v any) (any, error) {
			if v == nil || v == "" {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"default": func(def, v any) any {
			if v == nil || reflect.ValueOf(v).IsZero() {
				return def
			}
			return v
		},
		"quote": func(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
		"toYaml": func(v any) (string, error) {
			b, err := yaml.Marshal(v)
			return strings.TrimSuffix(string(b), "\n"), err
		},
		"indent":  indent,
		"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
		"trunc": func(n int, s string) string {
			if len(s) > n {
				return s[:n]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
	})
	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	require.NoError(t, err)
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = root.New(filepath.Base(f)).Parse(string(raw))
		require.NoError(t, err, f)
	}
	data := doc{
		"Values":  values,
		"Release": doc{"Name": "prod", "Namespace": "agents", "Service": "Helm"},
		"Chart":   doc{"Name": chart.Name, "Version": chart.Version, "AppVersion": chart.AppVersion},
	}
	docs := map[string]doc{}
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") {
			continue
		}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, filepath.Base(f), data); err != nil {
			return nil, err
		}
		for _, part := range strings.Split(out.String(), "\n---\n") {
			var d doc
			require.NoError(t, yaml.Unmarshal([]byte(part), &d), "%s renders YAML:\n%s", f, part)
			if d == nil {
				continue // only comments or nothing
			}
			kind, name := str(d, "kind"), str(d, "metadata", "name")
			require.NotEmpty(t, str(d, "apiVersion"), "%s: apiVersion", f)
			require.NotEmpty(t, kind, "%s: kind", f)
			require.NotEmpty(t, name, "%s: metadata.name", f)
			docs[kind+"/"+name] = d
		}
	}
	return docs, nil
}

func readYAML(t *testing.T, path string, v any) {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, v), path)
}

func merge(dst, src doc) {
	for k, v := range src {
		if sub, ok := v.(doc); ok {
			if d, ok := dst[k].(doc); ok {
				merge(d, sub)
				continue
			}
		}
		dst[k] = v
	}
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// at walks maps by key and lists by index ("0").
func at(v any, path ...string) any {
	for _, p := range path {
		switch c := v.(type) {
		case doc:
			v = c[p]
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := at(v, path...).(string)
	return s
}

// envOf is a container's environment by name.
func envOf(container any) map[string]doc {
	env := map[string]doc{}
	for _, e := range at(container, "env").([]any) {
		env[str(e, "name")] = e.(doc)
	}
	return env
}

// selects reports whether a selector's labels all appear in labels.
func selects(selector, labels any) bool {
	sel, _ := selector.(doc)
	lab, _ := labels.(doc)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if lab[k] != v {
			return false
		}
	}
	return true
}

const token = "0123456789abcdef0123456789abcdef"

func TestChartDefaults(t *testing.T) {
	docs, err := render(t, doc{"auth": doc{"token": token}, "mixpanel": doc{"credentialsSecret": "mp-creds", "projectId": "12345"}})
	require.NoError(t, err)
	var kinds []string
	for k := range docs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	assert.Equal(t, []string{
		"Deployment/prod-mixpanel-mcp", "Deployment/prod-mixpanel-mcp-redis", "PodDisruptionBudget/prod-mixpanel-mcp",
		"Secret/prod-mixpanel-mcp-auth", "Service/prod-mixpanel-mcp", "Service/prod-mixpanel-mcp-redis",
	}, kinds)

	dep := docs["Deployment/prod-mixpanel-mcp"]
	pod := at(dep, "spec", "template")
	c := at(pod, "spec", "containers", "0")
	assert.Equal(t, []any{"--transport", "http", "--stateless", "--listen", "0.0.0.0:8080"}, at(c, "args"))
	assert.Equal(t, 3, at(dep, "spec", "replicas"))

	env := envOf(c)
	assert.Equal(t, "prod-mixpanel-mcp-auth", str(env["MCP_AUTH_TOKEN"], "valueFrom", "secretKeyRef", "name"), "the token comes from the Secret")
	assert.Equal(t, token, str(docs["Secret/prod-mixpanel-mcp-auth"], "stringData", str(env["MCP_AUTH_TOKEN"], "valueFrom", "secretKeyRef", "key")))
	assert.Equal(t, "redis://prod-mixpanel-mcp-redis:6379/0", str(env["MCP_REDIS_URL"], "value"), "the chart's Redis, by its Service's name")
	assert.Equal(t, "0.0.0.0:9090", str(env["MCP_METRICS_LISTEN"], "value"))
	assert.Equal(t, "12345", str(env["MP_PROJECT_ID"], "value"))
	assert.Equal(t, "5", str(env["MP_QUERY_CONCURRENCY"], "value"))
	assert.Equal(t, "60", str(env["MP_QUERY_HOURLY_LIMIT"], "value"))
	assert.Equal(t, "mp-creds", str(c, "envFrom", "0", "secretRef", "name"))
	for name, v := range env {
		assert.NotContains(t, fmt.Sprint(v["value"]), token, "%s: the token is never inline", name)
	}

	for _, probe := range []string{"livenessProbe", "readinessProbe"} {
		assert.Equal(t, "/healthz", str(c, probe, "httpGet", "path"), probe)
		assert.Equal(t, "http", str(c, probe, "httpGet", "port"), probe)
	}
	assert.Equal(t, 8080, at(c, "ports", "0", "containerPort"))
	assert.NotEmpty(t, str(c, "resources", "requests", "cpu"))
	assert.NotEmpty(t, str(c, "resources", "requests", "memory"))
	assert.NotEmpty(t, str(c, "resources", "limits", "memory"))

	for name, d := range map[string]doc{"server": dep, "redis": docs["Deployment/prod-mixpanel-mcp-redis"]} {
		spec := at(d, "spec", "template", "spec")
		assert.Equal(t, true, at(spec, "securityContext", "runAsNonRoot"), name)
		assert.NotZero(t, at(spec, "securityContext", "runAsUser"), name)
		sc := at(spec, "containers", "0", "securityContext")
		assert.Equal(t, false, at(sc, "allowPrivilegeEscalation"), name)
		assert.Equal(t, true, at(sc, "readOnlyRootFilesystem"), name)
		assert.Equal(t, []any{"ALL"}, at(sc, "capabilities", "drop"), name)
		assert.NotEmpty(t, at(spec, "containers", "0", "resources", "requests"), name)
		assert.True(t, selects(at(d, "spec", "selector", "matchLabels"), at(d, "spec", "template", "metadata", "labels")), "%s: its selector picks its pods", name)
	}

	serverPods := at(pod, "metadata", "labels")
	redisPods := at(docs["Deployment/prod-mixpanel-mcp-redis"], "spec", "template", "metadata", "labels")
	svc := docs["Service/prod-mixpanel-mcp"]
	assert.True(t, selects(at(svc, "spec", "selector"), serverPods), "the Service reaches the server's pods")
	assert.False(t, selects(at(svc, "spec", "selector"), redisPods), "and not Redis's")
	assert.Equal(t, "http", str(svc, "spec", "ports", "0", "targetPort"))
	redisSvc := docs["Service/prod-mixpanel-mcp-redis"]
	assert.True(t, selects(at(redisSvc, "spec", "selector"), redisPods))
	assert.False(t, selects(at(redisSvc, "spec", "selector"), serverPods))

	pdb := docs["PodDisruptionBudget/prod-mixpanel-mcp"]
	assert.Equal(t, "policy/v1", str(pdb, "apiVersion"))
	assert.Equal(t, 1, at(pdb, "spec", "minAvailable"))
	assert.True(t, selects(at(pdb, "spec", "selector", "matchLabels"), serverPods), "the PDB covers the server's pods")
	assert.False(t, selects(at(pdb, "spec", "selector", "matchLabels"), redisPods))
	assert.Equal(t, "9090", str(pod, "metadata", "annotations", "prometheus.io/port"))
}

func TestChartVariants(t *testing.T) {
	t.Run("existing Secret, external Redis, no metrics", func(t *testing.T) {
		docs, err := render(t, doc{
			"auth":     doc{"existingSecret": "mcp-token", "existingSecretKey": "bearer"},
			"redis":    doc{"enabled": false, "url": "rediss://redis.example.internal:6380/2"},
			"metrics":  doc{"enabled": false},
			"extraEnv": []any{doc{"name": "MCP_TOOLSETS", "value": "default,dashboards"}},
		})
		require.NoError(t, err)
		assert.NotContains(t, docs, "Secret/prod-mixpanel-mcp-auth", "no Secret made when one is named")
		assert.NotContains(t, docs, "Deployment/prod-mixpanel-mcp-redis")
		c := at(docs["Deployment/prod-mixpanel-mcp"], "spec", "template", "spec", "containers", "0")
		env := envOf(c)
		assert.Equal(t, "mcp-token", str(env["MCP_AUTH_TOKEN"], "valueFrom", "secretKeyRef", "name"))
		assert.Equal(t, "bearer", str(env["MCP_AUTH_TOKEN"], "valueFrom", "secretKeyRef", "key"))
		assert.Equal(t, "rediss://redis.example.internal:6380/2", str(env["MCP_REDIS_URL"], "value"))
		assert.Equal(t, "default,dashboards", str(env["MCP_TOOLSETS"], "value"))
		assert.NotContains(t, env, "MCP_METRICS_LISTEN")
		assert.Len(t, at(c, "ports"), 1)
		assert.Nil(t, at(c, "envFrom"))
	})
	t.Run("no Redis at all", func(t *testing.T) {
		docs, err := render(t, doc{"auth": doc{"token": token}, "redis": doc{"enabled": false}})
		require.NoError(t, err)
		env := envOf(at(docs["Deployment/prod-mixpanel-mcp"], "spec", "template", "spec", "containers", "0"))
		assert.NotContains(t, env, "MCP_REDIS_URL", "each replica keeps its own limits")
		assert.NotContains(t, env, "MCP_REDIS_LEASE_TTL")
	})
	t.Run("no token and no Secret is refused", func(t *testing.T) {
		_, err := render(t, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "auth.token (at least 16 characters) or auth.existingSecret is required")
	})
}
