//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema is an object described by build_cohort_definition.
func (cohortCriteria) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", Description: "Cohort criteria {all_of|any_of: [criteria]}, as the cohort definition builder takes them"}
}
