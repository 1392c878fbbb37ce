package replay

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests check each recording against the story in
// testdata/rrweb/README.md by hand, so the golden files are not the only
// check of what the analyzer reads out of a real recording.

const host = "http://127.0.0.1:46773"

func descriptions(actions []UserAction) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.Description
	}
	return out
}

func countDesc(actions []UserAction, desc string) int {
	n := 0
	for _, a := range actions {
		if a.Description == desc {
			n++
		}
	}
	return n
}

func ofAction(actions []UserAction, action string) []UserAction {
	var out []UserAction
	for _, a := range actions {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

func navURLs(actions []UserAction) []string {
	var out []string
	for _, a := range ofAction(actions, ActionNavigate) {
		out = append(out, a.URL)
	}
	return out
}

// indexOf returns the position of the first action with desc, or -1.
func indexOf(actions []UserAction, desc string) int {
	for i, a := range actions {
		if a.Description == desc {
			return i
		}
	}
	return -1
}

// requireOrder checks the descriptions occur in this order.
func requireOrder(t *testing.T, actions []UserAction, descs ...string) {
	t.Helper()
	last := -1
	for _, d := range descs {
		i := indexOf(actions[last+1:], d)
		require.GreaterOrEqual(t, i, 0, "%q missing after position %d in:\n%s", d, last, strings.Join(descriptions(actions), "\n"))
		last += i + 1
	}
}

func TestStoryLoginBoard(t *testing.T) {
	acts := analyzeFile(t, "web_login_board").Actions

	assert.Equal(t, []string{host + "/login", host + "/boards?id=123", host + "/boards/456/settings", host + "/boards?id=456"}, navURLs(acts))

	// Steps 2-5: the failed and the successful sign-in.
	assert.Equal(t, 1, countDesc(acts, `Entered 'acme-corp' in input "Workspace" type=text`))
	email := acts[indexOf(acts, `Entered '****************' in input "Email" type=email`)]
	assert.Equal(t, true, email.Metadata["masked"])
	assert.Equal(t, 16, email.Metadata["text_length"])
	assert.Equal(t, 2, countDesc(acts, `Clicked button "Sign in"`), "Sign in is clicked twice")
	errs := ofAction(acts, ActionConsoleError)
	require.Len(t, errs, 1, "only the failed sign-in logs an error; console.log is not one")
	assert.Equal(t, "Login failed: password missing", errs[0].Metadata["message"])
	assert.Equal(t, host+"/login", errs[0].URL)
	requireOrder(t, acts,
		`Clicked button "Sign in"`,
		"Console error: Login failed: password missing",
		`Entered '*************' in input "Password" type=password`,
		`Set input "Remember me" type=checkbox to checked`,
		`Clicked button "Sign in"`,
		"Navigated to "+host+"/boards?id=123")

	// Steps 6-12 on the board.
	requireOrder(t, acts,
		`Clicked a "Write release notes" to /boards/123/cards/3`,
		`Clicked button "Mark as done"`,
		`Clicked button "Close card"`,
		`Clicked button "New card"`,
		`Clicked button "New card"`,
		`Clicked span in button "Filter cards"`,
		`Clicked span in button "Filter cards"`,
		`Clicked span in button "Share"`,
		`Scrolled ul #pin-list`)
	assert.Equal(t, 2, countDesc(acts, `Clicked button "New card"`))
	assert.Equal(t, 2, countDesc(acts, `Clicked span in button "Filter cards"`), "the icon span click is described through its button")
	sel := ofAction(acts, ActionSelect)
	require.Len(t, sel, 1, "one drag gives one selection")
	assert.Contains(t, sel[0].Description, "board tracks every task for the spring")
	assert.Len(t, ofAction(acts, ActionScroll), 1)

	// Steps 13-15 in the settings.
	requireOrder(t, acts,
		`Clicked a "Settings" to /boards/456/settings`,
		"Navigated to "+host+"/boards/456/settings",
		`Entered 'Spring launch 2024' in input "Board name" type=text`,
		`Selected option 'public' in select "Visibility"`,
		`Set input "Email me about changes" type=checkbox to unchecked`,
		`Set input "Compact" type=radio to checked`,
		`Clicked button "Save changes"`,
		`Clicked a "Back to board" to /boards`,
		"Navigated to "+host+"/boards?id=456")
	for _, a := range acts {
		assert.NotContains(t, a.Description, "Cozy", "the radio that went off is not an action")
	}
	assert.Len(t, ofAction(acts, ActionInput), 8)
}

func TestStoryCheckoutForm(t *testing.T) {
	acts := analyzeFile(t, "web_checkout_form").Actions
	assert.Equal(t, []string{host + "/checkout", host + "/checkout/done?order=98765", host + "/boards?id=123"}, navURLs(acts))
	requireOrder(t, acts,
		`Entered 'Jane Doe' in input "Full name" type=text`,
		`Entered 'Acme Corp' in input "Company" type=text`,
		`Entered '12 Market Street' in input "Street address" type=text`,
		`Entered 'Springfield' in input "City" type=text`,
		`Selected option 'DE' in select "Country"`,
		`Entered '10115' in input "Postal code" type=text`,
		`Entered '12' in input "Seats" type=number`,
		`Entered '*******************' in input "Card number" type=text`,
		`Entered 'SPRNG20' in input "Coupon" type=text`,
		`Clicked button "Apply coupon"`,
		`Entered 'SPRING20' in input "Coupon" type=text`,
		`Clicked button "Apply coupon"`,
		`Set input "Yearly (save 20%)" type=radio to checked`,
		`Clicked button "Place order"`,
		`Set input "I agree to the terms of service" type=checkbox to checked`,
		`Clicked button "Place order"`,
		"Navigated to "+host+"/checkout/done?order=98765",
		`Clicked a "Go to your board" to /boards`,
		"Navigated to "+host+"/boards?id=123")
	assert.Equal(t, 2, countDesc(acts, `Clicked button "Apply coupon"`))
	assert.Equal(t, 2, countDesc(acts, `Clicked button "Place order"`))
	assert.Empty(t, ofAction(acts, ActionConsoleError), "a console.warn is not an error")
	sel := ofAction(acts, ActionSelect)
	require.Len(t, sel, 1)
	assert.Contains(t, sel[0].Description, "98765")
	assert.Equal(t, host+"/checkout/done?order=98765", sel[0].URL)
	assert.Len(t, ofAction(acts, ActionInput), 12)
}

func TestStoryRageErrors(t *testing.T) {
	r := testReplay(t, "web_rage_errors")
	acts := r.Actions
	assert.Equal(t, []string{host + "/boards?id=123", host + "/docs", host + "/boards/456/settings"}, navURLs(acts))

	errs := ofAction(acts, ActionConsoleError)
	assert.Len(t, errs, 20, "20 error-level console records; the warning is not one")
	for msg, n := range map[string]int{
		"Export failed: cannot read format of undefined":        6,
		"Uncaught TypeError: exportBoard is not a function":     6,
		"Export failed with status 500":                         6,
		"Uncaught (in promise) Error: feedback service timeout": 1,
		"Delete failed: permission denied for board 456":        1,
	} {
		assert.Equal(t, n, countDesc(acts, "Console error: "+msg), msg)
	}

	assert.Equal(t, 6, countDesc(acts, `Clicked button "Export board"`))
	assert.Equal(t, 5, countDesc(acts, `Clicked div "Sync now"`))
	assert.Equal(t, 1, countDesc(acts, `Double-clicked div "Sync now"`))
	assert.Len(t, ofAction(acts, ActionSelect), 2, "the second and third Sync now clicks select text")
	assert.Equal(t, 1, countDesc(acts, `Clicked circle in button "Notifications"`))
	requireOrder(t, acts,
		`Clicked a "Docs" to /docs`,
		"Navigated to "+host+"/docs",
		`Clicked button "No"`,
		"Console error: Uncaught (in promise) Error: feedback service timeout",
		`Clicked a "Settings" to /boards/456/settings`,
		`Clicked button "Delete board"`,
		`Clicked button "Confirm delete board"`,
		"Console error: Delete failed: permission denied for board 456",
		`Clicked button "Delete board"`,
		`Clicked button "Cancel"`)

	b := &ReplayBundle{Replays: []*Replay{r}}
	rage := b.RageClicks(DefaultRageThreshold, DefaultRageWindowMs)
	require.Len(t, rage, 2)
	assert.Equal(t, RageClick{ReplayID: "web_rage_errors", TStart: rage[0].TStart, TargetDesc: `button "Export board"`, Count: 5}, rage[0], "the five fast Export clicks; the first one came 2 s earlier")
	assert.Equal(t, `div "Sync now"`, rage[1].TargetDesc)
	assert.Equal(t, 6, rage[1].Count, "five clicks and the dblclick Chromium fires")
	assert.Equal(t, []string{"web_rage_errors"}, b.ErrorSessionIDs())
}

func TestStoryMobileShopIdle(t *testing.T) {
	r := testReplay(t, "mobile_shop_idle")
	acts := r.Actions
	assert.Equal(t, []string{host + "/shop", host + "/checkout"}, navURLs(acts))
	requireOrder(t, acts,
		`Tapped button "Checkout"`,
		"Console error: Checkout blocked: cart is empty",
		`Tapped button "Add Canvas tote to cart"`,
		`Tapped button "Add Desk plant to cart"`,
		"Scrolled",
		`Focused a "Wool socks" to /shop/item/6`,
		`Tapped button "Add to cart"`,
		`Tapped button "Close product"`,
		"Scrolled",
		`Tapped input placeholder="Search products" type=search`,
		`Entered 'mug' in input placeholder="Search products" type=search`,
		`Tapped button "Checkout"`,
		"Navigated to "+host+"/checkout")
	assert.Len(t, ofAction(acts, ActionConsoleError), 1)
	assert.Len(t, ofAction(acts, ActionScroll), 2, "two swipes")
	for _, a := range acts {
		if strings.Contains(a.Description, "Wool socks") {
			assert.Equal(t, InteractionFocused, a.Interaction(), "the tap on the blocked image records only the focus")
		}
		if a.Interaction() == InteractionClicked {
			assert.Equal(t, "touch", a.Metadata["pointer_type"])
		}
	}
	pauses := (&ReplayBundle{Replays: []*Replay{r}}).LongPauses(DefaultPauseSeconds)
	require.Len(t, pauses, 2, "two idle stretches")
	for _, p := range pauses {
		assert.InDelta(t, 11.5, p.DurationS, 1.5)
	}
}

func TestStoryExtraInteractions(t *testing.T) {
	const host = "http://127.0.0.1:40517"
	res := analyzeFile(t, "web_extra_interactions")
	acts := res.Actions
	assert.Equal(t, []string{host + "/boards?id=123", host + "/boards/456/settings"}, navURLs(acts), "the recorder's re-snapshot of the board is not a navigation")
	assert.Len(t, res.Pages(), 2)
	requireOrder(t, acts,
		`Right-clicked a "Fix login bug" to /boards/123/cards/2`,
		`Clicked h1 "Marketing launch"`,
		`Double-clicked h1 "Marketing launch"`,
		`Double-clicked p "This board tracks every task for the spring marketing launch. Cards move from b…"`,
		"Selected 'This board tracks every task for the spring marketing launch. Cards move from backlog to done as the team finishes them.'",
		`Clicked button "New card"`,
		`Focused button "Filter cards"`,
		`Clicked a "Settings" to /boards/456/settings`,
		"Navigated to "+host+"/boards/456/settings",
		`Entered 'Q2 launch plan' in textarea "Description"`,
		`Clicked button "Save changes"`)
	right := acts[indexOf(acts, `Right-clicked a "Fix login bug" to /boards/123/cards/2`)]
	assert.Equal(t, InteractionRightClicked, right.Interaction())
	assert.True(t, right.IsRealClick())
	assert.Zero(t, countDesc(acts, `Clicked button "Filter cards"`), "Tab only focuses the filter button")
	assert.Equal(t, 3, countDesc(acts, `Clicked p "This board tracks every task for the spring marketing launch. Cards move from b…"`), "a triple-click is three clicks")
	assert.Len(t, ofAction(acts, ActionInput), 1, "clearing and retyping the textarea is one input")
	assert.Empty(t, ofAction(acts, ActionConsoleError))
	assert.Zero(t, res.SkippedEvents, "the custom event is valid rrweb")
}
