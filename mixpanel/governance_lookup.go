package mixpanel

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Lookup tables (wire reference §4.20): CSV files whose first column is a
// key that enriches a property. An upload is upload-url → PUT of the CSV
// to the signed storage URL (no Mixpanel credentials, no User-Agent of
// ours) → form-encoded register → polling upload-status until Mixpanel has
// processed it. The signed URL is a credential: it is never put in a
// result, a log line or an error.

// LookupTable is one lookup table; its id is its data-group id.
type LookupTable struct {
	ID                  int64  `json:"id" col:"id"`
	Name                string `json:"name" col:"name"`
	Token               string `json:"token,omitempty"`
	CreatedAt           string `json:"createdAt,omitempty" col:"created"`
	LastModifiedAt      string `json:"lastModifiedAt,omitempty" col:"modified"`
	HasMappedProperties bool   `json:"hasMappedProperties" col:"mapped"`
}

// Ref names the lookup table.
func (t LookupTable) Ref() Ref { return Ref{Kind: "lookup table", ID: ID(t.ID), Name: t.Name} }

// LookupUploadURL is where to PUT a CSV (url, signed) and how to register
// it afterwards (path and key).
type LookupUploadURL struct {
	URL  string `json:"url"`
	Path string `json:"path"`
	Key  string `json:"key"`
}

// LookupUploadStatus is the processing state of a registered upload.
type LookupUploadStatus struct {
	UploadStatus string          `json:"uploadStatus"`
	Result       json.RawMessage `json:"result,omitempty"`
}

// MarkLookupTableReadyParams registers an uploaded file.
type MarkLookupTableReadyParams struct {
	Name        string `json:"name" jsonschema:"minLength=1,maxLength=255"`
	Key         string `json:"key" jsonschema:"minLength=1,description=Key from get_lookup_upload_url"`
	DataGroupID *int64 `json:"data_group_id,omitempty" jsonschema:"description=Table to replace"`
}

// UpdateLookupTableParams renames a lookup table.
type UpdateLookupTableParams struct {
	Name string `json:"name" jsonschema:"minLength=1,maxLength=255"`
}

// DownloadLookupTableParams reads a table's CSV.
type DownloadLookupTableParams struct {
	DataGroupID int64  `json:"data_group_id" jsonschema:"minimum=1,description=Lookup table id"`
	FileName    string `json:"file_name,omitempty"`
	Limit       int    `json:"limit,omitempty" jsonschema:"minimum=1,description=Rows at most"`
}

// UploadLookupTableParams is a CSV to upload as a new table, or as the new
// content of table DataGroupID.
type UploadLookupTableParams struct {
	Name        string
	CSV         []byte
	DataGroupID *int64
	// PollInterval is the wait between status reads (0: none).
	PollInterval time.Duration
	// Progress, when set, is told each step: done of 4 steps, and what
	// is happening.
	Progress func(done int, message string)
}

func (c *Client) lookupPath(parts ...string) (string, error) {
	return c.scoped(append([]string{"data-definitions", "lookup-tables"}, parts...)...)
}

func groupQuery(id *int64) url.Values {
	if id == nil {
		return nil
	}
	return url.Values{"data-group-id": {ID(*id)}}
}

// ListLookupTables lists the lookup tables, or the one with dataGroupID.
func (c *Client) ListLookupTables(ctx context.Context, dataGroupID *int64) ([]LookupTable, error) {
	path, err := c.lookupPath("")
	if err != nil {
		return nil, err
	}
	return appCall[[]LookupTable](ctx, c, GET, path, groupQuery(dataGroupID), nil)
}

// GetLookupUploadURL asks for a signed URL to PUT a file of contentType to.
func (c *Client) GetLookupUploadURL(ctx context.Context, contentType string) (LookupUploadURL, error) {
	path, err := c.lookupPath("upload-url", "")
	if err != nil {
		return LookupUploadURL{}, err
	}
	return appCall[LookupUploadURL](ctx, c, GET, path, url.Values{"content-type": {contentType}}, nil)
}

// GetLookupUploadStatus reads the processing state of an upload.
func (c *Client) GetLookupUploadStatus(ctx context.Context, uploadID string) (LookupUploadStatus, error) {
	path, err := c.lookupPath("upload-status", "")
	if err != nil {
		return LookupUploadStatus{}, err
	}
	return appCall[LookupUploadStatus](ctx, c, GET, path, url.Values{"upload-id": {uploadID}}, nil)
}

// lookupRegistered is register's answer: the table, or an upload id to
// poll.
type lookupRegistered struct {
	LookupTable
	UploadID string `json:"uploadId"`
}

func (c *Client) registerLookup(ctx context.Context, form url.Values, dataGroupID *int64) (lookupRegistered, error) {
	path, err := c.lookupPath("")
	if err != nil {
		return lookupRegistered{}, err
	}
	if dataGroupID != nil {
		form.Set("data-group-id", ID(*dataGroupID))
	}
	return appCall[lookupRegistered](ctx, c, POST, path, nil, form)
}

