package controllers

import (
	"context"
	"log/slog"

	"github.com/karafka-actors/karafka-actors/params"
)

// Context is what Perform receives: the message's params, a logger and the
// way to respond. The runtime's Logger names the message in every record it
// writes: topic, partition, offset and group. It embeds a context.Context that is cancelled when the
// application shuts down past its drain timeout.
//
// A Context is valid only during the Perform call it was passed to.
type Context struct {
	context.Context
	Params *params.Params
	Logger *slog.Logger

	responses [][]any
}

// NewContext builds a Context. The runtime calls it; tests of controllers
// may call it too.
func NewContext(ctx context.Context, p *params.Params, logger *slog.Logger) *Context {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Context{Context: ctx, Params: p, Logger: logger}
}

// RespondWith hands args to the route's responder. It may be called more than
// once; each call is one responder run. Nothing is sent before Perform
// returns nil and every response is valid.
func (c *Context) RespondWith(args ...any) {
	c.responses = append(c.responses, args)
}

// Responses returns the argument lists given to RespondWith, in order.
func (c *Context) Responses() [][]any { return c.responses }

// Reset prepares the Context for another message, keeping its buffers.
func (c *Context) Reset(ctx context.Context, p *params.Params) {
	c.Context = ctx
	c.Params = p
	clear(c.responses)
	c.responses = c.responses[:0]
}
