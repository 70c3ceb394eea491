package topology_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

type UsersCreatedController struct{}

func (UsersCreatedController) Perform(*controllers.Context) error { return nil }

func ctrl() controllers.Controller { return UsersCreatedController{} }

func defaults() topology.Defaults {
	return topology.Defaults{
		AppName: "app", StartFromBeginning: true, Retry: supervision.DefaultRetryPolicy(),
		Supervision: supervision.DefaultConfig(), DeadLetterPattern: "%s_dlq",
	}
}

func TestResolve_fillsDefaults(t *testing.T) {
	reg := responders.NewRegistry()
	if err := reg.Register("UsersCreatedResponder", func() responders.Responder {
		return responders.Func([]responders.Topic{responders.Required("users_welcomed")}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	d := defaults()
	d.Registry = reg
	got, err := topology.Resolve([]topology.Route{{Topic: "users_created", Controller: ctrl}}, d)
	if err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Group != "app_users_created" || r.Parser != params.JSON || !r.StartFromBeginning || r.DeadLetter != "users_created_dlq" {
		t.Fatalf("defaults not applied: group %q parser %v start %v dlq %q", r.Group, r.Parser, r.StartFromBeginning, r.DeadLetter)
	}
	if r.ControllerName != "UsersCreatedController" || r.ResponderName != "UsersCreatedResponder" || len(r.ResponderTopics) != 1 {
		t.Fatalf("responder by convention: controller %q responder %q topics %v", r.ControllerName, r.ResponderName, r.ResponderTopics)
	}
}

func TestResolve_overrides(t *testing.T) {
	retry := supervision.RetryPolicy{Attempts: 7, Backoff: supervision.DefaultBackoff()}
	got, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl, Group: "custom", Parser: params.Raw, StartFrom: topology.StartEnd, Retry: &retry, DeadLetterTopic: "graveyard"},
		{Topic: "b", Controller: ctrl, DisableDeadLetter: true},
	}, defaults())
	if err != nil {
		t.Fatal(err)
	}
	a, b := got[0], got[1]
	if a.Group != "custom" || a.Parser != params.Raw || a.StartFromBeginning || a.RetryPolicy.Attempts != 7 || a.DeadLetter != "graveyard" {
		t.Fatalf("overrides not kept: %+v", a)
	}
	if b.DeadLetter != "" {
		t.Fatalf("dead letter not disabled: %q", b.DeadLetter)
	}
}

func TestResolve_reportsEveryProblemNamingTheRoute(t *testing.T) {
	bad := func() responders.Responder {
		return responders.Func([]responders.Topic{responders.Required("bad topic!")}, nil)
	}
	_, err := topology.Resolve([]topology.Route{
		{Topic: "in valid", Controller: ctrl},
		{Topic: "dup", Controller: ctrl},
		{Topic: "dup", Controller: ctrl},
		{Topic: "nocontroller"},
		{Topic: "badresponder", Controller: ctrl, Responder: bad},
	}, defaults())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []error{responders.ErrInvalidTopicName, topology.ErrDuplicateTopic, topology.ErrMissingController, topology.ErrInvalidRoute} {
		if !errors.Is(err, want) {
			t.Errorf("error does not match %v:\n%v", want, err)
		}
	}
	for _, name := range []string{`"in valid"`, `"dup"`, `"nocontroller"`, `"badresponder"`, `"bad topic!"`} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
	var re *topology.RouteError
	if !errors.As(err, &re) {
		t.Fatal("not a RouteError")
	}
}

func TestResolve_noRoutes(t *testing.T) {
	if _, err := topology.Resolve(nil, defaults()); !errors.Is(err, topology.ErrNoRoutes) {
		t.Fatalf("got %v", err)
	}
}

func TestResolve_sharedGroup(t *testing.T) {
	d := defaults()
	d.Group = "all"
	got, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl}, {Topic: "b", Controller: ctrl}, {Topic: "c", Controller: ctrl, Group: "own"},
	}, d)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Group != "all" || got[1].Group != "all" || got[2].Group != "own" {
		t.Fatalf("groups %q %q %q", got[0].Group, got[1].Group, got[2].Group)
	}
	_, err = topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl}, {Topic: "b", Controller: ctrl, StartFrom: topology.StartEnd},
	}, d)
	if !errors.Is(err, topology.ErrGroupConflict) || !strings.Contains(err.Error(), `"all"`) {
		t.Fatalf("got %v, want a group conflict naming the group", err)
	}
}

