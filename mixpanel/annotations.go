package mixpanel

import (
	"context"
	"net/url"
)

// Annotation is a note on a date that charts show (wire reference §4.13).
type Annotation struct {
	ID          int64           `json:"id" col:"id"`
	ProjectID   int64           `json:"project_id,omitempty"`
	Date        string          `json:"date" col:"date"`
	Description string          `json:"description" col:"description"`
	User        *AnnotationUser `json:"user,omitempty"`
	Tags        []AnnotationTag `json:"tags,omitempty" col:"tags"`
}

// AnnotationUser is who wrote an annotation.
type AnnotationUser struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// AnnotationTag labels annotations.
type AnnotationTag struct {
	ID             int64  `json:"id" col:"id"`
	Name           string `json:"name" col:"name"`
	ProjectID      int64  `json:"project_id,omitempty"`
	HasAnnotations bool   `json:"has_annotations,omitempty" col:"in use"`
}

// String shows a tag by name in tables.
func (t AnnotationTag) String() string { return t.Name }

// Ref names the annotation.
func (a Annotation) Ref() Ref { return Ref{Kind: "annotation", ID: ID(a.ID), Name: a.Description} }

// Ref names the tag.
func (t AnnotationTag) Ref() Ref { return Ref{Kind: "annotation tag", ID: ID(t.ID), Name: t.Name} }

// ListAnnotationsParams filters annotations by date and tag.
type ListAnnotationsParams struct {
	FromDate string  `json:"from_date,omitempty" jsonschema:"format=date,description=First day (YYYY-MM-DD)"`
	ToDate   string  `json:"to_date,omitempty" jsonschema:"format=date,description=Last day (YYYY-MM-DD)"`
	Tags     []int64 `json:"tags,omitempty" jsonschema:"description=Only annotations with these tag ids"`
}

// CreateAnnotationParams is a new annotation.
type CreateAnnotationParams struct {
	Date        string  `json:"date" jsonschema:"format=date,description=Day to annotate (YYYY-MM-DD)"`
	Description string  `json:"description" jsonschema:"maxLength=512"`
	Tags        []int64 `json:"tags,omitempty" jsonschema:"description=Tag ids (list_annotation_tags)"`
	UserID      int64   `json:"user_id,omitempty" jsonschema:"description=Author user id; default the caller"`
}

// UpdateAnnotationParams changes an annotation; its date cannot change.
type UpdateAnnotationParams struct {
	Description string  `json:"description,omitempty" jsonschema:"maxLength=512"`
	Tags        []int64 `json:"tags,omitempty" jsonschema:"description=Tag ids; replaces the current tags"`
}

// ListAnnotations lists annotations, optionally in a date range or with tags.
func (c *Client) ListAnnotations(ctx context.Context, p ListAnnotationsParams) ([]Annotation, error) {
	path, err := c.scoped("annotations", "")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.FromDate != "" {
		q.Set("fromDate", p.FromDate)
	}
	if p.ToDate != "" {
		q.Set("toDate", p.ToDate)
	}
	if len(p.Tags) > 0 {
		q.Set("tags", IDList(p.Tags))
	}
	return appCall[[]Annotation](ctx, c, GET, path, q, nil)
}

// CreateAnnotation adds an annotation.
func (c *Client) CreateAnnotation(ctx context.Context, p CreateAnnotationParams) (Annotation, error) {
	path, err := c.scoped("annotations", "")
	if err != nil {
		return Annotation{}, err
	}
	return appCall[Annotation](ctx, c, POST, path, nil, p)
}

// GetAnnotation reads one annotation.
func (c *Client) GetAnnotation(ctx context.Context, id int64) (Annotation, error) {
	path, err := c.scoped("annotations", ID(id), "")
	if err != nil {
		return Annotation{}, err
	}
	return appCall[Annotation](ctx, c, GET, path, nil, nil)
}

// UpdateAnnotation changes an annotation's description or tags.
func (c *Client) UpdateAnnotation(ctx context.Context, id int64, p UpdateAnnotationParams) (Annotation, error) {
	path, err := c.scoped("annotations", ID(id), "")
	if err != nil {
		return Annotation{}, err
	}
	return appCall[Annotation](ctx, c, PATCH, path, nil, p)
}

// DeleteAnnotation deletes one annotation.
func (c *Client) DeleteAnnotation(ctx context.Context, id int64) error {
	path, err := c.scoped("annotations", ID(id), "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, nil)
	return err
}

// ListAnnotationTags lists the annotation tags.
func (c *Client) ListAnnotationTags(ctx context.Context) ([]AnnotationTag, error) {
	path, err := c.scoped("annotations", "tags", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]AnnotationTag](ctx, c, GET, path, nil, nil)
}

// CreateAnnotationTagParams is a new tag.
type CreateAnnotationTagParams struct {
	Name string `json:"name" jsonschema:"minLength=1"`
}

// CreateAnnotationTag adds a tag.
func (c *Client) CreateAnnotationTag(ctx context.Context, p CreateAnnotationTagParams) (AnnotationTag, error) {
	path, err := c.scoped("annotations", "tags", "")
	if err != nil {
		return AnnotationTag{}, err
	}
	return appCall[AnnotationTag](ctx, c, POST, path, nil, p)
}

// Validate checks the date range.
func (p ListAnnotationsParams) Validate() error {
	var c checks
	c.dayRange("from_date", p.FromDate, "to_date", p.ToDate)
	return c.err()
}

// Validate checks the day and the text.
func (p CreateAnnotationParams) Validate() error {
	var c checks
	c.required("date", p.Date == "", "pass the day as YYYY-MM-DD")
	c.day("date", p.Date)
	c.required("description", p.Description == "", "say what happened that day")
	c.maxLen("description", p.Description, 512)
	return c.err()
}

// Validate needs something to change.
func (p UpdateAnnotationParams) Validate() error {
	var c checks
	c.required("description", p.Description == "" && p.Tags == nil, "pass description or tags, the fields that can change")
	c.maxLen("description", p.Description, 512)
	return c.err()
}

// Validate needs a name.
func (p CreateAnnotationTagParams) Validate() error {
	var c checks
	c.required("name", p.Name == "", "name the tag")
	return c.err()
}
