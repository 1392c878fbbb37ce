package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

func persisted(t *testing.T, path string) *Project {
	t.Helper()
	p := NewWith(Seed, 300, now)
	if err := p.Persist(path); err != nil {
		t.Fatal(err)
	}
	return p
}

func dashboardTitles(t *testing.T, p *Project) []string {
	t.Helper()
	list, err := client(t, p).ListDashboards(context.Background(), mixpanel.ListDashboardsParams{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range list {
		out = append(out, d.Title)
	}
	return out
}

// TestPersistKeepsWritesAcrossRestarts: a dashboard created in one run,
// and a seeded one deleted, are as they were in the next run over the
// same file; the Lexicon edit too.
func TestPersistKeepsWritesAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo-state.json")
	ctx := context.Background()
	first := persisted(t, path)
	c := client(t, first)
	if _, err := c.CreateDashboard(ctx, mixpanel.CreateDashboardParams{Title: "Sandbox board"}); err != nil {
		t.Fatal(err)
	}
	list, _ := c.ListDashboards(ctx, mixpanel.ListDashboardsParams{})
	growth := slices.IndexFunc(list, func(d mixpanel.Dashboard) bool { return d.Title == DashboardGrowth })
	if err := c.DeleteDashboard(ctx, list[growth].ID); err != nil {
		t.Fatal(err)
	}
	desc := "Opened the mobile app"
	if _, err := c.UpdateEventDefinition(ctx, mixpanel.UpdateEventDefinitionParams{Name: "App Open", Description: &desc}); err != nil {
		t.Fatal(err)
	}

	second := persisted(t, path)
	titles := dashboardTitles(t, second)
	if !slices.Contains(titles, "Sandbox board") || slices.Contains(titles, DashboardGrowth) {
		t.Fatalf("after restart: %v", titles)
	}
	defs, err := client(t, second).GetEventDefinitions(ctx, mixpanel.GetEventDefinitionsParams{Names: []string{"App Open"}})
	if err != nil || len(defs) != 1 || defs[0].Description != desc {
		t.Fatalf("App Open after restart: %+v %v", defs, err)
	}
	// Ids keep counting from where the first run stopped.
	d, err := client(t, second).CreateDashboard(ctx, mixpanel.CreateDashboardParams{Title: "Another"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ID == d.ID {
			t.Fatalf("new dashboard reuses id %d", d.ID)
		}
	}
	// Without the file, the seeded demo.
	if titles := dashboardTitles(t, NewWith(Seed, 300, now)); !slices.Contains(titles, DashboardGrowth) {
		t.Fatalf("fresh demo: %v", titles)
	}
}

// TestPersistRefusesACorruptFile: a file that is not a saved state stops
// the start with an error naming it, and is left as it was.
func TestPersistRefusesACorruptFile(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":      "{\"next\": 12",
		"another JSON":  `{"mcpServers": {}}`,
		"empty":         "",
		"trailing data": `{"next": 1001, "items": {}} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := NewWith(Seed, 300, now).Persist(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a saved demo state") {
				t.Fatalf("got %v", err)
			}
			if raw, _ := os.ReadFile(path); string(raw) != content {
				t.Fatalf("the file changed: %q", raw)
			}
		})
	}
}

// TestPersistReportsAFailedSave: a write that cannot be saved is an error
// to the caller, not a silent loss.
func TestPersistReportsAFailedSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.json")
	p := persisted(t, path)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	_, err := client(t, p).CreateDashboard(context.Background(), mixpanel.CreateDashboardParams{Title: "Lost?"})
	if err == nil || !strings.Contains(err.Error(), "could not save it to "+path) {
		t.Fatalf("got %v", err)
	}
}

// TestPersistKeepsConcurrentWrites: writes made at once all reach the
// file (the last save holds every one of them).
func TestPersistKeepsConcurrentWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	p := persisted(t, path)
	c := client(t, p)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.CreateDashboard(context.Background(), mixpanel.CreateDashboardParams{Title: fmt.Sprintf("Board %d", i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	titles := dashboardTitles(t, persisted(t, path))
	for i := range 8 {
		if !slices.Contains(titles, fmt.Sprintf("Board %d", i)) {
			t.Errorf("Board %d lost: %v", i, titles)
		}
	}
}
