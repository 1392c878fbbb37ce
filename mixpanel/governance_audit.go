package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// The data audit (wire reference §4.23) and data volume anomalies (§4.24).

// AuditViolation is one way the data breaks the registered schemas.
type AuditViolation struct {
	Violation         string `json:"violation" col:"violation"`
	Name              string `json:"name" col:"name"`
	Platform          string `json:"platform,omitempty" col:"platform"`
	Version           string `json:"version,omitempty"`
	Count             int64  `json:"count" col:"count"`
	Event             string `json:"event,omitempty" col:"event"`
	Sensitive         *bool  `json:"sensitive,omitempty"`
	PropertyTypeError string `json:"property_type_error,omitempty" col:"type error"`
}

// UnmarshalJSON accepts Mixpanel's camelCase.
func (v *AuditViolation) UnmarshalJSON(b []byte) error {
	type plain AuditViolation
	return decodeCamel(b, (*plain)(v), nil)
}

// AuditResponse is an audit's violations and when it was computed.
type AuditResponse struct {
	Violations []AuditViolation `json:"violations"`
	ComputedAt string           `json:"computed_at"`
}

// RunAudit checks events and properties against the schemas (400 when no
// schemas exist).
func (c *Client) RunAudit(ctx context.Context) (AuditResponse, error) {
	return c.audit(ctx, "audit")
}

// RunAuditEventsOnly checks events only, faster.
func (c *Client) RunAuditEventsOnly(ctx context.Context) (AuditResponse, error) {
	return c.audit(ctx, "audit-events-only")
}

// audit reads the raw envelope: results is [violations, {computed_at}].
func (c *Client) audit(ctx context.Context, which string) (AuditResponse, error) {
	path, err := c.scoped("data-definitions", which, "")
	if err != nil {
		return AuditResponse{}, err
	}
	raw, err := appRaw(ctx, c, GET, path, nil, nil)
	if err != nil {
		return AuditResponse{}, err
	}
	var env struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return AuditResponse{}, fmt.Errorf("audit answer: %w", err)
	}
	out := AuditResponse{Violations: []AuditViolation{}}
	if len(env.Results) > 0 {
		if err := json.Unmarshal(env.Results[0], &out.Violations); err != nil {
			return AuditResponse{}, fmt.Errorf("audit violations: %w", err)
		}
	}
	if len(env.Results) > 1 {
		var meta struct {
			ComputedAt string `json:"computed_at"`
		}
		_ = json.Unmarshal(env.Results[1], &meta)
		out.ComputedAt = meta.ComputedAt
	}
	if out.Violations == nil {
		out.Violations = []AuditViolation{}
	}
	return out, nil
}

// Anomaly statuses and classes.
var (
	AnomalyStatuses = []string{"open", "dismissed"}
	AnomalyClasses  = []string{"Event", "Property", "PropertyTypeDrift", "Metric"}
)

// DataVolumeAnomaly is a detected change in an event's, property's or
// metric's volume.
type DataVolumeAnomaly struct {
	ID              int64   `json:"id" col:"id"`
	Timestamp       string  `json:"timestamp" col:"timestamp"`
	ActualCount     float64 `json:"actual_count" col:"actual"`
	PredictedUpper  float64 `json:"predicted_upper" col:"upper"`
	PredictedLower  float64 `json:"predicted_lower" col:"lower"`
	PercentVariance string  `json:"percent_variance" col:"variance"`
	Status          string  `json:"status" col:"status"`
	Project         int64   `json:"project,omitempty"`
	Event           *int64  `json:"event,omitempty"`
	EventName       string  `json:"event_name,omitempty" col:"event"`
	Property        *int64  `json:"property,omitempty"`
	PropertyName    string  `json:"property_name,omitempty" col:"property"`
	Metric          *int64  `json:"metric,omitempty"`
	MetricName      string  `json:"metric_name,omitempty" col:"metric"`
	MetricType      string  `json:"metric_type,omitempty"`
	PrimaryType     string  `json:"primary_type,omitempty"`
	DriftTypes      any     `json:"drift_types,omitempty"`
	AnomalyClass    string  `json:"anomaly_class" col:"class"`
}

// UnmarshalJSON accepts Mixpanel's camelCase.
func (a *DataVolumeAnomaly) UnmarshalJSON(b []byte) error {
	type plain DataVolumeAnomaly
	return decodeCamel(b, (*plain)(a), nil)
}

// Subject names what the anomaly is about.
func (a DataVolumeAnomaly) Subject() string {
	switch {
	case a.PropertyName != "":
		return a.EventName + "." + a.PropertyName
	case a.MetricName != "":
		return a.MetricName
	}
	return a.EventName
}

// ListAnomaliesParams filters anomalies.
type ListAnomaliesParams struct {
	Status                   string `json:"status,omitempty" jsonschema:"enum=open,enum=dismissed"`
	Limit                    int    `json:"limit,omitempty" jsonschema:"minimum=1,description=Most anomalies Mixpanel returns"`
	EventID                  int64  `json:"event_id,omitempty" jsonschema:"minimum=1"`
	PropID                   int64  `json:"prop_id,omitempty" jsonschema:"minimum=1"`
	IncludePropertyAnomalies *bool  `json:"include_property_anomalies,omitempty"`
	IncludeMetricAnomalies   *bool  `json:"include_metric_anomalies,omitempty"`
}

