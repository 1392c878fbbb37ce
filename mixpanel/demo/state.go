package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// persistence keeps the demo's writes in a file: the fake's State, saved
// after every App API write that changed it.
type persistence struct {
	path string
	mu   sync.Mutex
	last []byte
}

// Persist makes the demo's writes outlive the process: it loads the state
// saved at path when the file exists (a file that is not a saved state is
// an error, never silently replaced) and from then on saves after each
// write that changed something, atomically: a temporary file in the same
// directory renamed over path, so a crash leaves the old state or the new
// one, never half of either.
func (p *Project) Persist(path string) error {
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("demo state %s: %w", path, err)
	default:
		if err := p.fake.RestoreState(raw); err != nil {
			return fmt.Errorf("demo state %s is not a saved demo state (%w); fix it, or move it away to start from the seeded demo", path, err)
		}
	}
	p.state = &persistence{path: path, last: raw}
	if err := p.state.save(p.fake); err != nil {
		return fmt.Errorf("demo state %s: %w", path, err)
	}
	return nil
}

// savesAfter says whether req is a write whose answer must wait for the
// state to be saved: any App API request but a read (GET) or a replay
// signing, when the demo persists. Queries change nothing to save.
func (p *Project) savesAfter(req *http.Request) bool {
	return p.state != nil && req.Method != http.MethodGet &&
		strings.HasPrefix(req.URL.Path, mixpaneltest.AppPrefix+"/") && !strings.HasSuffix(req.URL.Path, "/replays/sign/bulk")
}

// roundTripSaved serves a write whole, then saves the state when the write
// succeeded; a failed save is the request's error (the change is made in
// memory but would be lost at restart), never silent.
func (p *Project) roundTripSaved(req, in *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.fake.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	if resp.StatusCode < 300 {
		if err := p.state.save(p.fake); err != nil {
			return nil, fmt.Errorf("the demo made the change but could not save it to %s: %w", p.state.path, err)
		}
	}
	return resp, nil
}

// save writes the fake's state when it changed. The state is taken under
// the lock, so of two writes saved at once the file ends with the later.
func (s *persistence) save(fake *mixpaneltest.Server) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, err := fake.MarshalState()
	if err != nil {
		return err
	}
	if bytes.Equal(raw, s.last) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), "."+filepath.Base(s.path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(raw)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	s.last = raw
	return nil
}
