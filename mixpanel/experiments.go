package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// Experiment is an A/B experiment (wire reference §4.12). Its lifecycle:
// draft → active (launch) → concluded (conclude) → success | fail
// (decide); archiving is separate.
type Experiment struct {
	ID           string              `json:"id" col:"id"`
	Name         string              `json:"name" col:"name"`
	Description  string              `json:"description,omitempty"`
	Hypothesis   string              `json:"hypothesis,omitempty"`
	Status       string              `json:"status" col:"status"`
	Variants     []ExperimentVariant `json:"variants,omitempty" col:"variants"`
	Metrics      json.RawMessage     `json:"metrics,omitempty"`
	Settings     json.RawMessage     `json:"settings,omitempty"`
	Exposures    json.RawMessage     `json:"exposures_cache,omitempty"`
	Results      json.RawMessage     `json:"results_cache,omitempty"`
	StartDate    string              `json:"start_date,omitempty" col:"start"`
	EndDate      string              `json:"end_date,omitempty" col:"end"`
	Created      string              `json:"created,omitempty"`
	Updated      string              `json:"updated,omitempty"`
	FeatureFlag  json.RawMessage     `json:"feature_flag,omitempty"`
	Tags         []string            `json:"tags,omitempty"`
	LastModified string              `json:"last_modified_by_name,omitempty"`
}

// Ref names the experiment.
func (e Experiment) Ref() Ref { return Ref{Kind: "experiment", ID: e.ID, Name: e.Name} }

// The experiment statuses.
const (
	ExperimentDraft     = "draft"
	ExperimentActive    = "active"
	ExperimentConcluded = "concluded"
	ExperimentSuccess   = "success"
	ExperimentFail      = "fail"
)

// ExperimentVariant is one arm of an experiment.
type ExperimentVariant struct {
	Key       string `json:"key" jsonschema:"minLength=1"`
	Name      string `json:"name,omitempty"`
	Split     Float  `json:"split" jsonschema:"minimum=0,maximum=1,description=Share of exposed users (0-1); splits add up to 1"`
	IsControl bool   `json:"is_control"`
}

func (v ExperimentVariant) String() string { return fmt.Sprintf("%s %g", v.Key, float64(v.Split)) }

// CreateExperimentParams is a new experiment; it starts as a draft.
type CreateExperimentParams struct {
	Name        string         `json:"name" jsonschema:"minLength=1"`
	Description string         `json:"description,omitempty"`
	Hypothesis  string         `json:"hypothesis,omitempty"`
	Settings    map[string]any `json:"settings,omitempty" jsonschema:"description=e.g. {\"confidence_level\": 0.95}"`
	AccessType  string         `json:"access_type,omitempty"`
	CanEdit     *bool          `json:"can_edit,omitempty"`
}

// Validate needs a name and a sane confidence level.
func (p CreateExperimentParams) Validate() error {
	var c checks
	c.required("name", p.Name == "", "name the experiment")
	checkSettings(&c, p.Settings)
	return c.err()
}

func checkSettings(c *checks, s map[string]any) {
	if cl, ok := s["confidence_level"]; ok {
		if f, isNum := cl.(float64); !isNum || f <= 0 || f >= 1 {
			c.add(CodeRange, "settings.confidence_level", "%v is not a confidence level; use a share between 0 and 1 such as 0.95", cl)
		}
	}
}

// UpdateExperimentParams changes an experiment; absent fields stay.
type UpdateExperimentParams struct {
	Name             string              `json:"name,omitempty"`
	Description      string              `json:"description,omitempty"`
	Hypothesis       string              `json:"hypothesis,omitempty"`
	Variants         []ExperimentVariant `json:"variants,omitempty" jsonschema:"description=All arms; splits add up to 1 and one is the control"`
	Metrics          []map[string]any    `json:"metrics,omitempty" jsonschema:"description=Success metrics: name and type (e.g. retention or funnel) with their events; one primary"`
	Settings         map[string]any      `json:"settings,omitempty"`
	StartDate        string              `json:"start_date,omitempty" jsonschema:"format=date"`
	EndDate          string              `json:"end_date,omitempty" jsonschema:"format=date"`
	Tags             []string            `json:"tags,omitempty"`
	GlobalAccessType string              `json:"global_access_type,omitempty"`
}