// MarkLookupTableReady registers a file already uploaded under key.
func (c *Client) MarkLookupTableReady(ctx context.Context, p MarkLookupTableReadyParams) (LookupTable, error) {
	r, err := c.registerLookup(ctx, url.Values{"name": {p.Name}, "key": {p.Key}}, p.DataGroupID)
	return r.LookupTable, err
}

// UpdateLookupTable renames table id.
func (c *Client) UpdateLookupTable(ctx context.Context, id int64, p UpdateLookupTableParams) (LookupTable, error) {
	path, err := c.lookupPath("")
	if err != nil {
		return LookupTable{}, err
	}
	return appCall[LookupTable](ctx, c, PATCH, path, nil, map[string]any{"name": p.Name, "data-group-id": id})
}

// DeleteLookupTables deletes the tables with these data-group ids.
func (c *Client) DeleteLookupTables(ctx context.Context, ids []int64) error {
	path, err := c.lookupPath("")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, map[string][]int64{"data-group-ids": ids})
	return err
}

// MaxLookupDownload caps the CSV a download reads.
const MaxLookupDownload = 8 << 20

// DownloadLookupTable reads a table's CSV (at most MaxLookupDownload
// bytes; truncated reports a cut).
func (c *Client) DownloadLookupTable(ctx context.Context, p DownloadLookupTableParams) (csv []byte, truncated bool, err error) {
	path, err := c.lookupPath("download", "")
	if err != nil {
		return nil, false, err
	}
	q := url.Values{"data-group-id": {ID(p.DataGroupID)}}
	if p.FileName != "" {
		q.Set("file-name", p.FileName)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	resp, err := c.Do(ctx, Request{Family: App, Path: path, Query: q})
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxLookupDownload+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading lookup table %d: %w", p.DataGroupID, err)
	}
	if len(b) > MaxLookupDownload {
		c.notice(ctx, NoticeWarning, "lookup table %d: the download was cut at %s", p.DataGroupID, byteSize(MaxLookupDownload))
		return b[:MaxLookupDownload], true, nil
	}
	return b, false, nil
}

