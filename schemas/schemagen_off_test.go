//go:build !schemagen

package schemas_test

import "testing"

// TestGeneratedSchemas: the reflector is built only with the schemagen
// tag, so without it neither tools.gen.json nor the tools' snapshots can be
// checked against the Go types. Failing says so, where passing would hide
// a stale file.
func TestGeneratedSchemas(t *testing.T) {
	t.Fatal("built without the schemagen tag, so tools.gen.json and testdata/toolsnaps were not checked against the Go types: " +
		"run `go test -tags schemagen ./schemas` (`-update` regenerates them); the whole suite is `go test -race -tags schemagen ./...`")
}