// Validate checks variants, metrics and dates.
func (p UpdateExperimentParams) Validate() error {
	var c checks
	c.required("name", p.Name == "" && p.Description == "" && p.Hypothesis == "" && p.Variants == nil && p.Metrics == nil &&
		p.Settings == nil && p.StartDate == "" && p.EndDate == "" && p.Tags == nil && p.GlobalAccessType == "", "pass at least one field to change")
	if len(p.Variants) > 0 {
		as := make([]arm, len(p.Variants))
		for i, v := range p.Variants {
			as[i] = arm{key: v.Key, split: float64(v.Split), control: v.IsControl}
		}
		_, controls := c.arms("variants", as)
		if controls != 1 {
			c.add(CodeConflict, "variants", "%d variants are the control; mark exactly one is_control", controls)
		}
	}
	for i, m := range p.Metrics {
		if name, _ := m["name"].(string); name == "" {
			c.add(CodeRequired, fmt.Sprintf("metrics[%d].name", i), "each metric needs a name")
		}
	}
	checkSettings(&c, p.Settings)
	c.dayRange("start_date", p.StartDate, "end_date", p.EndDate)
	return c.err()
}

// ConcludeExperimentParams ends a running experiment, optionally at a date.
type ConcludeExperimentParams struct {
	EndDate string `json:"end_date,omitempty" jsonschema:"format=date,description=Last day counted; default today"`
}

// Validate checks the day.
func (p ConcludeExperimentParams) Validate() error {
	var c checks
	c.day("end_date", p.EndDate)
	return c.err()
}

// DecideExperimentParams records the outcome of a concluded experiment.
type DecideExperimentParams struct {
	Success bool   `json:"success" jsonschema:"description=true: the hypothesis held"`
	Variant string `json:"variant,omitempty" jsonschema:"description=Winning variant key to ship"`
	Message string `json:"message,omitempty"`
}

// DuplicateExperimentParams names the copy.
type DuplicateExperimentParams struct {
	Name string `json:"name" jsonschema:"minLength=1,description=Name of the copy"`
}

// Validate needs a name.
func (p DuplicateExperimentParams) Validate() error {
	var c checks
	c.required("name", p.Name == "", "name the copy")
	return c.err()
}

func (c *Client) experimentsPath(parts ...string) (string, error) {
	if len(parts) == 0 {
		return c.scoped("experiments", "") // collection paths end in "/"
	}
	return c.scoped(append([]string{"experiments"}, parts...)...) // item paths do not
}

// ListExperiments lists experiments; archived ones only on request.
func (c *Client) ListExperiments(ctx context.Context, includeArchived bool) ([]Experiment, error) {
	path, err := c.experimentsPath()
	if err != nil {
		return nil, err
	}
	var q url.Values
	if includeArchived {
		q = url.Values{"include_archived": {"true"}}
	}
	return appCall[[]Experiment](ctx, c, GET, path, q, nil)
}

// CreateExperiment adds a draft experiment.
func (c *Client) CreateExperiment(ctx context.Context, p CreateExperimentParams) (Experiment, error) {
	path, err := c.experimentsPath()
	if err != nil {
		return Experiment{}, err
	}
	return appCall[Experiment](ctx, c, POST, path, nil, p)
}

func (c *Client) experimentCall(ctx context.Context, method, id, action string, body any) (Experiment, error) {
	parts := []string{PathSegment(id)}
	if action != "" {
		parts = append(parts, action)
	}
	path, err := c.experimentsPath(parts...)
	if err != nil {
		return Experiment{}, err
	}
	return appCall[Experiment](ctx, c, method, path, nil, body)
}

