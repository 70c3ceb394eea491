// Package pipeline is what happens to one consumed message, without the
// actors around it: the controller stage (the parser's rejection, the
// before-filters, Perform within the route's timeout, the payload check),
// the responder stage (every RespondWith through responders.Deliver, all or
// nothing), and the headers of a dead letter.
//
// For a batch route it is what happens to one batch: Batch runs one try
// (filters per message, Consume within the route's timeout, the payload
// checks, every response through the responder, all or nothing), and
// Isolation decides the tries of a batch across failures, down to the
// poison messages alone.
//
// The runtime (package actors) runs messages through it inside its stage
// actors; package karafkatest runs the same code in memory, so that what a
// test sees is what the runtime does.
package pipeline
