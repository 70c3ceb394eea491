package topology

import (
	"cmp"
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
	rs := &resolver{d: d, seen: make(map[string]int, len(routes)), groups: make(map[string]int, len(routes)),
		out: make([]Resolved, 0, len(routes))}
	for i, r := range routes {
		rt := &routeResolution{resolver: rs, i: i, r: r, res: Resolved{Route: r}}
		for _, rule := range rules {
			rule(rt)
		}
		rs.out = append(rs.out, rt.res)
	}
	if len(rs.errs) == 0 {
		// Only when each route is valid: a conflict is then the last problem.
		_, conflicts := mergeDecls(rs.out)
		for _, e := range conflicts {
			rs.errs = append(rs.errs, e)
		}
	}
	if len(rs.errs) > 0 {
		return nil, errors.Join(rs.errs...)
	}
	return rs.out, nil
}

// resolver is the state of one Resolve: the problems found so far and what
// the routes resolved before the current one declared.
type resolver struct {
	d      Defaults
	errs   []error
	seen   map[string]int // topic → index of its first route
	groups map[string]int // group → index in out of its first route
	out    []Resolved
}

// routeResolution is one route being resolved: rules read r and fill res.
type routeResolution struct {
	*resolver
	i   int
	r   Route
	res Resolved
}

// rules check and fill a route, in this order (which is the order of the
// problems they report).
var rules = []func(*routeResolution){
	(*routeResolution).checkTopic,
	(*routeResolution).resolveGroup,
	(*routeResolution).resolveParser,
	(*routeResolution).resolveGuarantee,
	(*routeResolution).resolveRetry,
	(*routeResolution).resolveSupervision,
	(*routeResolution).resolveDeadLetter,
	(*routeResolution).checkTopicSpecs,
	(*routeResolution).checkTimeout,
	(*routeResolution).resolveControllerName,
	(*routeResolution).resolveBatchSize,
	(*routeResolution).checkVirtualPartitions,
	(*routeResolution).resolveResponder,
	(*routeResolution).checkResponseSpecs,
}

// fail records one RouteError per problem: a cause that joins several
// (errors.Join) becomes several, each naming the route, with context (such
// as "responder X") in front of each.
func (rt *routeResolution) fail(err error, context ...string) {
	for _, e := range problems(err) {
		if len(context) > 0 {
			e = fmt.Errorf("%s: %w", context[0], e)
		}
		rt.errs = append(rt.errs, &RouteError{Index: rt.i, Topic: rt.r.Topic, Err: e})
	}
}

// checkTopic: the topic is a valid name that no earlier route declared.
func (rt *routeResolution) checkTopic() {
	if err := responders.CheckTopicName(rt.r.Topic); err != nil {
		rt.fail(err)
	}
	if first, dup := rt.seen[rt.r.Topic]; dup {
		rt.fail(fmt.Errorf("%w: also declared by route #%d", ErrDuplicateTopic, first+1))
	} else {
		rt.seen[rt.r.Topic] = rt.i
	}
}

// resolveParser fills the parser: JSON unless the route has one.
func (rt *routeResolution) resolveParser() {
	if rt.res.Parser == nil {
		rt.res.Parser = params.JSON
	}
	// A parser that needs something set up (a schema registry) says
	// whether it is, so a route fails here rather than at its first record.
	if u, ok := rt.res.Parser.(interface{ Usable() error }); ok {
		if err := u.Usable(); err != nil {
			rt.fail(err, fmt.Sprintf("parser %q", rt.res.Parser.Name()))
		}
	}
}

// resolveGroup fills the group and where the route starts reading, which
// must be that of the group's other routes.
func (rt *routeResolution) resolveGroup() {
	res, r := &rt.res, rt.r
	res.Group = cmp.Or(res.Group, rt.d.Group, rt.d.AppName+"_"+r.Topic)
	res.StartFromBeginning = r.StartFrom == StartBeginning || (r.StartFrom == StartDefault && rt.d.StartFromBeginning)
	if first, ok := rt.groups[res.Group]; ok && rt.out[first].StartFromBeginning != res.StartFromBeginning {
		rt.fail(fmt.Errorf("%w: shares group %q with route #%d (topic %q) but not where it starts reading",
			ErrGroupConflict, res.Group, first+1, rt.out[first].Topic))
	} else if !ok {
		rt.groups[res.Group] = len(rt.out)
	}
}

// resolveGuarantee fills the processing guarantee, which must be valid and
// that of the group's other routes.
func (rt *routeResolution) resolveGuarantee() {
	res := &rt.res
	res.Guarantee = cmp.Or(rt.r.Guarantee, rt.d.Guarantee, AtLeastOnce)
	if !res.Guarantee.Valid() {
		rt.fail(fmt.Errorf("%w: guarantee %q (allowed: at_least_once, exactly_once)", ErrInvalidRoute, res.Guarantee))
	} else if first, ok := rt.groups[res.Group]; ok && first < len(rt.out) && rt.out[first].Guarantee != res.Guarantee {
		rt.fail(fmt.Errorf("%w: shares group %q with route #%d (topic %q) but not its processing guarantee (%s, not %s)",
			ErrGroupConflict, res.Group, first+1, rt.out[first].Topic, res.Guarantee, rt.out[first].Guarantee))
	}
}

