package schemas

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// Config is how to reach a schema registry (config keys schema_registry.*).
type Config struct {
	// URLs are the registry's base URLs, tried in order
	// (schema_registry.urls); empty: no registry.
	URLs []string
	// Username and Password are HTTP basic auth credentials; set both or
	// neither.
	Username string
	Password string
	// TLS is the client's TLS for https URLs (schema_registry.tls.*).
	TLS kafka.TLSConfig
	// Timeout bounds one request (schema_registry.timeout).
	Timeout time.Duration
	// Retries is how many times a request that could not reach the registry
	// or got an answer other than its verdict (a server error, a proxy's
	// error) is tried again at once, Backoff apart, before the registry
	// counts as unavailable (schema_registry.retries); the
	// runtime then waits with its own backoff and tries the message again.
	Retries int
	// Backoff spaces those retries (schema_registry.backoff). Once a
	// request has found the registry unavailable, others fail at once for
	// Backoff (at least 500ms) without asking it.
	Backoff time.Duration
	// SubjectTTL is how long a subject's latest version is kept before it
	// is asked again (schema_registry.subject_ttl); schemas by id are kept
	// for good, as they never change.
	SubjectTTL time.Duration
}

// DefaultConfig is no registry, a 3s timeout, 2 retries 200ms apart, and
// subjects kept for a minute.
func DefaultConfig() Config {
	return Config{Timeout: 3 * time.Second, Retries: 2, Backoff: 200 * time.Millisecond, SubjectTTL: time.Minute}
}

// Enabled reports whether a registry is configured.
func (c Config) Enabled() bool { return len(c.URLs) > 0 }

// Validate reports every invalid field, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: schema_registry.%s: %s", ErrInvalidConfig, key, fmt.Sprintf(format, args...)))
	}
	for _, u := range c.URLs {
		p, err := url.Parse(u)
		switch {
		case err != nil:
			bad("urls", "%q is not a URL: %v", u, err)
		case p.Scheme != "http" && p.Scheme != "https":
			bad("urls", "%q: the scheme must be http or https", u)
		case p.Host == "":
			bad("urls", "%q has no host", u)
		case p.User != nil:
			bad("urls", "%q holds credentials: use schema_registry.username and schema_registry.password", redact(p))
		}
	}
	if (c.Username == "") != (c.Password == "") {
		bad("username", "set schema_registry.username and schema_registry.password together")
	}
	if c.Timeout <= 0 || c.Timeout > bounds.Duration {
		bad("timeout", "%s must be positive and at most %s", c.Timeout, bounds.Duration)
	}
	if c.Retries < 0 || c.Retries > 100 {
		bad("retries", "%d must be between 0 and 100", c.Retries)
	}
	if c.Backoff < 0 || c.Backoff > bounds.Duration {
		bad("backoff", "%s must be between 0 and %s", c.Backoff, bounds.Duration)
	}
	if c.SubjectTTL < 0 || c.SubjectTTL > bounds.Duration {
		bad("subject_ttl", "%s must be between 0 and %s", c.SubjectTTL, bounds.Duration)
	}
	if err := c.TLS.Validate("schema_registry.tls"); err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidConfig, err))
	}
	return errors.Join(errs...)
}

func redact(u *url.URL) string {
	r := *u
	r.User = url.User("xxxxx")
	return r.String()
}
