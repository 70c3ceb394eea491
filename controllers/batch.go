package controllers

import "github.com/karafka-actors/karafka-actors/internal/typename"

// BatchController runs the business logic for a batch of messages of one
// partition at a time (Karafka 2.x's consume over messages). A route has
// either a Controller or a BatchController.
type BatchController interface {
	Consume(ctx *BatchContext) error
}

// BatchFactory makes a batch controller. Like Factory, it is called once
// per partition actor incarnation: a batch controller is never used by two
// goroutines at once and may keep state across the batches of one
// partition, discarded when a failed batch restarts the actor.
type BatchFactory func() BatchController

// BatchFunc adapts a function to the BatchController interface.
type BatchFunc func(ctx *BatchContext) error

// Consume calls f.
func (f BatchFunc) Consume(ctx *BatchContext) error { return f(ctx) }

var _ BatchController = BatchFunc(nil)

// BatchName returns the batch controller's name, as Name does for a
// Controller: ControllerName() when it implements Namer, else its type name
// without package or pointer. A BatchFunc has no meaningful type name and
// returns "".
func BatchName(c BatchController) string {
	if c == nil {
		return ""
	}
	if n, ok := c.(Namer); ok {
		return n.ControllerName()
	}
	if _, ok := c.(BatchFunc); ok {
		return ""
	}
	return typename.Of(c)
}
