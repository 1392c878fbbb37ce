package mixpaneltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dashboards (wire reference §4.8), kept in the store per scope. A
// dashboard's cards live in its "contents" ({"report": {id: card}, "text":
// {id: card}}) and are placed by its "layout" ({"version", "order",
// "rows": {rowId: {"height", "cells"}}}); a report card is a bookmark in
// the store's "bookmarks" collection whose id is the card's content_id.

func routesDashboards(s *Server) {
	d := dashboards{s: s, st: s.Store}
	s.HandleScoped(http.MethodGet, "/dashboards", d.list)
	s.HandleScoped(http.MethodPost, "/dashboards", d.create)
	s.HandleScoped(http.MethodGet, "/dashboards/{id}", d.get)
	s.HandleScoped(http.MethodPatch, "/dashboards/{id}", d.update)
	s.HandleScoped(http.MethodDelete, "/dashboards/{id}", d.delete)
	s.HandleScoped(http.MethodPost, "/dashboards/bulk-delete", d.bulkDelete)
	s.HandleScoped(http.MethodPost, "/dashboards/{id}/favorites", d.set("is_favorited", true))
	s.HandleScoped(http.MethodDelete, "/dashboards/{id}/favorites", d.set("is_favorited", false))
	s.HandleScoped(http.MethodPost, "/dashboards/{id}/pin", d.set("pinned_date", "now"))
	s.HandleScoped(http.MethodDelete, "/dashboards/{id}/pin", d.set("pinned_date", nil))
	s.HandleScoped(http.MethodPatch, "/dashboards/{id}/text-cards/{card}", d.updateTextCard)
	s.HandleScoped(http.MethodPatch, "/dashboards/{id}/report-links/{link}", d.updateReportLink)
	s.HandleScoped(http.MethodGet, "/dashboards/bookmarks/{bid}/dashboard-ids", d.bookmarkDashboardIDs)
	s.HandleScoped(http.MethodGet, "/dashboards/{id}/erf", d.erf)
	s.HandleScoped(http.MethodGet, "/dashboards/blueprints-all", d.templates)
	s.HandleScoped(http.MethodPost, "/dashboards/blueprints", d.createBlueprint)
	s.HandleScoped(http.MethodGet, "/dashboards/{id}/blueprint-config", d.blueprintConfig)
	s.HandleScoped(http.MethodPut, "/dashboards/blueprints/cohorts", d.blueprintCohorts)
	s.HandleScoped(http.MethodPost, "/dashboards/blueprints/finish", d.finishBlueprint)
	s.HandleScoped(http.MethodPost, "/dashboards/rca", d.createRCA)
}

type dashboards struct {
	s  *Server
	st *Store
}

const dashboardsColl, bookmarksColl = "dashboards", "bookmarks"

func (d dashboards) list(w http.ResponseWriter, r *http.Request) {
	all := d.st.List(Scope(r), dashboardsColl)
	if ids := r.URL.Query().Get("ids"); ids != "" {
		want := strings.Split(ids, ",")
		all = slices.DeleteFunc(all, func(e Entity) bool { return !slices.Contains(want, IDOf(e)) })
	}
	WriteApp(w, all)
}

// lookup answers 404 and reports false when the dashboard does not exist.
func (d dashboards) lookup(w http.ResponseWriter, r *http.Request) (Entity, bool) {
	e, ok := d.st.Get(Scope(r), dashboardsColl, r.PathValue("id"))
	if ok {
		e = deepCopy(e)
	} else {
		WriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("Dashboard %s does not exist", r.PathValue("id")), "status": "error"})
	}
	return e, ok
}

func (d dashboards) get(w http.ResponseWriter, r *http.Request) {
	if e, ok := d.lookup(w, r); ok {
		WriteApp(w, e)
	}
}

// createBody is what create_dashboard posts.
type createBody struct {
	Title        *string          `json:"title"`
	Description  *string          `json:"description"`
	IsPrivate    *bool            `json:"is_private"`
	IsRestricted *bool            `json:"is_restricted"`
	Filters      []any            `json:"filters"`
	Breakdowns   []any            `json:"breakdowns"`
	TimeFilter   any              `json:"time_filter"`
	Duplicate    *json.Number     `json:"duplicate"`
	Rows         []map[string]any `json:"rows"`
}

