// Package events is karafka-actors' instrumentation hook: the runtime
// publishes an Event at each step of a message's life and of the actor
// tree's, and subscribers (logging, metrics, tests) receive them.
//
// Subscribers are called synchronously on the runtime's goroutines, so they
// must be quick and must not block; hand heavy work to a goroutine of your
// own. A subscriber that panics is recovered, the panic is logged through
// the bus's logger, and delivery to the other subscribers goes on.
package events
