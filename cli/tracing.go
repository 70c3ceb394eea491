package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

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
		return fmt.Errorf("%w: tracing.otlp_endpoint: %q is not an http:// or https:// URL with a host", ErrConfig, redactURL(t.OTLPEndpoint))
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
		// url's error quotes the URL: not wrapped.
		return nil, fmt.Errorf("%w: tracing.otlp_endpoint: %q is not a URL", ErrConfig, redactURL(s.Tracing.OTLPEndpoint))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", redactURL(u.String()), err)
	}
	res := resource.NewSchemaless(semconv.ServiceName(s.Name))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}

// announceTracing logs where traces go, credentials redacted.
func announceTracing(logger *slog.Logger, s Settings) {
	logger.Info("exporting traces", "otlp_endpoint", redactURL(s.Tracing.OTLPEndpoint))
}

// redacted replaces credentials in redactURL.
const redacted = "******"

// userinfo is what precedes the host of a URL: a scheme, then anything up
// to the last "@" before the path.
var userinfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)?[^/]*@`)

// redactURL returns a URL that is safe to print: its user info
// (user:password@, or a token as the user) and its query (which may carry
// an api key) are replaced by "******". It works on the text, so that a
// value that does not parse as a URL is redacted too (url's own errors
// quote it whole).
func redactURL(raw string) string {
	out := userinfo.ReplaceAllString(raw, "${1}"+redacted+"@")
	if i := strings.IndexByte(out, '?'); i >= 0 {
		out = out[:i+1] + redacted
	}
	return out
}
