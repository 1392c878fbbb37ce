package mixpaneltest

import (
	"maps"
	"net/http"
	"sort"
	"strings"
)

// Lookups across scopes, for the demo project: a saved report or cohort
// is run by id wherever it was created (the project or a workspace).

// Find returns a copy of the entity of coll with that id, from whichever
// scope holds it (the project's scope first, then the others in order).
func (st *Store) Find(coll, id string) (Entity, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	keys := make([]string, 0, len(st.items))
	for key := range st.items {
		if strings.HasSuffix(key, " "+coll) {
			keys = append(keys, key)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, pj := strings.HasPrefix(keys[i], "projects/"), strings.HasPrefix(keys[j], "projects/")
		if pi != pj {
			return pi
		}
		return keys[i] < keys[j]
	})
	for _, key := range keys {
		for _, e := range st.items[key] {
			if IDOf(e) == id {
				return maps.Clone(e), true
			}
		}
	}
	return nil, false
}

// SavedBookmark finds a bookmark by id as the bookmark routes see it: the
// project's scope holds Data.Bookmarks (seeded on first use) and the
// reports created since; a deleted bookmark is not found.
func (s *Server) SavedBookmark(id string) (Entity, bool) {
	if s.seedBookmarks != nil {
		s.seedBookmarks("projects/" + ProjectID)
	}
	e, ok := s.Store.Find(bookmarksColl, id)
	if !ok || e["deleted"] == true {
		return nil, false
	}
	return e, true
}

// Route returns the handler registered for method and path, or nil; the
// demo wraps a route it shares with another handler (a saved report and
// a legacy query on one path) this way.
func (s *Server) Route(method, path string) http.HandlerFunc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routes[method+" "+path]
}