// GetExperiment reads one experiment.
func (c *Client) GetExperiment(ctx context.Context, id string) (Experiment, error) {
	return c.experimentCall(ctx, GET, id, "", nil)
}

// UpdateExperiment changes an experiment.
func (c *Client) UpdateExperiment(ctx context.Context, id string, p UpdateExperimentParams) (Experiment, error) {
	return c.experimentCall(ctx, PATCH, id, "", p)
}

// DeleteExperiment deletes an experiment.
func (c *Client) DeleteExperiment(ctx context.Context, id string) error {
	_, err := c.experimentCall(ctx, DELETE, id, "", nil)
	return err
}

// LaunchExperiment starts a draft (PUT without a body).
func (c *Client) LaunchExperiment(ctx context.Context, id string) (Experiment, error) {
	return c.experimentCall(ctx, PUT, id, "launch", nil)
}

// ConcludeExperiment stops a running experiment. The body is always sent,
// {} when no end date is given, as the reference does.
func (c *Client) ConcludeExperiment(ctx context.Context, id string, p ConcludeExperimentParams) (Experiment, error) {
	body := map[string]any{}
	if p.EndDate != "" {
		body["end_date"] = p.EndDate
	}
	return c.experimentCall(ctx, PUT, id, "force_conclude", body)
}

// DecideExperiment records the outcome of a concluded experiment.
func (c *Client) DecideExperiment(ctx context.Context, id string, p DecideExperimentParams) (Experiment, error) {
	return c.experimentCall(ctx, PATCH, id, "decide", p)
}

// ArchiveExperiment archives an experiment.
func (c *Client) ArchiveExperiment(ctx context.Context, id string) error {
	_, err := c.experimentCall(ctx, POST, id, "archive", nil)
	return err
}

// RestoreExperiment brings an archived experiment back.
func (c *Client) RestoreExperiment(ctx context.Context, id string) (Experiment, error) {
	return c.experimentCall(ctx, DELETE, id, "archive", nil)
}

// DuplicateExperiment copies an experiment under a new name.
func (c *Client) DuplicateExperiment(ctx context.Context, id string, p DuplicateExperimentParams) (Experiment, error) {
	return c.experimentCall(ctx, POST, id, "duplicate", p)
}

// ListERFExperiments lists experiments with their results summary (the
// experiment results feed).
func (c *Client) ListERFExperiments(ctx context.Context) (json.RawMessage, error) {
	path, err := c.experimentsPath("erf", "")
	if err != nil {
		return nil, err
	}
	return appCall[json.RawMessage](ctx, c, GET, path, nil, nil)
}

// TransitionError is a lifecycle call that does not fit the experiment's
// status; nothing was sent.
type TransitionError struct {
	Experiment Ref
	Status     string
	Operation  string
	Fits       string
}

func (e *TransitionError) Error() string {
	s := fmt.Sprintf("status: %s: %s is %s, so it cannot be %s", CodeConflict, e.Experiment, e.Status, e.Operation)
	if e.Fits != "" {
		s += "; " + e.Fits
	}
	return s
}

// CheckTransition says whether op (launch, conclude, decide) fits the
// experiment's status: draft → launch, active → conclude, concluded →
// decide.
func CheckTransition(e Experiment, op string) error {
	need := map[string]string{"launched": ExperimentDraft, "concluded": ExperimentActive, "decided": ExperimentConcluded}[op]
	if e.Status == need {
		return nil
	}
	fits := map[string]string{
		ExperimentDraft:     "a draft is launched first",
		ExperimentActive:    "it is running: conclude it to stop collecting data",
		ExperimentConcluded: "it is concluded: decide it (success or fail)",
		ExperimentSuccess:   "it is decided already; duplicate it to run it again",
		ExperimentFail:      "it is decided already; duplicate it to run it again",
	}[e.Status]
	return &TransitionError{Experiment: e.Ref(), Status: e.Status, Operation: op, Fits: fits}
}
