package topology_test

import (
	"errors"
	"strings"
	"testing"

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
