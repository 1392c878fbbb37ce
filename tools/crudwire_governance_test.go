package tools

// The wire tables of the governance groups built here: drop filters,
// custom properties, custom events and lookup tables.
func init() {
	wireTables["drop_filters"] = map[string]wireArgs{
		"list_drop_filters":      positional(),
		"create_drop_filter":     positional(""),
		"update_drop_filter":     positional(""),
		"delete_drop_filter":     positional("drop_filter_id"),
		"get_drop_filter_limits": positional(),
	}
	wireTables["custom_properties"] = map[string]wireArgs{
		"list_custom_properties":   positional(),
		"get_custom_property":      positional("custom_property_id"),
		"create_custom_property":   positional(""),
		"update_custom_property":   positional("custom_property_id", ""),
		"delete_custom_property":   positional("custom_property_id"),
		"validate_custom_property": positional(""),
	}
	wireTables["custom_events"] = map[string]wireArgs{
		"list_custom_events":  positional(),
		"create_custom_event": positional(""),
		"update_custom_event": positional("custom_event_id", ""),
		"delete_custom_event": positional("custom_event_id"),
	}
	wireTables["lookup_tables"] = map[string]wireArgs{
		"list_lookup_tables":       positional(),
		"upload_lookup_table":      positional(""),
		"mark_lookup_table_ready":  positional(""),
		"get_lookup_upload_url":    positional(),
		"get_lookup_upload_status": positional("upload_id"),
		"update_lookup_table":      positional("data_group_id", ""),
		"delete_lookup_tables":     positional("data_group_ids"),
		"download_lookup_table":    positional("data_group_id"),
		"get_lookup_download_url":  positional("data_group_id"),
	}
}