// resolveRetry fills the retry policy (the route's, else the default) and
// validates it.
func (rt *routeResolution) resolveRetry() {
	rt.res.RetryPolicy = rt.d.Retry
	if rt.r.Retry != nil {
		rt.res.RetryPolicy = *rt.r.Retry
	}
	if err := rt.res.RetryPolicy.Validate(); err != nil {
		rt.fail(err)
	}
}

// resolveSupervision fills the supervision config (the route's, else the
// default) and validates it.
func (rt *routeResolution) resolveSupervision() {
	rt.res.SupervisionConfig = rt.d.Supervision
	if rt.r.Supervision != nil {
		rt.res.SupervisionConfig = *rt.r.Supervision
	}
	if err := rt.res.SupervisionConfig.Validate("supervision"); err != nil {
		rt.fail(err)
	}
}

// resolveDeadLetter fills the dead letter topic: none when disabled, the
// route's, else the pattern's; it must be a valid topic other than the
// route's own.
func (rt *routeResolution) resolveDeadLetter() {
	r, res := rt.r, &rt.res
	switch {
	case r.DisableDeadLetter:
	case r.DeadLetterTopic != "":
		res.DeadLetter = r.DeadLetterTopic
	case rt.d.DeadLetterPattern != "":
		res.DeadLetter = strings.ReplaceAll(rt.d.DeadLetterPattern, "%s", r.Topic)
	}
	if res.DeadLetter == "" {
		return
	}
	if err := responders.CheckTopicName(res.DeadLetter); err != nil {
		rt.fail(fmt.Errorf("dead letter topic: %w", err))
	} else if res.DeadLetter == r.Topic {
		rt.fail(fmt.Errorf("dead letter topic %q is the route's own topic", res.DeadLetter))
	}
}

// checkSpec reports each problem of spec, what naming which spec it is.
func (rt *routeResolution) checkSpec(what string, spec TopicSpec) {
	for _, e := range spec.validate() {
		rt.fail(fmt.Errorf("%w: %s: %w", ErrInvalidTopicSpec, what, e))
	}
}

// checkTopicSpecs validates the route's topic spec and its dead letter
// spec, which needs a dead letter topic.
func (rt *routeResolution) checkTopicSpecs() {
	rt.checkSpec("topic_spec", rt.r.TopicSpec)
	if rt.res.DeadLetter == "" && !rt.r.DeadLetterSpec.IsZero() {
		rt.fail(fmt.Errorf("%w: dead_letter_spec: declared but the route has no dead letter topic", ErrInvalidTopicSpec))
	} else {
		rt.checkSpec(fmt.Sprintf("dead_letter_spec (topic %q)", rt.res.DeadLetter), rt.r.DeadLetterSpec)
	}
}

// checkTimeout: the route's timeout is not negative.
func (rt *routeResolution) checkTimeout() {
	if rt.r.Timeout < 0 {
		rt.fail(fmt.Errorf("%w: timeout %v is negative", ErrInvalidRoute, rt.r.Timeout))
	}
}

// resolveControllerName checks the controller (resolveController) and fills
// its name.
func (rt *routeResolution) resolveControllerName() {
	rt.res.ControllerName = resolveController(rt.r, func(err error) { rt.fail(err) })
}

// resolveBatchSize: the batch size is not negative; a batch route without
// one gets the default.
func (rt *routeResolution) resolveBatchSize() {
	if rt.r.BatchSize < 0 {
		rt.fail(fmt.Errorf("%w: batch_size %d is negative", ErrInvalidRoute, rt.r.BatchSize))
	}
	if rt.r.BatchController != nil && rt.res.BatchSize == 0 {
		rt.res.BatchSize = rt.d.BatchSize
	}
}

// checkVirtualPartitions validates the virtual partitions, if declared.
func (rt *routeResolution) checkVirtualPartitions() {
	if v := rt.r.VirtualPartitions; v != nil {
		for _, err := range v.validate(rt.r) {
			rt.fail(err)
		}
	}
}

// resolveResponder fills the responder (the route's, else the registry's
// for the controller), its name and its topics, which must be valid.
func (rt *routeResolution) resolveResponder() {
	res := &rt.res
	if res.Responder == nil && rt.d.Registry != nil && res.ControllerName != "" {
		if f, name, ok := rt.d.Registry.ForController(res.ControllerName); ok {
			res.Responder, res.ResponderName = f, name
		}
	}
	if res.Responder == nil {
		return
	}
	resp := res.Responder()
	if resp == nil {
		rt.fail(ErrNilResponder)
		return
	}
	if res.ResponderName == "" {
		res.ResponderName = typeName(resp)
	}
	res.ResponderTopics = resp.Topics()
	if err := responders.ValidateTopics(res.ResponderTopics); err != nil {
		rt.fail(err, "responder "+res.ResponderName)
	}
}

// checkResponseSpecs: every response spec names a topic of the responder
// and is valid.
func (rt *routeResolution) checkResponseSpecs() {
	for _, name := range slices.Sorted(maps.Keys(rt.r.ResponseSpecs)) {
		if !slices.ContainsFunc(rt.res.ResponderTopics, func(t responders.Topic) bool { return t.Name == name }) {
			rt.fail(fmt.Errorf("%w: response_specs: %q is not a topic of the route's responder", ErrInvalidTopicSpec, name))
			continue
		}
		rt.checkSpec(fmt.Sprintf("response_specs (topic %q)", name), rt.r.ResponseSpecs[name])
	}
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
