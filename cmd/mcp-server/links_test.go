package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinaryLinksNoSchemaReflector: the server reads its tools' schemas
// from schemas/tools.gen.json. The reflector that generates that file
// (invopop/jsonschema, which brings go/parser, go/ast, go/doc and a YAML
// library, 14 packages whose inits cost every start) is built only with
// the schemagen tag. The default build, as users build it, must link none
// of it: `go list -deps` with an explicit empty tag list, whatever GOFLAGS
// says.
func TestBinaryLinksNoSchemaReflector(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags=", ".").Output()
	require.NoError(t, err)
	reflector := regexp.MustCompile(`invopop|^go/(parser|ast|doc)|yaml`)
	for _, pkg := range strings.Fields(string(out)) {
		assert.False(t, reflector.MatchString(pkg), "the server binary links %s", pkg)
	}
}
