package mixpaneltest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Engage (wire reference §4.6): profile pages with a session_id from page
// 0, and /stats aggregates. Filters are really evaluated (see Selector),
// so a test sees the profiles a filter selects.
func routesEngage(s *Server) {
	s.handle(http.MethodPost, EngagePrefix, s.engage)
	s.handle(http.MethodPost, EngagePrefix+"/stats", s.engageStats)
}

// Profile is a user profile of the dataset. Cohorts lists the saved
// cohorts it belongs to.
type Profile struct {
	DistinctID string
	Properties map[string]any
	Cohorts    []int64
}

// engageBody is the JSON body of the Engage endpoints; list and object
// parameters arrive as JSON-encoded strings.
type engageBody struct {
	ProjectID        json.Number `json:"project_id"`
	WorkspaceID      string      `json:"workspace_id"`
	Page             int         `json:"page"`
	SessionID        string      `json:"session_id"`
	Where            string      `json:"where"`
	Selector         string      `json:"selector"`
	FilterByCohort   string      `json:"filter_by_cohort"`
	OutputProperties string      `json:"output_properties"`
	DistinctID       string      `json:"distinct_id"`
	DistinctIDs      string      `json:"distinct_ids"`
	DataGroupID      string      `json:"data_group_id"`
	AsOfTimestamp    int64       `json:"as_of_timestamp"`
	IncludeAllUsers  *bool       `json:"include_all_users"`
	SortKey          string      `json:"sort_key"`
	SortOrder        string      `json:"sort_order"`
	Search           string      `json:"search"`
	Limit            int         `json:"limit"`
	Action           string      `json:"action"`
	SegmentByCohorts string      `json:"segment_by_cohorts"`
}

// selected filters the dataset's profiles by everything but paging and
// sorting, answering 400/404 itself and returning false on bad input.
func (s *Server) selected(w http.ResponseWriter, b engageBody, where string) ([]Profile, bool) {
	fail := func(status int, msg string) ([]Profile, bool) {
		WriteJSON(w, status, errorBody(msg))
		return nil, false
	}
	if string(b.ProjectID) != ProjectID {
		return fail(http.StatusBadRequest, "project_id must be "+ProjectID+" in the body")
	}
	sel, err := ParseSelector(where)
	if err != nil {
		return fail(http.StatusBadRequest, "invalid selector: "+err.Error())
	}
	var ids []string
	if b.DistinctIDs != "" {
		if b.DistinctID != "" {
			return fail(http.StatusBadRequest, "distinct_id and distinct_ids are mutually exclusive")
		}
		if err := json.Unmarshal([]byte(b.DistinctIDs), &ids); err != nil || len(ids) == 0 {
			return fail(http.StatusBadRequest, "distinct_ids must be a JSON-encoded non-empty list of strings")
		}
		if len(ids) > 2000 {
			return fail(http.StatusBadRequest, "distinct_ids accepts at most 2000 ids")
		}
	} else if b.DistinctID != "" {
		ids = []string{b.DistinctID}
	}
	if b.AsOfTimestamp > s.Data.Today().Unix()+60 {
		return fail(http.StatusBadRequest, "as_of_timestamp must not be in the future")
	}
	var cohortID int64
	var rawCohort *Selector
	if b.FilterByCohort != "" {
		var fbc struct {
			ID        *int64         `json:"id"`
			RawCohort map[string]any `json:"raw_cohort"`
		}
		if err := json.Unmarshal([]byte(b.FilterByCohort), &fbc); err != nil || (fbc.ID == nil && fbc.RawCohort == nil) {
			return fail(http.StatusBadRequest, `filter_by_cohort must be a JSON-encoded {"id": N} or {"raw_cohort": {...}}`)
		}
		if fbc.ID != nil {
			found := false
			for _, c := range s.Data.SavedCohorts {
				found = found || c.ID == *fbc.ID
			}
			if !found {
				return fail(http.StatusNotFound, fmt.Sprintf("cohort %d not found", *fbc.ID))
			}
			cohortID = *fbc.ID
		} else if rawCohort, err = rawCohortSelector(fbc.RawCohort); err != nil {
			return fail(http.StatusBadRequest, "invalid raw_cohort: "+err.Error())
		}
	}
	// Mixpanel's default is true: without an explicit false the cohort
	// does not restrict the profiles.
	allUsers := b.IncludeAllUsers == nil || *b.IncludeAllUsers
	search := strings.ToLower(b.Search)
	var out []Profile
	for _, p := range s.Data.Profiles {
		switch {
		case len(ids) > 0 && !slices.Contains(ids, p.DistinctID),
			!sel.Match(p.Properties),
			cohortID != 0 && !allUsers && !slices.Contains(p.Cohorts, cohortID),
			rawCohort != nil && !allUsers && !rawCohort.Match(p.Properties),
			search != "" && !profileMentions(p, search):
			continue
		}
		out = append(out, p)
	}
	return out, true
}

