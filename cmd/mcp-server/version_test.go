package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name                string
		ldVersion, ldCommit string
		bi                  *debug.BuildInfo
		want                buildVersion
	}{
		{"no build info", "", "", nil, buildVersion{Version: "dev"}},
		{"go build in a checkout", "", "", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc123", "false")},
			buildVersion{Version: "dev", Commit: "abc123", GoVersion: "go1.99"}},
		{"uncommitted changes", "", "", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc123", "true")},
			buildVersion{Version: "dev", Commit: "abc123", Modified: true, GoVersion: "go1.99"}},
		{"go install @v1.2.3", "", "", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v1.2.3"}},
			buildVersion{Version: "v1.2.3", GoVersion: "go1.99"}},
		{"go install @latest of a pseudo-version", "", "", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v0.0.0-20261206003500-abcdef123456"}},
			buildVersion{Version: "v0.0.0-20261206003500-abcdef123456", GoVersion: "go1.99"}},
		{"release ldflags win", "v2.0.0", "fedcba", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc123", "true")},
			buildVersion{Version: "v2.0.0", Commit: "fedcba", GoVersion: "go1.99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readVersion(tt.ldVersion, tt.ldCommit, tt.bi)
			if tt.want.GoVersion == "" {
				tt.want.GoVersion = got.GoVersion // runtime.Version() without build info
			}
			if got != tt.want {
				t.Errorf("readVersion = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVersionFlagAndSubcommand(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		var out, errb bytes.Buffer
		if code := run(args, func(string) string { return "" }, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", args, code, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 3 || lines[0] != "mcp-server "+version || !strings.HasPrefix(lines[1], "commit ") || !strings.HasPrefix(lines[2], "go") {
			t.Errorf("%v printed %q, want mcp-server VERSION / commit C / goX", args, out.String())
		}
	}
	if version == "" {
		t.Error("version is empty after init; want the build's version or dev")
	}
}
