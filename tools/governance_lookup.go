package tools

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The governance toolset's lookup tables. upload_lookup_table runs the
// whole upload: CSV inline (any transport) or from a local file (stdio
// only), the signed PUT, the registration and the wait for Mixpanel's
// processing with progress notifications; the signed URL is never shown.
func governanceLookupTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[listLookupIn, List[mixpanel.LookupTable]]{Name: "list_lookup_tables", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List lookup tables (id = data-group id, name, mapped to a property).",
			Call: func(ctx context.Context, c *M, in listLookupIn) (List[mixpanel.LookupTable], error) {
				ts, err := c.ListLookupTables(ctx, in.DataGroupID)
				return paged(ts, in.Paging), err
			}}.Tool(),
		uploadLookupTool(),
		Op[mixpanel.MarkLookupTableReadyParams, mixpanel.LookupTable]{Name: "mark_lookup_table_ready", Toolset: ToolsetGovernance, Ann: Write, Kind: "lookup_table", Action: "registered",
			Desc:   "Register a CSV already uploaded under a key as a lookup table.",
			Method: (*M).MarkLookupTableReady}.Tool(),
		Op[lookupUploadURLIn, lookupUploadURL]{Name: "get_lookup_upload_url", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "Get the storage path and key for a lookup table upload (the signed URL stays hidden).",
			Call: func(ctx context.Context, c *M, in lookupUploadURLIn) (lookupUploadURL, error) {
				ct := in.ContentType
				if ct == "" {
					ct = "text/csv"
				}
				u, err := c.GetLookupUploadURL(ctx, ct)
				return lookupUploadURL{URL: unsigned(u.URL), Path: u.Path, Key: u.Key}, err
			}}.Tool(),
		Op[lookupUploadID, mixpanel.LookupUploadStatus]{Name: "get_lookup_upload_status", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "Read the processing state of a lookup table upload.",
			Call: func(ctx context.Context, c *M, in lookupUploadID) (mixpanel.LookupUploadStatus, error) {
				return c.GetLookupUploadStatus(ctx, in.UploadID)
			}}.Tool(),
		Op[updateLookupIn, mixpanel.LookupTable]{Name: "update_lookup_table", Toolset: ToolsetGovernance, Ann: Overwrite, Kind: "lookup_table", Action: "updated",
			Desc: "Rename a lookup table.",
			Call: func(ctx context.Context, c *M, in updateLookupIn) (mixpanel.LookupTable, error) {
				return c.UpdateLookupTable(ctx, in.DataGroupID, in.UpdateLookupTableParams)
			}}.Tool(),
		Op[deleteLookupIn, mixpanel.Empty]{Name: "delete_lookup_tables", Toolset: ToolsetGovernance, Ann: Destructive, Action: "deleted",
			Desc:   "Delete lookup tables by id; properties mapped to them lose their enrichment.",
			Repeat: func(in deleteLookupIn) string { return "delete lookup tables " + joinIDs(in.DataGroupIDs) },
			Confirm: func(ctx context.Context, c *M, in deleteLookupIn) (string, error) {
				ts, err := c.ListLookupTables(ctx, nil)
				names := map[int64]mixpanel.LookupTable{}
				for _, t := range ts {
					names[t.ID] = t
				}
				lines := make([]string, len(in.DataGroupIDs))
				for i, id := range in.DataGroupIDs {
					t, ok := names[id]
					if !ok {
						t = mixpanel.LookupTable{ID: id}
					}
					lines[i] = "- " + t.Ref().String()
					if t.HasMappedProperties {
						lines[i] += " (mapped to a property)"
					}
				}
				return fmt.Sprintf("Delete %d lookup table(s):\n%s", len(lines), strings.Join(lines, "\n")), err
			},
			Call: func(ctx context.Context, c *M, in deleteLookupIn) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteLookupTables(ctx, in.DataGroupIDs)
			}}.Tool(),
		Op[mixpanel.DownloadLookupTableParams, lookupCSV]{Name: "download_lookup_table", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "Read a lookup table's CSV (pass limit for the first rows).",
			Call: func(ctx context.Context, c *M, in mixpanel.DownloadLookupTableParams) (lookupCSV, error) {
				b, cut, err := c.DownloadLookupTable(ctx, in)
				if len(b) > maxShownCSV {
					b, cut = b[:maxShownCSV], true
				}
				return lookupCSV{CSV: string(b), Truncated: cut}, err
			}}.Tool(),
		Op[lookupTableID, lookupDownloadURL]{Name: "get_lookup_download_url", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "Get a temporary URL to download a lookup table's CSV.",
			Call: func(ctx context.Context, c *M, in lookupTableID) (lookupDownloadURL, error) {
				u, err := c.GetLookupDownloadURL(ctx, in.DataGroupID)
				return lookupDownloadURL{URL: u}, err
			}}.Tool(),
	}
}

