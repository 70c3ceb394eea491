package topology

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Defaults are the application-wide settings routes inherit.
type Defaults struct {
	// AppName prefixes default consumer groups: "<AppName>_<topic>".
	AppName string
	// Group, when set, is the consumer group of every route that does not
	// name its own: all those routes share one group membership (one Kafka
	// client) instead of one each.
	Group string
	// StartFromBeginning applies to routes with StartDefault.
	StartFromBeginning bool
	Retry              supervision.RetryPolicy
	Supervision        supervision.Config
	// DeadLetterPattern makes a route's dead letter topic; "%s" is replaced by
	// the route's topic ("%s_dlq" by default). Empty disables dead letters.
	DeadLetterPattern string
	// Registry is searched for responders by naming convention; may be nil.
	Registry *responders.Registry
	// BatchSize bounds the batches of BatchController routes that set no
	// BatchSize of their own (the application's consumer.batch_size).
	BatchSize int
	// Guarantee is the guarantee of routes that declare none; empty:
	// AtLeastOnce.
	Guarantee Guarantee
}

// Resolved is a route with every default filled in, as the runtime runs it.
type Resolved struct {
	Route
	ControllerName     string
	ResponderName      string
	ResponderTopics    []responders.Topic
	StartFromBeginning bool
	RetryPolicy        supervision.RetryPolicy
	SupervisionConfig  supervision.Config
	// DeadLetter is the dead letter topic, "" when disabled.
	DeadLetter string
	// Guarantee is AtLeastOnce or ExactlyOnce (the Route's, else the
	// Defaults').
	Guarantee Guarantee
}

// Batch reports whether the route has a BatchController: its messages go to
// the controller a batch of at most BatchSize at a time (the route's
// BatchSize, else Defaults.BatchSize; 0 when neither is set: no bound of
// the route's own).
func (r *Resolved) Batch() bool { return r.BatchController != nil }