// rawCohortSelector turns the user-property leaves of an inline cohort
// definition into a selector; behaviour leaves match everyone, since the
// fake keeps no per-user event counts for cohorts.
func rawCohortSelector(def map[string]any) (*Selector, error) {
	var clauses []string
	var walk func(node any) error
	walk = func(node any) error {
		m, _ := node.(map[string]any)
		if children, ok := m["children"].([]any); ok {
			for _, c := range children {
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		}
		if m["property"] != "user" {
			return nil
		}
		name, _ := m["value"].(string)
		op, _ := m["operator"].(string)
		operand, _ := json.Marshal(m["operand"])
		ref := `properties["` + name + `"]`
		switch op {
		case "==", "!=", ">", "<", ">=", "<=":
			clauses = append(clauses, ref+" "+op+" "+string(operand))
		case "defined":
			clauses = append(clauses, "defined("+ref+")")
		case "not defined":
			clauses = append(clauses, "not defined("+ref+")")
		}
		return nil
	}
	sel, ok := def["selector"]
	if !ok {
		return nil, fmt.Errorf("missing selector")
	}
	if err := walk(sel); err != nil {
		return nil, err
	}
	return ParseSelector(strings.Join(clauses, " and "))
}

func profileMentions(p Profile, needle string) bool {
	if strings.Contains(strings.ToLower(p.DistinctID), needle) {
		return true
	}
	for _, v := range p.Properties {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), needle) {
			return true
		}
	}
	return false
}

// EngageSessionID is the session id the fake issues for page 0.
const EngageSessionID = "1700000000-mpfake-session"

func (s *Server) engage(w http.ResponseWriter, r *http.Request) {
	var b engageBody
	if !DecodeBody(w, r, &b) {
		return
	}
	if b.Page < 0 || (b.Page > 0 && b.SessionID != EngageSessionID) {
		WriteJSON(w, http.StatusBadRequest, errorBody("pages after 0 need the session_id page 0 returned"))
		return
	}
	if b.SortOrder != "" && b.SortOrder != "ascending" && b.SortOrder != "descending" {
		WriteJSON(w, http.StatusBadRequest, errorBody("sort_order must be ascending or descending"))
		return
	}
	profiles, ok := s.selected(w, b, b.Where)
	if !ok {
		return
	}
	if b.SortKey != "" {
		sortSel, err := ParseSelector(b.SortKey)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("invalid sort_key: "+err.Error()))
			return
		}
		key := func(p Profile) any { return sortSel.Value(func(k string) any { return p.Properties[k] }) }
		sort.SliceStable(profiles, func(i, j int) bool {
			less := compare("<", key(profiles[i]), key(profiles[j]))
			if b.SortOrder == "ascending" {
				return less
			}
			return compare(">", key(profiles[i]), key(profiles[j]))
		})
	}
	var keep []string
	if b.OutputProperties != "" {
		if err := json.Unmarshal([]byte(b.OutputProperties), &keep); err != nil || len(keep) == 0 {
			WriteJSON(w, http.StatusBadRequest, errorBody("output_properties must be a JSON-encoded non-empty list"))
			return
		}
	}
	size := s.Data.EngagePageSize
	if size <= 0 {
		size = 1000
	}
	if b.Limit > 0 && b.Limit < size {
		size = b.Limit
	}
	start := min(b.Page*size, len(profiles))
	end := min(start+size, len(profiles))
	results := make([]map[string]any, 0, end-start)
	for _, p := range profiles[start:end] {
		props := map[string]any{}
		for k, v := range p.Properties {
			if keep == nil || slices.Contains(keep, k) {
				props[k] = v
			}
		}
		results = append(results, map[string]any{"$distinct_id": p.DistinctID, "$properties": props})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"results": results, "session_id": EngageSessionID, "page": b.Page, "page_size": size, "total": len(profiles), "status": "ok", "computed_at": s.Data.Today().Format(time.RFC3339)})
}