// maxShownCSV caps the CSV a download puts in a result.
const maxShownCSV = 256 << 10

type listLookupIn struct {
	DataGroupID *int64 `json:"data_group_id,omitempty" jsonschema:"minimum=1,description=Only this table"`
	Paging
}

type lookupTableID struct {
	DataGroupID int64 `json:"data_group_id" jsonschema:"minimum=1,description=Lookup table id (list_lookup_tables)"`
}

type lookupUploadID struct {
	UploadID string `json:"upload_id" jsonschema:"minLength=1"`
}

type lookupUploadURLIn struct {
	ContentType string `json:"content_type,omitempty" jsonschema:"default=text/csv"`
}

type updateLookupIn struct {
	lookupTableID
	mixpanel.UpdateLookupTableParams
}

type deleteLookupIn struct {
	DataGroupIDs []int64 `json:"data_group_ids" jsonschema:"minItems=1,description=Lookup table ids (list_lookup_tables)"`
}

// Validate checks the ids.
func (in deleteLookupIn) Validate() error {
	for i, id := range in.DataGroupIDs {
		if id <= 0 {
			return inputErr(mixpanel.CodeRange, fmt.Sprintf("data_group_ids[%d]", i), "%d is not a table id; use ids from list_lookup_tables", id)
		}
	}
	if len(in.DataGroupIDs) == 0 {
		return inputErr(mixpanel.CodeRequired, "data_group_ids", "data_group_ids is required; pass the ids of the tables to delete")
	}
	return nil
}

// lookupUploadURL is get_lookup_upload_url's answer with the signature
// cut off the URL.
type lookupUploadURL struct {
	URL  string `json:"url" jsonschema:"description=Storage URL without its signature"`
	Path string `json:"path"`
	Key  string `json:"key"`
}

type lookupDownloadURL struct {
	URL string `json:"url"`
}

type lookupCSV struct {
	CSV       string `json:"csv"`
	Truncated bool   `json:"truncated,omitempty"`
}

func (l lookupCSV) Text() string {
	if l.Truncated {
		return l.CSV + "\n[cut here: pass limit, or use get_lookup_download_url for the whole file]"
	}
	return l.CSV
}

