package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The experiments toolset. Launching, concluding and deciding change what
// real users see or what the team ships, so those calls read the
// experiment first, refuse a step that does not fit its status, and ask the
// user when the client can be asked.
func experimentsTools() []*Tool {
	type M = mixpanel.Client
	type E = mixpanel.Experiment
	return []*Tool{
		Op[listExperimentsIn, List[E]]{Name: "list_experiments", Toolset: ToolsetExperiments, Ann: ReadOnly,
			Desc: "List experiments (status, variants, dates); archived ones only with include_archived.",
			Call: func(ctx context.Context, c *M, in listExperimentsIn) (List[E], error) {
				es, err := c.ListExperiments(ctx, in.IncludeArchived)
				return paged(es, in.Paging), err
			}}.Tool(),
		Op[experimentID, experimentDetail]{Name: "get_experiment", Toolset: ToolsetExperiments, Ann: ReadOnly, Kind: "experiment",
			Desc: "Read an experiment: status, hypothesis, variants, metrics and the results Mixpanel has computed.",
			Call: func(ctx context.Context, c *M, in experimentID) (experimentDetail, error) {
				e, err := c.GetExperiment(ctx, in.ExperimentID)
				return experimentDetail{e}, err
			}}.Tool(),
		Op[mixpanel.CreateExperimentParams, E]{Name: "create_experiment", Toolset: ToolsetExperiments, Ann: Write, Kind: "experiment", Action: "created",
			Desc:   "Create a draft experiment; add variants and metrics with update_experiment, then launch it.",
			Method: (*M).CreateExperiment}.Tool(),
		Op[updateExperimentIn, E]{Name: "update_experiment", Toolset: ToolsetExperiments, Ann: Overwrite, Kind: "experiment", Action: "updated",
			Desc: "Change an experiment's text, variants (splits add up to 1, one control), metrics, settings or dates.",
			Call: func(ctx context.Context, c *M, in updateExperimentIn) (E, error) {
				return c.UpdateExperiment(ctx, in.ExperimentID, in.UpdateExperimentParams)
			}}.Tool(),
		Op[experimentID, mixpanel.Empty]{Name: "delete_experiment", Toolset: ToolsetExperiments, Ann: Destructive, Action: "deleted",
			Desc:    "Delete an experiment (archive_experiment keeps it restorable).",
			Confirm: describeExperiment("Delete"),
			Call: func(ctx context.Context, c *M, in experimentID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteExperiment(ctx, in.ExperimentID)
			}}.Tool(),
		Op[experimentID, E]{Name: "launch_experiment", Toolset: ToolsetExperiments, Ann: Write, Kind: "experiment", Action: "launched",
			Desc:    "Launch a draft experiment: real users start getting its variants.",
			Confirm: describeExperiment("Launch (real users start getting its variants)"),
			Call: func(ctx context.Context, c *M, in experimentID) (E, error) {
				return transition(ctx, c, in.ExperimentID, "launched", func() (E, error) { return c.LaunchExperiment(ctx, in.ExperimentID) })
			}}.Tool(),
		Op[concludeExperimentIn, E]{Name: "conclude_experiment", Toolset: ToolsetExperiments, Ann: Write, Kind: "experiment", Action: "concluded",
			Desc: "Conclude a running experiment: it stops collecting data and awaits a decision.",
			Confirm: func(ctx context.Context, c *M, in concludeExperimentIn) (string, error) {
				return describeExperiment("Conclude (stop collecting data)")(ctx, c, in.experimentID)
			},
			Call: func(ctx context.Context, c *M, in concludeExperimentIn) (E, error) {
				return transition(ctx, c, in.ExperimentID, "concluded", func() (E, error) {
					return c.ConcludeExperiment(ctx, in.ExperimentID, in.ConcludeExperimentParams)
				})
			}}.Tool(),
		Op[decideExperimentIn, E]{Name: "decide_experiment", Toolset: ToolsetExperiments, Ann: Write, Kind: "experiment", Action: "decided",
			Desc: "Record a concluded experiment's outcome (success or fail, and the variant to ship).",
			Confirm: func(ctx context.Context, c *M, in decideExperimentIn) (string, error) {
				verdict := "a failure"
				if in.Success {
					verdict = "a success"
				}
				if in.Variant != "" {
					verdict += ", shipping variant " + in.Variant
				}
				return describeExperiment("Decide as "+verdict+":")(ctx, c, in.experimentID)
			},
			Call: func(ctx context.Context, c *M, in decideExperimentIn) (E, error) {
				return transition(ctx, c, in.ExperimentID, "decided", func() (E, error) {
					return c.DecideExperiment(ctx, in.ExperimentID, in.DecideExperimentParams)
				})
			}}.Tool(),
		Op[experimentID, mixpanel.Empty]{Name: "archive_experiment", Toolset: ToolsetExperiments, Ann: SetState, Action: "archived",
			Desc: "Archive an experiment; restore_experiment undoes it.",
			Call: func(ctx context.Context, c *M, in experimentID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.ArchiveExperiment(ctx, in.ExperimentID)
			}}.Tool(),
		Op[experimentID, E]{Name: "restore_experiment", Toolset: ToolsetExperiments, Ann: SetState, Kind: "experiment", Action: "restored",
			Desc: "Restore an archived experiment.",
			Call: func(ctx context.Context, c *M, in experimentID) (E, error) {
				return c.RestoreExperiment(ctx, in.ExperimentID)
			}}.Tool(),
		Op[duplicateExperimentIn, E]{Name: "duplicate_experiment", Toolset: ToolsetExperiments, Ann: Write, Kind: "experiment", Action: "duplicated",
			Desc: "Copy an experiment as a new draft under a new name.",
			Call: func(ctx context.Context, c *M, in duplicateExperimentIn) (E, error) {
				return c.DuplicateExperiment(ctx, in.ExperimentID, in.DuplicateExperimentParams)
			}}.Tool(),
		Op[struct{}, json.RawMessage]{Name: "list_erf_experiments", Toolset: ToolsetExperiments, Ann: ReadOnly,
			Desc: "List experiments with their results summary (metric lifts) from Mixpanel's experiment results feed.",
			Call: func(ctx context.Context, c *M, _ struct{}) (json.RawMessage, error) { return c.ListERFExperiments(ctx) }}.Tool(),
	}
}