func (d dashboards) create(w http.ResponseWriter, r *http.Request) {
	var body createBody
	if !DecodeBody(w, r, &body) {
		return
	}
	errs := map[string][]string{}
	switch {
	case body.Title == nil || strings.TrimSpace(*body.Title) == "":
		errs["title"] = []string{"This field is required."}
	case len([]rune(*body.Title)) > 255:
		errs["title"] = []string{"Ensure this field has no more than 255 characters."}
	}
	if body.Description != nil && len([]rune(*body.Description)) > 400 {
		errs["description"] = []string{"Ensure this field has no more than 400 characters."}
	}
	if len(body.Rows) > 30 {
		errs["rows"] = []string{"Ensure this field has no more than 30 elements."}
	}
	if len(errs) > 0 {
		FieldErrors(w, errs)
		return
	}
	scope := Scope(r)
	e := d.newDashboard(*body.Title)
	e["description"] = body.Description
	e["is_private"] = body.IsPrivate != nil && *body.IsPrivate
	e["is_restricted"] = body.IsRestricted != nil && *body.IsRestricted
	e["filters"], e["breakdowns"], e["time_filter"] = orEmpty(body.Filters), orEmpty(body.Breakdowns), body.TimeFilter
	if body.Duplicate != nil {
		src, ok := d.st.Get(scope, dashboardsColl, body.Duplicate.String())
		if !ok {
			FieldErrors(w, map[string][]string{"duplicate": {fmt.Sprintf("Dashboard %s does not exist.", body.Duplicate)}})
			return
		}
		src = deepCopy(src)
		e["layout"], e["contents"] = src["layout"], src["contents"]
	}
	for i, row := range body.Rows {
		cards, _ := row["contents"].([]any)
		if len(cards) == 0 || len(cards) > 4 {
			FieldErrors(w, map[string][]string{"rows": {fmt.Sprintf("Row %d must have between 1 and 4 items.", i)}})
			return
		}
		var cells []any
		for _, c := range cards {
			card, _ := c.(map[string]any)
			cell, msg := d.addCard(scope, e, card)
			if msg != "" {
				FieldErrors(w, map[string][]string{"rows": {msg}})
				return
			}
			cell["width"] = 12 / len(cards)
			cells = append(cells, cell)
		}
		addRow(d.st, e, cells)
	}
	d.st.Put(scope, dashboardsColl, e)
	WriteApp(w, e)
}

// deepCopy detaches a stored entity's nested maps, so a request changes
// the store only through Put.
func deepCopy(e Entity) Entity {
	raw, _ := json.Marshal(e)
	var out Entity
	_ = json.Unmarshal(raw, &out)
	return out
}

// stamp is the fake's clock as Mixpanel writes timestamps.
func (d dashboards) stamp() string {
	now := d.s.Data.Now
	if now.IsZero() {
		now = time.Now()
	}
	return now.UTC().Format("2006-01-02T15:04:05")
}

