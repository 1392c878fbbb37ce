package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// commit is set at build time with -ldflags "-X main.commit=..." by
// scripts/release.sh; otherwise it comes from the build info (vcs.revision).
var commit = ""

// buildVersion is what --version prints and what the server reports as its
// version at initialize and in its User-Agent.
type buildVersion struct {
	Version   string // ldflags main.version, else the module version (go install), else "dev"
	Commit    string // ldflags main.commit, else vcs.revision; "" when unknown
	Modified  bool   // vcs.modified: built from a tree with uncommitted changes
	GoVersion string
}

// readVersion resolves the version from the ldflags values and the build
// info (nil when the binary carries none).
func readVersion(ldVersion, ldCommit string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldVersion, Commit: ldCommit, GoVersion: runtime.Version()}
	if bi == nil {
		if v.Version == "" {
			v.Version = "dev"
		}
		return v
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	if (v.Version == "" || v.Version == "dev") && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if v.Commit == "" {
				v.Commit = s.Value
			}
		case "vcs.modified":
			v.Modified = s.Value == "true" && ldCommit == ""
		}
	}
	return v
}

func (v buildVersion) String() string {
	c := v.Commit
	if c == "" {
		c = "unknown"
	}
	if v.Modified {
		c += " (modified)"
	}
	return fmt.Sprintf("mcp-server %s\ncommit %s\n%s\n", v.Version, c, v.GoVersion)
}

func init() {
	bi, _ := debug.ReadBuildInfo()
	version = readVersion(version, commit, bi).Version
}

func printVersion(w io.Writer) {
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(w, readVersion(version, commit, bi))
}
