package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// The JSON-RPC id layer. mcp-go decodes a request id into float64, so a
// number beyond 2^53 or written with a fraction or exponent comes back
// changed (123456789012345678901234567890 becomes 1.2345678901234568e+29),
// and it treats "id": null as a notification and answers nothing. This layer
// sits in front of both transports: it answers a request whose id is null
// (or not a string or number) with an Invalid Request error, and swaps an id
// mcp-go would change for a string surrogate that it swaps back in the
// answer. Every other message passes untouched. Batches (JSON arrays) pass
// untouched too: mcp-go does not accept them and answers a parse error.

type idVerdict int

const (
	idPass      idVerdict = iota // no id, not a request, or an id mcp-go echoes exactly
	idSurrogate                  // a number mcp-go would change
	idInvalid                    // a request id that is null, a boolean, an object or an array
)

// inspectID reads the id of one message, and its method as written (a
// quoted JSON string; nil for a response or a message that is not an
// object).
func inspectID(msg []byte) (idVerdict, json.RawMessage, []byte) {
	id, method, ok := scanMembers(msg)
	if !ok || method == nil || id == nil {
		// Not a JSON object (mcp-go answers the parse error), a response
		// of the client, or a notification.
		return idPass, nil, method
	}
	switch c := id[0]; {
	case c == '"':
		return idPass, id, method
	case c == '-' || c >= '0' && c <= '9':
		if exactInFloat(id) {
			return idPass, id, method
		}
		return idSurrogate, id, method
	default:
		return idInvalid, id, method
	}
}

// listResult is the result for a tools/list request of a session from the
// server's encoded-once results (tools.ListResult), or nil when mcp-go
// must answer: not tools/list, or a request asking for a page (a cursor).
func listResult(s *server.MCPServer, session string, msg []byte, id json.RawMessage, method []byte) []byte {
	if string(method) != `"`+string(mcp.MethodToolsList)+`"` || id == nil {
		return nil
	}
	if asksForPage(msg) {
		return nil
	}
	result, err := tools.ListResult(s, session)
	if err != nil {
		return nil
	}
	return result
}

// asksForPage reports whether a tools/list request is not one for the
// whole list, found as encoding/json would decode its params: it has a
// cursor, or is not valid JSON, or its params are not an object (mcp-go
// answers those). json.Valid and the member scan decode nothing.
func asksForPage(msg []byte) bool {
	if !json.Valid(msg) {
		return true
	}
	params, _ := member(msg, "params")
	if params == nil || string(params) == "null" {
		return false
	}
	cursor, ok := member(params, "cursor")
	return !ok || cursor != nil && string(cursor) != "null"
}

// writeAnswer writes the JSON-RPC answer with that id and result, then
// end (a newline on stdio). The result (~75 KB for the default tools/list,
// ~280 KB for all) is written as it is, not copied into a message.
func writeAnswer(w io.Writer, id json.RawMessage, result []byte, end string) error {
	head := make([]byte, 0, 32+len(id))
	head = append(append(append(head, `{"jsonrpc":"2.0","id":`...), id...), `,"result":`...)
	for _, b := range [][]byte{head, result, []byte("}" + end)} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// scanMembers returns the raw values of the "id" and "method" members of a
// JSON object without decoding it: a request body can be megabytes of
// arguments, and mcp-go decodes it again anyway. ok is false when msg is
// not a well-formed object (eachMember).
func scanMembers(msg []byte) (id, method []byte, ok bool) {
	ok = eachMember(msg, func(key, value []byte) {
		switch {
		case memberIs(key, "id"):
			id = value
		case memberIs(key, "method"):
			method = value
		}
	})
	if !ok {
		return nil, nil, false
	}
	return id, method, true
}

// member returns the raw value of the named member of a JSON object, as
// encoding/json finds it (any letter case, the last one wins), or nil;
// ok is false when obj is not a well-formed object.
func member(obj []byte, name string) (value []byte, ok bool) {
	ok = eachMember(obj, func(key, v []byte) {
		if memberIs(key, name) {
			value = v
		}
	})
	return value, ok
}

// eachMember calls f with each member of the JSON object msg, its quoted
// name and its raw value, in order; false when msg is not a well-formed
// object. It does not validate scalar values.
func eachMember(msg []byte, f func(key, value []byte)) bool {
	i := skipSpace(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return false
	}
	i = skipSpace(msg, i+1)
	if i < len(msg) && msg[i] == '}' {
		return skipSpace(msg, i+1) == len(msg)
	}
	for {
		if i >= len(msg) || msg[i] != '"' {
			return false
		}
		keyEnd := skipString(msg, i)
		if keyEnd < 0 {
			return false
		}
		key := msg[i:keyEnd]
		i = skipSpace(msg, keyEnd)
		if i >= len(msg) || msg[i] != ':' {
			return false
		}
		i = skipSpace(msg, i+1)
		end := skipValue(msg, i)
		if end < 0 {
			return false
		}
		f(key, msg[i:end])
		i = skipSpace(msg, end)
		if i >= len(msg) {
			return false
		}
		switch msg[i] {
		case ',':
			i = skipSpace(msg, i+1)
		case '}':
			return skipSpace(msg, i+1) == len(msg)
		default:
			return false
		}
	}
}

// memberIs compares a quoted member name with name as encoding/json does.
func memberIs(quoted []byte, name string) bool {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return strings.EqualFold(string(quoted[1:len(quoted)-1]), name)
	}
	var s string
	return json.Unmarshal(quoted, &s) == nil && strings.EqualFold(s, name)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i], or -1.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value that starts at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end := skipString(b, i)
				if end < 0 {
					return -1
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default:
		start := i
		for i < len(b) && !endsScalar(b[i]) {
			i++
		}
		if i == start {
			return -1
		}
		return i
	}
}

