package mixpaneltest

import "time"

// Data is the fake project's content. Each domain's endpoints read the
// fields they need; tests may replace any of them before making requests.
type Data struct {
	// Now is the fake's clock for date gates ("today"); zero means time.Now.
	Now time.Time

	// The principal behind the credentials and what it can see (/me).
	User          User
	Organizations []Organization
	Projects      []Project
	Workspaces    []Workspace

	// Events lists the project's events with the properties each carries.
	Events []Event
	// EventProperties are the project's event properties; one no event
	// carries is an orphan in the schema graph.
	EventProperties []Property
	// UserProperties are the project's user (profile) properties.
	UserProperties []Property
	// DailyCounts, when it has an entry for an event, is that event's count
	// per day ("2006-01-02"; absent days count 0) for /events and the
	// Lexicon's tracking metadata; other events get synthetic counts.
	DailyCounts map[string]map[string]int
	// TopEvents is today's activity for /events/top.
	TopEvents []TopEvent
	// EventNamesMaxDays gates /events/names like a project's
	// max_data_history_days: a from_date further back answers 403
	// "Date range exceeds N days into the past". 0 disables the gate.
	EventNamesMaxDays int
	// LexiconJoinTimesOut makes the bulk includeEvents=true property call
	// answer 504, as it does on projects too large for its gateway deadline.
	LexiconJoinTimesOut bool

	SavedFunnels   []SavedFunnel
	SavedCohorts   []SavedCohort
	Bookmarks      []Bookmark
	LexiconSchemas []LexiconSchema

	// RawEvents are individual events, oldest first, served by the raw
	// export and the activity feed.
	RawEvents []RawEvent
	// Export, when set, replaces the export's answer with a synthetic
	// stream of any size (see SyntheticExport).
	Export *SyntheticExport
	// Profiles are the user profiles Engage serves.
	Profiles []Profile
	// EngagePageSize is Engage's page size; 0 means Mixpanel's 1000.
	EngagePageSize int
	// FunnelSteps are the step events of each saved funnel, by funnel id
	// (a funnels bookmark's id serves as its funnel id).
	FunnelSteps map[int64][]string

	// Replays are the project's session replays: discovery, signing and
	// the replay CDN serve them (replays.go).
	Replays []Replay
	// Recording, when set, reads the rrweb file a Replay names
	// (Replay.Recording): a JSON array of events. Nil reads
	// mixpanel/replay/testdata, which only tests of this module can.
	Recording func(name string) ([]byte, error)
	// ReplaySensitiveData makes replay signing answer the 403 of a project
	// with SESSION_RECORDING_SENSITIVE_DATA for an account without access.
	ReplaySensitiveData bool
	// OrgBusinessContext and ProjectBusinessContext are the business
	// context markdown of organization OrgID and project ProjectID.
	OrgBusinessContext     string
	ProjectBusinessContext string
}

// Today is the fake's current date.
func (d *Data) Today() time.Time {
	if d.Now.IsZero() {
		return time.Now().UTC()
	}
	return d.Now
}

// User is the authenticated principal of /me.
type User struct {
	ID    int64
	Email string
	Name  string
}

// Organization is an organization the principal belongs to.
type Organization struct {
	ID          int64
	Name        string
	Role        string
	Permissions []string
}

// Project is a project the principal can access.
type Project struct {
	ID             int64
	Name           string
	OrganizationID int64
	Timezone       string
	Domain         string
	HasWorkspaces  bool
}

// Workspace is a workspace (data view) of a project.
type Workspace struct {
	ID           int64
	Name         string
	ProjectID    int64
	IsDefault    bool
	IsGlobal     bool
	IsRestricted bool
	IsVisible    bool
	Description  string
	CreatedISO   string
	CreatorName  string
}

// Event is one tracked event and the names of the properties sent with it.
type Event struct {
	Name        string
	DisplayName string
	Description string
	Hidden      bool
	Verified    bool
	Tags        []string
	Properties  []string
	// Lexicon state that update_event_definition can change.
	Dropped, Merged bool
}

