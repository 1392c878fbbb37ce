package quality

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Options tune Collect.
type Options struct {
	// Days is the volume window ending today; 0 means 30.
	Days int
	// Today ends the window; zero means now (UTC).
	Today time.Time
	// SampleProperties caps how many event properties have values sampled
	// for the personal-data check (one Query API call each, most used
	// first); 0 means 40, a negative value samples none.
	SampleProperties int
	// Checks are the checks the snapshot is for; values are sampled only
	// for the personal-data check. Empty means all.
	Checks []string
}

// Limits of the Query API calls Collect makes.
const (
	eventsPerCountCall = 100
	valuesPerProperty  = 10
)

// Collect builds a snapshot from the Lexicon (the schema graph: event and
// property definitions and which events carry which properties), the
// discovered event names, daily event counts over the window, and sampled
// property values.
func Collect(ctx context.Context, c *mixpanel.Client, o Options) (Snapshot, error) {
	days := o.Days
	if days <= 0 {
		days = 30
	}
	today := o.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	from := today.AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	to := today.Format(time.DateOnly)
	snap := Snapshot{From: from, To: to}

	g, err := c.SchemaGraph(ctx, mixpanel.SchemaGraphOptions{Now: today})
	if err != nil {
		return snap, err
	}
	names, err := c.Events(ctx, mixpanel.EventsOptions{Now: today})
	if err != nil {
		return snap, err
	}
	byName := map[string]int{}
	for _, e := range g.Events {
		byName[e.Name] = len(snap.Events)
		snap.Events = append(snap.Events, Entry{Kind: KindEvent, Name: e.Name, ID: e.ID, Description: e.Description, Hidden: e.Hidden, Dropped: e.Dropped})
	}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			byName[n] = len(snap.Events)
			snap.Events = append(snap.Events, Entry{Kind: KindEvent, Name: n})
		}
	}

	all := make([]string, len(snap.Events))
	for i, e := range snap.Events {
		all[i] = e.Name
	}
	for chunk := range slices.Chunk(all, eventsPerCountCall) {
		res, err := c.EventCounts(ctx, mixpanel.EventCountsParams{Events: chunk, FromDate: from, ToDate: to, Unit: "day"})
		if err != nil {
			return snap, err
		}
		for name, series := range res.Series {
			i, ok := byName[name]
			if !ok {
				continue
			}
			e := &snap.Events[i]
			e.Counted = true
			for day, n := range series {
				e.Volume += int64(n)
				if n > 0 && day > e.LastSeen {
					e.LastSeen = day
				}
			}
		}
	}

	for _, p := range g.Properties {
		e := Entry{Kind: KindProperty, Name: p.Name, ResourceType: "event", ID: p.ID, Description: p.Description, Hidden: p.Hidden, Dropped: p.Dropped, Sensitive: p.Sensitive}
		for _, ev := range g.PropertyToEvents[p.Name] {
			if i, ok := byName[ev]; ok {
				src := snap.Events[i]
				e.Volume += src.Volume
				e.Counted = e.Counted || src.Counted
				e.LastSeen = max(e.LastSeen, src.LastSeen)
			}
		}
		snap.Properties = append(snap.Properties, e)
	}
	for _, p := range g.UserProperties {
		snap.Properties = append(snap.Properties, Entry{Kind: KindProperty, Name: p.Name, ResourceType: "user", ID: p.ID, Description: p.Description, Hidden: p.Hidden, Dropped: p.Dropped, Sensitive: p.Sensitive})
	}

	if len(o.Checks) == 0 || slices.Contains(o.Checks, CheckPII) {
		if err := sampleValues(ctx, c, &snap, o.SampleProperties); err != nil {
			return snap, err
		}
	}
	return snap, nil
}

// sampleValues fetches a few values of the most used event properties that
// the personal-data check cannot already judge by name.
func sampleValues(ctx context.Context, c *mixpanel.Client, snap *Snapshot, limit int) error {
	if limit < 0 {
		return nil
	}
	if limit == 0 {
		limit = 40
	}
	var idx []int
	for i, p := range snap.Properties {
		if p.ResourceType != "event" || p.Sensitive || p.Dropped || strings.HasPrefix(p.Name, "mp_") {
			continue
		}
		if kind, _ := personalData(p); kind != "" {
			continue
		}
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(snap.Properties[b].Volume, snap.Properties[a].Volume)
	})
	for _, i := range idx[:min(limit, len(idx))] {
		vs, err := c.PropertyValues(ctx, mixpanel.PropertyValuesOptions{Property: snap.Properties[i].Name, Limit: valuesPerProperty})
		if err != nil {
			return err
		}
		snap.Properties[i].Values = vs
	}
	return nil
}
