package quality

import (
	"slices"
	"testing"
)

func TestWordsAndKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		words []string
		key   string
	}{
		{"Sign Up", []string{"sign", "up"}, "signup"},
		{"signUp", []string{"sign", "up"}, "signup"},
		{"sign_up", []string{"sign", "up"}, "signup"},
		{"Sign-Ups", []string{"sign", "ups"}, "signup"},
		{"userID", []string{"user", "id"}, "userid"},
		{"HTMLPage", []string{"html", "page"}, "htmlpage"},
		{"step2Completed", []string{"step", "2", "completed"}, "step2completed"},
		{"$email", []string{"email"}, "$email"},
		{"Categories", []string{"categories"}, "category"},
		{"status", []string{"status"}, "status"},
		{"addresses", []string{"addresses"}, "address"},
		{"", nil, ""},
	} {
		if got := Words(tc.name); !slices.Equal(got, tc.words) {
			t.Errorf("Words(%q) = %q, want %q", tc.name, got, tc.words)
		}
		if got := NameKey(tc.name); got != tc.key {
			t.Errorf("NameKey(%q) = %q, want %q", tc.name, got, tc.key)
		}
	}
}

func TestLikelyTypo(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"purchase", "purchse", true},
		{"searchterm", "serachterm", true},          // transposition
		{"step1completed", "step2completed", false}, // different digits
		{"signup", "signin", false},                 // two letters apart on a short key
		{"login", "logout", false},
		{"cart", "card", false}, // too short to tell
		{"$city", "city", false},
		{"checkoutstarted", "checkoutstrated", true},
	} {
		if got := likelyTypo(tc.a, tc.b); got != tc.want {
			t.Errorf("likelyTypo(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestValueKind(t *testing.T) {
	for _, tc := range []struct{ v, want string }{
		{"ana@example.com", PIIEmail},
		{"+1 415-555-0100", PIIPhone},
		{"(415) 555-0100", PIIPhone},
		{"+442071234567", PIIPhone},
		{"192.168.1.20", PIIIP},
		{"2001:db8::1", PIIIP},
		{"2026-11-01", ""},
		{"2026-11-01T10:00:00", ""},
		{"1203.40", ""},
		{"20240115", ""},
		{"sku-1001", ""},
		{"5.2.0", ""},
		{"San Francisco", ""},
		{"not an @email", ""},
	} {
		if got := valueKind(tc.v); got != tc.want {
			t.Errorf("valueKind(%q) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestPersonalDataByName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"email", PIIEmail}, {"user_email", PIIEmail}, {"$email", PIIEmail}, {"e-mail", PIIEmail},
		{"phone_number", PIIPhone}, {"mobileNumber", PIIPhone},
		{"client_ip", PIIIP}, {"ipAddress", PIIIP},
		{"first_name", PIIName}, {"$name", PIIName}, {"username", PIIName}, {"customerName", PIIName},
		{"shipping_address", PIIAddress}, {"dob", PIIBirth}, {"ssn", PIIID},
		{"product_name", ""}, {"zip_code_region", ""}, {"shipping_method", ""}, {"tip_amount", ""}, {"plan", ""},
	} {
		if got, _ := personalData(Entry{Name: tc.name}); got != tc.want {
			t.Errorf("personalData(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDuplicatesGroupsAndReasons(t *testing.T) {
	s := Snapshot{Events: []Entry{
		{Name: "Add to Cart", Volume: 900, LastSeen: "2026-11-30"},
		{Name: "add_to_cart", Volume: 12, LastSeen: "2026-11-02"},
		{Name: "AddToCart", Volume: 3},
		{Name: "Purchase", Volume: 400},
		{Name: "Purchases", Volume: 5},
		{Name: "Login", Volume: 100},
		{Name: "Logout", Volume: 90},
	}, Properties: []Entry{
		{Name: "plan", ResourceType: "event", Volume: 10},
		{Name: "Plan", ResourceType: "user"}, // other resource type: not compared
	}}
	got := Duplicates(s)
	if len(got) != 2 {
		t.Fatalf("%d groups: %+v", len(got), got)
	}
	cart := got[0]
	if names := memberNames(cart); !slices.Equal(names, []string{"Add to Cart", "add_to_cart", "AddToCart"}) {
		t.Errorf("cart group %q (most volume first)", names)
	}
	if cart.Reason != "near-duplicate names (snake vs camel, spacing)" && cart.Reason != "near-duplicate names (spacing, snake vs camel)" {
		t.Errorf("cart reason %q", cart.Reason)
	}
	if cart.Members[0].LastSeen != "2026-11-30" || cart.Members[1].Volume != 12 {
		t.Errorf("members carry volume and last seen: %+v", cart.Members)
	}
	if names := memberNames(got[1]); !slices.Equal(names, []string{"Purchase", "Purchases"}) || got[1].Reason != "near-duplicate names (plural)" {
		t.Errorf("purchase group %q %q", names, got[1].Reason)
	}
}

func TestMissingDescriptionsByVolume(t *testing.T) {
	s := Snapshot{Events: []Entry{
		{Name: "A", Volume: 5}, {Name: "B", Volume: 50}, {Name: "C", Description: "has one", Volume: 500}, {Name: "D", Hidden: true},
	}}
	got := MissingDescriptions(s)
	if len(got) != 1 || !slices.Equal(memberNames(got[0]), []string{"B", "A"}) {
		t.Fatalf("got %+v", got)
	}
}

func TestStale(t *testing.T) {
	s := Snapshot{From: "2026-11-01", To: "2026-11-30", Events: []Entry{
		{Name: "Old", Counted: true}, {Name: "Live", Counted: true, Volume: 1}, {Name: "Gone", Counted: true, Dropped: true}, {Name: "Unmeasured"},
	}}
	got := Stale(s)
	if len(got) != 1 || !slices.Equal(memberNames(got[0]), []string{"Old"}) {
		t.Fatalf("got %+v", got)
	}
}

func memberNames(f Finding) []string {
	var out []string
	for _, m := range f.Members {
		out = append(out, m.Name)
	}
	return out
}
