package cli

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// TracingConfig is where the server exports its OpenTelemetry traces.
type TracingConfig struct {
	// OTLPEndpoint is an OTLP/HTTP collector, such as
	// "http://127.0.0.1:4318" (traces go to /v1/traces unless the URL has
	// a path). Empty: no tracing.
	OTLPEndpoint string
}

// validate reports an endpoint that is not an http(s) URL with a host.
func (t TracingConfig) validate() error {
	if t.OTLPEndpoint == "" {
		return nil
	}
	u, err := url.Parse(t.OTLPEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: tracing.otlp_endpoint: %q is not an http:// or https:// URL with a host", ErrConfig, t.OTLPEndpoint)
	}
	return nil
}

// tracerProvider returns the provider exporting s's traces in batches
// over OTLP/HTTP, its resource naming the service after the app; nil when
// no endpoint is configured.
func tracerProvider(ctx context.Context, s Settings) (*sdktrace.TracerProvider, error) {
	if s.Tracing.OTLPEndpoint == "" {
		return nil, nil
	}
	u, err := url.Parse(s.Tracing.OTLPEndpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: tracing.otlp_endpoint: %w", ErrConfig, err)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", u, err)
	}
	res := resource.NewSchemaless(semconv.ServiceName(s.Name))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}
