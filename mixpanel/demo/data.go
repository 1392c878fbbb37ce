package demo

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// The demo product is "Tempo", a subscription productivity app on web, iOS
// and Android. Event ids index eventNames.
const (
	evPageView = iota
	evSignUp
	evSignUpBug // "Sign up": the tracking bug, sent by Android 4.2 for two weeks
	evActivate
	evStartTrial
	evPurchase
	evAppOpen
	evFeatureUsed
	evCancel
	numEvents
)

var eventNames = [numEvents]string{"Page View", "Sign Up", "Sign up", "Activate", "Start Trial", "Purchase", "App Open", "Feature Used", "Subscription Cancelled"}

var (
	platforms   = []string{"web", "ios", "android"}
	countries   = []string{"US", "GB", "DE", "FR", "CA", "BR", "IN", "JP", "AU", "ES"}
	countryW    = []float64{30, 10, 9, 7, 6, 8, 12, 6, 5, 7}
	utmSources  = []string{"google", "facebook", "newsletter", "twitter", "direct"}
	utmW        = []float64{35, 20, 10, 5, 30}
	plans       = []string{"monthly", "annual", "pro"}
	planPrice   = []float64{9.99, 99.99, 19.99}
	planW       = []float64{55, 25, 20}
	features    = []string{"editor", "export", "share", "templates", "search"}
	pages       = []string{"/", "/pricing", "/features", "/blog", "/docs"}
	methods     = []string{"email", "google", "apple"}
	webOS       = []string{"Windows", "Mac OS X", "Linux"}
	firstNames  = []string{"ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kim", "lea", "max", "nia", "omar", "pia"}
	activationP = []float64{0.55, 0.68, 0.42} // by platform: the drop-off differs by segment
	purchaseP   = []float64{0.50, 0.40, 0.30} // trial -> purchase, by platform
)

const (
	// Days of data, ending today.
	Days = 90
	// LaunchDaysAgo is when "Onboarding v2" shipped: signups from that day
	// on activate 12 points more often.
	LaunchDaysAgo = 30
	// bugFrom and bugTo bound (in days ago) the two weeks Android sent
	// "Sign up" instead of "Sign Up".
	bugFrom, bugTo = 40, 26
	day            = 86400
)

// user is one demo user's fixed attributes.
type user struct {
	platform, country, utm, method, os uint8
	plan                               int8 // -1: never purchased
	signup                             int32
	ltv                                float32
}

// Events is the generated project: users and their events, stored by user
// (each user's events are contiguous and in time order) in compact columns.
// Times are seconds since day 0's midnight in the project's time zone.
type Events struct {
	Start time.Time // midnight of day 0, in the project's offset, as a UTC clock
	Now   int32     // the generation instant, in seconds since Start
	users []user
	first []int32 // first[u] is user u's first event; first[len(users)] = len
	t     []int32
	ev    []uint8
	a     []uint8 // utm (Page View, Sign Up), plan (Start Trial, Purchase, Cancel), feature (Feature Used)
	b     []uint8 // Page View: page; Purchase: 1 when a 20% coupon applied
	// replays maps an event recorded in a session replay to its replay id
	// ($mp_replay_id; replays.go).
	replays map[int]string

	// cohortDef finds a saved cohort's definition ({"selector",
	// "behaviors"}) by id; the project sets it to read its store.
	cohortDef func(id string) (map[string]any, bool)

	// The event index (index.go), built on first use.
	indexOnce sync.Once
	byEvent   [numEvents][]int32 // positions of each event's events
	owner     []int32            // the user of each position
}

// Len is the number of events.
func (e *Events) Len() int { return len(e.t) }

// Users is the number of users.
func (e *Events) Users() int { return len(e.users) }

// Generate builds the project deterministically from seed, with now as the
// last instant of data. now is read in the project's offset (UTC-7).
func Generate(seed uint64, users int, now time.Time) *Events {
	local := now.UTC().Add(projectOffset)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	e := &Events{Start: today.AddDate(0, 0, -(Days - 1))}
	e.Now = int32(local.Sub(e.Start) / time.Second)
	e.users = make([]user, users)
	e.first = make([]int32, 0, users+1)
	const guess = 60
	e.t = make([]int32, 0, users*guess)
	e.ev = make([]uint8, 0, users*guess)
	e.a = make([]uint8, 0, users*guess)
	e.b = make([]uint8, 0, users*guess)
	var buf []rec
	for u := range e.users {
		r := rand.New(rand.NewPCG(seed, uint64(u)))
		buf = e.genUser(r, u, buf[:0])
		slices.SortStableFunc(buf, func(x, y rec) int { return int(x.t - y.t) })
		e.first = append(e.first, int32(len(e.t)))
		for _, x := range buf {
			if x.t > e.Now || x.t < 0 {
				continue
			}
			e.t = append(e.t, x.t)
			e.ev = append(e.ev, x.ev)
			e.a = append(e.a, x.a)
			e.b = append(e.b, x.b)
		}
	}
	e.first = append(e.first, int32(len(e.t)))
	return e
}

type rec struct {
	t        int32
	ev, a, b uint8
}

func pick(r *rand.Rand, w []float64) uint8 {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, wi := range w {
		if x < wi {
			return uint8(i)
		}
		x -= wi
	}
	return uint8(len(w) - 1)
}

// weekday is the activity factor of day d: weekends are quieter.
func (e *Events) weekday(d int) float64 {
	switch e.Start.AddDate(0, 0, d).Weekday() {
	case time.Saturday, time.Sunday:
		return 0.6
	}
	return 1
}

