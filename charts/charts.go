// Package charts serves the MCP Apps view (SEP-1865, extension
// io.modelcontextprotocol/ui) that draws the query tools' results as
// charts: Insights lines over time with a legend (a big number or bars for
// totals), funnel bars with conversion and drop-off, a retention heat map
// with its average row, and flows as a sankey, a tree or top paths.
//
// The view is one self-contained HTML document (app.html, embedded in the
// binary): a small hand-written SVG renderer and the app side of the MCP
// Apps postMessage protocol (ui/initialize, tool-input, tool-result,
// host-context-changed, size-changed, resource-teardown), no SDK and no
// network fetch. A tool opts in by carrying ToolMeta in its _meta; clients
// without MCP Apps ignore it and read the text and structuredContent as
// before.
package charts

import (
	"context"
	_ "embed"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// URI is the view's resource; MIMEType is the MCP Apps HTML profile.
const (
	URI      = "ui://mixpanel-mcp/chart.html"
	MIMEType = "text/html;profile=mcp-app"
)

// HTML is the view.
//
//go:embed app.html
var HTML string

// ToolMeta is the _meta of a tool whose results the view draws: the
// spec's ui.resourceUri, and the flat "ui/resourceUri" key it deprecates,
// which hosts built before the nested form still read (the ext-apps
// server helper sets both the same way).
func ToolMeta() map[string]any {
	return map[string]any{
		"ui":             map[string]any{"resourceUri": URI},
		"ui/resourceUri": URI,
	}
}

// resourceMeta asks for the host's border and declares no external
// domain: the view fetches nothing, so the spec's restrictive default CSP
// is what it needs.
func resourceMeta() map[string]any {
	return map[string]any{"ui": map[string]any{"prefersBorder": true}}
}

// Register adds the view's resource to s. The server needs
// server.WithResourceCapabilities.
func Register(s *server.MCPServer) {
	res := mcp.NewResource(URI, "query-chart",
		mcp.WithResourceTitle("Chart of a query result"),
		mcp.WithResourceDescription("MCP Apps view that draws Insights, funnel, retention and flows results as charts."),
		mcp.WithMIMEType(MIMEType))
	res.Meta = &mcp.Meta{AdditionalFields: resourceMeta()}
	s.AddResource(res, func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: URI, MIMEType: MIMEType, Text: HTML, Meta: resourceMeta()}}, nil
	})
}
