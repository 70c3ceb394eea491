package schemas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/sr"
)

// call runs one registry request, each try bounded by Config.Timeout, and
// tries it again (Config.Retries times, Config.Backoff apart) while the
// registry cannot be reached or fails. Its error names what was asked and
// is classified: ErrUnknownSchema, ErrUnknownSubject, ErrInvalidSchema,
// ErrIncompatible, or else ErrUnavailable (also for a refused login:
// waiting is safer than dead-lettering every record while credentials are
// wrong).
func (r *Registry) call(ctx context.Context, what string, do func(context.Context) error) error {
	return r.try(ctx, what, false, do)
}

// callByID is call for a lookup by schema id: an id the registry does not
// know is asked again too, as an outage would be. A registry follower that
// lags behind its leader does not know an id just registered; an id no
// registry knows then costs Retries more requests, once per unknownTTL.
func (r *Registry) callByID(ctx context.Context, what string, do func(context.Context) error) error {
	return r.try(ctx, what, true, do)
}

func (r *Registry) try(ctx context.Context, what string, unknownToo bool, do func(context.Context) error) error {
	if r.cl == nil {
		return unavailable{fmt.Errorf("%w: %s: %w", ErrUnavailable, what, ErrNotConfigured)}
	}
	if err := r.remembered(what); err != nil {
		return err
	}
	var err error
	for try := 0; ; try++ {
		tctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
		err = do(tctx)
		cancel()
		if err == nil {
			r.remember(nil)
			return nil
		}
		err = classify(what, err)
		unknown := unknownToo && errors.Is(err, ErrUnknownSchema)
		if ctx.Err() != nil {
			return err // the caller gave up: not the registry's failure
		}
		if retry := unknown || errors.Is(err, ErrUnavailable); !retry || try >= r.cfg.Retries {
			r.remember(err)
			return err
		}
		if unknown {
			r.log.Info("schema id not found, asking again (a registry follower may not have it yet)", "request", what, "try", try+1, "retry_in", r.cfg.Backoff)
		} else {
			r.log.Warn("schema registry request failed, retrying", "request", what, "try", try+1, "retry_in", r.cfg.Backoff, "error", err)
		}
		select {
		case <-time.After(r.cfg.Backoff):
		case <-ctx.Done():
			return err // not remembered either
		}
	}
}

// remembered is the failure that ended a request in ErrUnavailable (its
// retries spent) within the last max(Config.Backoff, 500ms), as the error
// of what, not asked; nil when there is none. While the registry is down,
// requests fail at once rather than each spending Retries x Backoff on it.
func (r *Registry) remembered(what string) error {
	r.mu.Lock()
	err, at := r.down, r.downAt
	r.mu.Unlock()
	if err == nil {
		return nil
	}
	age, window := time.Since(at), max(r.cfg.Backoff, minDownWindow)
	if age >= window {
		return nil
	}
	return unavailable{fmt.Errorf("%w: %s: not asked, a remembered failure: the registry failed %s ago (requests fail at once for %s after one does): %s",
		ErrUnavailable, what, roundAge(age), window, strings.TrimPrefix(err.Error(), ErrUnavailable.Error()+": "))}
}

// roundAge is d to be read: to the millisecond, or the microsecond below
// one.
func roundAge(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// minDownWindow is the least time a registry outage is remembered.
const minDownWindow = 500 * time.Millisecond

// remember keeps err, how a request ended, when it is an outage; anything
// else (an answer) clears the outage remembered.
func (r *Registry) remember(err error) {
	down := errors.Is(err, ErrUnavailable)
	r.mu.Lock()
	if down {
		r.down, r.downAt = err, time.Now()
	} else {
		r.down = nil
	}
	r.mu.Unlock()
}

// classify names what was asked in err and gives it its sentinel. Only the
// registry's verdicts on what was asked are final: an id, subject or
// version it does not have (error codes 40403, 40401, 40402), a schema it
// finds incompatible (409) or invalid (422). Any other answer, whoever
// gave it (the registry, a proxy, a gateway), is an outage: waiting is
// safer than dead-lettering records for a path to the registry that
// fails.
func classify(what string, err error) error {
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		// No answer: refused, timed out, unreachable.
		return unavailable{fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)}
	}
	code, status := re.ErrorCode, re.StatusCode
	text := registryText(re.Error()) // its message, or its raw body
	switch {
	case code == sr.ErrSchemaNotFound.Code:
		return fmt.Errorf("%w: %s: %s", ErrUnknownSchema, what, text)
	case code == sr.ErrSubjectNotFound.Code || code == sr.ErrVersionNotFound.Code:
		return fmt.Errorf("%w: %s: %s", ErrUnknownSubject, what, text)
	case status == http.StatusConflict || code == 409:
		return fmt.Errorf("%w: %s: %s", ErrIncompatible, what, text)
	case status == http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %s: %s", ErrInvalidSchema, what, text)
	case status == http.StatusNotFound && code == 0:
		// A 404 without a registry's not-found code: a wrong URL, not a
		// missing schema (dead-lettering every record for it would be
		// wrong).
		return unavailable{fmt.Errorf("%w: %s: %s %s answered HTTP 404 without a registry error code (is schema_registry.urls the registry's base URL?): %s", ErrUnavailable, what, re.Method, re.URL, text)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return unavailable{fmt.Errorf("%w: %s: %s %s answered HTTP %d: the registry refused the credentials (check schema_registry.username and schema_registry.password): %s", ErrUnavailable, what, re.Method, re.URL, status, text)}
	}
	answer := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if code != 0 {
		answer += fmt.Sprintf(", error code %d", code)
	}
	return unavailable{fmt.Errorf("%w: %s: %s %s answered %s: %s", ErrUnavailable, what, re.Method, re.URL, answer, text)}
}

// maxRegistryText bounds the registry's own text in an error.
const maxRegistryText = 512

// registryText is s, text the registry (or whatever answered in its
// place) sent, fit for the logs, events, /readyz and dead-letter headers
// an error lands in: on one line, its control and other unprintable
// characters escaped as Go does (\n, \x1b, \u202e; a byte that is not
// UTF-8 as \xff), cut after about maxRegistryText bytes, saying how many
// more there were.
func registryText(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= maxRegistryText {
			fmt.Fprintf(&b, "... (%d more bytes cut)", len(s)-i)
			break
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || strconv.IsPrint(r):
			b.WriteString(s[i : i+w])
		default:
			q := strconv.QuoteRune(r) // '\x1b'
			b.WriteString(q[1 : len(q)-1])
		}
		i += w
	}
	return b.String()
}
