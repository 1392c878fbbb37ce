// Package query turns typed Mixpanel query specs into bookmark params, checks
// them with the reference library's validation rules before anything is sent,
// and parses query responses into results a model can read.
//
// The types mirror the Python library mixpanel_headless (Metric, Filter,
// GroupBy, CohortDefinition, ...). Its class-method constructors become one
// JSON object with a discriminating field, so a model writes
// {"property":"country","operator":"equals","value":"US"} where Python code
// writes Filter.equals("country", "US"). Bare strings are accepted wherever
// the reference accepts them, and single items wherever it accepts lists.
//
// Validation reports every problem of a stage at once as a *ValidationError
// whose issues carry the reference's rule code (M2, V19, B11, ...), the path
// of the offending field and a fix. Like the reference it runs in three
// stages: the constructors of the typed objects, the argument rules (V*, CP*,
// DG1) and the rules on the built bookmark (B*); a later stage runs only when
// the earlier ones passed, so the codes match the reference's for the same
// input.
//
// Codes this port adds where the reference has none (its Python raises a
// bare ValueError or TypeError, or accepts a value the JSON form must
// check): X1 an enum value outside its set, X2 an unknown filter operator
// or cohort criterion, X3 a filter or criterion value of the wrong shape or
// a field that does not apply, X4 a malformed or reversed filter date, X5 a
// malformed list_contains, X6 a cohort where-filter operator the selector
// cannot express, X7 a malformed list-item breakdown, X8 an unknown
// insights mode, X9 a saved report (Report) given no query or several, X10
// a report type that is missing or does not match its query.
package query