// Property is an event or user property. Values are what the values
// endpoint returns (always strings; list and object values are JSON text).
type Property struct {
	Name        string
	Type        string // string, number, boolean, datetime, list, object
	Description string
	Values      []string
	Count       int // how often it was seen, for /events/properties/top
	Hidden      bool
	Sensitive   bool
	Density     float64 // densityLocal of the data-definitions API
	// Lexicon state that update_property_definition can change.
	DisplayName, ExampleValue string
	Dropped, Merged           bool
}

// TopEvent is one row of /events/top.
type TopEvent struct {
	Event         string
	Amount        int
	PercentChange float64
}

// SavedFunnel is one row of /funnels/list.
type SavedFunnel struct {
	ID   int64
	Name string
}

// SavedCohort is one row of /cohorts/list.
type SavedCohort struct {
	ID          int64
	Name        string
	Count       int
	Description string
	Created     string // "2006-01-02 15:04:05"
	IsVisible   bool
}

// Bookmark is a saved report.
type Bookmark struct {
	ID          int64
	Name        string
	Type        string // insights, funnels, retention, flows, launch-analysis
	WorkspaceID int64  // 0: none
	DashboardID int64  // 0: none
	Description string
	Created     string
	Modified    string
	CreatorID   int64
	CreatorName string
	// Params are the bookmark's query params, for endpoints that return them.
	Params map[string]any
}

// LexiconSchema is a documented entity of the Lexicon; Schema is its
// schemaJson exactly as the API returns it.
type LexiconSchema struct {
	EntityType string // event, profile, custom_event
	Name       string
	Schema     map[string]any
}

