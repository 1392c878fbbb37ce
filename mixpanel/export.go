package mixpanel

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
)

// Raw event export (wire reference §4.7). The answer is one newline-
// delimited JSON stream that can run to gigabytes, so it is read line by
// line and never held whole: memory stays flat however large the export,
// and reading stops — the connection is closed — as soon as the caller has
// enough rows.

// MaxExportLimit is the largest limit the export endpoint accepts.
const MaxExportLimit = 100000

// maxExportLine bounds one NDJSON line; a longer line is skipped rather
// than buffered, so one pathological event cannot exhaust memory.
const maxExportLine = 8 << 20

// ExportParams are the arguments of ExportEvents. Dates are YYYY-MM-DD,
// both inclusive.
type ExportParams struct {
	FromDate string
	ToDate   string
	Events   []string // only these event names
	Where    string   // filter expression
	// Limit is sent to Mixpanel (capped at MaxExportLimit); 0 sends none.
	Limit int
}

// ExportEvent is one exported event, normalised as the reference does:
// the time, distinct id and insert id are lifted out of the properties.
// EventTime is UTC RFC 3339.
type ExportEvent struct {
	EventName  string         `json:"event_name"`
	EventTime  string         `json:"event_time"`
	DistinctID string         `json:"distinct_id"`
	InsertID   string         `json:"insert_id"`
	Properties map[string]any `json:"properties"`
}

// ExportStats describes how a stream was read.
type ExportStats struct {
	Rows      int   // rows handed to the callback
	Skipped   int   // blank, malformed or oversized lines
	BytesRead int64 // bytes read off the wire (compressed, when gzipped)
	// Stopped is true when the callback asked to stop before the stream ended.
	Stopped bool
}

// ExportEvents streams the export, calling yield for each event until it
// returns false or the stream ends.
func (c *Client) ExportEvents(ctx context.Context, p ExportParams, yield func(ExportEvent) bool) (ExportStats, error) {
	q := url.Values{"from_date": {p.FromDate}, "to_date": {p.ToDate}}
	if len(p.Events) > 0 {
		ev, _ := json.Marshal(p.Events)
		q.Set("event", string(ev))
	}
	setIf(q, "where", p.Where)
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(min(p.Limit, MaxExportLimit)))
	}
	resp, err := c.Do(ctx, Request{Family: Export, Path: "/export", Query: q})
	if err != nil {
		return ExportStats{}, fmt.Errorf("export events: %w", err)
	}
	defer resp.Body.Close()
	stats, err := readNDJSON(resp.Body, func(line []byte) (bool, bool) {
		var raw struct {
			Event      string         `json:"event"`
			Properties map[string]any `json:"properties"`
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if dec.Decode(&raw) != nil || raw.Event == "" {
			return false, true
		}
		return true, yield(normalizeEvent(raw.Event, raw.Properties))
	})
	if err != nil {
		return stats, fmt.Errorf("export events: %w", err)
	}
	return stats, nil
}

// normalizeEvent lifts time, distinct_id and $insert_id out of an event's
// properties into the reference's exported-event shape.
func normalizeEvent(name string, props map[string]any) ExportEvent {
	if props == nil {
		props = map[string]any{}
	}
	e := ExportEvent{EventName: name, EventTime: unixTime(props["time"]), Properties: props}
	e.DistinctID, _ = props["distinct_id"].(string)
	e.InsertID, _ = props["$insert_id"].(string)
	delete(props, "time")
	delete(props, "distinct_id")
	delete(props, "$insert_id")
	return e
}

// readNDJSON reads newline-delimited JSON from r, gzipped or not, calling
// handle with each non-blank line (the slice is only valid during the
// call). handle reports whether the line was a valid row (counted) and
// whether to go on. Lines longer than 8 MiB are skipped unread.
func readNDJSON(r io.Reader, handle func(line []byte) (ok, more bool)) (stats ExportStats, err error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	defer func() { stats.BytesRead = cr.n }()
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return stats, fmt.Errorf("reading gzipped export: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	var long []byte // a line longer than the buffer, assembled
	oversized := false
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !oversized {
				if len(long)+len(chunk) > maxExportLine {
					oversized, long = true, nil
				} else {
					long = append(long, chunk...)
				}
			}
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if oversized {
			oversized = false
			stats.Skipped++
		} else if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			ok, more := handle(trimmed)
			if ok {
				stats.Rows++
			} else {
				stats.Skipped++
			}
			if !more {
				stats.Stopped = true
				return stats, nil
			}
		}
		if err == io.EOF {
			return stats, nil
		}
		if err != nil {
			return stats, fmt.Errorf("reading export stream: %w", err)
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
