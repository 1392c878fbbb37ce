package tools

import (
	"context"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The annotations toolset: notes on chart dates and their tags.
func annotationsTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[listAnnotationsIn, List[mixpanel.Annotation]]{Name: "list_annotations", Toolset: ToolsetAnnotations, Ann: ReadOnly,
			Desc: "List chart annotations (date, text, tags), optionally in a date range or with tags.",
			Call: func(ctx context.Context, c *M, in listAnnotationsIn) (List[mixpanel.Annotation], error) {
				as, err := c.ListAnnotations(ctx, in.ListAnnotationsParams)
				return paged(as, in.Paging), err
			}}.Tool(),
		Op[annotationID, mixpanel.Annotation]{Name: "get_annotation", Toolset: ToolsetAnnotations, Ann: ReadOnly, Kind: "annotation",
			Desc: "Read one annotation.",
			Call: func(ctx context.Context, c *M, in annotationID) (mixpanel.Annotation, error) {
				return c.GetAnnotation(ctx, in.AnnotationID)
			}}.Tool(),
		Op[mixpanel.CreateAnnotationParams, mixpanel.Annotation]{Name: "create_annotation", Toolset: ToolsetAnnotations, Ann: Write, Kind: "annotation", Action: "created",
			Desc:   "Annotate a date on every chart (a launch, an outage, a campaign).",
			Method: (*M).CreateAnnotation}.Tool(),
		Op[updateAnnotationIn, mixpanel.Annotation]{Name: "update_annotation", Toolset: ToolsetAnnotations, Ann: Overwrite, Kind: "annotation", Action: "updated",
			Desc: "Change an annotation's text or tags (its date cannot change).",
			Call: func(ctx context.Context, c *M, in updateAnnotationIn) (mixpanel.Annotation, error) {
				return c.UpdateAnnotation(ctx, in.AnnotationID, in.UpdateAnnotationParams)
			}}.Tool(),
		Op[annotationID, mixpanel.Empty]{Name: "delete_annotation", Toolset: ToolsetAnnotations, Ann: Destructive, Action: "deleted",
			Desc: "Delete one annotation.",
			Confirm: func(ctx context.Context, c *M, in annotationID) (string, error) {
				a, err := c.GetAnnotation(ctx, in.AnnotationID)
				return "Delete " + a.Ref().String() + " of " + a.Date, err
			},
			Call: func(ctx context.Context, c *M, in annotationID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteAnnotation(ctx, in.AnnotationID)
			}}.Tool(),
		Op[Paging, List[mixpanel.AnnotationTag]]{Name: "list_annotation_tags", Toolset: ToolsetAnnotations, Ann: ReadOnly,
			Desc: "List annotation tags.",
			Call: func(ctx context.Context, c *M, in Paging) (List[mixpanel.AnnotationTag], error) {
				ts, err := c.ListAnnotationTags(ctx)
				return paged(ts, in), err
			}}.Tool(),
		Op[mixpanel.CreateAnnotationTagParams, mixpanel.AnnotationTag]{Name: "create_annotation_tag", Toolset: ToolsetAnnotations, Ann: Write, Action: "created",
			Desc:   "Create an annotation tag.",
			Method: (*M).CreateAnnotationTag}.Tool(),
	}
}

type listAnnotationsIn struct {
	mixpanel.ListAnnotationsParams
	Paging
}

type annotationID struct {
	AnnotationID int64 `json:"annotation_id" jsonschema:"minimum=1,description=Annotation id (list_annotations)"`
}

type updateAnnotationIn struct {
	annotationID
	mixpanel.UpdateAnnotationParams
}
