package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// sessionTable is the stateful HTTP mode's record of the MCP sessions this
// process issued and has not ended. mcp-go asks it to generate, validate and
// terminate session ids; an id it never issued, or one already ended (by
// DELETE or by the idle sweeper), is unknown and mcp-go answers 404.
//
// It also caps live sessions. mcp-go's Generate cannot fail, so the HTTP
// layer reserves a slot before an initialize request reaches mcp-go
// (answering 503 when none is left) and the request's Generate turns the
// reservation into a session; a reservation that was not used is released.
type sessionTable struct {
	mu       sync.Mutex
	live     map[string]struct{}
	reserved int
	max      int
}

var errUnknownSession = errors.New("unknown or ended session")

func newSessionTable(max int) *sessionTable {
	return &sessionTable{live: map[string]struct{}{}, max: max}
}

// reservation is one initialize request's claim on a session slot.
type reservation struct {
	table *sessionTable
	used  bool // guarded by table.mu
}

// reserve claims a slot for a new session, or reports that the table is full.
func (t *sessionTable) reserve() (*reservation, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.live)+t.reserved >= t.max {
		return nil, false
	}
	t.reserved++
	return &reservation{table: t}, true
}

// release gives back a slot that no session took.
func (r *reservation) release() {
	r.table.mu.Lock()
	defer r.table.mu.Unlock()
	if !r.used {
		r.used = true
		r.table.reserved--
	}
}

// Generate issues a new session id. It is reached only through a
// reservation (see reservedIDs), except when mcp-go mints an id outside an
// initialize request, which the HTTP layer does not let through.
func (t *sessionTable) Generate() string {
	id := newSessionID()
	t.mu.Lock()
	t.live[id] = struct{}{}
	t.mu.Unlock()
	return id
}

func (t *sessionTable) Validate(id string) (isTerminated bool, err error) {
	if !t.has(id) {
		return false, errUnknownSession
	}
	return false, nil
}

// Terminate ends a session; ending one that is already gone is not an
// error (the sweeper and a DELETE may race). The HTTP layer answers a
// DELETE of an unknown id with 404 before it gets here.
func (t *sessionTable) Terminate(id string) (isNotAllowed bool, err error) {
	t.mu.Lock()
	delete(t.live, id)
	t.mu.Unlock()
	return false, nil
}

func (t *sessionTable) has(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.live[id]
	return ok
}

// Len is the number of live sessions.
func (t *sessionTable) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.live)
}

// newSessionID is 128 random bits: unguessable, so holding an id is proof
// of having initialized the session (the bearer token still guards the
// endpoint itself).
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "mcp-session-" + hex.EncodeToString(b[:])
}

// reservedIDs is the table as seen by one initialize request holding a
// reservation: its Generate consumes the reservation.
type reservedIDs struct {
	*sessionTable
	res *reservation
}

func (r reservedIDs) Generate() string {
	id := newSessionID()
	t := r.sessionTable
	t.mu.Lock()
	defer t.mu.Unlock()
	if !r.res.used {
		r.res.used = true
		t.reserved--
	}
	t.live[id] = struct{}{}
	return id
}

type reservationKey struct{}

// ResolveSessionIdManager gives mcp-go the table, bound to the request's
// reservation when it carries one. mcp-go's idle sweeper calls it with a
// nil request.
func (t *sessionTable) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r != nil {
		if res, ok := r.Context().Value(reservationKey{}).(*reservation); ok {
			return reservedIDs{sessionTable: t, res: res}
		}
	}
	return t
}

func withReservation(ctx context.Context, res *reservation) context.Context {
	return context.WithValue(ctx, reservationKey{}, res)
}
