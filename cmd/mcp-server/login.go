package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
)

// openInBrowser opens the sign-in page, and callbackPorts (nil: the
// reference's) are where the redirect may come back; tests replace both:
// they must never start a real browser nor hold the real ports.
var (
	openInBrowser = openBrowser
	callbackPorts []int
)

// openBrowser asks the desktop to open u. It fails when there is no
// browser to ask; the sign-in then relies on the printed address.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// browserSource reads the tokens of an oauth_browser account where the
// reference library keeps them and refreshes them with its region's
// OAuth server.
func browserSource(account string, region mixpanel.Region, oauthURL string, getenv func(string) string) (*oauth.Source, error) {
	if err := oauth.CheckAccountName(account); err != nil {
		return nil, err
	}
	root, err := oauth.DefaultRoot(getenv)
	if err != nil {
		return nil, err
	}
	return &oauth.Source{
		Account:  account,
		Region:   string(region),
		Store:    oauth.Store{Root: root},
		Endpoint: oauthEndpoint(region, oauthURL),
		SignIn:   "run `mcp-server login --account " + account + "`",
		Log:      zerolog.Nop(),
	}, nil
}

func oauthEndpoint(region mixpanel.Region, override string) *oauth.Endpoint {
	base := oauth.BaseURL(string(region))
	if override != "" {
		base = strings.TrimRight(override, "/") + "/"
	}
	return &oauth.Endpoint{Base: base}
}

// accountFlags are the settings login, logout and whoami read.
var accountFlags = []string{"account", "region", "project-id", "config", "no-browser", "oauth-url", "app-url", "timeout"}

