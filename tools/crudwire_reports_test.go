package tools

// renamed maps Python argument names to the tool's.
func renamed(base wireArgs, names map[string]string) wireArgs {
	return func(c wireCase) map[string]any {
		out := base(c)
		for from, to := range names {
			if v, ok := out[from]; ok {
				delete(out, from)
				out[to] = v
			}
		}
		return out
	}
}

var bookmarksWire = map[string]wireArgs{
	"list_bookmarks_v2":             renamed(positional(), map[string]string{"bookmark_type": "type"}),
	"get_bookmark":                  positional("bookmark_id"),
	"create_bookmark":               positional(""),
	"update_bookmark":               positional("bookmark_id", ""),
	"delete_bookmark":               positional("bookmark_id"),
	"bulk_delete_bookmarks":         positional("bookmark_ids"),
	"bulk_update_bookmarks":         positional("bookmarks"),
	"bookmark_linked_dashboard_ids": positional("bookmark_id"),
	"get_bookmark_history":          positional("bookmark_id"),
}

var cohortsWire = map[string]wireArgs{
	"list_cohorts_full":   positional(),
	"get_cohort":          positional("cohort_id"),
	"create_cohort":       positional(""),
	"update_cohort":       positional("cohort_id", ""),
	"delete_cohort":       positional("cohort_id"),
	"bulk_delete_cohorts": positional("cohort_ids"),
	"bulk_update_cohorts": positional("cohorts"),
}
