package controllers

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/karafka-actors/karafka-actors/params"
)

// BatchContext is what Consume receives: the messages of one batch, a
// logger and the ways to respond. The runtime's Logger names the batch in
// every record it writes: topic, partition, offset (the first message's),
// messages (how many) and group. It embeds a context.Context that is
// cancelled at the route's Timeout (which bounds each Consume call) and when
// the application shuts down past its drain timeout.
//
// Messages are of one partition, in offset order, without those a
// before-filter dropped; each has its own params, parsed lazily as in a
// Controller's Context. There is at least one.
//
// A BatchContext is valid only during the Consume call it was passed to.
type BatchContext struct {
	context.Context
	Messages []*params.Params
	Logger   *slog.Logger

	perMessage [][][]any // by index into Messages
	batch      [][]any
}

// NewBatchContext builds a BatchContext. The runtime calls it; tests of
// batch controllers may call it too.
func NewBatchContext(ctx context.Context, msgs []*params.Params, logger *slog.Logger) *BatchContext {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &BatchContext{Logger: logger}
	c.Reset(ctx, msgs)
	return c
}

// Len returns the number of messages in the batch.
func (c *BatchContext) Len() int { return len(c.Messages) }

// RespondTo hands args to the route's responder on behalf of Messages[i]:
// what the responder makes of them is produced with that message, whose
// offset is marked only once they are acknowledged. It may be called more
// than once per message; each call is one responder run. It panics when i
// is not an index of Messages.
func (c *BatchContext) RespondTo(i int, args ...any) {
	if i < 0 || i >= len(c.Messages) {
		panic(fmt.Sprintf("controllers: RespondTo(%d) in a batch of %d messages", i, len(c.Messages)))
	}
	c.perMessage[i] = append(c.perMessage[i], args)
}

// RespondWith hands args to the route's responder once for the whole batch.
// What the responder makes of them is produced with the batch's first
// message, after that message's own responses (RespondTo(0, ...)) and
// before the later messages': the first offset of the batch, and so every
// later one (offsets are marked in order), is marked only once these
// responses are acknowledged.
//
// Nothing a batch responds, per message or per batch, is sent before
// Consume returns nil and every response of the batch is valid.
func (c *BatchContext) RespondWith(args ...any) {
	c.batch = append(c.batch, args)
}

// Responses returns the argument lists given to RespondTo(i, ...), in order.
func (c *BatchContext) Responses(i int) [][]any { return c.perMessage[i] }

// BatchResponses returns the argument lists given to RespondWith, in order.
func (c *BatchContext) BatchResponses() [][]any { return c.batch }

// Reset prepares the BatchContext for another batch, keeping its buffers.
func (c *BatchContext) Reset(ctx context.Context, msgs []*params.Params) {
	c.Context = ctx
	c.Messages = msgs
	all := c.perMessage[:cap(c.perMessage)]
	for i := range all {
		clear(all[i])
		all[i] = all[i][:0]
	}
	if len(all) < len(msgs) {
		all = append(all, make([][][]any, len(msgs)-len(all))...)
	}
	c.perMessage = all[:len(msgs)]
	clear(c.batch)
	c.batch = c.batch[:0]
}
