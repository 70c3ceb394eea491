package actors

import (
	"context"
	"slices"
	"strconv"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/producer"
)

// OpenTelemetry tracing of the per-message path, when Config.TracerProvider
// is set (deps.trace is nil otherwise, and every hook below returns at once):
//
//   - a "process <topic>" span (kind consumer) per consumed message, child of
//     the trace context in the message's W3C traceparent header (a new trace
//     when it has none). It starts when the controller stage first takes the
//     message and ends when the message's records are handed to the
//     finisher, or when it was filtered or had nothing to answer. A failed
//     try adds an exception event; a dead-lettered message ends the span
//     with status Error.
//   - every response and dead letter gets the process span's traceparent
//     header (replacing one copied from the input), then a "send <topic>"
//     span (kind producer) per send, child of that context, ending when the
//     broker answered. The record goes out with the send span's traceparent,
//     so the next consumer's process span is its child. A resend is a sibling
//     of the first send, under the same process span. Exactly-once sessions
//     send through the same wrapper: their send spans end when the broker
//     acknowledged the record in the open transaction, before it commits.
//
// Attributes follow OpenTelemetry's messaging semantic conventions: system
// kafka, destination name and partition, offset, consumer group, operation.

// instrumentationName names the tracer the runtime asks its provider for.
const instrumentationName = "github.com/karafka-actors/karafka-actors"

// tracing makes the spans of one runtime.
type tracing struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

// newTracing returns nil when tp is nil: tracing off.
func newTracing(tp trace.TracerProvider) *tracing {
	if tp == nil {
		return nil
	}
	return &tracing{tracer: tp.Tracer(instrumentationName), prop: propagation.TraceContext{}}
}

// start starts w's process span, unless it has one (a retried message).
func (t *tracing) start(p *partition, w *work) {
	if t == nil || w.span != nil {
		return
	}
	m := &w.msg
	parent := t.prop.Extract(context.Background(), consumerCarrier(m.Headers))
	_, w.span = t.tracer.Start(parent, "process "+p.topic, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingSystemKafka,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingOperationName("process"),
			semconv.MessagingDestinationName(p.topic),
			semconv.MessagingDestinationPartitionID(strconv.Itoa(int(p.id))),
			semconv.MessagingKafkaOffset(int(m.Offset)),
			semconv.MessagingConsumerGroupName(p.group),
		))
}

// failed records a failed try of w on its span.
func (t *tracing) failed(w *work, err error) {
	if t == nil || w.span == nil {
		return
	}
	w.span.RecordError(err)
}

// finished ends w's span: w had nothing to send.
func (t *tracing) finished(w *work) {
	if t == nil || w.span == nil {
		return
	}
	w.span.End()
	w.span = nil
}

// responded gives out, w's responses, w's trace context and ends w's span.
func (t *tracing) responded(w *work, out []producer.Message) {
	if t == nil || w.span == nil {
		return
	}
	ctx := trace.ContextWithSpan(context.Background(), w.span)
	for i := range out {
		t.prop.Inject(ctx, &producerCarrier{h: &out[i].Headers})
	}
	w.span.End()
	w.span = nil
}

// deadLettered gives msg, w's dead letter, w's trace context and ends w's
// span with status Error.
func (t *tracing) deadLettered(p *partition, w *work, msg *producer.Message, err error) {
	if t == nil {
		return
	}
	t.start(p, w) // a message may fail before its controller stage took it
	ctx := trace.ContextWithSpan(context.Background(), w.span)
	t.prop.Inject(ctx, &producerCarrier{h: &msg.Headers})
	w.span.SetStatus(codes.Error, err.Error())
	w.span.End()
	w.span = nil
}

// sender wraps s so that every record sent gets a send span.
func (t *tracing) sender(s Sender) Sender {
	if t == nil {
		return s
	}
	return &tracingSender{t: t, next: s}
}

// tracingSender makes a "send <topic>" span per record, child of the trace
// context in the record's traceparent header, and sends a copy of the
// record carrying the send span's context; the record itself keeps its
// header, so a resend is a sibling of the first send.
type tracingSender struct {
	t    *tracing
	next Sender
}

func (s *tracingSender) SendAsync(msg *producer.Message, done func(producer.Result)) {
	t := s.t
	parent := t.prop.Extract(context.Background(), &producerCarrier{h: &msg.Headers})
	ctx, span := t.tracer.Start(parent, "send "+msg.Topic, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKafka,
			semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("send"),
			semconv.MessagingDestinationName(msg.Topic),
		))
	out := *msg // Set copies the headers before it changes them
	t.prop.Inject(ctx, &producerCarrier{h: &out.Headers})
	s.next.SendAsync(&out, func(r producer.Result) {
		if r.Err != nil {
			span.RecordError(r.Err)
			span.SetStatus(codes.Error, r.Err.Error())
		} else {
			span.SetAttributes(semconv.MessagingDestinationPartitionID(strconv.Itoa(int(r.Partition))),
				semconv.MessagingKafkaOffset(int(r.Offset)))
		}
		span.End()
		r.Message = msg
		if done != nil {
			done(r)
		}
	})
}

// consumerCarrier reads the trace context of a consumed record.
type consumerCarrier []client.Header

func (c consumerCarrier) Get(key string) string {
	for _, h := range c {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c consumerCarrier) Set(string, string) {} // read only

func (c consumerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for _, h := range c {
		keys = append(keys, h.Key)
	}
	return keys
}

// producerCarrier reads and writes the trace context of a record to send.
// Set replaces the header of the key, or appends one, on a copy of the
// headers: the slice may be shared with other records.
type producerCarrier struct{ h *[]producer.Header }

func (c *producerCarrier) Get(key string) string {
	for _, h := range *c.h {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c *producerCarrier) Set(key, value string) {
	hs := slices.Clone(*c.h)
	for i := range hs {
		if hs[i].Key == key {
			hs[i].Value = []byte(value)
			*c.h = hs
			return
		}
	}
	*c.h = append(hs, producer.Header{Key: key, Value: []byte(value)})
}

func (c *producerCarrier) Keys() []string {
	keys := make([]string, 0, len(*c.h))
	for _, h := range *c.h {
		keys = append(keys, h.Key)
	}
	return keys
}

var (
	_ propagation.TextMapCarrier = consumerCarrier(nil)
	_ propagation.TextMapCarrier = (*producerCarrier)(nil)
)