// unsigned is a signed URL without its query (the signature) and
// credentials.
func unsigned(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// maxInlineCSV caps the CSV passed inline (the arguments are capped at
// 1 MiB whole); a larger table is read from file_path over stdio.
const maxInlineCSV = 512 << 10

// maxFileCSV caps a lookup table read from a local file.
const maxFileCSV = 100 << 20

type uploadLookupIn struct {
	Name         string   `json:"name" jsonschema:"minLength=1,maxLength=255"`
	CSV          string   `json:"csv,omitempty" jsonschema:"maxLength=524288,description=CSV content: header with key column first; or file_path"`
	FilePath     string   `json:"file_path,omitempty" jsonschema:"description=Local CSV file (stdio only)"`
	DataGroupID  *int64   `json:"data_group_id,omitempty" jsonschema:"minimum=1,description=Table to replace"`
	PollInterval *float64 `json:"poll_interval,omitempty" jsonschema:"minimum=0,maximum=60,default=2,description=Seconds between status checks"`
}

// Validate checks the name, that exactly one CSV source is given and the
// inline CSV's size and shape.
func (in uploadLookupIn) Validate() error {
	var iss query.Issues
	add := func(field, code, msg string) { iss.Add(code, field, "%s", msg) }
	if strings.TrimSpace(in.Name) == "" {
		add("name", mixpanel.CodeRequired, "name is required; name the table")
	} else if n := len([]rune(in.Name)); n > 255 {
		add("name", mixpanel.CodeLength, fmt.Sprintf("%d characters, Mixpanel takes at most 255; shorten it", n))
	}
	switch {
	case in.CSV != "" && in.FilePath != "":
		add("file_path", mixpanel.CodeConflict, "csv and file_path cannot both be set; pass one")
	case in.CSV == "" && in.FilePath == "":
		add("csv", mixpanel.CodeRequired, "csv is required; pass the CSV content (or, over stdio, a file_path)")
	case len(in.CSV) > maxInlineCSV:
		add("csv", mixpanel.CodeLength, fmt.Sprintf("%d bytes inline, at most %d; over stdio pass file_path instead", len(in.CSV), maxInlineCSV))
	case in.CSV != "":
		var ie *mixpanel.InputError
		if err := mixpanel.CheckLookupCSV("csv", []byte(in.CSV)); errors.As(err, &ie) {
			iss = append(iss, ie.Issues...)
		}
	}
	if in.PollInterval != nil && (*in.PollInterval < 0 || *in.PollInterval > 60) {
		add("poll_interval", mixpanel.CodeRange, fmt.Sprintf("%g seconds; pass 0 to 60", *in.PollInterval))
	}
	if len(iss) > 0 {
		return &mixpanel.InputError{Issues: iss}
	}
	return nil
}

// readLookupFile reads a local CSV for an upload over stdio.
func readLookupFile(env *Env, path string) ([]byte, error) {
	if env.Transport != "stdio" {
		return nil, inputErr(mixpanel.CodeConflict, "file_path", "this server is reached over %s, where it cannot read files from your machine; pass the CSV content as csv", orUnknown(env.Transport))
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, inputErr(mixpanel.CodeRequired, "file_path", "cannot read %q (%v); pass an existing CSV file", path, errText(err))
	case !st.Mode().IsRegular():
		return nil, inputErr(mixpanel.CodeRequired, "file_path", "%q is not a regular file; pass a CSV file", path)
	case st.Size() > maxFileCSV:
		return nil, inputErr(mixpanel.CodeLength, "file_path", "%d bytes, Mixpanel takes lookup tables up to %d; split the table", st.Size(), maxFileCSV)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErr(mixpanel.CodeRequired, "file_path", "cannot read %q (%v)", path, errText(err))
	}
	if err := mixpanel.CheckLookupCSV("file_path", b); err != nil {
		return nil, err
	}
	return b, nil
}

// inputErr is one rule-coded input error.
func inputErr(code, field, format string, args ...any) error {
	var iss query.Issues
	iss.Add(code, field, format, args...)
	return &mixpanel.InputError{Issues: iss}
}

func orUnknown(s string) string {
	if s == "" {
		return "a network transport"
	}
	return s
}

// errText is an OS error without the path it repeats.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func uploadLookupTool() *Tool {
	return New("upload_lookup_table", ToolsetGovernance,
		"Upload a CSV (inline, or a local file over stdio) as a new lookup table or to replace one; waits until Mixpanel has processed it.",
		Write, func(ctx context.Context, env *Env, in uploadLookupIn) (Result[mixpanel.LookupTable], error) {
			var res Result[mixpanel.LookupTable]
			c, err := env.Client()
			if err != nil {
				return res, err
			}
			data := []byte(in.CSV)
			if in.FilePath != "" {
				if data, err = readLookupFile(env, in.FilePath); err != nil {
					return res, err
				}
			}
			if in.DataGroupID != nil && canElicit(ctx) {
				what := fmt.Sprintf("Replace the content of lookup table %d with %s (%d bytes).", *in.DataGroupID, in.Name, len(data))
				if ts, err := c.ListLookupTables(ctx, in.DataGroupID); err == nil && len(ts) == 1 {
					what = fmt.Sprintf("Replace the content of %s with the new CSV (%d bytes).", ts[0].Ref(), len(data))
				}
				ok, note := confirm(ctx, what)
				res.Note = note
				if !ok {
					res.Action = "nothing changed"
					return res, nil
				}
			}
			poll := 2 * time.Second
			if in.PollInterval != nil {
				poll = time.Duration(*in.PollInterval * float64(time.Second))
			}
			t, err := c.UploadLookupTable(ctx, mixpanel.UploadLookupTableParams{
				Name: in.Name, CSV: data, DataGroupID: in.DataGroupID, PollInterval: poll,
				Progress: func(done int, msg string) { Progress(ctx, done, 4, msg) },
			})
			if err != nil {
				return res, err
			}
			res.Action = "uploaded"
			if in.DataGroupID != nil {
				res.Action = "replaced"
			}
			res.Result = t
			res.URL = c.WebURL("lookup_table", mixpanel.ID(t.ID))
			return res, nil
		})
}