// transition reads the experiment, refuses a step its status does not
// allow (Mixpanel would answer a re-launch with a silent no-op and leave a
// concluded draft a draft), then takes it.
func transition(ctx context.Context, c *mixpanel.Client, id, op string, do func() (mixpanel.Experiment, error)) (mixpanel.Experiment, error) {
	e, err := c.GetExperiment(ctx, id)
	if err != nil {
		return e, err
	}
	if err := mixpanel.CheckTransition(e, op); err != nil {
		return e, err
	}
	return do()
}

func describeExperiment(verb string) func(context.Context, *mixpanel.Client, experimentID) (string, error) {
	return func(ctx context.Context, c *mixpanel.Client, in experimentID) (string, error) {
		e, err := c.GetExperiment(ctx, in.ExperimentID)
		return fmt.Sprintf("%s %s (now %s)", verb, e.Ref(), e.Status), err
	}
}

type experimentID struct {
	ExperimentID string `json:"experiment_id" jsonschema:"minLength=1,description=Experiment id, a UUID (list_experiments)"`
}

// Validate needs an id.
func (in experimentID) Validate() error {
	if in.ExperimentID == "" {
		return fmt.Errorf("experiment_id: %s: empty; pass the id from list_experiments", mixpanel.CodeRequired)
	}
	return nil
}

type listExperimentsIn struct {
	IncludeArchived bool `json:"include_archived,omitempty"`
	Paging
}

type updateExperimentIn struct {
	ExperimentID string `json:"experiment_id" jsonschema:"minLength=1,description=Experiment id (list_experiments)"`
	mixpanel.UpdateExperimentParams
}

type concludeExperimentIn struct {
	experimentID
	mixpanel.ConcludeExperimentParams
}

type decideExperimentIn struct {
	experimentID
	mixpanel.DecideExperimentParams
}

type duplicateExperimentIn struct {
	ExperimentID string `json:"experiment_id" jsonschema:"minLength=1,description=Experiment to copy"`
	mixpanel.DuplicateExperimentParams
}

// experimentDetail shows an experiment for someone asking how it went:
// status and dates, the arms, the metrics and whatever results Mixpanel
// has cached, and how to look further.
type experimentDetail struct {
	mixpanel.Experiment
}

// Text renders the experiment.
func (d experimentDetail) Text() string {
	e := d.Experiment
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s", e.Name, e.Status)
	if e.StartDate != "" {
		fmt.Fprintf(&b, ", from %s", e.StartDate)
		if e.EndDate != "" {
			fmt.Fprintf(&b, " to %s", e.EndDate)
		}
	}
	b.WriteByte('\n')
	if e.Hypothesis != "" {
		b.WriteString("Hypothesis: " + e.Hypothesis + "\n")
	}
	if len(e.Variants) > 0 {
		t := Table{Columns: []string{"variant", "name", "split", "control"}}
		for _, v := range e.Variants {
			t.Rows = append(t.Rows, []string{v.Key, v.Name, Num(float64(v.Split)), fmt.Sprint(v.IsControl)})
		}
		b.WriteString(t.String())
	}
	writeJSONSection(&b, "Metrics", e.Metrics)
	writeJSONSection(&b, "Settings", e.Settings)
	writeJSONSection(&b, "Exposures", e.Exposures)
	if !writeJSONSection(&b, "Results", e.Results) {
		b.WriteString("Results: Mixpanel has not computed results for it yet (they appear once it has run with exposures).\n")
	}
	b.WriteString("To look further, query each metric's events over the experiment's dates, broken down by the exposure event $experiment_started's \"Variant name\" and filtered on \"Experiment name\" = " + fmt.Sprintf("%q", e.Name) + ".")
	return b.String()
}

// writeJSONSection writes "Title: <compact JSON>" when raw holds a value.
func writeJSONSection(b *strings.Builder, title string, raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" || s == "{}" || s == "[]" {
		return false
	}
	b.WriteString(title + ": " + clip(s, 1500) + "\n")
	return true
}