// DefaultData returns a small, realistic e-commerce project.
func DefaultData() *Data {
	common := []string{"$browser", "$os", "$city", "mp_country_code", "platform", "utm_source"}
	with := func(extra ...string) []string { return append(append([]string(nil), common...), extra...) }
	return &Data{
		User: User{ID: 4242, Email: "ana.analyst@shopfast.example", Name: "Ana Analyst"},
		Organizations: []Organization{
			{ID: 777, Name: "ShopFast Inc.", Role: "admin", Permissions: []string{"view_projects", "manage_projects"}},
		},
		Projects: []Project{
			{ID: 12345, Name: "ShopFast Production", OrganizationID: 777, Timezone: "US/Pacific", Domain: "mixpanel.com", HasWorkspaces: true},
			{ID: 12346, Name: "ShopFast Staging", OrganizationID: 777, Timezone: "US/Pacific", Domain: "mixpanel.com"},
		},
		Workspaces: []Workspace{
			{ID: 3000, Name: "All Project Data", ProjectID: 12345, IsGlobal: true, IsVisible: true, Description: "Every event and profile of the project", CreatedISO: "2024-02-01T09:00:00Z", CreatorName: "Ana Analyst"},
			{ID: 3001, Name: "Web", ProjectID: 12345, IsDefault: true, IsVisible: true, Description: "Web storefront traffic", CreatedISO: "2024-02-03T10:30:00Z", CreatorName: "Ana Analyst"},
			{ID: 3002, Name: "Mobile Apps", ProjectID: 12345, IsRestricted: true, IsVisible: true, Description: "iOS and Android", CreatedISO: "2024-05-14T16:00:00Z", CreatorName: "Ben Builder"},
		},
		Events: []Event{
			{Name: "App Open", Description: "The app came to the foreground", Properties: with("app_version")},
			{Name: "Sign Up", Description: "A visitor created an account", Verified: true, Tags: []string{"growth"}, Properties: with("signup_method", "referral_code")},
			{Name: "Login", Properties: with("login_method")},
			{Name: "Search", Properties: with("search_term", "results_count")},
			{Name: "Product Viewed", Verified: true, Tags: []string{"commerce"}, Properties: with("product_id", "category", "price")},
			{Name: "Add to Cart", Verified: true, Tags: []string{"commerce"}, Properties: with("product_id", "category", "price", "quantity")},
			{Name: "Checkout Started", Tags: []string{"commerce"}, Properties: with("cart", "cart_total", "item_count")},
			{Name: "Purchase", DisplayName: "Order Completed", Description: "Payment succeeded for an order", Verified: true, Tags: []string{"commerce", "revenue"}, Properties: with("cart", "revenue", "currency", "payment_method", "coupon_applied", "item_count")},
			{Name: "Subscription Renewed", Tags: []string{"revenue"}, Properties: with("plan", "amount", "renewal_date")},
			{Name: "Support Ticket Created", Hidden: true, Properties: with("priority", "topic")},
		},
		EventProperties: []Property{
			{Name: "$browser", Type: "string", Description: "Browser of the visitor", Values: []string{"Chrome", "Safari", "Firefox", "Edge"}, Count: 91234, Density: 0.92},
			{Name: "$os", Type: "string", Values: []string{"Mac OS X", "Windows", "iOS", "Android"}, Count: 99120, Density: 0.99},
			{Name: "$city", Type: "string", Values: []string{"San Francisco", "New York", "London", "Berlin", "Toronto"}, Count: 87211, Density: 0.87},
			{Name: "mp_country_code", Type: "string", Values: []string{"US", "GB", "DE", "CA", "FR"}, Count: 98002, Density: 0.98},
			{Name: "platform", Type: "string", Description: "web, ios or android", Values: []string{"web", "ios", "android"}, Count: 100000, Density: 1},
			{Name: "utm_source", Type: "string", Values: []string{"google", "newsletter", "facebook", "partner"}, Count: 40112, Density: 0.4},
			{Name: "app_version", Type: "string", Values: []string{"5.2.0", "5.1.3", "5.1.2"}, Count: 30450, Density: 0.3},
			{Name: "signup_method", Type: "string", Values: []string{"email", "google", "apple"}, Count: 2104, Density: 0.02},
			{Name: "referral_code", Type: "string", Values: []string{"FRIEND10", "SPRING24"}, Count: 310, Density: 0.003},
			{Name: "login_method", Type: "string", Values: []string{"password", "magic_link", "google"}, Count: 15230, Density: 0.15},
			{Name: "search_term", Type: "string", Values: []string{"running shoes", "rain jacket", "yoga mat", "backpack"}, Count: 22310, Density: 0.22},
			{Name: "results_count", Type: "number", Values: []string{"0", "12", "48", "120"}, Count: 22310, Density: 0.22},
			{Name: "product_id", Type: "string", Values: []string{"sku-1001", "sku-1002", "sku-2040", "sku-3300"}, Count: 51002, Density: 0.51},
			{Name: "category", Type: "string", Values: []string{"Shoes", "Outerwear", "Accessories", "Fitness"}, Count: 51002, Density: 0.51},
			{Name: "price", Type: "number", Description: "Unit price in USD", Values: []string{"89.99", "129", "24.5", "45"}, Count: 51002, Density: 0.51},
			{Name: "quantity", Type: "number", Values: []string{"1", "2", "3"}, Count: 12009, Density: 0.12},
			{Name: "cart", Type: "list", Description: "Items in the cart", Values: []string{
				`[{"Brand":"Stride","Category":"Shoes","Price":89.99,"Item ID":"sku-1001","On Sale":false,"Size":"M","Added At":"2026-11-20T10:15:00Z","Gift Note":null}]`,
				`[{"Brand":"Nimbus","Category":"Outerwear","Price":129,"Item ID":"sku-1002","On Sale":true,"Size":42,"Added At":"2026-11-21T08:01:30Z","Gift Note":null},{"Brand":"Stride","Category":"Accessories","Price":24.5,"Item ID":"sku-2040","On Sale":false,"Size":"S","Added At":"2026-11-21T08:03:00Z"}]`,
				`[{"Brand":"Lotus","Category":"Fitness","Price":45,"Item ID":"sku-3300","On Sale":true,"Added At":"2026-11-22","Gift Note":null}]`,
			}, Count: 8003, Density: 0.08},
			{Name: "cart_total", Type: "number", Values: []string{"89.99", "153.5", "45"}, Count: 5102, Density: 0.05},
			{Name: "item_count", Type: "number", Values: []string{"1", "2", "3", "4"}, Count: 8003, Density: 0.08},
			{Name: "revenue", Type: "number", Description: "Order total in USD", Values: []string{"89.99", "153.5", "45", "310.2"}, Count: 2901, Density: 0.03},
			{Name: "currency", Type: "string", Values: []string{"USD", "EUR", "GBP"}, Count: 2901, Density: 0.03},
			{Name: "payment_method", Type: "string", Values: []string{"card", "paypal", "apple_pay"}, Count: 2901, Density: 0.03},
			{Name: "coupon_applied", Type: "boolean", Values: []string{"true", "false"}, Count: 2901, Density: 0.03},
			{Name: "plan", Type: "string", Values: []string{"basic", "plus", "pro"}, Count: 801, Density: 0.008},
			{Name: "amount", Type: "number", Values: []string{"9.99", "19.99", "49"}, Count: 801, Density: 0.008},
			{Name: "renewal_date", Type: "datetime", Values: []string{"2026-11-01T00:00:00", "2026-11-15T00:00:00"}, Count: 801, Density: 0.008},
			{Name: "priority", Type: "string", Values: []string{"low", "normal", "urgent"}, Count: 120, Density: 0.001},
			{Name: "topic", Type: "string", Values: []string{"shipping", "returns", "billing"}, Count: 120, Density: 0.001},
			{Name: "legacy_campaign_id", Type: "string", Description: "Retired in 2025; no event sends it any more", Values: []string{"cmp-2019-07"}, Count: 0, Hidden: true},
		},
		UserProperties: []Property{
			{Name: "$email", Type: "string", Values: []string{"ana@example.com", "raj@example.com"}, Sensitive: true, Density: 0.97},
			{Name: "$name", Type: "string", Values: []string{"Ana Lopez", "Raj Patel"}, Sensitive: true, Density: 0.95},
			{Name: "$city", Type: "string", Values: []string{"San Francisco", "London"}, Density: 0.8},
			{Name: "plan", Type: "string", Description: "Current subscription plan", Values: []string{"free", "basic", "plus", "pro"}, Density: 1},
			{Name: "signup_date", Type: "datetime", Values: []string{"2025-03-14T09:26:53", "2026-01-02T17:45:00"}, Density: 1},
			{Name: "lifetime_value", Type: "number", Values: []string{"0", "89.99", "1203.4"}, Density: 0.6},
			{Name: "is_subscriber", Type: "boolean", Values: []string{"true", "false"}, Density: 1},
		},
		TopEvents: []TopEvent{
			{Event: "App Open", Amount: 18230, PercentChange: 0.042},
			{Event: "Product Viewed", Amount: 9120, PercentChange: -0.031},
			{Event: "Search", Amount: 4410, PercentChange: 0.12},
			{Event: "Add to Cart", Amount: 1503, PercentChange: -0.356},
			{Event: "Login", Amount: 1388, PercentChange: 0.008},
			{Event: "Checkout Started", Amount: 611, PercentChange: 0.21},
			{Event: "Purchase", Amount: 402, PercentChange: 0.175},
			{Event: "Sign Up", Amount: 120, PercentChange: -0.05},
		},
		SavedFunnels: []SavedFunnel{
			{ID: 7509, Name: "Signup funnel"},
			{ID: 7512, Name: "Checkout conversion"},
			{ID: 7533, Name: "Browse to purchase"},
		},
		SavedCohorts: []SavedCohort{
			{ID: 1000, Name: "Power shoppers", Count: 1502, Description: "3+ purchases in 30 days", Created: "2025-03-19 23:49:51", IsVisible: true},
			{ID: 1001, Name: "Churn risk", Count: 388, Description: "No login for 21 days after a purchase", Created: "2025-06-02 10:12:00", IsVisible: true},
			{ID: 1002, Name: "Internal testers", Count: 14, Created: "2024-11-30 08:00:00", IsVisible: false},
		},
		Bookmarks: []Bookmark{
			{ID: 63880001, Name: "Daily active users", Type: "insights", WorkspaceID: 3001, DashboardID: 5501, Description: "Unique App Open per day", Created: "2025-01-10T09:00:00", Modified: "2026-10-02T14:30:00", CreatorID: 4242, CreatorName: "Ana Analyst"},
			{ID: 63880002, Name: "Revenue by category", Type: "insights", WorkspaceID: 3001, DashboardID: 5501, Created: "2025-02-11T11:20:00", Modified: "2026-09-18T08:10:00", CreatorID: 4242, CreatorName: "Ana Analyst"},
			{ID: 63880003, Name: "Checkout funnel", Type: "funnels", WorkspaceID: 3001, Description: "Product Viewed → Add to Cart → Purchase", Created: "2025-02-12T13:00:00", Modified: "2026-08-01T09:45:00", CreatorID: 4243, CreatorName: "Ben Builder"},
			{ID: 63880004, Name: "Week-1 retention", Type: "retention", Created: "2025-03-01T10:00:00", Modified: "2026-07-20T16:00:00", CreatorID: 4243, CreatorName: "Ben Builder"},
			{ID: 63880005, Name: "Paths after Sign Up", Type: "flows", Created: "2025-04-05T12:00:00", Modified: "2026-06-11T12:00:00", CreatorID: 4242, CreatorName: "Ana Analyst"},
			{ID: 63880006, Name: "Holiday campaign impact", Type: "launch-analysis", Created: "2025-12-01T09:00:00", Modified: "2026-01-15T09:00:00", CreatorID: 4242, CreatorName: "Ana Analyst"},
		},
		LexiconSchemas: []LexiconSchema{
			{EntityType: "event", Name: "Purchase", Schema: map[string]any{
				"description": "Payment succeeded for an order",
				"properties": map[string]any{
					"revenue":        map[string]any{"type": "number", "description": "Order total in USD"},
					"currency":       map[string]any{"type": "string", "description": "ISO 4217 code"},
					"coupon_applied": map[string]any{"type": "boolean"},
					"cart":           map[string]any{"type": "array", "description": "Items bought"},
				},
				"metadata": map[string]any{"com.mixpanel": map[string]any{
					"$source": "api", "displayName": "Order Completed", "tags": []any{"commerce", "revenue"},
					"hidden": false, "dropped": false, "contacts": []any{"ana.analyst@shopfast.example"}, "teamContacts": []any{"Growth"},
				}},
			}},
			{EntityType: "event", Name: "Sign Up", Schema: map[string]any{
				"description": "A visitor created an account",
				"properties": map[string]any{
					"signup_method": map[string]any{"type": "string", "description": "email, google or apple"},
					"referral_code": map[string]any{"type": "string", "metadata": map[string]any{"com.mixpanel": map[string]any{"displayName": "Referral code", "hidden": true}}},
				},
			}},
			{EntityType: "profile", Name: "User", Schema: map[string]any{
				"properties": map[string]any{
					"plan":           map[string]any{"type": "string", "description": "Current subscription plan"},
					"lifetime_value": map[string]any{"type": "number"},
				},
			}},
			{EntityType: "custom_event", Name: "Checkout Activity", Schema: map[string]any{
				"description": "Checkout Started or Purchase",
				"properties":  map[string]any{},
			}},
		},
		RawEvents: defaultRawEvents(datasetDay),
		Profiles:  defaultProfiles(datasetDay),
		FunnelSteps: map[int64][]string{
			7509:     {"App Open", "Sign Up"},
			7512:     {"Checkout Started", "Purchase"},
			7533:     {"Product Viewed", "Add to Cart", "Purchase"},
			63880003: {"Product Viewed", "Add to Cart", "Purchase"},
		},
		Replays:                defaultReplays(),
		OrgBusinessContext:     defaultOrgBusinessContext,
		ProjectBusinessContext: defaultProjectBusinessContext,
	}
}
