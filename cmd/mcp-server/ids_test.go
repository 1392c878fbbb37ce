package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMethodIs: a method as inspectID returns it (quoted, escapes and all)
// is compared as encoding/json would decode it.
func TestMethodIs(t *testing.T) {
	for quoted, want := range map[string]bool{
		`"initialize"`:      true,
		`"initi\u0061lize"`: true,
		`"Initialize"`:      false,
		`"initialize "`:     false,
		`"ping"`:            false,
		`"initialize`:       false,
		`123`:               false,
		``:                  false,
	} {
		assert.Equal(t, want, methodIs([]byte(quoted), "initialize"), quoted)
	}
}

func TestInspectID(t *testing.T) {
	tests := []struct {
		msg  string
		want idVerdict
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, idPass},
		{`{"jsonrpc":"2.0","id":9007199254740992,"method":"ping"}`, idPass},
		{`{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`, idSurrogate},
		{`{"jsonrpc":"2.0","id":-42,"method":"ping"}`, idPass},
		{`{"jsonrpc":"2.0","id":"x","method":"ping"}`, idPass},
		{`{"jsonrpc":"2.0","id":01,"method":"ping"}`, idSurrogate}, // not JSON: the swap fails, mcp-go answers the parse error
		{`{"jsonrpc":"2.0","ID":null,"method":"ping"}`, idInvalid}, // encoding/json matches names in any case
		{`{"jsonrpc":"2.0","id":1,"id":null,"method":"ping"}`, idInvalid},
		{`{"jsonrpc":"2.0","\u0069d":null,"method":"ping"}`, idInvalid},
		{` {"method":"ping","params":{"id":null,"s":"}{\"id\":"},"id":"x"} `, idPass},
		{`{"method":"ping","id":null`, idPass}, // truncated: mcp-go answers the parse error
		{`{"jsonrpc":"2.0","id":1.0,"method":"ping"}`, idSurrogate},
		{`{"jsonrpc":"2.0","id":1e2,"method":"ping"}`, idSurrogate},
		{`{"jsonrpc":"2.0","id":-0,"method":"ping"}`, idSurrogate},
		{`{"jsonrpc":"2.0","id":null,"method":"ping"}`, idInvalid},
		{`{"jsonrpc":"2.0","id":false,"method":"ping"}`, idInvalid},
		{`{"jsonrpc":"2.0","id":[1],"method":"ping"}`, idInvalid},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, idPass},
		{`{"jsonrpc":"2.0","id":null,"result":{}}`, idPass}, // a response of the client
		{`[{"jsonrpc":"2.0","id":null,"method":"ping"}]`, idPass},
		{`not json`, idPass},
		{``, idPass},
	}
	for _, tt := range tests {
		got, _, _ := inspectID([]byte(tt.msg))
		assert.Equal(t, tt.want, got, tt.msg)
	}
}

// FuzzScanMembers checks the scanner against encoding/json, which mcp-go
// decodes the message with.
func FuzzScanMembers(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		`{"id":"a\"b","method":"tools/call","params":{"arguments":{"x":[1,{"id":2}]}}}`,
		`{"Id":null,"METHOD":"x"}`, `{}`, `[]`, `{"a":"\\"}`, `{"id":1e400,"method":"m"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		id, method, ok := scanMembers(msg)
		var want struct {
			ID     json.RawMessage `json:"id"`
			Method json.RawMessage `json:"method"`
		}
		if json.Unmarshal(msg, &want) != nil {
			return // invalid JSON: mcp-go answers the parse error whatever the scan says
		}
		if !bytes.HasPrefix(bytes.TrimLeft(msg, " \t\r\n"), []byte("{")) {
			assert.False(t, ok, "not an object")
			return
		}
		require.True(t, ok, "a valid object: %q", msg)
		assert.Equal(t, string(want.ID), string(id), "id of %q", msg)
		assert.Equal(t, string(want.Method), string(method), "method of %q", msg)
	})
}

func TestRestoreID(t *testing.T) {
	sur := newSurrogates()
	swapped, token, err := sur.swap([]byte(`{"jsonrpc":"2.0","id":1.50,"method":"ping","params":{"a":[1,2]}}`))
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(swapped, &m))
	assert.Equal(t, string(token), string(m["id"]))
	assert.JSONEq(t, `{"a":[1,2]}`, string(m["params"]), "the rest of the message is untouched")

	answer := []byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + string(token) + ",\"result\":{}}\n\n")
	got, ok := restoreID(answer, token, []byte(`1.50`))
	assert.True(t, ok)
	assert.Equal(t, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1.50,\"result\":{}}\n\n", string(got))
	_, ok = restoreID([]byte(`{"id":"other"}`), token, []byte(`1.50`))
	assert.False(t, ok)
	_, second, _ := sur.swap([]byte(`{"id":1.5,"method":"ping"}`))
	assert.NotEqual(t, token, second, "each request gets its own surrogate")
}

// TestStdioRequestIDs runs mcp-go's stdio transport behind the id layer,
// as main does.
func TestStdioRequestIDs(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ids := newStdioIDs(outW)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.NewStdioServer(echoServer()).Listen(ctx, ids.reader(inR), ids) }()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		<-done
	})
	lines := bufio.NewScanner(outR)
	exchange := func(msg string) string {
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		require.True(t, lines.Scan(), "an answer")
		return lines.Text()
	}
	exchange(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	_, err := io.WriteString(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	require.NoError(t, err)
	for _, id := range idCases {
		t.Run(id.raw, func(t *testing.T) {
			line := exchange(`{"jsonrpc":"2.0","id":` + id.raw + `,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)
			status := 200
			if id.invalid {
				status = 400 // what HTTP answers; stdio has no status
			}
			checkIDAnswer(t, id, status, line)
		})
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	assert.Empty(t, ids.pending, "every surrogate was swapped back")
}

// asksForPage agrees with encoding/json on whether a tools/list request
// has a cursor (any letter case, escaped names, Unicode case folding, the
// last of duplicates, null), and leaves what it cannot decode to mcp-go.
func TestAsksForPage(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, false},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}`, false},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":null}`, false},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":null}}`, false},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"cursor":"x"}}}`, false},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"x"}}`, true},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"CURSOR":"x"}}`, true},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"\u0063ursor":"x"}}`, true},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"curſor":"x"}}`, true},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"x","cursor":null}}`, false},
	} {
		assert.Equal(t, c.want, asksForPage([]byte(c.msg)), c.msg)
		var req struct {
			Params struct {
				Cursor *string `json:"cursor"`
			} `json:"params"`
		}
		require.NoError(t, json.Unmarshal([]byte(c.msg), &req))
		assert.Equal(t, req.Params.Cursor != nil, asksForPage([]byte(c.msg)), "as encoding/json decodes %s", c.msg)
	}
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":[]}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":5}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list","x":tru}`,
	} {
		assert.True(t, asksForPage([]byte(msg)), "%s: left to mcp-go", msg)
	}
}
