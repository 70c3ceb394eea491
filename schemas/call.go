package schemas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// call runs one registry request, each try bounded by Config.Timeout, and
// tries it again (Config.Retries times, Config.Backoff apart) while the
// registry cannot be reached or fails. Its error names what was asked and
// is classified: ErrUnknownSchema, ErrUnknownSubject, ErrInvalidSchema,
// ErrIncompatible, ErrUnavailable (also for a refused login: waiting is
// safer than dead-lettering every record while credentials are wrong), or
// the registry's own answer.
func (r *Registry) call(ctx context.Context, what string, do func(context.Context) error) error {
	if r.cl == nil {
		return unavailable{fmt.Errorf("%w: %s: %w", ErrUnavailable, what, ErrNotConfigured)}
	}
	var err error
	for try := 0; ; try++ {
		tctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
		err = do(tctx)
		cancel()
		if err == nil {
			return nil
		}
		err = classify(what, err)
		if !errors.Is(err, ErrUnavailable) || try >= r.cfg.Retries || ctx.Err() != nil {
			return err
		}
		r.log.Warn("schema registry request failed, retrying", "request", what, "try", try+1, "retry_in", r.cfg.Backoff, "error", err)
		select {
		case <-time.After(r.cfg.Backoff):
		case <-ctx.Done():
			return err
		}
	}
}

// classify names what was asked in err and gives it its sentinel.
func classify(what string, err error) error {
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		// No answer: refused, timed out, unreachable.
		return unavailable{fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)}
	}
	code := re.ErrorCode
	switch {
	case code == sr.ErrSchemaNotFound.Code:
		return fmt.Errorf("%w: %s: %s", ErrUnknownSchema, what, re.Message)
	case code == sr.ErrSubjectNotFound.Code || code == sr.ErrVersionNotFound.Code:
		return fmt.Errorf("%w: %s: %s", ErrUnknownSubject, what, re.Message)
	case re.StatusCode == http.StatusNotFound:
		// A 404 without a registry's not-found code: a wrong URL, not a
		// missing schema (dead-lettering every record for it would be
		// wrong).
		return unavailable{fmt.Errorf("%w: %s: %s answered 404 without a registry error code (is schema_registry.urls the registry's base URL?): %s", ErrUnavailable, what, re.URL, re.Error())}
	case re.StatusCode == http.StatusConflict || code == 409:
		return fmt.Errorf("%w: %s: %s", ErrIncompatible, what, re.Message)
	case re.StatusCode == http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %s: %s", ErrInvalidSchema, what, re.Message)
	case re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden:
		return unavailable{fmt.Errorf("%w: %s: the registry refused the credentials (HTTP %d; check schema_registry.username and schema_registry.password): %s", ErrUnavailable, what, re.StatusCode, re.Error())}
	case re.StatusCode >= 500 || re.StatusCode == http.StatusTooManyRequests || re.StatusCode == http.StatusRequestTimeout:
		return unavailable{fmt.Errorf("%w: %s: HTTP %d: %s", ErrUnavailable, what, re.StatusCode, re.Error())}
	}
	return fmt.Errorf("schemas: %s: HTTP %d: %s", what, re.StatusCode, re.Error())
}
