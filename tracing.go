package karafka

import "go.opentelemetry.io/otel/trace"

// WithTracerProvider traces every message with OpenTelemetry through tp: a
// "process <topic>" span (kind consumer) per message, child of the W3C
// traceparent header of the message when it has one, and a "send <topic>"
// span (kind producer) per response or dead letter, child of the process
// span; every response and dead letter carries the send span's traceparent
// (and tracestate) header. Spans carry OpenTelemetry's messaging attributes
// (messaging.system kafka, destination name and partition, offset, consumer
// group). Without this option (or with nil) nothing is traced and the
// per-message path does no tracing work at all.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(a *App) { a.tracer = tp }
}
