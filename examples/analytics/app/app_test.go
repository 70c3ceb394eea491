package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"

	"github.com/karafka-actors/karafka-actors/examples/analytics/app"
)

func route(t *testing.T, topic string, dir app.Directory) topology.Route {
	t.Helper()
	for _, r := range app.Routes(dir) {
		if r.Topic == topic {
			return r
		}
	}
	t.Fatalf("no route for %s", topic)
	return topology.Route{}
}

func view(page, user string) karafkatest.Record {
	return karafkatest.Value(fmt.Sprintf(`{"page":%q,"user":%q}`, page, user))
}

// A batch answers each view on page_views_seen, with that view's message,
// and the batch once on page_view_counts, with its first message. A view
// without a page is dead-lettered alone; the others are answered.
func TestPageViews_answersEachViewAndEachBatch(t *testing.T) {
	t.Parallel()
	r := karafkatest.NewRoute(t, route(t, app.PageViews, nil))
	res := r.Feed(
		view("/", "ada").At(0, 0),
		view("/docs", "bob").At(0, 1),
		view("", "eve").At(0, 2), // no page: fails its batch until isolated
		view("/", "bob").At(0, 3),
	)
	var got []string
	for _, x := range res {
		if x.DeadLetter != nil {
			got = append(got, fmt.Sprintf("%d dead letter %s", x.Record.Offset, x.DeadLetter.Topic))
			continue
		}
		for _, m := range x.Produced {
			got = append(got, fmt.Sprintf("%d %s %s %s", x.Record.Offset, m.Topic, m.Key, m.Value))
		}
	}
	// The failed batch [0 1 2 3] is split: [0 1] succeeds with its own
	// counts, [2] is dead-lettered, [3] is a batch of its own.
	want := []string{
		`0 page_views_seen / {"page":"/","user":"ada"}`,
		`0 page_view_counts  {"views":2,"pages":{"/":1,"/docs":1}}`,
		`1 page_views_seen /docs {"page":"/docs","user":"bob"}`,
		`2 dead letter page_views_dlq`,
		`3 page_views_seen / {"page":"/","user":"bob"}`,
		`3 page_view_counts  {"views":1,"pages":{"/":1}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("produced:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Each RespondTo and each RespondWith call is one run of the responder,
// validated on its own: a topic the per-message runs use but the per-batch
// run does not cannot be Required. Declared Required, page_views_seen
// fails every batch at its per-batch response, and every view is
// dead-lettered, which is why the example declares it Optional.
func TestPageViews_requiredTopicMustBeUsedByThePerBatchResponseToo(t *testing.T) {
	t.Parallel()
	rt := route(t, app.PageViews, nil)
	rt.Responder = func() responders.Responder { return requiredSeen{} }
	res := karafkatest.NewRoute(t, rt).Feed(view("/", "ada").At(0, 0), view("/docs", "bob").At(0, 1))
	for _, x := range res {
		if x.DeadLetter == nil || !errors.Is(x.Err, responders.ErrRequiredTopicUnused) ||
			!strings.Contains(x.Err.Error(), "per-batch response") || !strings.Contains(x.Err.Error(), app.PageViewsSeen) {
			t.Errorf("offset %d: dead letter %v, err %v; want it dead-lettered for the per-batch response's unused %s",
				x.Record.Offset, x.DeadLetter, x.Err, app.PageViewsSeen)
		}
	}
}

// requiredSeen is PageViewsResponder with page_views_seen Required.
type requiredSeen struct{ app.PageViewsResponder }

func (requiredSeen) Topics() []responders.Topic {
	return []responders.Topic{responders.Required(app.PageViewsSeen), responders.Optional(app.PageViewCounts)}
}

// slowDirectory holds the lookups of user "slow" until released.
type slowDirectory struct {
	app.Plans
	release chan struct{}
	once    sync.Once
}

func (d *slowDirectory) Plan(ctx context.Context, user string) (string, error) {
	if user == "slow" {
		select {
		case <-d.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return d.Plans.Plan(ctx, user)
}

func (d *slowDirectory) unblock() { d.once.Do(func() { close(d.release) }) }

// On virtual partitions a slow user holds up only its own clicks: the
// clicks of the other users of the same partition are answered while its
// lookup hangs, and every user's clicks are answered in order.
func TestClicks_aSlowUserHoldsUpOnlyItsOwnClicks(t *testing.T) {
	t.Parallel()
	karafkatest.VerifyNoLeaks(t)
	k := karafkatest.StartBroker(t)
	dir := &slowDirectory{Plans: app.Plans{"ada": "pro"}, release: make(chan struct{})}
	a, err := karafka.New(k.Config())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Register(a, dir); err != nil {
		t.Fatal(err)
	}
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if n, ok := r.Virtual(); r.Topic == app.Clicks && (!ok || n != 8) {
			t.Fatalf("clicks runs on %d virtual actors (%v), want 8", n, ok)
		}
	}
	k.Run(t, a)
	t.Cleanup(dir.unblock) // before the app's shutdown, which waits for the lookups

	click := func(user string, seq int) karafkatest.Record {
		return karafkatest.JSON(t, app.Click{User: user, Target: "buy", Seq: seq})
	}
	// One partition: without virtual partitions the first click would
	// hold up all the others.
	k.Produce(t, app.Clicks, click("slow", 1), click("ada", 1), click("bob", 1), click("slow", 2), click("ada", 2), click("bob", 2))

	seqs := func(msgs []karafkatest.Message) map[string][]int {
		out := map[string][]int{}
		for _, m := range msgs {
			var c app.EnrichedClick
			m.JSON(t, &c)
			if string(m.Key) != c.User {
				t.Errorf("click of %s keyed %q", c.User, m.Key)
			}
			if want := map[string]string{"ada": "pro"}[c.User]; want != "" && c.Plan != want {
				t.Errorf("click of %s: plan %q, want %q", c.User, c.Plan, want)
			}
			out[c.User] = append(out[c.User], c.Seq)
		}
		return out
	}
	// Four answers while the slow user's lookup hangs: none of them its.
	early := seqs(k.Wait(t, app.ClicksEnriched, 4))
	if fmt.Sprint(early) != "map[ada:[1 2] bob:[1 2]]" {
		t.Fatalf("answered while the slow user hangs: %v, want ada's and bob's clicks in order", early)
	}
	dir.unblock()
	all := seqs(k.Wait(t, app.ClicksEnriched, 6))
	if fmt.Sprint(all) != "map[ada:[1 2] bob:[1 2] slow:[1 2]]" {
		t.Fatalf("answered: %v, want every user's clicks in order", all)
	}
}
