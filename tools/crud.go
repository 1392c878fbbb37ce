package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Management operations (dashboards, reports, cohorts, flags, ...) are
// declared, not hand-written: an Op names the tool, its toolset, hints and
// the typed client method it calls; the generic path here does the rest —
// the client, confirmation of destructive changes through elicitation,
// the call, and a result with the entity's id, name and web-app URL.

// Op declares one management operation as a tool.
type Op[In, Out any] struct {
	Name    string
	Toolset Toolset
	Desc    string
	Ann     Annotations
	// Kind is the entity kind for web-app URLs (see mixpanel.WebURL), e.g.
	// "dashboard"; empty when the result is not one entity.
	Kind string
	// Call sends the operation. Method is the short form when the input is
	// exactly the client method's params: a method expression such as
	// (*mixpanel.Client).CreateWebhook. Set one of them.
	Call   func(ctx context.Context, c *mixpanel.Client, in In) (Out, error)
	Method func(c *mixpanel.Client, ctx context.Context, in In) (Out, error)
	// Confirm, when set, describes what the call will change, by name; the
	// user is asked through MCP elicitation before the call when the client
	// supports it. Deletes, bulk operations and irreversible changes set it.
	Confirm func(ctx context.Context, c *mixpanel.Client, in In) (string, error)
	// Repeat, set on irreversible and bulk operations, is the short phrase
	// (from the input alone) that a client without elicitation must send
	// back as the confirm argument once the user has agreed; the tool gets
	// a confirm argument and sends nothing until it matches. Set Confirm
	// too: with elicitation the user is asked instead.
	Repeat func(in In) string
	// Action names what a write did, for the result line ("created",
	// "updated", "deleted", ...); empty for reads.
	Action string
}

// Result is the answer of every management tool: what happened, the
// entity's web-app URL when there is one entity, and Mixpanel's answer.
type Result[T any] struct {
	Action string `json:"action,omitempty" jsonschema:"description=What the call did (created, updated, deleted, ...); empty for reads"`
	URL    string `json:"url,omitempty" jsonschema:"description=The entity in the Mixpanel web app"`
	Note   string `json:"note,omitempty"`
	Result T      `json:"result"`
}

// Text renders the action line, the URL and the entity or table.
func (r Result[T]) Text() string {
	var b strings.Builder
	ref, hasRef := any(r.Result).(interface{ Ref() mixpanel.Ref })
	if r.Action != "" {
		b.WriteString(capitalize(r.Action))
		if hasRef {
			fmt.Fprintf(&b, " %s", ref.Ref())
		}
		b.WriteByte('.')
		if r.URL != "" {
			b.WriteString(" " + r.URL)
		}
		b.WriteByte('\n')
	} else if r.URL != "" {
		b.WriteString(r.URL + "\n")
	}
	if r.Note != "" {
		b.WriteString(r.Note + "\n")
	}
	if _, empty := any(r.Result).(mixpanel.Empty); !empty {
		b.WriteString(renderValue(r.Result))
	}
	return strings.TrimRight(b.String(), "\n")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Tool builds the tool.
func (o Op[In, Out]) Tool() *Tool {
	if o.Call == nil {
		if o.Method == nil {
			panic("tools: operation " + o.Name + " has neither Call nor Method")
		}
		o.Call = func(ctx context.Context, c *mixpanel.Client, in In) (Out, error) { return o.Method(c, ctx, in) }
	}
	t := New(o.Name, o.Toolset, o.Desc, o.Ann, func(ctx context.Context, env *Env, in In) (Result[Out], error) {
		var res Result[Out]
		c, err := env.Client()
		if err != nil {
			return res, err
		}
		if o.Confirm != nil && canElicit(ctx) {
			what, err := o.Confirm(ctx, c, in)
			if err != nil {
				return res, err
			}
			ok, note := confirm(ctx, what)
			if !ok {
				res.Note = note
				res.Action = "nothing changed"
				return res, nil
			}
			res.Note = note
		} else if o.Repeat != nil {
			if err := checkRepeat(ctx, o.Repeat(in)); err != nil {
				return res, err
			}
		}
		out, err := o.Call(ctx, c, in)
		if err != nil {
			return res, err
		}
		res.Result = out
		res.Action = o.Action
		if ref, ok := any(out).(interface{ Ref() mixpanel.Ref }); ok && o.Kind != "" {
			id := ref.Ref().ID
			// An entity whose page depends on it (a report's type) names it.
			if k, ok := any(out).(interface{ WebKind() string }); ok {
				res.URL = c.WebURL(k.WebKind(), id)
			}
			if res.URL == "" {
				res.URL = c.WebURL(o.Kind, id)
			}
		}
		return res, nil
	})
	if o.Repeat != nil {
		withConfirmArg(t)
	}
	return t
}

// confirm asks the user through elicitation whether to go ahead with what
// is described; the caller checked canElicit. A client without elicitation
// is not asked: the tool's destructive hint is there for its host to ask
// (the MCP spec leaves confirming destructive tools to the host). It returns
// whether to go on and a note for the result.
func confirm(ctx context.Context, what string) (bool, string) {
	res, err := server.ServerFromContext(ctx).RequestElicitation(ctx, mcp.ElicitationRequest{Params: mcp.ElicitationParams{
		Message: what + "\n\nGo ahead?",
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Confirm", "description": "Yes, make this change"},
			},
			"required": []string{"confirm"},
		},
	}})
	if err != nil {
		return false, "The user could not be asked to confirm (" + err.Error() + "); nothing was changed."
	}
	switch res.Action {
	case mcp.ElicitationResponseActionAccept:
		if m, ok := res.Content.(map[string]any); ok && m["confirm"] == true {
			return true, "Confirmed by the user."
		}
		return false, "The user did not confirm; nothing was changed."
	case mcp.ElicitationResponseActionDecline:
		return false, "The user declined; nothing was changed."
	default:
		return false, "The user cancelled; nothing was changed."
	}
}