func (d dashboards) newDashboard(title string) Entity {
	stamp := d.stamp()
	return Entity{
		"id": d.st.NextID(), "title": title, "description": nil, "is_private": false, "is_restricted": false,
		"creator_id": 7002, "creator_name": "Test User", "creator_email": "test@example.com",
		"created": stamp, "modified": stamp, "is_favorited": false, "pinned_date": nil, "layout_version": "2.0.0",
		"unique_view_count": 0, "total_view_count": 0, "generation_type": nil, "parent_dashboard_id": nil,
		"filters": []any{}, "breakdowns": []any{}, "time_filter": nil,
		"layout":   map[string]any{"version": "2.0.0", "order": []any{}, "rows": map[string]any{}},
		"contents": map[string]any{"report": map[string]any{}, "text": map[string]any{}},
	}
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// addCard stores a card's content in the dashboard (and a report's
// bookmark) and returns its layout cell, or a message saying what is wrong.
func (d dashboards) addCard(scope string, dash Entity, card map[string]any) (map[string]any, string) {
	params, _ := card["content_params"].(map[string]any)
	contents := dash["contents"].(map[string]any)
	switch card["content_type"] {
	case "text":
		md, ok := params["markdown"].(string)
		if !ok {
			return nil, "A text card needs content_params.markdown."
		}
		id := d.st.NextID()
		contents["text"].(map[string]any)[strconv.FormatInt(id, 10)] = map[string]any{"id": id, "markdown": md}
		return map[string]any{"id": d.st.NextUUID(), "content_id": id, "content_type": "text"}, ""
	case "report":
		var bm Entity
		switch {
		case params["source_bookmark_id"] != nil:
			src, ok := d.st.Get(scope, bookmarksColl, fmt.Sprint(params["source_bookmark_id"]))
			if !ok {
				return nil, fmt.Sprintf("Bookmark %v does not exist.", params["source_bookmark_id"])
			}
			bm = Entity{"name": "Duplicate of " + fmt.Sprint(src["name"]), "type": src["type"], "params": src["params"], "description": src["description"]}
		case params["bookmark"] != nil:
			in, _ := params["bookmark"].(map[string]any)
			raw, _ := in["params"].(string)
			var p map[string]any
			if err := json.Unmarshal([]byte(raw), &p); err != nil || p == nil {
				return nil, "bookmark.params must be a JSON string of an object."
			}
			if name, _ := in["name"].(string); name == "" {
				return nil, "bookmark.name is required."
			}
			if !slices.Contains([]any{"insights", "funnels", "retention", "flows"}, in["type"]) {
				return nil, fmt.Sprintf("bookmark.type %v is not a report type.", in["type"])
			}
			bm = Entity{"name": in["name"], "type": in["type"], "params": p, "description": in["description"]}
		default:
			return nil, "A report card needs content_params.source_bookmark_id or content_params.bookmark."
		}
		id := d.st.NextID()
		bm["id"], bm["project_id"], bm["dashboard_id"] = id, ProjectIDInt, dash["id"]
		d.st.Put(scope, bookmarksColl, bm)
		contents["report"].(map[string]any)[strconv.FormatInt(id, 10)] = map[string]any{"id": id, "name": bm["name"], "type": bm["type"]}
		return map[string]any{"id": d.st.NextUUID(), "content_id": id, "content_type": "report"}, ""
	}
	return nil, fmt.Sprintf("content_type %v is not text or report.", card["content_type"])
}

// addRow appends a row of cells to the dashboard's layout.
func addRow(st *Store, dash Entity, cells []any) {
	layout := dash["layout"].(map[string]any)
	id := st.NextUUID()
	layout["order"] = append(layout["order"].([]any), id)
	height := 0
	for _, c := range cells {
		if c.(map[string]any)["content_type"] == "report" {
			height = 418
		}
	}
	layout["rows"].(map[string]any)[id] = map[string]any{"height": height, "cells": cells}
}

func (d dashboards) update(w http.ResponseWriter, r *http.Request) {
	e, ok := d.lookup(w, r)
	if !ok {
		return
	}
	var body map[string]any
	if !DecodeBody(w, r, &body) {
		return
	}
	if t, has := body["title"]; has {
		if s, _ := t.(string); strings.TrimSpace(s) == "" || len([]rune(s)) > 255 {
			FieldErrors(w, map[string][]string{"title": {"Ensure this field has between 1 and 255 characters."}})
			return
		}
	}
	for _, k := range []string{"title", "description", "is_private", "is_restricted", "filters", "breakdowns", "time_filter"} {
		if v, has := body[k]; has {
			e[k] = v
		}
	}
	if l, has := body["layout"].(map[string]any); has {
		if msg := applyLayout(e, l); msg != "" {
			FieldErrors(w, map[string][]string{"layout": {msg}})
			return
		}
	}
	if c, has := body["content"].(map[string]any); has {
		if msg := d.applyContent(Scope(r), e, c); msg != "" {
			FieldErrors(w, map[string][]string{"content": {msg}})
			return
		}
	}
	d.st.Put(Scope(r), dashboardsColl, e)
	WriteApp(w, e)
}

// applyLayout takes the PATCH form {"rows_order", "rows": [{id, height,
// cells}]} into the stored GET form.
func applyLayout(e Entity, l map[string]any) string {
	rows, _ := l["rows"].([]any)
	if len(rows) > 30 {
		return "A dashboard has at most 30 rows."
	}
	out := map[string]any{}
	for _, x := range rows {
		row, _ := x.(map[string]any)
		cells, _ := row["cells"].([]any)
		width := 0.0
		for _, c := range cells {
			f, _ := c.(map[string]any)["width"].(float64)
			width += f
		}
		if len(cells) == 0 || len(cells) > 4 || width != 12 {
			return fmt.Sprintf("Row %v must have 1 to 4 cells whose widths sum to 12.", row["id"])
		}
		out[fmt.Sprint(row["id"])] = map[string]any{"height": row["height"], "cells": cells}
	}
	order, _ := l["rows_order"].([]any)
	e["layout"] = map[string]any{"version": "2.0.0", "order": order, "rows": out}
	return ""
}

// applyContent runs one content action on the dashboard.
func (d dashboards) applyContent(scope string, e Entity, c map[string]any) string {
	contents := e["contents"].(map[string]any)
	typ, _ := c["content_type"].(string)
	if typ != "text" && typ != "report" {
		return "content_type must be text or report."
	}
	id := fmt.Sprint(c["content_id"])
	if f, ok := c["content_id"].(float64); ok {
		id = strconv.FormatInt(int64(f), 10)
	}
	switch c["action"] {
	case "create":
		cell, msg := d.addCard(scope, e, c)
		if msg != "" {
			return msg
		}
		cell["width"] = 12
		addRow(d.st, e, []any{cell})
	case "delete":
		cards := contents[typ].(map[string]any)
		if _, ok := cards[id]; !ok {
			return fmt.Sprintf("No %s card %s on this dashboard.", typ, id)
		}
		delete(cards, id)
		removeCell(e, id)
	case "update":
		cards := contents[typ].(map[string]any)
		card, ok := cards[id].(map[string]any)
		if !ok {
			return fmt.Sprintf("No %s card %s on this dashboard.", typ, id)
		}
		if p, ok := c["content_params"].(map[string]any); ok {
			for k, v := range p {
				card[k] = v
			}
		}
	default:
		return fmt.Sprintf("action %v is not supported by mixpaneltest.", c["action"])
	}
	return ""
}

// removeCell drops the content's cell, and its row when it empties.
func removeCell(e Entity, contentID string) {
	layout := e["layout"].(map[string]any)
	rows := layout["rows"].(map[string]any)
	for rid, x := range rows {
		row := x.(map[string]any)
		cells := slices.DeleteFunc(row["cells"].([]any), func(c any) bool {
			return fmt.Sprint(c.(map[string]any)["content_id"]) == contentID
		})
		row["cells"] = cells
		if len(cells) == 0 {
			delete(rows, rid)
			layout["order"] = slices.DeleteFunc(layout["order"].([]any), func(o any) bool { return o == rid })
		}
	}
}

func (d dashboards) delete(w http.ResponseWriter, r *http.Request) {
	if _, ok := d.lookup(w, r); ok {
		d.st.Delete(Scope(r), dashboardsColl, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	}
}

func (d dashboards) bulkDelete(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []json.Number `json:"dashboard_ids"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	if len(body.IDs) == 0 {
		FieldErrors(w, map[string][]string{"dashboard_ids": {"This field is required."}})
		return
	}
	for _, id := range body.IDs {
		if _, ok := d.st.Get(Scope(r), dashboardsColl, id.String()); !ok {
			WriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("Dashboard %s does not exist", id), "status": "error"})
			return
		}
	}
	for _, id := range body.IDs {
		d.st.Delete(Scope(r), dashboardsColl, id.String())
	}
	w.WriteHeader(http.StatusNoContent)
}

// set answers a favorite/pin toggle: the field takes value ("now": the
// fake's clock) and the answer is a 204.
func (d dashboards) set(field string, value any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, ok := d.lookup(w, r)
		if !ok {
			return
		}
		e[field] = value
		if value == "now" {
			e[field] = d.stamp()
		}
		d.st.Put(Scope(r), dashboardsColl, e)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (d dashboards) updateTextCard(w http.ResponseWriter, r *http.Request) {
	e, ok := d.lookup(w, r)
	if !ok {
		return
	}
	var body map[string]any
	if !DecodeBody(w, r, &body) {
		return
	}
	card, ok := e["contents"].(map[string]any)["text"].(map[string]any)[r.PathValue("card")].(map[string]any)
	if !ok {
		WriteJSON(w, http.StatusNotFound, map[string]any{"error": "Text card " + r.PathValue("card") + " does not exist", "status": "error"})
		return
	}
	if md, has := body["markdown"]; has {
		card["markdown"] = md
	}
	d.st.Put(Scope(r), dashboardsColl, e)
	w.WriteHeader(http.StatusNoContent)
}

func (d dashboards) updateReportLink(w http.ResponseWriter, r *http.Request) {
	if _, ok := d.lookup(w, r); ok {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (d dashboards) bookmarkDashboardIDs(w http.ResponseWriter, r *http.Request) {
	ids := []any{}
	for _, e := range d.st.List(Scope(r), dashboardsColl) {
		if _, ok := e["contents"].(map[string]any)["report"].(map[string]any)[r.PathValue("bid")]; ok {
			ids = append(ids, e["id"])
		}
	}
	WriteApp(w, ids)
}

func (d dashboards) erf(w http.ResponseWriter, r *http.Request) {
	e, ok := d.lookup(w, r)
	if !ok {
		return
	}
	metrics := []any{}
	for _, c := range e["contents"].(map[string]any)["report"].(map[string]any) {
		card := c.(map[string]any)
		metrics = append(metrics, map[string]any{"bookmark_id": card["id"], "name": card["name"], "experiment_id": nil})
	}
	WriteApp(w, map[string]any{"metrics": metrics})
}

// blueprintTemplates are the fake's dashboard templates, in Mixpanel's
// {"templates": {name: template}} form.
var blueprintTemplates = []struct {
	name, title, description string
	variables                map[string]string
}{
	{"ecommerce", "Ecommerce essentials", "Orders, carts and revenue", map[string]string{"order_event": "Purchase", "repeat_buyers": "cohort:repeat_buyers"}},
	{"activation", "Activation", "From signup to first value", map[string]string{"signup_event": "Signup"}},
}

func (d dashboards) templates(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{}
	for _, t := range blueprintTemplates {
		e := map[string]any{"title_key": t.title, "description_key": t.description, "number_of_reports": len(t.variables)}
		if r.URL.Query().Get("include_reports") == "true" {
			e["reports"] = []any{map[string]any{"name": t.title + " overview", "type": "insights"}}
		}
		out[t.name] = e
	}
	WriteApp(w, map[string]any{"templates": out})
}

func (d dashboards) createBlueprint(w http.ResponseWriter, r *http.Request) {
	var body struct {
		TemplateType string `json:"template_type"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	for _, t := range blueprintTemplates {
		if t.name == body.TemplateType {
			e := d.newDashboard(t.title)
			e["generation_type"], e["template_type"] = "blueprint", t.name
			cell, _ := d.addCard(Scope(r), e, map[string]any{"content_type": "text", "content_params": map[string]any{"markdown": "<h2>" + t.title + "</h2>"}})
			cell["width"] = 12
			addRow(d.st, e, []any{cell})
			d.st.Put(Scope(r), dashboardsColl, e)
			WriteApp(w, e)
			return
		}
	}
	FieldErrors(w, map[string][]string{"template_type": {fmt.Sprintf("%q is not a valid choice.", body.TemplateType)}})
}

// blueprint answers 400 and reports false when the dashboard is not one
// made from a template.
func (d dashboards) blueprint(w http.ResponseWriter, r *http.Request, id string) (Entity, bool) {
	e, ok := d.st.Get(Scope(r), dashboardsColl, id)
	if !ok {
		WriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("Dashboard %s does not exist", id), "status": "error"})
		return nil, false
	}
	if e["generation_type"] != "blueprint" {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("Dashboard %s is not a blueprint", id), "status": "error"})
		return nil, false
	}
	return deepCopy(e), true
}

