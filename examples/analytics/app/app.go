// Package app holds the routes of the analytics example: a batch route with
// a batch responder, and a route on virtual partitions.
//
//	page_views (batches of up to 500) => page_views_seen  (optional: one per view)
//	                                     page_view_counts (optional: one per batch)
//	clicks (8 virtual actors per partition, by user) => clicks_enriched (always, exactly once)
//
// # A batch responder
//
// PageViewsController gets the views of one partition a batch at a time.
// It answers each view with ctx.RespondTo(i, view), produced with that
// view's message, and the whole batch once with ctx.RespondWith(counts),
// produced with the batch's first message. Every RespondTo and every
// RespondWith call is one run of the responder, and each run is validated
// on its own against the responder's topics: a Required topic must be used
// by every run, the per-batch one included. PageViewsResponder's two topics
// are each used by one kind of run only, so both are Optional: declaring
// page_views_seen Required would fail every batch at its per-batch
// response ("per-batch response: ... required topic not used"), and so
// dead-letter every view. Nothing a batch responds is sent unless Consume
// returned nil and every run was valid; a failed batch is retried, then
// narrowed down until the message that fails it is dead-lettered alone.
//
// # Virtual partitions
//
// ClicksController looks each click's user up in a Directory (a remote
// service, slow at times) before it answers. On a plain route one slow
// lookup would hold up every click behind it in its partition; with
// VirtualPartitions the clicks of one partition run on up to 8 actors at
// once, spread by the virtual key (here the payload's user), so a slow
// user holds up only the clicks that share its actor, while the clicks of
// one user keep their order. Offsets are still committed in order: the
// commit waits for the slowest.
package app

import (
	"context"
	"fmt"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Topics of this example.
const (
	PageViews      = "page_views"
	PageViewsSeen  = "page_views_seen"
	PageViewCounts = "page_view_counts"
	Clicks         = "clicks"
	ClicksEnriched = "clicks_enriched"
)

// PageView is the input of page_views, and what page_views_seen gets.
type PageView struct {
	Page string `json:"page"`
	User string `json:"user"`
}

// Counts is what page_view_counts gets for each batch.
type Counts struct {
	Views int            `json:"views"`
	Pages map[string]int `json:"pages"`
}

// PageViewsController answers each view and counts the views of its batch.
type PageViewsController struct{}

// Consume answers each view (RespondTo) and the batch (RespondWith). A
// view without a page fails the batch: retried, then narrowed down to that
// view, which is dead-lettered; the others are answered.
func (PageViewsController) Consume(ctx *controllers.BatchContext) error {
	counts := Counts{Pages: map[string]int{}}
	for i, m := range ctx.Messages {
		var v PageView
		if err := m.Decode(&v); err != nil {
			return err
		}
		if v.Page == "" {
			return fmt.Errorf("offset %d: a page view without a page", m.Metadata().Offset)
		}
		ctx.RespondTo(i, v)
		counts.Views++
		counts.Pages[v.Page]++
	}
	ctx.RespondWith(counts)
	return nil
}

// PageViewsResponder sends a view to page_views_seen and a batch's counts
// to page_view_counts.
type PageViewsResponder struct{}

// Topics declares both topics Optional: each run of the responder (one per
// RespondTo or RespondWith call) uses one of them, and a Required topic
// would have to be used by every run.
func (PageViewsResponder) Topics() []responders.Topic {
	return []responders.Topic{responders.Optional(PageViewsSeen), responders.Optional(PageViewCounts)}
}

// Respond sends a PageView keyed by its page, or the Counts of a batch.
func (PageViewsResponder) Respond(out *responders.Output, args ...any) error {
	if len(args) != 1 {
		return fmt.Errorf("want one PageView or Counts, got %v", args)
	}
	switch v := args[0].(type) {
	case PageView:
		out.RespondTo(PageViewsSeen, v, responders.Key(v.Page))
	case Counts:
		out.RespondTo(PageViewCounts, v)
	default:
		return fmt.Errorf("want a PageView or Counts, got %T", v)
	}
	return nil
}

// Click is the input of clicks.
type Click struct {
	User   string `json:"user"`
	Target string `json:"target"`
	Seq    int    `json:"seq"` // the user's click number, for the order
}

// EnrichedClick is a click with its user's plan, what clicks_enriched gets.
type EnrichedClick struct {
	Click
	Plan string `json:"plan"`
}

// Directory tells a user's plan: a remote service, slow at times.
type Directory interface {
	Plan(ctx context.Context, user string) (string, error)
}

// Plans is a Directory in memory: "free" for users it does not list.
type Plans map[string]string

// Plan returns the user's plan.
func (p Plans) Plan(_ context.Context, user string) (string, error) {
	if plan, ok := p[user]; ok {
		return plan, nil
	}
	return "free", nil
}

// ClicksController answers a click with its user's plan.
type ClicksController struct{ Directory Directory }

// Perform looks the user up and answers the enriched click. The controller's
// context is cancelled at shutdown past the drain timeout, which ends a
// lookup that hangs.
func (c ClicksController) Perform(ctx *controllers.Context) error {
	var k Click
	if err := ctx.Params.Decode(&k); err != nil {
		return err
	}
	plan, err := c.Directory.Plan(ctx, k.User)
	if err != nil {
		return fmt.Errorf("plan of %q: %w", k.User, err)
	}
	ctx.RespondWith(EnrichedClick{Click: k, Plan: plan})
	return nil
}

// ClicksResponder sends an enriched click, keyed by its user.
type ClicksResponder struct{}

// Topics declares clicks_enriched, which every click's response uses.
func (ClicksResponder) Topics() []responders.Topic {
	return []responders.Topic{responders.Required(ClicksEnriched)}
}

// Respond sends the click.
func (ClicksResponder) Respond(out *responders.Output, args ...any) error {
	c, ok := args[0].(EnrichedClick)
	if !ok || len(args) != 1 {
		return fmt.Errorf("want one EnrichedClick, got %v", args)
	}
	out.RespondTo(ClicksEnriched, c, responders.Key(c.User))
	return nil
}

// ClickUser is the clicks route's virtual key: the payload's user (the
// records may have no key, or another one).
func ClickUser(p *params.Params) []byte {
	user, _ := p.String("user")
	return []byte(user)
}

// Routes returns the example's routes; dir answers the clicks route's
// lookups.
func Routes(dir Directory) []topology.Route {
	return []topology.Route{
		{
			Topic:           PageViews,
			BatchController: func() controllers.BatchController { return PageViewsController{} },
			BatchSize:       500,
			Responder:       func() responders.Responder { return PageViewsResponder{} },
		},
		{
			Topic:             Clicks,
			Controller:        func() controllers.Controller { return ClicksController{Directory: dir} },
			Responder:         func() responders.Responder { return ClicksResponder{} },
			VirtualPartitions: &topology.VirtualPartitions{Max: 8, Key: ClickUser},
		},
	}
}

// Register adds the example's routes, the clicks route looking users up in
// dir.
func Register(app *karafka.App, dir Directory) error {
	app.Route(Routes(dir)...)
	return nil
}