// A route's guarantee is its own, else the application's, else
// at-least-once; routes of one group must agree, and an unknown one is
// reported.
func TestResolve_guarantee(t *testing.T) {
	d := defaults()
	got, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl}, {Topic: "b", Controller: ctrl, Guarantee: topology.ExactlyOnce},
	}, d)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Guarantee != topology.AtLeastOnce || got[1].Guarantee != topology.ExactlyOnce {
		t.Fatalf("guarantees %q %q", got[0].Guarantee, got[1].Guarantee)
	}
	d.Guarantee = topology.ExactlyOnce
	got, err = topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl}, {Topic: "b", Controller: ctrl, Guarantee: topology.AtLeastOnce},
	}, d)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Guarantee != topology.ExactlyOnce || got[1].Guarantee != topology.AtLeastOnce {
		t.Fatalf("with an exactly-once default: guarantees %q %q", got[0].Guarantee, got[1].Guarantee)
	}
	d.Group = "all"
	_, err = topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl}, {Topic: "b", Controller: ctrl, Guarantee: topology.AtLeastOnce},
	}, d)
	if !errors.Is(err, topology.ErrGroupConflict) || !strings.Contains(err.Error(), "processing guarantee") {
		t.Fatalf("got %v, want a group conflict naming the guarantee", err)
	}
	_, err = topology.Resolve([]topology.Route{{Topic: "a", Controller: ctrl, Guarantee: "twice"}}, defaults())
	if !errors.Is(err, topology.ErrInvalidRoute) || !strings.Contains(err.Error(), `"twice"`) {
		t.Fatalf("got %v, want an invalid guarantee", err)
	}
}

// A responder with several invalid topics: every problem is its own error,
// each naming the route and the topic.
func TestResolve_responderTopicErrorsEachNameTheRoute(t *testing.T) {
	bad := func() responders.Responder {
		return responders.Func([]responders.Topic{
			responders.Required("bad topic!"), responders.Optional(""), responders.Optional("twice"), responders.Optional("twice"),
			responders.Optional("fine"),
		}, nil)
	}
	_, err := topology.Resolve([]topology.Route{
		{Topic: "good", Controller: ctrl},
		{Topic: "orders", Controller: ctrl, Responder: bad},
	}, defaults())
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want one per problem (3):\n%v", len(lines), err)
	}
	var re *topology.RouteError
	if !errors.As(err, &re) || strings.Contains(re.Error(), "\n") {
		t.Fatalf("the first RouteError %q holds more than one problem", re)
	}
	for i, want := range []string{`"bad topic!"`, `""`, `"twice"`} {
		if !strings.HasPrefix(lines[i], `route #2 (topic "orders"): responder `) || !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q does not name the route and %s", i+1, lines[i], want)
		}
	}
	for _, want := range []error{responders.ErrInvalidTopicName, responders.ErrDuplicateTopic, topology.ErrInvalidRoute} {
		if !errors.Is(err, want) {
			t.Errorf("error does not match %v:\n%v", want, err)
		}
	}
}

// Settings that report several problems at once (a route's supervision)
// give one error per problem, each naming the route.
func TestResolve_severalSettingProblemsEachNameTheRoute(t *testing.T) {
	sup := supervision.Config{Strategy: "nope", MaxRestarts: -1, Within: time.Minute}
	_, err := topology.Resolve([]topology.Route{{Topic: "orders", Controller: ctrl, Supervision: &sup}}, defaults())
	lines := strings.Split(fmt.Sprint(err), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%v", len(lines), err)
	}
	for i, key := range []string{"supervision.strategy", "supervision.max_restarts"} {
		if !strings.HasPrefix(lines[i], `route #1 (topic "orders"): `) || !strings.Contains(lines[i], key) {
			t.Errorf("line %d %q does not name the route and %s", i+1, lines[i], key)
		}
	}
}

type VisitsTrackController struct{}

func (VisitsTrackController) Consume(*controllers.BatchContext) error { return nil }

func batchCtrl() controllers.BatchController { return VisitsTrackController{} }