// UpdateAnomalyParams opens or dismisses one anomaly.
type UpdateAnomalyParams struct {
	ID           int64  `json:"id" jsonschema:"minimum=1"`
	Status       string `json:"status" jsonschema:"enum=open,enum=dismissed"`
	AnomalyClass string `json:"anomaly_class" jsonschema:"enum=Event,enum=Property,enum=PropertyTypeDrift,enum=Metric"`
}

// BulkAnomalyEntry names one anomaly of a bulk update.
type BulkAnomalyEntry struct {
	ID           int64  `json:"id" jsonschema:"minimum=1"`
	AnomalyClass string `json:"anomaly_class" jsonschema:"enum=Event,enum=Property,enum=PropertyTypeDrift,enum=Metric"`
}

// BulkUpdateAnomalyParams sets one status on many anomalies.
type BulkUpdateAnomalyParams struct {
	Anomalies []BulkAnomalyEntry `json:"anomalies" jsonschema:"minItems=1,maxItems=1000"`
	Status    string             `json:"status" jsonschema:"enum=open,enum=dismissed"`
}

func (c *Client) anomaliesPath(parts ...string) (string, error) {
	return c.scoped(append([]string{"data-definitions", "data-volume-anomalies"}, append(parts, "")...)...)
}

// ListDataVolumeAnomalies lists anomalies (raw {"results":{"anomalies":[…]}}).
func (c *Client) ListDataVolumeAnomalies(ctx context.Context, p ListAnomaliesParams) ([]DataVolumeAnomaly, error) {
	path, err := c.anomaliesPath()
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.EventID > 0 {
		q.Set("event_id", ID(p.EventID))
	}
	if p.PropID > 0 {
		q.Set("prop_id", ID(p.PropID))
	}
	if p.IncludePropertyAnomalies != nil {
		q.Set("include_property_anomalies", strconv.FormatBool(*p.IncludePropertyAnomalies))
	}
	if p.IncludeMetricAnomalies != nil {
		q.Set("include_metric_anomalies", strconv.FormatBool(*p.IncludeMetricAnomalies))
	}
	res, err := appCall[struct {
		Anomalies []DataVolumeAnomaly `json:"anomalies"`
	}](ctx, c, GET, path, q, nil)
	if res.Anomalies == nil {
		res.Anomalies = []DataVolumeAnomaly{}
	}
	return res.Anomalies, err
}

// UpdateAnomaly opens or dismisses one anomaly.
func (c *Client) UpdateAnomaly(ctx context.Context, p UpdateAnomalyParams) (map[string]any, error) {
	path, err := c.anomaliesPath()
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, PATCH, path, nil, map[string]any{"id": p.ID, "status": p.Status, "anomalyClass": p.AnomalyClass})
}

// BulkUpdateAnomalies sets one status on many anomalies.
func (c *Client) BulkUpdateAnomalies(ctx context.Context, p BulkUpdateAnomalyParams) (map[string]any, error) {
	path, err := c.anomaliesPath("bulk")
	if err != nil {
		return nil, err
	}
	entries := make([]map[string]any, len(p.Anomalies))
	for i, a := range p.Anomalies {
		entries[i] = map[string]any{"id": a.ID, "anomalyClass": a.AnomalyClass}
	}
	return appCall[map[string]any](ctx, c, PATCH, path, nil, map[string]any{"anomalies": entries, "status": p.Status})
}

// Validate checks the status.
func (p ListAnomaliesParams) Validate() error {
	var c checks
	c.oneOf("status", p.Status, AnomalyStatuses)
	return c.err()
}

// Validate needs an id, a status and a class from their sets.
func (p UpdateAnomalyParams) Validate() error {
	var c checks
	c.required("id", p.ID <= 0, "pass the anomaly's id")
	c.required("status", p.Status == "", "pass open or dismissed")
	c.oneOf("status", p.Status, AnomalyStatuses)
	c.required("anomaly_class", p.AnomalyClass == "", "pass the anomaly's class as listed")
	c.oneOf("anomaly_class", p.AnomalyClass, AnomalyClasses)
	return c.err()
}

// Validate checks every entry.
func (p BulkUpdateAnomalyParams) Validate() error {
	var c checks
	c.required("anomalies", len(p.Anomalies) == 0, "pass at least one {id, anomaly_class}")
	if len(p.Anomalies) > 1000 {
		c.add(CodeRange, "anomalies", "%d anomalies; pass at most 1000 a call", len(p.Anomalies))
	}
	c.required("status", p.Status == "", "pass open or dismissed")
	c.oneOf("status", p.Status, AnomalyStatuses)
	for i, a := range p.Anomalies {
		f := fmt.Sprintf("anomalies[%d]", i)
		c.required(f+".id", a.ID <= 0, "pass the anomaly's id")
		c.required(f+".anomaly_class", a.AnomalyClass == "", "pass the anomaly's class as listed")
		c.oneOf(f+".anomaly_class", a.AnomalyClass, AnomalyClasses)
	}
	return c.err()
}
