package tools

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The schema registry (governance toolset): JSON Schema draft-7 documents
// per event, custom event or profile, checked before they are sent.
// Deletes and bulk writes ask the user first, naming the schemas.
func governanceSchemasTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[listSchemasIn, List[mixpanel.SchemaEntry]]{Name: "list_schema_registry", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc: "List registered JSON schemas (all, or of one entity type).",
			Call: func(ctx context.Context, c *M, in listSchemasIn) (List[mixpanel.SchemaEntry], error) {
				s, err := c.ListSchemaRegistry(ctx, in.ListSchemaRegistryParams)
				return paged(s, in.Paging), err
			}}.Tool(),
		Op[mixpanel.SchemaParams, map[string]any]{Name: "create_schema", Toolset: ToolsetGovernance, Ann: Write, Action: "created",
			Desc:   "Register the JSON Schema (draft-7) of one event, custom event or profile.",
			Method: (*M).CreateSchema}.Tool(),
		Op[mixpanel.BulkSchemasParams, mixpanel.BulkCreateSchemasResponse]{Name: "create_schemas_bulk", Toolset: ToolsetGovernance,
			Ann: Annotations{Destructive: true, OpenWorld: true}, Action: "created",
			Desc: "Register many schemas at once; truncate first deletes every schema of entity_type.",
			Repeat: func(in mixpanel.BulkSchemasParams) string {
				if in.Truncate != nil && *in.Truncate {
					return fmt.Sprintf("replace every %s schema with %d", in.EntityType, len(in.Entries))
				}
				return countOf("register", len(in.Entries), "schema", "schemas")
			},
			Confirm: func(ctx context.Context, c *M, in mixpanel.BulkSchemasParams) (string, error) {
				s := "Register " + schemaNames(in.Entries)
				if in.Truncate != nil && *in.Truncate {
					have, err := c.ListSchemaRegistry(ctx, mixpanel.ListSchemaRegistryParams{EntityType: in.EntityType})
					if err != nil {
						return "", err
					}
					s = "First delete every " + in.EntityType + " schema (" + schemaNames(have) + "), then register " + schemaNames(in.Entries)
				}
				return s, nil
			},
			Method: (*M).CreateSchemasBulk}.Tool(),
		Op[mixpanel.SchemaParams, map[string]any]{Name: "update_schema", Toolset: ToolsetGovernance, Ann: Overwrite, Action: "updated",
			Desc:   "Merge a partial JSON Schema into one entity's schema.",
			Method: (*M).UpdateSchema}.Tool(),
		Op[mixpanel.BulkSchemasParams, List[mixpanel.BulkPatchResult]]{Name: "update_schemas_bulk", Toolset: ToolsetGovernance, Ann: Overwrite, Action: "updated",
			Desc: "Merge partial schemas into many entities' schemas; each entry answers ok or error.",
			Repeat: func(in mixpanel.BulkSchemasParams) string {
				return countOf("update", len(in.Entries), "schema", "schemas")
			},
			Confirm: func(ctx context.Context, c *M, in mixpanel.BulkSchemasParams) (string, error) {
				return "Change the schemas of " + schemaNames(in.Entries), nil
			},
			Call: func(ctx context.Context, c *M, in mixpanel.BulkSchemasParams) (List[mixpanel.BulkPatchResult], error) {
				r, err := c.UpdateSchemasBulk(ctx, in)
				return paged(r, Paging{Limit: legacyMaxRows}), err
			}}.Tool(),
		Op[mixpanel.DeleteSchemasParams, mixpanel.DeleteSchemasResponse]{Name: "delete_schemas", Toolset: ToolsetGovernance, Ann: Destructive, Action: "deleted",
			Desc:   "Delete one schema (type and name), every schema of a type, or every schema (no arguments).",
			Repeat: deleteSchemasPhrase,
			Confirm: func(ctx context.Context, c *M, in mixpanel.DeleteSchemasParams) (string, error) {
				have, err := c.ListSchemaRegistry(ctx, mixpanel.ListSchemaRegistryParams{EntityType: in.EntityType})
				if err != nil {
					return "", err
				}
				if in.EntityName != "" {
					var one []mixpanel.SchemaEntry
					for _, s := range have {
						if s.Name == in.EntityName {
							one = append(one, s)
						}
					}
					if len(one) == 0 {
						return fmt.Sprintf("Delete the %s schema %q (not in the registry now)", in.EntityType, in.EntityName), nil
					}
					return "Delete " + schemaNames(one), nil
				}
				what := "every schema of the project"
				if in.EntityType != "" {
					what = "every " + in.EntityType + " schema"
				}
				return "Delete " + what + ": " + schemaNames(have), nil
			},
			Method: (*M).DeleteSchemas}.Tool(),
	}
}

type listSchemasIn struct {
	mixpanel.ListSchemaRegistryParams
	Paging
}

// schemaNames lists schemas by type and name for a confirmation, at most
// 50 by name.
func schemaNames(es []mixpanel.SchemaEntry) string {
	if len(es) == 0 {
		return "no schemas"
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(es)) + " schema")
	if len(es) > 1 {
		b.WriteString("s")
	}
	b.WriteString(": ")
	for i, e := range es {
		if i == 50 {
			fmt.Fprintf(&b, ", and %d more", len(es)-50)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q", e.EntityType, e.Name)
	}
	return b.String()
}
