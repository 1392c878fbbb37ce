// Command oplines measures how many lines of code each management
// operation costs beyond its types and tests: the lines of its declaration
// in tools (from "Op[" to ".Tool()") plus the lines of the client method it
// calls in mixpanel (the method named after the operation, e.g.
// list_dashboards -> ListDashboards). It prints each operation and the
// median. Run it from the repository root: go run ./tools/internal/oplines
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	methods := clientMethods("mixpanel")
	ops := toolOps("tools")
	var counts []int
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		client := methods[camel(name)]
		total := ops[name] + client
		counts = append(counts, total)
		fmt.Printf("%-34s tool %3d  client %3d  total %3d\n", name, ops[name], client, total)
	}
	if len(counts) == 0 {
		fmt.Fprintln(os.Stderr, "no operations found; run from the repository root")
		os.Exit(1)
	}
	slices.Sort(counts)
	fmt.Printf("%d operations; median %d lines (tool declaration + client method), min %d, max %d\n",
		len(counts), counts[len(counts)/2], counts[0], counts[len(counts)-1])
}

var opStart = regexp.MustCompile(`Op\[[^\]]*(\[[^\]]*\])?[^\]]*\]\{Name: "([a-z_0-9]+)"`)

// toolOps counts the lines of each Op declaration.
func toolOps(dir string) map[string]int {
	out := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(string(raw), "\n")
		for i := 0; i < len(lines); i++ {
			m := opStart.FindStringSubmatch(lines[i])
			if m == nil {
				continue
			}
			j := i
			for j < len(lines) && !strings.Contains(lines[j], ".Tool()") {
				j++
			}
			out[m[2]] = j - i + 1
			i = j
		}
	}
	return out
}

// clientMethods counts the lines of each exported *Client method.
func clientMethods(dir string) map[string]int {
	out := map[string]int{}
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			continue
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Client" {
					out[fn.Name.Name] = fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
				}
			}
		}
	}
	return out
}

// camel turns list_dashboards into ListDashboards.
func camel(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p == "" {
			continue
		}
		switch p {
		case "erf", "rca", "url", "id", "ids":
			b.WriteString(strings.ToUpper(p))
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}