// runAccount runs login, logout or whoami.
func runAccount(sub string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch sub {
	case "login":
		err = login(ctx, args, getenv, stdin, stdout, stderr)
	case "logout":
		err = logout(args, getenv, stdout, stderr)
	case "whoami":
		err = whoami(ctx, args, getenv, stdout, stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcp-server %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// accountSettings parses the flags of login and logout: the named
// settings only, each also read from its environment variable.
func accountSettings(sub string, args []string, getenv func(string) string, stderr io.Writer) (func(string) string, error) {
	fs := flag.NewFlagSet("mcp-server "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*textFlag{}
	for _, s := range settings {
		for _, name := range accountFlags {
			if s.flag == name {
				v := &textFlag{isBool: s.def == "false"}
				fs.Var(v, s.flag, s.help)
				vals[name] = v
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return func(name string) string {
		if v := vals[name].value; v != "" {
			return v
		}
		for _, s := range settings {
			if s.flag == name {
				if v := getenv(s.env); v != "" {
					return v
				}
				return s.def
			}
		}
		return ""
	}, nil
}

// login signs in with the browser and saves the account: its tokens under
// ~/.mp/accounts/NAME/, an oauth_browser block in the config file, made the
// active account.
func login(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	get, err := accountSettings("login", args, getenv, stderr)
	if err != nil {
		return err
	}
	noBrowser, err := parseBool("no-browser", get("no-browser"))
	if err != nil {
		return err
	}
	path := expandHome(get("config"), getenv)
	cf, err := loadConfigFile(path)
	if err != nil {
		return err
	}
	name := get("account")
	if name == "" {
		name = cf.browserAccount()
	}
	if err := oauth.CheckAccountName(name); err != nil {
		return fmt.Errorf("--account: %w", err)
	}
	existing, exists := cf.account(name)
	if exists && existing.Type != "oauth_browser" {
		return fmt.Errorf("--account: account %q of %s is a %s account; sign in to another account name, e.g. --account %s-browser", name, path, cmpOr(existing.Type, "service_account"), name)
	}
	region, err := mixpanel.ParseRegion(cmpOr(get("region"), existing.Region))
	if err != nil {
		return fmt.Errorf("--region: %w", err)
	}
	if exists && existing.Region != "" && get("region") != "" && existing.Region != string(region) {
		return fmt.Errorf("--region: account %q is in region %s; a sign-in only works in its region, so sign in to another account name for %s", name, existing.Region, region)
	}
	project := get("project-id")
	if project != "" {
		if _, err := strconv.ParseUint(project, 10, 64); err != nil {
			return fmt.Errorf("--project-id: %q is not a numeric project id", project)
		}
	}
	timeout, err := time.ParseDuration(get("timeout"))
	if err != nil || timeout <= 0 {
		return fmt.Errorf("--timeout: %q is not a positive duration such as 120s", get("timeout"))
	}
	root, err := oauth.DefaultRoot(getenv)
	if err != nil {
		return err
	}
	store := oauth.Store{Root: root}

	fmt.Fprintf(stderr, "Signing in to Mixpanel (region %s) as account %q.\n", region, name)
	l := &oauth.Login{
		Endpoint:  oauthEndpoint(region, get("oauth-url")),
		Store:     store,
		Region:    string(region),
		Ports:     callbackPorts,
		Open:      openInBrowser,
		NoBrowser: noBrowser,
		Stdin:     stdin,
		Out:       stderr,
	}
	tokens, err := l.Run(ctx)
	if err != nil {
		return fmt.Errorf("%w; nothing was saved", err)
	}

	// Who signed in, and which projects: nothing is saved unless Mixpanel
	// accepts the new token.
	client, err := mixpanel.New(mixpanel.Config{Region: region, OAuthToken: tokens.AccessToken, AppURL: get("app-url"), Timeout: timeout, UserAgent: "mixpanel-mcp/" + version})
	if err != nil {
		return err
	}
	me, err := client.Me(ctx)
	if err != nil {
		return fmt.Errorf("signed in, but Mixpanel did not answer who the sign-in belongs to (%w); nothing was saved, try again", err)
	}
	project, note, err := pickProject(me, project, existing.DefaultProject, region)
	if err != nil {
		return fmt.Errorf("%w; nothing was saved", err)
	}

	tokensPath, err := store.SaveTokens(name, tokens)
	if err != nil {
		return fmt.Errorf("store the tokens: %w", err)
	}
	if err := cf.saveBrowserAccount(name, string(region), project); err != nil {
		return err
	}

	who := cmpOr(me.UserEmail, me.UserName, "(no email in the answer)")
	fmt.Fprintf(stdout, "Signed in to Mixpanel as %s, region %s.\n", who, region)
	fmt.Fprintf(stdout, "Account %q is the active account of %s; its tokens are in %s (the access token expires %s and is refreshed by itself).\n", name, path, tokensPath, tokens.ExpiresAt.Local().Format("2006-01-02 15:04 MST"))
	if project != "" {
		fmt.Fprintf(stdout, "Default project: %s %q%s.\n", project, me.Projects[project].Name, note)
	} else {
		fmt.Fprintln(stdout, "This sign-in sees no project; set one with --project-id once you have access.")
	}
	return nil
}

// pickProject chooses the account's default project: the one asked for,
// else the account's own, else the only one, else the first by id (as
// the reference does). A project of another region is refused: the
// sign-in would not work for it.
func pickProject(me *mixpanel.Me, asked, current string, region mixpanel.Region) (string, string, error) {
	ids := make([]string, 0, len(me.Projects))
	for id := range me.Projects {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	note := ""
	pick, from := asked, "--project-id"
	if pick == "" {
		pick, from = current, "default_project"
	}
	switch {
	case pick != "":
		if _, ok := me.Projects[pick]; !ok {
			return "", "", fmt.Errorf("%s: project %s is not among the %d projects this sign-in can see (%s); pick one of them with --project-id", from, pick, len(ids), strings.Join(first(ids, 10), ", "))
		}
	case len(ids) == 0:
		return "", "", nil
	default:
		pick = ids[0]
		if len(ids) > 1 {
			note = fmt.Sprintf(" (first of %d projects; `mcp-server whoami` lists them, --project-id picks another)", len(ids))
		}
	}
	if r := domainRegion(me.Projects[pick].Domain); r != "" && r != region {
		return "", "", fmt.Errorf("project %s lives in region %s, and this sign-in is for %s; sign in again with --region %s", pick, r, region, r)
	}
	return pick, note, nil
}

// domainRegion maps a project's domain in /me to its region, "" when unknown.
func domainRegion(domain string) mixpanel.Region {
	host := strings.ToLower(strings.TrimSpace(domain))
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	host = strings.TrimPrefix(host, "data-")
	switch host {
	case "mixpanel.com", "data.mixpanel.com":
		return mixpanel.RegionUS
	case "eu.mixpanel.com":
		return mixpanel.RegionEU
	case "in.mixpanel.com":
		return mixpanel.RegionIN
	}
	return ""
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// logout removes an account's stored tokens; the account stays in the
// config file, and `mcp-server login` signs it in again.
func logout(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	get, err := accountSettings("logout", args, getenv, stderr)
	if err != nil {
		return err
	}
	path := expandHome(get("config"), getenv)
	name := get("account")
	if name == "" {
		cf, err := loadConfigFile(path)
		if err != nil {
			return err
		}
		if name = cf.activeAccount(); name == "" {
			return fmt.Errorf("--account: no account named and %s has no active account; name the account with --account", path)
		}
	}
	root, err := oauth.DefaultRoot(getenv)
	if err != nil {
		return err
	}
	tokensPath, removed, err := oauth.Store{Root: root}.DeleteTokens(name)
	if err != nil {
		return err
	}
	if removed {
		fmt.Fprintf(stdout, "Signed out of account %q: removed %s.\n", name, tokensPath)
	} else {
		fmt.Fprintf(stdout, "Account %q has no stored sign-in (%s does not exist); nothing to remove.\n", name, tokensPath)
	}
	return nil
}

// whoami says who the server would act as with the same flags: the
// account, region and auth, the token's expiry, and the projects /me lists.
func whoami(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	mc := o.Mixpanel
	if err := mc.CheckCredentials(); err != nil {
		return fmt.Errorf("not signed in: %w; or sign in with `mcp-server login`", err)
	}
	if o.Account != "" {
		fmt.Fprintf(stdout, "account:  %s (in %s)\n", o.Account, strings.TrimPrefix(o.ConfigNote, "account "+o.Account+" of "))
	} else {
		fmt.Fprintln(stdout, "account:  none (credentials from flags or environment)")
	}
	fmt.Fprintf(stdout, "region:   %s\n", mc.Region)
	switch src, _ := mc.Tokens.(*oauth.Source); {
	case src != nil:
		fmt.Fprintln(stdout, "auth:     browser sign-in (OAuth)")
		exp, canRefresh, err := src.Expiry()
		if err != nil {
			return err
		}
		left := time.Until(exp).Round(time.Minute)
		state := fmt.Sprintf("expires %s (in %s)", exp.Local().Format("2006-01-02 15:04 MST"), left)
		if left <= 0 {
			state = fmt.Sprintf("expired %s", exp.Local().Format("2006-01-02 15:04 MST"))
		}
		if canRefresh {
			state += "; refreshed by itself"
		} else {
			state += "; no refresh token, sign in again when it expires"
		}
		fmt.Fprintf(stdout, "token:    %s\n", state)
	case mc.OAuthToken != "":
		fmt.Fprintln(stdout, "auth:     OAuth access token (its expiry is not known here)")
	default:
		fmt.Fprintf(stdout, "auth:     service account %s\n", mc.Username)
	}
	mc.Logger = zerolog.New(stderr).Level(zerolog.WarnLevel)
	client, err := mixpanel.New(mc)
	if err != nil {
		return err
	}
	me, err := client.Me(ctx)
	if err != nil {
		var apiErr *mixpanel.APIError
		if errors.As(err, &apiErr) && apiErr.Hint() != "" {
			return fmt.Errorf("%w\n%s", err, apiErr.Hint())
		}
		return err
	}
	if who := cmpOr(me.UserEmail, me.UserName); who != "" {
		fmt.Fprintf(stdout, "user:     %s\n", who)
	}
	ids := make([]string, 0, len(me.Projects))
	for id := range me.Projects {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return lessNumeric(ids[i], ids[j]) })
	fmt.Fprintf(stdout, "projects: %d accessible\n", len(ids))
	for _, id := range ids {
		p := me.Projects[id]
		mark := ""
		if id == mc.ProjectID {
			mark = "  (default)"
		}
		org := me.Organizations[strconv.FormatInt(p.OrganizationID, 10)].Name
		fmt.Fprintf(stdout, "  %-10s %s%s%s\n", id, p.Name, orgSuffix(org), mark)
	}
	if mc.ProjectID != "" && me.Projects[mc.ProjectID].Name == "" {
		fmt.Fprintf(stdout, "The project in use, %s, is not among them: set --project-id (or default_project) to one listed.\n", mc.ProjectID)
	}
	return nil
}

func orgSuffix(org string) string {
	if org == "" {
		return ""
	}
	return " — " + org
}

func lessNumeric(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// configFile is the reference's config.toml kept whole, so that saving an
// account leaves every other table and key (targets, settings, ...) as it
// was. Comments do not survive a save, as with the reference's own writer.
type configFile struct {
	path string
	raw  map[string]any
}

func loadConfigFile(path string) (*configFile, error) {
	cf := &configFile{path: path, raw: map[string]any{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if err := decodeTOML(raw, &cf.raw); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return cf, nil
}

func (c *configFile) table(key string) map[string]any {
	t, _ := c.raw[key].(map[string]any)
	return t
}

func (c *configFile) activeAccount() string {
	name, _ := c.table("active")["account"].(string)
	return name
}

func (c *configFile) account(name string) (fileAccount, bool) {
	block, ok := c.table("accounts")[name].(map[string]any)
	if !ok {
		return fileAccount{}, false
	}
	str := func(k string) string { v, _ := block[k].(string); return v }
	return fileAccount{Type: str("type"), Region: str("region"), DefaultProject: str("default_project")}, true
}

// browserAccount is the account a login without --account signs in: the
// active account when it is a browser one, else the only browser account,
// else "default".
func (c *configFile) browserAccount() string {
	if a, ok := c.account(c.activeAccount()); ok && a.Type == "oauth_browser" {
		return c.activeAccount()
	}
	var browser []string
	for name := range c.table("accounts") {
		if a, _ := c.account(name); a.Type == "oauth_browser" {
			browser = append(browser, name)
		}
	}
	if len(browser) == 1 {
		return browser[0]
	}
	return "default"
}

// saveBrowserAccount writes the account's block and makes it the active
// account; a workspace pinned for another account is dropped, since
// workspaces belong to projects.
func (c *configFile) saveBrowserAccount(name, region, project string) error {
	accounts := c.table("accounts")
	if accounts == nil {
		accounts = map[string]any{}
		c.raw["accounts"] = accounts
	}
	block, _ := accounts[name].(map[string]any)
	if block == nil {
		block = map[string]any{}
	}
	block["type"], block["region"] = "oauth_browser", region
	if project != "" {
		block["default_project"] = project
	}
	accounts[name] = block
	active := c.table("active")
	if active == nil {
		active = map[string]any{}
		c.raw["active"] = active
	}
	if active["account"] != name {
		delete(active, "workspace")
	}
	active["account"] = name

	var buf strings.Builder
	if err := toml.NewEncoder(&buf).Encode(c.raw); err != nil {
		return fmt.Errorf("config file %s: %w", c.path, err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("config file %s: %w", c.path, err)
	}
	if err := oauth.WriteFileAtomic(c.path, []byte(buf.String())); err != nil {
		return fmt.Errorf("config file %s: %w", c.path, err)
	}
	return nil
}
