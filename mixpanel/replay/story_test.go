package replay

import (
	"fmt"
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
	email := acts[indexOf(acts, `Entered a masked value in input "Email" type=email`)]
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
		`Entered a masked value in input "Password" type=password`,
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
		`Entered a masked value in input "Card number" type=text`,
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
		"Swiped up on ul #products",
		"Scrolled",
		`Tapped a "Wool socks" to /shop/item/6`,
		`Tapped button "Add to cart"`,
		`Tapped button "Close product"`,
		"Swiped down on ul #products",
		"Scrolled",
		`Tapped input placeholder="Search products" type=search`,
		`Entered 'mug' in input placeholder="Search products" type=search`,
		`Tapped button "Checkout"`,
		"Navigated to "+host+"/checkout")
	assert.Len(t, ofAction(acts, ActionConsoleError), 1)
	assert.Len(t, ofAction(acts, ActionScroll), 2, "two swipes")
	for _, a := range acts {
		if strings.Contains(a.Description, "Wool socks") {
			assert.Equal(t, InteractionTapped, a.Interaction(), "the tap on the blocked image, recorded only as the focus, is a tap")
			assert.Equal(t, "focus", a.Metadata["recorded_as"])
			assert.True(t, a.IsRealClick())
		}
		assert.NotContains(t, a.Description, "Tapped ul", "a swipe is not a tap on the list it started on")
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
		`Double-clicked h1 "Marketing launch"`,
		`Triple-clicked p "This board tracks every task for the spring marketing launch. Cards move from b…", selecting 'This board tracks every task for the spring marketing launch. Cards move from backlog to done as the team finishes them.'`,
		`Custom event "app-step": {"step":1}`,
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
	assert.Zero(t, countDesc(acts, `Clicked p "This board tracks every task for the spring marketing launch. Cards move from b…"`), "a triple-click is one action, not three clicks")
	assert.Zero(t, countDesc(acts, `Clicked h1 "Marketing launch"`), "a double-click is one action")
	assert.Empty(t, ofAction(acts, ActionSelect), "the selections the double and triple click made are part of them")
	assert.Empty(t, (&ReplayBundle{Replays: []*Replay{NewReplay(ReplaySummary{ReplayID: "x", ProjectID: 1, StartTime: 1, RetentionDays: 30}, res)}}).RageClicks(DefaultRageThreshold, DefaultRageWindowMs), "double and triple clicks are not rage clicks")
	assert.Len(t, ofAction(acts, ActionInput), 1, "clearing and retyping the textarea is one input")
	assert.Empty(t, ofAction(acts, ActionConsoleError))
	assert.Zero(t, res.SkippedEvents, "the custom event is valid rrweb")
}

// The recordings below were made for the story classes of issue 13 with
// generator/stories.js; testdata/README.md tells each story.

func TestStoryMaskedSession(t *testing.T) {
	const host = "http://127.0.0.1:43517"
	acts := analyzeFile(t, "web_masked_session").Actions
	assert.Equal(t, []string{host + "/login", host + "/boards?id=123", host + "/checkout"}, navURLs(acts))
	requireOrder(t, acts,
		"Entered a masked value in input #workspace type=text",
		"Entered a masked value in input #email type=email",
		"Entered a masked value in input #password type=password",
		"Set input #remember type=checkbox to checked",
		"Clicked button #signin",
		"Navigated to "+host+"/boards?id=123",
		"Clicked button #new-card",
		`Clicked span in button "Filter cards"`,
		"Clicked span in button #share",
		"Clicked a to /checkout",
		"Navigated to "+host+"/checkout",
		"Entered a masked value in input #fullname type=text",
		"Selected a masked option in select #country",
		"Set input #period-yearly type=radio to checked",
		"Set input #terms type=checkbox to checked",
		"Clicked button #place-order")
	for _, a := range acts {
		assert.NotContains(t, a.Description, "**", "masked text is never quoted: %s", a.Description)
		if a.Action == ActionInput && a.Interaction() == "" && a.Metadata["is_checked"] == false {
			assert.Equal(t, true, a.Metadata["masked"], a.Description)
		}
	}
}