func endsScalar(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// exactInFloat reports whether a JSON number is a plain integer that a
// float64 holds exactly and Go prints back the same way.
func exactInFloat(num []byte) bool {
	digits := num
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 16 || digits[0] == '0' && (len(digits) > 1 || num[0] == '-') {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return err == nil && n <= 1<<53
}

// surrogates issues string ids no client will have chosen.
type surrogates struct {
	prefix string
	next   atomic.Uint64
}

// The prefix is random so that no client guesses it; it guards against
// collisions, not attackers, and math/rand's generator (seeded by the
// runtime) spares the start crypto/rand's first-use setup.
func newSurrogates() *surrogates {
	return &surrogates{prefix: `"mixpanel-mcp-id-` + strconv.FormatUint(rand.Uint64(), 16) + "-"}
}

// swap returns msg with its id replaced by a new surrogate, and the
// surrogate as it appears (quoted) in the answer.
func (s *surrogates) swap(msg []byte) ([]byte, []byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(msg, &fields); err != nil {
		return nil, nil, err
	}
	sur := []byte(s.prefix + strconv.FormatUint(s.next.Add(1), 10) + `"`)
	for k := range fields {
		if strings.EqualFold(k, "id") {
			delete(fields, k)
		}
	}
	fields["id"] = sur
	out, err := json.Marshal(fields)
	return out, sur, err
}

// invalidIDAnswer is the Invalid Request error for a request whose id is
// not a string or a number (JSON-RPC answers it with a null id).
func invalidIDAnswer(id json.RawMessage) []byte {
	msg := "id: INVALID_REQUEST: a request id must be a string or a number, not " + string(id) +
		"; give the request a string or numeric id, or drop the id to send a notification"
	b, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": -32600, "message": msg},
	})
	return b
}

// restoreID replaces the first occurrence of a quoted surrogate in p.
func restoreID(p, sur, raw []byte) ([]byte, bool) {
	i := bytes.Index(p, sur)
	if i < 0 {
		return p, false
	}
	out := make([]byte, 0, len(p)-len(sur)+len(raw))
	out = append(out, p[:i]...)
	out = append(out, raw...)
	return append(out, p[i+len(sur):]...), true
}

// stdioIDs applies the id layer to the stdio transport: pump reads the
// client's lines and hands mcp-go the rewritten ones; Write is mcp-go's
// stdout, where answers get their ids back. mcp-go writes one message per
// Write call.
type stdioIDs struct {
	sur     *surrogates
	mu      sync.Mutex // serializes writes to out; guards pending
	out     io.Writer
	pending map[string][]byte // quoted surrogate -> id as received

	// srv, when set, has its tools/list answered here from the encoded
	// result, while the session speaks a protocol version up to
	// 2025-11-25 (later ones add fields to results that mcp-go writes).
	srv    *server.MCPServer
	modern atomic.Bool
}

func newStdioIDs(out io.Writer) *stdioIDs {
	return &stdioIDs{sur: newSurrogates(), out: out, pending: map[string][]byte{}}
}

// reader returns what mcp-go reads instead of in.
func (s *stdioIDs) reader(in io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.pump(in, pw)) }()
	return pr
}

func (s *stdioIDs) pump(in io.Reader, to io.Writer) error {
	br := bufio.NewReader(in)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if werr := s.forward(line, to); werr != nil {
				return werr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (s *stdioIDs) forward(line []byte, to io.Writer) error {
	verdict, id, method := inspectID(line)
	switch verdict {
	case idInvalid:
		s.mu.Lock()
		defer s.mu.Unlock()
		_, err := s.out.Write(append(invalidIDAnswer(id), '\n'))
		return err
	}
	if s.srv != nil {
		if string(method) == `"`+string(mcp.MethodInitialize)+`"` {
			// Only the version: decoding the whole mcp.InitializeRequest
			// built encoding/json's decoders for a dozen capability types
			// on the way to the first answer.
			var req struct {
				Params struct {
					ProtocolVersion string `json:"protocolVersion"`
				} `json:"params"`
			}
			s.modern.Store(json.Unmarshal(line, &req) == nil && mcp.IsModernProtocol(req.Params.ProtocolVersion))
		} else if !s.modern.Load() {
			// The one stdio session loads toolsets into the server itself.
			if result := listResult(s.srv, "", line, id, method); result != nil {
				s.mu.Lock()
				defer s.mu.Unlock()
				return writeAnswer(s.out, id, result, "\n")
			}
		}
	}
	switch verdict {
	case idSurrogate:
		swapped, sur, err := s.sur.swap(bytes.TrimSpace(line))
		if err == nil {
			s.mu.Lock()
			s.pending[string(sur)] = id
			s.mu.Unlock()
			line = append(swapped, '\n')
		}
	}
	_, err := to.Write(line)
	return err
}

func (s *stdioIDs) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := p
	for sur, raw := range s.pending {
		if restored, ok := restoreID(p, []byte(sur), raw); ok {
			out = restored
			delete(s.pending, sur)
			break
		}
	}
	if _, err := s.out.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