func (e *Events) genUser(r *rand.Rand, u int, out []rec) []rec {
	us := &e.users[u]
	us.platform = pick(r, []float64{50, 30, 20})
	us.country = pick(r, countryW)
	us.utm = pick(r, utmW)
	us.method = uint8(r.IntN(len(methods)))
	us.os = uint8(r.IntN(len(webOS)))
	us.plan = -1
	// Signup day: uniform over the range with weekly seasonality and slow
	// growth.
	var d int
	for {
		d = r.IntN(Days)
		if r.Float64() < e.weekday(d)*(0.7+0.3*float64(d)/Days) {
			break
		}
	}
	t := int32(d*day + 7*3600 + r.IntN(16*3600))
	us.signup = t
	p := int(us.platform)
	if p == 0 {
		for i := 0; i < 1+r.IntN(3); i++ {
			out = append(out, rec{t: t - int32(60*(i+1)+r.IntN(60)), ev: evPageView, a: us.utm, b: uint8(r.IntN(3))})
		}
	} else {
		out = append(out, rec{t: t - int32(30+r.IntN(120)), ev: evAppOpen})
	}
	signup := uint8(evSignUp)
	if p == 2 && d >= Days-1-bugFrom && d < Days-1-bugTo {
		signup = evSignUpBug
	}
	out = append(out, rec{t: t, ev: signup, a: us.utm})

	act := activationP[p]
	if d >= Days-1-LaunchDaysAgo {
		act += 0.12
	}
	activated := r.Float64() < act
	if activated {
		ta := t + int32(math.Min(r.ExpFloat64()*20*3600, 6*day))
		out = append(out, rec{t: ta, ev: evActivate})
		if r.Float64() < 0.45 {
			tt := ta + int32(r.IntN(5*day))
			plan := pick(r, planW)
			out = append(out, rec{t: tt, ev: evStartTrial, a: plan})
			if r.Float64() < purchaseP[p] {
				tp := tt + 7*day + int32(r.IntN(6*3600))
				us.plan = int8(plan)
				// Renewals run to the end of today, not to now, so the
				// draws (and every later event) depend on the day only.
				for tp < Days*day {
					coupon := uint8(0)
					amount := planPrice[plan]
					if r.Float64() < 0.15 {
						coupon, amount = 1, amount*0.8
					}
					out = append(out, rec{t: tp, ev: evPurchase, a: plan, b: coupon})
					us.ltv += float32(amount)
					if plan == 1 || r.Float64() > 0.85 {
						if plan != 1 {
							out = append(out, rec{t: tp + int32(20*day), ev: evCancel, a: plan})
						}
						break
					}
					tp += 30 * day
				}
			}
		}
	}

	// Engagement: active days decay after signup, quieter at weekends.
	engaged := 0.5 + r.Float64()*0.5
	if !activated {
		engaged *= 0.3
	}
	for k := 0; d+k < Days; k++ {
		dd := d + k
		if r.Float64() >= engaged*(0.25+0.75*math.Exp(-float64(k)/7))*e.weekday(dd) {
			continue
		}
		ts := int32(dd*day + 6*3600 + r.IntN(17*3600))
		if k == 0 && ts < t {
			ts = t + 60
		}
		for s := 0; s < 1+r.IntN(2); s++ {
			if p == 0 {
				for i := 0; i < 2+r.IntN(4); i++ {
					out = append(out, rec{t: ts, ev: evPageView, a: 4, b: uint8(r.IntN(len(pages)))})
					ts += int32(20 + r.IntN(200))
				}
			} else {
				out = append(out, rec{t: ts, ev: evAppOpen})
				ts += int32(5 + r.IntN(30))
			}
			for i := 0; i < 1+r.IntN(4); i++ {
				out = append(out, rec{t: ts, ev: evFeatureUsed, a: uint8(r.IntN(len(features)))})
				ts += int32(30 + r.IntN(300))
			}
			ts += int32(3600 + r.IntN(4*3600))
		}
	}
	return out
}

// Event is one generated event, for checks that count without the engines.
type Event struct {
	DistinctID string
	Name       string
	Time       time.Time // in the project's offset, as a UTC clock
	// Prop reads one of the event's properties as Mixpanel would show it.
	Prop func(name string) (string, bool)
}

// All visits every event, by user and in time order.
func (e *Events) All() iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for u := range e.users {
			for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
				prop := func(name string) (string, bool) {
					get, ok := accessors()[name]
					if !ok {
						return "", false
					}
					v, ok := get(e, i, u)
					return v.String(), ok
				}
				if !yield(Event{DistinctID: distinctID(u), Name: eventNames[e.ev[i]], Time: e.Start.Add(time.Duration(e.t[i]) * time.Second), Prop: prop}) {
					return
				}
			}
		}
	}
}

// email is user u's address; it is sent (unflagged) with Sign Up.
func (e *Events) email(u int) string {
	return fmt.Sprintf("%s.%d@example.com", firstNames[u%len(firstNames)], u)
}

// distinctID is user u's distinct_id.
func distinctID(u int) string { return fmt.Sprintf("u%05d", u) }

// osOf is the $os of user u.
func (e *Events) osOf(u int) string {
	switch e.users[u].platform {
	case 1:
		return "iOS"
	case 2:
		return "Android"
	}
	return webOS[e.users[u].os]
}
