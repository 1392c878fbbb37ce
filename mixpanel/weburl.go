package mixpanel

import (
	"net/url"
	"strings"
	"sync"
)

// WebURL is the address of an entity in the Mixpanel web app, for people to
// open: https://{web host}/project/{pid}[/view/{wid}]/app/{page}{fragment}.
// kind is one of the entity kinds below; an unknown kind or a client with
// no project gives "".
//
// The routes are the web app's own (boards, insights, cohorts, ...); they
// are not part of any API contract, so they live in this one table.
func (c *Client) WebURL(kind, id string) string {
	pid := c.cfg.ProjectID
	if pid == "" || id == "" {
		return ""
	}
	page, ok := webPages()[kind]
	if !ok {
		return ""
	}
	host := "https://mixpanel.com"
	switch c.cfg.Region {
	case RegionEU:
		host = "https://eu.mixpanel.com"
	case RegionIN:
		host = "https://in.mixpanel.com"
	}
	base := host + "/project/" + url.PathEscape(pid)
	if c.cfg.WorkspaceID != "" {
		base += "/view/" + url.PathEscape(c.cfg.WorkspaceID)
	}
	return base + "/app/" + strings.ReplaceAll(page, "{id}", url.QueryEscape(id))
}

// The web app page of each entity kind; {id} is replaced by the entity id.
var webPages = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"dashboard":       "boards#id={id}",
		"insights":        "insights#report/{id}",
		"funnels":         "funnels#report/{id}",
		"retention":       "retention#report/{id}",
		"flows":           "flows#report/{id}",
		"report":          "insights#report/{id}",
		"cohort":          "cohorts#id={id}",
		"feature_flag":    "feature-flags/{id}",
		"experiment":      "experiments/{id}",
		"annotation":      "settings#project/annotations",
		"webhook":         "settings#project/webhooks",
		"alert":           "alerts#id={id}",
		"event":           "lexicon#events/{id}",
		"property":        "lexicon#properties/{id}",
		"custom_event":    "lexicon#custom-events/{id}",
		"custom_property": "lexicon#custom-properties/{id}",
		"lookup_table":    "lexicon#lookup-tables/{id}",
		"drop_filter":     "lexicon#drop-filters",
		"schema":          "lexicon#events/{id}",
		"deletion":        "settings#project/data-deletion",
	}
})