func TestResolve_batchController(t *testing.T) {
	d := defaults()
	d.BatchSize = 500
	got, err := topology.Resolve([]topology.Route{
		{Topic: "visits", BatchController: batchCtrl},
		{Topic: "small", BatchController: batchCtrl, BatchSize: 10},
		{Topic: "users", Controller: ctrl},
	}, d)
	if err != nil {
		t.Fatal(err)
	}
	if v := got[0]; !v.Batch() || v.BatchSize != 500 || v.ControllerName != "VisitsTrackController" {
		t.Fatalf("batch route: batch %v size %d name %q", v.Batch(), v.BatchSize, v.ControllerName)
	}
	if s := got[1]; s.BatchSize != 10 {
		t.Fatalf("route's own batch size: %d", s.BatchSize)
	}
	if u := got[2]; u.Batch() || u.BatchSize != 0 {
		t.Fatalf("per-message route: batch %v size %d", u.Batch(), u.BatchSize)
	}
}

// Each way a route gets its controller kind wrong is one RouteError naming
// the route and saying what to do.
func TestResolve_controllerKindErrors(t *testing.T) {
	cases := []struct {
		name  string
		route topology.Route
		want  error
		text  string
	}{
		{"neither", topology.Route{Topic: "orders"}, topology.ErrMissingController, "declare Controller or BatchController"},
		{"both", topology.Route{Topic: "orders", Controller: ctrl, BatchController: batchCtrl}, topology.ErrTwoControllers, "declare one of them"},
		{"nil batch controller", topology.Route{Topic: "orders", BatchController: func() controllers.BatchController { return nil }},
			topology.ErrNilController, "batch controller: "},
		{"negative batch size", topology.Route{Topic: "orders", BatchController: batchCtrl, BatchSize: -1}, topology.ErrInvalidRoute, "batch_size -1 is negative"},
		{"batch size without batch controller", topology.Route{Topic: "orders", Controller: ctrl, BatchSize: 5},
			topology.ErrInvalidRoute, "batch_size 5 is set but the route has no BatchController"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := topology.Resolve([]topology.Route{{Topic: "fine", Controller: ctrl}, c.route}, defaults())
			var re *topology.RouteError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || re.Index != 1 {
				t.Fatalf("got %v, want a RouteError of route #2 matching %v", err, c.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, `route #2 (topic "orders"): `) || !strings.Contains(msg, c.text) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming the route and %q", msg, c.text)
			}
		})
	}
}

func TestResolve_virtualPartitions(t *testing.T) {
	key := func(p *params.Params) []byte { return p.Metadata().Key }
	got, err := topology.Resolve([]topology.Route{
		{Topic: "orders", Controller: ctrl, VirtualPartitions: &topology.VirtualPartitions{Max: 8, Key: key}},
		{Topic: "users", Controller: ctrl},
	}, defaults())
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := got[0].Virtual(); !ok || n != 8 {
		t.Fatalf("orders: Virtual() = %d, %v; want 8, true", n, ok)
	}
	if n, ok := got[1].Virtual(); ok || n != 0 {
		t.Fatalf("users: Virtual() = %d, %v; want 0, false", n, ok)
	}
}

// Each way a route gets its virtual partitions wrong is one RouteError
// naming the route.
func TestResolve_virtualPartitionErrors(t *testing.T) {
	cases := []struct {
		name  string
		route topology.Route
		want  error
		text  string
	}{
		{"zero", topology.Route{Topic: "orders", Controller: ctrl, VirtualPartitions: &topology.VirtualPartitions{}},
			topology.ErrInvalidRoute, "virtual_partitions.max 0 is not between 1 and 256"},
		{"negative", topology.Route{Topic: "orders", Controller: ctrl, VirtualPartitions: &topology.VirtualPartitions{Max: -2}},
			topology.ErrInvalidRoute, "virtual_partitions.max -2 is not between 1 and 256"},
		{"too many", topology.Route{Topic: "orders", Controller: ctrl, VirtualPartitions: &topology.VirtualPartitions{Max: topology.MaxVirtualPartitions + 1}},
			topology.ErrInvalidRoute, "virtual_partitions.max 257 is not between 1 and 256"},
		{"batch controller", topology.Route{Topic: "orders", BatchController: batchCtrl, VirtualPartitions: &topology.VirtualPartitions{Max: 4}},
			topology.ErrVirtualBatch, "virtual partitions with a BatchController: not supported yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := topology.Resolve([]topology.Route{{Topic: "fine", Controller: ctrl}, c.route}, defaults())
			var re *topology.RouteError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || re.Index != 1 {
				t.Fatalf("got %v, want a RouteError of route #2 matching %v", err, c.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, `route #2 (topic "orders"): `) || !strings.Contains(msg, c.text) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming the route and %q", msg, c.text)
			}
		})
	}
}
