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
	"sync/atomic"
	"time"
)

// Raw export (wire reference §4.7): GET /api/2.0/export answers
// newline-delimited JSON, written line by line as Mixpanel streams it.
// Data.Export swaps the dataset for a synthetic stream of any size that is
// generated lazily, so a test can serve gigabytes without holding them.
func init() {
	register(func(s *Server) { s.handle(http.MethodGet, ExportPrefix+"/export", s.export) })
}

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
	// Done is closed when the handler returns; Written is final after it.
	done chan struct{}
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

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "from_date", "to_date")
	if !ok {
		return
	}
	var events []string
	if ev := q.Get("event"); ev != "" {
		if err := json.Unmarshal([]byte(ev), &events); err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("event must be a JSON array of event names"))
			return
		}
	}
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > 100000 {
			WriteJSON(w, http.StatusBadRequest, errorBody("limit must be an integer between 1 and 100000"))
			return
		}
		limit = n
	}
	where, err := ParseSelector(q.Get("where"))
	if err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("invalid where: "+err.Error()))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if x := s.Data.Export; x != nil {
		s.syntheticExport(w, x, limit)
		return
	}
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	to = to.Add(24*time.Hour - time.Second)
	n := 0
	for _, e := range s.Data.RawEvents {
		if e.Time.Before(from) || e.Time.After(to) || (len(events) > 0 && !slices.Contains(events, e.Name)) {
			continue
		}
		props := e.wireProperties("distinct_id")
		if !where.Match(props) {
			continue
		}
		line, _ := json.Marshal(map[string]any{"event": e.Name, "properties": props})
		_, _ = bw.Write(append(line, '\n'))
		if n++; limit > 0 && n >= limit {
			break
		}
	}
}

func (s *Server) syntheticExport(w http.ResponseWriter, x *SyntheticExport, limit int) {
	defer func() {
		if x.done != nil {
			close(x.done)
		}
	}()
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