func (d dashboards) blueprintConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := d.blueprint(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	for _, t := range blueprintTemplates {
		if t.name == e["template_type"] {
			WriteApp(w, map[string]any{"variables": t.variables})
			return
		}
	}
	WriteApp(w, map[string]any{"variables": map[string]string{}})
}

func (d dashboards) blueprintCohorts(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cohorts []map[string]any `json:"cohorts"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	if body.Cohorts == nil {
		FieldErrors(w, map[string][]string{"cohorts": {"This field is required."}})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// finishBlueprint replaces the blueprint's cards by the ones kept: text
// cards by their markdown, reports by their saved bookmark.
func (d dashboards) finishBlueprint(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DashboardID json.Number      `json:"dashboard_id"`
		Cards       []map[string]any `json:"cards"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	e, ok := d.blueprint(w, r, body.DashboardID.String())
	if !ok {
		return
	}
	e["layout"] = map[string]any{"version": "2.0.0", "order": []any{}, "rows": map[string]any{}}
	e["contents"] = map[string]any{"report": map[string]any{}, "text": map[string]any{}}
	for _, c := range body.Cards {
		params := map[string]any{"markdown": c["markdown"]}
		if c["type"] == "report" {
			params = map[string]any{"source_bookmark_id": c["bookmark_id"]}
		}
		cell, msg := d.addCard(Scope(r), e, map[string]any{"content_type": c["type"], "content_params": params})
		if msg != "" {
			FieldErrors(w, map[string][]string{"cards": {msg}})
			return
		}
		cell["width"] = 12
		addRow(d.st, e, []any{cell})
	}
	d.st.Put(Scope(r), dashboardsColl, e)
	WriteApp(w, e)
}

func (d dashboards) createRCA(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SourceID json.Number    `json:"rca_source_id"`
		Data     map[string]any `json:"rca_source_data"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	if body.SourceID == "" || body.Data["type"] == nil {
		FieldErrors(w, map[string][]string{"rca_source_data": {"rca_source_id and rca_source_data.type are required."}})
		return
	}
	e := d.newDashboard(fmt.Sprintf("Root cause: %v %s", body.Data["type"], body.SourceID))
	e["generation_type"] = "rca"
	d.st.Put(Scope(r), dashboardsColl, e)
	WriteApp(w, e)
}