// Resolve validates routes and fills their defaults. It reports every problem
// at once: the error is an errors.Join of *RouteError values, one per
// problem, so every line of its message names its route.
func Resolve(routes []Route, d Defaults) ([]Resolved, error) {
	if len(routes) == 0 {
		return nil, fmt.Errorf("%w: declare at least one route", ErrNoRoutes)
	}
	var errs []error
	// fail records one RouteError per problem: a cause that joins several
	// (errors.Join) becomes several, each naming the route, with context
	// (such as "responder X") in front of each.
	fail := func(i int, topic string, err error, context ...string) {
		for _, e := range problems(err) {
			if len(context) > 0 {
				e = fmt.Errorf("%s: %w", context[0], e)
			}
			errs = append(errs, &RouteError{Index: i, Topic: topic, Err: e})
		}
	}
	seen := make(map[string]int, len(routes))
	groups := make(map[string]int, len(routes)) // group → index in out of its first route
	out := make([]Resolved, 0, len(routes))
	for i, r := range routes {
		res := Resolved{Route: r}
		if err := responders.CheckTopicName(r.Topic); err != nil {
			fail(i, r.Topic, err)
		}
		if first, dup := seen[r.Topic]; dup {
			fail(i, r.Topic, fmt.Errorf("%w: also declared by route #%d", ErrDuplicateTopic, first+1))
		} else {
			seen[r.Topic] = i
		}
		if res.Group == "" {
			res.Group = d.Group
		}
		if res.Group == "" {
			res.Group = d.AppName + "_" + r.Topic
		}
		if res.Parser == nil {
			res.Parser = params.JSON
		}
		res.StartFromBeginning = r.StartFrom == StartBeginning || (r.StartFrom == StartDefault && d.StartFromBeginning)
		if first, ok := groups[res.Group]; ok && out[first].StartFromBeginning != res.StartFromBeginning {
			fail(i, r.Topic, fmt.Errorf("%w: shares group %q with route #%d (topic %q) but not where it starts reading",
				ErrGroupConflict, res.Group, first+1, out[first].Topic))
		} else if !ok {
			groups[res.Group] = len(out)
		}
		res.Guarantee = r.Guarantee
		if res.Guarantee == GuaranteeDefault {
			res.Guarantee = d.Guarantee
		}
		if res.Guarantee == GuaranteeDefault {
			res.Guarantee = AtLeastOnce
		}
		if !res.Guarantee.Valid() {
			fail(i, r.Topic, fmt.Errorf("%w: guarantee %q (allowed: at_least_once, exactly_once)", ErrInvalidRoute, res.Guarantee))
		} else if first, ok := groups[res.Group]; ok && first < len(out) && out[first].Guarantee != res.Guarantee {
			fail(i, r.Topic, fmt.Errorf("%w: shares group %q with route #%d (topic %q) but not its processing guarantee (%s, not %s)",
				ErrGroupConflict, res.Group, first+1, out[first].Topic, res.Guarantee, out[first].Guarantee))
		}

		res.RetryPolicy = d.Retry
		if r.Retry != nil {
			res.RetryPolicy = *r.Retry
		}
		if err := res.RetryPolicy.Validate(); err != nil {
			fail(i, r.Topic, err)
		}
		res.SupervisionConfig = d.Supervision
		if r.Supervision != nil {
			res.SupervisionConfig = *r.Supervision
		}
		if err := res.SupervisionConfig.Validate("supervision"); err != nil {
			fail(i, r.Topic, err)
		}
		switch {
		case r.DisableDeadLetter:
		case r.DeadLetterTopic != "":
			res.DeadLetter = r.DeadLetterTopic
		case d.DeadLetterPattern != "":
			res.DeadLetter = strings.ReplaceAll(d.DeadLetterPattern, "%s", r.Topic)
		}
		if res.DeadLetter != "" {
			if err := responders.CheckTopicName(res.DeadLetter); err != nil {
				fail(i, r.Topic, fmt.Errorf("dead letter topic: %w", err))
			} else if res.DeadLetter == r.Topic {
				fail(i, r.Topic, fmt.Errorf("dead letter topic %q is the route's own topic", res.DeadLetter))
			}
		}

		specErr := func(what string, spec TopicSpec) {
			for _, e := range spec.validate() {
				fail(i, r.Topic, fmt.Errorf("%w: %s: %w", ErrInvalidTopicSpec, what, e))
			}
		}
		specErr("topic_spec", r.TopicSpec)
		if res.DeadLetter == "" && !r.DeadLetterSpec.IsZero() {
			fail(i, r.Topic, fmt.Errorf("%w: dead_letter_spec: declared but the route has no dead letter topic", ErrInvalidTopicSpec))
		} else {
			specErr(fmt.Sprintf("dead_letter_spec (topic %q)", res.DeadLetter), r.DeadLetterSpec)
		}

		if r.Timeout < 0 {
			fail(i, r.Topic, fmt.Errorf("%w: timeout %v is negative", ErrInvalidRoute, r.Timeout))
		}
		res.ControllerName = resolveController(r, func(err error) { fail(i, r.Topic, err) })
		if r.BatchSize < 0 {
			fail(i, r.Topic, fmt.Errorf("%w: batch_size %d is negative", ErrInvalidRoute, r.BatchSize))
		}
		if v := r.VirtualPartitions; v != nil {
			for _, err := range v.validate(r) {
				fail(i, r.Topic, err)
			}
		}
		if r.BatchController != nil && res.BatchSize == 0 {
			res.BatchSize = d.BatchSize
		}
		if res.Responder == nil && d.Registry != nil && res.ControllerName != "" {
			if f, name, ok := d.Registry.ForController(res.ControllerName); ok {
				res.Responder, res.ResponderName = f, name
			}
		}
		if res.Responder != nil {
			resp := res.Responder()
			if resp == nil {
				fail(i, r.Topic, ErrNilResponder)
			} else {
				if res.ResponderName == "" {
					res.ResponderName = typeName(resp)
				}
				res.ResponderTopics = resp.Topics()
				if err := responders.ValidateTopics(res.ResponderTopics); err != nil {
					fail(i, r.Topic, err, "responder "+res.ResponderName)
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(r.ResponseSpecs)) {
			if !slices.ContainsFunc(res.ResponderTopics, func(t responders.Topic) bool { return t.Name == name }) {
				fail(i, r.Topic, fmt.Errorf("%w: response_specs: %q is not a topic of the route's responder", ErrInvalidTopicSpec, name))
				continue
			}
			specErr(fmt.Sprintf("response_specs (topic %q)", name), r.ResponseSpecs[name])
		}
		out = append(out, res)
	}
	if len(errs) == 0 {
		// Only when each route is valid: a conflict is then the last problem.
		_, conflicts := mergeDecls(out)
		for _, e := range conflicts {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// resolveController checks that r declares exactly one controller kind and
// that its factory makes one, and returns the controller's name.
func resolveController(r Route, fail func(error)) string {
	switch {
	case r.Controller != nil && r.BatchController != nil:
		fail(fmt.Errorf("%w: declare one of them", ErrTwoControllers))
	case r.Controller != nil:
		if r.BatchSize != 0 {
			fail(fmt.Errorf("%w: batch_size %d is set but the route has no BatchController", ErrInvalidRoute, r.BatchSize))
		}
		c := r.Controller()
		if c == nil {
			fail(ErrNilController)
		}
		return controllers.Name(c)
	case r.BatchController != nil:
		c := r.BatchController()
		if c == nil {
			fail(fmt.Errorf("batch controller: %w", ErrNilController))
		}
		return controllers.BatchName(c)
	default:
		fail(fmt.Errorf("%w: declare Controller or BatchController", ErrMissingController))
	}
	return ""
}

// problems flattens err into its single problems: an error that is only a
// list of errors (errors.Join: its message is theirs, one per line) is split,
// nested lists included. Any other error is one problem.
func problems(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	parts := j.Unwrap()
	msgs := make([]string, len(parts))
	for i, e := range parts {
		msgs[i] = e.Error()
	}
	if len(parts) < 2 || err.Error() != strings.Join(msgs, "\n") {
		return []error{err}
	}
	var out []error
	for _, e := range parts {
		out = append(out, problems(e)...)
	}
	return out
}
