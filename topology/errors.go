package topology

import (
	"errors"
	"fmt"
)

// Errors reported by Resolve, each wrapped in a *RouteError naming the route.
var (
	ErrInvalidRoute      = errors.New("topology: invalid route")
	ErrDuplicateTopic    = errors.New("topology: duplicate topic")
	ErrMissingController = errors.New("topology: missing controller")
	ErrTwoControllers    = errors.New("topology: both Controller and BatchController")
	ErrNoRoutes          = errors.New("topology: no routes")
	ErrNilResponder      = errors.New("topology: responder factory returned nil")
	ErrNilController     = errors.New("topology: controller factory returned nil")
	ErrGroupConflict     = errors.New("topology: routes of one consumer group disagree")
	ErrInvalidTopicSpec  = errors.New("topology: invalid topic spec")
	ErrTopicSpecConflict = errors.New("topology: routes declare a topic differently")
	ErrVirtualBatch      = errors.New("topology: virtual partitions with a BatchController")
)

// RouteError is one problem with one route.
type RouteError struct {
	Index int    // position of the route as declared
	Topic string // may be empty or invalid: that can be the problem
	Err   error
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("route #%d (topic %q): %v", e.Index+1, e.Topic, e.Err)
}

// Unwrap returns the cause and ErrInvalidRoute, so both match errors.Is.
func (e *RouteError) Unwrap() []error { return []error{e.Err, ErrInvalidRoute} }
