package pipeline

import (
	"context"
	"log/slog"

	"github.com/karafka-actors/karafka-actors/params"
)

// The logger a controller gets (controllers.Context.Logger, and a batch
// controller's BatchContext.Logger) names the message it works on: topic,
// partition, offset and group (a batch: its first offset, and messages, the
// batch's size). It is made once per controller incarnation, around the
// runtime's handler; the stage points it at each message before Perform.
// The attributes are added only to records the handler takes, so a message
// costs no allocation for them, and nothing at all when the level drops
// every record.

// logMessage is what the records of a controller's logger name. Only the
// goroutine running the controller changes it, between Perform calls.
type logMessage struct {
	group     string
	topic     string
	partition int32
	offset    int64
	messages  int // a batch's size; 0 for one message
	set       bool
}

// at points l at md, a message of the route's group.
func (l *logMessage) at(md *params.Metadata) {
	l.topic, l.partition, l.offset, l.messages, l.set = md.Topic, md.Partition, md.Offset, 0, true
}

// atBatch points l at a batch whose first message is md.
func (l *logMessage) atBatch(md *params.Metadata, n int) {
	l.at(md)
	l.messages = n
}

// attrs returns the attributes of the message l points at.
func (l *logMessage) attrs() []slog.Attr {
	as := []slog.Attr{slog.String("topic", l.topic), slog.Int("partition", int(l.partition)),
		slog.Int64("offset", l.offset), slog.String("group", l.group)}
	if l.messages > 0 {
		as = append(as, slog.Int("messages", l.messages))
	}
	return as
}

// messageLogger returns a logger writing through base's handler whose
// records name the message m points at.
func messageLogger(base *slog.Logger, m *logMessage) *slog.Logger {
	h := base.Handler()
	return slog.New(&messageHandler{root: h, inner: h, m: m})
}

// messageHandler adds the attributes of m to each record it handles. The
// user's own WithAttrs and WithGroup are kept in ops: without a group, the
// message's attributes join the record's; with one, the chain is rebuilt
// per record on top of the message's attributes, so they stay top-level.
type messageHandler struct {
	root    slog.Handler // the runtime's handler
	inner   slog.Handler // root with ops applied
	ops     []handlerOp
	grouped bool // ops hold a group
	m       *logMessage
}

// handlerOp is one WithAttrs (group empty) or WithGroup call.
type handlerOp struct {
	attrs []slog.Attr
	group string
}

var _ slog.Handler = (*messageHandler)(nil)

func (h *messageHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *messageHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.m.set {
		return h.inner.Handle(ctx, r)
	}
	m := h.m
	if !h.grouped {
		// One by one, so that nothing escapes: no allocation while the
		// record has room for them.
		r.AddAttrs(slog.String("topic", m.topic), slog.Int("partition", int(m.partition)),
			slog.Int64("offset", m.offset), slog.String("group", m.group))
		if m.messages > 0 {
			r.AddAttrs(slog.Int("messages", m.messages))
		}
		return h.inner.Handle(ctx, r)
	}
	hh := h.root.WithAttrs(m.attrs())
	for _, op := range h.ops {
		if op.group != "" {
			hh = hh.WithGroup(op.group)
		} else {
			hh = hh.WithAttrs(op.attrs)
		}
	}
	return hh.Handle(ctx, r)
}

func (h *messageHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	c := *h
	c.ops = append(h.ops[:len(h.ops):len(h.ops)], handlerOp{attrs: as})
	c.inner = h.inner.WithAttrs(as)
	return &c
}

func (h *messageHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.ops = append(h.ops[:len(h.ops):len(h.ops)], handlerOp{group: name})
	c.inner = h.inner.WithGroup(name)
	c.grouped = true
	return &c
}
