package tools

// Texts that point a model at another tool ("pass them to create_bookmark")
// ask Env.Has first, so a model is never sent to a tool the server does not
// serve; toolref checks every text in the tests.

// Has reports whether the server serves the tool name under its selection
// (in dynamic mode: can load it with enable_toolset). An Env not yet added
// to a server counts every tool of the inventory.
func (e *Env) Has(name string) bool {
	if e.served == nil {
		return Lookup(name) != nil
	}
	return e.served[name]
}

// Serve records the tools of sel for Has; AddTo calls it, and a server
// calls it first when it needs Has before adding the tools (Instructions).
func (e *Env) Serve(sel Selection) {
	e.served = map[string]bool{}
	loadable := Selection{ReadOnly: sel.ReadOnly, Toolsets: []string{}}
	for _, ts := range sel.allowed() {
		loadable.Toolsets = append(loadable.Toolsets, string(ts))
	}
	for _, t := range Selected(loadable) {
		e.served[t.Name] = true
	}
	if sel.Dynamic {
		for _, t := range Selected(Selection{Dynamic: true, Toolsets: []string{}}) {
			e.served[t.Name] = true
		}
	}
}
