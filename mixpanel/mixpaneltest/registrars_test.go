package mixpaneltest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Every routesX function of the package is in registrars (once): a domain
// file that adds one and forgets the list would serve nothing.
func TestEveryRoutesFunctionIsRegistered(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, f := range pkgs["mixpaneltest"].Files {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "routes") {
				declared = append(declared, fn.Name.Name)
			}
		}
	}
	var listed []string
	for _, r := range registrars {
		name := runtime.FuncForPC(reflect.ValueOf(r).Pointer()).Name()
		listed = append(listed, name[strings.LastIndex(name, ".")+1:])
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if !slices.Equal(declared, listed) {
		t.Errorf("routes functions %v, registrars %v", declared, listed)
	}
}
