package mixpaneltest

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Raw export (wire reference §4.7): GET /api/2.0/export answers
// newline-delimited JSON, written line by line as Mixpanel streams it.
// Data.Export swaps the dataset for a synthetic stream of any size that is
// generated lazily, so a test can serve gigabytes without holding them.
func routesExport(s *Server) { s.handle(http.MethodGet, ExportPrefix+"/export", s.export) }

// RawEvent is one tracked event of the dataset, served by the export and
// the activity feed.
type RawEvent struct {
	Name       string
	Time       time.Time
	DistinctID string
	InsertID   string
	Properties map[string]any
}

// wireProperties is the event's properties as the APIs send them: time in
// Unix seconds, the distinct id under idKey and $insert_id.
func (e RawEvent) wireProperties(idKey string) map[string]any {
	p := make(map[string]any, len(e.Properties)+3)
	for k, v := range e.Properties {
		p[k] = v
	}
	p["time"] = e.Time.Unix()
	p[idKey] = e.DistinctID
	p["$insert_id"] = e.InsertID
	return p
}

// SyntheticExport makes the export endpoint stream generated events until
// Bytes bytes are written (or the client goes away). Malformed and blank
// lines are mixed in every 97th and 89th line, as a real stream may carry.
type SyntheticExport struct {
	Bytes int64
	Gzip  bool // send the body gzip-encoded with Content-Encoding: gzip
	// written counts the uncompressed bytes handed to the connection.
	written atomic.Int64
	// done is closed when a handler serving it returns; Written is final
	// after it.
	done     chan struct{}
	doneOnce sync.Once
}

// NewSyntheticExport returns a synthetic stream of size bytes.
func NewSyntheticExport(size int64, gzipped bool) *SyntheticExport {
	return &SyntheticExport{Bytes: size, Gzip: gzipped, done: make(chan struct{})}
}

// Written is how many body bytes the fake produced so far.
func (x *SyntheticExport) Written() int64 { return x.written.Load() }

// Wait blocks until the handler has returned (the client closed the
// connection or the stream ended) or the timeout passes.
func (x *SyntheticExport) Wait(timeout time.Duration) bool {
	select {
	case <-x.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// ExportRequest is a decoded GET /export: the range [From, To] (To at its
// last second), the event names (none: every event), the row limit (0:
// none) and the where selector.
type ExportRequest struct {
	From, To time.Time
	Events   []string
	Limit    int
	Where    *Selector
}

// DecodeExport reads and checks an export request, answering 400 (and
// false) as Mixpanel does when it is wrong.
func DecodeExport(w http.ResponseWriter, r *http.Request) (*ExportRequest, bool) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "from_date", "to_date")
	if !ok {
		return nil, false
	}
	x := &ExportRequest{From: from, To: to.Add(24*time.Hour - time.Second)}
	if ev := q.Get("event"); ev != "" {
		if err := json.Unmarshal([]byte(ev), &x.Events); err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("event must be a JSON array of event names"))
			return nil, false
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > 100000 {
			WriteJSON(w, http.StatusBadRequest, errorBody("limit must be an integer between 1 and 100000"))
			return nil, false
		}
		x.Limit = n
	}
	var err error
	if x.Where, err = ParseSelector(q.Get("where")); err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("invalid where: "+err.Error()))
		return nil, false
	}
	return x, true
}

// ExportLine is event e as one line of the export's NDJSON body.
func ExportLine(e RawEvent) []byte {
	line, _ := json.Marshal(map[string]any{"event": e.Name, "properties": e.wireProperties("distinct_id")})
	return append(line, '\n')
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	x, ok := DecodeExport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if sx := s.Data.Export; sx != nil {
		s.syntheticExport(w, sx, x.Limit)
		return
	}
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	n := 0
	for _, e := range s.Data.RawEvents {
		if e.Time.Before(x.From) || e.Time.After(x.To) || (len(x.Events) > 0 && !slices.Contains(x.Events, e.Name)) {
			continue
		}
		if !x.Where.Match(e.wireProperties("distinct_id")) {
			continue
		}
		_, _ = bw.Write(ExportLine(e))
		if n++; x.Limit > 0 && n >= x.Limit {
			break
		}
	}
}

func (s *Server) syntheticExport(w http.ResponseWriter, x *SyntheticExport, limit int) {
	defer x.doneOnce.Do(func() {
		if x.done != nil {
			close(x.done)
		}
	})
	var out io.Writer = w
	if x.Gzip {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
	}
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(out, 32<<10)
	defer bw.Flush()
	pad := strings.Repeat("x", 180)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	rows := 0
	for i := 0; x.written.Load() < x.Bytes; i++ {
		var line string
		switch {
		case i%97 == 96:
			line = "{not json\n"
		case i%89 == 88:
			line = "\n"
		default:
			line = fmt.Sprintf(`{"event":"Product Viewed","properties":{"time":%d,"distinct_id":"user-%d","$insert_id":"ins-%d","category":"shoes","price":%d,"pad":"%s"}}`+"\n",
				base+int64(i), i%5000, i, i%300, pad)
			rows++
		}
		if _, err := bw.WriteString(line); err != nil {
			return
		}
		x.written.Add(int64(len(line)))
		if limit > 0 && rows >= limit {
			return
		}
	}
}
