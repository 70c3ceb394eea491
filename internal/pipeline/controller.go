package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// ErrTimeout is the cause of a message whose Perform outlived the route's Timeout.
var ErrTimeout = errors.New("actors: controller timed out")

// Controller is one incarnation of a route's controller stage: the
// controller made by the route's factory and the Context reused for each
// message. It is used by one goroutine at a time.
type Controller struct {
	route      *topology.Resolved
	controller controllers.Controller
	filterer   controllers.Filterer
	cctx       *controllers.Context
	logged     *logMessage // what cctx.Logger's records name (logcontext.go)
}

// NewController makes the route's controller (one Factory call) and its
// Context, whose base is ctx and whose logger writes to log naming each
// message's topic, partition, offset and group.
func NewController(route *topology.Resolved, ctx context.Context, log *slog.Logger) *Controller {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	logged := &logMessage{group: route.Group}
	c := &Controller{route: route, controller: route.Controller(), logged: logged,
		cctx: controllers.NewContext(ctx, nil, messageLogger(log, logged))}
	c.filterer, _ = c.controller.(controllers.Filterer)
	return c
}

// Handle runs the controller stage on one message; base is the context the
// controller's Context derives from (cancelled when the runtime gives up).
//
// It returns keep=false, err=nil when a before-filter dropped the message;
// keep=true, err=nil when Perform succeeded, its responses then being
// Responses(); or an error, wrapped in supervision.Permanent when no retry
// can fix it (a payload the parser rejects, responses without a responder).
func (c *Controller) Handle(base context.Context, prm *params.Params) (keep bool, err error) {
	// A payload its parser could not look at (a schema registry down) waits:
	// no filter or controller sees it until its Check ran.
	if uerr := prm.Unavailable(); uerr != nil {
		return false, supervision.Outage(uerr)
	}
	// A payload its parser's Check rejected at ingest is never processed:
	// no filter or controller sees it, no retry can fix it.
	if rerr := prm.Rejected(); rerr != nil {
		return false, supervision.Permanent(rerr)
	}
	keep, err = c.filter(prm)
	if err == nil && keep {
		err = c.perform(base, prm)
	}
	// A malformed payload goes to the dead letter topic whatever the filters
	// or the controller made of it. For parsers whose Check a successful
	// Decode proves (JSON) the payload is checked here, not before: a
	// controller's successful Decode proves it well formed, so the common
	// case scans it once.
	// A filter or controller that read the payload while its parser could
	// not look at it saw its fields as absent, whatever it returned: the
	// message waits and is tried again, never finished on that reading.
	// The note is taken now, so that it cannot outlive this try.
	oerr := prm.TakeOutage()
	if verr := prm.Valid(); verr != nil {
		return false, checkFailed(verr)
	}
	if oerr != nil {
		return false, supervision.Outage(oerr)
	}
	if err != nil {
		return false, outageOr(err)
	}
	if keep && len(c.cctx.Responses()) > 0 && c.route.Responder == nil {
		return false, supervision.Permanent(fmt.Errorf("%w (route %q, controller %s)", responders.ErrNoResponder, c.route.Topic, c.route.ControllerName))
	}
	return keep, nil
}

// Responses returns what the last successful Perform passed to RespondWith.
// They are valid until the next Handle.
func (c *Controller) Responses() [][]any { return c.cctx.Responses() }

// filter runs the route's before-filters, then the controller's own; the
// first false drops the message.
func (c *Controller) filter(prm *params.Params) (keep bool, err error) {
	return filter(c.route, c.filterer, prm)
}

// filter runs route's before-filters, then own when not nil; the first
// false drops the message. A panic is recovered into the error.
func filter(route *topology.Resolved, own controllers.Filterer, prm *params.Params) (keep bool, err error) {
	keep = true
	err = supervision.Recover(func() error {
		for _, f := range route.BeforeFilters {
			if !f(prm) {
				keep = false
				return nil
			}
		}
		if own != nil {
			keep = own.Before(prm)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("before-filter: %w", err)
	}
	return keep, nil
}

// perform runs the controller on one message, within the route's timeout.
func (c *Controller) perform(base context.Context, p *params.Params) error {
	c.logged.at(p.Metadata())
	timeout := c.route.Timeout
	if timeout <= 0 {
		c.cctx.Reset(base, p)
		return supervision.Recover(func() error { return c.controller.Perform(c.cctx) })
	}
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	c.cctx.Reset(ctx, p)
	err := supervision.Recover(func() error { return c.controller.Perform(c.cctx) })
	return timedOut(ctx, timeout, err)
}

// timedOut returns err, or when ctx (bounded by timeout) passed its
// deadline, an error wrapping ErrTimeout, err and the deadline.
func timedOut(ctx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("%w after %v: %w", ErrTimeout, timeout, errors.Join(err, ctx.Err()))
	}
	return err
}

// checkFailed is what a failed Check of a payload costs its message: a wait
// when the parser could not look at it (params.ErrUnavailable), else the
// dead letter topic at once.
func checkFailed(err error) error {
	if errors.Is(err, params.ErrUnavailable) && !errors.Is(err, params.ErrParse) {
		return supervision.Outage(err)
	}
	return supervision.Permanent(err)
}

// outageOr marks err an outage when it wraps params.ErrUnavailable (a
// controller returning its Decode's error while a registry is down), so the
// message waits rather than spending its tries; other errors are returned
// as they are.
func outageOr(err error) error {
	if errors.Is(err, params.ErrUnavailable) && !supervision.IsPermanent(err) {
		return supervision.Outage(err)
	}
	return err
}