// GetLookupDownloadURL asks for a temporary URL to download a table from.
func (c *Client) GetLookupDownloadURL(ctx context.Context, dataGroupID int64) (string, error) {
	path, err := c.lookupPath("download-url", "")
	if err != nil {
		return "", err
	}
	raw, err := appCall[json.RawMessage](ctx, c, GET, path, url.Values{"data-group-id": {ID(dataGroupID)}}, nil)
	if err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return s, nil
	}
	var obj struct {
		URL         string `json:"url"`
		DownloadURL string `json:"download_url"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		if obj.URL != "" {
			return obj.URL, nil
		}
		if obj.DownloadURL != "" {
			return obj.DownloadURL, nil
		}
	}
	return "", badAnswer(GET, path, "no download URL in the answer")
}

// Upload outcomes that are not Mixpanel errors.
var (
	ErrLookupUploadFailed  = errors.New("Mixpanel could not process the lookup table")
	ErrLookupUploadRevoked = errors.New("the lookup table upload was revoked")
	ErrLookupUploadExpired = errors.New("the lookup table upload expired before it was processed")
)

// LookupUploadError is an upload that was registered but did not succeed;
// UploadID lets a caller look at it later (get_lookup_upload_status).
type LookupUploadError struct {
	UploadID string
	Status   string
	Detail   string
	Err      error
}

func (e *LookupUploadError) Error() string {
	s := fmt.Sprintf("%v (upload %s, status %s)", e.Err, e.UploadID, e.Status)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *LookupUploadError) Unwrap() error { return e.Err }

// UploadLookupTable uploads the CSV and registers it, then waits until
// Mixpanel has processed it; it answers with the table.
func (c *Client) UploadLookupTable(ctx context.Context, p UploadLookupTableParams) (LookupTable, error) {
	step := func(done int, msg string) {
		if p.Progress != nil {
			p.Progress(done, msg)
		}
	}
	step(0, "asking Mixpanel for an upload URL")
	u, err := c.GetLookupUploadURL(ctx, "text/csv")
	if err != nil {
		return LookupTable{}, err
	}
	step(1, fmt.Sprintf("uploading %s of CSV", byteSize(int64(len(p.CSV)))))
	if err := c.putSigned(ctx, u.URL, "text/csv", p.CSV); err != nil {
		return LookupTable{}, err
	}
	step(2, "registering the table")
	reg, err := c.registerLookup(ctx, url.Values{"name": {p.Name}, "path": {u.Path}, "key": {u.Key}}, p.DataGroupID)
	if err != nil {
		return LookupTable{}, err
	}
	if reg.UploadID == "" {
		step(4, "done")
		return reg.LookupTable, nil
	}
	start := time.Now()
	for {
		st, err := c.GetLookupUploadStatus(ctx, reg.UploadID)
		if err != nil {
			return LookupTable{}, fmt.Errorf("reading the status of upload %s: %w", reg.UploadID, err)
		}
		fail := func(e error) error {
			return &LookupUploadError{UploadID: reg.UploadID, Status: st.UploadStatus, Detail: uploadDetail(st.Result), Err: e}
		}
		switch strings.ToUpper(st.UploadStatus) {
		case "SUCCESS":
			var t LookupTable
			if err := json.Unmarshal(st.Result, &t); err != nil || len(st.Result) == 0 {
				return LookupTable{}, fail(errors.New("Mixpanel reported success without the table; list the lookup tables to find it"))
			}
			step(4, "processed")
			return t, nil
		case "FAILURE", "FAILED":
			return LookupTable{}, fail(ErrLookupUploadFailed)
		case "REVOKED":
			return LookupTable{}, fail(ErrLookupUploadRevoked)
		case "NOTFOUND":
			return LookupTable{}, fail(ErrLookupUploadExpired)
		}
		step(3, fmt.Sprintf("Mixpanel is processing the table (%s, %s)", st.UploadStatus, time.Since(start).Round(time.Second)))
		if p.PollInterval > 0 {
			if err := c.sleep(ctx, p.PollInterval); err != nil {
				return LookupTable{}, &LookupUploadError{UploadID: reg.UploadID, Status: st.UploadStatus, Err: fmt.Errorf("stopped waiting (%w); the upload goes on at Mixpanel", err)}
			}
		} else if err := ctx.Err(); err != nil {
			return LookupTable{}, &LookupUploadError{UploadID: reg.UploadID, Status: st.UploadStatus, Err: fmt.Errorf("stopped waiting (%w); the upload goes on at Mixpanel", err)}
		}
	}
}

// uploadDetail is what a failed upload's result says, briefly.
func uploadDetail(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for _, k := range []string{"error", "message", "detail"} {
			if v, ok := m[k]; ok {
				return fmt.Sprint(v)
			}
		}
	}
	if len(raw) > 300 {
		raw = raw[:300]
	}
	return string(raw)
}

// putSigned sends body to a signed storage URL: no Mixpanel credentials and
// no User-Agent of ours; the URL stays out of every error.
func (c *Client) putSigned(ctx context.Context, signed, contentType string, body []byte) error {
	const what = "uploading the CSV to Mixpanel's storage"
	u, err := url.Parse(signed)
	if err != nil || u.Host == "" || !(u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return fmt.Errorf("%s: Mixpanel's upload URL is not an https URL; try again, or upload in the Mixpanel web app", what)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, signed, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: the upload URL cannot be used", what)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s failed (host %s): %s", what, u.Host, strings.ReplaceAll(err.Error(), signed, "[signed URL]"))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		hint := "try again"
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadRequest {
			hint = "the signed URL may have expired; upload again, which asks for a fresh one"
		}
		return fmt.Errorf("%s: storage answered %d %s; %s", what, resp.StatusCode, http.StatusText(resp.StatusCode), hint)
	}
	c.log.Debug().Str("host", u.Host).Int("bytes", len(body)).Msg("lookup table CSV uploaded to signed URL")
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Validate checks the name and key.
func (p MarkLookupTableReadyParams) Validate() error {
	var c checks
	c.required("name", strings.TrimSpace(p.Name) == "", "name the table")
	c.maxLen("name", p.Name, 255)
	c.requiredID(query.NeedLookupUploadKey, "key", p.Key == "", "pass the key the upload URL came with")
	return c.err()
}

// Validate checks the name.
func (p UpdateLookupTableParams) Validate() error {
	var c checks
	c.required("name", strings.TrimSpace(p.Name) == "", "pass the new name")
	c.maxLen("name", p.Name, 255)
	return c.err()
}

// Validate checks the table id.
func (p DownloadLookupTableParams) Validate() error {
	var c checks
	c.requiredID(query.NeedLookupTableID, "data_group_id", p.DataGroupID <= 0, "pass the lookup table's id")
	if p.Limit < 0 {
		c.add(CodeRange, "limit", "%d rows; pass a positive limit or leave it out", p.Limit)
	}
	return c.err()
}

// CodeCSV marks a lookup-table CSV Mixpanel would refuse.
const CodeCSV = "MG7_CSV"

// CheckLookupCSV checks what Mixpanel needs of a lookup table: a header
// whose first column (the key) is named, at least one more column, at
// least one row, and the same number of fields on every row.
func CheckLookupCSV(field string, data []byte) error {
	var c checks
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	switch {
	case err == io.EOF:
		c.required(field, true, "pass the CSV: a header line (key column first) and one line per row")
	case err != nil:
		c.add(CodeCSV, field, "the header line is not CSV (%v); quote fields that contain commas", err)
	case len(header) < 2 || strings.TrimSpace(header[0]) == "":
		c.add(CodeCSV, field, "the header needs a named key column and at least one value column, e.g. store_id,region")
	default:
		rows := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				c.add(CodeCSV, field, "%v; every row needs %d fields like the header", err, len(header))
				break
			}
			rows++
		}
		if rows == 0 && len(c.iss) == 0 {
			c.add(CodeCSV, field, "the CSV has a header but no rows; add at least one row")
		}
	}
	return c.err()
}
