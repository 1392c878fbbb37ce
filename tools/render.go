package tools

import (
	"fmt"
	"strconv"
	"strings"
)

// Table is a result table rendered as compact markdown for a model: one
// title line saying what was computed, a header, at most Limit rows, and an
// explicit note when rows were left out.
type Table struct {
	Title   string
	Columns []string
	Rows    [][]string
	// Limit caps the rows shown (0: all). Offset is where the shown rows
	// start within the full result, for the "more rows" note.
	Limit  int
	Offset int
	// Total is the number of rows in the full result when Rows is already
	// a page of it; 0 means len(Rows).
	Total int
	// Hint names how to see the rest, e.g. "pass limit/offset".
	Hint string
}

// String renders the table.
func (t Table) String() string {
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title)
		b.WriteByte('\n')
	}
	rows := t.Rows
	if t.Limit > 0 && len(rows) > t.Limit {
		rows = rows[:t.Limit]
	}
	total := t.Total
	if total == 0 {
		total = len(t.Rows)
	}
	if len(t.Columns) > 0 && len(rows) > 0 {
		b.WriteString("| " + strings.Join(escapeCells(t.Columns), " | ") + " |\n")
		b.WriteString("|" + strings.Repeat("---|", len(t.Columns)) + "\n")
		for _, r := range rows {
			b.WriteString("| " + strings.Join(escapeCells(r), " | ") + " |\n")
		}
	}
	if len(rows) == 0 {
		b.WriteString("(no rows)\n")
	}
	if shown := t.Offset + len(rows); shown < total {
		hint := t.Hint
		if hint == "" {
			hint = "pass limit/offset to see more"
		}
		fmt.Fprintf(&b, "%d more rows (showing %d–%d of %d); %s.\n", total-shown, t.Offset+1, shown, total, hint)
	}
	return b.String()
}

func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.ReplaceAll(c, "|", `\|`)
		out[i] = strings.ReplaceAll(c, "\n", " ")
	}
	return out
}

// Page returns the [offset, offset+limit) window of n items as indexes,
// clamped to the slice.
func Page(n, offset, limit int) (start, end int) {
	start = min(max(offset, 0), n)
	end = n
	if limit > 0 {
		end = min(start+limit, n)
	}
	return start, end
}

// Num formats a number compactly: integers without decimals, others with
// at most four significant decimals.
func Num(f float64) string {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 6, 64)
}

// Pct formats a ratio (0.1234) as a percentage ("12.3%").
func Pct(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 1, 64) + "%"
}