// canElicit reports whether the client of this call declared elicitation.
func canElicit(ctx context.Context) bool {
	if server.ServerFromContext(ctx) == nil {
		return false
	}
	s := server.ClientSessionFromContext(ctx)
	ci, ok := s.(server.SessionWithClientInfo)
	if !ok {
		return false
	}
	_, can := s.(server.SessionWithElicitation)
	return can && ci.GetClientCapabilities().Elicitation != nil
}

// List is one page of a list Mixpanel answers whole.
type List[E any] struct {
	Items  []E `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
}

// paged cuts a page from items by the input's limit and offset.
func paged[E any](items []E, p Paging) List[E] {
	total := len(items)
	lo, hi := Page(total, p.Offset, p.rows())
	page := items[lo:hi]
	if page == nil {
		page = []E{}
	}
	return List[E]{Items: page, Total: total, Offset: lo}
}

// Text renders the page as a table of the item type's `col`-tagged
// fields, with a note when rows are left out.
func (p List[E]) Text() string {
	cols := columns(reflect.TypeFor[E]())
	t := Table{Title: fmt.Sprintf("%d of %d", len(p.Items), p.Total), Offset: p.Offset, Total: p.Total, Hint: "pass limit/offset"}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.name)
	}
	for _, it := range p.Items {
		v := reflect.ValueOf(it)
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(v.FieldByIndex(c.index))
		}
		t.Rows = append(t.Rows, row)
	}
	return t.String()
}

type column struct {
	name  string
	index []int
}

// columns lists the fields of a struct tagged `col:"name"`, in order.
func columns(t reflect.Type) []column {
	var out []column
	if t.Kind() != reflect.Struct {
		return out
	}
	for _, f := range reflect.VisibleFields(t) {
		if name := f.Tag.Get("col"); name != "" {
			out = append(out, column{name: name, index: f.Index})
		}
	}
	return out
}

// cell renders one value compactly for a table or a field line.
func cell(v reflect.Value) string {
	if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() != reflect.Pointer {
		return s.String()
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			return clip(string(v.Bytes()), 200)
		}
		if v.Len() == 0 {
			return ""
		}
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = cell(v.Index(i))
		}
		return clip(strings.Join(parts, ", "), 200)
	}
	raw, _ := json.Marshal(v.Interface())
	return clip(string(raw), 200)
}

// renderValue renders a result: pages and texters by their own Text, a
// struct as "field: value" lines of its non-empty fields, anything else as
// compact JSON.
func renderValue(v any) string {
	if t, ok := v.(Texter); ok {
		return t.Text()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct {
		var b strings.Builder
		for _, f := range reflect.VisibleFields(rv.Type()) {
			if !f.IsExported() || f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := rv.FieldByIndex(f.Index)
			if fv.IsZero() {
				continue
			}
			s := cell(fv)
			if s == "" {
				continue
			}
			fmt.Fprintf(&b, "%s: %s\n", name, s)
		}
		return b.String()
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(string(raw), 4000)
}