var statsAction = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(count\(\)|extremes\(properties\["(.+)"\]\)|percentile\(properties\["(.+)"\],\s*([\d.]+)\)|numeric_summary\(properties\["(.+)"\]\))$`)
})

func (s *Server) engageStats(w http.ResponseWriter, r *http.Request) {
	var b engageBody
	if !DecodeBody(w, r, &b) {
		return
	}
	if b.Where != "" {
		WriteJSON(w, http.StatusBadRequest, errorBody("unknown parameter where: /stats filters with selector"))
		return
	}
	m := statsAction().FindStringSubmatch(b.Action)
	if m == nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("invalid action "+strconv.Quote(b.Action)))
		return
	}
	profiles, ok := s.selected(w, b, b.Selector)
	if !ok {
		return
	}
	compute := func(ps []Profile) any {
		prop := m[2] + m[3] + m[5]
		var vals []float64
		for _, p := range ps {
			if f, ok := toNum(p.Properties[prop]); ok {
				vals = append(vals, f)
			}
		}
		sort.Float64s(vals)
		switch {
		case m[1] == "count()":
			return len(ps)
		case strings.HasPrefix(m[1], "extremes"):
			if len(vals) == 0 {
				return map[string]any{"max": nil, "min": nil}
			}
			return map[string]any{"max": vals[len(vals)-1], "min": vals[0]}
		case strings.HasPrefix(m[1], "percentile"):
			pct, _ := strconv.ParseFloat(m[4], 64)
			res := 0.0
			if len(vals) > 0 {
				idx := int(math.Ceil(pct/100*float64(len(vals)))) - 1
				res = vals[min(max(idx, 0), len(vals)-1)]
			}
			return map[string]any{"percentile": pct, "result": res}
		default:
			var sum, sq float64
			for _, v := range vals {
				sum += v
				sq += v * v
			}
			n := float64(len(vals))
			mean, variance := 0.0, 0.0
			if n > 0 {
				mean = sum / n
				variance = sq/n - mean*mean
			}
			return map[string]any{"count": len(vals), "mean": mean, "var": variance, "sum_of_squares": sq}
		}
	}
	if b.SegmentByCohorts == "" {
		WriteJSON(w, http.StatusOK, map[string]any{"results": compute(profiles), "status": "ok", "computed_at": s.Data.Today().Format(time.RFC3339)})
		return
	}
	var seg map[string]bool
	if err := json.Unmarshal([]byte(b.SegmentByCohorts), &seg); err != nil || len(seg) == 0 {
		WriteJSON(w, http.StatusBadRequest, errorBody(`segment_by_cohorts must be a JSON-encoded {"<cohort id>": true}`))
		return
	}
	out := map[string]any{}
	for key := range seg {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("segment_by_cohorts keys must be cohort ids"))
			return
		}
		var members []Profile
		for _, p := range profiles {
			if slices.Contains(p.Cohorts, id) {
				members = append(members, p)
			}
		}
		out[key] = compute(members)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"results": out, "status": "ok"})
}

// datasetDay anchors the generated profiles and events, so the dataset is
// the same on every run (tool tests use the same "today").
var datasetDay = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// defaultProfiles are 60 shoppers with plans, countries, spend and
// cohort membership (1000 "Power shoppers": 3+ purchases; 1001 "Churn
// risk": not seen for three weeks).
func defaultProfiles(today time.Time) []Profile {
	plans := []string{"free", "free", "pro", "enterprise"}
	countries := []string{"US", "GB", "DE", "FR", "CA"}
	cities := map[string]string{"US": "San Francisco", "GB": "London", "DE": "Berlin", "FR": "Paris", "CA": "Toronto"}
	out := make([]Profile, 0, 60)
	for i := 1; i <= 60; i++ {
		id := fmt.Sprintf("user-%03d", i)
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		x := int(h.Sum32())
		country := countries[x%len(countries)]
		purchases := x % 7
		lastSeen := today.Add(-time.Duration(x%(40*24)) * time.Hour)
		p := Profile{DistinctID: id, Properties: map[string]any{
			"$name":           fmt.Sprintf("Shopper %d", i),
			"$email":          id + "@mail.example",
			"plan":            plans[(x/7)%len(plans)],
			"mp_country_code": country,
			"$city":           cities[country],
			"purchases":       float64(purchases),
			"lifetime_value":  float64(purchases*(40+x%60)) + 0.99*float64(purchases%2),
			"$last_seen":      lastSeen.Format("2006-01-02T15:04:05"),
			"$created":        today.AddDate(0, -(x%18)-1, 0).Format("2006-01-02T15:04:05"),
			"signup_method":   []string{"email", "google", "apple"}[x%3],
		}}
		if purchases >= 3 {
			p.Cohorts = append(p.Cohorts, 1000)
		}
		if today.Sub(lastSeen) > 21*24*time.Hour {
			p.Cohorts = append(p.Cohorts, 1001)
		}
		out = append(out, p)
	}
	return out
}

// defaultRawEvents are the first twelve shoppers' sessions over the 24
// days before today, oldest first.
func defaultRawEvents(today time.Time) []RawEvent {
	journey := []string{"App Open", "Search", "Product Viewed", "Add to Cart", "Checkout Started", "Purchase"}
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -24)
	var out []RawEvent
	n := 0
	for d := 0; d < 24; d++ {
		for u := 1; u <= 12; u++ {
			if (d+u)%3 != 0 {
				continue
			}
			id := fmt.Sprintf("user-%03d", u)
			at := start.AddDate(0, 0, d).Add(time.Duration(8+u) * time.Hour)
			depth := 2 + (d*u)%len(journey)
			for k, name := range journey[:min(depth, len(journey))] {
				n++
				props := map[string]any{"$browser": []string{"Chrome", "Safari", "Firefox"}[u%3], "mp_country_code": []string{"US", "GB", "DE"}[u%3], "platform": "web"}
				switch name {
				case "Search":
					props["search_term"] = []string{"shoes", "jacket", "socks"}[(d+u)%3]
				case "Product Viewed", "Add to Cart":
					props["product_id"] = fmt.Sprintf("sku-%d", 100+(d*u)%40)
					props["price"] = float64(20 + (d*u)%80)
					props["category"] = []string{"shoes", "outerwear", "accessories"}[(d+u)%3]
				case "Purchase":
					props["revenue"] = float64(40+(d*u)%160) + 0.5
					props["currency"] = "USD"
				}
				out = append(out, RawEvent{Name: name, Time: at.Add(time.Duration(k*90) * time.Second), DistinctID: id, InsertID: fmt.Sprintf("ins-%06d", n), Properties: props})
			}
		}
	}
	return out
}
