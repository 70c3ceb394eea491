package karafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// The input's traceparent is the parent of the message's process span,
// which is the parent of the response's send span, whose context the
// response carries; a dead letter's chain is the same, its process span
// failed.
func TestApp_tracingChainsInputProcessSendResponse(t *testing.T) {
	tracingChain(t, karafka.AtLeastOnce)
}

// The same chain for an exactly-once route, whose responses and dead
// letters are sent in its transactions (read committed): each send has its
// span, ended once the broker acknowledged the record, and the record
// carries that span's context.
func TestApp_exactlyOnceTracingChainsInputProcessSendResponse(t *testing.T) {
	tracingChain(t, karafka.ExactlyOnce)
}

func tracingChain(t *testing.T, guarantee karafka.Guarantee) {
	brokers := testkafka.Brokers(t)
	in, out, bad := testkafka.Name(t, "in"), testkafka.Name(t, "out"), testkafka.Name(t, "bad")
	dlq := bad + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, bad, dlq)

	const (
		inTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
		inSpan   = "00f067aa0ba902b7"
		badTrace = "0af7651916cd43dd8448eb211c80319c"
		badSpan  = "b7ad6b7169203331"
	)
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"id": 1}`, Partition: 0, Explicit: true,
		Headers: map[string]string{"traceparent": "00-" + inTrace + "-" + inSpan + "-01"}})
	testkafka.Produce(t, brokers, bad, testkafka.Record{Value: `{"id": 2}`, Partition: 0, Explicit: true,
		Headers: map[string]string{"traceparent": "00-" + badTrace + "-" + badSpan + "-01"}})

	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	cfg := testConfig(t, brokers)
	cfg.Processing.Guarantee = guarantee
	cfg.Retry.Attempts = 1
	fail := func() karafka.Controller {
		return karafka.ControllerFunc(func(*karafka.Context) error { return errors.New("always fails") })
	}
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithTracerProvider(tp), karafka.WithRoutes(
		karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)},
		karafka.Route{Topic: bad, Controller: fail},
	))
	if err != nil {
		t.Fatal(err)
	}
	r := runApp(t, app)
	consume := testkafka.Consume
	if guarantee == karafka.ExactlyOnce {
		consume = testkafka.ConsumeCommitted
	}
	resp := consume(t, brokers, out, 1, 30*time.Second)
	dead := consume(t, brokers, dlq, 1, 30*time.Second)
	r.shutdown(t)

	spans := exp.GetSpans()
	check := func(name string, m *sarama.ConsumerMessage, wantTrace, wantParent, topic, sendTopic string, failed bool) {
		t.Helper()
		sc := traceparent(t, m)
		if got := sc.TraceID().String(); got != wantTrace {
			t.Fatalf("%s: traceparent trace id %s, want the input's %s", name, got, wantTrace)
		}
		send := spanByID(t, spans, sc.SpanID())
		if send.Name != "send "+sendTopic || send.SpanKind != trace.SpanKindProducer {
			t.Fatalf("%s: the header's span is %q (%v), want %q (producer)", name, send.Name, send.SpanKind, "send "+sendTopic)
		}
		wantAttrs(t, send, attribute.String("messaging.system", "kafka"), attribute.String("messaging.destination.name", sendTopic),
			attribute.String("messaging.operation.type", "send"))
		process := spanByID(t, spans, send.Parent.SpanID())
		if process.Name != "process "+topic || process.SpanKind != trace.SpanKindConsumer {
			t.Fatalf("%s: the send span's parent is %q (%v), want %q (consumer)", name, process.Name, process.SpanKind, "process "+topic)
		}
		if got := process.Parent.SpanID().String(); got != wantParent || !process.Parent.IsRemote() {
			t.Fatalf("%s: process span's parent %s (remote %v), want the input's span %s", name, got, process.Parent.IsRemote(), wantParent)
		}
		wantAttrs(t, process, attribute.String("messaging.system", "kafka"), attribute.String("messaging.destination.name", topic),
			attribute.String("messaging.destination.partition.id", "0"), attribute.Int("messaging.kafka.offset", 0),
			attribute.String("messaging.consumer.group.name", cfg.Name+"_"+topic), attribute.String("messaging.operation.type", "process"))
		if got := process.Status.Code == codes.Error; got != failed {
			t.Fatalf("%s: process span status %v, want error %v", name, process.Status, failed)
		}
	}
	check("response", resp[0], inTrace, inSpan, in, out, false)
	check("dead letter", dead[0], badTrace, badSpan, bad, dlq, true)
}

func traceparent(t *testing.T, m *sarama.ConsumerMessage) trace.SpanContext {
	t.Helper()
	carrier := propagation.MapCarrier{}
	n := 0
	for _, h := range m.Headers {
		if string(h.Key) == "traceparent" {
			carrier["traceparent"] = string(h.Value)
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%s@%d: %d traceparent headers, want 1", m.Topic, m.Offset, n)
	}
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier))
	if !sc.IsValid() {
		t.Fatalf("%s@%d: traceparent %q is not valid", m.Topic, m.Offset, carrier["traceparent"])
	}
	return sc
}

func spanByID(t *testing.T, spans tracetest.SpanStubs, id trace.SpanID) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.SpanContext.SpanID() == id {
			return s
		}
	}
	t.Fatalf("no ended span %s among %d", id, len(spans))
	return tracetest.SpanStub{}
}

func wantAttrs(t *testing.T, s tracetest.SpanStub, want ...attribute.KeyValue) {
	t.Helper()
	have := map[attribute.Key]attribute.Value{}
	for _, a := range s.Attributes {
		have[a.Key] = a.Value
	}
	for _, w := range want {
		if got, ok := have[w.Key]; !ok || got != w.Value {
			t.Errorf("span %q: %s = %v, want %v", s.Name, w.Key, got.String(), w.Value.String())
		}
	}
}