func TestStoryConsoleViewport(t *testing.T) {
	const host = "http://127.0.0.1:43517"
	r := testReplay(t, "web_console_viewport")
	acts := r.Actions
	assert.Equal(t, []string{host + "/diagnostics"}, navURLs(acts))
	msgs := func(action string) []string {
		var out []string
		for _, a := range ofAction(acts, action) {
			out = append(out, a.Metadata["message"].(string))
		}
		return out
	}
	errs := msgs(ActionConsoleError)
	require.Len(t, errs, 9, "six console.error calls, a failed assertion, an uncaught exception and an unhandled rejection")
	assert.Equal(t, "Sync failed", errs[0])
	assert.Equal(t, "Request failed [object Object]", errs[1])
	assert.True(t, strings.HasPrefix(errs[2], "RangeError: page size must be below 500"), errs[2])
	assert.Equal(t, `"quoted" message with "inner quotes" " 42 null true`, errs[3], "null is rendered")
	assert.Equal(t, "a b c 1 2 3 [1,2,3] undefined", errs[4], "undefined is rendered")
	assert.True(t, strings.HasPrefix(errs[5], "Payload too large: "+strings.Repeat("x", 100)), "a long message keeps its start")
	assert.True(t, strings.HasSuffix(errs[5], "… [truncated: 19 more characters]"), "and says what it cut: %s", errs[5][len(errs[5])-60:])
	assert.Equal(t, 1500+len("… [truncated: 19 more characters]"), len(errs[5]))
	assert.Equal(t, `Assertion failed: math is broken {"expected":2}`, errs[6])
	assert.Equal(t, "Uncaught TypeError: Cannot read properties of null (reading 'boom')", errs[7])
	assert.Equal(t, "Uncaught (in promise) quota exceeded for project 77", errs[8])
	assert.Equal(t, []string{"Deprecated API used", "Deprecated API used"}, msgs(ActionConsoleWarning), "two warnings; info, debug and log are not reported")
	requireOrder(t, acts,
		`Clicked button "Failed assertion"`,
		`Console error: Assertion failed: math is broken {"expected":2}`,
		`Clicked button "Log warning"`,
		"Console warning: Deprecated API used",
		`Custom event "checkpoint": {"step":"diagnostics-done","ok":true}`,
		"Resized the viewport to 800×600",
		`Clicked button "Log warning"`,
		"Console warning: Deprecated API used",
		"Resized the viewport to 1280×800",
		`Custom event "checkout-start": {"plan":"pro"}`)
	md := r.SummaryMarkdown()
	assert.Contains(t, md, "## Console errors (9, 9 distinct)")
	assert.Contains(t, md, "## Console warnings (2, 1 distinct)\n\n- 2× Deprecated API used")
}

func TestStoryTouchGestures(t *testing.T) {
	const host = "http://127.0.0.1:40617"
	acts := analyzeFile(t, "mobile_touch_gestures").Actions
	assert.Equal(t, []string{host + "/shop", host + "/checkout"}, navURLs(acts))
	requireOrder(t, acts,
		`Tapped button "Add Enamel mug to cart"`,
		`Swiped left on a "Notebook set" to /shop/item/4`,
		"Swiped up on ul #products",
		"Scrolled",
		`Swiped left on a "Phone stand" to /shop/item/8`,
		`Tapped a "Wool socks" to /shop/item/6`,
		`Tapped button "Close product"`,
		"Swiped down on ul #products",
		"Scrolled",
		`Tapped button "Checkout"`,
		"Navigated to "+host+"/checkout")
	var swipes []string
	for _, a := range acts {
		if a.Interaction() == InteractionSwiped {
			swipes = append(swipes, fmt.Sprintf("%s scrolled=%v", a.Metadata["direction"], a.Metadata["scrolled"]))
			assert.False(t, a.IsRealClick(), "a swipe is not a click")
		}
	}
	assert.Equal(t, []string{"left scrolled=false", "up scrolled=true", "left scrolled=false", "down scrolled=true"}, swipes)
	assert.Zero(t, countDesc(acts, `Tapped a "Notebook set" to /shop/item/4`), "the side swipe is not a tap on the product it started on")
}

func TestStoryTextSelections(t *testing.T) {
	acts := analyzeFile(t, "web_text_selections").Actions
	const board = `p "This board tracks every task for the spring marketing launch. Cards move from b…"`
	const lead = `p "The Pro plan adds unlimited boards, automation rules and priority support. Seat…"`
	requireOrder(t, acts,
		`Double-clicked h1 "Marketing launch"`,
		"Triple-clicked "+board+", selecting 'This board tracks every task for the spring marketing launch. Cards move from backlog to done as the team finishes them.'",
		`Clicked button "New card"`,
		"Double-clicked "+lead+", selecting 'the'",
		"Triple-clicked "+lead+", selecting 'The Pro plan adds unlimited boards, automation rules and priority support. Seats are billed monthly or yearly and you can change the plan at any time.'")
	assert.Empty(t, ofAction(acts, ActionSelect), "each selection belongs to the double or triple click that made it")
	for _, a := range acts {
		assert.False(t, strings.HasPrefix(a.Description, "Clicked p"), "no stray single clicks: %s", a.Description)
	}
	r := NewReplay(ReplaySummary{ReplayID: "s", ProjectID: 1, StartTime: 1, RetentionDays: 30}, &Result{Actions: acts})
	assert.Empty(t, (&ReplayBundle{Replays: []*Replay{r}}).RageClicks(DefaultRageThreshold, DefaultRageWindowMs))
}
