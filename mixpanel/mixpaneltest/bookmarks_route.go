package mixpaneltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// InsightsResponder answers POST /insights for one behaviour type
// ("insights", "funnel" or "retention") given the posted bookmark; it
// returns the JSON answer and its status.
type InsightsResponder func(s *Server, bookmark map[string]any) (any, int)

// insightsResponder is the responder of a behaviour type, in each
// engine's file.
func insightsResponder(kind string) (InsightsResponder, bool) {
	switch kind {
	case "insights":
		return insightsAnswer, true
	case "funnel":
		return funnelAnswer, true
	case "retention":
		return retentionAnswer, true
	case "replays":
		return replayDiscovery, true
	case "replay_events":
		return replayEventsAnswer, true
	}
	return nil, false
}

func routesBookmarksRoute(s *Server) {
	s.handle(http.MethodPost, QueryPrefix+"/insights", s.postInsights)
}

// InsightsBody is the JSON body of POST /insights.
type InsightsBody struct {
	ProjectID   json.Number     `json:"project_id"`
	Bookmark    json.RawMessage `json:"bookmark"`
	QueryLimits map[string]any  `json:"queryLimits"`
}

func (s *Server) postInsights(w http.ResponseWriter, r *http.Request) {
	var body InsightsBody
	if !DecodeBody(w, r, &body) {
		return
	}
	if string(body.ProjectID) != ProjectID {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("project_id must be the integer %s in the body, got %q", ProjectID, body.ProjectID), "status": "error"})
		return
	}
	var bookmark map[string]any
	if err := json.Unmarshal(body.Bookmark, &bookmark); err != nil || bookmark == nil {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "bookmark must be a JSON object", "status": "error"})
		return
	}
	if _, bad := bookmark["queryLimits"]; bad {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "bookmark.queryLimits: Extra inputs are not permitted", "status": "error"})
		return
	}
	kind := BehaviorType(bookmark)
	respond, ok := insightsResponder(kind)
	if !ok {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "mixpaneltest: no responder for behavior type " + kind, "status": "error"})
		return
	}
	answer, status := respond(s, bookmark)
	WriteJSON(w, status, answer)
}

// BehaviorType returns the type of the first metric's behaviour
// ("funnel", "retention"), "replays" for replay discovery (the
// $mp_session_record event), "replay_events" for the events of replays
// ($all_events grouped by $mp_replay_id), or "insights" for anything else.
func BehaviorType(bookmark map[string]any) string {
	sections, _ := bookmark["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	if len(show) > 0 {
		first, _ := show[0].(map[string]any)
		behavior, _ := first["behavior"].(map[string]any)
		switch t, _ := behavior["type"].(string); t {
		case "funnel", "retention":
			return t
		}
		switch name, _ := behavior["name"].(string); {
		case name == "$mp_session_record":
			return "replays"
		case name == "$all_events" && slices.Contains(replayGroups(bookmark), "$mp_replay_id"):
			return "replay_events"
		}
	}
	return "insights"
}
