package mixpaneltest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// State is everything writes change in a fake: the store's entities and
// the dataset fields the Lexicon, cohort and business-context writes edit.
// A sandbox (the demo's --demo-state) saves it to keep writes across
// restarts. Restored entities hold what JSON decodes to (numbers as
// float64, lists as []any), as entities created from request bodies do.
type State struct {
	Next  int64               `json:"next"`
	Items map[string][]Entity `json:"items"`

	Events                 []Event       `json:"events"`
	EventProperties        []Property    `json:"event_properties"`
	UserProperties         []Property    `json:"user_properties"`
	SavedCohorts           []SavedCohort `json:"saved_cohorts"`
	OrgBusinessContext     string        `json:"org_business_context"`
	ProjectBusinessContext string        `json:"project_business_context"`
}

// MarshalState encodes the fake's State. It is taken under the fake's
// locks, so a write in flight is either wholly in it or not at all.
func (s *Server) MarshalState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.Store
	st.mu.Lock()
	defer st.mu.Unlock()
	return json.Marshal(State{
		Next: st.next, Items: st.items,
		Events: s.Data.Events, EventProperties: s.Data.EventProperties, UserProperties: s.Data.UserProperties,
		SavedCohorts: s.Data.SavedCohorts, OrgBusinessContext: s.Data.OrgBusinessContext, ProjectBusinessContext: s.Data.ProjectBusinessContext,
	})
}

// RestoreState replaces the fake's State with an encoded one. It decodes
// strictly and changes nothing unless the whole of raw is a State.
func (s *Server) RestoreState(raw []byte) error {
	var state State
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&state); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("state: data after the JSON object")
	}
	if state.Items == nil || state.Next <= 0 {
		return fmt.Errorf("state: no entities (items) or id counter (next); not a saved state")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.Store
	st.mu.Lock()
	defer st.mu.Unlock()
	st.next, st.items = state.Next, state.Items
	s.Data.Events, s.Data.EventProperties, s.Data.UserProperties = state.Events, state.EventProperties, state.UserProperties
	s.Data.SavedCohorts = state.SavedCohorts
	s.Data.OrgBusinessContext, s.Data.ProjectBusinessContext = state.OrgBusinessContext, state.ProjectBusinessContext
	return nil
}
